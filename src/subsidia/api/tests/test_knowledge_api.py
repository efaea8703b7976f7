"""The knowledge base's API: public, read only; drafts never listed and 404; archived good practices
readable by id but not listed; archived news 404."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.test import Client

from subsidia.knowledge.tests.access_world import _attach
from subsidia.knowledge.tests.factories import (
    FaqQuestionFactory,
    FaqTopicFactory,
    GoodPracticeFactory,
    NewsItemFactory,
    NewsTagFactory,
)
from subsidia.organisations.tests.factories import MunicipalityFactory, OrganisationFactory, ThemeFactory

from .helpers import auth, call, codes

pytestmark = pytest.mark.django_db


def test_good_practices_list_filters_and_fields(client: Client) -> None:
    theme = ThemeFactory.create(code="logement", name="Logement")
    mersch, org = MunicipalityFactory.create(name="Mersch"), OrganisationFactory.create(name="Centre")
    practice = GoodPracticeFactory.create(title="A", theme=theme, municipalities=[mersch], actors=[org],
                                          is_example=True,
                                          summary="Résumé", body='<p>Corps<script>x()</script></p>',
                                          other_actors="Club\nÉcole")
    _attach(practice)
    GoodPracticeFactory.create(title="B")
    GoodPracticeFactory.create(title="C", state="draft", theme=theme)
    GoodPracticeFactory.create(title="D", state="archived", theme=theme)
    response = call(client, "GET", "/good-practices")
    assert response.status_code == 200 and response.json()["count"] == 2
    assert [p["title"] for p in response.json()["items"]] == ["A", "B"]
    first = response.json()["items"][0]
    assert first["body_html"] == "<p>Corps</p>" and first["summary"] == "Résumé" and first["is_example"]
    assert first["theme"] == {"code": "logement", "name": "Logement"}
    assert first["municipalities"] == [{"id": mersch.pk, "name": "Mersch"}]
    assert first["actors"] == [{"id": org.pk, "name": "Centre"}] and first["other_actors"] == ["Club", "École"]
    assert first["attachments"][0]["content_type"] == "application/pdf"
    assert first["url"].endswith(f"/bonnes-pratiques/{practice.slug}/")
    for query, titles in [("?theme=logement", ["A"]), (f"?municipality={mersch.pk}", ["A"]),
                          (f"?actor={org.pk}", ["A"]), ("?is_example=false", ["B"]), ("?theme=autre", [])]:
        assert [p["title"] for p in call(client, "GET", f"/good-practices{query}").json()["items"]] == titles


def test_good_practice_detail_drafts_404_archived_readable(client: Client) -> None:
    draft = GoodPracticeFactory.create(state="draft")
    archived = GoodPracticeFactory.create(state="archived")
    response = call(client, "GET", f"/good-practices/{draft.pk}")
    assert response.status_code == 404 and codes(response) == ["not_found"]
    assert call(client, "GET", f"/good-practices/{archived.pk}").json()["state"] == "archived"
    assert call(client, "GET", "/good-practices/999999").status_code == 404


def test_good_practices_filter_by_event(client: Client) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from subsidia.events.models import Event
    start = timezone.now()
    event = Event.objects.create(title="Conférence", slug="conference", summary="…", starts_at=start,
                                 ends_at=start + timedelta(hours=3))
    presented = GoodPracticeFactory.create(event=event)
    GoodPracticeFactory.create()
    items = call(client, "GET", f"/good-practices?event={event.pk}").json()["items"]
    assert [p["id"] for p in items] == [presented.pk] and items[0]["event_id"] == event.pk


def test_faq_topics_with_published_questions(client: Client) -> None:
    topic = FaqTopicFactory.create(name="Inscription")
    FaqQuestionFactory.create(topic=topic, question="Q1", answer="<p>R</p><iframe></iframe>",
                              last_updated_on=date(2024, 2, 1))
    FaqQuestionFactory.create(topic=topic, question="Brouillon", state="draft")
    FaqQuestionFactory.create(topic=FaqTopicFactory.create(name="Vide"), state="draft")
    body = call(client, "GET", "/faq").json()
    assert [t["name"] for t in body] == ["Inscription"]
    assert body[0]["questions"] == [{"id": topic.questions.get(question="Q1").pk, "question": "Q1",
                                     "answer_html": "<p>R</p>", "last_updated_on": "2024-02-01",
                                     "is_example": False}]


def test_news_list_tag_filter_and_detail(client: Client, make_user: Any) -> None:
    tag = NewsTagFactory.create(name="Logement", slug="logement")
    tagged = NewsItemFactory.create(title="Foyer", tags=[tag], date=date(2024, 1, 2))
    NewsItemFactory.create(title="Autre", date=date(2024, 1, 3))
    draft = NewsItemFactory.create(title="Brouillon", state="draft")
    archived = NewsItemFactory.create(title="Ancienne", state="archived")
    response = call(client, "GET", "/news")
    assert [n["title"] for n in response.json()["items"]] == ["Autre", "Foyer"]
    assert [n["title"] for n in call(client, "GET", "/news?tag=logement").json()["items"]] == ["Foyer"]
    detail = call(client, "GET", f"/news/{tagged.pk}").json()
    assert detail["tags"] == ["Logement"] and detail["date"] == "2024-01-02"
    for hidden in (draft, archived):
        assert call(client, "GET", f"/news/{hidden.pk}").status_code == 404
    # Even the officer who may manage it does not read a draft through the public API.
    assert call(client, "GET", f"/news/{draft.pk}", headers=auth(make_user("officer"))).status_code == 404


def test_invalid_filters_are_422(client: Client) -> None:
    response = call(client, "GET", "/good-practices?municipality=abc")
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "municipality"
