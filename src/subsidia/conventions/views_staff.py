"""Pages for the ministry's staff on conventions: the list (which partners also reach, for their own
conventions), preparing a draft, the approver's acts (signature, amendment, termination), the payments,
the review of yearly reports and the funding overview of an organisation.

Reads go through :mod:`subsidia.conventions.selectors` (always scoped by the user), writes through
:mod:`subsidia.conventions.services`. A refused change is shown on the form (422), a clash with the current
state or with someone else's edit as a message (409); nothing here answers 500 on a business rule.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from subsidia.accounts.access import APPROVERS, FINANCE, OFFICERS
from subsidia.accounts.reauth import reauthentication_required
from subsidia.accounts.roles import Role
from subsidia.core.access import access, roles
from subsidia.core.errors import Conflict, NotFound, RuleViolation, Violation, add_to_form
from subsidia.core.errors import PermissionDenied as ServicePermissionDenied
from subsidia.core.forms import error_summary
from subsidia.core.http import safe_next
from subsidia.organisations import selectors as organisation_selectors
from subsidia.organisations.access import ORGANISATION_READERS

from . import money, selectors, services
from .access import CONVENTION_VIEWERS
from .forms_staff import (
    AmendForm,
    ConventionFilterForm,
    ConventionForm,
    DomainFormSet,
    FundingPeriodForm,
    PaymentFilterForm,
    PaymentForm,
    ReportFilterForm,
    ReportReviewForm,
    SignForm,
    TerminateForm,
    VersionedForm,
    convention_data,
    domains_initial,
)
from .models import Convention, ConventionDomain, ReportKind, ReportStatus, ScheduledPayment, YearlyReport
from .workflow import CONVENTION_ILLEGAL, CONVENTION_WORKFLOW

# The payments: finance records them; the officers, the auditor and the administrator read them.
PAYMENT_READERS = roles(Role.FINANCE, Role.OFFICER, Role.AUDITOR, Role.ADMIN, name="convention_payment_readers")
PAGE_SIZE = 25


# --- helpers ---------------------------------------------------------------------------------------

def _user(request: HttpRequest) -> Any:
    return request.user


def _refused(request: HttpRequest, error: RuleViolation, form: forms.BaseForm | None = None,
             mapping: dict[str, str] | None = None) -> int:
    """Show a service's refusal and return the status of the page: the object is hidden (404), a clash
    with the current state or another person's edit is a message (409), a broken rule goes on the form (422)."""
    if isinstance(error, NotFound):
        raise Http404(str(error))
    if form is None or isinstance(error, Conflict | ServicePermissionDenied):
        for violation in error.violations:
            messages.error(request, str(violation.message))
    else:
        mapping = mapping or {}
        add_to_form(form, RuleViolation([Violation(v.code, v.message, mapping.get(v.field or "", v.field))
                                         for v in error.violations]))
    return error.status_code


def _visible(request: HttpRequest, pk: int) -> Convention:
    return get_object_or_404(selectors.conventions_visible_to(request.user), pk=pk)


def _detail_url(convention: Convention) -> str:
    return reverse("conventions:detail", kwargs={"pk": convention.pk})


def _may(request: HttpRequest, convention: Convention, act: str) -> bool:
    status = convention.status_on(timezone.localdate())
    return any(a.name == act for a in CONVENTION_WORKFLOW.available_to(_user(request), str(status)))


def _not_now(request: HttpRequest, convention: Convention, label: str) -> HttpResponse:
    """The act is not possible in the convention's current status: say so on the convention's page."""
    messages.error(request, str(CONVENTION_ILLEGAL) % {
        "action": label, "state": convention.status_on(timezone.localdate()).label})
    return redirect(_detail_url(convention))


def yearly_total(convention: Convention, day: date) -> Decimal:
    """The convention's yearly amount in force on ``day`` (or, outside its period, at its nearest end),
    amendments included."""
    day = max(min(day, convention.last_day), convention.starts_on)
    return sum((money.rate_on(d, day).yearly_amount for d in convention.domains.all()), money.ZERO)


def _pk(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


# --- the list --------------------------------------------------------------------------------------

def _filtered_conventions(conventions: QuerySet[Convention], filters: dict[str, Any],
                          today: date) -> QuerySet[Convention]:
    if query := filters.get("q"):
        conventions = conventions.filter(Q(reference__icontains=query) | Q(title__icontains=query)
                                         | Q(organisation__name__icontains=query)
                                         | Q(organisation__acronym__icontains=query))
    if status := filters.get("status"):
        conventions = selectors.with_status(conventions, status, today)
    if (organisation := _pk(filters.get("organisation"))) is not None:
        conventions = conventions.filter(organisation_id=organisation)
    if (department := _pk(filters.get("department"))) is not None:
        conventions = conventions.filter(department_id=department)
    if (activity := _pk(filters.get("activity"))) is not None:
        conventions = conventions.filter(
            pk__in=ConventionDomain.objects.filter(activity_id=activity).values("convention_id"))
    return conventions


@access(CONVENTION_VIEWERS)
@require_GET
def convention_list(request: HttpRequest) -> HttpResponse:
    """Every convention for the ministry's readers, with filters; a partner's own signed conventions."""
    user = _user(request)
    today = timezone.localdate()
    is_staff = selectors.sees_all_conventions(user)
    conventions = selectors.conventions_visible_to(user)
    form = None
    filtered_organisation = None
    if is_staff:
        form = ConventionFilterForm(request.GET or None)
        filters = form.filters()
        conventions = _filtered_conventions(conventions, filters, today)
        if (organisation := _pk(filters.get("organisation"))) is not None:
            filtered_organisation = organisation_selectors.organisations_visible_to(user).filter(
                pk=organisation).first()
    conventions = selectors.with_overdue_count(conventions, today).order_by(
        "organisation__name", "-starts_on", "reference")
    page = Paginator(conventions, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [{"convention": c, "status": c.status_on(today), "yearly_total": yearly_total(c, today),
             "overdue": c.overdue_reports} for c in page]  # type: ignore[attr-defined]
    return render(request, "conventions/staff/list.html", {
        "form": form, "page": page, "rows": rows, "query": request.GET.copy(), "total": page.paginator.count,
        "is_staff": is_staff, "can_create": user.has_role(Role.OFFICER),
        "filtered_organisation": filtered_organisation,
        "can_see_payments": PAYMENT_READERS.allows(user), "can_see_reports": ORGANISATION_READERS.allows(user),
    })


# --- preparing a draft -----------------------------------------------------------------------------

def _domain_mapping(error: RuleViolation, sources: list[Any]) -> RuleViolation:
    """Put the errors of the service's "domains.<i>.<field>" on the form of the i-th domain; return the rest."""
    rest: list[Violation] = []
    for violation in error.violations:
        parts = (violation.field or "").split(".")
        if len(parts) >= 3 and parts[0] == "domains" and parts[1].isdigit() and int(parts[1]) < len(sources):
            source = sources[int(parts[1])]
            name = parts[2] if parts[2] in source.fields else None
            source.add_error(name, str(violation.message))
        else:
            rest.append(violation)
    return type(error)(rest)


def _convention_form_page(request: HttpRequest, convention: Convention | None) -> HttpResponse:
    user = _user(request)
    if request.method == "POST":
        form = ConventionForm(request.POST)
        domains = DomainFormSet(request.POST, prefix="domains")
    elif convention is not None:
        form = ConventionForm(initial=ConventionForm.initial_for(convention))
        domains = DomainFormSet(initial=domains_initial(convention), prefix="domains")
    else:
        form = ConventionForm()
        domains = DomainFormSet(prefix="domains")
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid() and domains.is_valid():
            data, sources = convention_data(form, domains)
            try:
                if convention is None:
                    saved = services.create_convention(user, data)
                else:
                    saved = services.update_convention(user, convention, data,
                                                       expected_version=form.cleaned_data["version"])
            except RuleViolation as error:
                rest = _domain_mapping(error, sources)
                status = _refused(request, rest, form) if rest.violations else error.status_code
            else:
                messages.success(request, _("Projet de convention %(ref)s créé.") % {"ref": saved.reference}
                                 if convention is None else
                                 _("Projet de convention %(ref)s enregistré.") % {"ref": saved.reference})
                return redirect(_detail_url(saved))
    return render(request, "conventions/staff/convention_form.html", {
        "form": form, "domains": domains, "convention": convention,
        "error_summary": error_summary(form, domains),
    }, status=status)


@access(OFFICERS)
@require_http_methods(["GET", "POST"])
def convention_create(request: HttpRequest) -> HttpResponse:
    return _convention_form_page(request, None)


@access(OFFICERS)
@require_http_methods(["GET", "POST"])
def convention_edit(request: HttpRequest, pk: int) -> HttpResponse:
    convention = _visible(request, pk)
    if request.method == "GET" and not _may(request, convention, "edit"):
        return _not_now(request, convention, _("Modifier la convention"))
    return _convention_form_page(request, convention)


@access(OFFICERS)
@require_http_methods(["GET", "POST"])
@reauthentication_required
def convention_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Confirm (GET), then delete (POST) a draft convention."""
    convention = _visible(request, pk)
    if request.method == "GET" and not _may(request, convention, "delete"):
        return _not_now(request, convention, _("Supprimer le projet de convention"))
    form = VersionedForm(request.POST if request.method == "POST" else None,
                         initial={"version": convention.version})
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                services.delete_convention(_user(request), convention, expected_version=form.cleaned_data["version"])
            except RuleViolation as error:
                status = _refused(request, error)
            else:
                messages.success(request, _("Projet de convention %(ref)s supprimé.") % {"ref": convention.reference})
                return redirect("conventions:list")
    return render(request, "conventions/staff/delete.html", {
        "convention": convention, "form": form, "error_summary": error_summary(form),
    }, status=status)


# --- the approver's acts ---------------------------------------------------------------------------

def _act_page(request: HttpRequest, convention: Convention, template: str, form: forms.BaseForm, status: int,
              **extra: Any) -> HttpResponse:
    convention = _visible(request, convention.pk)  # as it is now, after a refused change too
    today = timezone.localdate()
    day = max(min(today, convention.last_day), convention.starts_on)
    return render(request, template, {
        "convention": convention, "form": form, "error_summary": error_summary(form),
        "domains": [{"domain": d, "rate": money.rate_on(d, day)} for d in convention.domains.all()], **extra,
    }, status=status)


@access(APPROVERS)
@require_http_methods(["GET", "POST"])
@reauthentication_required
def convention_sign(request: HttpRequest, pk: int) -> HttpResponse:
    convention = _visible(request, pk)
    if request.method == "GET":
        if not _may(request, convention, "sign"):
            return _not_now(request, convention, _("Signer la convention"))
        return _act_page(request, convention, "conventions/staff/sign.html",
                         SignForm(initial={"version": convention.version}), 200)
    form = SignForm(request.POST)
    status = 422
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.sign_convention(_user(request), convention, signed_on=data["signed_on"],
                                     signed_by_partner_on=data["signed_by_partner_on"],
                                     expected_version=data["version"])
        except RuleViolation as error:
            status = _refused(request, error, form)
        else:
            messages.success(request, _("Convention %(ref)s signée : ses rapports et son échéancier de paiements "
                                        "sont établis.") % {"ref": convention.reference})
            return redirect(_detail_url(convention))
    return _act_page(request, convention, "conventions/staff/sign.html", form, status)


@access(APPROVERS)
@require_http_methods(["GET", "POST"])
@reauthentication_required
def convention_amend(request: HttpRequest, pk: int) -> HttpResponse:
    convention = _visible(request, pk)
    if request.method == "GET":
        if not _may(request, convention, "amend"):
            return _not_now(request, convention, _("Enregistrer un avenant"))
        form = AmendForm(initial={"version": convention.version}, convention=convention)
        return _act_page(request, convention, "conventions/staff/amend.html", form, 200)
    form = AmendForm(request.POST, convention=convention)
    status = 422
    if form.is_valid():
        data = form.cleaned_data
        lines, line_domains = form.lines()
        mapping: dict[str, str] = {}
        for index, domain_pk in enumerate(line_domains):
            mapping[f"lines.{index}.yearly_amount"] = f"amount_{domain_pk}"
            mapping[f"lines.{index}.fte"] = f"fte_{domain_pk}"
        try:
            amendment = services.amend_convention(
                _user(request), convention, signed_on=data["signed_on"], effective_from=data["effective_from"],
                ends_on=data["ends_on"], summary=data["summary"], lines=lines, expected_version=data["version"])
        except RuleViolation as error:
            status = _refused(request, error, form, mapping)
        else:
            messages.success(request, _("Avenant n° %(n)s enregistré : l'échéancier et les rapports attendus "
                                        "suivent.") % {"n": amendment.number})
            return redirect(_detail_url(convention))
    return _act_page(request, convention, "conventions/staff/amend.html", form, status)


@access(APPROVERS)
@require_http_methods(["GET", "POST"])
@reauthentication_required
def convention_terminate(request: HttpRequest, pk: int) -> HttpResponse:
    convention = _visible(request, pk)
    if request.method == "GET":
        if not _may(request, convention, "terminate"):
            return _not_now(request, convention, _("Résilier la convention"))
        return _act_page(request, convention, "conventions/staff/terminate.html",
                         TerminateForm(initial={"version": convention.version}), 200)
    form = TerminateForm(request.POST)
    status = 422
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.terminate_convention(_user(request), convention, terminated_on=data["terminated_on"],
                                          reason=data["reason"], expected_version=data["version"])
        except RuleViolation as error:
            status = _refused(request, error, form)
        else:
            messages.success(request, _("Convention %(ref)s résiliée.") % {"ref": convention.reference})
            return redirect(_detail_url(convention))
    return _act_page(request, convention, "conventions/staff/terminate.html", form, status)


# --- payments --------------------------------------------------------------------------------------

def _filtered_payments(lines: QuerySet[ScheduledPayment], filters: dict[str, Any],
                       today: date) -> QuerySet[ScheduledPayment]:
    state = filters.get("state", "")
    if state == "paid":
        lines = lines.filter(paid_on__isnull=False).order_by("-paid_on", "convention__reference", "year",
                                                             "kind", "position")
    else:
        if state != "all":
            lines = lines.filter(paid_on__isnull=True)
        if state == "due":
            lines = lines.filter(due_on__lte=today)
        elif state == "overdue":
            lines = lines.filter(due_on__lt=today)
        elif state == "upcoming":
            lines = lines.filter(due_on__gt=today)
        lines = lines.order_by("due_on", "convention__reference", "year", "kind", "position")
    if year := filters.get("year"):
        lines = lines.filter(year=year)
    if (organisation := _pk(filters.get("organisation"))) is not None:
        lines = lines.filter(convention__organisation_id=organisation)
    return lines


def payment_form(payment: ScheduledPayment, data: Any = None) -> PaymentForm:
    return PaymentForm(data, auto_id=f"paiement-{payment.pk}-%s")


def _payments_page(request: HttpRequest, failed: PaymentForm | None = None,
                   failed_payment: ScheduledPayment | None = None, status: int = 200) -> HttpResponse:
    today = timezone.localdate()
    form = PaymentFilterForm(request.GET or None)
    lines = _filtered_payments(selectors.payments_visible_to(request.user), form.filters(), today)
    page = Paginator(lines, PAGE_SIZE).get_page(request.GET.get("page"))
    payments = list(page)
    if failed_payment is not None and failed_payment not in payments:
        payments.insert(0, failed_payment)  # the line whose form has errors is always shown
    can_pay = _user(request).has_role(Role.FINANCE)
    rows = [{"payment": p,
             "form": (failed if failed is not None and failed_payment is not None and p.pk == failed_payment.pk
                      else payment_form(p)) if can_pay and p.paid_on is None else None,
             "overdue": p.paid_on is None and p.due_on < today} for p in payments]
    return render(request, "conventions/staff/payments.html", {
        "form": form, "page": page, "rows": rows, "can_pay": can_pay, "query": request.GET.copy(),
        "total": page.paginator.count, "error_summary": error_summary(failed),
        "next": request.get_full_path() if request.method == "GET"
        else safe_next(request, reverse("conventions:payments")),
    }, status=status)


@access(PAYMENT_READERS)
@require_GET
def payments(request: HttpRequest) -> HttpResponse:
    return _payments_page(request)


@access(FINANCE)
@require_POST
@reauthentication_required(back="conventions:payments")
def payment_record(request: HttpRequest, pk: int) -> HttpResponse:
    payment = get_object_or_404(selectors.payments_visible_to(request.user), pk=pk)
    form = payment_form(payment, request.POST)
    if not form.is_valid():
        return _payments_page(request, form, payment, status=422)
    try:
        services.record_payment(_user(request), payment, paid_on=form.cleaned_data["paid_on"],
                                 payment_reference=form.cleaned_data["payment_reference"])
    except RuleViolation as error:
        status = _refused(request, error, form)
        return _payments_page(request, form, payment, status=status)
    messages.success(request, _("Paiement enregistré : %(kind)s %(year)s de %(ref)s.") % {
        "kind": payment.get_kind_display(), "year": payment.year, "ref": payment.convention.reference})
    return redirect(safe_next(request, reverse("conventions:payments")))


# --- yearly reports --------------------------------------------------------------------------------

def _filtered_reports(reports: QuerySet[YearlyReport], filters: dict[str, Any],
                      today: date) -> QuerySet[YearlyReport]:
    if status := filters.get("status"):
        reports = reports.filter(status=status)
    if kind := filters.get("kind"):
        reports = reports.filter(kind=kind)
    if year := filters.get("year"):
        reports = reports.filter(year=year)
    if (organisation := _pk(filters.get("organisation"))) is not None:
        reports = reports.filter(convention__organisation_id=organisation)
    if filters.get("overdue"):
        reports = reports.filter(due_on__lt=today, status__in=selectors.UNFILED_REPORT_STATUSES,
                                 convention__signed_on__isnull=False)
    return reports


@access(ORGANISATION_READERS)
@require_GET
def reports(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    form = ReportFilterForm(request.GET or None)
    found = _filtered_reports(selectors.reports_visible_to(request.user), form.filters(), today).order_by(
        "due_on", "convention__organisation__name", "convention__reference", "kind")
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [{"report": r, "overdue": r.due_on < today and r.status in selectors.UNFILED_REPORT_STATUSES}
            for r in page]
    return render(request, "conventions/staff/reports.html", {
        "form": form, "page": page, "rows": rows, "query": request.GET.copy(), "total": page.paginator.count,
        "can_review": _user(request).has_role(Role.OFFICER),
    })


def _review_page(request: HttpRequest, report: YearlyReport, form: ReportReviewForm, status: int) -> HttpResponse:
    report.refresh_from_db()
    convention = report.convention
    context: dict[str, Any] = {
        "report": report, "convention": convention, "form": form, "error_summary": error_summary(form),
        "can_review": report.status == ReportStatus.SUBMITTED, "next": safe_next(request, ""),
    }
    if report.kind == ReportKind.ACTIVITY:
        context["values"] = list(report.indicator_values.select_related("indicator__domain__activity"))
    else:
        context["spending"] = list(report.spending.select_related("domain__activity"))
        context["position"] = money.position(selectors.with_details(Convention.objects.filter(pk=convention.pk))
                                             .get(), report.year, timezone.localdate())
    context["documents"] = list(report.documents.all())
    return render(request, "conventions/staff/report_review.html", context, status=status)


@access(OFFICERS)
@require_http_methods(["GET", "POST"])
def report_review(request: HttpRequest, pk: int) -> HttpResponse:
    """The officer accepts a submitted yearly report, or returns it for completion (with a comment)."""
    report = get_object_or_404(selectors.reports_visible_to(request.user), pk=pk)
    if request.method == "GET":
        return _review_page(request, report, ReportReviewForm(initial={"version": report.version}), 200)
    form = ReportReviewForm(request.POST)
    if not form.is_valid():
        return _review_page(request, report, form, 422)
    data = form.cleaned_data
    try:
        if data["decision"] == "accept":
            reviewed = services.accept_report(_user(request), report, data["comment"],
                                              expected_version=data["version"])
        else:
            reviewed = services.return_report(_user(request), report, data["comment"],
                                              expected_version=data["version"])
    except RuleViolation as error:
        status = _refused(request, error, form)
        return _review_page(request, report, form, status)
    messages.success(request, _("%(kind)s %(year)s de %(ref)s : %(status)s.") % {
        "kind": reviewed.get_kind_display(), "year": reviewed.year, "ref": reviewed.convention.reference,
        "status": reviewed.get_status_display()})
    return redirect(safe_next(request, reverse("conventions:report", kwargs={"pk": reviewed.pk})))


# --- funding overview ------------------------------------------------------------------------------

@access(ORGANISATION_READERS)
@require_GET
def funding(request: HttpRequest, pk: int) -> HttpResponse:
    """Everything one organisation receives or asks from the ministry over a period of years, and the
    subsidies that would fund what a convention already funds."""
    organisation = get_object_or_404(organisation_selectors.organisations_visible_to(request.user), pk=pk)
    start, end = FundingPeriodForm.default_years()
    bound = "start" in request.GET or "end" in request.GET
    form = FundingPeriodForm(request.GET if bound else None, initial={"start": start, "end": end})
    status = 200
    if bound:
        if form.is_valid():
            start, end = form.cleaned_data["start"], form.cleaned_data["end"]
        else:
            status = 422
    overview = selectors.funding_overview(organisation, date(start, 1, 1), date(end, 12, 31))
    lines = [{"line": line, "amounts": [line.by_year.get(y) for y in overview.years]} for line in overview.lines]
    return render(request, "conventions/staff/funding.html", {
        "organisation": organisation, "form": form, "overview": overview, "lines": lines,
        "totals": [overview.totals[y] for y in overview.years], "start": start, "end": end,
        "error_summary": error_summary(form),
    }, status=status)
