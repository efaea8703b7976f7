"""Every transition of the workflow table from every state, by every kind of actor: the legal moves
succeed, are recorded (history, audit trail, version), and every other move is refused and changes nothing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone
from pytest_django import Settings

from subsidia.accounts.models import User
from subsidia.audit.models import AuditEvent
from subsidia.core.errors import Conflict, NotFound, PermissionDenied, RuleViolation
from subsidia.grants.inputs import ApplicationInput, BudgetLineInput, DecisionInput, TrancheInput
from subsidia.grants.models import Application, Decision, State, Tranche
from subsidia.grants.services import decisions as decision_services
from subsidia.grants.services import drafting as drafting_services
from subsidia.grants.services import payments as payment_services
from subsidia.grants.services import reports as report_services
from subsidia.grants.services import transitions as transition_services
from subsidia.grants.workflow import WORKFLOW
from subsidia.organisations.models import Organisation

from .factories import ApplicationFactory, CallFactory, add_document

pytestmark = pytest.mark.django_db

ACTIONS: dict[str, Callable[[Any, Application], Any]] = {
    "submit": lambda actor, app: transition_services.submit(actor, app),
    "start_eligibility": lambda actor, app: transition_services.start_eligibility(actor, app),
    "declare_eligible": lambda actor, app: transition_services.declare_eligible(actor, app),
    "declare_ineligible": lambda actor, app: transition_services.declare_ineligible(actor, app, ["Projet récurrent"]),
    "request_information": lambda actor, app: transition_services.request_information(
        actor, app, "Précisez le public visé."),
    "withdraw": lambda actor, app: transition_services.withdraw(actor, app, "Projet reporté"),
    "approve": lambda actor, app: decision_services.record_decision(actor, app, DecisionInput(
        outcome="approved", granted_amount=Decimal(5000),
        tranches=(TrancheInput(due_on=timezone.localdate(), amount=Decimal(5000)),))),
    "reject": lambda actor, app: decision_services.record_decision(actor, app, DecisionInput(
        outcome="rejected", motivation="Priorités non rencontrées")),
    "start_project": lambda actor, app: transition_services.start_project(actor, app),
    "submit_report": lambda actor, app: report_services.submit_report(
        actor, app, deliverables="Exposition", actual_budget_lines=[
            BudgetLineInput(label="Impression", kind="expense", amount=Decimal(4800))]),
    "return_report": lambda actor, app: report_services.return_report(actor, app, "Pièces manquantes"),
    "close": lambda actor, app: report_services.close(actor, app),
}
ALL_STATES = [s.value for s in State]


@pytest.fixture
def people(make_user: Callable[..., User], org_a: Organisation, org_b: Organisation) -> dict[str, User]:
    return {
        "partner_admin": make_user("partner_admin", organisation=org_a),
        "partner_member": make_user("partner_member", organisation=org_a),
        "partner_admin_b": make_user("partner_admin", organisation=org_b),
        "officer": make_user("officer"),
        "reviewer": make_user("reviewer"),
        "approver": make_user("approver"),
        "finance": make_user("finance"),
        "auditor": make_user("auditor"),
    }


def in_state(org: Any, state: str) -> Application:
    application = ApplicationFactory.create(organisation=org, call=CallFactory.create(), state=state)
    if state not in {State.DRAFT, State.MORE_INFORMATION_REQUESTED}:
        application.first_submitted_on = timezone.localdate()
        application.save()
    add_document(application, "final_report")
    return application


def actor_for(transition: str) -> str:
    roles = WORKFLOW.transitions[transition].roles
    return "partner_admin" if "partner_admin" in roles else "approver" if "approver" in roles else "officer"


def test_the_table_names_a_service_for_every_transition() -> None:
    assert set(ACTIONS) == set(WORKFLOW.transitions)
    for transition in WORKFLOW.transitions.values():
        assert transition.sources and transition.target in ALL_STATES
        assert transition.sources <= set(ALL_STATES)


LEGAL = [(name, source) for name, t in WORKFLOW.transitions.items() for source in sorted(t.sources)]
ILLEGAL = [(name, state) for name, t in WORKFLOW.transitions.items() for state in ALL_STATES if state not in t.sources]


@pytest.mark.parametrize(("name", "source"), LEGAL)
def test_every_legal_move_succeeds_and_is_recorded(name: str, source: str, people: dict[str, User],
                                                   org_a: Organisation) -> None:
    application = in_state(org_a, source)
    version = application.version
    ACTIONS[name](people[actor_for(name)], application)
    application.refresh_from_db()
    assert application.state == WORKFLOW.transitions[name].target
    assert application.version > version
    change = application.state_changes.get()
    assert (change.transition, change.from_state, change.to_state) == (name, source, application.state)
    assert change.actor == people[actor_for(name)]
    event = AuditEvent.objects.get(action=f"application.{name}", object_id=str(application.pk))
    assert event.before is not None and event.after is not None
    assert event.before["state"] == source and event.after["state"] == application.state
    assert event.actor == people[actor_for(name)]


@pytest.mark.parametrize(("name", "state"), ILLEGAL)
def test_every_illegal_move_is_refused_and_changes_nothing(name: str, state: str, people: dict[str, User],
                                                           org_a: Organisation) -> None:
    application = in_state(org_a, state)
    version = application.version
    with pytest.raises(Conflict) as refused:
        ACTIONS[name](people[actor_for(name)], application)
    assert refused.value.violations[0].code == "illegal_transition"
    assert refused.value.status_code == 409
    application.refresh_from_db()
    assert (application.state, application.version) == (state, version)
    assert not application.state_changes.exists()
    assert not Decision.objects.filter(application=application).exists()


ROLE_REFUSALS = [
    (name, persona) for name, t in WORKFLOW.transitions.items()
    for persona in ["partner_admin", "partner_member", "officer", "reviewer", "approver", "finance", "auditor"]
    if persona not in t.roles and persona != "reviewer"
]


@pytest.mark.parametrize(("name", "persona"), ROLE_REFUSALS)
def test_a_role_not_in_the_table_is_refused(name: str, persona: str, people: dict[str, User],
                                            org_a: Organisation) -> None:
    application = in_state(org_a, sorted(WORKFLOW.transitions[name].sources)[0])
    before = (application.state, application.version)
    with pytest.raises(PermissionDenied):
        ACTIONS[name](people[persona], application)
    application.refresh_from_db()
    assert (application.state, application.version) == before


@pytest.mark.parametrize("name", sorted(WORKFLOW.transitions))
def test_people_who_do_not_see_the_application_get_not_found(name: str, people: dict[str, User],
                                                             org_a: Organisation) -> None:
    application = in_state(org_a, sorted(WORKFLOW.transitions[name].sources)[0])
    for persona in ["partner_admin_b", "reviewer"]:  # the reviewer is not assigned to it
        with pytest.raises(NotFound):
            ACTIONS[name](people[persona], application)


def test_available_transitions_follow_the_table(people: dict[str, User]) -> None:
    assert [t.name for t in WORKFLOW.available_to(people["partner_admin"], State.DRAFT)] == ["submit", "withdraw"]
    assert [t.name for t in WORKFLOW.available_to(people["officer"], State.SUBMITTED)] == [
        "start_eligibility", "request_information"]
    assert [t.name for t in WORKFLOW.available_to(people["approver"], State.UNDER_REVIEW)] == ["approve", "reject"]
    assert WORKFLOW.available_to(people["auditor"], State.UNDER_REVIEW) == []
    assert WORKFLOW.from_state(State.CLOSED) == []


class TestTransitionInputs:
    def test_ineligible_keeps_its_reasons(self, people: dict[str, User], org_a: Organisation) -> None:
        application = in_state(org_a, State.ELIGIBILITY)
        transition_services.declare_ineligible(people["officer"], application, ["Forme juridique", "Délai"])
        application.refresh_from_db()
        assert application.ineligibility_reasons == ["Forme juridique", "Délai"]

    def test_ineligible_without_reasons_takes_those_of_the_latest_check(self, people: dict[str, User],
                                                                        org_a: Organisation) -> None:
        application = in_state(org_a, State.SUBMITTED)
        assert application.first_submitted_on is not None
        application.start_date = application.first_submitted_on + timedelta(days=3)
        application.save()
        transition_services.start_eligibility(people["officer"], application)
        transition_services.declare_ineligible(people["officer"], application, [])
        application.refresh_from_db()
        assert len(application.ineligibility_reasons) == 1 and "semaines" in application.ineligibility_reasons[0]

    def test_ineligible_with_no_reason_at_all_is_refused(self, people: dict[str, User], org_a: Organisation) -> None:
        application = in_state(org_a, State.SUBMITTED)
        transition_services.start_eligibility(people["officer"], application)
        with pytest.raises(RuleViolation) as refused:
            transition_services.declare_ineligible(people["officer"], application, ["  "])
        assert refused.value.violations[0].code == "reason_required"
        application.refresh_from_db()
        assert application.state == State.ELIGIBILITY

    def test_information_request_needs_questions_then_the_partner_resubmits(self, people: dict[str, User],
                                                                            org_a: Organisation) -> None:
        application = ApplicationFactory.create(organisation=org_a, call=CallFactory.create())
        transition_services.submit(people["partner_admin"], application)
        with pytest.raises(RuleViolation):
            transition_services.request_information(people["officer"], application, "")
        transition_services.request_information(people["officer"], application, "Quel public ?")
        application.refresh_from_db()
        assert application.information_request == "Quel public ?"
        drafting_services.update_application(people["partner_member"], application,
                                             ApplicationInput(summary="Public : jeunes."))
        transition_services.submit(people["partner_admin"], application)
        application.refresh_from_db()
        assert application.state == State.SUBMITTED and application.information_request == ""
        assert [c.transition for c in application.state_changes.all()] == ["submit", "request_information", "submit"]

    def test_a_partner_member_drafts_but_only_an_admin_submits(self, people: dict[str, User],
                                                               org_a: Organisation) -> None:
        application = ApplicationFactory.create(organisation=org_a, call=CallFactory.create())
        with pytest.raises(PermissionDenied):
            transition_services.submit(people["partner_member"], application)
        transition_services.submit(people["partner_admin"], application)

    def test_withdrawal_is_refused_once_a_decision_waits_for_confirmation(self, people: dict[str, User],
                                                                          org_a: Organisation,
                                                                          settings: Settings) -> None:
        settings.FOUR_EYES_THRESHOLD = 1000
        application = in_state(org_a, State.UNDER_REVIEW)
        ACTIONS["approve"](people["approver"], application)
        with pytest.raises(Conflict) as refused:
            transition_services.withdraw(people["partner_admin"], application)
        assert refused.value.violations[0].code == "decision_pending"

    def test_closing_needs_every_tranche_paid(self, people: dict[str, User], org_a: Organisation) -> None:
        application = in_state(org_a, State.REPORTING)
        tranche = Tranche.objects.create(application=application, position=1, due_on=timezone.localdate(),
                                         amount=Decimal(100))
        with pytest.raises(RuleViolation) as refused:
            report_services.close(people["officer"], application)
        assert refused.value.violations[0].code == "unpaid_tranches"
        payment_services.record_payment(people["finance"], tranche)
        report_services.close(people["officer"], application)
        application.refresh_from_db()
        assert application.state == State.CLOSED

    def test_the_final_report_needs_deliverables_actual_budget_and_the_report_document(self, people: dict[str, User],
                                                                                       org_a: Organisation) -> None:
        application = ApplicationFactory.create(organisation=org_a, call=CallFactory.create(), state=State.IN_PROGRESS)
        with pytest.raises(RuleViolation) as refused:
            report_services.submit_report(people["partner_admin"], application, deliverables=" ")
        assert {(v.code, v.field) for v in refused.value.violations} == {
            ("required", "deliverables"), ("required", "actual_budget_lines"), ("missing_document", "documents")}
        application.refresh_from_db()
        assert application.state == State.IN_PROGRESS

    def test_a_returned_report_goes_back_to_the_partner_with_the_comment(self, people: dict[str, User],
                                                                         org_a: Organisation) -> None:
        application = in_state(org_a, State.IN_PROGRESS)
        ACTIONS["submit_report"](people["partner_admin"], application)
        report_services.return_report(people["officer"], application, "Ajoutez les factures.")
        application.refresh_from_db()
        assert application.state == State.IN_PROGRESS
        assert application.final_report.returned_comment == "Ajoutez les factures."
        ACTIONS["submit_report"](people["partner_admin"], application)
        application.refresh_from_db()
        assert application.state == State.REPORTING and application.final_report.returned_comment == ""
