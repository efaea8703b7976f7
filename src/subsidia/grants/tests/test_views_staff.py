"""The ministry's pages on calls and applications: queue, assignment, reviews, decisions, payments."""

from __future__ import annotations

import html
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.template.loader import render_to_string
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone
from pytest_django import Settings

from subsidia.accounts.models import User
from subsidia.audit.models import AuditEvent
from subsidia.conftest import ClientResponse, sign_in
from subsidia.grants import selectors, views_staff_panel
from subsidia.grants.inputs import CallInput, DecisionInput
from subsidia.grants.models import (
    Application,
    Call,
    Criterion,
    Decision,
    EligibilityCheck,
    Review,
    Score,
    State,
    Tranche,
)
from subsidia.grants.services import calls as call_services
from subsidia.grants.services import decisions as decision_services
from subsidia.organisations.models import Organisation

from .factories import ApplicationFactory, CallFactory

pytestmark = pytest.mark.django_db


def client_for(user: User) -> Client:
    return sign_in(Client(), user)


def texts(response: ClientResponse) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def submitted_review(application: Application, reviewer: User, scores: dict[str, int],
                     recommendation: str = "fund") -> Review:
    review = Review.objects.create(application=application, reviewer=reviewer)
    for criterion in application.call.criteria.all():
        Score.objects.create(review=review, criterion=criterion, score=scores[criterion.title])
    review.status, review.recommendation = Review.Status.SUBMITTED, recommendation
    review.submitted_at = timezone.now()
    review.save()
    return review


@pytest.fixture
def officer(make_user: Callable[..., User]) -> User:
    return make_user("officer")


@pytest.fixture
def reviewer(make_user: Callable[..., User]) -> User:
    return make_user("reviewer", full_name="Rita Reviewer")


# --- calls -----------------------------------------------------------------------------------------

def _call_post(**overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "programme": "Subsides intégration", "year": "2026", "title": "Vivre ensemble 2026",
        "text": "Projets locaux.", "priorities": "Participation politique\n\nLutte contre les discriminations\n",
        "eligible_legal_forms": ["asbl", "federation"], "min_lead_weeks": "6",
        "required_document_kinds": ["description", "budget"], "deliverable_types": ["event", "video"],
        "opens_on": "2026-01-01", "closes_on": "", "budget": "50000.00", "is_published": "on",
        "criteria-TOTAL_FORMS": "3", "criteria-INITIAL_FORMS": "0",
        "criteria-0-title": "Pertinence", "criteria-0-weight": "3", "criteria-0-help_text": "",
        "criteria-1-title": "Faisabilité", "criteria-1-weight": "1", "criteria-1-help_text": "",
        "criteria-2-title": "", "criteria-2-weight": "1", "criteria-2-help_text": "",
        "questions-TOTAL_FORMS": "2", "questions-INITIAL_FORMS": "0",
        "questions-0-key": "public", "questions-0-label": "Public visé", "questions-0-kind": "choice",
        "questions-0-choices": "Jeunes\nAdultes", "questions-0-required": "on",
        "questions-0-shown_if_question": "", "questions-0-shown_if_value": "",
        "questions-1-key": "ecoles", "questions-1-label": "Quelles écoles ?", "questions-1-kind": "text",
        "questions-1-choices": "", "questions-1-shown_if_question": "public", "questions-1-shown_if_value": "Jeunes",
    }
    data.update(overrides)
    return data


def test_officer_creates_a_call_with_criteria_questions_and_priorities(officer: User) -> None:
    client = client_for(officer)
    form = client.get(reverse("grants:call_create"))
    assert form.status_code == 200
    assert form.context["form"].initial["eligible_legal_forms"] == ["asbl", "federation"]
    assert form.context["form"].initial["min_lead_weeks"] == 6
    response = client.post(reverse("grants:call_create"), _call_post())
    assert response.status_code == 302
    call = Call.objects.get(title="Vivre ensemble 2026")
    assert call.closes_on is None and call.is_published and call.budget == Decimal("50000.00")
    assert [p.title for p in call.priorities.all()] == ["Participation politique", "Lutte contre les discriminations"]
    assert [(c.title, c.weight) for c in call.criteria.all()] == [("Pertinence", 3), ("Faisabilité", 1)]
    public, schools = call.questions.all()
    assert public.choices == ["Jeunes", "Adultes"] and public.required
    assert schools.shown_if_question == public and schools.shown_if_value == "Jeunes"


def test_call_rules_are_shown_on_the_form(officer: User) -> None:
    response = client_for(officer).post(reverse("grants:call_create"),
                                        _call_post(opens_on="2026-05-01", closes_on="2026-04-01"))
    assert response.status_code == 422
    assert response.context["form"].errors["closes_on"]
    assert "La clôture précède l'ouverture" in html.unescape(response.content.decode())
    assert not Call.objects.filter(title="Vivre ensemble 2026").exists()


def test_duplicate_question_keys_are_refused(officer: User) -> None:
    response = client_for(officer).post(reverse("grants:call_create"), _call_post(**{"questions-1-key": "public"}))
    assert response.status_code == 422
    assert "même identifiant" in html.unescape(response.content.decode())
    assert not Call.objects.filter(title="Vivre ensemble 2026").exists()


def test_call_edit_with_a_stale_version_is_refused_and_input_kept(officer: User,
                                                                  make_user: Callable[..., User]) -> None:
    call = CallFactory.create(title="Appel initial")
    client = client_for(officer)
    page = client.get(reverse("grants:call_edit", kwargs={"pk": call.pk}))
    assert page.status_code == 200
    version = page.context["form"].initial["version"]
    # Meanwhile, a colleague saves the call.
    call_services.update_call(make_user("officer"), call, CallInput(text="Texte du collègue."))
    data = _call_post(title="Mon nouveau titre", version=str(version), **{
        "criteria-TOTAL_FORMS": "2", "criteria-INITIAL_FORMS": "2"})
    response = client.post(reverse("grants:call_edit", kwargs={"pk": call.pk}), data)
    assert response.status_code == 409
    assert any("modifié entre-temps" in m for m in texts(response))
    assert 'value="Mon nouveau titre"' in response.content.decode()  # what was typed is kept
    call.refresh_from_db()
    assert call.title == "Appel initial" and call.text == "Texte du collègue."


def test_call_edit_saves_with_the_current_version(officer: User) -> None:
    call = CallFactory.create(title="Appel initial")
    data = _call_post(title="Appel renommé", version=str(call.version), **{
        "criteria-TOTAL_FORMS": "2", "criteria-INITIAL_FORMS": "2"})
    response = client_for(officer).post(reverse("grants:call_edit", kwargs={"pk": call.pk}), data)
    assert response.status_code == 302
    call.refresh_from_db()
    assert call.title == "Appel renommé" and call.version == 2


def test_call_list_shows_budget_committed_and_remaining(officer: User) -> None:
    CallFactory.create(title="Appel publié", budget=Decimal(1000), committed=Decimal(400))
    CallFactory.create(title="Appel en préparation", is_published=False)
    response = client_for(officer).get(reverse("grants:call_manage_list"))
    content = response.content.decode()
    assert "Appel publié" in content and "Appel en préparation" in content and "brouillon" in content
    assert "600,00" in content


# --- the queue -------------------------------------------------------------------------------------

def test_queue_filters_search_and_sort(officer: User, reviewer: User, org_a: Organisation, org_b: Organisation) -> None:
    call = CallFactory.create()
    other_call = CallFactory.create()
    a1 = ApplicationFactory.create(call=call, organisation=org_a, title="Exposition citoyenne",
                                   state=State.UNDER_REVIEW, requested_amount=Decimal(3000))
    a2 = ApplicationFactory.create(call=call, organisation=org_b, title="Atelier théâtre", state=State.SUBMITTED,
                                   requested_amount=Decimal(9000))
    a3 = ApplicationFactory.create(call=other_call, organisation=org_a, title="Brochure", state=State.UNDER_REVIEW,
                                   requested_amount=Decimal(5000))
    Review.objects.create(application=a1, reviewer=reviewer)
    client = client_for(officer)
    url = reverse("grants:queue")

    def refs(**params: str) -> list[str]:
        response = client.get(url, params)
        assert response.status_code == 200
        return [row["application"].reference for row in response.context["rows"]]

    assert set(refs()) == {a1.reference, a2.reference, a3.reference}
    assert set(refs(call=str(call.pk))) == {a1.reference, a2.reference}
    assert refs(state="submitted") == [a2.reference]
    assert set(refs(organisation=str(org_a.pk))) == {a1.reference, a3.reference}
    assert refs(reviewer=str(reviewer.pk)) == [a1.reference]
    assert set(refs(reviewer="none")) == {a2.reference, a3.reference}
    assert refs(q="théâtre") == [a2.reference]
    assert refs(q="Association B") == [a2.reference]
    assert refs(sort="-amount") == [a2.reference, a3.reference, a1.reference]
    assert refs(sort="amount", call=str(call.pk)) == [a1.reference, a2.reference]
    # The sorted column says so; its link sorts the other way and keeps the filters.
    content = client.get(url, {"sort": "amount", "call": str(call.pk)}).content.decode()
    assert 'aria-sort="ascending"' in content
    assert f"call={call.pk}&amp;sort=-amount" in content


def test_queue_paginates_by_25(officer: User) -> None:
    call = CallFactory.create()
    for _ in range(27):
        ApplicationFactory.create(call=call, state=State.SUBMITTED, complete=False)
    client = client_for(officer)
    first = client.get(reverse("grants:queue"), {"sort": "reference"})
    assert len(first.context["rows"]) == 25
    assert "Page 1 sur 2" in first.content.decode()
    second = client.get(reverse("grants:queue"), {"sort": "reference", "page": "2"})
    assert len(second.context["rows"]) == 2


def test_queue_filters_pending_decisions(officer: User, make_user: Callable[..., User]) -> None:
    call = CallFactory.create()
    pending = ApplicationFactory.create(call=call, state=State.UNDER_REVIEW)
    ApplicationFactory.create(call=call, state=State.UNDER_REVIEW)
    Decision.objects.create(application=pending, outcome="approved", granted_amount=Decimal(6000),
                            decided_by=make_user("approver"))
    response = client_for(officer).get(reverse("grants:queue"), {"decision": "pending"})
    assert [r["application"] for r in response.context["rows"]] == [pending]


def test_readers_see_the_queue_without_the_assignment_form(make_user: Callable[..., User]) -> None:
    ApplicationFactory.create(state=State.UNDER_REVIEW)
    response = client_for(make_user("auditor")).get(reverse("grants:queue"))
    assert response.status_code == 200
    assert reverse("grants:queue_assign") not in response.content.decode()


def test_bulk_assignment_creates_reviews_and_returns_to_the_filtered_queue(officer: User, reviewer: User,
                                                                           make_user: Callable[..., User]) -> None:
    second = make_user("reviewer")
    a1 = ApplicationFactory.create(state=State.UNDER_REVIEW)
    a2 = ApplicationFactory.create(state=State.ELIGIBILITY)
    back = reverse("grants:queue") + "?state=under_review&sort=-amount"
    response = client_for(officer).post(reverse("grants:queue_assign"), {
        "applications": [a1.pk, a2.pk], "reviewers": [reviewer.pk, second.pk], "next": back})
    assert response.status_code == 302 and response["Location"] == back
    assert Review.objects.filter(application__in=[a1, a2]).count() == 4
    assert any("4 évaluations confiées" in m for m in texts(response))


def test_bulk_assignment_refuses_non_reviewers(officer: User, make_user: Callable[..., User]) -> None:
    application = ApplicationFactory.create(state=State.UNDER_REVIEW)
    finance = make_user("finance", email="finance@example.org")
    response = client_for(officer).post(reverse("grants:queue_assign"), {
        "applications": [application.pk], "reviewers": [finance.pk], "next": "https://evil.example/"})
    assert response.status_code == 302 and response["Location"] == reverse("grants:queue")
    assert not Review.objects.exists()
    assert any("finance@example.org n'est pas expert évaluateur" in m for m in texts(response))


def test_bulk_assignment_refuses_applications_not_in_review(officer: User, reviewer: User) -> None:
    draft = ApplicationFactory.create(state=State.DRAFT)
    response = client_for(officer).post(reverse("grants:queue_assign"), {
        "applications": [draft.pk], "reviewers": [reviewer.pk]}, follow=True)
    assert "pas d'évaluation dans l'état" in html.unescape(response.content.decode())
    assert not Review.objects.exists()


def test_officer_takes_a_reviewer_off_from_the_queue(officer: User, reviewer: User,
                                                     make_user: Callable[..., User]) -> None:
    application = ApplicationFactory.create(state=State.UNDER_REVIEW)
    pending = Review.objects.create(application=application, reviewer=reviewer)
    done = submitted_review(application, make_user("reviewer"), {"Pertinence": 4, "Faisabilité": 4})
    client = client_for(officer)
    back = reverse("grants:queue") + "?state=under_review"
    page = client.get(back).content.decode()
    url = reverse("grants:review_unassign", kwargs={"pk": pending.pk})
    # A button for the review still to do, none for the submitted one.
    assert f'action="{url}"' in page and f'form="retirer-{pending.pk}"' in page
    assert reverse("grants:review_unassign", kwargs={"pk": done.pk}) not in page
    assert client.get(url).status_code == 405  # a change is a POST
    response = client.post(url, {"next": back})
    assert response.status_code == 302 and response["Location"] == back
    assert any("Rita Reviewer est retiré(e)" in m for m in texts(response))
    assert not Review.objects.filter(pk=pending.pk).exists()
    event = AuditEvent.objects.get(action="review.unassign", object_id=str(pending.pk))
    assert event.actor == officer and event.before == {"application": application.reference,
                                                       "reviewer": reviewer.email}
    # The reviewer has lost the application.
    assert client_for(reviewer).get(reverse("grants:review", kwargs={"pk": pending.pk})).status_code == 404
    assert application not in selectors.applications_visible_to(reviewer)


def test_a_submitted_review_is_not_taken_off(officer: User, make_user: Callable[..., User]) -> None:
    done = submitted_review(ApplicationFactory.create(state=State.UNDER_REVIEW), make_user("reviewer"),
                            {"Pertinence": 4, "Faisabilité": 4})
    response = client_for(officer).post(reverse("grants:review_unassign", kwargs={"pk": done.pk}))
    assert response.status_code == 302 and response["Location"] == reverse("grants:queue")
    assert any("Une évaluation remise ne peut être retirée" in m for m in texts(response))
    assert Review.objects.filter(pk=done.pk, status=Review.Status.SUBMITTED).exists()
    assert not AuditEvent.objects.filter(action="review.unassign").exists()


def test_taking_a_reviewer_off_is_for_officers_and_known_reviews(officer: User, reviewer: User,
                                                                 make_user: Callable[..., User]) -> None:
    review = Review.objects.create(application=ApplicationFactory.create(state=State.UNDER_REVIEW), reviewer=reviewer)
    url = reverse("grants:review_unassign", kwargs={"pk": review.pk})
    for role in ("approver", "auditor", "admin"):
        assert client_for(make_user(role)).post(url).status_code == 403
    assert client_for(reviewer).post(url).status_code == 403
    missing = reverse("grants:review_unassign", kwargs={"pk": review.pk + 1000})
    assert client_for(officer).post(missing).status_code == 404
    assert Review.objects.filter(pk=review.pk).exists()


# --- reviews ---------------------------------------------------------------------------------------

def test_reviewer_sees_only_own_reviews(reviewer: User, make_user: Callable[..., User]) -> None:
    own = Review.objects.create(application=ApplicationFactory.create(state=State.UNDER_REVIEW), reviewer=reviewer)
    other = Review.objects.create(application=ApplicationFactory.create(state=State.UNDER_REVIEW),
                                  reviewer=make_user("reviewer"))
    client = client_for(reviewer)
    listing = client.get(reverse("grants:my_reviews"))
    assert list(listing.context["reviews"]) == [own]
    assert client.get(reverse("grants:review", kwargs={"pk": own.pk})).status_code == 200
    assert client.get(reverse("grants:review", kwargs={"pk": other.pk})).status_code == 404
    assert client.post(reverse("grants:review", kwargs={"pk": other.pk}),
                       {"action": "conflict", "note": "x"}).status_code == 404


def test_review_page_shows_the_application_read_only(reviewer: User) -> None:
    application = ApplicationFactory.create(state=State.UNDER_REVIEW, summary="Un résumé très clair.")
    review = Review.objects.create(application=application, reviewer=reviewer)
    content = client_for(reviewer).get(reverse("grants:review", kwargs={"pk": review.pk})).content.decode()
    assert "Un résumé très clair." in content and "Location de salle" in content
    assert "description.pdf" in content
    assert 'name="score_' in content and 'value="conflict"' in content


def test_scoring_form_validation_and_submission(reviewer: User) -> None:
    application = ApplicationFactory.create(state=State.UNDER_REVIEW)
    review = Review.objects.create(application=application, reviewer=reviewer)
    relevance, feasibility = application.call.criteria.all()
    client = client_for(reviewer)
    url = reverse("grants:review", kwargs={"pk": review.pk})
    missing = client.post(url, {"action": "score", f"score_{relevance.pk}": "4", "recommendation": "fund"})
    assert missing.status_code == 422
    assert missing.context["score_form"].errors[f"score_{feasibility.pk}"]
    assert 'role="alert"' in missing.content.decode()  # the error summary
    out_of_range = client.post(url, {"action": "score", f"score_{relevance.pk}": "6",
                                     f"score_{feasibility.pk}": "2", "recommendation": "fund"})
    assert out_of_range.status_code == 422
    review.refresh_from_db()
    assert review.status == Review.Status.ASSIGNED
    done = client.post(url, {"action": "score", f"score_{relevance.pk}": "5", f"comment_{relevance.pk}": "Très",
                             f"score_{feasibility.pk}": "1", "recommendation": "fund_with_conditions",
                             "comment": "Bon projet."})
    assert done.status_code == 302
    review.refresh_from_db()
    assert review.status == Review.Status.SUBMITTED and review.recommendation == "fund_with_conditions"
    assert review.weighted_score() == Decimal("4.00")  # (5*3 + 1*1) / 4


def test_reviewer_declares_a_conflict_of_interest(reviewer: User) -> None:
    review = Review.objects.create(application=ApplicationFactory.create(state=State.UNDER_REVIEW), reviewer=reviewer)
    client = client_for(reviewer)
    url = reverse("grants:review", kwargs={"pk": review.pk})
    assert client.post(url, {"action": "conflict", "note": ""}).status_code == 422
    assert client.post(url, {"action": "conflict", "note": "Je siège à son conseil."}).status_code == 302
    review.refresh_from_db()
    assert review.status == Review.Status.CONFLICT and review.conflict_note == "Je siège à son conseil."
    # Once declared, no scoring form.
    assert 'value="score"' not in client.get(url).content.decode()


# --- decisions -------------------------------------------------------------------------------------

def test_decision_summary_figures(officer: User, make_user: Callable[..., User]) -> None:
    call = CallFactory.create(budget=Decimal(20000), committed=Decimal(5000))
    application = ApplicationFactory.create(call=call, state=State.UNDER_REVIEW, requested_amount=Decimal(6000))
    submitted_review(application, make_user("reviewer"), {"Pertinence": 5, "Faisabilité": 1})  # 4.00
    submitted_review(application, make_user("reviewer"), {"Pertinence": 3, "Faisabilité": 3}, "do_not_fund")  # 3.00
    ApplicationFactory.create(call=call, state=State.DRAFT)  # not in the summary
    response = client_for(officer).get(reverse("grants:decision_summary", kwargs={"pk": call.pk}))
    assert response.status_code == 200
    [item] = response.context["rows"]
    assert item["row"].stats.average == Decimal("3.50")
    assert item["row"].stats.spread == Decimal("1.00")
    assert response.context["remaining"] == Decimal(15000)
    assert response.context["requested_pending"] == Decimal(6000)
    content = response.content.decode()
    assert "3,50" in content and "1,00" in content
    assert "Financer : 1" in content and "Ne pas financer : 1" in content


def test_four_eyes_flow_through_the_pages(make_user: Callable[..., User], settings: Settings) -> None:
    settings.FOUR_EYES_THRESHOLD = 5000
    first, second = make_user("approver"), make_user("approver")
    call = CallFactory.create(budget=Decimal(50000))
    application = ApplicationFactory.create(call=call, state=State.UNDER_REVIEW, requested_amount=Decimal(8000))
    page = client_for(first).get(reverse("grants:decision_record", kwargs={"pk": application.pk}))
    assert page.status_code == 200 and page.context["four_eyes_if_full"]
    response = client_for(first).post(reverse("grants:decision_record", kwargs={"pk": application.pk}), {
        "outcome": "approved", "granted_amount": "8000", "conditions": "", "motivation": "Projet solide.",
        "version": str(application.version),
        "tranches-TOTAL_FORMS": "3", "tranches-INITIAL_FORMS": "0",
        "tranches-0-due_on": "2026-06-01", "tranches-0-amount": "5000",
        "tranches-1-due_on": "2026-12-01", "tranches-1-amount": "3000",
        "tranches-2-due_on": "", "tranches-2-amount": "",
    })
    assert response.status_code == 302
    decision = Decision.objects.get(application=application)
    assert not decision.is_final
    assert [t.amount for t in Tranche.objects.filter(application=application)] == [Decimal(5000), Decimal(3000)]
    pending_page = client_for(first).get(reverse("grants:decision_record", kwargs={"pk": application.pk}))
    assert pending_page.context["four_eyes_applies"] and pending_page.context["decided_by_me"]
    assert not pending_page.context["can_confirm"]
    # The same approver cannot confirm.
    application.refresh_from_db()
    refused = client_for(first).post(reverse("grants:decision_confirm", kwargs={"pk": application.pk}),
                                     {"version": str(application.version)})
    assert refused.status_code == 403
    assert any("second ordonnateur" in m for m in texts(refused))
    decision.refresh_from_db()
    assert not decision.is_final
    # A second approver can.
    confirmed = client_for(second).post(reverse("grants:decision_confirm", kwargs={"pk": application.pk}),
                                        {"version": str(application.version)})
    assert confirmed.status_code == 302
    decision.refresh_from_db()
    application.refresh_from_db()
    call.refresh_from_db()
    assert decision.is_final and decision.confirmed_by == second
    assert application.state == State.APPROVED and call.committed == Decimal(8000)


def test_second_approver_sets_a_pending_decision_aside(make_user: Callable[..., User], settings: Settings) -> None:
    settings.FOUR_EYES_THRESHOLD = 1000
    first, second = make_user("approver"), make_user("approver")
    application = ApplicationFactory.create(state=State.UNDER_REVIEW)
    decision_services.record_decision(first, application, DecisionInput(outcome="approved",
                                                                         granted_amount=Decimal(6000)))
    url = reverse("grants:decision_cancel", kwargs={"pk": application.pk})
    assert client_for(second).post(url, {"reason": ""}).status_code == 422
    assert client_for(second).post(url, {"reason": "Montant trop élevé."}).status_code == 302
    assert not Decision.objects.filter(application=application).exists()
    application.refresh_from_db()
    assert application.state == State.UNDER_REVIEW


def test_decision_above_the_remaining_envelope_is_refused(make_user: Callable[..., User]) -> None:
    approver = make_user("approver")
    call = CallFactory.create(budget=Decimal(10000), committed=Decimal(6000))
    application = ApplicationFactory.create(call=call, state=State.UNDER_REVIEW, requested_amount=Decimal(6000))
    response = client_for(approver).post(reverse("grants:decision_record", kwargs={"pk": application.pk}), {
        "outcome": "approved", "granted_amount": "6000", "version": str(application.version),
        "tranches-TOTAL_FORMS": "0", "tranches-INITIAL_FORMS": "0"})
    assert response.status_code == 422
    assert "enveloppe" in " ".join(response.context["form"].errors["granted_amount"])
    assert not Decision.objects.exists()
    call.refresh_from_db()
    assert call.committed == Decimal(6000) and call.remaining >= 0


def test_decision_form_errors(make_user: Callable[..., User]) -> None:
    approver = make_user("approver")
    application = ApplicationFactory.create(state=State.UNDER_REVIEW)
    url = reverse("grants:decision_record", kwargs={"pk": application.pk})
    management = {"tranches-TOTAL_FORMS": "1", "tranches-INITIAL_FORMS": "0"}
    refusal = client_for(approver).post(url, {"outcome": "rejected", "motivation": "", **management,
                                              "tranches-0-due_on": "", "tranches-0-amount": ""})
    assert refusal.status_code == 422 and refusal.context["form"].errors["motivation"]
    unbalanced = client_for(approver).post(url, {"outcome": "approved", "granted_amount": "6000", **management,
                                                 "tranches-0-due_on": "2026-06-01", "tranches-0-amount": "100"})
    assert unbalanced.status_code == 422
    assert "totaliser" in unbalanced.content.decode()
    assert not Decision.objects.exists()


def test_small_approval_is_final_at_once(make_user: Callable[..., User], settings: Settings) -> None:
    settings.FOUR_EYES_THRESHOLD = 25000
    approver = make_user("approver")
    application = ApplicationFactory.create(state=State.UNDER_REVIEW)
    response = client_for(approver).post(reverse("grants:decision_record", kwargs={"pk": application.pk}), {
        "outcome": "approved", "granted_amount": "6000", "tranches-TOTAL_FORMS": "0",
        "tranches-INITIAL_FORMS": "0"})
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.state == State.APPROVED
    assert Tranche.objects.get(application=application).amount == Decimal(6000)


# --- payments --------------------------------------------------------------------------------------

def _approved(make_user: Callable[..., User]) -> tuple[Application, Tranche]:
    application = ApplicationFactory.create(state=State.APPROVED)
    Decision.objects.create(application=application, outcome="approved", granted_amount=Decimal(6000),
                            decided_by=make_user("approver"), confirmed_at=timezone.now())
    tranche = Tranche.objects.create(application=application, position=1, due_on=timezone.localdate(),
                                     amount=Decimal(6000))
    return application, tranche


def test_payment_recording(make_user: Callable[..., User]) -> None:
    finance = make_user("finance")
    _application, tranche = _approved(make_user)
    client = client_for(finance)
    listing = client.get(reverse("grants:payments"))
    assert [row["tranche"] for row in listing.context["rows"]] == [tranche]
    url = reverse("grants:payment_record", kwargs={"pk": tranche.pk})
    future = (timezone.localdate() + timedelta(days=3)).isoformat()
    assert client.post(url, {"paid_on": future, "reference": "VIR-1"}).status_code == 422
    assert client.post(url, {"paid_on": "pas une date"}).status_code == 422
    response = client.post(url, {"paid_on": timezone.localdate().isoformat(), "reference": "VIR-1"})
    assert response.status_code == 302
    tranche.refresh_from_db()
    assert tranche.paid_on == timezone.localdate() and tranche.payment_reference == "VIR-1"
    again = client.post(url, {"paid_on": timezone.localdate().isoformat(), "reference": "VIR-2"})
    assert again.status_code == 409
    assert any("déjà payée" in m for m in texts(again))
    assert client.get(reverse("grants:payments")).context["rows"] == []


def test_officer_reads_payments_without_forms(officer: User, make_user: Callable[..., User]) -> None:
    _approved(make_user)
    response = client_for(officer).get(reverse("grants:payments"))
    assert response.status_code == 200
    assert response.context["rows"][0]["form"] is None
    assert "payment_record" not in response.content.decode()


# --- the staff panel of the application page -------------------------------------------------------

def _panel(user: User, application: Application) -> tuple[dict[str, Any], str]:
    request = RequestFactory().get(f"/subsides/demandes/{application.pk}/")
    request.user = user
    context = views_staff_panel.staff_panel_context(request, application)
    return context, render_to_string("grants/_staff_panel.html", {"staff_panel": context}, request=request)


def test_staff_panel_for_officers(officer: User, reviewer: User, make_user: Callable[..., User]) -> None:
    application = ApplicationFactory.create(state=State.UNDER_REVIEW)
    EligibilityCheck.objects.create(application=application, passed=False, results=[
        {"rule": "incomplete", "passed": True, "violations": []},
        {"rule": "lead_time", "passed": False, "violations": [{"code": "lead_time", "message": "Trop tard.",
                                                                "field": "start_date"}]},
    ])
    submitted_review(application, make_user("reviewer", full_name="Expert Un"), {"Pertinence": 4, "Faisabilité": 2})
    context, page = _panel(officer, application)
    assert context["can_assign"] and reviewer in context["reviewers"]
    assert "Délai de dépôt avant le début du projet" in page and "Trop tard." in page
    assert "Expert Un" in page and "3,50" in page  # (4*3 + 2*1) / 4
    assert reverse("grants:queue_assign") in page


def test_staff_panel_for_approvers_and_finance(make_user: Callable[..., User], settings: Settings) -> None:
    settings.FOUR_EYES_THRESHOLD = 1000
    first, second = make_user("approver"), make_user("approver")
    application = ApplicationFactory.create(state=State.UNDER_REVIEW)
    context, page = _panel(first, application)
    assert context["can_decide"] and reverse("grants:decision_record", kwargs={"pk": application.pk}) in page
    decision_services.record_decision(first, application, DecisionInput(outcome="approved",
                                                                         granted_amount=Decimal(6000)))
    application.refresh_from_db()
    context, _html = _panel(first, application)
    assert context["pending"] and not context["can_confirm"]
    context, page = _panel(second, application)
    assert context["can_confirm"] and reverse("grants:decision_confirm", kwargs={"pk": application.pk}) in page
    decision_services.confirm_decision(second, application)
    application.refresh_from_db()
    context, page = _panel(make_user("finance"), application)
    assert context["can_pay"] and reverse("grants:payment_record",
                                          kwargs={"pk": application.tranches.get().pk}) in page


def test_staff_panel_hidden_from_partners(make_user: Callable[..., User], org_a: Organisation) -> None:
    application = ApplicationFactory.create(organisation=org_a, state=State.UNDER_REVIEW)
    context, page = _panel(make_user("partner_admin", organisation=org_a), application)
    assert context == {"visible": False} and page.strip() == ""


def test_staff_panel_for_the_reviewer_links_to_their_review(reviewer: User) -> None:
    application = ApplicationFactory.create(state=State.UNDER_REVIEW)
    review = Review.objects.create(application=application, reviewer=reviewer)
    context, page = _panel(reviewer, application)
    assert not context["sees_all"] and reverse("grants:review", kwargs={"pk": review.pk}) in page


def test_unknown_criterion_is_not_accepted(reviewer: User) -> None:
    """A criterion added to another call cannot be scored through this review."""
    application = ApplicationFactory.create(state=State.UNDER_REVIEW)
    review = Review.objects.create(application=application, reviewer=reviewer)
    stray = Criterion.objects.create(call=CallFactory.create(), title="Autre", weight=1)
    relevance, feasibility = application.call.criteria.all()
    response = client_for(reviewer).post(reverse("grants:review", kwargs={"pk": review.pk}), {
        "action": "score", f"score_{relevance.pk}": "3", f"score_{feasibility.pk}": "3",
        f"score_{stray.pk}": "5", "recommendation": "fund"})
    assert response.status_code == 302
    assert not Score.objects.filter(criterion=stray).exists()
