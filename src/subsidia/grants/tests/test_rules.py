"""Each eligibility rule at its boundary, and all failing rules reported at once by a refused submission."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from subsidia.accounts.models import User
from subsidia.core.errors import RuleViolation
from subsidia.grants import rules
from subsidia.grants.models import Application, BudgetLine, Call, Question, State
from subsidia.grants.services import transitions as transition_services
from subsidia.organisations.models import Organisation
from subsidia.organisations.tests.factories import OrganisationFactory

from .factories import ApplicationFactory, CallFactory, add_document

TODAY = date(2024, 2, 29)  # a leap day: weeks are counted in days, not calendar months

pytestmark = pytest.mark.django_db


def codes(application: Application, today: date = TODAY) -> list[str]:
    return [v.code for v in rules.check(application, today)]


@pytest.fixture
def call() -> Call:
    return CallFactory.create(opens_on=date(2024, 1, 1), closes_on=date(2024, 12, 31))


@pytest.fixture
def application(call: Call, org_a: Organisation) -> Application:
    return ApplicationFactory.create(call=call, organisation=org_a, start_date=TODAY + timedelta(weeks=8),
                                     end_date=TODAY + timedelta(weeks=12))


def test_a_complete_application_passes_every_rule(application: Application) -> None:
    assert rules.check(application, TODAY) == []
    assert all(result["passed"] for result in rules.results(application, TODAY))


class TestLeadTime:
    def test_exactly_six_weeks_before_the_start_passes(self, application: Application) -> None:
        application.start_date = TODAY + timedelta(weeks=6)
        application.end_date = application.start_date + timedelta(days=30)
        assert "lead_time" not in codes(application)

    def test_one_day_less_fails(self, application: Application) -> None:
        application.start_date = TODAY + timedelta(weeks=6) - timedelta(days=1)
        application.end_date = application.start_date + timedelta(days=30)
        violations = [v for v in rules.check(application, TODAY) if v.code == "lead_time"]
        assert len(violations) == 1
        assert violations[0].field == "start_date"
        assert "6 semaines" in str(violations[0].message)

    def test_the_call_sets_the_lead_time(self, application: Application) -> None:
        application.call.min_lead_weeks = 8
        application.start_date = TODAY + timedelta(weeks=7)
        assert "lead_time" in codes(application)
        application.start_date = TODAY + timedelta(weeks=8)
        assert "lead_time" not in codes(application)

    def test_a_resubmission_keeps_the_first_filing_date(self, application: Application) -> None:
        application.first_submitted_on = TODAY
        application.start_date = TODAY + timedelta(weeks=6)
        later = TODAY + timedelta(weeks=3)
        assert "lead_time" not in codes(application, later)


class TestDates:
    def test_end_before_start_fails(self, application: Application) -> None:
        assert application.start_date is not None
        application.end_date = application.start_date - timedelta(days=1)
        assert "dates_invalid" in codes(application)

    def test_a_one_day_project_passes(self, application: Application) -> None:
        application.end_date = application.start_date
        assert "dates_invalid" not in codes(application)


class TestLegalForm:
    @pytest.mark.parametrize("form", ["asbl", "federation"])
    def test_eligible_forms_pass(self, application: Application, form: str) -> None:
        application.organisation.legal_form = form
        assert "legal_form" not in codes(application)

    @pytest.mark.parametrize("form", ["commune", "company", "fondation", "administration", "other"])
    def test_other_forms_fail(self, application: Application, form: str) -> None:
        application.organisation.legal_form = form
        assert "legal_form" in codes(application)


class TestCallClosed:
    def test_the_closing_day_is_still_open(self, application: Application) -> None:
        application.start_date = date(2025, 3, 1)
        application.end_date = date(2025, 4, 1)
        assert "call_closed" not in codes(application, date(2024, 12, 31))

    def test_the_day_after_closing_fails(self, application: Application) -> None:
        application.start_date = date(2025, 3, 1)
        application.end_date = date(2025, 4, 1)
        assert "call_closed" in codes(application, date(2025, 1, 1))

    def test_before_opening_fails(self, application: Application) -> None:
        assert "call_closed" in codes(application, date(2023, 12, 31))
        assert "call_closed" not in codes(application, date(2024, 1, 1))

    def test_a_rolling_call_never_closes(self, application: Application) -> None:
        application.call.closes_on = None
        application.start_date = date(2031, 3, 1)
        application.end_date = date(2031, 4, 1)
        assert "call_closed" not in codes(application, date(2030, 6, 1))

    def test_an_unpublished_call_is_closed(self, application: Application) -> None:
        application.call.is_published = False
        assert "call_closed" in codes(application)


class TestDocuments:
    def test_each_missing_kind_is_reported(self, call: Call, org_a: Organisation) -> None:
        application = ApplicationFactory.create(call=call, organisation=org_a, complete=False,
                                                start_date=TODAY + timedelta(weeks=8),
                                                end_date=TODAY + timedelta(weeks=9))
        missing = [v for v in rules.check(application, TODAY) if v.code == "missing_document"]
        assert len(missing) == 2
        add_document(application, "description")
        missing = [v for v in rules.check(application, TODAY) if v.code == "missing_document"]
        assert len(missing) == 1 and "Budget prévisionnel" in str(missing[0].message)
        add_document(application, "budget")
        assert not [v for v in rules.check(application, TODAY) if v.code == "missing_document"]

    def test_a_required_file_question_needs_its_file_only_when_shown(self, application: Application) -> None:
        parent = Question.objects.create(call=application.call, key="communes", label="Avec des communes ?",
                                         kind="choice", choices=["oui", "non"], required=True)
        Question.objects.create(call=application.call, key="accord", label="Accord de la commune",
                                kind="file", required=True, shown_if_question=parent, shown_if_value="oui")
        application.answers = {"communes": "non"}
        assert "missing_document" not in codes(application)
        application.answers = {"communes": "oui"}
        assert "missing_document" in codes(application)
        add_document(application, "answer", question_key="accord")
        assert "missing_document" not in codes(application)

    def test_a_required_answer_is_asked_for(self, application: Application) -> None:
        Question.objects.create(call=application.call, key="public", label="Public visé", required=True)
        assert "missing_answer" in codes(application)
        application.answers = {"public": "Jeunes de 16 à 25 ans"}
        assert "missing_answer" not in codes(application)


class TestBudget:
    def test_balanced_when_expenses_equal_incomes_plus_requested(self, application: Application) -> None:
        # 2000 + 5000 expenses = 1000 income + 6000 requested
        assert "budget_unbalanced" not in codes(application)

    def test_one_cent_off_is_unbalanced(self, application: Application) -> None:
        application.requested_amount = Decimal("5999.99")
        violations = [v for v in rules.check(application, TODAY) if v.code == "budget_unbalanced"]
        assert len(violations) == 1 and violations[0].field == "budget_lines"

    def test_a_new_income_unbalances(self, application: Application) -> None:
        BudgetLine.objects.create(application=application, kind="income", label="Fondation", amount=Decimal(500))
        application.refresh_from_db()
        assert "budget_unbalanced" in codes(application)

    def test_actual_lines_do_not_count_in_the_planned_budget(self, application: Application) -> None:
        BudgetLine.objects.create(application=application, stage="actual", kind="expense", label="Réel",
                                  amount=Decimal(999))
        assert "budget_unbalanced" not in codes(application)


def test_incomplete_drafts_say_what_is_missing(call: Call, org_a: Organisation) -> None:
    application = ApplicationFactory.create(call=call, organisation=org_a, complete=False, summary="", start_date=None,
                                            end_date=None, requested_amount=None)
    fields = {v.field for v in rules.check(application, TODAY) if v.code == "incomplete"}
    assert {"summary", "start_date", "end_date", "requested_amount", "priority"} <= fields


def test_a_refused_submission_reports_every_rule_and_changes_nothing(call: Call,
                                                                     make_user: Callable[..., User]) -> None:
    commune = OrganisationFactory.create(legal_form="commune")
    admin = make_user("partner_admin", organisation=commune)
    call.closes_on = timezone.localdate() - timedelta(days=1)
    call.opens_on = timezone.localdate() - timedelta(days=60)
    call.save()
    application = ApplicationFactory.create(call=call, organisation=commune, complete=False,
                                            start_date=timezone.localdate() + timedelta(days=3),
                                            end_date=timezone.localdate() + timedelta(days=1),
                                            requested_amount=Decimal(100))
    application.priority = call.priorities.first()
    application.save()
    version = application.version
    with pytest.raises(RuleViolation) as refused:
        transition_services.submit(admin, application)
    assert {v.code for v in refused.value.violations} == {
        "lead_time", "dates_invalid", "legal_form", "call_closed", "missing_document", "budget_unbalanced"}
    assert refused.value.status_code == 422
    application.refresh_from_db()
    assert application.state == State.DRAFT
    assert application.version == version
    assert application.first_submitted_on is None
    assert not application.eligibility_checks.exists()
    assert not application.state_changes.exists()
