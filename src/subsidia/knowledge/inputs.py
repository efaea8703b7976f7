"""What each write of the knowledge base takes, typed: the forms of the management pages produce these
(``form.to_input()``), and so would an API's schemas; the services take them as they are.

Formats (required fields, lengths, e-mail addresses, dates, choices that exist) are checked where the values
are parsed, once; the services keep the rules that need the database, the actor or the object's state (a
block of another event, a duplicate topic, an organisation the partner does not manage) and sanitise every
rich text before storing it. ``of()`` gives an object's current values, to change some of them with
:func:`dataclasses.replace`."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.utils import timezone

from subsidia.events.models import Block, Event
from subsidia.organisations.models import Municipality, Organisation, Theme

from .models import FaqQuestion, FaqTopic, GoodPractice, NewsItem


@dataclass(frozen=True)
class GoodPracticeInput:
    title: str
    summary: str
    body: str = ""  # rich text, sanitised by the service
    theme: Theme | None = None
    event: Event | None = None
    block: Block | None = None  # without an event, the practice is dated by the block's event
    municipalities: tuple[Municipality, ...] = ()
    actors: tuple[Organisation, ...] = ()
    other_actors: str = ""  # one a line
    results: str = ""
    contact_name: str = ""
    contact_email: str = ""
    contact_phone: str = ""
    is_example: bool = False

    @classmethod
    def of(cls, practice: GoodPractice) -> GoodPracticeInput:
        return cls(title=practice.title, summary=practice.summary, body=practice.body, theme=practice.theme,
                   event=practice.event, block=practice.block, municipalities=tuple(practice.municipalities.all()),
                   actors=tuple(practice.actors.all()), other_actors=practice.other_actors, results=practice.results,
                   contact_name=practice.contact_name, contact_email=practice.contact_email,
                   contact_phone=practice.contact_phone, is_example=practice.is_example)


@dataclass(frozen=True)
class FaqTopicInput:
    name: str
    position: int = 0


@dataclass(frozen=True)
class FaqQuestionInput:
    topic: FaqTopic
    question: str
    answer: str  # rich text, sanitised by the service
    position: int = 0
    is_example: bool = False

    @classmethod
    def of(cls, question: FaqQuestion) -> FaqQuestionInput:
        return cls(topic=question.topic, question=question.question, answer=question.answer,
                   position=question.position, is_example=question.is_example)


@dataclass(frozen=True)
class NewsInput:
    title: str
    body: str  # rich text, sanitised by the service
    date: date = field(default_factory=timezone.localdate)
    place: str = ""
    summary: str = ""
    tags: tuple[str, ...] = ()  # names; a tag is found by its address, or made
    event: Event | None = None
    # Officers name any issuer; a partner's gestionnaire writes for an organisation they manage (the service
    # checks it, and keeps the issuer of an item already written), never with another name nor as an example.
    issuing_body: Organisation | None = None
    issuing_body_name: str = ""
    is_example: bool = False

    @classmethod
    def of(cls, item: NewsItem) -> NewsInput:
        return cls(title=item.title, body=item.body, date=item.date, place=item.place, summary=item.summary,
                   tags=tuple(tag.name for tag in item.tags.all()), event=item.event,
                   issuing_body=item.issuing_body, issuing_body_name=item.issuing_body_name,
                   is_example=item.is_example)
