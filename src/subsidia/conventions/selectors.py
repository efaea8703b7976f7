"""Reads on conventions, always scoped by the user who reads, and the funding overview of an organisation."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from subsidia.accounts.actors import Visitor
from subsidia.accounts.models import User
from subsidia.accounts.roles import ALL_ORGANISATIONS_ROLES, Role
from subsidia.grants.models import Application, State
from subsidia.organisations.models import Organisation

from . import money
from .models import (
    AmendmentLine,
    Convention,
    ConventionDomain,
    ReportStatus,
    ScheduledPayment,
    Status,
    YearlyReport,
)

# Applications that are, or may become, funded: shown in the funding overview and checked for overlaps.
LIVE_APPLICATION_STATES = frozenset({
    State.SUBMITTED, State.ELIGIBILITY, State.MORE_INFORMATION_REQUESTED, State.UNDER_REVIEW, State.APPROVED,
    State.IN_PROGRESS, State.REPORTING, State.CLOSED,
})
FUNDED_APPLICATION_STATES = frozenset({State.APPROVED, State.IN_PROGRESS, State.REPORTING, State.CLOSED})


def sees_all_conventions(user: Visitor) -> bool:
    return isinstance(user, User) and bool(user.staff_roles & ALL_ORGANISATIONS_ROLES)


def with_details(conventions: QuerySet[Convention]) -> QuerySet[Convention]:
    return conventions.select_related("organisation", "department").prefetch_related(
        Prefetch("domains", queryset=ConventionDomain.objects.select_related("activity", "convention")
                 .prefetch_related("indicators", Prefetch(
                     "amendment_lines", queryset=AmendmentLine.objects.select_related("amendment")))),
        "amendments", "payments",
        Prefetch("reports", queryset=YearlyReport.objects.prefetch_related("spending")),
    )


def conventions_visible_to(user: Visitor) -> QuerySet[Convention]:
    """The ministry's readers see all; a partner sees its own organisations' signed conventions."""
    if not isinstance(user, User):
        return Convention.objects.none()
    if sees_all_conventions(user):
        return with_details(Convention.objects.all())
    if user.partner_roles:
        return with_details(Convention.objects.signed().filter(organisation__memberships__user=user).distinct())
    return Convention.objects.none()


def reports_visible_to(user: Visitor) -> QuerySet[YearlyReport]:
    return YearlyReport.objects.filter(convention__in=conventions_visible_to(user).values("pk")).select_related(
        "convention__organisation", "convention__department")


def is_member(user: Visitor, organisation: Organisation, *, admin: bool = False) -> bool:
    if not isinstance(user, User):
        return False
    memberships = organisation.memberships.filter(user=user)
    if admin:
        memberships = memberships.filter(role=Role.PARTNER_ADMIN)
    return memberships.exists()


def conventioned_organisations(day: date | None = None) -> QuerySet[Organisation]:
    """Organisations holding a convention in force on ``day`` (today by default): "conventionnées"."""
    active = Convention.objects.active_on(day or timezone.localdate()).filter(organisation=OuterRef("pk"))
    return Organisation.objects.filter(Exists(active))


def is_conventioned(organisation: Organisation, day: date | None = None) -> bool:
    return Convention.objects.active_on(day or timezone.localdate()).filter(organisation=organisation).exists()


def overdue_reports(day: date | None = None) -> QuerySet[YearlyReport]:
    """Reports past their due date that the partner has not filed (or must file again)."""
    day = day or timezone.localdate()
    return (YearlyReport.objects.filter(due_on__lt=day, status__in=[ReportStatus.EXPECTED, ReportStatus.RETURNED])
            .filter(convention__signed_on__isnull=False)
            .select_related("convention__organisation").order_by("due_on", "convention__organisation__name"))


def reports_to_review() -> QuerySet[YearlyReport]:
    return (YearlyReport.objects.filter(status=ReportStatus.SUBMITTED)
            .select_related("convention__organisation").order_by("submitted_at"))


# --- overlapping funding -------------------------------------------------------------------------

@dataclass(frozen=True)
class Overlap:
    """A subsidy application and a convention domain that fund the same activity over common days."""

    application: Application
    convention: Convention
    domain: ConventionDomain
    start: date
    end: date


def _overlap(application: Application, convention: Convention) -> tuple[date, date] | None:
    if application.start_date is None or application.end_date is None:
        return None
    start = max(application.start_date, convention.starts_on)
    end = min(application.end_date, convention.last_day)
    return (start, end) if start <= end else None


def overlaps_for_application(application: Application) -> list[Overlap]:
    """Conventions of the applicant that already fund the application's domain during the project."""
    if application.activity_domain_id is None or application.start_date is None or application.end_date is None:
        return []
    conventions = Convention.objects.overlapping(application.start_date, application.end_date).filter(
        organisation_id=application.organisation_id, domains__activity_id=application.activity_domain_id,
    ).distinct().prefetch_related("domains__activity")
    found = []
    for convention in conventions:
        period = _overlap(application, convention)
        if period is None:
            continue
        for domain in convention.domains.all():
            if domain.activity_id == application.activity_domain_id:
                found.append(Overlap(application, convention, domain, *period))
    return found


def overlaps_for_convention(convention: Convention) -> list[Overlap]:
    """Live subsidy applications of the organisation in one of the convention's domains, on common days."""
    domains = {d.activity_id: d for d in convention.domains.all()}
    applications = Application.objects.filter(
        organisation_id=convention.organisation_id, activity_domain_id__in=list(domains),
        state__in=LIVE_APPLICATION_STATES, start_date__lte=convention.last_day, end_date__gte=convention.starts_on,
    ).select_related("call", "activity_domain").order_by("start_date")
    found = []
    for application in applications:
        period = _overlap(application, convention)
        if period is not None and application.activity_domain_id is not None:
            found.append(Overlap(application, convention, domains[application.activity_domain_id], *period))
    return found


# --- funding overview ----------------------------------------------------------------------------

@dataclass
class FundingLine:
    kind: str  # "convention" or "subsidy"
    label: str
    reference: str
    domain: str
    start: date | None
    end: date | None
    status: str
    by_year: dict[int, Decimal] = field(default_factory=dict)
    url_name: str = ""
    pk: int = 0
    warning: bool = False

    @property
    def total(self) -> Decimal:
        return sum(self.by_year.values(), money.ZERO)


@dataclass
class FundingOverview:
    organisation: Organisation
    start: date
    end: date
    years: list[int]
    lines: list[FundingLine]
    overlaps: list[Overlap]

    @property
    def totals(self) -> dict[int, Decimal]:
        return {y: sum((line.by_year.get(y, money.ZERO) for line in self.lines), money.ZERO) for y in self.years}

    @property
    def total(self) -> Decimal:
        return sum(self.totals.values(), money.ZERO)


def _subsidy_amount(application: Application) -> tuple[Decimal, str]:
    decision = getattr(application, "decision", None)
    if application.state in FUNDED_APPLICATION_STATES and decision is not None:
        return decision.granted_amount, "granted"
    return application.requested_amount or money.ZERO, "requested"


def funding_overview(organisation: Organisation, start: date, end: date) -> FundingOverview:
    """Everything the organisation receives (or asks) from the ministry over [start, end], by year.

    Convention domains count their amount granted for each year met by the period (pro rata of the days);
    a subsidy counts its granted amount (or, while undecided, the requested one) in the year it starts."""
    years = list(range(start.year, end.year + 1))
    lines: list[FundingLine] = []
    overlaps: list[Overlap] = []
    conventions = with_details(Convention.objects.signed().filter(
        organisation=organisation, starts_on__lte=end, ends_on__gte=start))
    for convention in conventions:
        if convention.last_day < start:
            continue
        convention_overlaps = overlaps_for_convention(convention)
        overlaps.extend(o for o in convention_overlaps if o.start <= end and o.end >= start)
        warned = {o.domain.pk for o in convention_overlaps}
        for domain in convention.domains.all():
            by_year = {y: money.domain_granted(domain, y) for y in years}
            lines.append(FundingLine(
                kind="convention", label=convention.title, reference=convention.reference, domain=str(domain.activity),
                start=convention.starts_on, end=convention.last_day, status=str(convention.status.label),
                by_year={y: v for y, v in by_year.items() if v}, url_name="conventions:detail", pk=convention.pk,
                warning=domain.pk in warned))
    applications = (Application.objects.filter(organisation=organisation, state__in=LIVE_APPLICATION_STATES)
                    .filter(Q(start_date__lte=end) & Q(end_date__gte=start))
                    .select_related("call", "activity_domain", "decision").order_by("start_date"))
    warned_applications = {o.application.pk for o in overlaps}
    for application in applications:
        amount, _basis = _subsidy_amount(application)
        year = application.start_date.year if application.start_date else start.year
        lines.append(FundingLine(
            kind="subsidy", label=application.title, reference=application.reference,
            domain=str(application.activity_domain or ""), start=application.start_date, end=application.end_date,
            status=str(application.get_state_display()), by_year={year: amount} if year in years else {},
            url_name="grants:application_detail", pk=application.pk, warning=application.pk in warned_applications))
    return FundingOverview(organisation, start, end, years, lines, overlaps)


# --- the ministry's lists ------------------------------------------------------------------------

UNFILED_REPORT_STATUSES = (ReportStatus.EXPECTED, ReportStatus.RETURNED)


def with_status(conventions: QuerySet[Convention], status: str, day: date | None = None) -> QuerySet[Convention]:
    """The conventions whose derived status on ``day`` (today by default) is ``status`` (see
    :meth:`Convention.status_on`); an unknown status filters nothing."""
    day = day or timezone.localdate()
    in_force = Q(terminated_on__isnull=True) | Q(terminated_on__gt=day)
    if status == Status.DRAFT:
        return conventions.filter(signed_on__isnull=True)
    signed = conventions.filter(signed_on__isnull=False)
    if status == Status.TERMINATED:
        return signed.filter(terminated_on__lte=day)
    if status == Status.SIGNED:
        return signed.filter(in_force, starts_on__gt=day)
    if status == Status.ACTIVE:
        return conventions.active_on(day)  # type: ignore[attr-defined]
    if status == Status.ENDED:
        return signed.filter(in_force, ends_on__lt=day)
    return conventions


def with_overdue_count(conventions: QuerySet[Convention], day: date | None = None) -> QuerySet[Convention]:
    """Each convention with ``overdue_reports``: its reports past due and not filed (as overdue_reports)."""
    day = day or timezone.localdate()
    return conventions.annotate(overdue_reports=Count(
        "reports", distinct=True, filter=Q(reports__due_on__lt=day, reports__status__in=UNFILED_REPORT_STATUSES,
                                           signed_on__isnull=False)))


def payments_visible_to(user: Visitor) -> QuerySet[ScheduledPayment]:
    """The payment schedules' lines of the conventions the user sees."""
    return (ScheduledPayment.objects.filter(convention__in=conventions_visible_to(user).values("pk"))
            .select_related("convention__organisation"))


# --- "conventionnée" -----------------------------------------------------------------------------

def conventions_in_force_visible_to(user: Visitor, organisation: Organisation,
                                    day: date | None = None) -> QuerySet[Convention]:
    """The organisation's conventions in force on ``day`` that the user may open (the ministry's readers, the
    organisation's own members); the public only learns that the organisation is conventionnée."""
    return (conventions_visible_to(user).active_on(day or timezone.localdate())  # type: ignore[attr-defined]
            .filter(organisation=organisation).order_by("starts_on", "reference"))
