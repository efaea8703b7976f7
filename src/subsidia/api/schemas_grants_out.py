"""Schemas of the grants API's answers: calls, applications with their budget, documents, decision and payments,
reviews, and the decision summary of a call (the inputs are :mod:`subsidia.api.schemas_grants`).

Money is answered as a string ("6000.00"), dates as ISO dates (YYYY-MM-DD).
"""

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from ninja import Field, Schema


class CriterionOut(Schema):
    id: int
    title: str
    weight: int
    help_text: str


class QuestionOut(Schema):
    key: str
    label: str
    kind: str
    choices: list[str]
    required: bool
    help_text: str
    shown_if_question: str | None
    shown_if_value: str

    @staticmethod
    def resolve_shown_if_question(obj: Any) -> str | None:
        parent = obj.shown_if_question
        return parent.key if parent is not None else None


class PriorityOut(Schema):
    id: int
    title: str


class CallOut(Schema):
    id: int
    title: str
    programme: str
    year: int
    text: str
    priorities: list[str]
    priority_options: list[PriorityOut] = Field(..., description="the priorities with their id (priority_id)")
    eligible_legal_forms: list[str]
    min_lead_weeks: int
    required_document_kinds: list[str]
    deliverable_types: list[str]
    opens_at: date | None
    closes_at: date | None
    budget: Decimal
    committed: Decimal
    remaining: Decimal
    is_published: bool
    is_open: bool
    version: int
    criteria: list[CriterionOut]
    questions: list[QuestionOut]

    @staticmethod
    def resolve_priorities(obj: Any) -> list[str]:
        return [p.title for p in obj.priorities.all()]

    @staticmethod
    def resolve_priority_options(obj: Any) -> list[Any]:
        return list(obj.priorities.all())

    @staticmethod
    def resolve_opens_at(obj: Any) -> date | None:
        return obj.opens_on

    @staticmethod
    def resolve_closes_at(obj: Any) -> date | None:
        return obj.closes_on

    @staticmethod
    def resolve_is_open(obj: Any) -> bool:
        return bool(obj.is_open())

    @staticmethod
    def resolve_criteria(obj: Any) -> list[Any]:
        return list(obj.criteria.all())

    @staticmethod
    def resolve_questions(obj: Any) -> list[Any]:
        return list(obj.questions.all())


class BudgetLineOut(Schema):
    id: int
    label: str
    kind: str
    amount: Decimal


class _ApplicationFields(Schema):
    id: int
    reference: str
    title: str
    call_id: int
    call_title: str
    organisation_id: int
    organisation_name: str
    activity_domain_id: int | None
    state: str
    version: int
    requested_amount: Decimal | None
    start_date: date | None
    end_date: date | None
    submitted_at: datetime | None


class ApplicationSummaryOut(_ApplicationFields):
    @staticmethod
    def resolve_call_title(obj: Any) -> str:
        return str(obj.call.title)

    @staticmethod
    def resolve_organisation_name(obj: Any) -> str:
        return str(obj.organisation.name)


class DocumentOut(Schema):
    id: int
    kind: str
    question_key: str
    version: int
    original_name: str
    content_type: str
    size: int
    uploaded_at: datetime


class ViolationOut(Schema):
    code: str
    message: str
    field: str | None = None


class TotalsOut(Schema):
    expenses: Decimal
    incomes: Decimal
    requested: Decimal
    balanced: bool


class TrancheOut(Schema):
    id: int
    application_id: int
    application_reference: str
    organisation_name: str
    position: int
    due_on: date
    amount: Decimal
    paid_on: date | None
    payment_reference: str

    @staticmethod
    def resolve_application_reference(obj: Any) -> str:
        return str(obj.application.reference)

    @staticmethod
    def resolve_organisation_name(obj: Any) -> str:
        return str(obj.application.organisation.name)


class DecisionOut(Schema):
    id: int
    application_id: int
    outcome: str
    granted_amount: Decimal
    conditions: str
    motivation: str
    decided_at: datetime
    confirmed_at: datetime | None
    awaiting_confirmation: bool = Field(..., description="an approval above the four-eyes threshold waits for "
                                                         "a second approver")

    @staticmethod
    def resolve_awaiting_confirmation(obj: Any) -> bool:
        return obj.confirmed_at is None


class ReviewSummaryItem(Schema):
    id: int
    reviewer: str
    status: str
    recommendation: str
    weighted_score: Decimal | None


class ReviewsSummaryOut(Schema):
    submitted: int
    average: Decimal | None
    lowest: Decimal | None
    highest: Decimal | None
    spread: Decimal | None
    stdev: Decimal | None
    recommendations: dict[str, int]
    reviews: list[ReviewSummaryItem]


class FinalReportOut(Schema):
    deliverables: str
    narrative: str
    submitted_at: datetime | None
    returned_comment: str


class TransitionOut(Schema):
    name: str
    label: str
    method: str
    path: str


class ApplicationOut(_ApplicationFields):
    summary: str
    description: str
    priority_id: int | None
    deliverable_types: list[str]
    answers: dict[str, Any]
    first_submitted_on: date | None
    report_due_on: date | None
    totals: TotalsOut
    budget_lines: list[BudgetLineOut]
    actual_budget_lines: list[BudgetLineOut]
    documents: list[DocumentOut]
    missing: list[ViolationOut] = Field(..., description="what would stop the submission now (editable states)")
    information_request: str
    ineligibility_reasons: list[str]
    decision: DecisionOut | None
    tranches: list[TrancheOut]
    reviews: ReviewsSummaryOut | None = Field(..., description="for the ministry's staff only")
    final_report: FinalReportOut | None
    available_transitions: list[TransitionOut]


class ScoreOut(Schema):
    criterion_id: int
    criterion: str
    score: int
    comment: str

    @staticmethod
    def resolve_criterion(obj: Any) -> str:
        return str(obj.criterion.title)


class ReviewOut(Schema):
    id: int
    application_id: int
    application_reference: str
    application_title: str
    application_state: str
    reviewer: str
    status: str
    conflict_note: str
    recommendation: str
    comment: str
    assigned_at: datetime
    submitted_at: datetime | None
    criteria: list[CriterionOut]
    scores: list[ScoreOut]
    weighted_score: Decimal | None

    @staticmethod
    def resolve_application_reference(obj: Any) -> str:
        return str(obj.application.reference)

    @staticmethod
    def resolve_application_title(obj: Any) -> str:
        return str(obj.application.title)

    @staticmethod
    def resolve_application_state(obj: Any) -> str:
        return str(obj.application.state)

    @staticmethod
    def resolve_reviewer(obj: Any) -> str:
        return str(obj.reviewer.email)

    @staticmethod
    def resolve_criteria(obj: Any) -> list[Any]:
        return list(obj.application.call.criteria.all())

    @staticmethod
    def resolve_scores(obj: Any) -> list[Any]:
        return list(obj.scores.select_related("criterion"))

    @staticmethod
    def resolve_weighted_score(obj: Any) -> Decimal | None:
        return obj.weighted_score()


class SummaryDecisionOut(Schema):
    outcome: str
    granted_amount: Decimal
    awaiting_confirmation: bool


class SummaryRowOut(Schema):
    application_id: int
    reference: str
    title: str
    organisation_name: str
    state: str
    requested: Decimal
    reviews: int
    average: Decimal | None
    lowest: Decimal | None
    highest: Decimal | None
    spread: Decimal | None
    stdev: Decimal | None
    recommendations: dict[str, int]
    decision: SummaryDecisionOut | None


class DecisionSummaryOut(Schema):
    call_id: int
    call_title: str
    budget: Decimal
    committed: Decimal
    remaining: Decimal
    requested_pending: Decimal
    rows: list[SummaryRowOut]
