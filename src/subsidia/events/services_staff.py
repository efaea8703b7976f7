"""Writes of the officers' side of events: the event itself (create, edit, publish, cancel), its programme
(blocks or tables, sessions), and the staff's actions on registrations (cancel one, run the allocation).

Same rules as every service: the actor first, the permission checked (officers only), one transaction, the
audit trail, e-mails on commit; a refusal raises a :class:`~subsidia.core.errors.RuleViolation` and writes
nothing. The registration rules themselves (waiting list, promotion, allocation) are in ``services.py``.

The reads the officers' pages need are at the end (every event is visible to an officer, drafts included).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
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

from . import selectors
from .allocation import AllocationResult
from .errors import EventError
from .models import (
    Block,
    BlockKind,
    Event,
    EventStatus,
    Registration,
    RegistrationStatus,
    Session,
)
from .workflow import EVENT_WORKFLOW, OFFICERS_ONLY

EVENT_FIELDS = [
    "title", "slug", "summary", "description", "starts_at", "ends_at", "time_zone", "place", "address",
    "municipality", "online_url", "organisers", "partners", "themes", "audience", "capacity",
    "registration_opens_at", "registration_closes_at", "registration_enabled", "blocks_per_person", "status",
    "retention_days", "participant_count", "is_example", "version",
]
RESERVED_SLUGS = {"gestion", "questionnaire", "mon-inscription", "presence", "attestation"}
SIMPLE_FIELDS = [
    "title", "summary", "description", "starts_at", "ends_at", "time_zone", "place", "address", "municipality",
    "online_url", "audience", "capacity", "registration_opens_at", "registration_closes_at",
    "registration_enabled", "blocks_per_person", "retention_days", "participant_count", "is_example",
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


def _event_problems(event: Event, clean: dict[str, Any]) -> list[Violation]:
    problems: list[Violation] = []

    def value(key: str) -> Any:
        return clean[key] if key in clean else getattr(event, key)

    if not str(value("title") or "").strip():
        problems.append(Violation(Code.REQUIRED, _("Le titre est obligatoire."), "title"))
    if not str(value("summary") or "").strip():
        problems.append(Violation(Code.REQUIRED, _("Le résumé est obligatoire."), "summary"))
    try:
        ZoneInfo(str(value("time_zone") or ""))
    except (ZoneInfoNotFoundError, ValueError):
        problems.append(Violation(Code.INVALID, _("Fuseau horaire inconnu (par exemple Europe/Luxembourg)."),
                                  "time_zone"))
    starts, ends = value("starts_at"), value("ends_at")
    if not isinstance(starts, datetime):
        problems.append(Violation(Code.REQUIRED, _("La date et l'heure de début sont obligatoires."), "starts_at"))
    if not isinstance(ends, datetime):
        problems.append(Violation(Code.REQUIRED, _("La date et l'heure de fin sont obligatoires."), "ends_at"))
    elif isinstance(starts, datetime) and ends <= starts:
        problems.append(Violation(Code.DATES_INVALID, _("La fin doit suivre le début."), "ends_at"))
    if not value("place") and not value("online_url"):
        problems.append(Violation(Code.REQUIRED, _("Indiquez un lieu ou un lien de participation en ligne."), "place"))
    opens, closes = value("registration_opens_at"), value("registration_closes_at")
    if opens and closes and closes <= opens:
        problems.append(Violation(EventError.WINDOW_INVERTED,
                                  _("La clôture des inscriptions doit suivre leur ouverture."),
                                  "registration_closes_at"))
    if closes and isinstance(ends, datetime) and closes > ends:
        problems.append(Violation(EventError.WINDOW_AFTER_EVENT,
                                  _("Les inscriptions doivent être closes avant la fin de l'événement."),
                                  "registration_closes_at"))
    retention = value("retention_days")
    if retention is None or not 1 <= int(retention) <= 3650:
        problems.append(Violation(Code.INVALID, _("Une durée de conservation entre 1 et 3650 jours est attendue."),
                                  "retention_days"))
    per_person = value("blocks_per_person")
    if per_person is None or not 1 <= int(per_person) <= 6:
        problems.append(Violation(Code.INVALID, _("Entre 1 et 6 blocs ou tables par personne."), "blocks_per_person"))
    capacity = value("capacity")
    if event.pk and capacity is not None and "capacity" in clean:
        taken = live_count(event)
        if capacity < taken:
            problems.append(Violation(
                EventError.CAPACITY_BELOW_CONFIRMED,
                _("%(n)s personnes sont déjà inscrites : la capacité ne peut pas descendre en dessous.")
                % {"n": taken}, "capacity"))
    return problems


def _clean_event(data: dict[str, Any]) -> dict[str, Any]:
    clean = {key: data[key] for key in SIMPLE_FIELDS if key in data}
    for key in ("title", "summary", "place", "address", "audience", "online_url", "time_zone"):
        if key in clean:
            clean[key] = str(clean[key] or "").strip()
    if "description" in clean:
        clean["description"] = sanitise(str(clean["description"] or ""))
    for key in ("starts_at", "ends_at", "registration_opens_at", "registration_closes_at"):
        if isinstance(clean.get(key), datetime) and timezone.is_naive(clean[key]):
            zone = ZoneInfo(str(data.get("time_zone") or "Europe/Luxembourg"))
            clean[key] = timezone.make_aware(clean[key], zone)
    return clean


def _apply_relations(event: Event, data: dict[str, Any]) -> None:
    for key in RELATIONS:
        if key in data:
            getattr(event, key).set(list(data[key] or []))


# --- the event -----------------------------------------------------------------------------------

@transaction.atomic
def create_event(actor: Actor, data: dict[str, Any]) -> Event:
    """A new event, as a draft; its address (slug) is made from the title and kept unique."""
    require_officer(actor)
    clean = _clean_event(data)
    event = Event(created_by=actor, **clean)
    problems = _event_problems(event, clean)
    if problems:
        raise RuleViolation(problems)
    event.slug = unique_slug(event.title)
    event.status = EventStatus.DRAFT
    event.save()
    _apply_relations(event, data)
    record(actor, "event.create", event, after=snapshot(event, EVENT_FIELDS))
    return event


@transaction.atomic
def update_event(actor: Actor, event: Event, data: dict[str, Any], expected_version: int | None = None) -> Event:
    """Change an event. Raising the capacity fills the new seats from the waiting list (who is told)."""
    require_officer(actor)
    event = locked_event(event)
    _check_version(event, expected_version)
    clean = _clean_event(data)
    problems = _event_problems(event, clean)
    if problems:
        raise RuleViolation(problems)
    before = snapshot(event, EVENT_FIELDS)
    old_capacity = event.capacity
    for key, value in clean.items():
        setattr(event, key, value)
    if any(str(before.get(key)) != str(snapshot(event, [key]).get(key)) for key in CALENDAR_FIELDS):
        event.ical_sequence += 1
    event.save_bumped()
    _apply_relations(event, data)
    promoted = 0
    if "capacity" in clean and (event.capacity is None or (old_capacity is not None
                                                           and event.capacity > old_capacity)):
        from . import services

        promoted = len(services.promote_waitlisted(event) or [])
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
    """Cancel an event; every person registered (confirmed or waiting) is told by e-mail once committed.

    The move is written here rather than by the engine's ``move``: its audit record also says how many people
    were told, which the engine's snapshot of the event's fields cannot hold."""
    require_officer(actor)
    event = locked_event(event)
    _check_version(event, expected_version)
    cancel = EVENT_WORKFLOW.require(actor, event, "cancel")
    if event.ends_at < timezone.now():
        raise Conflict.single(EventError.PAST_EVENT, _("Un événement terminé ne peut plus être annulé."), "status")
    before = snapshot(event, ["status", "version"])
    event.status = str(cancel.target)
    event.ical_sequence += 1
    event.save_bumped()
    ids = list(event.registrations.filter(
        status__in=[RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED]).values_list("pk", flat=True))
    record(actor, "event.cancel", event, before=before, after={**snapshot(event, ["status", "version"]),
                                                              "people_told": len(ids)},
           note=reason.strip()[:500])
    if ids:
        from .tasks_staff import send_event_cancelled

        message = reason.strip()
        transaction.on_commit(lambda: send_event_cancelled(event.pk, ids, message))
    return event


# --- the programme -------------------------------------------------------------------------------

def _block_problems(data: dict[str, Any]) -> list[Violation]:
    problems = []
    if not str(data.get("title") or "").strip():
        problems.append(Violation(Code.REQUIRED, _("L'intitulé est obligatoire."), "title"))
    if data.get("kind") not in BlockKind.values:
        problems.append(Violation(Code.INVALID_CHOICE, _("Choisissez bloc thématique ou table."), "kind"))
    capacity = data.get("capacity")
    if capacity is not None and int(capacity) < 1:
        problems.append(Violation(Code.INVALID, _("Au moins une place, ou vide pour pas de limite."), "capacity"))
    return problems


@transaction.atomic
def add_block(actor: Actor, event: Event, data: dict[str, Any]) -> Block:
    require_officer(actor)
    event = locked_event(event)
    problems = _block_problems(data)
    if problems:
        raise RuleViolation(problems)
    position = data.get("position")
    if position is None:
        position = (event.blocks.order_by("-position").values_list("position", flat=True).first() or 0) + 1
    block = Block.objects.create(event=event, kind=data["kind"], title=str(data["title"]).strip(),
                                 description=str(data.get("description") or "").strip(),
                                 capacity=data.get("capacity"), position=position)
    record(actor, "event_block.create", block, after=snapshot(block, BLOCK_FIELDS))
    return block


@transaction.atomic
def update_block(actor: Actor, block: Block, data: dict[str, Any]) -> Block:
    require_officer(actor)
    block = locked(Block.objects.all(), block, _("Bloc ou table introuvable."))
    merged = {**snapshot(block, BLOCK_FIELDS), **data}
    problems = _block_problems(merged)
    if problems:
        raise RuleViolation(problems)
    before = snapshot(block, BLOCK_FIELDS)
    for key in BLOCK_FIELDS:
        if key in data:
            setattr(block, key, str(data[key]).strip() if key in ("title", "description") else data[key])
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


def _session_problems(event: Event, data: dict[str, Any]) -> list[Violation]:
    problems = []
    if not str(data.get("title") or "").strip():
        problems.append(Violation(Code.REQUIRED, _("L'intitulé est obligatoire."), "title"))
    block = data.get("block")
    if block is not None and getattr(block, "event_id", None) != event.pk:
        problems.append(Violation(Code.INVALID_CHOICE, _("Ce bloc n'appartient pas à cet événement."), "block"))
    starts, ends = data.get("starts_at"), data.get("ends_at")
    if not isinstance(starts, datetime):
        problems.append(Violation(Code.REQUIRED, _("La date et l'heure de début sont obligatoires."), "starts_at"))
    if not isinstance(ends, datetime):
        problems.append(Violation(Code.REQUIRED, _("La date et l'heure de fin sont obligatoires."), "ends_at"))
    elif isinstance(starts, datetime) and ends <= starts:
        problems.append(Violation(Code.DATES_INVALID, _("La fin doit suivre le début."), "ends_at"))
    capacity = data.get("capacity")
    if capacity is not None and int(capacity) < 1:
        problems.append(Violation(Code.INVALID, _("Au moins une place, ou vide pour pas de limite."), "capacity"))
    return problems


def _session_values(data: dict[str, Any]) -> dict[str, Any]:
    values = {key: data[key] for key in SESSION_FIELDS if key in data}
    for key in ("title", "description", "speakers", "room"):
        if key in values:
            values[key] = str(values[key] or "").strip()
    return values


@transaction.atomic
def add_session(actor: Actor, event: Event, data: dict[str, Any]) -> Session:
    require_officer(actor)
    event = locked_event(event)
    problems = _session_problems(event, data)
    if problems:
        raise RuleViolation(problems)
    session = Session.objects.create(event=event, **_session_values(data))
    record(actor, "event_session.create", session, after=snapshot(session, SESSION_FIELDS))
    return session


@transaction.atomic
def update_session(actor: Actor, session: Session, data: dict[str, Any]) -> Session:
    require_officer(actor)
    session = (Session.objects.select_for_update(of=("self",)).select_related("event", "block")
               .get(pk=session.pk))
    current = {key: getattr(session, key) for key in SESSION_FIELDS}
    problems = _session_problems(session.event, {**current, **data})
    if problems:
        raise RuleViolation(problems)
    before = snapshot(session, SESSION_FIELDS)
    for key, value in _session_values(data).items():
        setattr(session, key, value)
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
    from . import services

    # The registration service writes the audit record (with the officer as actor and the reason).
    return services.cancel_registration(actor, registration, reason=reason)


@transaction.atomic
def launch_allocation(actor: Actor, event: Event) -> AllocationResult:
    """Allocate the blocks or tables (the registration services do the fair, reproducible draw)."""
    require_officer(actor)
    from . import services

    if event.registration_data_deleted_at is not None:
        raise Conflict.single(EventError.DATA_DELETED, _("Les inscriptions de cet événement ont été supprimées."))
    return services.run_allocation(actor, event)
