"""The officers' management of events: create, edit, publish, cancel, programme, registrations, allocation."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.mail import EmailMessage
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django import DjangoCaptureOnCommitCallbacks

from subsidia.accounts.models import User
from subsidia.audit.models import AuditEvent
from subsidia.core.errors import Conflict, PermissionDenied, RuleViolation
from subsidia.events import selectors, services_staff
from subsidia.events.inputs import BlockInput, EventInput, SessionInput
from subsidia.events.models import Block, BlockChoice, Event, EventStatus, RegistrationStatus, Session

from .factories_staff import BlockFactory, RegistrationFactory, StaffEventFactory

pytestmark = pytest.mark.django_db


def _data(**overrides: Any) -> EventInput:
    start = timezone.now().replace(microsecond=0) + timedelta(days=20)
    data: dict[str, Any] = {"title": "Conférence sur l'intégration locale", "summary": "Une matinée.",
                            "time_zone": "Europe/Luxembourg",
            "starts_at": start, "ends_at": start + timedelta(hours=4), "place": "Mersch", "capacity": 50,
            "retention_days": 90, "blocks_per_person": 1, "registration_enabled": True}
    data.update(overrides)
    return EventInput(**data)


@pytest.fixture
def officer(make_user: Callable[..., User]) -> User:
    return make_user("officer")


# --- services ------------------------------------------------------------------------------------

@pytest.mark.parametrize("role", ["moderator", "auditor", "approver", None])
def test_only_officers_manage_events(make_user: Callable[..., User], role: str | None) -> None:
    user = make_user(role) if role else make_user()
    event = StaffEventFactory.create()
    with pytest.raises(PermissionDenied):
        services_staff.create_event(user, _data())
    with pytest.raises(PermissionDenied):
        services_staff.update_event(user, event, replace(EventInput.of(event), title="Autre"))
    with pytest.raises(PermissionDenied):
        services_staff.cancel_event(user, event)
    with pytest.raises(PermissionDenied):
        services_staff.add_block(user, event, BlockInput(kind="block", title="B"))
    assert not Event.objects.exclude(pk=event.pk).exists()
    assert not AuditEvent.objects.exists()


def test_create_event_is_a_draft_with_a_unique_slug_and_sanitised_description(officer: User) -> None:
    first = services_staff.create_event(officer, _data(description='<p onclick="x()">Bonjour<script>alert(1)'
                                                                   '</script></p>'))
    second = services_staff.create_event(officer, _data())
    assert first.status == EventStatus.DRAFT
    assert first.slug == "conference-sur-lintegration-locale"
    assert second.slug == "conference-sur-lintegration-locale-2"
    assert first.description == "<p>Bonjour</p>"
    audit = AuditEvent.objects.get(action="event.create", object_id=str(first.pk))
    assert audit.after is not None
    assert audit.actor == officer and audit.after["title"] == first.title


def test_reserved_words_never_become_an_event_address(officer: User) -> None:
    assert services_staff.create_event(officer, _data(title="Gestion")).slug == "gestion-evenement"


def test_broken_rules_write_nothing(officer: User) -> None:
    start = timezone.now() + timedelta(days=5)
    with pytest.raises(RuleViolation) as caught:
        services_staff.create_event(officer, _data(ends_at=start, starts_at=start + timedelta(hours=1), place="",
                                                   time_zone="Mars/Olympus"))
    fields = {v.field for v in caught.value.violations}
    assert {"ends_at", "place", "time_zone"} <= fields
    assert not Event.objects.exists() and not AuditEvent.objects.exists()


def test_update_checks_the_version_and_keeps_capacity_above_confirmed(officer: User) -> None:
    event = StaffEventFactory.create(capacity=3)
    RegistrationFactory.create_batch(3, event=event)
    with pytest.raises(Conflict):
        services_staff.update_event(officer, event, replace(EventInput.of(event), title="Nouveau"),
                                    expected_version=event.version + 1)
    with pytest.raises(RuleViolation) as caught:
        services_staff.update_event(officer, event, replace(EventInput.of(event), capacity=2))
    assert caught.value.violations[0].field == "capacity"
    event.refresh_from_db()
    assert event.capacity == 3 and event.title != "Nouveau"
    assert not AuditEvent.objects.filter(action="event.update").exists()


def test_raising_the_capacity_promotes_the_waiting_list(
        officer: User, mailoutbox: list[EmailMessage],
        django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks) -> None:
    event = StaffEventFactory.create(capacity=1)
    RegistrationFactory.create(event=event)
    first = RegistrationFactory.create(event=event, status=RegistrationStatus.WAITLISTED,
                                       waitlisted_at=timezone.now() - timedelta(hours=2))
    second = RegistrationFactory.create(event=event, status=RegistrationStatus.WAITLISTED,
                                        waitlisted_at=timezone.now() - timedelta(hours=1))
    with django_capture_on_commit_callbacks(execute=True):
        services_staff.update_event(officer, event, replace(EventInput.of(event), capacity=2))
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == RegistrationStatus.CONFIRMED
    assert second.status == RegistrationStatus.WAITLISTED
    audit = AuditEvent.objects.get(action="event.update")
    assert audit.before is not None and audit.after is not None
    assert audit.before["capacity"] == 1 and audit.after["capacity"] == 2
    assert audit.after["promoted_from_waiting_list"] == 1


def test_moving_an_event_bumps_its_calendar_sequence(officer: User) -> None:
    event = StaffEventFactory.create()
    services_staff.update_event(officer, event, replace(EventInput.of(event), summary="Autre résumé"))
    event.refresh_from_db()
    assert event.ical_sequence == 0
    services_staff.update_event(officer, event, replace(EventInput.of(event),
                                                        starts_at=event.starts_at + timedelta(hours=1),
                                                        ends_at=event.ends_at + timedelta(hours=1)))
    event.refresh_from_db()
    assert event.ical_sequence == 1


def test_publish_only_a_draft(officer: User) -> None:
    event = StaffEventFactory.create(status=EventStatus.DRAFT)
    services_staff.publish_event(officer, event)
    event.refresh_from_db()
    assert event.status == EventStatus.PUBLISHED
    assert AuditEvent.objects.filter(action="event.publish", object_id=str(event.pk)).exists()
    with pytest.raises(Conflict):
        services_staff.publish_event(officer, event)


def test_cancel_tells_every_registrant_once_committed(
        officer: User, mailoutbox: list[EmailMessage],
        django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks) -> None:
    event = StaffEventFactory.create()
    confirmed = RegistrationFactory.create(event=event)
    waiting = RegistrationFactory.create(event=event, status=RegistrationStatus.WAITLISTED)
    RegistrationFactory.create(event=event, status=RegistrationStatus.CANCELLED)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services_staff.cancel_event(officer, event, reason="Salle indisponible.")
    assert mailoutbox == []  # nothing before the commit
    for callback in callbacks:
        callback()
    assert sorted(m.to[0] for m in mailoutbox) == sorted([confirmed.email, waiting.email])
    assert "Salle indisponible." in mailoutbox[0].body
    event.refresh_from_db()
    assert event.status == EventStatus.CANCELLED and event.ical_sequence == 1
    audit = AuditEvent.objects.get(action="event.cancel")
    assert audit.after is not None and audit.after["people_told"] == 2
    with pytest.raises(Conflict):
        services_staff.cancel_event(officer, event)


def test_programme_blocks_and_sessions(officer: User) -> None:
    event = StaffEventFactory.create()
    block = services_staff.add_block(officer, event, BlockInput(kind="table", title="Logement abordable", capacity=8))
    assert block.position == 1 and block.kind == "table"
    session = services_staff.add_session(officer, event, SessionInput(title="Table ronde", block=block.pk,
                                                                      speakers="A\nB", room="Salle 1",
                                                                      starts_at=event.starts_at,
                                                                      ends_at=event.starts_at + timedelta(hours=1),
                                                                      capacity=8))
    assert session.speaker_list == ["A", "B"]
    other_block = BlockFactory.create()
    with pytest.raises(RuleViolation) as caught:
        services_staff.update_session(officer, session, replace(SessionInput.of(session), block=other_block.pk))
    assert caught.value.violations[0].field == "block"
    services_staff.update_block(officer, block, replace(BlockInput.of(block), capacity=10))
    block.refresh_from_db()
    assert block.capacity == 10
    services_staff.delete_session(officer, session)
    assert not Session.objects.filter(pk=session.pk).exists()
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"event_block.create", "event_block.update", "event_session.create", "event_session.delete"} <= actions


def test_a_chosen_block_cannot_be_deleted(officer: User) -> None:
    block = BlockFactory.create()
    registration = RegistrationFactory.create(event=block.event)
    BlockChoice.objects.create(registration=registration, block=block, rank=1)
    with pytest.raises(Conflict):
        services_staff.delete_block(officer, block)
    assert Block.objects.filter(pk=block.pk).exists()
    BlockChoice.objects.all().delete()
    services_staff.delete_block(officer, block)
    assert not Block.objects.filter(pk=block.pk).exists()


def test_staff_cancel_promotes_the_next_person(
        officer: User, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks) -> None:
    event = StaffEventFactory.create(capacity=1)
    confirmed = RegistrationFactory.create(event=event)
    waiting = RegistrationFactory.create(event=event, status=RegistrationStatus.WAITLISTED)
    with django_capture_on_commit_callbacks(execute=True):
        services_staff.staff_cancel_registration(officer, confirmed, reason="Doublon")
    confirmed.refresh_from_db()
    waiting.refresh_from_db()
    assert confirmed.status == RegistrationStatus.CANCELLED
    assert waiting.status == RegistrationStatus.CONFIRMED


def test_staff_cancel_refused_to_others(make_user: Callable[..., User]) -> None:
    registration = RegistrationFactory.create()
    with pytest.raises(PermissionDenied):
        services_staff.staff_cancel_registration(make_user("auditor"), registration)
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.CONFIRMED


def test_staff_list_counts(officer: User) -> None:
    event = StaffEventFactory.create()
    RegistrationFactory.create_batch(2, event=event)
    RegistrationFactory.create(event=event, checked_in_at=timezone.now())
    RegistrationFactory.create(event=event, status=RegistrationStatus.WAITLISTED)
    RegistrationFactory.create(event=event, status=RegistrationStatus.CANCELLED)
    row = selectors.staff_events().get(pk=event.pk)
    counts = ("confirmed_count", "waitlisted_count", "cancelled_count", "attended_count")  # annotated by the selector
    assert tuple(getattr(row, name) for name in counts) == (3, 1, 1, 1)


def test_registrations_order_confirmed_then_waiting_list_in_order() -> None:
    event = StaffEventFactory.create()
    now = timezone.now()
    late = RegistrationFactory.create(event=event, status=RegistrationStatus.WAITLISTED, waitlisted_at=now)
    early = RegistrationFactory.create(event=event, status=RegistrationStatus.WAITLISTED,
                                       waitlisted_at=now - timedelta(hours=1))
    cancelled = RegistrationFactory.create(event=event, status=RegistrationStatus.CANCELLED)
    confirmed = RegistrationFactory.create(event=event)
    assert list(selectors.staff_registrations(event)) == [confirmed, early, late, cancelled]
    assert list(selectors.staff_registrations(event, "waitlisted")) == [early, late]


# --- pages ---------------------------------------------------------------------------------------

def test_create_page_reads_times_in_the_events_time_zone(officer: User, login: Callable[..., Client]) -> None:
    client = login(officer)
    assert client.get(reverse("events:staff_create")).status_code == 200
    response = client.post(reverse("events:staff_create"), {
        "title": "Side event à New York", "summary": "En ligne et sur place.", "time_zone": "America/New_York",
        "starts_at": "2031-03-10T09:00", "ends_at": "2031-03-10T12:00", "place": "ONU", "retention_days": 60,
        "blocks_per_person": 1, "registration_enabled": "on"})
    assert response.status_code == 302
    event = Event.objects.get(title="Side event à New York")
    assert event.starts_at.astimezone(ZoneInfo("America/New_York")).hour == 9
    detail = client.get(response["Location"])
    assert detail.status_code == 200 and "Side event à New York" in detail.content.decode()


def test_create_page_shows_the_rules_as_form_errors(officer: User, login: Callable[..., Client]) -> None:
    client = login(officer)
    response = client.post(reverse("events:staff_create"), {
        "title": "Sans lieu", "summary": "x", "time_zone": "Europe/Luxembourg", "starts_at": "2031-03-10T09:00",
        "ends_at": "2031-03-10T12:00", "retention_days": 60, "blocks_per_person": 1})
    assert response.status_code == 422
    assert "Indiquez un lieu ou un lien de participation en ligne." in response.content.decode()
    assert not Event.objects.exists()


def test_registrations_page_and_allocation_button(
        officer: User, login: Callable[..., Client],
        django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks) -> None:
    event = StaffEventFactory.create(capacity=10, allocation_seed="abcdef0123456789")
    block = BlockFactory.create(event=event, capacity=1)
    person = RegistrationFactory.create(event=event, accessibility_needs="Fauteuil roulant")
    BlockChoice.objects.create(registration=person, block=block, rank=1)
    client = login(officer)
    page = client.get(reverse("events:staff_registrations", kwargs={"pk": event.pk}))
    assert page.status_code == 200
    assert "Fauteuil roulant" in page.content.decode() and "Lancer la répartition" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("events:staff_allocate", kwargs={"pk": event.pk}), follow=True)
    assert "abcdef0123456789" in response.content.decode()
    assert BlockChoice.objects.get(registration=person).allocated


def test_staff_cancel_page(officer: User, login: Callable[..., Client],
                           django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks) -> None:
    registration = RegistrationFactory.create()
    client = login(officer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("events:staff_registration_cancel", kwargs={"pk": registration.pk}),
                               {"reason": "Demande par téléphone"})
    assert response.status_code == 302
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.CANCELLED
    again = client.post(reverse("events:staff_registration_cancel", kwargs={"pk": registration.pk}))
    assert again.status_code == 409  # already cancelled: a message, not a 500
