"""The conventions API: conventions with their money and schedule, the partners' yearly reports, payments,
and the activity domains (reference data).

The same rules and permissions as the pages: every read goes through :mod:`subsidia.conventions.selectors`
(another organisation's convention or report answers 404, reviewers and moderators see none), every write
through :mod:`subsidia.conventions.services` with the caller as actor. A role that may not act answers 403
(``forbidden``), a move the report's status does not allow 409 (``illegal_transition``), an outdated
``version`` 409 (``stale_version``), broken rules 422 with every violation at once. Conventions and reports
answer an ``ETag``; a write of a report needs it in ``If-Match`` (or ``version`` in the body): 428 without,
412 when outdated (:mod:`subsidia.api.concurrency`).
"""

from datetime import date
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import File, Query, Router, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from subsidia.accounts.access import FINANCE
from subsidia.accounts.actors import Actor, Visitor
from subsidia.accounts.reauth import api_reauthentication_required
from subsidia.accounts.roles import PARTNER_ROLES, STAFF_ROLES, Role
from subsidia.conventions import money, selectors
from subsidia.conventions.models import (
    Convention,
    ReportKind,
    ReportStatus,
    ScheduledPayment,
    YearlyReport,
)
from subsidia.conventions.services import payments as payment_services
from subsidia.conventions.services import reports as report_services
from subsidia.conventions.workflow import REPORT_WORKFLOW, partner_act, short_name
from subsidia.core.access import PUBLIC, Policy, roles
from subsidia.organisations.models import ActivityDomain

from .auth import PUBLIC_AUTH, SIGNED_IN_AUTH, api_access, caller
from .concurrency import PRECONDITION_ERRORS, conditional_doc, conditional_write, etag_doc, set_etag
from .schemas import ErrorOut, Id, Pages
from .schemas_conventions import (
    ActivityDomainOut,
    ConventionFilters,
    ConventionOut,
    ConventionPaymentIn,
    ConventionSummaryOut,
    PaymentOut,
    ReportDocumentOut,
    ReportIn,
    ReportOut,
)
from .schemas_grants import CommentIn, VersionIn

router = Router(tags=["conventions"])

# --- who may call what -------------------------------------------------------------------------------

# Every partner and every member of staff may ask; which conventions they see is the selectors' work: the
# ministry's readers all, partners their organisations' signed ones, reviewers and moderators none.
CONVENTION_READERS = roles(*PARTNER_ROLES, *STAFF_ROLES, name="convention_readers")


def report_policy(name: str) -> Policy:
    """The roles the report workflow table gives an act."""
    return roles(*REPORT_WORKFLOW[f"report_{name}"].roles, name=f"report_{name}")


ERRORS: dict[int, Any] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}
# A write of a report is conditional (If-Match or ``version``): 428 without, 412 when stale.
WRITE_ERRORS: dict[int, Any] = {**ERRORS, **PRECONDITION_ERRORS}

# The method and endpoint of each report act, relative to the report.
REPORT_ENDPOINTS = {"save": ("PUT", ""), "submit": ("POST", "/submit"), "accept": ("POST", "/accept"),
                    "return": ("POST", "/return")}


# --- helpers -------------------------------------------------------------------------------------

def _today() -> date:
    return timezone.localdate()


def _named(organisation: Any) -> dict[str, Any]:
    return {"id": organisation.pk, "name": organisation.name}


def _convention(user: Visitor, convention_id: Id) -> Convention:
    """The convention if the caller may see it, else 404 (existence does not leak)."""
    return get_object_or_404(selectors.conventions_visible_to(user), pk=convention_id)


def _report(user: Visitor, convention_id: Id, report_id: Id) -> YearlyReport:
    return get_object_or_404(selectors.reports_visible_to(user), pk=report_id, convention_id=convention_id)


def _summary(convention: Convention, day: date) -> dict[str, Any]:
    return {
        **{key: getattr(convention, key) for key in (
            "id", "reference", "title", "starts_on", "ends_on", "signed_on", "terminated_on")},
        "department": _named(convention.department), "organisation": _named(convention.organisation),
        "status": convention.status_on(day).value,
    }


def _convention_out(user: Visitor, convention: Convention) -> dict[str, Any]:
    """The detail of a convention (from :func:`_convention`, with its details prefetched)."""
    today = _today()
    domains = []
    lines_by_amendment: dict[int, list[dict[str, Any]]] = {}
    for domain in convention.domains.all():
        rate = money.rate_on(domain, today)
        domains.append({"id": domain.pk, "activity": domain.activity, "description": domain.description,
                        "yearly_amount": rate.yearly_amount, "fte": rate.fte,
                        "indicators": list(domain.indicators.all())})
        for line in domain.amendment_lines.all():
            lines_by_amendment.setdefault(line.amendment_id, []).append({
                "domain_id": domain.pk, "activity": domain.activity, "yearly_amount": line.yearly_amount,
                "fte": line.fte})
    amendments = [{
        **{key: getattr(a, key) for key in ("number", "signed_on", "effective_from", "previous_ends_on", "ends_on",
                                            "summary")},
        "lines": lines_by_amendment.get(a.pk, []),
    } for a in sorted(convention.amendments.all(), key=lambda a: a.number)]
    years = [{
        **{key: getattr(p, key) for key in ("year", "granted", "scheduled", "due", "paid", "spent",
                                            "statement_status", "eligible", "to_pay", "surplus", "overdue")},
        "payments": p.payments,
    } for p in money.positions(convention, today)]
    reports = sorted(convention.reports.all(), key=lambda r: (r.year, r.kind))
    overlaps = None
    if selectors.sees_all_conventions(user):
        overlaps = [{"application_id": o.application.pk, "application_reference": o.application.reference,
                     "application_title": o.application.title, "activity": o.domain.activity,
                     "start": o.start, "end": o.end} for o in selectors.overlaps_for_convention(convention)]
    return {
        **_summary(convention, today),
        **{key: getattr(convention, key) for key in (
            "last_day", "advance_percent", "signed_by_partner_on", "termination_reason", "version")},
        "domains": domains, "amendments": amendments, "years": years, "reports": reports, "overlaps": overlaps,
    }


def _available_actions(user: Visitor, report: YearlyReport) -> list[dict[str, str]]:
    out = []
    base = f"/api/v1/conventions/{report.convention_id}/reports/{report.pk}"
    organisation = report.convention.organisation
    for act in REPORT_WORKFLOW.available_to(user, report.status):
        if partner_act(act) and not selectors.is_member(
                user, organisation, admin=Role.PARTNER_MEMBER not in act.roles):
            continue
        name = short_name(act)
        method, suffix = REPORT_ENDPOINTS[name]
        out.append({"name": name, "label": str(act.label), "method": method, "path": base + suffix})
    return out


def _report_out(user: Visitor, report: YearlyReport) -> dict[str, Any]:
    """The detail of a report (from :func:`_report`): values against targets for an activity report, spending
    per domain and the year's reconciliation for a financial statement."""
    today = _today()
    convention = selectors.with_details(Convention.objects.filter(pk=report.convention_id)).get()
    indicators = spending = reconciliation = None
    if report.kind == ReportKind.ACTIVITY:
        values = {v.indicator_id: v for v in report.indicator_values.all()}
        indicators = []
        for domain in convention.domains.all():
            for indicator in domain.indicators.all():
                value = values.get(indicator.pk)
                indicators.append({
                    "indicator_id": indicator.pk, "domain_id": domain.pk, "activity": domain.activity,
                    "name": indicator.name, "unit": indicator.unit, "yearly_target": indicator.yearly_target,
                    "value": value.value if value else None, "comment": value.comment if value else ""})
    else:
        spent = {s.domain_id: s.spent for s in report.spending.all()}
        spending = [{"domain_id": d.pk, "activity": d.activity, "granted": money.domain_granted(d, report.year),
                     "spent": spent.get(d.pk)} for d in convention.domains.all()]
        year = money.position(convention, report.year, today)
        reconciliation = {key: getattr(year, key) for key in ("granted", "paid", "spent", "eligible", "to_pay",
                                                              "surplus")}
    editable = report.status in (ReportStatus.EXPECTED, ReportStatus.RETURNED)
    return {
        **{key: getattr(report, key) for key in (
            "id", "convention_id", "year", "kind", "status", "due_on", "narrative", "submitted_at", "reviewed_at",
            "officer_comment", "version")},
        "convention_reference": convention.reference, "organisation": _named(convention.organisation),
        "indicators": indicators, "spending": spending, "reconciliation": reconciliation,
        "documents": list(report.documents.all()),
        "missing": [v.as_dict() for v in report_services.report_problems(report, today)] if editable else [],
        "available_actions": _available_actions(user, report),
    }


def _report_detail(request: HttpRequest, response: HttpResponse, convention_id: Id, report_id: Id) -> dict[str, Any]:
    """The report's detail, with its ETag on the answer."""
    user = caller(request)
    report = _report(user, convention_id, report_id)
    set_etag(response, report)
    return _report_out(user, report)


# --- conventions ---------------------------------------------------------------------------------

@router.get("/conventions", auth=SIGNED_IN_AUTH, response=list[ConventionSummaryOut])
@api_access(CONVENTION_READERS)
@paginate(Pages, page_size=50)
def list_conventions(request: HttpRequest, filters: Query[ConventionFilters]) -> Any:
    """The conventions the caller sees: the ministry's readers all, partners their organisations' signed
    conventions, reviewers and moderators none. ``status`` is derived from the dates as of today;
    ``active_on`` keeps the conventions in force on that day."""
    today = _today()
    conventions: QuerySet[Convention] = selectors.conventions_visible_to(caller(request))
    if filters.organisation_id is not None:
        conventions = conventions.filter(organisation_id=filters.organisation_id)
    if filters.status:
        conventions = selectors.with_status(conventions, filters.status, today)
    if filters.active_on is not None:
        conventions = conventions.filter(pk__in=Convention.objects.active_on(filters.active_on).values("pk"))
    return conventions.prefetch_related(None).order_by("organisation__name", "-starts_on", "pk")


@router.get("/conventions/{convention_id}", auth=SIGNED_IN_AUTH, response={200: ConventionOut, **ERRORS},
            openapi_extra=etag_doc())
@api_access(CONVENTION_READERS)
def get_convention(request: HttpRequest, response: HttpResponse, convention_id: Id) -> Any:
    """A convention: its domains (amounts and staff as in force today), amendments, the money of each year
    with its payment schedule, and its yearly reports."""
    user = caller(request)
    convention = _convention(user, convention_id)
    set_etag(response, convention)
    return _convention_out(user, convention)


# --- yearly reports ------------------------------------------------------------------------------

@router.get("/conventions/{convention_id}/reports/{report_id}", auth=SIGNED_IN_AUTH,
            response={200: ReportOut, **ERRORS}, openapi_extra=etag_doc())
@api_access(CONVENTION_READERS)
def get_report(request: HttpRequest, response: HttpResponse, convention_id: Id, report_id: Id) -> Any:
    """A yearly report: for an activity report the indicator values against their targets; for a financial
    statement the spending per domain and the year's reconciliation. ``missing`` lists what stops filing it
    (while editable), ``available_actions`` what the caller may do. Its ``ETag`` is what a change or a step
    (save, submit, accept, return) sends back in ``If-Match``."""
    return _report_detail(request, response, convention_id, report_id)


@router.put("/conventions/{convention_id}/reports/{report_id}", auth=SIGNED_IN_AUTH,
            response={200: ReportOut, **WRITE_ERRORS}, openapi_extra=conditional_doc())
@api_access(report_policy("save"))
def save_report(request: HttpRequest, response: HttpResponse, convention_id: Id, report_id: Id,
                payload: ReportIn) -> Any:
    """Fill in a report (the organisation's members): ``narrative``; ``values`` by indicator id for an activity
    report, ``spending`` by domain id for a financial statement. Only the given fields change. Send the ETag
    read in ``If-Match`` (or ``version`` in the body): without either 428 ``precondition_required``; an edit
    based on an outdated copy changes nothing and answers 412 ``precondition_failed`` (``If-Match``) or 409
    ``stale_version`` (``version``)."""
    user: Actor = caller(request)
    report = _report(user, convention_id, report_id)
    with conditional_write(request, report, payload.version) as version:
        report_services.save_report(user, report, payload.to_input(), expected_version=version)
    return _report_detail(request, response, convention_id, report_id)


@router.post("/conventions/{convention_id}/reports/{report_id}/documents", auth=SIGNED_IN_AUTH,
             response={201: ReportDocumentOut, **ERRORS})
@api_access(report_policy("save"))
def add_report_document(request: HttpRequest, convention_id: Id, report_id: Id,
                        file: UploadedFile = File(...)) -> Any:  # noqa: B008
    """Attach a supporting document to a report (multipart), e.g. the year's accounts, which a financial
    statement needs. Its content decides its type, whatever its name: PDF, ODT, DOCX, ODS, XLSX, PNG or JPEG.
    An upload needs no ``If-Match`` (it overwrites nothing)."""
    user: Actor = caller(request)
    return Status(201, report_services.add_report_document(user, _report(user, convention_id, report_id), file))


@router.post("/conventions/{convention_id}/reports/{report_id}/submit", auth=SIGNED_IN_AUTH,
             response={200: ReportOut, **WRITE_ERRORS}, openapi_extra=conditional_doc())
@api_access(report_policy("submit"))
def submit_report(request: HttpRequest, response: HttpResponse, convention_id: Id, report_id: Id,
                  payload: VersionIn | None = None) -> Any:
    """File the report (the organisation's gestionnaires), once its year is over. A refusal lists everything
    that is missing at once."""
    user: Actor = caller(request)
    body = payload or VersionIn()
    report = _report(user, convention_id, report_id)
    with conditional_write(request, report, body.version) as version:
        report_services.submit_report(user, report, expected_version=version)
    return _report_detail(request, response, convention_id, report_id)


@router.post("/conventions/{convention_id}/reports/{report_id}/accept", auth=SIGNED_IN_AUTH,
             response={200: ReportOut, **WRITE_ERRORS}, openapi_extra=conditional_doc())
@api_access(report_policy("accept"))
def accept_report(request: HttpRequest, response: HttpResponse, convention_id: Id, report_id: Id,
                  payload: CommentIn | None = None) -> Any:
    """Accept a filed report (officers). An accepted financial statement sets the year's balance."""
    user: Actor = caller(request)
    body = payload or CommentIn()
    report = _report(user, convention_id, report_id)
    with conditional_write(request, report, body.version) as version:
        report_services.accept_report(user, report, body.comment, expected_version=version)
    return _report_detail(request, response, convention_id, report_id)


@router.post("/conventions/{convention_id}/reports/{report_id}/return", auth=SIGNED_IN_AUTH,
             response={200: ReportOut, **WRITE_ERRORS}, openapi_extra=conditional_doc())
@api_access(report_policy("return"))
def return_report(request: HttpRequest, response: HttpResponse, convention_id: Id, report_id: Id,
                  payload: CommentIn | None = None) -> Any:
    """Return a filed report for completion (officers); ``comment`` tells the organisation what is missing."""
    user: Actor = caller(request)
    body = payload or CommentIn()
    report = _report(user, convention_id, report_id)
    with conditional_write(request, report, body.version) as version:
        report_services.return_report(user, report, body.comment, expected_version=version)
    return _report_detail(request, response, convention_id, report_id)


# --- payments ------------------------------------------------------------------------------------

@router.post("/conventions/{convention_id}/payments/{payment_id}/pay", auth=SIGNED_IN_AUTH,
             response={200: PaymentOut, **ERRORS})
@api_access(FINANCE)
@api_reauthentication_required
def pay(request: HttpRequest, convention_id: Id, payment_id: Id, payload: ConventionPaymentIn) -> Any:
    """Record that a line of the payment schedule is paid (finance); ``paid_on`` defaults to today and is never
    in the future. A line already paid answers 409 ``already_paid``."""
    user: Actor = caller(request)
    visible = selectors.conventions_visible_to(user).values("pk")
    payment = get_object_or_404(ScheduledPayment.objects.filter(convention__in=visible), pk=payment_id,
                                convention_id=convention_id)
    payment_services.record_payment(user, payment, payload.to_input())
    return ScheduledPayment.objects.get(pk=payment.pk)


# --- reference data ------------------------------------------------------------------------------

@router.get("/activity-domains", auth=PUBLIC_AUTH, response=list[ActivityDomainOut], tags=["reference data"])
@api_access(PUBLIC)
@paginate(Pages, page_size=100)
def list_activity_domains(request: HttpRequest) -> Any:
    """The fields of activity the ministry funds, named by conventions' domains and by applications
    (``activity_domain_id``)."""
    return ActivityDomain.objects.order_by("name", "pk")
