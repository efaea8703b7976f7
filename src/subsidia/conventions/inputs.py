"""What each write on conventions takes, typed: one input per write, that the Django forms
(:mod:`subsidia.conventions.forms_staff`, :mod:`subsidia.conventions.forms_partner`) and the API's schemas
(:mod:`subsidia.api.schemas_conventions`) both produce, so that the services receive values already parsed.

Objects are named by id (an organisation, an activity domain, a convention's domain or indicator): the
service looks each one up and counts an unknown one among its problems, with the others, rather than the
caller failing on the first. Amounts are decimals and dates are dates; whether they are in range is a rule
of the service (a negative amount, a date in the future), reported with every other problem at once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from .models import Convention


@dataclass(frozen=True)
class IndicatorInput:
    name: str
    unit: str
    yearly_target: Decimal


@dataclass(frozen=True)
class DomainInput:
    """One activity domain of a convention, with its yearly amount, its staff and its indicators."""

    activity: int | None
    yearly_amount: Decimal
    fte: Decimal = Decimal(0)
    description: str = ""
    indicators: tuple[IndicatorInput, ...] = ()


@dataclass(frozen=True)
class ConventionInput:
    """A convention's own fields, and its domains (None: an edit keeps the domains it has). An empty
    ``reference`` is given one (CONV-year-number) when the convention is created, and kept on an edit."""

    department: int | None
    organisation: int | None
    title: str
    starts_on: date
    ends_on: date
    reference: str = ""
    advance_percent: int = 90
    notes: str = ""
    domains: tuple[DomainInput, ...] | None = None

    @classmethod
    def of(cls, convention: Convention) -> ConventionInput:
        """The convention as it is (its domains kept): the start of an edit that changes a few fields."""
        return cls(department=convention.department_id, organisation=convention.organisation_id,
                   title=convention.title, starts_on=convention.starts_on, ends_on=convention.ends_on,
                   reference=convention.reference, advance_percent=convention.advance_percent,
                   notes=convention.notes)


@dataclass(frozen=True)
class SignInput:
    signed_on: date | None = None  # today when not given
    signed_by_partner_on: date | None = None


@dataclass(frozen=True)
class AmendmentLineInput:
    """A domain's new yearly amount from the amendment's effective date; ``fte`` None keeps its staff."""

    domain: int
    yearly_amount: Decimal
    fte: Decimal | None = None


@dataclass(frozen=True)
class AmendmentInput:
    signed_on: date
    effective_from: date
    summary: str
    ends_on: date | None = None  # None: the end does not change
    lines: tuple[AmendmentLineInput, ...] = ()


@dataclass(frozen=True)
class TerminationInput:
    terminated_on: date
    reason: str


@dataclass(frozen=True)
class PaymentInput:
    paid_on: date | None = None  # today when not given
    payment_reference: str = ""


@dataclass(frozen=True)
class IndicatorValueInput:
    value: Decimal | None  # None: no value (a stored one is cleared)
    comment: str = ""


@dataclass(frozen=True)
class ReportInput:
    """The partner's report; a field left None does not change. ``values`` (by indicator id, activity report)
    and ``spending`` (by domain id, financial statement), when given, replace the report's."""

    narrative: str | None = None
    values: Mapping[int, IndicatorValueInput] | None = None
    spending: Mapping[int, Decimal | None] | None = None
