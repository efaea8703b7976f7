"""The ministry's pages on the partners' yearly reports: the list (with the overdue ones) and the officer's
review of a filed report (accept it, or return it for completion with a comment)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from subsidia.accounts.access import OFFICERS
from subsidia.accounts.actors import signed_in
from subsidia.accounts.roles import Role
from subsidia.core.access import access
from subsidia.core.errors import RuleViolation
from subsidia.core.forms import error_summary
from subsidia.core.http import safe_next
from subsidia.organisations.access import ORGANISATION_READERS

from . import money, selectors
from .forms_staff import ReportFilterForm, ReportReviewForm
from .models import Convention, ReportKind, ReportStatus, YearlyReport
from .services import reports as report_services
from .views_common import PAGE_SIZE, pk_or_none, refused

# --- yearly reports --------------------------------------------------------------------------------

def _filtered_reports(reports: QuerySet[YearlyReport], filters: dict[str, Any],
                      today: date) -> QuerySet[YearlyReport]:
    if status := filters.get("status"):
        reports = reports.filter(status=status)
    if kind := filters.get("kind"):
        reports = reports.filter(kind=kind)
    if year := filters.get("year"):
        reports = reports.filter(year=year)
    if (organisation := pk_or_none(filters.get("organisation"))) is not None:
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
        "can_review": signed_in(request).has_role(Role.OFFICER),
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
            reviewed = report_services.accept_report(signed_in(request), report, data["comment"],
                                              expected_version=data["version"])
        else:
            reviewed = report_services.return_report(signed_in(request), report, data["comment"],
                                              expected_version=data["version"])
    except RuleViolation as error:
        status = refused(request, error, form)
        return _review_page(request, report, form, status)
    messages.success(request, _("%(kind)s %(year)s de %(ref)s : %(status)s.") % {
        "kind": reviewed.get_kind_display(), "year": reviewed.year, "ref": reviewed.convention.reference,
        "status": reviewed.get_status_display()})
    return redirect(safe_next(request, reverse("conventions:report", kwargs={"pk": reviewed.pk})))
