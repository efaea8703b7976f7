"""Factories for the staff side's tests: events (published, past or upcoming), blocks, registrations, questions,
photos. Small on purpose; the registration rules are exercised through ``services.register`` elsewhere."""

from __future__ import annotations

import base64
from datetime import timedelta

import factory
from django.utils import timezone

from subsidia.events.models import (
    Block,
    EvaluationQuestion,
    Event,
    EventStatus,
    QuestionKind,
    Registration,
    RegistrationStatus,
)

# The smallest valid PNG (one pixel) and a JPEG header: real image content for upload tests.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==")
JPEG = bytes.fromhex("ffd8ffe000104a46494600010100000100010000ffdb004300") + b"\x08" * 64 + b"\xff\xd9"


class StaffEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Event
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Conférence nationale {n}")
    slug = factory.Sequence(lambda n: f"conference-nationale-{n}")
    summary = "Une matinée d'échanges entre communes."
    starts_at = factory.LazyFunction(lambda: timezone.now().replace(microsecond=0) + timedelta(days=30))
    ends_at = factory.LazyAttribute(lambda e: e.starts_at + timedelta(hours=4))
    place = "Centre culturel, Mersch"
    status = EventStatus.PUBLISHED
    capacity = 100
    retention_days = 30

    class Params:
        past = factory.Trait(
            starts_at=factory.LazyFunction(lambda: timezone.now().replace(microsecond=0) - timedelta(days=3)),
        )


class BlockFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Block

    event = factory.SubFactory(StaffEventFactory)
    title = factory.Sequence(lambda n: f"Bloc {n}")
    capacity = 20


class RegistrationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Registration

    event = factory.SubFactory(StaffEventFactory)
    full_name = factory.Sequence(lambda n: f"Personne {n}")
    email = factory.Sequence(lambda n: f"personne{n}@example.lu")
    organisation_name = "Commune d'exemple"
    status = RegistrationStatus.CONFIRMED
    waitlisted_at = factory.LazyAttribute(
        lambda r: timezone.now() if r.status == RegistrationStatus.WAITLISTED else None)


class QuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EvaluationQuestion

    event = factory.SubFactory(StaffEventFactory)
    text = factory.Sequence(lambda n: f"Question {n}")
    kind = QuestionKind.RATING
    position = factory.Sequence(lambda n: n + 1)
