"""Every rich text saved by a service is sanitised, and shown through ``rich_text``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from subsidia.accounts.models import User
from subsidia.knowledge.inputs import FaqQuestionInput, GoodPracticeInput, NewsInput
from subsidia.knowledge.services import faq, good_practices, news
from subsidia.organisations.models import Organisation

from .factories import FaqTopicFactory

pytestmark = pytest.mark.django_db

HOSTILE = (
    '<h2>Titre</h2><p>Un <strong>texte</strong> <em>riche</em> avec un <a href="https://example.lu">lien</a>.</p>'
    '<ul><li>point</li></ul><table><tr><th scope="col">A</th></tr><tr><td>1</td></tr></table>'
    '<script>alert("x")</script><img src="x" onerror="alert(1)">'
    '<a href="javascript:alert(2)">piège</a><p style="color:red" onmouseover="alert(3)">stylé</p>'
    '<iframe src="https://evil.example"></iframe>'
)


def _assert_clean(html: str) -> None:
    lowered = html.lower()
    for bad in ("<script", "alert(", "onerror", "onmouseover", "javascript:", "style=", "<iframe", "<img"):
        assert bad not in lowered, bad
    for kept in ("<h2>Titre</h2>", "<strong>texte</strong>", "<em>riche</em>", "<li>point</li>",
                 '<th scope="col">A</th>', 'href="https://example.lu"', "stylé"):
        assert kept in html, kept


@pytest.fixture
def officer(make_user: Callable[..., User]) -> User:
    return make_user("officer")


def test_good_practice_body_is_sanitised(officer: Any) -> None:
    practice = good_practices.create_good_practice(officer, GoodPracticeInput(title="T", summary="S", body=HOSTILE))
    _assert_clean(practice.body)
    practice = good_practices.update_good_practice(officer, practice, replace(
        GoodPracticeInput.of(practice), body=HOSTILE + "<p>encore</p>"))
    _assert_clean(practice.body)
    assert 'rel="noopener noreferrer nofollow"' in practice.body


def test_faq_answer_is_sanitised(officer: Any) -> None:
    question = faq.create_faq_question(officer, FaqQuestionInput(topic=FaqTopicFactory.create(), question="Q",
                                                                 answer=HOSTILE))
    _assert_clean(question.answer)


def test_news_body_is_sanitised_for_partners_too(make_user: Callable[..., User], org_a: Organisation) -> None:
    item = news.create_news(make_user("partner_admin", organisation=org_a), NewsInput(title="T", body=HOSTILE))
    _assert_clean(item.body)


def test_stored_markup_is_sanitised_again_when_shown(client: Client, officer: User) -> None:
    from .factories import GoodPracticeFactory, NewsItemFactory

    practice = GoodPracticeFactory.create(body=HOSTILE)  # written around the services, e.g. by an import
    item = NewsItemFactory.create(body=HOSTILE)
    for url in [reverse("knowledge:good_practice_detail", args=[practice.slug]),
                reverse("knowledge:news_detail", args=[item.slug])]:
        html = client.get(url).content.decode()
        content = html.split('class="rich-text">', 1)[1].split("</div>", 1)[0]
        _assert_clean(content)
