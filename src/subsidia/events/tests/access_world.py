"""Objects of the public side of events in the access matrix's world: a published upcoming event with two blocks,
a session with its own capacity and a registration that has been checked in (for the signed links), and a
draft event."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from subsidia.events import signing
from subsidia.events.models import BlockChoice, RegistrationStatus

from .factories import BlockFactory, EventFactory, RegistrationFactory, SessionFactory


def add_events(world: dict[str, Any]) -> None:
    event = EventFactory.create(title="Rencontre publique", slug="rencontre-publique", capacity=50)
    first, second = BlockFactory.create(event=event, title="Logement abordable"), BlockFactory.create(event=event,
                                                                                          title="Vivre ensemble")
    session = SessionFactory.create(event=event, block=first, capacity=20)
    registration = RegistrationFactory.create(event=event, status=RegistrationStatus.CONFIRMED,
                                              checked_in_at=timezone.now())
    BlockChoice.objects.create(registration=registration, block=first, rank=1)
    draft = EventFactory.create(title="Événement en préparation", slug="evenement-en-preparation", draft=True)
    world.update({
        "event": event, "event_blocks": [first, second], "event_session": session,
        "event_registration": registration, "event_draft": draft,
        "event_tokens": {purpose: signing.token_for(registration, purpose) for purpose in signing.PURPOSES},
    })
