"""The money of a convention, computed from its dates, domains and amendments (nothing here writes).

* The amount granted for a year is, for each domain, its yearly amount pro rata of the days the convention
  is in force that year (a leap year has 366 days), each amendment's amounts applying from its effective
  date. A full year is exactly the yearly amount.
* The payment schedule of a year: quarterly advances (``advance_percent`` of the amount granted, spread
  evenly over the quarters in force, due on the first day of each quarter or the convention's start), then
  the balance, due once the financial statement is in.
* The reconciliation of a year: granted, paid (on a given date), spent (the financial statement); the
  eligible amount is the lesser of granted and spent; what remains to pay, or the surplus to recover.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings

from .models import Convention, ConventionDomain, PaymentKind, ReportKind, ReportStatus, ScheduledPayment

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
QUARTER_STARTS = (1, 4, 7, 10)


def cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def days_in_year(year: int) -> int:
    return 366 if calendar.isleap(year) else 365


def covered_period(convention: Convention, year: int) -> tuple[date, date] | None:
    """The days of ``year`` on which the convention is in force (signed or not), or None."""
    start = max(convention.starts_on, date(year, 1, 1))
    end = min(convention.last_day, date(year, 12, 31))
    return (start, end) if start <= end else None


def covered_years(convention: Convention) -> list[int]:
    return [y for y in range(convention.starts_on.year, convention.last_day.year + 1) if covered_period(convention, y)]


@dataclass(frozen=True)
class Rate:
    effective_from: date
    yearly_amount: Decimal
    fte: Decimal
    amendment_number: int = 0


def rates(domain: ConventionDomain) -> list[Rate]:
    """The domain's yearly amounts over time: as signed, then as each amendment set them."""
    history = [Rate(domain.convention.starts_on, domain.yearly_amount, domain.fte)]
    lines = sorted(domain.amendment_lines.all(), key=lambda line: (line.amendment.effective_from,
                                                                    line.amendment.number))
    for line in lines:
        history.append(Rate(line.amendment.effective_from, line.yearly_amount, line.fte, line.amendment.number))
    return history


def rate_on(domain: ConventionDomain, day: date) -> Rate:
    history = rates(domain)
    return next((rate for rate in reversed(history) if rate.effective_from <= day), history[0])


def domain_granted(domain: ConventionDomain, year: int) -> Decimal:
    """The amount granted to one domain for ``year``, pro rata of the days in force at each rate."""
    period = covered_period(domain.convention, year)
    if period is None:
        return ZERO
    start, end = period
    history = rates(domain)
    total = Decimal(0)
    for index, rate in enumerate(history):
        segment_start = max(start, rate.effective_from)
        following = history[index + 1].effective_from if index + 1 < len(history) else None
        segment_end = min(end, following - timedelta(days=1)) if following else end
        if segment_start > segment_end:
            continue
        days = (segment_end - segment_start).days + 1
        total += rate.yearly_amount * days / days_in_year(year)
    return cents(total)


def granted(convention: Convention, year: int) -> Decimal:
    return sum((domain_granted(d, year) for d in convention.domains.all()), ZERO)


def granted_by_domain(convention: Convention, year: int) -> dict[int, Decimal]:
    return {d.pk: domain_granted(d, year) for d in convention.domains.all()}


def report_due_on(year: int) -> date:
    """Reports for ``year`` are due on the configured day of the next year (31 March by default)."""
    month, day = (int(part) for part in settings.CONVENTION_REPORTS_DUE.split("-"))
    return date(year + 1, month, day)


@dataclass(frozen=True)
class PlannedPayment:
    kind: str
    position: int
    due_on: date
    amount: Decimal


def _split(total: Decimal, parts: int) -> list[Decimal]:
    """``total`` in ``parts`` amounts that differ by at most a cent and add up exactly."""
    if parts <= 0:
        return []
    share = (total / parts).quantize(CENT, rounding="ROUND_DOWN")
    amounts = [share] * parts
    amounts[-1] = total - share * (parts - 1)
    return amounts


def advance_due_dates(convention: Convention, year: int) -> list[date]:
    period = covered_period(convention, year)
    if period is None:
        return []
    start, end = period
    dates = []
    for month in QUARTER_STARTS:
        quarter_start = date(year, month, 1)
        quarter_end = (date(year, month + 3, 1) - timedelta(days=1)) if month < 10 else date(year, 12, 31)
        if quarter_start <= end and quarter_end >= start:
            dates.append(max(quarter_start, start))
    return dates


def spent(statement: object) -> Decimal:
    return sum((line.spent for line in statement.spending.all()), ZERO)  # type: ignore[attr-defined]


def accepted_statement(convention: Convention, year: int) -> object | None:
    for report in convention.reports.all():
        if report.year == year and report.kind == ReportKind.FINANCIAL and report.status == ReportStatus.ACCEPTED:
            return report
    return None


def plan_year(convention: Convention, year: int, existing: Iterable[ScheduledPayment] = ()) -> list[PlannedPayment]:
    """The schedule ``year`` should have, keeping the lines already paid as they are.

    The target is the amount granted, or, once the financial statement is accepted, the eligible amount
    (the lesser of granted and spent). Advances still unpaid share what remains of the advance share;
    the balance is what remains of the target. Unpaid lines that come to nothing are left out."""
    year_granted = granted(convention, year)
    statement = accepted_statement(convention, year)
    target = min(year_granted, spent(statement)) if statement is not None else year_granted
    advances_target = min(target, cents(year_granted * convention.advance_percent / 100))
    lines = [p for p in existing if p.year == year]
    paid = {(p.kind, p.position): p for p in lines if p.paid_on is not None}
    plan: list[PlannedPayment] = [PlannedPayment(p.kind, p.position, p.due_on, p.amount) for p in paid.values()]

    due_dates = advance_due_dates(convention, year)
    paid_advances = sum((p.amount for (kind, _pos), p in paid.items() if kind == PaymentKind.ADVANCE), ZERO)
    open_positions = [(i, d) for i, d in enumerate(due_dates, start=1) if (PaymentKind.ADVANCE, i) not in paid]
    remaining_advances = max(ZERO, advances_target - paid_advances)
    for (position, due), amount in zip(open_positions, _split(remaining_advances, len(open_positions)), strict=True):
        if amount > 0:
            plan.append(PlannedPayment(PaymentKind.ADVANCE, position, due, amount))

    advances = sum((p.amount for p in plan if p.kind == PaymentKind.ADVANCE), ZERO)
    paid_balance = sum((p.amount for (kind, _pos), p in paid.items() if kind == PaymentKind.BALANCE), ZERO)
    balance = target - advances - paid_balance
    if balance > 0:
        position = max([pos for (kind, pos) in paid if kind == PaymentKind.BALANCE], default=0) + 1
        due = report_due_on(year) + timedelta(days=settings.CONVENTION_BALANCE_AFTER_DAYS)
        plan.append(PlannedPayment(PaymentKind.BALANCE, position, due, balance))
    return sorted(plan, key=lambda p: (p.due_on, p.kind, p.position))


@dataclass
class YearPosition:
    """Where the money of one year stands on a given date."""

    year: int
    on: date
    granted: Decimal
    scheduled: Decimal  # everything on the schedule
    due: Decimal  # scheduled with a due date on or before ``on``
    paid: Decimal  # paid on or before ``on``
    spent: Decimal | None = None  # from the financial statement, once filed
    statement_status: str = ""
    eligible: Decimal | None = None
    to_pay: Decimal = ZERO  # still owed to the partner
    surplus: Decimal = ZERO  # paid beyond the eligible amount: to recover
    overdue: Decimal = ZERO  # due and not paid
    payments: list[ScheduledPayment] = field(default_factory=list)


def position(convention: Convention, year: int, on: date) -> YearPosition:
    lines = [p for p in convention.payments.all() if p.year == year]
    balance_payable = accepted_statement(convention, year) is not None
    paid = sum((p.amount for p in lines if p.paid_on is not None and p.paid_on <= on), ZERO)
    due = sum((p.amount for p in lines if p.due_on <= on), ZERO)
    result = YearPosition(
        year=year, on=on, granted=granted(convention, year), scheduled=sum((p.amount for p in lines), ZERO),
        due=due, paid=paid, payments=sorted(lines, key=lambda p: (p.due_on, p.kind, p.position)),
        # A balance waits for the accepted financial statement: until then it is not late on the ministry's side.
        overdue=sum((p.amount for p in lines if p.due_on < on and (p.paid_on is None or p.paid_on > on)
                     and (p.kind == PaymentKind.ADVANCE or balance_payable)), ZERO),
    )
    statement = next((r for r in convention.reports.all() if r.year == year and r.kind == ReportKind.FINANCIAL
                      and r.status != ReportStatus.EXPECTED), None)
    if statement is not None:
        result.spent = spent(statement)
        result.statement_status = statement.status
        result.eligible = min(result.granted, result.spent)
        result.to_pay = max(ZERO, result.eligible - paid)
        result.surplus = max(ZERO, paid - result.eligible)
    else:
        result.to_pay = max(ZERO, result.granted - paid)
    return result


def positions(convention: Convention, on: date) -> list[YearPosition]:
    return [position(convention, year, on) for year in covered_years(convention)]
