"""The grants API: calls and applications (read, drafted, edited, their documents); the workflow and the decision
are :mod:`subsidia.api.grants_workflow`, reviews :mod:`subsidia.api.grants_reviews`, payments
:mod:`subsidia.api.grants_payments`, which share this module's policies and application detail.

The same rules and permissions as the pages: every read goes through :mod:`subsidia.grants.selectors`
(another organisation's application answers 404), every write through :mod:`subsidia.grants.services`
with the caller as actor. A role that may not act answers 403 (``forbidden``), a move the state does
not allow 409 (``illegal_transition``), an outdated ``version`` 409 (``stale_version``), a broken rule
422 with every violation at once. Calls and applications answer an ``ETag``; a change or a workflow step
needs it in ``If-Match`` (or ``version`` in the body): 428 without, 412 when outdated
(:mod:`subsidia.api.concurrency`).
"""

from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from ninja import File, Form, Query, Router, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from subsidia.accounts.actors import Actor, Visitor
from subsidia.accounts.roles import PARTNER_ROLES, Role
from subsidia.core.access import PUBLIC, Policy, roles
from subsidia.core.errors import Code, NotFound
from subsidia.grants import selectors
from subsidia.grants.models import Application, Call, Decision, FinalReport
from subsidia.grants.services import calls as call_services
from subsidia.grants.services import drafting as drafting_services
from subsidia.grants.workflow import PARTNER_EDITABLE_STATES, WORKFLOW
from subsidia.organisations.models import Organisation

from .auth import PUBLIC_AUTH, SIGNED_IN_AUTH, api_access, caller
from .concurrency import PRECONDITION_ERRORS, conditional_doc, conditional_write, etag_doc, set_etag
from .schemas import ErrorOut, Id, Pages
from .schemas_grants import ApplicationCreate, ApplicationFilters, ApplicationPatch, CallCreate, CallFilters, CallPatch
from .schemas_grants_out import (
    ApplicationOut,
    ApplicationSummaryOut,
    CallOut,
    DecisionSummaryOut,
    DocumentOut,
    ViolationOut,
)

router = Router(tags=["grants"])

# --- who may call what -------------------------------------------------------------------------------

CALL_MANAGERS = roles(Role.OFFICER, name="call_managers")
# Everyone who reads some applications; which ones is the selectors' work (404 for the others).
APPLICATION_READERS = roles(*PARTNER_ROLES, Role.OFFICER, Role.REVIEWER, Role.APPROVER, Role.FINANCE, Role.AUDITOR,
                            Role.ADMIN, name="application_readers")
APPLICATION_CREATORS = roles(*PARTNER_ROLES, name="partners")
# Partners edit their own drafts, officers correct applications before the decision.
APPLICATION_EDITORS = roles(*PARTNER_ROLES, Role.OFFICER, name="application_editors")
REVIEWERS = roles(Role.REVIEWER, name="reviewers")
APPROVERS = roles(Role.APPROVER, name="approvers")
DECISION_READERS = roles(Role.OFFICER, Role.APPROVER, Role.AUDITOR, Role.ADMIN, name="decision_readers")
PAYMENT_READERS = roles(Role.FINANCE, Role.OFFICER, Role.AUDITOR, name="payment_readers")
FINANCE = roles(Role.FINANCE, name="finance")


def transition_policy(name: str) -> Policy:
    """The roles the workflow table gives a transition."""
    return roles(*WORKFLOW[name].roles, name=f"transition_{name}")


ERRORS: dict[int, Any] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}
# A write of a call or an application is conditional (If-Match or ``version``): 428 without, 412 when stale.
WRITE_ERRORS: dict[int, Any] = {**ERRORS, **PRECONDITION_ERRORS}

# The endpoint of each transition, relative to the application.
TRANSITION_ENDPOINTS = {
    "submit": "submit", "start_eligibility": "start-eligibility", "declare_eligible": "declare-eligible",
    "declare_ineligible": "declare-ineligible", "request_information": "request-information",
    "withdraw": "withdraw", "approve": "decision", "reject": "decision", "start_project": "start-project",
    "submit_report": "final-report", "return_report": "return-report", "close": "close",
}


# --- helpers -------------------------------------------------------------------------------------

def visible_application(user: Actor, application_id: Id) -> Application:
    """The application if the caller may see it, else 404 (existence does not leak)."""
    return get_object_or_404(selectors.applications_visible_to(user), pk=application_id)


def _decision(application: Application) -> Decision | None:
    return Decision.objects.filter(application=application).first()


def _available_transitions(user: Actor, application: Application, decision: Decision | None) -> list[dict[str, str]]:
    out = []
    base = f"/api/v1/applications/{application.pk}/"
    for transition in WORKFLOW.available_to(user, application.state):
        if Role.PARTNER_ADMIN in transition.roles and not selectors.is_member_of(user, application, admin=True):
            continue
        if transition.name in ("approve", "reject", "withdraw") and decision is not None:
            continue
        out.append({"name": transition.name, "label": str(transition.label), "method": "POST",
                    "path": base + TRANSITION_ENDPOINTS[transition.name]})
    if decision is not None and not decision.is_final and user.has_role(Role.APPROVER) \
            and decision.decided_by_id != user.pk:
        out.append({"name": "confirm_decision", "label": "Confirmer la décision", "method": "POST",
                    "path": base + "decision/confirm"})
    return out


def _reviews_summary(application: Application) -> dict[str, Any]:
    stats = selectors.score_stats(application)
    return {
        "submitted": stats.reviews, "average": stats.average, "lowest": stats.lowest, "highest": stats.highest,
        "spread": stats.spread, "stdev": stats.stdev, "recommendations": stats.recommendations,
        "reviews": [{"id": r.pk, "reviewer": r.reviewer.email, "status": r.status,
                     "recommendation": r.recommendation, "weighted_score": r.weighted_score()}
                    for r in application.reviews.all()],
    }


def _application_out(user: Actor, application: Application) -> dict[str, Any]:
    """The detail of an application (from :func:`_application`) as the caller may see it."""
    staff = selectors.sees_all_applications(user)
    totals = application.totals()
    requested = application.requested_amount or Decimal(0)
    decision = _decision(application)
    # Partners and reviewers learn of a decision once it is final; staff readers see it pending too.
    shown_decision = decision if decision is not None and (staff or decision.is_final) else None
    documents = sorted(application.documents.all(), key=lambda d: (d.kind, d.question_key, -d.version))
    missing = (drafting_services.eligibility_preview(application)
               if application.state in PARTNER_EDITABLE_STATES else [])
    return {
        **{key: getattr(application, key) for key in (
            "id", "reference", "title", "call_id", "organisation_id", "state", "version", "requested_amount",
            "start_date", "end_date", "submitted_at", "summary", "description", "priority_id", "activity_domain_id",
            "deliverable_types", "answers", "first_submitted_on", "report_due_on", "information_request",
            "ineligibility_reasons")},
        "call_title": application.call.title,
        "organisation_name": application.organisation.name,
        "totals": {"expenses": totals["expenses"], "incomes": totals["incomes"], "requested": requested,
                   "balanced": totals["expenses"] == totals["incomes"] + requested},
        "budget_lines": application.lines("planned"),
        "actual_budget_lines": application.lines("actual"),
        "documents": documents,
        "missing": [v.as_dict() for v in missing],
        "decision": shown_decision,
        "tranches": list(application.tranches.select_related("application__organisation"))
        if shown_decision is not None else [],
        "reviews": _reviews_summary(application) if staff else None,
        "final_report": FinalReport.objects.filter(application=application).first(),
        "available_transitions": _available_transitions(user, application, decision),
    }


def application_detail(request: HttpRequest, response: HttpResponse, application_id: Id) -> dict[str, Any]:
    """The application's detail, with its ETag on the answer."""
    user = caller(request)
    application = visible_application(user, application_id)
    set_etag(response, application)
    return _application_out(user, application)


def _call_queryset(user: Visitor) -> QuerySet[Call]:
    return selectors.calls_visible_to(user).prefetch_related("questions__shown_if_question")


# --- calls ---------------------------------------------------------------------------------------

@router.get("/calls", auth=PUBLIC_AUTH, response=list[CallOut])
@api_access(PUBLIC)
@paginate(Pages, page_size=50)
def list_calls(request: HttpRequest, filters: Query[CallFilters]) -> Any:
    """Calls for projects: the published ones for everyone, drafts too for the ministry's staff readers.
    ``open=true`` keeps the calls open today, ``open=false`` the others; ``year`` filters by year."""
    calls = _call_queryset(caller(request))
    if filters.open is not None:
        open_ids = selectors.open_calls().values("pk")
        calls = calls.filter(pk__in=open_ids) if filters.open else calls.exclude(pk__in=open_ids)
    if filters.year is not None:
        calls = calls.filter(year=filters.year)
    return calls.order_by("-year", "title", "pk")


@router.get("/calls/{call_id}", auth=PUBLIC_AUTH, response={200: CallOut, 404: ErrorOut}, openapi_extra=etag_doc())
@api_access(PUBLIC)
def get_call(request: HttpRequest, response: HttpResponse, call_id: Id) -> Any:
    """A call; its ``ETag`` is what a change (PATCH) sends back in ``If-Match``."""
    call = get_object_or_404(_call_queryset(caller(request)), pk=call_id)
    set_etag(response, call)
    return call


@router.post("/calls", auth=SIGNED_IN_AUTH, response={201: CallOut, **ERRORS}, openapi_extra=etag_doc(201))
@api_access(CALL_MANAGERS)
def create_call(request: HttpRequest, response: HttpResponse, payload: CallCreate) -> Any:
    """Create a call (officers). Required: ``title``, ``programme``, ``year`` and ``budget``. Defaults:
    unpublished (``is_published`` false), no opening or closing date (``closes_at`` null: a rolling call),
    ``min_lead_weeks`` 6, ``eligible_legal_forms`` asbl and federation, ``required_document_kinds``
    description and budget, ``deliverable_types`` event, brochure, exhibition and video, and no priorities,
    criteria or questions."""
    user = caller(request)
    call = call_services.create_call(user, payload.to_input())
    set_etag(response, call)
    return Status(201, get_object_or_404(_call_queryset(user), pk=call.pk))


@router.patch("/calls/{call_id}", auth=SIGNED_IN_AUTH, response={200: CallOut, **WRITE_ERRORS},
              openapi_extra=conditional_doc())
@api_access(CALL_MANAGERS)
def update_call(request: HttpRequest, response: HttpResponse, call_id: Id, payload: CallPatch) -> Any:
    """Change the given fields of a call (officers). ``priorities``, ``criteria`` and ``questions``, when
    given, replace the call's. Send the ETag read in ``If-Match`` (or ``version`` in the body): without
    either 428 ``precondition_required``; an edit based on an outdated copy changes nothing and answers 412
    ``precondition_failed`` (``If-Match``) or 409 ``stale_version`` (``version``)."""
    user = caller(request)
    call = get_object_or_404(_call_queryset(user), pk=call_id)
    with conditional_write(request, call, payload.version) as version:
        call_services.update_call(user, call, payload.to_input(), expected_version=version)
    call = get_object_or_404(_call_queryset(user), pk=call.pk)
    set_etag(response, call)
    return call


@router.get("/calls/{call_id}/decision-summary", auth=SIGNED_IN_AUTH, response={200: DecisionSummaryOut, **ERRORS})
@api_access(DECISION_READERS)
def decision_summary(request: HttpRequest, call_id: Id) -> Any:
    """What the approver needs to decide on a call: the applications in review or decided, their weighted
    scores and recommendations, and what is left in the envelope."""
    call = get_object_or_404(_call_queryset(caller(request)), pk=call_id)
    summary = selectors.decision_summary(call)
    rows = []
    for row in summary["rows"]:
        stats = row.stats
        decision = row.decision
        rows.append({
            "application_id": row.application.pk, "reference": row.application.reference,
            "title": row.application.title, "organisation_name": row.application.organisation.name,
            "state": row.application.state, "requested": row.requested, "reviews": stats.reviews,
            "average": stats.average, "lowest": stats.lowest, "highest": stats.highest, "spread": stats.spread,
            "stdev": stats.stdev, "recommendations": stats.recommendations,
            "decision": None if decision is None else {
                "outcome": decision.outcome, "granted_amount": decision.granted_amount,
                "awaiting_confirmation": not decision.is_final},
        })
    return {"call_id": call.pk, "call_title": call.title, "budget": summary["budget"],
            "committed": summary["committed"], "remaining": summary["remaining"],
            "requested_pending": summary["requested_pending"], "rows": rows}


# --- applications --------------------------------------------------------------------------------

@router.get("/applications", auth=SIGNED_IN_AUTH, response=list[ApplicationSummaryOut])
@api_access(APPLICATION_READERS)
@paginate(Pages, page_size=50)
def list_applications(request: HttpRequest, filters: Query[ApplicationFilters]) -> Any:
    """The applications the caller sees: staff readers all, reviewers those assigned to them, partners
    their organisations'."""
    applications = selectors.applications_visible_to(caller(request))
    if filters.call_id is not None:
        applications = applications.filter(call_id=filters.call_id)
    if filters.state:
        applications = applications.filter(state=filters.state)
    if filters.organisation_id is not None:
        applications = applications.filter(organisation_id=filters.organisation_id)
    return applications.order_by("-created_at", "-pk")


@router.post("/applications", auth=SIGNED_IN_AUTH, response={201: ApplicationOut, **ERRORS},
             openapi_extra=etag_doc(201))
@api_access(APPLICATION_CREATORS)
def create_application(request: HttpRequest, response: HttpResponse, payload: ApplicationCreate) -> Any:
    """Draft an application of one's own organisation to a published call that has not closed."""
    user = caller(request)
    call = selectors.calls_visible_to(user).filter(pk=payload.call_id).first()
    if call is None:
        raise NotFound.single(Code.NOT_FOUND, "Appel introuvable.", "call_id")
    organisation = Organisation.objects.filter(pk=payload.organisation_id).first()
    if organisation is None:
        raise NotFound.single(Code.NOT_FOUND, "Organisation introuvable.", "organisation_id")
    application = drafting_services.create_application(user, call, organisation, payload.to_input())
    return Status(201, application_detail(request, response, application.pk))


@router.get("/applications/{application_id}", auth=SIGNED_IN_AUTH, response={200: ApplicationOut, **ERRORS},
            openapi_extra=etag_doc())
@api_access(APPLICATION_READERS)
def get_application(request: HttpRequest, response: HttpResponse, application_id: Id) -> Any:
    """An application with its budget, documents, what is still missing (while editable), its decision and
    payments, the reviews' summary (the ministry's staff only) and the transitions the caller may make. Its
    ``ETag`` is what a change or a step of the workflow sends back in ``If-Match``."""
    return application_detail(request, response, application_id)


@router.patch("/applications/{application_id}", auth=SIGNED_IN_AUTH, response={200: ApplicationOut, **WRITE_ERRORS},
              openapi_extra=conditional_doc())
@api_access(APPLICATION_EDITORS)
def update_application(request: HttpRequest, response: HttpResponse, application_id: Id,
                       payload: ApplicationPatch) -> Any:
    """Change the given fields (``budget_lines``, when given, replaces the planned budget). Send the ETag read
    in ``If-Match`` (or ``version`` in the body): without either 428 ``precondition_required``; an edit based
    on an outdated copy changes nothing and answers 412 ``precondition_failed`` (``If-Match``) or 409
    ``stale_version`` (``version``)."""
    user = caller(request)
    application = visible_application(user, application_id)
    with conditional_write(request, application, payload.version) as version:
        drafting_services.update_application(user, application, payload.to_input(), expected_version=version)
    return application_detail(request, response, application_id)


@router.get("/applications/{application_id}/eligibility", auth=SIGNED_IN_AUTH,
            response={200: list[ViolationOut], **ERRORS})
@api_access(APPLICATION_READERS)
def eligibility(request: HttpRequest, application_id: Id) -> Any:
    """What would stop the submission today: every failing eligibility rule (empty when it would pass)."""
    application = visible_application(caller(request), application_id)
    return [v.as_dict() for v in drafting_services.eligibility_preview(application)]


@router.post("/applications/{application_id}/documents", auth=SIGNED_IN_AUTH, response={201: DocumentOut, **ERRORS})
@api_access(APPLICATION_EDITORS)
def add_document(request: HttpRequest, application_id: Id, file: UploadedFile = File(...),  # noqa: B008
                 kind: str = Form(..., max_length=20, pattern=r"^[-a-z_]*$"),
                 question_key: str = Form("", max_length=60, pattern=r"^[-a-zA-Z0-9_]*$")) -> Any:
    """Upload a supporting document (multipart). Its content decides its type, whatever its name: PDF, ODT,
    DOCX, ODS, XLSX, PNG or JPEG. Another upload of the same kind is a new version. An upload needs no
    ``If-Match`` (it overwrites nothing) but raises the application's version: read its new ETag."""
    user = caller(request)
    application = visible_application(user, application_id)
    return Status(201, drafting_services.add_document(user, application, kind, file, question_key))
