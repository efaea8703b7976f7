"""Factories for the staff side's tests: events (published, past or upcoming), blocks, registrations, questions,
photos. Small on purpose; the registration rules are exercised through ``services.register`` elsewhere."""

from __future__ import annotations

import base64
from datetime import timedelta

import factory
from django.utils import timezone

from subsidia.core.tests import uploads_samples
from subsidia.events.models import (
    EvaluationQuestion,
    QuestionKind,
    RegistrationStatus,
)
from subsidia.events.tests.factories import BlockFactory as BaseBlockFactory
from subsidia.events.tests.factories import EventFactory
from subsidia.events.tests.factories import RegistrationFactory as BaseRegistrationFactory

# The smallest valid PNG (one pixel) and a small real JPEG: image content for upload tests (photos are decoded
# and re-encoded, so a bare header no longer passes).
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==")
JPEG = uploads_samples.image("JPEG", size=(8, 8))


class StaffEventFactory(EventFactory):
    """An event as the officers' tests want it: a hundred seats, a thirty-day retention."""

    title = factory.Sequence(lambda n: f"Conférence nationale {n}")
    slug = factory.Sequence(lambda n: f"conference-nationale-{n}")
    starts_at = factory.LazyFunction(lambda: timezone.now().replace(microsecond=0) + timedelta(days=30))
    place = "Centre culturel, Mersch"
    capacity = 100
    retention_days = 30


class BlockFactory(BaseBlockFactory):
    event = factory.SubFactory(StaffEventFactory)
    capacity = 20


class RegistrationFactory(BaseRegistrationFactory):
    event = factory.SubFactory(StaffEventFactory)
    organisation_name = "Commune d'exemple"
    waitlisted_at = factory.LazyAttribute(
        lambda r: timezone.now() if r.status == RegistrationStatus.WAITLISTED else None)


class QuestionFactory(factory.django.DjangoModelFactory[EvaluationQuestion]):
    class Meta:
        model = EvaluationQuestion

    event = factory.SubFactory(StaffEventFactory)
    text = factory.Sequence(lambda n: f"Question {n}")
    kind = QuestionKind.RATING
    position = factory.Sequence(lambda n: n + 1)
