"""What each write on events takes, typed: one input per write, that the Django forms (:mod:`.forms`,
:mod:`.forms_staff`) and the API's schemas (:mod:`subsidia.api.schemas_events`) both produce, so that the
services receive values already parsed (ids as ints, moments as aware datetimes, texts stripped).

Objects are named by id (a commune, an organisation, a block, a session): the service looks each one up and
counts an unknown one among its problems, with the others, rather than the caller failing on the first. What
is a rule stays the service's: required texts, lengths a registrant's e-mail must respect, ranges, dates in
order, a block of this event — reported all at once, whichever door the values came through (the API answers
a bad e-mail address and an unknown commune in one 422).

An edit takes the whole input: :meth:`EventInput.of` (and its siblings) give the object as it is, to change
a few fields with :func:`dataclasses.replace`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from .models import Block, BlockKind, EvaluationQuestion, Event, QuestionKind, Session

# An id no commune has: the API's name of an unknown commune, refused by the service with its other problems.
UNKNOWN = 0


@dataclass(frozen=True)
class RegistrationInput:
    """A person's registration: who, and their ranked blocks or tables and the sessions they sign up for."""

    full_name: str
    email: str
    organisation_name: str = ""
    municipality: int | None = None
    accessibility_needs: str = ""
    block_ranking: Sequence[int] = ()
    session_ids: Sequence[int] = ()
    language: str = "fr"


@dataclass(frozen=True)
class EventInput:
    """An event's own fields; moments are aware (the form reads them in the event's time zone)."""

    title: str
    summary: str
    starts_at: datetime
    ends_at: datetime
    time_zone: str = "Europe/Luxembourg"
    description: str = ""
    place: str = ""
    address: str = ""
    municipality: int | None = None
    online_url: str = ""
    organisers: Sequence[int] = ()
    partners: Sequence[int] = ()
    themes: Sequence[int] = ()
    audience: str = ""
    capacity: int | None = None
    registration_opens_at: datetime | None = None
    registration_closes_at: datetime | None = None
    registration_enabled: bool = True
    blocks_per_person: int = 1
    retention_days: int = 180
    participant_count: int | None = None
    is_example: bool = False

    @classmethod
    def of(cls, event: Event) -> EventInput:
        """The event as it is: the start of an edit that changes a few fields."""
        return cls(
            title=event.title, summary=event.summary, starts_at=event.starts_at, ends_at=event.ends_at,
            time_zone=event.time_zone, description=event.description, place=event.place, address=event.address,
            municipality=event.municipality_id, online_url=event.online_url,
            organisers=tuple(event.organisers.values_list("pk", flat=True)),
            partners=tuple(event.partners.values_list("pk", flat=True)),
            themes=tuple(event.themes.values_list("pk", flat=True)), audience=event.audience,
            capacity=event.capacity, registration_opens_at=event.registration_opens_at,
            registration_closes_at=event.registration_closes_at, registration_enabled=event.registration_enabled,
            blocks_per_person=event.blocks_per_person, retention_days=event.retention_days,
            participant_count=event.participant_count, is_example=event.is_example)


@dataclass(frozen=True)
class BlockInput:
    """A thematic block or a table; ``position`` None puts a new one last (an edit keeps its place)."""

    title: str
    kind: str = BlockKind.BLOCK
    description: str = ""
    capacity: int | None = None
    position: int | None = None

    @classmethod
    def of(cls, block: Block) -> BlockInput:
        return cls(title=block.title, kind=block.kind, description=block.description, capacity=block.capacity,
                   position=block.position)


@dataclass(frozen=True)
class SessionInput:
    """A moment of the programme, in a block or table of the event (``block``) or outside any."""

    title: str
    starts_at: datetime
    ends_at: datetime
    block: int | None = None
    description: str = ""
    speakers: str = ""
    room: str = ""
    capacity: int | None = None

    @classmethod
    def of(cls, session: Session) -> SessionInput:
        return cls(title=session.title, starts_at=session.starts_at, ends_at=session.ends_at,
                   block=session.block_id, description=session.description, speakers=session.speakers,
                   room=session.room, capacity=session.capacity)


@dataclass(frozen=True)
class QuestionInput:
    """A question of the evaluation; ``options`` (one a line) only for a choice among a list."""

    text: str
    kind: str = QuestionKind.RATING
    options: str = ""
    required: bool = False

    @classmethod
    def of(cls, question: EvaluationQuestion) -> QuestionInput:
        return cls(text=question.text, kind=question.kind, options=question.options, required=question.required)


@dataclass(frozen=True)
class PhotoTexts:
    """What a photo of the gallery says: its caption, its credit, and its text alternative (all required)."""

    caption: str
    credit: str
    alt_text: str
