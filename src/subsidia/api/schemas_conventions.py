"""Schemas of the conventions API: conventions, their money and yearly reports, and the activity domains.

Money is a decimal: it is accepted as a JSON number or string and answered as a string ("6000.00").
Dates are ISO dates (YYYY-MM-DD). A convention's ``status`` is derived from its dates, as on the pages.
"""

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from django.utils import timezone
from ninja import Field, Schema

from subsidia.conventions.inputs import IndicatorValueInput, PaymentInput, ReportInput

from .schemas import MAX_ITEMS, Amount, FilterSchema, Id, InputSchema, Key, Text, Version

ConventionStatus = Literal["draft", "signed", "active", "ended", "terminated"]


class ActivityDomainOut(Schema):
    id: int
    code: str
    name: str


class NamedOut(Schema):
    id: int
    name: str


# --- conventions ---------------------------------------------------------------------------------


class ConventionFilters(FilterSchema):
    organisation_id: Id | None = None
    status: ConventionStatus | None = Field(default=None, description="derived from the dates, as of today")
    active_on: date | None = Field(default=None, description="in force on this day")


class ConventionSummaryOut(Schema):
    id: int
    reference: str
    title: str
    department: NamedOut
    organisation: NamedOut
    starts_on: date
    ends_on: date
    status: str
    signed_on: date | None
    terminated_on: date | None

    @staticmethod
    def resolve_status(obj: Any) -> str:
        return str(obj.status_on(timezone.localdate()).value)


class IndicatorOut(Schema):
    id: int
    name: str
    unit: str
    yearly_target: Decimal


class ConventionDomainOut(Schema):
    id: int
    activity: ActivityDomainOut
    description: str
    yearly_amount: Decimal = Field(..., description="as in force today (amendments included)")
    fte: Decimal = Field(..., description="funded staff (full-time equivalents) as in force today")
    indicators: list[IndicatorOut]


class AmendmentLineOut(Schema):
    domain_id: int
    activity: ActivityDomainOut
    yearly_amount: Decimal
    fte: Decimal


class AmendmentOut(Schema):
    number: int
    signed_on: date
    effective_from: date
    previous_ends_on: date
    ends_on: date
    summary: str
    lines: list[AmendmentLineOut]


class PaymentOut(Schema):
    id: int
    convention_id: int
    year: int
    kind: str = Field(..., description="advance or balance")
    position: int
    due_on: date
    amount: Decimal
    paid_on: date | None
    payment_reference: str


class YearOut(Schema):
    """Where the money of one year stands today."""

    year: int
    granted: Decimal
    scheduled: Decimal
    due: Decimal = Field(..., description="scheduled with a due date up to today")
    paid: Decimal
    spent: Decimal | None = Field(..., description="from the financial statement, once filed")
    statement_status: str
    eligible: Decimal | None = Field(..., description="the lesser of granted and spent")
    to_pay: Decimal
    surplus: Decimal = Field(..., description="paid beyond the eligible amount: to recover")
    overdue: Decimal = Field(..., description="due and not paid")
    payments: list[PaymentOut]


class ReportSummaryOut(Schema):
    id: int
    year: int
    kind: str = Field(..., description="activity or financial")
    status: str
    due_on: date
    submitted_at: datetime | None


class OverlapOut(Schema):
    application_id: int
    application_reference: str
    application_title: str
    activity: ActivityDomainOut
    start: date
    end: date


class ConventionOut(Schema):
    id: int
    reference: str
    title: str
    department: NamedOut
    organisation: NamedOut
    starts_on: date
    ends_on: date
    last_day: date = Field(..., description="the last day in force (before a termination takes effect)")
    advance_percent: int
    signed_by_partner_on: date | None
    signed_on: date | None
    status: str
    terminated_on: date | None
    termination_reason: str
    version: int
    domains: list[ConventionDomainOut]
    amendments: list[AmendmentOut]
    years: list[YearOut]
    reports: list[ReportSummaryOut]
    overlaps: list[OverlapOut] | None = Field(
        ..., description="subsidy applications funding one of the domains on common days (ministry staff only)")


# --- yearly reports ------------------------------------------------------------------------------


class IndicatorResultOut(Schema):
    indicator_id: int
    domain_id: int
    activity: ActivityDomainOut
    name: str
    unit: str
    yearly_target: Decimal
    value: Decimal | None
    comment: str


class SpendingOut(Schema):
    domain_id: int
    activity: ActivityDomainOut
    granted: Decimal
    spent: Decimal | None


class ReconciliationOut(Schema):
    granted: Decimal
    paid: Decimal
    spent: Decimal | None
    eligible: Decimal | None
    to_pay: Decimal
    surplus: Decimal


class ReportDocumentOut(Schema):
    id: int
    original_name: str
    content_type: str
    size: int
    uploaded_at: datetime


class ViolationItem(Schema):
    code: str
    message: str
    field: str | None = None


class ActionOut(Schema):
    name: str
    label: str
    method: str
    path: str


class ReportOut(Schema):
    id: int
    convention_id: int
    convention_reference: str
    organisation: NamedOut
    year: int
    kind: str
    status: str
    due_on: date
    narrative: str
    submitted_at: datetime | None
    reviewed_at: datetime | None
    officer_comment: str
    version: int
    indicators: list[IndicatorResultOut] | None = Field(..., description="activity report: values vs targets")
    spending: list[SpendingOut] | None = Field(..., description="financial statement: spent per domain")
    reconciliation: ReconciliationOut | None = Field(..., description="financial statement: the year's money")
    documents: list[ReportDocumentOut]
    missing: list[ViolationItem] = Field(..., description="what stops filing the report now (while editable)")
    available_actions: list[ActionOut]


class IndicatorValueIn(InputSchema):
    value: Amount | None = Field(default=None, description="null or absent: no value")
    comment: Text = ""


class ReportIn(InputSchema):
    """The partner's report; only the given fields change. ``values`` (activity report) and ``spending``
    (financial statement), when given, replace the report's."""

    narrative: Text | None = None
    values: dict[Key, IndicatorValueIn] | None = Field(default=None, max_length=MAX_ITEMS,
                                                       description="by indicator id")
    spending: dict[Key, Amount | None] | None = Field(default=None, max_length=MAX_ITEMS,
                                                   description="amount spent, by domain id")
    version: Version | None = Field(default=None, description="the version you edited; an outdated one answers 409")

    def to_input(self) -> ReportInput:
        """What the service takes: a field not sent does not change, one sent as null is emptied."""
        sent = self.model_fields_set
        values = {key: IndicatorValueInput(entry.value, entry.comment) for key, entry in (self.values or {}).items()}
        return ReportInput(narrative=(self.narrative or "") if "narrative" in sent else None,
                           values=values if "values" in sent else None,
                           spending=dict(self.spending or {}) if "spending" in sent else None)


class ConventionPaymentIn(InputSchema):
    paid_on: date | None = Field(default=None, description="default: today; never in the future")
    payment_reference: str = Field(default="", max_length=100)

    def to_input(self) -> PaymentInput:
        return PaymentInput(self.paid_on, self.payment_reference)
