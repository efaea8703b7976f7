"""Registration data is personal data: it is deleted ``retention_days`` after each event ends.

What stays: the event, its programme, the number of participants (``participant_count``), and the answers to
the evaluation questionnaire, whose link to the person is cut (they were anonymous on every page already).
The worker runs :func:`delete_expired_registrations` daily (``tasks_staff.delete_expired_registration_data``).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from subsidia.audit.services import record

from .models import BlockChoice, EvaluationResponse, Event, Registration, RegistrationStatus


def expired_events(now: datetime | None = None) -> list[Event]:
    """Events whose retention period is over and whose registrations are still stored."""
    now = now or timezone.now()
    candidates = Event.objects.filter(registration_data_deleted_at__isnull=True, ends_at__lt=now)
    return [e for e in candidates.order_by("ends_at", "pk") if e.ends_at + timedelta(days=e.retention_days) <= now]


def _delete_for(event_pk: int, now: datetime) -> bool:
    with transaction.atomic():
        event = Event.objects.select_for_update().get(pk=event_pk)
        if event.registration_data_deleted_at is not None:
            return False  # another run got there first
        registrations = Registration.objects.filter(event=event)
        participants = registrations.filter(
            Q(status=RegistrationStatus.CONFIRMED) | Q(checked_in_at__isnull=False)).count()
        total = registrations.count()
        if event.participant_count is None:
            event.participant_count = participants
        cut = EvaluationResponse.objects.filter(event=event, registration__isnull=False).update(registration=None)
        BlockChoice.objects.filter(registration__event=event).delete()
        Registration.sessions.through.objects.filter(registration__event=event).delete()
        registrations.delete()
        event.registration_data_deleted_at = now
        event.save(update_fields=["participant_count", "registration_data_deleted_at", "updated_at"])
        # Counts only: no name, no address in the trail.
        record(None, "event.registration_data_deleted", event, after={
            "registrations_deleted": total, "participant_count": event.participant_count,
            "evaluation_responses_unlinked": cut, "retention_days": event.retention_days,
        }, note="Suppression des données d'inscription après la durée de conservation.")
    return True


def delete_expired_registrations(now: datetime | None = None) -> int:
    """Delete the registrations of every event past its retention period; returns how many events were
    cleared. Each event is its own transaction (one failure does not keep the others' data); running it
    twice does nothing more."""
    now = now or timezone.now()
    return sum(1 for event in expired_events(now) if _delete_for(event.pk, now))
