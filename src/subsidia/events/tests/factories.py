"""Factories for events: an event open for registration, its blocks and sessions, registrations."""

from __future__ import annotations

from datetime import timedelta

import factory
from django.utils import timezone

from subsidia.events.models import Block, Event, EventStatus, Registration, RegistrationStatus, Session


class EventFactory(factory.django.DjangoModelFactory[Event]):
    class Meta:
        model = Event
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Rencontre des communes {n}")
    slug = factory.Sequence(lambda n: f"rencontre-des-communes-{n}")
    summary = "Une matinée d'échanges sur l'intégration locale."
    description = "<p>Présentations et <strong>tables rondes</strong>.</p>"
    starts_at = factory.LazyFunction(lambda: timezone.now().replace(microsecond=0) + timedelta(days=20))
    ends_at = factory.LazyAttribute(lambda e: e.starts_at + timedelta(hours=4))
    place = "Centre culturel"
    address = "1, rue de la Gare, Mersch"
    status = EventStatus.PUBLISHED
    capacity = 10
    allocation_seed = "graine-de-test"

    class Params:
        draft = factory.Trait(status=EventStatus.DRAFT)
        past = factory.Trait(
            starts_at=factory.LazyFunction(lambda: timezone.now().replace(microsecond=0) - timedelta(days=3)))


class BlockFactory(factory.django.DjangoModelFactory[Block]):
    class Meta:
        model = Block

    event = factory.SubFactory(EventFactory)
    title = factory.Sequence(lambda n: f"Bloc {n}")
    capacity = 5
    position = factory.Sequence(lambda n: n)


class SessionFactory(factory.django.DjangoModelFactory[Session]):
    class Meta:
        model = Session

    event = factory.SubFactory(EventFactory)
    title = factory.Sequence(lambda n: f"Session {n}")
    speakers = "Marie Muller\nJean Weber"
    room = "Salle A"
    starts_at = factory.LazyAttribute(lambda s: s.event.starts_at)
    ends_at = factory.LazyAttribute(lambda s: s.starts_at + timedelta(hours=1))


class RegistrationFactory(factory.django.DjangoModelFactory[Registration]):
    class Meta:
        model = Registration

    event = factory.SubFactory(EventFactory)
    full_name = factory.Sequence(lambda n: f"Personne {n}")
    email = factory.Sequence(lambda n: f"personne{n}@example.lu")
    status = RegistrationStatus.CONFIRMED
