"""Writes on the public side of events: registration (with the waiting list), cancellation and promotion, the
ranked allocation of blocks or tables, and check-in. Same rules as every service: the actor first, one
transaction, the audit trail, e-mails on commit; a refusal raises a
:class:`~subsidia.core.errors.RuleViolation` and writes nothing.

Registrations of one event are serialised by locking the event row (``select_for_update``): two people asking
for the last seat get exactly one confirmed place, the other joins the waiting list."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from subsidia.accounts.actors import Actor, Visitor
from subsidia.audit.services import record, snapshot
from subsidia.core.errors import Code, Conflict, NotFound, PermissionDenied, RuleViolation, Violation
from subsidia.core.versions import locked
from subsidia.organisations.models import Municipality

from . import allocation, selectors, tasks
from .allocation import AllocationResult
from .errors import EventError
from .explanation import explain, local_moment
from .inputs import RegistrationInput
from .models import Block, BlockChoice, Event, EventStatus, Registration, RegistrationStatus, Session
from .workflow import OFFICERS_ONLY, REGISTRATION_WORKFLOW

REGISTRATION_FIELDS = ["full_name", "email", "organisation_name", "municipality", "accessibility_needs", "language",
                       "status", "waitlisted_at", "promoted_at", "cancelled_at", "checked_in_at", "lottery_position",
                       "sessions"]

__all__ = ["AllocationResult", "cancel_registration", "check_in", "explain", "promote_waitlisted", "register",
           "run_allocation"]


# --- helpers -------------------------------------------------------------------------------------

def _require_officer(actor: Visitor | None) -> None:
    if not selectors.manages_events(actor):
        raise PermissionDenied.single(Code.FORBIDDEN, str(OFFICERS_ONLY))


def _lock(event: Event) -> Event:
    return locked(Event.objects.all(), event, _("Événement introuvable."))


def check_window(event: Event) -> None:
    """Refuse (409 ``registration_closed``) when the event does not take registrations now."""
    state = selectors.registration_window(event)
    if state == "open":
        return
    messages = {
        "draft": _("Cet événement n'est pas publié : les inscriptions ne sont pas ouvertes."),
        "cancelled": _("Cet événement est annulé : les inscriptions sont fermées."),
        "disabled": _("Cet événement ne prend pas d'inscriptions en ligne."),
        "closed": _("Les inscriptions à cet événement sont closes."),
    }
    if state == "not_yet_open" and event.registration_opens_at is not None:
        message = _("Les inscriptions ne sont pas encore ouvertes : elles ouvrent le %(date)s.") % {
            "date": local_moment(event, event.registration_opens_at)}
    else:
        message = messages[state]
    raise Conflict.single(EventError.REGISTRATION_CLOSED, message)


def _on_commit_email(registration: Registration, kind: str) -> None:
    pk = registration.pk
    transaction.on_commit(lambda: tasks.send_registration_email(pk, kind))


def _person_problems(data: RegistrationInput) -> list[Violation]:
    """The registrant's own fields: a name, a valid e-mail address, texts within their lengths."""
    problems: list[Violation] = []
    name, email = data.full_name.strip(), data.email.strip()
    if not name:
        problems.append(Violation(Code.REQUIRED, _("Indiquez votre nom et votre prénom."), "full_name"))
    elif len(name) > 200:
        problems.append(Violation(Code.TOO_LONG, _("200 caractères au plus."), "full_name"))
    if not email:
        problems.append(Violation(Code.REQUIRED, _("Indiquez votre adresse e-mail."), "email"))
    elif len(email) > 254 or not _is_email(email):
        problems.append(Violation(Code.INVALID, _("Adresse e-mail invalide (nom@exemple.lu)."), "email"))
    if len(data.organisation_name.strip()) > 200:
        problems.append(Violation(Code.TOO_LONG, _("200 caractères au plus."), "organisation_name"))
    if len(data.accessibility_needs.strip()) > 2000:
        problems.append(Violation(Code.TOO_LONG, _("2 000 caractères au plus."), "accessibility_needs"))
    return problems


def _is_email(value: str) -> bool:
    try:
        validate_email(value)
    except ValidationError:
        return False
    return True


def _ranked_blocks(event: Event, ranking: Sequence[int], problems: list[Violation]) -> list[Block]:
    """The ranked blocks or tables: this event's, each once, in order of preference, enough of them."""
    blocks = {b.pk: b for b in selectors.blocks(event)}
    needed = min(event.blocks_per_person, len(blocks))
    if any(i not in blocks for i in ranking):
        problems.append(Violation(Code.INVALID_CHOICE, _("Choisissez des blocs ou des tables de cet événement."),
                                  "block_ranking"))
    elif len(set(ranking)) != len(ranking):
        problems.append(Violation(EventError.DUPLICATE_CHOICE,
                                  _("Chaque bloc ou table ne peut être classé qu'une fois."), "block_ranking"))
    elif len(ranking) < needed:
        problems.append(Violation(
            Code.REQUIRED, _("Classez au moins %(n)s bloc(s) ou table(s) par ordre de préférence.") % {"n": needed},
            "block_ranking"))
    return [blocks[i] for i in ranking if i in blocks]


def _chosen_sessions(event: Event, keys: Sequence[int], problems: list[Violation]) -> list[Session]:
    """The sessions with their own capacity the person signs up for: this event's."""
    sessions = {s.pk: s for s in Session.objects.filter(event=event, pk__in=list(keys))}
    if any(k not in sessions for k in keys):
        problems.append(Violation(Code.INVALID_CHOICE, _("Choisissez des sessions de cet événement."), "sessions"))
    return [sessions[k] for k in dict.fromkeys(keys) if k in sessions]


@dataclass(frozen=True)
class _Checked:
    """A registration's values once every rule has passed, with the objects its ids name."""

    municipality: Municipality | None
    blocks: list[Block]
    sessions: list[Session]


def _checked(event: Event, data: RegistrationInput) -> _Checked:
    problems = _person_problems(data)
    municipality = None
    if data.municipality is not None:
        municipality = Municipality.objects.filter(pk=data.municipality).first()
        if municipality is None:
            problems.append(Violation(Code.INVALID_CHOICE, _("Commune inconnue."), "municipality"))
    blocks = _ranked_blocks(event, data.block_ranking, problems)
    sessions = _chosen_sessions(event, data.session_ids, problems)
    if problems:
        raise RuleViolation(problems)
    return _Checked(municipality, blocks, sessions)


def _full_sessions(event: Event, sessions: Sequence[Session]) -> list[Session]:
    taken = selectors.session_seats_taken(event)
    return [s for s in sessions if s.capacity is not None and taken.get(s.pk, 0) >= s.capacity]


def _allocate_late(event: Event, registration: Registration) -> None:
    """Someone confirmed after the allocation (promoted, or registered late) gets the best seats left, after
    everyone in the lottery."""
    remaining = selectors.block_seats_left(event)
    ranking = [c.block_id for c in registration.choices.order_by("rank")]
    given: list[int] = []
    for _round in range(event.blocks_per_person):
        block = allocation.best_available(ranking, remaining, given)
        if block is None:
            break
        given.append(block)
        seats = remaining[block]
        if seats is not None:
            remaining[block] = seats - 1
    registration.choices.update(allocated=False)
    registration.choices.filter(block_id__in=given).update(allocated=True)
    last = event.registrations.exclude(pk=registration.pk).aggregate(n=Max("lottery_position"))["n"] or 0
    registration.lottery_position = last + 1
    registration.save(update_fields=["lottery_position"])


# --- registration --------------------------------------------------------------------------------

def register(actor: Visitor | None, event: Event, data: RegistrationInput) -> Registration:
    """Register someone (anonymous or signed in) for a published event whose registration window is open: a
    confirmed place while seats are left, else the waiting list. E-mails the confirmation (with the .ics and
    the QR code of the check-in link) or the waiting-list position on commit."""
    try:
        with transaction.atomic():
            event = _lock(event)
            if event.status == EventStatus.DRAFT and not selectors.manages_events(actor):
                raise NotFound.single(Code.NOT_FOUND, _("Événement introuvable."))
            check_window(event)
            checked = _checked(event, data)
            email = data.email.strip().lower()
            if event.registrations.exclude(status=RegistrationStatus.CANCELLED).filter(email__iexact=email).exists():
                raise RuleViolation.single(
                    EventError.ALREADY_REGISTERED,
                    _("Cette adresse e-mail est déjà inscrite à cet événement. Le lien reçu par e-mail permet de "
                      "consulter ou d'annuler l'inscription."), "email")
            confirmed = _seat_left(event, checked.sessions)
            registration = _create(actor, event, data, checked, confirmed)
            _on_commit_email(registration, "confirmed" if confirmed else "waitlisted")
    except IntegrityError as error:  # the same address registered in a race the lock did not cover
        raise RuleViolation.single(
            EventError.ALREADY_REGISTERED, _("Cette adresse e-mail est déjà inscrite à cet événement."),
            "email") from error
    return registration


def _seat_left(event: Event, sessions: Sequence[Session]) -> bool:
    """Whether the person gets a confirmed place (else the waiting list); a full session refuses them."""
    seats = selectors.seats_left(event)
    confirmed = (seats is None or seats > 0) and not selectors.waitlist(event).exists()
    full = _full_sessions(event, sessions) if confirmed else []
    if full:
        raise RuleViolation.single(EventError.SESSION_FULL, _("Cette session est complète : %(titles)s.") % {
            "titles": ", ".join(s.title for s in full)}, "sessions")
    return confirmed


def _create(actor: Visitor | None, event: Event, data: RegistrationInput, checked: _Checked,
            confirmed: bool) -> Registration:
    now = timezone.now()
    languages = {code for code, _name in settings.LANGUAGES}
    registration = Registration.objects.create(
        event=event, user=actor if actor is not None and actor.is_authenticated else None,
        full_name=data.full_name.strip(), email=data.email.strip().lower(),
        organisation_name=data.organisation_name.strip(), municipality=checked.municipality,
        accessibility_needs=data.accessibility_needs.strip(),
        language=data.language if data.language in languages else "fr",
        status=RegistrationStatus.CONFIRMED if confirmed else RegistrationStatus.WAITLISTED,
        created_at=now, waitlisted_at=None if confirmed else now)
    for rank, block in enumerate(checked.blocks, start=1):
        BlockChoice.objects.create(registration=registration, block=block, rank=rank)
    registration.sessions.set(checked.sessions)
    if confirmed and event.allocated_at is not None:
        _allocate_late(event, registration)
    record(actor, "event_registration.create", registration, after={
        **snapshot(registration, REGISTRATION_FIELDS), "block_ranking": [b.pk for b in checked.blocks]})
    return registration


def promote_waitlisted(event: Event) -> list[Registration]:
    """Fill free seats from the waiting list (first come, first served). The caller holds the transaction and
    the event's lock. Each promoted person is e-mailed (with the .ics) on commit."""
    event = Event.objects.get(pk=event.pk)
    if event.status != EventStatus.PUBLISHED or event.ends_at <= timezone.now():
        return []
    promoted: list[Registration] = []
    seats = selectors.seats_left(event)
    for registration in selectors.waitlist(event).select_for_update():
        if seats is not None and seats <= 0:
            break
        REGISTRATION_WORKFLOW.require(None, registration, "promote", system=True)
        REGISTRATION_WORKFLOW.move(None, registration, "promote", audit_fields=REGISTRATION_FIELDS,
                                   changes=lambda r: _seat(event, r))
        _on_commit_email(registration, "promoted")
        promoted.append(registration)
        if seats is not None:
            seats -= 1
    return promoted


def _seat(event: Event, registration: Registration) -> None:
    """What a promotion changes beside the status: when, the sessions still open, the blocks left."""
    registration.promoted_at = timezone.now()
    full = _full_sessions(event, list(registration.sessions.all()))
    if full:  # sessions that filled up meanwhile: the person keeps the event, not these sessions
        registration.sessions.remove(*full)
    if event.allocated_at is not None:
        _allocate_late(event, registration)


def cancel_registration(actor: Actor | None, registration: Registration, *, reason: str = "") -> Registration:
    """Cancel a registration (the registrant through the signed link, with ``actor`` None, or an officer); the
    first person waiting is promoted in the same transaction."""
    if actor is not None and actor.is_authenticated and not selectors.manages_events(actor) \
            and registration.user_id != actor.pk:
        raise PermissionDenied.single(Code.FORBIDDEN, _("Vous ne pouvez pas annuler cette inscription."))
    with transaction.atomic():
        event = _lock(registration.event)
        registration = Registration.objects.select_for_update().get(pk=registration.pk)
        REGISTRATION_WORKFLOW.require(actor, registration, "cancel", system=True)
        if event.ends_at <= timezone.now() and not selectors.manages_events(actor):
            raise Conflict.single(EventError.EVENT_OVER, _("L'événement est terminé : l'inscription ne peut plus "
                                                           "être annulée."))
        REGISTRATION_WORKFLOW.move(actor, registration, "cancel", note=str(reason or "")[:1000],
                                   audit_fields=REGISTRATION_FIELDS,
                                   changes=lambda r: setattr(r, "cancelled_at", timezone.now()))
        _on_commit_email(registration, "cancelled")
        promote_waitlisted(event)
    return registration


# --- allocation ----------------------------------------------------------------------------------

def run_allocation(actor: Actor, event: Event) -> AllocationResult:
    """Allocate blocks or tables to the confirmed registrants by the event's public lottery (re-runnable: the
    same seed and registrations give the same result). Each person is e-mailed their result on commit."""
    _require_officer(actor)
    with transaction.atomic():
        event = _lock(event)
        blocks = list(selectors.blocks(event))
        if not blocks:
            raise Conflict.single(EventError.NO_BLOCKS, _("Cet événement n'a ni bloc thématique ni table à répartir."))
        registrations = list(event.registrations.filter(status=RegistrationStatus.CONFIRMED)
                             .prefetch_related("choices"))
        registrants = [allocation.Registrant(r.pk, str(r.uid),
                                             tuple(c.block_id for c in sorted(r.choices.all(), key=lambda c: c.rank)))
                       for r in registrations]
        result = allocation.allocate(event.allocation_seed, registrants, {b.pk: b.capacity for b in blocks},
                                     event.blocks_per_person)
        BlockChoice.objects.filter(registration__event=event).update(allocated=False)
        event.registrations.update(lottery_position=None)
        positions = result.positions
        for registration in registrations:
            Registration.objects.filter(pk=registration.pk).update(lottery_position=positions[registration.pk])
            given = result.assigned.get(registration.pk) or []
            if given:
                BlockChoice.objects.filter(registration=registration, block_id__in=given).update(allocated=True)
        event.allocated_at = timezone.now()
        event.save(update_fields=["allocated_at", "updated_at"])
        record(actor, "event.allocate", event, after={
            "seed": event.allocation_seed, "registrants": len(registrations), "order": result.order,
            "assigned": {str(k): v for k, v in result.assigned.items()},
            "remaining": {str(k): v for k, v in result.remaining.items()}})
        keys = [r.pk for r in registrations]
        event_pk = event.pk

        def _send() -> None:
            tasks.send_allocation_results(event_pk, keys)

        transaction.on_commit(_send)
    return result


# --- check-in ------------------------------------------------------------------------------------

def check_in(actor: Actor, registration: Registration) -> Registration:
    """Record that the person came (an officer scans the QR code). A second scan changes nothing: the
    returned registration has ``already_checked_in`` set."""
    _require_officer(actor)
    with transaction.atomic():
        registration = Registration.objects.select_for_update().select_related("event").get(pk=registration.pk)
        if registration.status != RegistrationStatus.CONFIRMED:
            raise Conflict.single(EventError.NOT_CONFIRMED, _(
                "Cette inscription n'est pas confirmée (liste d'attente ou annulée) : la présence ne peut pas être "
                "enregistrée."))
        if registration.checked_in_at is not None:
            registration.already_checked_in = True  # type: ignore[attr-defined]
            return registration
        before = snapshot(registration, ["checked_in_at"])
        registration.checked_in_at = timezone.now()
        registration.checked_in_by = actor
        registration.save(update_fields=["checked_in_at", "checked_in_by"])
        registration.already_checked_in = False  # type: ignore[attr-defined]
        record(actor, "event_registration.check_in", registration, before=before,
               after=snapshot(registration, ["checked_in_at"]))
    return registration
