"""The evaluation questionnaire: building it, sending it, answering once through a signed link, the results and
their charts, and the public report once published."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta

import pytest
from django.core import signing
from django.core.mail import EmailMessage
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django import DjangoCaptureOnCommitCallbacks

from subsidia.accounts.models import User
from subsidia.audit.models import AuditEvent
from subsidia.core.errors import Conflict, PermissionDenied, RuleViolation
from subsidia.events import charts, evaluation
from subsidia.events.inputs import QuestionInput
from subsidia.events.models import (
    EvaluationAnswer,
    EvaluationQuestion,
    EvaluationResponse,
    Event,
    QuestionKind,
    Registration,
    RegistrationStatus,
)

from .factories_staff import QuestionFactory, RegistrationFactory, StaffEventFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(make_user: Callable[..., User]) -> User:
    return make_user("officer")


@pytest.fixture
def past_event() -> Event:
    start = timezone.now() - timedelta(days=2)
    return StaffEventFactory.create(starts_at=start, ends_at=start + timedelta(hours=4))


def _questionnaire(event: Event) -> tuple[EvaluationQuestion, EvaluationQuestion, EvaluationQuestion]:
    rating = QuestionFactory.create(event=event, text="Note globale", kind=QuestionKind.RATING, required=True,
                                    position=1)
    choice = QuestionFactory.create(event=event, text="Format préféré", kind=QuestionKind.CHOICE,
                                    options="Tables rondes\nPlénière", position=2)
    text = QuestionFactory.create(event=event, text="Suggestions", kind=QuestionKind.TEXT, position=3)
    return rating, choice, text


# --- builder -------------------------------------------------------------------------------------

def test_questions_are_built_by_officers_only(officer: User, make_user: Callable[..., User], past_event: Event) -> None:
    with pytest.raises(PermissionDenied):
        evaluation.add_question(make_user("moderator"), past_event, QuestionInput(text="Q", kind="rating"))
    with pytest.raises(RuleViolation) as caught:
        evaluation.add_question(officer, past_event, QuestionInput(text="Format ?", kind="choice", options="Seul"))
    assert caught.value.violations[0].field == "options"
    first = evaluation.add_question(officer, past_event, QuestionInput(text="Note", kind="rating", required=True))
    second = evaluation.add_question(officer, past_event, QuestionInput(text="Format", kind="choice",
                                                                        options="A\n\n B \n"))
    assert (first.position, second.position) == (1, 2)
    assert second.option_list == ["A", "B"]
    evaluation.move_question(officer, second, up=True)
    assert list(past_event.evaluation_questions.values_list("text", flat=True)) == ["Format", "Note"]
    assert AuditEvent.objects.filter(action="evaluation_question.create").count() == 2


def test_answered_questions_keep_their_type(officer: User, past_event: Event) -> None:
    rating, _choice, _text = _questionnaire(past_event)
    registration = RegistrationFactory.create(event=past_event, evaluation_invited_at=timezone.now())
    evaluation.submit_response(registration, {f"q{rating.pk}": "4"})
    with pytest.raises(RuleViolation):
        evaluation.update_question(officer, rating, replace(QuestionInput.of(rating), kind="text"))
    with pytest.raises(Conflict):
        evaluation.delete_question(officer, rating)
    evaluation.update_question(officer, rating, replace(QuestionInput.of(rating), text="Note globale de la matinée"))
    rating.refresh_from_db()
    assert rating.text == "Note globale de la matinée" and rating.kind == QuestionKind.RATING


# --- sending -------------------------------------------------------------------------------------

def test_sent_to_those_checked_in(officer: User, past_event: Event, mailoutbox: list[EmailMessage],
                                  django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks) -> None:
    _questionnaire(past_event)
    came = RegistrationFactory.create(event=past_event, checked_in_at=timezone.now())
    RegistrationFactory.create(event=past_event)  # confirmed but did not come
    with django_capture_on_commit_callbacks(execute=True):
        assert evaluation.send_questionnaire(officer, past_event) == 1
    assert [m.to for m in mailoutbox] == [[came.email]]
    link = re.search(r"http\S+/evenements/questionnaire/(\S+)/", str(mailoutbox[0].body))
    assert link is not None
    assert evaluation.registration_for(link.group(1)) == came
    past_event.refresh_from_db()
    assert past_event.evaluation_sent_at is not None
    sent = AuditEvent.objects.get(action="event.evaluation_send")
    assert sent.after is not None and sent.after["invited"] == 1
    with pytest.raises(Conflict):  # everybody concerned already has it
        evaluation.send_questionnaire(officer, past_event)


def test_sent_to_every_confirmed_person_when_nobody_was_checked_in(
        officer: User, past_event: Event, mailoutbox: list[EmailMessage],
        django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks) -> None:
    _questionnaire(past_event)
    confirmed = RegistrationFactory.create_batch(2, event=past_event)
    RegistrationFactory.create(event=past_event, status=RegistrationStatus.CANCELLED)
    RegistrationFactory.create(event=past_event, status=RegistrationStatus.WAITLISTED)
    with django_capture_on_commit_callbacks(execute=True):
        assert evaluation.send_questionnaire(officer, past_event) == 2
    assert sorted(m.to[0] for m in mailoutbox) == sorted(r.email for r in confirmed)


def test_not_sent_before_the_end_nor_without_questions(officer: User, past_event: Event) -> None:
    RegistrationFactory.create(event=past_event)
    with pytest.raises(RuleViolation):
        evaluation.send_questionnaire(officer, past_event)
    upcoming = StaffEventFactory.create()
    QuestionFactory.create(event=upcoming)
    with pytest.raises(Conflict):
        evaluation.send_questionnaire(officer, upcoming)
    assert not AuditEvent.objects.exists()


# --- answering -----------------------------------------------------------------------------------

def _invited(event: Event) -> Registration:
    return RegistrationFactory.create(event=event, evaluation_invited_at=timezone.now())


def test_answer_once_through_the_link(client: Client, past_event: Event) -> None:
    rating, choice, text = _questionnaire(past_event)
    registration = _invited(past_event)
    url = reverse("events:evaluation_answer", kwargs={"token": evaluation.token_for(registration)})
    page = client.get(url)
    assert page.status_code == 200 and "Note globale" in page.content.decode()
    missing = client.post(url, {f"q{choice.pk}": "Plénière"})
    assert missing.status_code == 422 and "Cette question demande une réponse." in missing.content.decode()
    assert not EvaluationResponse.objects.exists()
    done = client.post(url, {f"q{rating.pk}": "5", f"q{choice.pk}": "Plénière", f"q{text.pk}": "Plus de pauses"})
    assert done.status_code == 200 and "Merci" in done.content.decode()
    response = EvaluationResponse.objects.get()
    assert {a.question_id: (a.rating, a.choice, a.text) for a in response.answers.all()} == {
        rating.pk: (5, "", ""), choice.pk: (None, "Plénière", ""), text.pk: (None, "", "Plus de pauses")}
    again = client.get(url)
    assert "Vous avez déjà répondu" in again.content.decode()
    client.post(url, {f"q{rating.pk}": "1"})
    assert EvaluationResponse.objects.count() == 1


def test_the_service_refuses_a_second_answer_and_bad_values(past_event: Event) -> None:
    rating, choice, _text = _questionnaire(past_event)
    registration = _invited(past_event)
    with pytest.raises(RuleViolation) as caught:
        evaluation.submit_response(registration, {f"q{rating.pk}": "9", f"q{choice.pk}": "Autre"})
    assert {v.field for v in caught.value.violations} == {f"q{rating.pk}", f"q{choice.pk}"}
    evaluation.submit_response(registration, {f"q{rating.pk}": "3"})
    with pytest.raises(Conflict):
        evaluation.submit_response(registration, {f"q{rating.pk}": "3"})
    assert EvaluationAnswer.objects.count() == 1


def test_tampered_or_foreign_token_is_not_found(client: Client, past_event: Event) -> None:
    registration = _invited(past_event)
    token = evaluation.token_for(registration)
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    assert client.get(reverse("events:evaluation_answer", kwargs={"token": tampered})).status_code == 404
    other_salt = signing.dumps(str(registration.uid), salt="events.cancel")
    assert client.get(reverse("events:evaluation_answer", kwargs={"token": other_salt})).status_code == 404
    not_invited = RegistrationFactory.create(event=past_event)
    url = reverse("events:evaluation_answer", kwargs={"token": evaluation.token_for(not_invited)})
    assert client.get(url).status_code == 404


# --- results, charts and the report --------------------------------------------------------------

def test_results_are_aggregated_without_names(past_event: Event) -> None:
    rating, choice, text = _questionnaire(past_event)
    for score, pick in [(5, "Plénière"), (4, "Plénière"), (4, "Tables rondes")]:
        evaluation.submit_response(_invited(past_event), {f"q{rating.pk}": score, f"q{choice.pk}": pick,
                                                          f"q{text.pk}": f"Avis {score}"})
    results = {r.question.pk: r for r in evaluation.results(past_event)}
    assert results[rating.pk].bars == [("1", 0), ("2", 0), ("3", 0), ("4", 2), ("5", 1)]
    assert results[rating.pk].average == pytest.approx(4.33)
    assert results[choice.pk].bars == [("Tables rondes", 1), ("Plénière", 2)]
    assert sorted(results[text.pk].texts) == ["Avis 4", "Avis 4", "Avis 5"]
    assert results[rating.pk].answered == 3


def test_chart_is_accessible_svg_with_the_numbers() -> None:
    svg = str(charts.bar_chart("Note <globale>", "Réponses par note.", [("1", 0), ("4", 12), ("5", 7)]))
    assert svg.startswith("<svg") and 'role="img"' in svg
    assert "<title" in svg and "<desc" in svg and "Note &lt;globale&gt;" in svg
    assert ">12</text>" in svg and ">7</text>" in svg and "4 : 12" in svg
    assert "style=" not in svg and "<script" not in svg


def test_report_hidden_until_published(officer: User, client: Client, past_event: Event,
                                       login: Callable[..., Client]) -> None:
    rating, _choice, _text = _questionnaire(past_event)
    for _ in range(5):  # fewer answers would publish no chart (test_evaluation_small_numbers.py)
        evaluation.submit_response(_invited(past_event), {f"q{rating.pk}": "5"})
    url = reverse("events:evaluation_report", kwargs={"slug": past_event.slug})
    assert client.get(url).status_code == 404
    with pytest.raises(RuleViolation):  # nothing written yet
        evaluation.publish_report(officer, past_event)
    evaluation.update_report(officer, past_event, "<h2>Bilan</h2><p>Très bien<script>x</script></p>")
    past_event.refresh_from_db()
    assert "<script" not in past_event.evaluation_report
    assert client.get(url).status_code == 404
    evaluation.publish_report(officer, past_event)
    page = client.get(url)
    body = page.content.decode()
    assert page.status_code == 200 and "Bilan" in body and "<svg" in body and "<script>x" not in body
    assert AuditEvent.objects.filter(action="event.evaluation_report_publish").exists()
    evaluation.publish_report(officer, past_event, publish=False)
    assert client.get(url).status_code == 404


def test_results_page_for_officers(officer: User, login: Callable[..., Client], past_event: Event) -> None:
    rating, _choice, _text = _questionnaire(past_event)
    evaluation.submit_response(_invited(past_event), {f"q{rating.pk}": "2"})
    client = login(officer)
    page = client.get(reverse("events:evaluation_results", kwargs={"pk": past_event.pk}))
    body = page.content.decode()
    assert page.status_code == 200 and "<svg" in body and "Personne" not in body


def test_after_event_links(past_event: Event) -> None:
    from django.template.loader import render_to_string

    assert render_to_string("events/_after_event_links.html", {"event": past_event}).strip() == ""
    past_event.evaluation_report = "<p>Bilan</p>"
    past_event.evaluation_published_at = timezone.now()
    past_event.save()
    html = render_to_string("events/_after_event_links.html", {"event": past_event})
    assert reverse("events:evaluation_report", kwargs={"slug": past_event.slug}) in html
    assert reverse("events:gallery", kwargs={"slug": past_event.slug}) not in html


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor == "sqlite", reason="SQLite serialises writers, and the audit trail's "
                    "append-only trigger forbids the flush a transactional test needs; runs on PostgreSQL")
def test_the_same_link_submitted_twice_at_once_records_one_response() -> None:
    start = timezone.now() - timedelta(days=2)
    event = StaffEventFactory.create(starts_at=start, ends_at=start + timedelta(hours=4))
    rating = QuestionFactory.create(event=event, kind=QuestionKind.RATING)
    registration = _invited(event)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def answer() -> None:
        from django.db import connections

        try:
            barrier.wait()
            evaluation.submit_response(registration, {f"q{rating.pk}": "4"})
            outcomes.append("saved")
        except Conflict:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=answer) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["refused", "saved"]
    assert EvaluationResponse.objects.filter(event=event).count() == 1
