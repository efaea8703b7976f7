"""Schemas of the grants API's inputs: calls, applications and their workflow, reviews, decisions, payments, each
turned into the service's input by ``to_input()`` (the answers are :mod:`subsidia.api.schemas_grants_out`).

Money is a decimal: it is accepted as a JSON number or string and answered as a string ("6000.00").
Dates are ISO dates (YYYY-MM-DD).
"""

from datetime import date
from decimal import Decimal
from typing import Any

from ninja import Field

from subsidia.core.errors import Code as ErrorCode
from subsidia.core.errors import RuleViolation, Violation
from subsidia.grants.inputs import (
    ApplicationInput,
    BudgetLineInput,
    CallInput,
    CriterionInput,
    DecisionInput,
    QuestionInput,
    TrancheInput,
)

from .schemas import MAX_ITEMS, Code, FilterSchema, Id, IdList, InputSchema, Line, Money, SmallInt, Text, Version, Year

# --- calls ---------------------------------------------------------------------------------------


class CriterionIn(InputSchema):
    title: str = Field(..., min_length=1, max_length=200)
    weight: int = Field(default=1, ge=1, le=100)
    help_text: Text = ""

    def to_input(self) -> CriterionInput:
        return CriterionInput(title=self.title, weight=self.weight, help_text=self.help_text)


class QuestionIn(InputSchema):
    key: str = Field(..., min_length=1, max_length=60, pattern=r"^[-a-zA-Z0-9_]+$")
    label: str = Field(..., min_length=1, max_length=300)
    kind: Code = Field(default="text", description="text, number, choice, date or file")
    choices: list[Line] = Field(default=[], max_length=MAX_ITEMS)
    required: bool = False
    help_text: Text = ""
    shown_if_question: str | None = Field(default=None, max_length=60, description="key of an earlier question")
    shown_if_value: Line = ""

    def to_input(self) -> QuestionInput:
        return QuestionInput(key=self.key, label=self.label, kind=self.kind, choices=tuple(self.choices),
                             required=self.required, help_text=self.help_text,
                             shown_if_question=self.shown_if_question or "", shown_if_value=self.shown_if_value)


class CallIn(InputSchema):
    """Fields of a call; on PATCH every field is optional and only the given ones change."""

    title: str | None = Field(default=None, max_length=200)
    programme: str | None = Field(default=None, max_length=200)
    year: Year | None = None
    text: Text | None = None
    priorities: list[Line] | None = Field(default=None, max_length=MAX_ITEMS,
                                          description="the call's priorities, in order")
    eligible_legal_forms: list[Code] | None = Field(default=None, max_length=MAX_ITEMS)
    min_lead_weeks: SmallInt | None = None
    required_document_kinds: list[Code] | None = Field(default=None, max_length=MAX_ITEMS,
                                                       description="description, budget, annex")
    deliverable_types: list[Code] | None = Field(default=None, max_length=MAX_ITEMS)
    opens_at: date | None = None
    closes_at: date | None = Field(default=None, description="null: a rolling call, open until further notice")
    budget: Money | None = None
    is_published: bool | None = None
    criteria: list[CriterionIn] | None = Field(default=None, max_length=MAX_ITEMS)
    questions: list[QuestionIn] | None = Field(default=None, max_length=MAX_ITEMS)

    def to_input(self) -> CallInput:
        """The service's input: the fields given (``opens_at`` is the call's ``opens_on``); null empties a text or
        a list and is refused for a field a call cannot lack."""
        given = self.model_fields_set
        nulls = [key for key in ("title", "programme", "year", "budget", "min_lead_weeks", "is_published")
                 if key in given and getattr(self, key) is None]
        if nulls:
            raise RuleViolation([Violation(ErrorCode.INVALID, "Valeur nulle non admise.", key) for key in nulls])
        values: dict[str, Any] = {key: getattr(self, key) for key in (
            "title", "programme", "year", "budget", "min_lead_weeks", "is_published") if key in given}
        names = {"opens_at": "opens_on", "closes_at": "closes_on"}
        values.update({names[key]: getattr(self, key) for key in names if key in given})
        if "text" in given:
            values["text"] = self.text or ""
        for key in ("priorities", "eligible_legal_forms", "required_document_kinds", "deliverable_types"):
            if key in given:
                values[key] = tuple(getattr(self, key) or ())
        if "criteria" in given:
            values["criteria"] = tuple(item.to_input() for item in self.criteria or ())
        if "questions" in given:
            values["questions"] = tuple(item.to_input() for item in self.questions or ())
        return CallInput(**values)


class CallCreate(CallIn):
    title: str = Field(..., min_length=1, max_length=200)
    programme: str = Field(..., min_length=1, max_length=200)
    year: Year
    budget: Money


class CallPatch(CallIn):
    version: Version | None = Field(default=None, description="the version you edited; an outdated one answers 409")


class CallFilters(FilterSchema):
    open: bool | None = Field(default=None, description="true: calls open today; false: the others")
    year: Year | None = None


# --- applications --------------------------------------------------------------------------------


class BudgetLineIn(InputSchema):
    label: str = Field(..., max_length=200)
    kind: Code = Field(..., description="expense or income")
    amount: Money

    def to_input(self) -> BudgetLineInput:
        return BudgetLineInput(kind=self.kind, label=self.label, amount=self.amount)


class ApplicationIn(InputSchema):
    """Editable fields of an application; on PATCH every field is optional."""

    title: str | None = Field(default=None, max_length=200)
    summary: Text | None = None
    description: Text | None = None
    priority_id: Id | None = None
    activity_domain_id: Id | None = Field(
        default=None,
        description="the field of activity (GET /activity-domains); officers are warned when a convention already "
                    "funds it")
    deliverable_types: list[Code] | None = Field(default=None, max_length=MAX_ITEMS)
    start_date: date | None = None
    end_date: date | None = None
    requested_amount: Money | None = None
    budget_lines: list[BudgetLineIn] | None = Field(default=None, max_length=MAX_ITEMS,
                                                    description="the planned budget; replaces the lines")
    answers: dict[Code, Any] | None = Field(default=None, max_length=MAX_ITEMS,
                                            description="answers to the call's questions, by key")

    def to_input(self) -> ApplicationInput:
        """The service's input: the fields given; null empties a text, a list or the answers, and an answer is
        kept as text (its question's kind is checked by the service)."""
        given = self.model_fields_set
        values: dict[str, Any] = {key: getattr(self, key) for key in (
            "priority_id", "activity_domain_id", "start_date", "end_date", "requested_amount") if key in given}
        values.update({key: getattr(self, key) or "" for key in ("title", "summary", "description") if key in given})
        if "deliverable_types" in given:
            values["deliverable_types"] = tuple(self.deliverable_types or ())
        if "answers" in given:
            values["answers"] = {key: "" if value is None else str(value)
                                 for key, value in (self.answers or {}).items()}
        if "budget_lines" in given:
            values["budget_lines"] = tuple(line.to_input() for line in self.budget_lines or ())
        return ApplicationInput(**values)


class ApplicationCreate(ApplicationIn):
    call_id: Id
    organisation_id: Id
    title: str = Field(..., min_length=1, max_length=200)


class ApplicationPatch(ApplicationIn):
    version: Version | None = Field(default=None, description="the version you edited; an outdated one answers 409")


class ApplicationFilters(FilterSchema):
    call_id: Id | None = None
    state: Code | None = None
    organisation_id: Id | None = None


# --- workflow inputs -------------------------------------------------------------------------------


class VersionIn(InputSchema):
    version: Version | None = Field(default=None, description="the version you acted on; an outdated one answers 409")


class NoteIn(VersionIn):
    note: Text = ""


class IneligibleIn(VersionIn):
    reasons: list[Text] = Field(default=[], max_length=MAX_ITEMS,
                                description="empty: the failures of the latest eligibility check")


class InformationRequestIn(VersionIn):
    questions: Text = ""


class CommentIn(VersionIn):
    comment: Text = ""


class FinalReportIn(VersionIn):
    deliverables: Text = ""
    narrative: Text = ""
    actual_budget_lines: list[BudgetLineIn] | None = Field(default=None, max_length=MAX_ITEMS)


# --- reviews -------------------------------------------------------------------------------------


class ReviewersIn(InputSchema):
    reviewer_ids: IdList = Field(..., description="the reviewers' user ids")


class ScoreIn(InputSchema):
    criterion_id: Id
    score: SmallInt = Field(..., description="from 0 to 5")
    comment: Text = ""


class ReviewSubmitIn(InputSchema):
    scores: list[ScoreIn] = Field(..., max_length=MAX_ITEMS)
    recommendation: Code = Field(..., description="fund, fund_with_conditions or do_not_fund")
    comment: Text = ""


class ConflictIn(InputSchema):
    note: Text = ""


# --- decisions and payments ------------------------------------------------------------------------


class TrancheIn(InputSchema):
    due_on: date
    amount: Money

    def to_input(self) -> TrancheInput:
        return TrancheInput(due_on=self.due_on, amount=self.amount)


class DecisionIn(VersionIn):
    outcome: Code = Field(..., description="approved or rejected")
    granted_amount: Money = Decimal(0)
    conditions: Text = ""
    motivation: Text = ""
    tranches: list[TrancheIn] | None = Field(default=None, max_length=MAX_ITEMS,
                                             description="default: the whole amount, due today")

    def to_input(self) -> DecisionInput:
        return DecisionInput(outcome=self.outcome, granted_amount=self.granted_amount, conditions=self.conditions,
                             motivation=self.motivation,
                             tranches=None if self.tranches is None else tuple(t.to_input() for t in self.tranches))


class TrancheFilters(FilterSchema):
    paid: bool | None = Field(default=None, description="true: paid tranches; false: those still to pay")
    call_id: Id | None = None
    application_id: Id | None = None
    due_before: date | None = Field(default=None, description="unpaid or paid, due on or before this date")


class PaymentIn(InputSchema):
    paid_on: date | None = Field(default=None, description="default: today")
    reference: str = Field(default="", max_length=100)
