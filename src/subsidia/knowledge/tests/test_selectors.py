"""The knowledge base's reads: drafts hidden from the public, partners scoped to their own organisation."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from subsidia.accounts.actors import Visitor
from subsidia.accounts.models import User
from subsidia.knowledge import selectors
from subsidia.organisations.models import Organisation
from subsidia.organisations.tests.factories import MunicipalityFactory, OrganisationFactory, ThemeFactory

from .factories import FaqQuestionFactory, FaqTopicFactory, GoodPracticeFactory, NewsItemFactory, NewsTagFactory

pytestmark = pytest.mark.django_db


def test_good_practices_drafts_hidden_and_archived_readable_not_listed(make_user: Callable[..., User]) -> None:
    published = GoodPracticeFactory.create()
    draft = GoodPracticeFactory.create(state="draft")
    archived = GoodPracticeFactory.create(state="archived")
    assert list(selectors.published_good_practices()) == [published]
    visitors: list[Visitor] = [AnonymousUser(), make_user(), make_user("moderator")]
    for user in visitors:
        assert set(selectors.good_practices_readable_by(user)) == {published, archived}
        assert not selectors.good_practices_managed_by(user).exists()
    officer = make_user("officer")
    assert set(selectors.good_practices_readable_by(officer)) == {published, draft, archived}


def test_good_practice_filters_and_facet_counts() -> None:
    theme, other_theme = ThemeFactory.create(code="logement"), ThemeFactory.create(code="vivre-ensemble")
    mersch, org = MunicipalityFactory.create(name="Mersch"), OrganisationFactory.create()
    a = GoodPracticeFactory.create(theme=theme, municipalities=[mersch], actors=[org], is_example=True)
    b = GoodPracticeFactory.create(theme=other_theme)
    GoodPracticeFactory.create(theme=theme, state="draft", municipalities=[mersch])
    base = selectors.published_good_practices()
    assert list(selectors.filter_good_practices(base, theme="logement")) == [a]
    assert list(selectors.filter_good_practices(base, municipality=mersch.pk)) == [a]
    assert list(selectors.filter_good_practices(base, actor=org.pk)) == [a]
    assert list(selectors.filter_good_practices(base, examples_only=True)) == [a]
    assert set(selectors.filter_good_practices(base)) == {a, b}
    facets = selectors.good_practice_facets()
    assert ("logement", theme.name, 1) in facets["theme"]  # the draft is not counted
    assert facets["municipality"] == [(mersch.pk, "Mersch", 1)]


def test_faq_lists_published_questions_by_topic() -> None:
    first, second, empty = (FaqTopicFactory.create(position=2), FaqTopicFactory.create(position=1),
                            FaqTopicFactory.create(position=0))
    q1 = FaqQuestionFactory.create(topic=first, position=2)
    q0 = FaqQuestionFactory.create(topic=first, position=1)
    FaqQuestionFactory.create(topic=first, state="draft")
    q2 = FaqQuestionFactory.create(topic=second)
    FaqQuestionFactory.create(topic=empty, state="draft")
    topics = selectors.published_faq()
    assert topics == [second, first]
    assert topics[1].published_questions == [q0, q1] and topics[0].published_questions == [q2]  # type: ignore[attr-defined]


def test_news_scoped_by_reader(make_user: Callable[..., User], org_a: Organisation, org_b: Organisation) -> None:
    tag = NewsTagFactory.create(name="Logement")
    published = NewsItemFactory.create(tags=[tag], issuing_body=org_b)
    NewsItemFactory.create(state="archived")
    draft_a = NewsItemFactory.create(state="draft", issuing_body=org_a, submitted_at=timezone.now())
    draft_b = NewsItemFactory.create(state="draft", issuing_body=org_b)
    assert list(selectors.published_news()) == [published]
    assert list(selectors.published_news(tag="logement")) == [published]
    assert not selectors.published_news(tag="autre").exists()
    assert list(selectors.published_news(issuer=org_b.pk)) == [published]
    admin_a = make_user("partner_admin", organisation=org_a)
    assert list(selectors.news_managed_by(admin_a)) == [draft_a]
    assert set(selectors.news_readable_by(admin_a)) == {published, draft_a}
    readers: list[Visitor] = [AnonymousUser(), make_user("partner_member", organisation=org_a), make_user("moderator")]
    for user in readers:
        assert not selectors.news_managed_by(user).exists()
        assert list(selectors.news_readable_by(user)) == [published]
    officer = make_user("officer")
    assert selectors.news_managed_by(officer).count() == 4
    assert list(selectors.submitted_news()) == [draft_a]
    assert draft_b not in selectors.news_managed_by(admin_a)


def test_tags_in_use_count_published_news_only() -> None:
    tag: Any = NewsTagFactory.create(name="Intégration", slug="integration")
    NewsItemFactory.create(tags=[tag])
    NewsItemFactory.create(tags=[tag], state="draft")
    assert [(t.slug, t.n) for t in selectors.news_tags_in_use()] == [("integration", 1)]  # type: ignore[attr-defined]
