"""Reads on events: what the public sees (published events; drafts only for officers), seats and the waiting
list, the programme, and a registration found by the uid of a signed link."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from django.db.models import Case, Count, F, Q, QuerySet, Value, When
from django.utils import timezone

from subsidia.accounts.actors import Visitor
from subsidia.accounts.roles import Role

from .models import Block, BlockChoice, Event, EventStatus, Registration, RegistrationStatus, Session


def manages_events(user: Visitor | None) -> bool:
    """Officers run events: drafts, allocation, check-in, exports."""
    return bool(user is not None and user.is_authenticated and user.has_role(Role.OFFICER))


def events_visible_to(user: Visitor | None) -> QuerySet[Event]:
    events = Event.objects.select_related("municipality")
    if manages_events(user):
        return events
    return events.filter(status__in=[EventStatus.PUBLISHED, EventStatus.CANCELLED])


def published_events() -> QuerySet[Event]:
    return Event.objects.filter(status__in=[EventStatus.PUBLISHED, EventStatus.CANCELLED]).select_related(
        "municipality")


def event_list(user: Visitor | None, *, when: str = "", mode: str = "", theme: int | None = None,
               now: datetime | None = None) -> QuerySet[Event]:
    """Filters: ``when`` upcoming/past, ``mode`` onsite/online, a theme id."""
    now = now or timezone.now()
    events = events_visible_to(user).prefetch_related("themes")
    if when == "upcoming":
        events = events.filter(ends_at__gte=now).order_by("starts_at", "pk")
    elif when == "past":
        events = events.filter(ends_at__lt=now).order_by("-starts_at", "pk")
    if mode == "online":
        events = events.exclude(online_url="")
    elif mode == "onsite":
        events = events.exclude(place="")
    if theme:
        events = events.filter(themes=theme)
    return events.distinct()


def confirmed_count(event: Event) -> int:
    return event.registrations.filter(status=RegistrationStatus.CONFIRMED).count()


def waitlist_count(event: Event) -> int:
    return event.registrations.filter(status=RegistrationStatus.WAITLISTED).count()


def seats_left(event: Event) -> int | None:
    """Free seats, or None when the event has no limit."""
    if event.capacity is None:
        return None
    return max(event.capacity - confirmed_count(event), 0)


def waitlist(event: Event) -> QuerySet[Registration]:
    """The waiting list in the order people are promoted."""
    return event.registrations.filter(status=RegistrationStatus.WAITLISTED).order_by("waitlisted_at", "pk")


def waitlist_position(registration: Registration) -> int | None:
    if registration.status != RegistrationStatus.WAITLISTED or registration.waitlisted_at is None:
        return None
    ahead = registration.event.registrations.filter(status=RegistrationStatus.WAITLISTED).filter(
        Q(waitlisted_at__lt=registration.waitlisted_at)
        | Q(waitlisted_at=registration.waitlisted_at, pk__lt=registration.pk)).count()
    return ahead + 1


def registration_window(event: Event, now: datetime | None = None) -> str:
    """``open``, ``not_yet_open``, ``closed``, ``cancelled``, ``disabled`` or ``draft``."""
    now = now or timezone.now()
    if event.status == EventStatus.DRAFT:
        return "draft"
    if event.status == EventStatus.CANCELLED:
        return "cancelled"
    if not event.registration_enabled:
        return "disabled"
    if event.registration_opens_at and now < event.registration_opens_at:
        return "not_yet_open"
    closes = event.registration_closes_at or event.ends_at
    if now >= closes or now >= event.ends_at:
        return "closed"
    return "open"


def blocks(event: Event) -> QuerySet[Block]:
    return event.blocks.order_by("position", "pk")


def block_seats_taken(event: Event) -> dict[int, int]:
    """Confirmed registrants allocated to each block."""
    rows = (BlockChoice.objects.filter(block__event=event, allocated=True,
                                       registration__status=RegistrationStatus.CONFIRMED)
            .values("block").annotate(n=Count("pk")))
    return {row["block"]: row["n"] for row in rows}


def block_seats_left(event: Event) -> dict[int, int | None]:
    taken = block_seats_taken(event)
    return {b.pk: None if b.capacity is None else max(b.capacity - taken.get(b.pk, 0), 0) for b in blocks(event)}


def session_seats_taken(event: Event) -> dict[int, int]:
    rows = (Session.objects.filter(event=event)
            .annotate(n=Count("registrations", filter=Q(registrations__status=RegistrationStatus.CONFIRMED)))
            .values("pk", "n"))
    return {row["pk"]: row["n"] for row in rows}


def programme(event: Event) -> list[tuple[Block | None, list[Session]]]:
    """The sessions grouped by block or table (blocks in their order, then the sessions outside any block)."""
    sessions = list(event.sessions.select_related("block").order_by("starts_at", "pk"))
    groups: list[tuple[Block | None, list[Session]]] = []
    for block in blocks(event):
        groups.append((block, [s for s in sessions if s.block_id == block.pk]))
    loose = [s for s in sessions if s.block_id is None]
    if loose:
        groups.append((None, loose))
    return groups


def registration_by_uid(uid: str | None) -> Registration | None:
    try:
        key = uuid.UUID(str(uid or ""))
    except ValueError:
        return None
    return Registration.objects.select_related("event", "municipality").filter(uid=key).first()


def choices(registration: Registration) -> QuerySet[BlockChoice]:
    return registration.choices.select_related("block").order_by("rank")


# --- officers' reads ---------------------------------------------------------------------------

def staff_events() -> QuerySet[Event]:
    """Every event, drafts included, with the count of registrations in each state."""
    live = Q(registrations__status=RegistrationStatus.CONFIRMED)
    return (Event.objects.annotate(
        confirmed_count=Count("registrations", filter=live, distinct=True),
        waitlisted_count=Count("registrations", filter=Q(registrations__status=RegistrationStatus.WAITLISTED),
                               distinct=True),
        cancelled_count=Count("registrations", filter=Q(registrations__status=RegistrationStatus.CANCELLED),
                              distinct=True),
        attended_count=Count("registrations", filter=Q(registrations__checked_in_at__isnull=False),
                             distinct=True),
    ).order_by("-starts_at", "pk"))


def deletion_due(event: Event) -> datetime:
    """When the registration data of ``event`` is (or was due to be) deleted."""
    return event.ends_at + timedelta(days=event.retention_days)


def staff_registrations(event: Event, status: str = "") -> QuerySet[Registration]:
    """The registrations of ``event``: confirmed first, then the waiting list in its order, then cancelled."""
    rows = (event.registrations.select_related("municipality")
            .prefetch_related("choices__block", "sessions"))
    if status in RegistrationStatus.values:
        rows = rows.filter(status=status)
    elif status == "attended":
        rows = rows.filter(checked_in_at__isnull=False)
    rank = Case(When(status=RegistrationStatus.CONFIRMED, then=Value(0)),
                When(status=RegistrationStatus.WAITLISTED, then=Value(1)), default=Value(2))
    return rows.annotate(status_rank=rank).order_by(
        "status_rank", F("waitlisted_at").asc(nulls_last=True), "created_at", "pk")
