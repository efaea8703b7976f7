"""The grants API: an application's workflow, one endpoint per transition, and the approver's decision.

Each step is a write of the application (:mod:`subsidia.api.grants` reads and edits it): it needs the ETag read
in ``If-Match`` (or ``version`` in the body), else 428; a stale one answers 412 (``If-Match``) or 409
``stale_version`` (``version``). A role that may not act answers 403 (``forbidden``), a move the state does not
allow 409 (``illegal_transition``), a broken rule 422 with every violation at once. Each answers the
application's detail (or the decision) with its new ETag.
"""

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Router, Status

from subsidia.accounts.actors import Actor
from subsidia.accounts.reauth import api_reauthentication_required
from subsidia.grants.models import Application, Decision
from subsidia.grants.services import decisions as decision_services
from subsidia.grants.services import reports as report_services
from subsidia.grants.services import transitions as transition_services

from .auth import SIGNED_IN_AUTH, api_access, caller
from .concurrency import conditional_doc, conditional_write, set_etag
from .grants import APPROVERS, WRITE_ERRORS, application_detail, transition_policy, visible_application
from .schemas import Id
from .schemas_grants import CommentIn, DecisionIn, FinalReportIn, IneligibleIn, InformationRequestIn, NoteIn, VersionIn
from .schemas_grants_out import ApplicationOut, DecisionOut

router = Router(tags=["grants"])


# --- the workflow, one endpoint per transition ---------------------------------------------------------
# Each step is a write of the application: it needs the ETag read in ``If-Match`` (or ``version`` in the
# body), else 428; a stale one answers 412 (``If-Match``) or 409 ``stale_version`` (``version``).

def _transition(request: HttpRequest, response: HttpResponse, application_id: Id, body_version: int | None,
                action: Callable[[Actor, Application, int | None], object]) -> Any:
    user = caller(request)
    application = visible_application(user, application_id)
    with conditional_write(request, application, body_version) as version:
        action(user, application, version)
    return application_detail(request, response, application_id)


STEP: dict[int, Any] = {200: ApplicationOut, **WRITE_ERRORS}


@router.post("/applications/{application_id}/submit", auth=SIGNED_IN_AUTH, response=STEP,
             openapi_extra=conditional_doc())
@api_access(transition_policy("submit"))
def submit(request: HttpRequest, response: HttpResponse, application_id: Id,
           payload: VersionIn | None = None) -> Any:
    """File the application (the organisation's managers). A refusal lists every failing rule at once."""
    body = payload or VersionIn()
    return _transition(request, response, application_id, body.version,
                       lambda user, app, version: transition_services.submit(user, app, expected_version=version))


@router.post("/applications/{application_id}/start-eligibility", auth=SIGNED_IN_AUTH, response=STEP,
             openapi_extra=conditional_doc())
@api_access(transition_policy("start_eligibility"))
def start_eligibility(request: HttpRequest, response: HttpResponse, application_id: Id,
                      payload: VersionIn | None = None) -> Any:
    body = payload or VersionIn()
    return _transition(request, response, application_id, body.version,
                       lambda user, app, version: transition_services.start_eligibility(
                           user, app, expected_version=version))


@router.post("/applications/{application_id}/declare-eligible", auth=SIGNED_IN_AUTH, response=STEP,
             openapi_extra=conditional_doc())
@api_access(transition_policy("declare_eligible"))
def declare_eligible(request: HttpRequest, response: HttpResponse, application_id: Id,
                     payload: NoteIn | None = None) -> Any:
    body = payload or NoteIn()
    return _transition(request, response, application_id, body.version, lambda user, app, version:
                       transition_services.declare_eligible(user, app, expected_version=version, note=body.note))


@router.post("/applications/{application_id}/declare-ineligible", auth=SIGNED_IN_AUTH, response=STEP,
             openapi_extra=conditional_doc())
@api_access(transition_policy("declare_ineligible"))
def declare_ineligible(request: HttpRequest, response: HttpResponse, application_id: Id,
                       payload: IneligibleIn | None = None) -> Any:
    """Without ``reasons``, those of the latest eligibility check are kept."""
    body = payload or IneligibleIn()
    return _transition(request, response, application_id, body.version, lambda user, app, version:
                       transition_services.declare_ineligible(user, app, reasons=body.reasons,
                                                              expected_version=version))


@router.post("/applications/{application_id}/request-information", auth=SIGNED_IN_AUTH, response=STEP,
             openapi_extra=conditional_doc())
@api_access(transition_policy("request_information"))
def request_information(request: HttpRequest, response: HttpResponse, application_id: Id,
                        payload: InformationRequestIn | None = None) -> Any:
    body = payload or InformationRequestIn()
    return _transition(request, response, application_id, body.version, lambda user, app, version:
                       transition_services.request_information(user, app, body.questions, expected_version=version))


@router.post("/applications/{application_id}/withdraw", auth=SIGNED_IN_AUTH, response=STEP,
             openapi_extra=conditional_doc())
@api_access(transition_policy("withdraw"))
def withdraw(request: HttpRequest, response: HttpResponse, application_id: Id,
             payload: NoteIn | None = None) -> Any:
    body = payload or NoteIn()
    return _transition(request, response, application_id, body.version, lambda user, app, version:
                       transition_services.withdraw(user, app, note=body.note, expected_version=version))


@router.post("/applications/{application_id}/start-project", auth=SIGNED_IN_AUTH, response=STEP,
             openapi_extra=conditional_doc())
@api_access(transition_policy("start_project"))
def start_project(request: HttpRequest, response: HttpResponse, application_id: Id,
                  payload: VersionIn | None = None) -> Any:
    body = payload or VersionIn()
    return _transition(request, response, application_id, body.version,
                       lambda user, app, version: transition_services.start_project(
                           user, app, expected_version=version))


@router.post("/applications/{application_id}/final-report", auth=SIGNED_IN_AUTH, response=STEP,
             openapi_extra=conditional_doc())
@api_access(transition_policy("submit_report"))
def final_report(request: HttpRequest, response: HttpResponse, application_id: Id,
                 payload: FinalReportIn | None = None) -> Any:
    """File the final report: the deliverables, a narrative and the actual budget (needed unless already
    given); upload the ``final_report`` document first."""
    body = payload or FinalReportIn()
    lines = None if body.actual_budget_lines is None else [line.to_input() for line in body.actual_budget_lines]
    return _transition(request, response, application_id, body.version, lambda user, app, version:
                       report_services.submit_report(user, app, deliverables=body.deliverables,
                                                     narrative=body.narrative, actual_budget_lines=lines,
                                                     expected_version=version))


@router.post("/applications/{application_id}/return-report", auth=SIGNED_IN_AUTH, response=STEP,
             openapi_extra=conditional_doc())
@api_access(transition_policy("return_report"))
def return_report(request: HttpRequest, response: HttpResponse, application_id: Id,
                  payload: CommentIn | None = None) -> Any:
    body = payload or CommentIn()
    return _transition(request, response, application_id, body.version, lambda user, app, version:
                       report_services.return_report(user, app, body.comment, expected_version=version))


@router.post("/applications/{application_id}/close", auth=SIGNED_IN_AUTH, response=STEP,
             openapi_extra=conditional_doc())
@api_access(transition_policy("close"))
def close(request: HttpRequest, response: HttpResponse, application_id: Id,
          payload: VersionIn | None = None) -> Any:
    """Close the file, once the report is in and every tranche paid."""
    body = payload or VersionIn()
    return _transition(request, response, application_id, body.version,
                       lambda user, app, version: report_services.close(user, app, expected_version=version))


# --- decisions -----------------------------------------------------------------------------------
# Deciding and confirming are steps of the application's workflow: conditional on the application's ETag
# (or its ``version`` in the body), and they answer the application's new ETag.

@router.post("/applications/{application_id}/decision", auth=SIGNED_IN_AUTH,
             response={201: DecisionOut, **WRITE_ERRORS}, openapi_extra=conditional_doc(201, "the application"))
@api_access(APPROVERS)
@api_reauthentication_required
def record_decision(request: HttpRequest, response: HttpResponse, application_id: Id, payload: DecisionIn) -> Any:
    """The approver decides. An approval above the four-eyes threshold waits for a second approver
    (``awaiting_confirmation``); otherwise it takes effect at once. Without ``tranches``, the whole amount
    is one tranche due today."""
    user = caller(request)
    application = visible_application(user, application_id)
    with conditional_write(request, application, payload.version) as version:
        decision = decision_services.record_decision(user, application, payload.to_input(), expected_version=version)
    set_etag(response, Application.objects.get(pk=application.pk))
    return Status(201, Decision.objects.get(pk=decision.pk))


@router.post("/applications/{application_id}/decision/confirm", auth=SIGNED_IN_AUTH,
             response={200: DecisionOut, **WRITE_ERRORS}, openapi_extra=conditional_doc(200, "the application"))
@api_access(APPROVERS)
@api_reauthentication_required
def confirm_decision(request: HttpRequest, response: HttpResponse, application_id: Id,
                     payload: VersionIn | None = None) -> Any:
    """A second approver, not the first, confirms a decision above the four-eyes threshold."""
    user = caller(request)
    body = payload or VersionIn()
    application = visible_application(user, application_id)
    with conditional_write(request, application, body.version) as version:
        decision = decision_services.confirm_decision(user, application, expected_version=version)
    set_etag(response, Application.objects.get(pk=application.pk))
    return Decision.objects.get(pk=decision.pk)
