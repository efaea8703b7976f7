"""The publication workflows, tried exhaustively: every transition from every state by every role is
allowed exactly when the table says so, and the service then leads to the table's target state."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

import pytest
from django.utils import timezone

from subsidia.accounts.models import User
from subsidia.accounts.roles import Role
from subsidia.audit.models import AuditEvent
from subsidia.core.errors import Conflict, NotFound, PermissionDenied
from subsidia.knowledge import workflow
from subsidia.knowledge.models import GoodPractice, NewsItem
from subsidia.knowledge.services import faq, good_practices, news
from subsidia.organisations.models import Organisation

from .factories import FaqQuestionFactory, GoodPracticeFactory, NewsItemFactory

ROLES = [r.value for r in Role]


@pytest.fixture
def people(make_user: Callable[..., User], org_a: Organisation) -> dict[str, Any]:
    return {role: make_user(role, organisation=org_a if role.startswith("partner") else None) for role in ROLES}


def _news_in(status: str, org: Any) -> NewsItem:
    state = workflow.DRAFT if status == workflow.SUBMITTED else status
    return NewsItemFactory.create(state=state, issuing_body=org,
                                  submitted_at=timezone.now() if status == workflow.SUBMITTED else None)


def test_tables_only_name_known_states() -> None:
    for table, states in [(workflow.GOOD_PRACTICES, workflow.GOOD_PRACTICE_STATES),
                          (workflow.NEWS, workflow.NEWS_STATES),
                          (workflow.FAQ, workflow.FAQ_STATES)]:
        for transition in table:
            assert transition.sources <= set(states) and transition.target in states


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(workflow.GOOD_PRACTICES.transitions))
@pytest.mark.parametrize("state", workflow.GOOD_PRACTICE_STATES)
def test_good_practice_transitions(name: str, state: str, people: dict[str, Any]) -> None:
    transition = workflow.GOOD_PRACTICES[name]
    service = partial(good_practices.transition_good_practice, name=name)
    for role, user in people.items():
        practice = GoodPracticeFactory.create(state=state)
        if role not in transition.roles:
            with pytest.raises(PermissionDenied):
                service(user, practice, expected_version=practice.version)
        elif state not in transition.sources:
            with pytest.raises(Conflict):
                service(user, practice, expected_version=practice.version)
        else:
            done = service(user, practice, expected_version=practice.version)
            assert done.state == transition.target and done.version == practice.version + 1
            assert AuditEvent.objects.filter(action=f"good_practice.{name}", object_id=str(practice.pk)).exists()
            continue
        practice.refresh_from_db()
        assert practice.state == state and practice.version == 1  # nothing written


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(workflow.NEWS.transitions))
@pytest.mark.parametrize("status", workflow.NEWS_STATES)
def test_news_transitions(name: str, status: str, people: dict[str, Any], org_a: Any) -> None:
    transition = workflow.NEWS[name]
    for role, user in people.items():
        item = _news_in(status, org_a)
        in_scope = role in {"officer", "partner_admin"}

        def act(user: Any = user, item: NewsItem = item) -> NewsItem:
            reason = "À compléter." if name == "send_back" else ""
            return news.transition_news(user, item, name, reason=reason, expected_version=item.version)

        if not in_scope:
            with pytest.raises(NotFound):
                act()
        elif role not in transition.roles:
            with pytest.raises(PermissionDenied):
                act()
        elif status not in transition.sources:
            with pytest.raises(Conflict):
                act()
        else:
            assert workflow.news_status(act()) == transition.target
            assert AuditEvent.objects.filter(action=f"news.{name}", object_id=str(item.pk)).exists()
            continue
        fresh = NewsItem.objects.get(pk=item.pk)
        assert workflow.news_status(fresh) == status and fresh.version == 1


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(workflow.FAQ.transitions))
@pytest.mark.parametrize("state", workflow.FAQ_STATES)
def test_faq_transitions(name: str, state: str, people: dict[str, Any]) -> None:
    transition = workflow.FAQ[name]
    for role, user in people.items():
        question = FaqQuestionFactory.create(state=state)
        if role not in transition.roles:
            with pytest.raises(PermissionDenied):
                faq.transition_faq_question(user, question, name)
        elif state not in transition.sources:
            with pytest.raises(Conflict):
                faq.transition_faq_question(user, question, name)
        else:
            assert faq.transition_faq_question(user, question, name).state == transition.target


def test_available_to_lists_the_buttons_of_a_role(make_user: Callable[..., User], org_a: Organisation) -> None:
    officer, partner = make_user("officer"), make_user("partner_admin", organisation=org_a)
    assert [t.name for t in workflow.GOOD_PRACTICES.available_to(officer, "published")] == ["archive", "withdraw"]
    assert [t.name for t in workflow.NEWS.available_to(partner, "draft")] == ["submit"]
    assert [t.name for t in workflow.NEWS.available_to(officer, "submitted")] == ["send_back", "publish"]


@pytest.mark.django_db
def test_archived_practice_published_again_keeps_its_first_publication_date(make_user: Callable[..., User]) -> None:
    officer = make_user("officer")
    practice = GoodPracticeFactory.create(state="draft", published_at=None)
    first = good_practices.transition_good_practice(officer, practice, "publish").published_at
    archived = good_practices.transition_good_practice(officer, practice, "archive")
    assert archived.archived_at is not None
    again = good_practices.transition_good_practice(officer, practice, "republish")
    assert again.published_at == first and again.archived_at is None
    assert GoodPractice.objects.get(pk=practice.pk).state == "published"
