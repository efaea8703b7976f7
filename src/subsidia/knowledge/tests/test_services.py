"""The knowledge base's services: good practices and attachments, the FAQ, the news and partners' proposals."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from pytest_django import DjangoCaptureOnCommitCallbacks

from subsidia.accounts.models import User
from subsidia.audit.models import AuditEvent
from subsidia.core.errors import Conflict, NotFound, PermissionDenied, RuleViolation
from subsidia.events.models import Block, Event
from subsidia.knowledge.forms import FaqQuestionForm, GoodPracticeForm, NewsForm
from subsidia.knowledge.inputs import FaqQuestionInput, FaqTopicInput, GoodPracticeInput, NewsInput
from subsidia.knowledge.models import FaqQuestion, GoodPractice, GoodPracticeAttachment, NewsItem, NewsTag
from subsidia.knowledge.services import faq, good_practices, news
from subsidia.notifications.models import Kind, Notification
from subsidia.organisations.models import Organisation
from subsidia.organisations.tests.factories import MunicipalityFactory, OrganisationFactory, ThemeFactory

from .factories import FaqQuestionFactory, FaqTopicFactory, GoodPracticeFactory, NewsItemFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(make_user: Callable[..., User]) -> User:
    return make_user("officer")


def _event(title: str = "Conférence nationale") -> Event:
    from datetime import timedelta

    from django.utils import timezone
    start = timezone.now()
    return Event.objects.create(title=title, slug=title.lower().replace(" ", "-"), summary="…", starts_at=start,
                                ends_at=start + timedelta(hours=4))


# --- good practices ------------------------------------------------------------------------------

def test_create_good_practice_sanitises_makes_a_unique_slug_and_audits(officer: Any) -> None:
    theme, commune = ThemeFactory.create(code="integration"), MunicipalityFactory.create(name="Mersch")
    org = OrganisationFactory.create()
    GoodPracticeFactory.create(title="Plan communal", slug="plan-communal-d-integration")
    practice = good_practices.create_good_practice(officer, GoodPracticeInput(
        title="Plan communal d'intégration", summary="Un plan.",
        body='<p onclick="x()">Texte <script>alert(1)</script><a href="javascript:alert(1)">lien</a></p>',
        theme=theme, municipalities=(commune,), actors=(org,), is_example=True))
    assert practice.slug == "plan-communal-d-integration-2"
    assert practice.state == "draft" and practice.created_by == officer and practice.is_example
    assert "script" not in practice.body and "onclick" not in practice.body and "javascript" not in practice.body
    assert list(practice.municipalities.all()) == [commune] and list(practice.actors.all()) == [org]
    event = AuditEvent.objects.get(action="good_practice.create")
    assert event.after is not None and event.after["title"] == "Plan communal d'intégration"


def test_slug_never_takes_a_reserved_address(officer: Any) -> None:
    practice = good_practices.create_good_practice(officer, GoodPracticeInput(title="Gestion", summary="…"))
    assert practice.slug == "gestion-2"


def test_good_practice_rules_are_reported_together(officer: Any) -> None:
    # The formats are the form's, which parses the service's input: every problem of a page at once.
    form = GoodPracticeForm(data={"title": "", "summary": "", "contact_email": "pas-une-adresse", "theme": 999999})
    assert not form.is_valid()
    assert set(form.errors) == {"title", "summary", "contact_email", "theme"}
    assert not GoodPractice.objects.exists()


def test_block_sets_the_event_and_must_belong_to_it(officer: Any) -> None:
    event, other = _event(), _event("Autre journée")
    block = Block.objects.create(event=event, title="Logement social abordable")
    practice = good_practices.create_good_practice(officer, GoodPracticeInput(title="Logement", summary="…",
                                                                              block=block))
    assert practice.event == event
    with pytest.raises(RuleViolation) as error:
        good_practices.update_good_practice(officer, practice, replace(GoodPracticeInput.of(practice), event=other))
    assert error.value.violations[0].code == "block_event_mismatch"


def test_only_officers_write_good_practices(make_user: Callable[..., User], org_a: Organisation) -> None:
    practice = GoodPracticeFactory.create()
    for user in [make_user("partner_admin", organisation=org_a), make_user("moderator"), make_user("admin")]:
        with pytest.raises(PermissionDenied):
            good_practices.create_good_practice(user, GoodPracticeInput(title="X", summary="Y"))
        with pytest.raises(PermissionDenied):
            good_practices.update_good_practice(user, practice, replace(GoodPracticeInput.of(practice), title="X"))
    assert GoodPractice.objects.count() == 1


def test_update_with_a_stale_version_is_a_conflict(officer: Any) -> None:
    practice = GoodPracticeFactory.create(title="Avant")
    good_practices.update_good_practice(officer, practice, replace(GoodPracticeInput.of(practice), title="Première"),
                                        expected_version=1)
    with pytest.raises(Conflict) as error:
        good_practices.update_good_practice(officer, practice, replace(GoodPracticeInput.of(practice), title="Seconde"),
                                            expected_version=1)
    assert error.value.status_code == 409
    practice.refresh_from_db()
    assert practice.title == "Première" and practice.version == 2
    with pytest.raises(Conflict):
        good_practices.transition_good_practice(officer, practice, "archive", expected_version=1)


def test_attachment_is_checked_by_content_stored_and_deleted(
        officer: Any, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks) -> None:
    practice = GoodPracticeFactory.create()
    with pytest.raises(RuleViolation) as error:
        good_practices.add_attachment(officer, practice, SimpleUploadedFile("virus.pdf", b"MZ\x90\x00 not a pdf"))
    assert error.value.violations[0].code == "file_type_not_allowed"
    attachment = good_practices.add_attachment(officer, practice,
                                               SimpleUploadedFile("rapport final.pdf", b"%PDF-1.4\n"))
    assert attachment.title == "rapport final" and attachment.content_type == "application/pdf"
    assert attachment.file.name.endswith(".pdf") and default_storage.exists(attachment.file.name)
    name = attachment.file.name
    with django_capture_on_commit_callbacks(execute=True):
        good_practices.delete_attachment(officer, attachment)
    assert not GoodPracticeAttachment.objects.exists() and not default_storage.exists(name)
    assert AuditEvent.objects.filter(action="good_practice.attachment_delete").exists()


# --- FAQ -----------------------------------------------------------------------------------------

def test_last_updated_on_changes_with_the_text_not_the_order(officer: Any, on_day: Callable[[date], None]) -> None:
    on_day(date(2024, 1, 10))
    topic = faq.create_faq_topic(officer, FaqTopicInput(name="Inscription", position=1))
    question = faq.create_faq_question(officer, FaqQuestionInput(topic=topic, question="Qui ?", answer="<p>A</p>"))
    assert question.last_updated_on == date(2024, 1, 10) and question.state == "draft"
    on_day(date(2024, 3, 1))
    moved = faq.update_faq_question(officer, question, FaqQuestionInput(topic=topic, position=5, question="Qui ?",
                                                                        answer="<p>A</p>"))
    other = faq.create_faq_topic(officer, FaqTopicInput(name="Autre"))
    moved = faq.update_faq_question(officer, moved, replace(FaqQuestionInput.of(moved), topic=other))
    faq.transition_faq_question(officer, moved, "publish")
    moved.refresh_from_db()
    assert moved.position == 5 and moved.topic == other and moved.last_updated_on == date(2024, 1, 10)
    on_day(date(2024, 4, 2))
    # Markup that the sanitiser removes anyway is no change for readers.
    same = faq.update_faq_question(officer, moved, replace(FaqQuestionInput.of(moved),
                                                           answer="<p>A</p><script>x</script>"))
    assert same.last_updated_on == date(2024, 1, 10)
    changed = faq.update_faq_question(officer, same, replace(FaqQuestionInput.of(same), answer="<p>B</p>"))
    assert changed.last_updated_on == date(2024, 4, 2)
    on_day(date(2024, 5, 3))
    assert faq.update_faq_question(officer, changed, replace(FaqQuestionInput.of(changed), question="Qui donc ?")
                                   ).last_updated_on == date(2024, 5, 3)


def test_faq_question_version_and_topic_rules(officer: Any) -> None:
    question = FaqQuestionFactory.create()
    with pytest.raises(Conflict):
        faq.update_faq_question(officer, question, replace(FaqQuestionInput.of(question), question="Nouveau ?"),
                                expected_version=7)
    # The formats are the form's: an answer of which the sanitiser leaves nothing is no answer.
    form = FaqQuestionForm(data={"topic": "", "question": "", "answer": "<script></script>", "position": 0})
    assert not form.is_valid()
    assert set(form.errors) == {"topic", "question", "answer"}
    with pytest.raises(RuleViolation) as error:
        faq.create_faq_question(officer, FaqQuestionInput(topic=question.topic, question="Q ?",
                                                          answer="<script></script>"))
    assert {v.field for v in error.value.violations} == {"answer"}
    with pytest.raises(RuleViolation):
        faq.create_faq_topic(officer, FaqTopicInput(name=question.topic.name.upper()))
    with pytest.raises(Conflict):
        faq.delete_faq_topic(officer, question.topic)
    faq.delete_faq_question(officer, question)
    faq.delete_faq_topic(officer, question.topic)
    assert not FaqQuestion.objects.exists()
    assert AuditEvent.objects.filter(action="faq_topic.delete").exists()


def test_only_officers_edit_the_faq(make_user: Callable[..., User]) -> None:
    topic = FaqTopicFactory.create()
    with pytest.raises(PermissionDenied):
        faq.create_faq_question(make_user("moderator"), FaqQuestionInput(topic=topic, question="Q", answer="A"))
    with pytest.raises(PermissionDenied):
        faq.delete_faq_topic(make_user(), topic)


# --- news ----------------------------------------------------------------------------------------

def test_partner_writes_news_for_their_own_organisation_only(make_user: Callable[..., User], org_a: Organisation,
                                                             org_b: Organisation) -> None:
    partner = make_user("partner_admin", organisation=org_a)
    item = news.create_news(partner, NewsInput(title="Fête", body="<p>Venez</p>", tags=("Quartier", "fête"),
                                               is_example=True, issuing_body_name="Autre"))
    assert item.issuing_body == org_a and item.state == "draft" and not item.is_example
    assert item.issuing_body_name == "" and {t.slug for t in item.tags.all()} == {"quartier", "fete"}
    with pytest.raises(RuleViolation) as error:
        news.create_news(partner, NewsInput(title="X", body="<p>Y</p>", issuing_body=org_b))
    assert error.value.violations[0].field == "issuing_body"
    with pytest.raises(NotFound):
        news.update_news(make_user("partner_admin", organisation=org_b), item,
                         replace(NewsInput.of(item), title="Pris"))
    with pytest.raises(PermissionDenied):
        news.create_news(make_user("partner_member", organisation=org_a), NewsInput(title="X", body="Y"))


def test_partner_proposal_sent_back_then_published(make_user: Callable[..., User], org_a: Organisation) -> None:
    partner, officer = make_user("partner_admin", organisation=org_a), make_user("officer")
    colleague = make_user("partner_admin", organisation=org_a)
    item = news.create_news(partner, NewsInput(title="Fête", body="<p>Venez</p>"))
    item = news.transition_news(partner, item, "submit", expected_version=item.version)
    assert item.submitted_at is not None and item.state == "draft"
    proposed = Notification.objects.get(kind=Kind.NEWS_SUBMITTED)
    assert proposed.user == officer and "Fête" in proposed.subject and org_a.name in proposed.body
    with pytest.raises(Conflict):
        news.update_news(partner, item, replace(NewsInput.of(item), title="Changé"))
    with pytest.raises(RuleViolation):
        news.transition_news(officer, item, "send_back", reason="  ")
    item = news.transition_news(officer, item, "send_back", reason="Ajoutez l'adresse.")
    assert item.submitted_at is None
    notes = Notification.objects.filter(subject__contains="Fête", kind=Kind.NEWS_REVIEWED)
    assert {n.user for n in notes} == {partner, colleague}
    first = notes.first()
    assert first is not None and "Ajoutez l'adresse." in first.body
    assert AuditEvent.objects.get(action="news.send_back").note == "Ajoutez l'adresse."
    item = news.update_news(partner, item, replace(NewsInput.of(item), place="Mersch"))
    item = news.transition_news(partner, item, "submit")
    item = news.transition_news(officer, item, "publish")
    assert item.state == "published" and item.published_at is not None
    assert Notification.objects.filter(user=partner, subject__startswith="Actualité publiée").exists()


def test_officer_writes_news_with_any_issuer_and_tags_are_reused(officer: Any) -> None:
    org = OrganisationFactory.create()
    NewsTag.objects.create(name="Intégration", slug="integration")
    item = news.create_news(officer, NewsInput(title="Appel", body="<p>x</p>", issuing_body=org,
                                               tags=("integration", "Logement"), date=date(2024, 2, 11)))
    assert item.issuing_body == org and item.date == date(2024, 2, 11)
    assert sorted(t.name for t in item.tags.all()) == ["Intégration", "Logement"]
    # The formats are the form's (which reads French dates too): a text and a date are required.
    form = NewsForm(data={"title": "X", "body": "", "date": "pas une date"}, user=officer)
    assert not form.is_valid()
    assert set(form.errors) == {"body", "date"}
    assert NewsItem.objects.count() == 1


def test_news_stale_version_is_refused(officer: Any) -> None:
    item = NewsItemFactory.create()
    news.transition_news(officer, item, "archive", expected_version=1)
    with pytest.raises(Conflict):
        news.transition_news(officer, item, "republish", expected_version=1)
