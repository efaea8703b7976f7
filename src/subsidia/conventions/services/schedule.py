"""The schedule that follows a signed convention: the yearly reports it expects and the unpaid lines of its
payment plan, rebuilt from its dates and amounts after each act that changes them (signature, amendment,
termination, an accepted financial statement). Filed reports and payments made are never touched."""

from __future__ import annotations

from .. import money, selectors
from ..models import Convention, ReportKind, ReportStatus, ScheduledPayment, YearlyReport


def sync(convention: Convention) -> None:
    """Bring the expected reports and the unpaid payment lines in line with the convention's dates and
    amounts (in the caller's transaction)."""
    convention = selectors.with_details(Convention.objects.all()).get(pk=convention.pk)
    years = money.covered_years(convention)
    for year in years:
        for kind in ReportKind.values:
            YearlyReport.objects.get_or_create(convention=convention, year=year, kind=kind,
                                               defaults={"due_on": money.report_due_on(year)})
    convention.reports.filter(status=ReportStatus.EXPECTED, submitted_at__isnull=True).exclude(
        year__in=years).delete()
    existing = list(convention.payments.all())
    convention.payments.filter(paid_on__isnull=True).delete()
    for year in years:
        for line in money.plan_year(convention, year, existing):
            if not any(p.year == year and p.kind == line.kind and p.position == line.position and p.paid_on
                       for p in existing):
                ScheduledPayment.objects.create(convention=convention, year=year, kind=line.kind,
                                                position=line.position, due_on=line.due_on, amount=line.amount)
