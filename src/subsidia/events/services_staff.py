"""Writes of the officers' side of events: the event itself (create, edit, publish, cancel), its programme
(blocks or tables, sessions), and the staff's actions on registrations (cancel one, run the allocation).

Same rules as every service: the actor first, the permission checked (officers only), one transaction, the
audit trail, e-mails on commit; a refusal raises a :class:`~subsidia.core.errors.RuleViolation` and writes
nothing. The registration rules themselves (waiting list, promotion, allocation) are in ``services.py``.

The reads the officers' pages need are at the end (every event is visible to an officer, drafts included).
"""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from subsidia.accounts.actors import Actor, Visitor
from subsidia.audit.services import record, snapshot
from subsidia.core.errors import Code, Conflict, PermissionDenied, RuleViolation, Violation
from subsidia.core.html import sanitise
from subsidia.core.versions import check_version, locked
from subsidia.organisations.models import Municipality

from . import selectors, services
from .allocation import AllocationResult
from .errors import EventError
from .inputs import BlockInput, EventInput, SessionInput
from .models import (
    Block,
    BlockKind,
    Event,
    EventStatus,
    Registration,
    RegistrationStatus,
    Session,
)
from .tasks_staff import send_event_cancelled
from .workflow import EVENT_WORKFLOW, OFFICERS_ONLY

EVENT_FIELDS = [
    "title", "slug", "summary", "description", "starts_at", "ends_at", "time_zone", "place", "address",
    "municipality", "online_url", "organisers", "partners", "themes", "audience", "capacity",
    "registration_opens_at", "registration_closes_at", "registration_enabled", "blocks_per_person", "status",
    "retention_days", "participant_count", "is_example", "version",
]
RESERVED_SLUGS = {"gestion", "questionnaire", "mon-inscription", "presence", "attestation"}
SIMPLE_FIELDS = [
    "title", "summary", "starts_at", "ends_at", "time_zone", "place", "address", "online_url", "audience",
    "capacity", "registration_opens_at", "registration_closes_at", "registration_enabled", "blocks_per_person",
    "retention_days", "participant_count", "is_example",
]
RELATIONS = ("organisers", "partners", "themes")
# Changing one of these changes the event in people's calendars (iCalendar SEQUENCE).
CALENDAR_FIELDS = ("title", "starts_at", "ends_at", "place", "address", "online_url", "status")
BLOCK_FIELDS = ["kind", "title", "description", "capacity", "position"]
SESSION_FIELDS = ["block", "title", "description", "speakers", "room", "starts_at", "ends_at", "capacity"]


# --- helpers -------------------------------------------------------------------------------------

def is_officer(actor: Visitor | None) -> bool:
    return selectors.manages_events(actor)


def require_officer(actor: Visitor | None) -> None:
    if not is_officer(actor):
        raise PermissionDenied.single(Code.FORBIDDEN, str(OFFICERS_ONLY))


def locked_event(event: Event | int) -> Event:
    """The event, locked for the transaction (an officer sees every event, drafts included)."""
    return locked(Event.objects.all(), event, _("Événement introuvable."))


def _check_version(event: Event, expected_version: int | None) -> None:
    check_version(event, expected_version, _(
        "Cet événement a été modifié entre-temps par quelqu'un d'autre. Rechargez la page : vos changements "
        "n'ont pas été enregistrés."))



def unique_slug(title: str, exclude_pk: int | None = None) -> str:
    base = (slugify(title) or "evenement")[:180]
    if base in RESERVED_SLUGS:  # words the other pages of /evenements/ start with
        base = f"{base}-evenement"
    slug, n = base, 1
    taken = Event.objects.exclude(pk=exclude_pk or 0)
    while taken.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def live_count(event: Event) -> int:
    """Confirmed seats taken (people checked in keep their confirmed status)."""
    return event.registrations.filter(status=RegistrationStatus.CONFIRMED).count()


def _event_problems(event: Event, data: EventInput) -> list[Violation]:
    """Every broken rule of an event's fields, at once (its texts, its dates, its numbers)."""
    problems: list[Violation] = []
    if not data.title.strip():
        problems.append(Violation(Code.REQUIRED, _("Le titre est obligatoire."), "title"))
    if not data.summary.strip():
        problems.append(Violation(Code.REQUIRED, _("Le résumé est obligatoire."), "summary"))
    try:
        ZoneInfo(data.time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        problems.append(Violation(Code.INVALID, _("Fuseau horaire inconnu (par exemple Europe/Luxembourg)."),
                                  "time_zone"))
    if not data.place.strip() and not data.online_url.strip():
        problems.append(Violation(Code.REQUIRED, _("Indiquez un lieu ou un lien de participation en ligne."), "place"))
    if data.municipality is not None and not Municipality.objects.filter(pk=data.municipality).exists():
        problems.append(Violation(Code.INVALID_CHOICE, _("Commune inconnue."), "municipality"))
    if not 1 <= data.retention_days <= 3650:
        problems.append(Violation(Code.INVALID, _("Une durée de conservation entre 1 et 3650 jours est attendue."),
                                  "retention_days"))
    if not 1 <= data.blocks_per_person <= 6:
        problems.append(Violation(Code.INVALID, _("Entre 1 et 6 blocs ou tables par personne."), "blocks_per_person"))
    if event.pk and data.capacity is not None and data.capacity != event.capacity:
        taken = live_count(event)
        if data.capacity < taken:
            problems.append(Violation(
                EventError.CAPACITY_BELOW_CONFIRMED,
                _("%(n)s personnes sont déjà inscrites : la capacité ne peut pas descendre en dessous.")
                % {"n": taken}, "capacity"))
    return problems + _date_problems(data)


def _date_problems(data: EventInput) -> list[Violation]:
    problems: list[Violation] = []
    if data.ends_at <= data.starts_at:
        problems.append(Violation(Code.DATES_INVALID, _("La fin doit suivre le début."), "ends_at"))
    opens, closes = data.registration_opens_at, data.registration_closes_at
    if opens and closes and closes <= opens:
        problems.append(Violation(EventError.WINDOW_INVERTED,
                                  _("La clôture des inscriptions doit suivre leur ouverture."),
                                  "registration_closes_at"))
    if closes and closes > data.ends_at:
        problems.append(Violation(EventError.WINDOW_AFTER_EVENT,
                                  _("Les inscriptions doivent être closes avant la fin de l'événement."),
                                  "registration_closes_at"))
    return problems


def _apply(event: Event, data: EventInput) -> None:
    """The input's values on the event (texts stripped, the description sanitised), relations apart."""
    for key in SIMPLE_FIELDS:
        value = getattr(data, key)
        setattr(event, key, value.strip() if isinstance(value, str) else value)
    event.municipality_id = data.municipality
    event.description = sanitise(data.description)


def _apply_relations(event: Event, data: EventInput) -> None:
    for key in RELATIONS:
        getattr(event, key).set(list(getattr(data, key)))


# --- the event -----------------------------------------------------------------------------------

@transaction.atomic
def create_event(actor: Actor, data: EventInput) -> Event:
    """A new event, as a draft; its address (slug) is made from the title and kept unique."""
    require_officer(actor)
    event = Event(created_by=actor)
    problems = _event_problems(event, data)
    if problems:
        raise RuleViolation(problems)
    _apply(event, data)
    event.slug = unique_slug(event.title)
    event.status = EventStatus.DRAFT
    event.save()
    _apply_relations(event, data)
    record(actor, "event.create", event, after=snapshot(event, EVENT_FIELDS))
    return event


@transaction.atomic
def update_event(actor: Actor, event: Event, data: EventInput, expected_version: int | None = None) -> Event:
    """Change an event. Raising the capacity fills the new seats from the waiting list (who is told)."""
    require_officer(actor)
    event = locked_event(event)
    _check_version(event, expected_version)
    problems = _event_problems(event, data)
    if problems:
        raise RuleViolation(problems)
    before = snapshot(event, EVENT_FIELDS)
    old_capacity = event.capacity
    _apply(event, data)
    if any(str(before.get(key)) != str(snapshot(event, [key]).get(key)) for key in CALENDAR_FIELDS):
        event.ical_sequence += 1
    event.save_bumped()
    _apply_relations(event, data)
    promoted = 0
    if event.capacity != old_capacity and (event.capacity is None or (old_capacity is not None
                                                                      and event.capacity > old_capacity)):
        promoted = len(services.promote_waitlisted(event))
    after = snapshot(event, EVENT_FIELDS)
    if promoted:
        after["promoted_from_waiting_list"] = promoted
    record(actor, "event.update", event, before=before, after=after)
    return event


@transaction.atomic
def publish_event(actor: Actor, event: Event, expected_version: int | None = None) -> Event:
    """Show a draft event to the public (and open its registration, within its window)."""
    require_officer(actor)
    event = locked_event(event)
    _check_version(event, expected_version)
    EVENT_WORKFLOW.require(actor, event, "publish")
    return EVENT_WORKFLOW.move(actor, event, "publish", audit_fields=["status", "version"])


@transaction.atomic
def cancel_event(actor: Actor, event: Event, *, reason: str = "", expected_version: int | None = None) -> Event:
    """Cancel an event; every person registered (confirmed or waiting) is told by e-mail once committed, and
    the audit record says how many."""
    require_officer(actor)
    event = locked_event(event)
    _check_version(event, expected_version)
    EVENT_WORKFLOW.require(actor, event, "cancel")
    if event.ends_at < timezone.now():
        raise Conflict.single(EventError.PAST_EVENT, _("Un événement terminé ne peut plus être annulé."), "status")
    ids = list(event.registrations.filter(
        status__in=[RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED]).values_list("pk", flat=True))

    def new_sequence(cancelled: Event) -> None:
        cancelled.ical_sequence += 1

    event = EVENT_WORKFLOW.move(actor, event, "cancel", audit_fields=["status", "version"], changes=new_sequence,
                                after_extra={"people_told": len(ids)}, note=reason.strip()[:500])
    if ids:
        message = reason.strip()
        transaction.on_commit(lambda: send_event_cancelled(event.pk, ids, message))
    return event


# --- the programme -------------------------------------------------------------------------------

def _block_problems(data: BlockInput) -> list[Violation]:
    problems = []
    if not data.title.strip():
        problems.append(Violation(Code.REQUIRED, _("L'intitulé est obligatoire."), "title"))
    if data.kind not in BlockKind.values:
        problems.append(Violation(Code.INVALID_CHOICE, _("Choisissez bloc thématique ou table."), "kind"))
    if data.capacity is not None and data.capacity < 1:
        problems.append(Violation(Code.INVALID, _("Au moins une place, ou vide pour pas de limite."), "capacity"))
    return problems


@transaction.atomic
def add_block(actor: Actor, event: Event, data: BlockInput) -> Block:
    require_officer(actor)
    event = locked_event(event)
    problems = _block_problems(data)
    if problems:
        raise RuleViolation(problems)
    position = data.position
    if position is None:
        position = (event.blocks.order_by("-position").values_list("position", flat=True).first() or 0) + 1
    block = Block.objects.create(event=event, kind=data.kind, title=data.title.strip(),
                                 description=data.description.strip(), capacity=data.capacity, position=position)
    record(actor, "event_block.create", block, after=snapshot(block, BLOCK_FIELDS))
    return block


@transaction.atomic
def update_block(actor: Actor, block: Block, data: BlockInput) -> Block:
    require_officer(actor)
    block = locked(Block.objects.all(), block, _("Bloc ou table introuvable."))
    problems = _block_problems(data)
    if problems:
        raise RuleViolation(problems)
    before = snapshot(block, BLOCK_FIELDS)
    block.kind, block.title, block.description = data.kind, data.title.strip(), data.description.strip()
    block.capacity = data.capacity
    if data.position is not None:
        block.position = data.position
    block.save()
    record(actor, "event_block.update", block, before=before, after=snapshot(block, BLOCK_FIELDS))
    return block


@transaction.atomic
def delete_block(actor: Actor, block: Block) -> None:
    """Remove a block or table nobody has chosen yet (its sessions stay, outside any block)."""
    require_officer(actor)
    block = locked(Block.objects.all(), block, _("Bloc ou table introuvable."))
    if block.choices.exists():
        raise Conflict.single(EventError.BLOCK_CHOSEN, _("Des personnes inscrites ont choisi ce bloc ou cette table : "
                                                         "il ne peut plus être supprimé."), "block")
    record(actor, "event_block.delete", block, before=snapshot(block, BLOCK_FIELDS))
    block.delete()


def _session_problems(event: Event, data: SessionInput) -> list[Violation]:
    problems = []
    if not data.title.strip():
        problems.append(Violation(Code.REQUIRED, _("L'intitulé est obligatoire."), "title"))
    if data.block is not None and not event.blocks.filter(pk=data.block).exists():
        problems.append(Violation(Code.INVALID_CHOICE, _("Ce bloc n'appartient pas à cet événement."), "block"))
    if data.ends_at <= data.starts_at:
        problems.append(Violation(Code.DATES_INVALID, _("La fin doit suivre le début."), "ends_at"))
    if data.capacity is not None and data.capacity < 1:
        problems.append(Violation(Code.INVALID, _("Au moins une place, ou vide pour pas de limite."), "capacity"))
    return problems


def _apply_session(session: Session, data: SessionInput) -> None:
    session.block_id = data.block
    session.title, session.description = data.title.strip(), data.description.strip()
    session.speakers, session.room = data.speakers.strip(), data.room.strip()
    session.starts_at, session.ends_at, session.capacity = data.starts_at, data.ends_at, data.capacity


@transaction.atomic
def add_session(actor: Actor, event: Event, data: SessionInput) -> Session:
    require_officer(actor)
    event = locked_event(event)
    problems = _session_problems(event, data)
    if problems:
        raise RuleViolation(problems)
    session = Session(event=event)
    _apply_session(session, data)
    session.save()
    record(actor, "event_session.create", session, after=snapshot(session, SESSION_FIELDS))
    return session


@transaction.atomic
def update_session(actor: Actor, session: Session, data: SessionInput) -> Session:
    require_officer(actor)
    session = locked(Session.objects.all(), session, _("Session introuvable."))
    problems = _session_problems(session.event, data)
    if problems:
        raise RuleViolation(problems)
    before = snapshot(session, SESSION_FIELDS)
    _apply_session(session, data)
    session.save()
    record(actor, "event_session.update", session, before=before, after=snapshot(session, SESSION_FIELDS))
    return session


@transaction.atomic
def delete_session(actor: Actor, session: Session) -> None:
    require_officer(actor)
    session = locked(Session.objects.all(), session, _("Session introuvable."))
    record(actor, "event_session.delete", session, before=snapshot(session, SESSION_FIELDS))
    session.delete()


# --- registrations -------------------------------------------------------------------------------

@transaction.atomic
def staff_cancel_registration(actor: Actor, registration: Registration, *, reason: str = "") -> Registration:
    """An officer cancels someone's registration (the next person waiting is promoted and told)."""
    require_officer(actor)
    # The registration service writes the audit record (with the officer as actor and the reason).
    return services.cancel_registration(actor, registration, reason=reason)


@transaction.atomic
def launch_allocation(actor: Actor, event: Event) -> AllocationResult:
    """Allocate the blocks or tables (the registration services do the fair, reproducible draw)."""
    require_officer(actor)
    if event.registration_data_deleted_at is not None:
        raise Conflict.single(EventError.DATA_DELETED, _("Les inscriptions de cet événement ont été supprimées."))
    return services.run_allocation(actor, event)
