"""Reviews, decisions with the four-eyes rule, the call's envelope, payments."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone
from pytest_django import Settings

from subsidia.accounts.models import User
from subsidia.audit.models import AuditEvent
from subsidia.core.errors import Conflict, NotFound, PermissionDenied, RuleViolation
from subsidia.grants import selectors
from subsidia.grants.inputs import DecisionInput, TrancheInput
from subsidia.grants.models import Application, Call, Decision, Review, State, Tranche
from subsidia.grants.services import decisions as decision_services
from subsidia.grants.services import payments as payment_services
from subsidia.grants.services import reviews as review_services
from subsidia.organisations.models import Organisation

from .factories import ApplicationFactory, CallFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


@pytest.fixture
def people(make_user: Callable[..., User], org_a: Organisation) -> dict[str, User]:
    return {
        "partner_admin": make_user("partner_admin", organisation=org_a),
        "officer": make_user("officer"),
        "reviewer": make_user("reviewer"),
        "reviewer2": make_user("reviewer"),
        "approver": make_user("approver"),
        "approver2": make_user("approver"),
        "finance": make_user("finance"),
    }


@pytest.fixture
def call() -> Call:
    return CallFactory.create(budget=Decimal("10000.00"))


@pytest.fixture
def under_review(call: Call, org_a: Organisation) -> Application:
    return ApplicationFactory.create(call=call, organisation=org_a, state=State.UNDER_REVIEW,
                                     first_submitted_on=TODAY(), requested_amount=Decimal("6000"))


def approve(actor: User, application: Application, amount: str = "6000",
            tranches: list[dict[str, str]] | None = None) -> Decision:
    schedule = tranches or [{"due_on": TODAY().isoformat(), "amount": amount}]
    return decision_services.record_decision(actor, application, DecisionInput(
        outcome="approved", granted_amount=Decimal(amount),
        tranches=tuple(TrancheInput(due_on=date.fromisoformat(t["due_on"]), amount=Decimal(t["amount"]))
                       for t in schedule)))


class TestReviews:
    def test_assignment_is_for_reviewers_only_and_in_review_states(self, people: dict[str, User],
                                                                   under_review: Application,
                                                                   org_a: Organisation) -> None:
        with pytest.raises(RuleViolation) as refused:
            review_services.assign_reviewers(people["officer"], [under_review], [people["finance"]])
        assert refused.value.violations[0].code == "not_a_reviewer"
        draft = ApplicationFactory.create(organisation=org_a)
        with pytest.raises(RuleViolation):
            review_services.assign_reviewers(people["officer"], [draft], [people["reviewer"]])
        with pytest.raises(PermissionDenied):
            review_services.assign_reviewers(people["approver"], [under_review], [people["reviewer"]])
        created = review_services.assign_reviewers(people["officer"], [under_review], [people["reviewer"]])
        assert len(created) == 1
        assert review_services.assign_reviewers(people["officer"], [under_review], [people["reviewer"]]) == []

    def test_reviewers_see_only_their_assigned_applications(self, people: dict[str, User], under_review: Application,
                                                            org_a: Organisation) -> None:
        other = ApplicationFactory.create(organisation=org_a, state=State.UNDER_REVIEW)
        review_services.assign_reviewers(people["officer"], [under_review], [people["reviewer"]])
        visible = selectors.applications_visible_to(people["reviewer"])
        assert list(visible) == [under_review]
        assert other not in selectors.applications_visible_to(people["reviewer2"])

    def test_weighted_average_and_spread(self, people: dict[str, User], under_review: Application) -> None:
        relevance, feasibility = under_review.call.criteria.all()  # weights 3 and 1
        reviews = review_services.assign_reviewers(people["officer"], [under_review],
                                                   [people["reviewer"], people["reviewer2"]])
        review_services.submit_review(people["reviewer"], reviews[0], {relevance.pk: (5, "Très pertinent"),
                                                                feasibility.pk: (1, "")}, "fund")
        review_services.submit_review(people["reviewer2"], reviews[1], {relevance.pk: (3, ""), feasibility.pk: (3, "")},
                                      "fund_with_conditions")
        under_review.refresh_from_db()
        stats = selectors.score_stats(selectors.applications_visible_to(people["officer"]).get(pk=under_review.pk))
        # (5*3 + 1*1) / 4 = 4.00 and (3*3 + 3*1) / 4 = 3.00
        assert (stats.reviews, stats.average, stats.lowest, stats.highest, stats.spread) == (
            2, Decimal("3.50"), Decimal("4.00") - 1, Decimal("4.00"), Decimal("1.00"))
        assert stats.recommendations == {"fund": 1, "fund_with_conditions": 1}

    def test_every_criterion_must_be_scored_from_0_to_5(self, people: dict[str, User],
                                                        under_review: Application) -> None:
        relevance, _feasibility = under_review.call.criteria.all()
        [review] = review_services.assign_reviewers(people["officer"], [under_review], [people["reviewer"]])
        with pytest.raises(RuleViolation) as refused:
            review_services.submit_review(people["reviewer"], review, {relevance.pk: (6, "")}, "")
        assert {v.code for v in refused.value.violations} == {"score_required", "required"}
        review.refresh_from_db()
        assert review.status == Review.Status.ASSIGNED and not review.scores.exists()

    def test_a_conflict_of_interest_takes_the_reviewer_off(self, people: dict[str, User],
                                                           under_review: Application) -> None:
        [review] = review_services.assign_reviewers(people["officer"], [under_review], [people["reviewer"]])
        with pytest.raises(RuleViolation):
            review_services.declare_conflict(people["reviewer"], review, " ")
        review_services.declare_conflict(people["reviewer"], review, "Membre du conseil d'administration")
        relevance, feasibility = under_review.call.criteria.all()
        with pytest.raises(Conflict):
            review_services.submit_review(people["reviewer"], review, {relevance.pk: (3, ""), feasibility.pk: (3, "")},
                                          "fund")

    def test_an_officer_takes_a_reviewer_off_until_the_review_is_submitted(self, people: dict[str, User],
                                                                           under_review: Application) -> None:
        first, second = review_services.assign_reviewers(people["officer"], [under_review],
                                                         [people["reviewer"], people["reviewer2"]])
        with pytest.raises(PermissionDenied):
            review_services.unassign_reviewer(people["approver"], first)
        review_services.unassign_reviewer(people["officer"], first)
        assert not Review.objects.filter(pk=first.pk).exists()
        assert under_review not in selectors.applications_visible_to(people["reviewer"])
        event = AuditEvent.objects.get(action="review.unassign", object_id=str(first.pk))
        assert event.actor == people["officer"]
        assert event.before == {"application": under_review.reference, "reviewer": people["reviewer"].email}
        relevance, feasibility = under_review.call.criteria.all()
        review_services.submit_review(people["reviewer2"], second, {relevance.pk: (3, ""), feasibility.pk: (3, "")},
                                      "fund")
        # The officer's copy is stale (still "assigned"): the service reads the review again.
        assert second.status == Review.Status.ASSIGNED
        with pytest.raises(Conflict) as refused:
            review_services.unassign_reviewer(people["officer"], second)
        assert refused.value.violations[0].code == "review_submitted"
        assert Review.objects.filter(pk=second.pk, status=Review.Status.SUBMITTED).exists()
        assert AuditEvent.objects.filter(action="review.unassign").count() == 1

    def test_only_the_assigned_reviewer_scores(self, people: dict[str, User], under_review: Application) -> None:
        [review] = review_services.assign_reviewers(people["officer"], [under_review], [people["reviewer"]])
        with pytest.raises(NotFound):
            review_services.submit_review(people["reviewer2"], review, {}, "fund")


class TestDecision:
    def test_below_the_threshold_one_approver_decides(self, people: dict[str, User], under_review: Application,
                                                      settings: Settings) -> None:
        settings.FOUR_EYES_THRESHOLD = 10000
        decision = approve(people["approver"], under_review, "6000")
        under_review.refresh_from_db()
        assert under_review.state == State.APPROVED and decision.is_final
        assert Call.objects.get(pk=under_review.call_id).committed == Decimal("6000")
        assert under_review.report_due_on is not None

    def test_above_the_threshold_a_second_approver_confirms(self, people: dict[str, User], under_review: Application,
                                                            settings: Settings) -> None:
        settings.FOUR_EYES_THRESHOLD = 5000
        decision = approve(people["approver"], under_review, "6000")
        under_review.refresh_from_db()
        assert under_review.state == State.UNDER_REVIEW and not decision.is_final
        assert Call.objects.get(pk=under_review.call_id).committed == 0
        with pytest.raises(PermissionDenied) as refused:
            decision_services.confirm_decision(people["approver"], under_review)
        assert refused.value.violations[0].code == "four_eyes"
        decision_services.confirm_decision(people["approver2"], under_review)
        under_review.refresh_from_db()
        decision.refresh_from_db()
        assert under_review.state == State.APPROVED and decision.confirmed_by == people["approver2"]
        assert Call.objects.get(pk=under_review.call_id).committed == Decimal("6000")

    def test_the_database_refuses_a_self_confirmed_decision(self, people: dict[str, User],
                                                            under_review: Application) -> None:
        with pytest.raises(IntegrityError), transaction.atomic():
            Decision.objects.create(application=under_review, outcome="approved", granted_amount=1,
                                    decided_by=people["approver"], confirmed_by=people["approver"])

    def test_a_second_approver_may_set_a_pending_decision_aside(self, people: dict[str, User],
                                                                under_review: Application, settings: Settings) -> None:
        settings.FOUR_EYES_THRESHOLD = 5000
        approve(people["approver"], under_review, "6000")
        decision_services.cancel_pending_decision(people["approver2"], under_review, "Montant à revoir")
        assert not Decision.objects.filter(application=under_review).exists()
        assert not under_review.tranches.exists()
        approve(people["approver2"], under_review, "4000")

    def test_granted_cannot_exceed_requested(self, people: dict[str, User], under_review: Application) -> None:
        with pytest.raises(RuleViolation) as refused:
            approve(people["approver"], under_review, "6000.01")
        assert refused.value.violations[0].code == "granted_above_requested"
        assert not Decision.objects.exists()

    def test_the_schedule_must_add_up_to_the_granted_amount(self, people: dict[str, User],
                                                            under_review: Application) -> None:
        with pytest.raises(RuleViolation) as refused:
            approve(people["approver"], under_review, "6000", [{"due_on": TODAY().isoformat(), "amount": "3000"},
                                                               {"due_on": TODAY().isoformat(), "amount": "2000"}])
        assert refused.value.violations[0].code == "schedule_unbalanced"
        approve(people["approver"], under_review, "6000", [{"due_on": TODAY().isoformat(), "amount": "3000"},
                                                           {"due_on": TODAY().isoformat(), "amount": "3000"}])
        assert [t.position for t in under_review.tranches.all()] == [1, 2]

    def test_the_envelope_never_goes_negative(self, people: dict[str, User], call: Call, org_a: Organisation,
                                              settings: Settings) -> None:
        settings.FOUR_EYES_THRESHOLD = 100000
        first = ApplicationFactory.create(call=call, organisation=org_a, state=State.UNDER_REVIEW,
                                          requested_amount=Decimal("6000"))
        second = ApplicationFactory.create(call=call, organisation=org_a, state=State.UNDER_REVIEW,
                                           requested_amount=Decimal("6000"))
        approve(people["approver"], first, "6000")
        with pytest.raises(RuleViolation) as refused:
            approve(people["approver"], second, "4000.01")
        assert refused.value.violations[0].code == "envelope_exceeded"
        approve(people["approver"], second, "4000")
        call.refresh_from_db()
        assert call.committed == call.budget and call.remaining == 0

    def test_a_confirmation_rechecks_the_envelope(self, people: dict[str, User], call: Call, org_a: Organisation,
                                                  settings: Settings) -> None:
        settings.FOUR_EYES_THRESHOLD = 5000
        first = ApplicationFactory.create(call=call, organisation=org_a, state=State.UNDER_REVIEW,
                                          requested_amount=Decimal("6000"))
        second = ApplicationFactory.create(call=call, organisation=org_a, state=State.UNDER_REVIEW,
                                           requested_amount=Decimal("6000"))
        approve(people["approver"], first, "6000")
        approve(people["approver"], second, "6000")  # pending: nothing committed yet
        decision_services.confirm_decision(people["approver2"], first)
        with pytest.raises(RuleViolation) as refused:
            decision_services.confirm_decision(people["approver2"], second)
        assert refused.value.violations[0].code == "envelope_exceeded"
        second.refresh_from_db()
        assert second.state == State.UNDER_REVIEW
        assert Call.objects.get(pk=call.pk).committed == Decimal("6000")

    def test_the_database_keeps_the_envelope_within_budget(self, call: Call) -> None:
        with pytest.raises(IntegrityError), transaction.atomic():
            Call.objects.filter(pk=call.pk).update(committed=call.budget + 1)

    def test_a_rejection_needs_a_motivation(self, people: dict[str, User], under_review: Application) -> None:
        with pytest.raises(RuleViolation):
            decision_services.record_decision(people["approver"], under_review, DecisionInput(outcome="rejected"))
        decision_services.record_decision(people["approver"], under_review,
                                          DecisionInput(outcome="rejected", motivation="Hors priorités"))
        under_review.refresh_from_db()
        assert under_review.state == State.REJECTED
        assert Call.objects.get(pk=under_review.call_id).committed == 0


class TestPayments:
    def test_finance_records_each_tranche_once(self, people: dict[str, User], under_review: Application,
                                               settings: Settings) -> None:
        settings.FOUR_EYES_THRESHOLD = 100000
        approve(people["approver"], under_review, "6000", [{"due_on": TODAY().isoformat(), "amount": "4000"},
                                                           {"due_on": TODAY().isoformat(), "amount": "2000"}])
        first, second = under_review.tranches.all()
        with pytest.raises(PermissionDenied):
            payment_services.record_payment(people["officer"], first)
        payment_services.record_payment(people["finance"], first, reference="VIR-1")
        with pytest.raises(Conflict) as refused:
            payment_services.record_payment(people["finance"], first)
        assert refused.value.violations[0].code == "already_paid"
        first.refresh_from_db()
        assert first.paid_on == TODAY() and first.payment_reference == "VIR-1"
        assert second.paid_on is None

    def test_no_payment_before_approval(self, people: dict[str, User], under_review: Application) -> None:

        tranche = Tranche.objects.create(application=under_review, position=1, due_on=TODAY(), amount=1)
        with pytest.raises(Conflict):
            payment_services.record_payment(people["finance"], tranche)
