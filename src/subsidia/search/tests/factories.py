"""Small builders of searchable objects for the search tests (public by default)."""

from __future__ import annotations

import itertools
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from subsidia.events.models import Event, EventStatus
from subsidia.grants.models import Call
from subsidia.knowledge.models import FaqQuestion, FaqTopic, GoodPractice, NewsItem, PublicationState
from subsidia.organisations.models import Organisation

_numbers = itertools.count(1)


def _moment(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(10)))


def practice(title: str, *, summary: str = "", body: str = "", day: date = date(2024, 1, 1),
             state: str = PublicationState.PUBLISHED, **values: Any) -> GoodPractice:
    return GoodPractice.objects.create(title=title, slug=f"bonne-pratique-{next(_numbers)}", summary=summary,
                                       body=body, state=state, published_at=_moment(day), **values)


def faq(question: str, *, answer: str = "", day: date = date(2024, 1, 1),
        state: str = PublicationState.PUBLISHED, **values: Any) -> FaqQuestion:
    topic, _ = FaqTopic.objects.get_or_create(slug="general", defaults={"name": "Général"})
    return FaqQuestion.objects.create(topic=topic, question=question, answer=answer, last_updated_on=day,
                                      state=state, **values)


def news(title: str, *, summary: str = "", body: str = "", day: date = date(2024, 1, 1),
         state: str = PublicationState.PUBLISHED, **values: Any) -> NewsItem:
    return NewsItem.objects.create(title=title, slug=f"actualite-{next(_numbers)}", summary=summary, body=body,
                                   date=day, state=state, **values)


def event(title: str, *, summary: str = "", description: str = "", day: date = date(2024, 1, 1),
          status: str = EventStatus.PUBLISHED, **values: Any) -> Event:
    return Event.objects.create(title=title, slug=f"evenement-{next(_numbers)}", summary=summary,
                                description=description, starts_at=_moment(day),
                                ends_at=_moment(day) + timedelta(hours=3), status=status, **values)


def call(title: str, *, text: str = "", day: date = date(2024, 1, 1), is_published: bool = True,
         **values: Any) -> Call:
    return Call.objects.create(title=title, programme=values.pop("programme", "Programme"), year=day.year,
                               text=text, opens_on=day, is_published=is_published,
                               budget=values.pop("budget", Decimal("10000")), **values)


def organisation(name: str, *, description: str = "", day: date = date(2024, 1, 1), listed: bool = True,
                 **values: Any) -> Organisation:
    return Organisation.objects.create(name=name, legal_form="asbl", description=description,
                                       last_verified_on=day, listed_in_directory=listed, **values)
