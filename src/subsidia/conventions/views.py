"""Pages shared by the ministry and the partners: a convention, a yearly report and its documents.

Reads go through :mod:`subsidia.conventions.selectors`, scoped by the user: another organisation's convention,
report or document answers 404 (their existence does not leak). The partner's writes on a report (saving it,
adding a document, filing it) are in :mod:`subsidia.conventions.views_partner`; saving is a POST to the report's
own page. Links to the ministry's pages (views_staff) are built only for staff and only for the acts their
role allows (:mod:`subsidia.conventions.workflow`).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db.models import Prefetch
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from subsidia.accounts.actors import Actor, Visitor, signed_in
from subsidia.accounts.roles import Role
from subsidia.core.access import access
from subsidia.core.errors import Conflict, NotFound, PermissionDenied, RuleViolation, Violation
from subsidia.core.forms import FormError, error_summary
from subsidia.core.http import int_or_none

from . import money, selectors, workflow
from .access import CONVENTION_VIEWERS
from .forms_partner import ReportDocumentForm, ReportForm, SubmitForm
from .forms_staff import ReportReviewForm
from .models import (
    Amendment,
    AmendmentLine,
    Convention,
    ReportDocument,
    ReportKind,
    ReportStatus,
    YearlyReport,
)
from .services.reports import report_problems, save_report

OPEN_REPORT_STATUSES = frozenset({ReportStatus.EXPECTED, ReportStatus.RETURNED})


# --- helpers -------------------------------------------------------------------------------------


def raise_for(error: RuleViolation) -> None:
    """Turn a service's "not found" and "not allowed" into the 404 and 403 pages."""
    if isinstance(error, NotFound):
        raise Http404(str(error))
    if isinstance(error, PermissionDenied):
        raise DjangoPermissionDenied(str(error))


def is_overdue(report: YearlyReport, today: date) -> bool:
    return report.status in OPEN_REPORT_STATUSES and report.due_on < today


def _is_staff(user: Visitor) -> bool:
    return selectors.sees_all_conventions(user)


# --- the convention ------------------------------------------------------------------------------

ACT_URLS = {"edit": "conventions:edit", "delete": "conventions:delete", "sign": "conventions:sign",
            "amend": "conventions:amend", "terminate": "conventions:terminate"}


def _actions(user: Visitor, convention: Convention) -> list[dict[str, Any]]:
    """The acts the user's role allows on the convention now, each a link to the ministry's page for it."""
    actions = []
    for act in workflow.CONVENTION_WORKFLOW.available_to(user, str(convention.status)):
        url = reverse(ACT_URLS[act.name], kwargs={"pk": convention.pk}) if act.name in ACT_URLS else ""
        if url:
            actions.append({"name": act.name, "label": act.label, "url": url})
    return actions


def _domains(convention: Convention, today: date) -> list[dict[str, Any]]:
    """Each domain with its yearly amount and staff in force today (or at the start, before it)."""
    day = min(max(today, convention.starts_on), convention.last_day)
    rows = []
    for domain in convention.domains.all():
        rate = money.rate_on(domain, day)
        rows.append({"domain": domain, "rate": rate, "indicators": list(domain.indicators.all())})
    return rows


def _amendments(convention: Convention) -> list[dict[str, Any]]:
    amendments = Amendment.objects.filter(convention=convention).order_by("number").prefetch_related(
        Prefetch("lines", queryset=AmendmentLine.objects.select_related("domain__activity", "domain__convention")
                 .prefetch_related("domain__amendment_lines__amendment")))
    out = []
    for amendment in amendments:
        changes = []
        for line in amendment.lines.all():
            before = money.rate_on(line.domain, amendment.effective_from - timedelta(days=1))
            changes.append({"line": line, "before": before})
        out.append({"amendment": amendment, "changes": changes,
                    "extends": amendment.ends_on != amendment.previous_ends_on})
    return out


def _payments(user: Actor, convention: Convention, today: date) -> list[dict[str, Any]]:
    """The schedule lines; finance records a payment from here (the ministry's page does the work)."""
    can_record = user.has_role(Role.FINANCE)
    rows = []
    for payment in sorted(convention.payments.all(), key=lambda p: (p.year, p.due_on, p.kind, p.position)):
        record_url = reverse("conventions:payment_record", kwargs={"pk": payment.pk}) \
            if can_record and payment.paid_on is None else ""
        rows.append({"payment": payment, "overdue": payment.paid_on is None and payment.due_on < today,
                     "record_url": record_url})
    return rows


@access(CONVENTION_VIEWERS)
@require_GET
def convention_detail(request: HttpRequest, pk: int) -> HttpResponse:
    convention = get_object_or_404(selectors.conventions_visible_to(request.user), pk=pk)
    user = signed_in(request)
    today = timezone.localdate()
    staff = _is_staff(user)
    reports = sorted(convention.reports.all(), key=lambda r: (r.year, r.kind))
    return render(request, "conventions/detail.html", {
        "convention": convention,
        "status": convention.status_on(today),
        "today": today,
        "is_staff": staff,
        "is_member": selectors.is_member(user, convention.organisation),
        "domains": _domains(convention, today),
        "amendments": _amendments(convention),
        "positions": money.positions(convention, today),
        "payments": _payments(user, convention, today),
        "reports": [{"report": r, "overdue": is_overdue(r, today)} for r in reports],
        # The possible double funding is the ministry's own check, before it decides on a subsidy.
        "overlaps": selectors.overlaps_for_convention(convention) if staff else [],
        "actions": _actions(user, convention) if staff else [],
        "list_url": reverse("conventions:list"),
        "funding_url": reverse("conventions:funding", kwargs={"pk": convention.organisation_id}) if staff else "",
    })


# --- the yearly report ---------------------------------------------------------------------------


def visible_report(request: HttpRequest, pk: int) -> YearlyReport:
    return get_object_or_404(selectors.reports_visible_to(request.user), pk=pk)


def _anchor(form: ReportForm | None, field: str | None) -> str:
    if field == "documents":
        return "documents"
    if form is None or not field:
        return ""
    name = form.field_for(field)
    return form[name].auto_id if name else ""


def _values(report: YearlyReport) -> list[dict[str, Any]]:
    """The report's figures against the convention's: indicator values vs targets, or spending vs granted."""
    convention = report.convention
    rows: list[dict[str, Any]] = []
    if report.kind == ReportKind.ACTIVITY:
        filled = {v.indicator_id: v for v in report.indicator_values.all()}
        for domain in convention.domains.select_related("activity").prefetch_related("indicators"):
            for indicator in domain.indicators.all():
                value = filled.get(indicator.pk)
                rows.append({"domain": domain, "indicator": indicator, "value": value,
                             "below": value is not None and value.value < indicator.yearly_target})
    else:
        spent = {s.domain_id: s.spent for s in report.spending.all()}
        for domain in convention.domains.select_related("activity", "convention").prefetch_related(
                "amendment_lines__amendment"):
            rows.append({"domain": domain, "granted": money.domain_granted(domain, report.year),
                         "spent": spent.get(domain.pk)})
    return rows


def report_page(request: HttpRequest, report: YearlyReport, *, form: ReportForm | None = None,
                document_form: ReportDocumentForm | None = None, status: int = 200,
                conflict: RuleViolation | None = None, refused: list[Violation] | None = None) -> HttpResponse:
    """The report's page: the partner's form while it may be filled in, the figures read-only otherwise, and
    the officer's review once filed."""
    user = signed_in(request)
    today = timezone.localdate()
    report = YearlyReport.objects.select_related("convention__organisation", "convention__department").get(
        pk=report.pk)
    convention = selectors.with_details(Convention.objects.filter(pk=report.convention_id)).get()
    report.convention = convention
    organisation = convention.organisation
    acts = {a.name for a in workflow.REPORT_WORKFLOW.available_to(user, report.status)}
    member = selectors.is_member(user, organisation)
    editable = "report_save" in acts and member
    can_submit = editable and "report_submit" in acts and selectors.is_member(user, organisation, admin=True)
    staff = _is_staff(user)
    if editable and form is None:
        form = ReportForm(report=report)
    if editable and document_form is None:
        document_form = ReportDocumentForm()
    problems = [{"message": str(v.message), "anchor": _anchor(form, v.field)}
                for v in report_problems(report, today)] if editable else []
    review_form = None
    review_url = ""
    if report.status == ReportStatus.SUBMITTED and user.has_role(Role.OFFICER):
        review_url = reverse("conventions:report_review", kwargs={"pk": report.pk})
        if review_url:
            review_form = ReportReviewForm(initial={"version": report.version})
    reconciliation = None
    if report.kind == ReportKind.FINANCIAL and report.status != ReportStatus.EXPECTED:
        reconciliation = money.position(convention, report.year, today)
    summary = error_summary(form, document_form)
    summary += [FormError(_anchor(form, v.field), "", str(v.message)) for v in refused or []]
    return render(request, "conventions/report.html", {
        "report": report,
        "convention": convention,
        "overdue": is_overdue(report, today),
        "is_staff": staff,
        "is_member": member,
        "editable": editable,
        "can_submit": can_submit,
        "form": form if editable else None,
        "groups": form.groups() if editable and form is not None else [],
        "document_form": document_form if editable else None,
        "submit_form": SubmitForm(initial={"version": report.version}) if can_submit else None,
        "problems": problems,
        "documents": list(report.documents.all()),
        "values": _values(report),
        "reconciliation": reconciliation,
        "review_form": review_form,
        "review_url": review_url,
        "conflict": conflict,
        "stored_version": report.version,
        "error_summary": summary,
    }, status=status)


@access(CONVENTION_VIEWERS)
@require_http_methods(["GET", "POST"])
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The report's page; a POST saves the partner's input (services.reports.save_report)."""
    report = visible_report(request, pk)
    if request.method != "POST":
        return report_page(request, report)
    form = ReportForm(request.POST, report=report)
    if not form.is_valid():
        return report_page(request, report, form=form, status=422)
    expected = form.cleaned_data["version"]
    if request.POST.get("overwrite"):
        # After a clash, the person chose to keep their input over the other person's changes.
        expected = int_or_none(request.POST.get("overwrite"))
    try:
        save_report(signed_in(request), report, form.to_input(), expected_version=expected)
    except Conflict as error:
        raise_for(error)
        return report_page(request, report, form=form, status=409, conflict=error)
    except RuleViolation as error:
        raise_for(error)
        for violation in error.violations:
            form.add_error(form.field_for(violation.field), str(violation.message))
        return report_page(request, report, form=form, status=422)
    messages.success(request, _("Rapport enregistré. Il n'est pas encore déposé : déposez-le quand il est complet."))
    return redirect("conventions:report", pk=report.pk)


@access(CONVENTION_VIEWERS)
@require_GET
def report_document(request: HttpRequest, pk: int, document_pk: int) -> FileResponse:
    """A document of the report, from the storage, as an attachment with the type it was stored with."""
    report = visible_report(request, pk)
    document = get_object_or_404(ReportDocument, pk=document_pk, report=report)
    try:
        handle = document.file.open("rb")
    except (FileNotFoundError, OSError) as exc:
        raise Http404(_("Fichier introuvable.")) from exc
    return FileResponse(handle, as_attachment=True, filename=document.original_name,
                        content_type=document.content_type)
