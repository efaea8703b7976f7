"""Registration data is deleted after each event's retention period; counts and anonymous answers stay."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from subsidia.accounts.models import User
from subsidia.audit.models import AuditEvent
from subsidia.events.models import (
    BlockChoice,
    EvaluationResponse,
    Event,
    Registration,
    RegistrationStatus,
)
from subsidia.events.retention import delete_expired_registrations
from subsidia.events.tasks_staff import delete_expired_registration_data

from .factories_staff import BlockFactory, RegistrationFactory, StaffEventFactory

pytestmark = pytest.mark.django_db


def _past_event(days_ago: int, retention: int = 30, **kwargs: Any) -> Event:
    start = timezone.now() - timedelta(days=days_ago, hours=5)
    return StaffEventFactory.create(starts_at=start, ends_at=start + timedelta(hours=4), retention_days=retention,
                                    **kwargs)


def _fill(event: Event) -> tuple[list[Registration], EvaluationResponse]:
    block = BlockFactory.create(event=event)
    people = [RegistrationFactory.create(event=event),
              RegistrationFactory.create(event=event, checked_in_at=timezone.now()),
              RegistrationFactory.create(event=event, status=RegistrationStatus.CANCELLED),
              RegistrationFactory.create(event=event, status=RegistrationStatus.WAITLISTED)]
    BlockChoice.objects.create(registration=people[0], block=block, rank=1)
    response = EvaluationResponse.objects.create(event=event, registration=people[1])
    return people, response


def test_deletes_after_the_period_only_and_keeps_the_counts() -> None:
    expired = _past_event(days_ago=31, retention=30)
    kept = _past_event(days_ago=29, retention=30)
    _people, response = _fill(expired)
    kept_people, _ = _fill(kept)

    assert delete_expired_registrations() == 1

    expired.refresh_from_db()
    assert expired.registration_data_deleted_at is not None
    assert expired.participant_count == 2  # confirmed, including the one checked in
    assert not Registration.objects.filter(event=expired).exists()
    assert not BlockChoice.objects.filter(block__event=expired).exists()
    response.refresh_from_db()
    assert response.registration is None  # the answers stay, anonymous
    # The other event is untouched.
    kept.refresh_from_db()
    assert kept.registration_data_deleted_at is None
    assert Registration.objects.filter(event=kept).count() == len(kept_people)
    audit = AuditEvent.objects.get(action="event.registration_data_deleted")
    assert audit.after is not None
    assert audit.object_id == str(expired.pk) and audit.after["registrations_deleted"] == 4
    assert "@" not in str(audit.after) and "Personne" not in str(audit.after) + audit.note


def test_is_idempotent_and_keeps_a_count_set_by_hand() -> None:
    event = _past_event(days_ago=10, retention=5, participant_count=162)
    _fill(event)
    assert delete_expired_registrations() == 1
    assert delete_expired_registrations() == 0
    event.refresh_from_db()
    assert event.participant_count == 162
    assert AuditEvent.objects.filter(action="event.registration_data_deleted").count() == 1


def test_the_period_is_counted_from_the_end_of_the_event() -> None:
    event = _past_event(days_ago=3, retention=3)
    now = timezone.now()
    assert delete_expired_registrations(now=event.ends_at + timedelta(days=3) - timedelta(minutes=1)) == 0
    assert delete_expired_registrations(now=max(now, event.ends_at + timedelta(days=3))) == 1


def test_the_daily_task_runs_the_deletion() -> None:
    event = _past_event(days_ago=40, retention=1)
    _fill(event)
    delete_expired_registration_data.call_local()
    assert not Registration.objects.filter(event=event).exists()


def test_staff_page_says_when_the_data_will_be_and_were_deleted(make_user: Callable[..., User],
                                                                login: Callable[..., Client]) -> None:
    from django.urls import reverse

    event = _past_event(days_ago=2, retention=30)
    client = login(make_user("officer"))
    url = reverse("events:staff_registrations", kwargs={"pk": event.pk})
    assert "seront supprimées le" in client.get(url).content.decode()
    delete_expired_registrations(now=timezone.now() + timedelta(days=40))
    assert "ont été supprimées le" in client.get(url).content.decode()
