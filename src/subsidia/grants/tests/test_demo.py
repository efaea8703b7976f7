"""The grants part of `subsidia load-demo`: the 2023 integration call with applications in every state,
consistent with the rules, and an open rolling call; loading again changes nothing."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.utils import timezone
from pytest_django import Settings

from subsidia.accounts.models import User
from subsidia.accounts.roles import Role
from subsidia.audit.models import AuditEvent
from subsidia.grants import rules
from subsidia.grants.models import (
    Application,
    ApplicationDocument,
    BudgetLine,
    Call,
    Decision,
    EligibilityCheck,
    FinalReport,
    Review,
    Score,
    State,
    StateChange,
    Tranche,
)
from subsidia.grants.workflow import WORKFLOW
from subsidia.notifications.models import Notification

COUNTED = [Call, Application, ApplicationDocument, BudgetLine, StateChange, EligibilityCheck, Review, Score,
           Decision, Tranche, FinalReport, Notification, AuditEvent, User]


@pytest.fixture(autouse=True)
def _fast_demo(settings: Settings) -> None:
    settings.DEBUG = True
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def load() -> str:
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    return {model.__name__: model._default_manager.count() for model in COUNTED}


@pytest.mark.django_db
def test_the_2023_integration_call() -> None:
    load()
    call = Call.objects.get(title="Subsides intégration 2023")
    assert (call.programme, call.year, call.min_lead_weeks) == ("Subsides intégration", 2023, 6)
    assert list(call.priorities.values_list("title", flat=True)) == [
        "Participation politique des non-Luxembourgeois", "Lutte contre les discriminations"]
    assert call.eligible_legal_forms == ["asbl", "federation"]
    assert call.required_document_kinds == ["description", "budget"]
    assert call.deliverable_types == ["event", "brochure", "exhibition", "video"]
    assert call.opens_on is not None and call.closes_on is not None
    assert (call.opens_on.isoformat(), call.closes_on.isoformat()) == ("2023-01-15", "2023-10-31")
    assert call.budget == Decimal("150000.00") and call.is_published
    assert [(c.title, c.weight) for c in call.criteria.all()] == [
        ("Pertinence", 3), ("Caractère innovant", 2), ("Faisabilité et budget", 2), ("Impact", 1)]
    communes, which = call.questions.all()
    assert (communes.label, communes.kind, communes.choices) == ("Le projet implique-t-il des communes ?",
                                                                 "choice", ["oui", "non"])
    assert which.label == "Lesquelles ?"
    assert which.shown_if_question == communes and which.shown_if_value == "oui"
    assert which.is_shown({"communes": "oui"}) and not which.is_shown({"communes": "non"})


@pytest.mark.django_db
def test_a_rolling_call_is_open_now() -> None:
    load()
    today = timezone.localdate()
    call = Call.objects.get(title=f"Subsides vivre ensemble {today.year}")
    assert call.is_rolling and call.is_open(today)
    draft = call.applications.get(state=State.DRAFT)
    assert draft.organisation.name == "Femmes en détresse"
    assert rules.check(draft, today) == []  # the demo partner can file it right away
    assert User.objects.get(email="gestionnaire@demo.subsidia.lu").memberships.filter(
        organisation=draft.organisation).exists()


@pytest.mark.django_db
def test_applications_in_every_state_and_consistent() -> None:
    load()
    call = Call.objects.get(title="Subsides intégration 2023")
    applications = list(Application.objects.filter(call__in=Call.objects.filter(
        programme__in=["Subsides intégration", "Subsides vivre ensemble"])))
    states = {a.state for a in applications}
    assert len(states) >= 8
    assert {State.DRAFT, State.SUBMITTED, State.UNDER_REVIEW, State.MORE_INFORMATION_REQUESTED, State.INELIGIBLE,
            State.APPROVED, State.IN_PROGRESS, State.REPORTING, State.CLOSED, State.REJECTED,
            State.WITHDRAWN} <= states
    assert {a.organisation.name for a in applications} == {
        "Femmes en détresse", "Association de soutien aux travailleurs immigrés"}
    for application in applications:
        assert "(exemple)" in application.title and "(exemple)" in application.summary
        # Budget balanced, required documents stored (tiny PDFs).
        totals = application.totals()
        assert application.requested_amount is not None
        assert totals["expenses"] == totals["incomes"] + application.requested_amount, application.title
        for document in application.documents.all():
            with default_storage.open(document.file.name, "rb") as handle:
                assert handle.read().startswith(b"%PDF-"), document
        # The history follows the workflow table, from the draft to the current state.
        state: str = State.DRAFT
        for change in application.state_changes.all():
            transition = WORKFLOW[change.transition]
            assert (change.from_state, change.to_state) == (state, transition.target)
            assert change.from_state in transition.sources
            assert change.at.year == 2023 or application.state == State.DRAFT
            state = change.to_state
        assert state == application.state, application.title
        if application.first_submitted_on:
            assert call.opens_on is not None and call.closes_on is not None
            assert call.opens_on <= application.first_submitted_on <= call.closes_on
            assert rules.check(application, application.first_submitted_on) == [], application.title
            first_change = application.state_changes.first()
            assert first_change is not None and first_change.actor is not None
            assert first_change.actor.email.startswith("gestionnaire")
    # The envelope: what is committed is what was finally granted.
    granted = sum(d.granted_amount for d in Decision.objects.filter(application__call=call, outcome="approved",
                                                                    confirmed_at__isnull=False))
    assert call.committed == granted > 0


@pytest.mark.django_db
def test_decisions_payments_reviews_and_reports() -> None:
    load()
    call = Call.objects.get(title="Subsides intégration 2023")
    approver2 = User.objects.get(email="approver2@demo.subsidia.lu")
    assert Role.APPROVER in approver2.roles and approver2.requires_two_factor
    threshold = Decimal(str(settings.FOUR_EYES_THRESHOLD))
    for decision in Decision.objects.filter(application__call=call):
        assert decision.is_final
        if decision.outcome == "approved" and decision.granted_amount > threshold:
            assert decision.confirmed_by == approver2 and decision.decided_by.email == "approver@demo.subsidia.lu"
        else:
            assert decision.confirmed_by is None
        if decision.outcome == "approved":
            tranches = list(decision.application.tranches.all())
            assert sum(t.amount for t in tranches) == decision.granted_amount
            assert decision.application.report_due_on is not None
        else:
            assert decision.motivation and "(exemple)" in decision.motivation
    assert Decision.objects.filter(application__call=call, confirmed_by=approver2).exists()
    approved = Application.objects.get(call=call, state=State.APPROVED)
    assert approved.tranches.filter(paid_on__isnull=False).count() == 1
    assert approved.tranches.filter(paid_on__isnull=True).count() == 1
    closed = Application.objects.get(call=call, state=State.CLOSED)
    assert not closed.tranches.filter(paid_on__isnull=True).exists()
    for state in (State.REPORTING, State.CLOSED):
        application = Application.objects.get(call=call, state=state)
        assert application.final_report.deliverables
        assert application.lines("actual")
        assert application.documents.filter(kind="final_report").exists()
    under_review = Application.objects.get(call=call, state=State.UNDER_REVIEW)
    review = under_review.reviews.get()
    assert review.reviewer.email == "reviewer@demo.subsidia.lu"
    assert review.status == Review.Status.SUBMITTED and review.weighted_score() is not None
    assert Application.objects.get(call=call, state=State.MORE_INFORMATION_REQUESTED).information_request
    assert Application.objects.get(call=call, state=State.INELIGIBLE).ineligibility_reasons


@pytest.mark.django_db
def test_loading_again_changes_nothing() -> None:
    load()
    first = counts()
    applications = dict(Application.objects.values_list("reference", "updated_at"))
    calls = dict(Call.objects.values_list("title", "committed"))
    load()
    assert counts() == first
    assert dict(Application.objects.values_list("reference", "updated_at")) == applications
    assert dict(Call.objects.values_list("title", "committed")) == calls
    assert first["Application"] >= 12 and first["Call"] == 2


def test_tiny_pdf_is_well_formed() -> None:
    """The demo documents are real PDFs: each cross-reference entry points at its object."""
    import re

    from subsidia.grants.demo import tiny_pdf

    content = tiny_pdf("Budget prévisionnel - Projet (exemple) \\ fin")
    assert content.startswith(b"%PDF-1.4\n") and content.endswith(b"%%EOF\n")
    found = re.search(rb"startxref\n(\d+)\n", content)
    assert found is not None
    startxref = int(found.group(1))
    assert content[startxref:].startswith(b"xref\n0 6\n")
    offsets = [int(m) for m in re.findall(rb"(\d{10}) 00000 n ", content)]
    assert len(offsets) == 5
    for number, offset in enumerate(offsets, 1):
        assert content[offset:].startswith(b"%d 0 obj\n" % number)
    found = re.search(rb"/Length (\d+)", content)
    assert found is not None
    length = int(found.group(1))
    stream = content.split(b"stream\n", 1)[1].split(b"\nendstream", 1)[0]
    assert len(stream) == length
    assert b"pr\xe9visionnel" in stream and b"\\(exemple\\)" in stream
