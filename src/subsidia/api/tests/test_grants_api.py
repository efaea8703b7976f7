from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from pytest_django import Settings

from subsidia.accounts.models import User
from subsidia.audit.models import AuditEvent
from subsidia.conftest import ClientResponse
from subsidia.grants.models import (
    Application,
    ApplicationDocument,
    Call,
    Decision,
    EligibilityCheck,
    Review,
    State,
    StateChange,
)
from subsidia.grants.tests.factories import PDF, ApplicationFactory, CallFactory, add_document
from subsidia.organisations.models import Organisation
from subsidia.organisations.tests.factories import OrganisationFactory

from .helpers import auth, call, codes, if_match

pytestmark = pytest.mark.django_db

EXECUTABLES = [b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 200,
               b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 200]


def upload(client: Client, application_id: int, kind: str, headers: dict[str, str], name: str | None = None,
           content: bytes = PDF, content_type: str = "application/pdf") -> ClientResponse:
    file = SimpleUploadedFile(name or f"{kind}.pdf", content, content_type)
    return client.post(f"/api/v1/applications/{application_id}/documents", {"kind": kind, "file": file},
                       headers=headers)


@pytest.fixture
def today() -> date:
    return timezone.localdate()


@pytest.fixture
def officer(make_user: Callable[..., User]) -> User:
    return make_user("officer")


@pytest.fixture
def partner_admin(make_user: Callable[..., User], org_a: Organisation) -> User:
    return make_user("partner_admin", organisation=org_a)


@pytest.fixture
def draft(org_a: Organisation, today: date) -> Application:
    """A complete draft of organisation A: it passes every rule today."""
    return ApplicationFactory.create(call=CallFactory.create(), organisation=org_a)


# --- (a) the whole path, through the API only ----------------------------------------------------------

def test_the_whole_path_from_call_to_closure(client: Client, make_user: Callable[..., User], org_a: Organisation,
                                             settings: Settings, today: date) -> None:
    settings.FOUR_EYES_THRESHOLD = 1000
    officer, partner = auth(make_user("officer")), auth(make_user("partner_admin", organisation=org_a))
    reviewer_user = make_user("reviewer")
    reviewer, finance = auth(reviewer_user), auth(make_user("finance"))
    approver_user = make_user("approver")
    approver, second_approver = auth(approver_user), auth(make_user("approver"))

    # The officer creates the call (unpublished by default), then publishes it.
    response = call(client, "POST", "/calls", {
        "title": "Appel intégration", "programme": "Subsides intégration", "year": today.year,
        "text": "Projets pour l'intégration.", "budget": "100000", "priorities": ["Participation politique"],
        "criteria": [{"title": "Pertinence", "weight": 3}, {"title": "Faisabilité", "weight": 1}],
        "opens_at": (today - timedelta(days=1)).isoformat(), "closes_at": (today + timedelta(days=60)).isoformat(),
        "questions": [{"key": "public", "label": "Public visé", "kind": "choice", "choices": ["jeunes", "adultes"],
                       "required": True}],
    }, officer)
    assert response.status_code == 201, response.content
    created = response.json()
    call_id = created["id"]
    assert created["is_published"] is False and created["is_open"] is False and created["version"] == 1
    assert created["required_document_kinds"] == ["description", "budget"] and created["min_lead_weeks"] == 6
    assert created["closes_at"] == (today + timedelta(days=60)).isoformat()
    assert [c["title"] for c in created["criteria"]] == ["Pertinence", "Faisabilité"]
    assert call(client, "GET", f"/calls/{call_id}").status_code == 404  # a draft is not public
    response = call(client, "PATCH", f"/calls/{call_id}", {"is_published": True, "version": 1}, officer)
    assert response.status_code == 200, response.content
    assert response.json()["is_open"] is True and response.json()["version"] == 2
    public = call(client, "GET", "/calls?open=true").json()
    assert [c["id"] for c in public["items"]] == [call_id]
    priority_id = public["items"][0]["priority_options"][0]["id"]

    # The partner drafts an application with its budget, uploads the documents and submits.
    response = call(client, "POST", "/applications", {
        "call_id": call_id, "organisation_id": org_a.pk, "title": "Exposition itinérante",
        "summary": "Une exposition sur la participation.", "description": "Dans quatre communes.",
        "priority_id": priority_id, "deliverable_types": ["exhibition"],
        "start_date": (today + timedelta(weeks=10)).isoformat(), "end_date": (today + timedelta(weeks=20)).isoformat(),
        "requested_amount": "6000", "answers": {"public": "jeunes"},
        "budget_lines": [{"label": "Location de salle", "kind": "expense", "amount": "2000"},
                         {"label": "Impression", "kind": "expense", "amount": 5000},
                         {"label": "Commune", "kind": "income", "amount": "1000.00"}],
    }, partner)
    assert response.status_code == 201, response.content
    application = response.json()
    app_id = application["id"]
    assert application["state"] == "draft" and application["totals"]["balanced"] is True
    assert application["totals"]["expenses"] == "7000.00" and len(application["budget_lines"]) == 3
    assert {m["code"] for m in application["missing"]} == {"missing_document"}
    for kind in ("description", "budget"):
        response = upload(client, app_id, kind, partner)
        assert response.status_code == 201, response.content
        assert response.json()["kind"] == kind and response.json()["content_type"] == "application/pdf"
    application = call(client, "GET", f"/applications/{app_id}", headers=partner).json()
    assert application["missing"] == [] and len(application["documents"]) == 2
    assert [t["name"] for t in application["available_transitions"]] == ["submit", "withdraw"]
    assert call(client, "GET", f"/applications/{app_id}/eligibility", headers=partner).json() == []
    response = call(client, "POST", f"/applications/{app_id}/submit", {"version": application["version"]}, partner)
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "submitted"

    # The officer checks eligibility and assigns a reviewer.
    # Each step sends the ETag read (If-Match); a step answers the new one, for the next.
    app = f"/applications/{app_id}"
    response = call(client, "POST", f"{app}/start-eligibility", None, if_match(client, app, officer))
    assert response.status_code == 200 and response.json()["state"] == "eligibility"
    response = call(client, "POST", f"{app}/declare-eligible", {"note": "Complet."},
                    {**officer, "If-Match": response["ETag"]})
    assert response.status_code == 200 and response.json()["state"] == "under_review"
    response = call(client, "POST", f"/applications/{app_id}/reviewers", {"reviewer_ids": [reviewer_user.pk]},
                    officer)
    assert response.status_code == 200, response.content
    assert [r["reviewer"] for r in response.json()] == [reviewer_user.email]

    # The reviewer scores every criterion and submits.
    reviews = call(client, "GET", "/reviews", headers=reviewer).json()
    assert reviews["count"] == 1
    review = reviews["items"][0]
    response = call(client, "POST", f"/reviews/{review['id']}/submit", {
        "scores": [{"criterion_id": c["id"], "score": 4, "comment": "Bien."} for c in review["criteria"]],
        "recommendation": "fund", "comment": "À financer.",
    }, reviewer)
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "submitted" and response.json()["weighted_score"] == "4.00"

    # An approval above the four-eyes threshold waits for a second approver.
    response = call(client, "POST", f"/applications/{app_id}/decision", {
        "outcome": "approved", "granted_amount": "6000", "motivation": "Projet solide.",
        "tranches": [{"due_on": today.isoformat(), "amount": "3000"},
                     {"due_on": (today + timedelta(days=60)).isoformat(), "amount": "3000"}],
    }, if_match(client, app, approver))
    assert response.status_code == 201, response.content
    assert response.json()["awaiting_confirmation"] is True
    assert call(client, "GET", f"/applications/{app_id}", headers=officer).json()["state"] == "under_review"
    assert call(client, "GET", f"/calls/{call_id}").json()["committed"] == "0.00"
    response = call(client, "POST", f"/applications/{app_id}/decision/confirm", None,
                    if_match(client, app, approver))
    assert response.status_code == 403 and codes(response) == ["four_eyes"]
    response = call(client, "POST", f"/applications/{app_id}/decision/confirm", None,
                    if_match(client, app, second_approver))
    assert response.status_code == 200, response.content
    assert response.json()["awaiting_confirmation"] is False
    detail = call(client, "GET", f"/applications/{app_id}", headers=partner).json()
    assert detail["state"] == "approved" and detail["decision"]["granted_amount"] == "6000.00"
    assert detail["reviews"] is None  # the reviews' summary is for staff only
    called = call(client, "GET", f"/calls/{call_id}").json()
    assert called["committed"] == "6000.00" and called["remaining"] == "94000.00"

    # The project starts; finance pays the first tranche.
    response = call(client, "POST", f"/applications/{app_id}/start-project", None, if_match(client, app, officer))
    assert response.status_code == 200 and response.json()["state"] == "in_progress"
    tranches = call(client, "GET", f"/tranches?application_id={app_id}&paid=false", headers=finance).json()["items"]
    assert [t["amount"] for t in tranches] == ["3000.00", "3000.00"]
    response = call(client, "POST", f"/tranches/{tranches[0]['id']}/pay",
                    {"paid_on": today.isoformat(), "reference": "VIR-1"}, finance)
    assert response.status_code == 200 and response.json()["paid_on"] == today.isoformat()

    # The partner files the final report; finance pays the rest; the officer closes.
    assert upload(client, app_id, "final_report", partner).status_code == 201
    response = call(client, "POST", f"/applications/{app_id}/final-report", {
        "deliverables": "Exposition montrée dans 4 communes.", "narrative": "Un succès.",
        "actual_budget_lines": [{"label": "Salle", "kind": "expense", "amount": "2100"},
                                {"label": "Impression", "kind": "expense", "amount": "4900"}],
    }, if_match(client, app, partner))
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "reporting" and len(response.json()["actual_budget_lines"]) == 2
    response = call(client, "POST", f"/tranches/{tranches[1]['id']}/pay", {"reference": "VIR-2"}, finance)
    assert response.status_code == 200
    response = call(client, "POST", f"/applications/{app_id}/close", None, if_match(client, app, officer))
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "closed" and response.json()["available_transitions"] == []

    transitions = [c.transition for c in StateChange.objects.filter(application_id=app_id)]
    assert transitions == ["submit", "start_eligibility", "declare_eligible", "approve", "start_project",
                           "submit_report", "close"]
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {f"application.{t}" for t in transitions} <= actions
    assert {"call.create", "call.update", "application.create", "application.document_add", "review.assign",
            "review.submit", "decision.record", "decision.confirm", "payment.record"} <= actions
    assert AuditEvent.objects.filter(action="payment.record").count() == 2


# --- (b) a refused submission reports every failing rule, and changes nothing --------------------------

def test_a_refused_submission_lists_every_failing_rule_and_changes_nothing(client: Client,
                                                                           make_user: Callable[..., User],
                                                                           today: date) -> None:
    company = OrganisationFactory.create(legal_form="company")
    partner = auth(make_user("partner_admin", organisation=company))
    closed_call = CallFactory.create(opens_on=today - timedelta(days=90), closes_on=today - timedelta(days=1))
    application = ApplicationFactory.create(call=closed_call, organisation=company, complete=False,
                                            start_date=today + timedelta(weeks=2), end_date=today + timedelta(weeks=1))
    version = application.version

    response = call(client, "POST", f"/applications/{application.pk}/submit", {"version": version}, partner)

    assert response.status_code == 422, response.content
    found = codes(response)
    assert {"lead_time", "budget_unbalanced", "missing_document", "dates_invalid", "legal_form",
            "call_closed"} <= set(found)
    assert found.count("missing_document") == 2  # the description and the budget
    assert all(e["message"] for e in response.json()["errors"])
    application.refresh_from_db()
    assert application.state == State.DRAFT and application.version == version
    assert application.first_submitted_on is None
    assert not EligibilityCheck.objects.filter(application=application).exists()
    assert not StateChange.objects.filter(application=application).exists()
    assert not AuditEvent.objects.filter(action="application.submit").exists()
    preview = call(client, "GET", f"/applications/{application.pk}/eligibility", headers=partner).json()
    assert [v["code"] for v in preview] == found


def test_the_lead_time_boundary(client: Client, partner_admin: User, draft: Application, today: date) -> None:
    partner = auth(partner_admin)
    six_weeks = today + timedelta(weeks=6)
    path = f"/applications/{draft.pk}"

    response = call(client, "PATCH", path, {"start_date": (six_weeks - timedelta(days=1)).isoformat()},
                    if_match(client, path, partner))
    assert response.status_code == 200
    assert [m["code"] for m in response.json()["missing"]] == ["lead_time"]
    response = call(client, "POST", f"{path}/submit", None, if_match(client, path, partner))
    assert response.status_code == 422 and codes(response) == ["lead_time"]
    assert response.json()["errors"][0]["field"] == "start_date"

    call(client, "PATCH", path, {"start_date": six_weeks.isoformat()}, if_match(client, path, partner))
    response = call(client, "POST", f"{path}/submit", None, if_match(client, path, partner))
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "submitted"


# --- (c) another organisation's application does not exist for you ------------------------------------

def test_another_organisations_application_answers_404(client: Client, make_user: Callable[..., User],
                                                       org_b: Organisation, draft: Application) -> None:
    other = auth(make_user("partner_admin", organisation=org_b))
    version = draft.version
    requests = [
        ("GET", f"/applications/{draft.pk}", None),
        ("PATCH", f"/applications/{draft.pk}", {"title": "Piraté"}),
        ("POST", f"/applications/{draft.pk}/submit", {}),
        ("GET", f"/applications/{draft.pk}/eligibility", None),
        ("POST", f"/applications/{draft.pk}/withdraw", {}),
    ]
    for method, path, body in requests:
        response = call(client, method, path, body, other)
        assert response.status_code == 404, (method, path, response.content)
        assert codes(response) == ["not_found"]
    response = upload(client, draft.pk, "annex", other)
    assert response.status_code == 404
    assert call(client, "GET", "/applications", headers=other).json()["count"] == 0
    draft.refresh_from_db()
    assert draft.title != "Piraté" and draft.state == State.DRAFT and draft.version == version
    assert not draft.documents.filter(kind="annex").exists()


def test_a_partner_cannot_draft_for_another_organisation(client: Client, make_user: Callable[..., User],
                                                         org_a: Organisation, org_b: Organisation, today: date) -> None:
    other = auth(make_user("partner_admin", organisation=org_b))
    response = call(client, "POST", "/applications", {
        "call_id": CallFactory.create().pk, "organisation_id": org_a.pk, "title": "Projet"}, other)
    assert response.status_code == 404
    assert not Application.objects.exists()


# --- (d) uploads are checked by their content ------------------------------------------------------------

@pytest.mark.parametrize("content", EXECUTABLES, ids=["windows-exe", "elf"])
def test_a_renamed_executable_is_refused_and_nothing_is_stored(client: Client, partner_admin: User, draft: Application,
                                                               content: bytes) -> None:
    before = draft.documents.count()
    version = draft.version
    response = upload(client, draft.pk, "budget", auth(partner_admin), name="budget.pdf", content=content)
    assert response.status_code == 422, response.content
    assert response.json()["errors"][0]["code"] == "file_type_not_allowed"
    assert response.json()["errors"][0]["field"] == "file"
    assert draft.documents.count() == before
    draft.refresh_from_db()
    assert draft.version == version


def test_a_new_upload_is_a_new_version(client: Client, partner_admin: User, draft: Application) -> None:
    response = upload(client, draft.pk, "budget", auth(partner_admin), name="budget-v2.pdf")
    assert response.status_code == 201
    assert response.json()["version"] == 2 and response.json()["original_name"] == "budget-v2.pdf"
    assert ApplicationDocument.objects.filter(application=draft, kind="budget").count() == 2


def test_an_unknown_document_kind_is_a_422(client: Client, partner_admin: User, draft: Application) -> None:
    response = upload(client, draft.pk, "selfie", auth(partner_admin))
    assert response.status_code == 422 and codes(response) == ["invalid_choice"]


# --- (e) optimistic locking: nothing is lost ---------------------------------------------------------------

def test_two_patches_with_the_same_version_the_second_is_refused(client: Client, make_user: Callable[..., User],
                                                                 org_a: Organisation, draft: Application) -> None:
    version = draft.version
    first, second = auth(make_user("partner_admin", organisation=org_a)), auth(make_user("officer"))

    response = call(client, "PATCH", f"/applications/{draft.pk}",
                    {"title": "Titre de la première", "summary": "Résumé revu", "version": version}, first)
    assert response.status_code == 200, response.content
    assert response.json()["version"] == version + 1
    response = call(client, "PATCH", f"/applications/{draft.pk}",
                    {"title": "Titre de la seconde", "version": version}, second)
    assert response.status_code == 409
    assert response.json()["errors"][0]["code"] == "stale_version"
    assert response.json()["errors"][0]["field"] == "version"

    draft.refresh_from_db()
    assert draft.title == "Titre de la première" and draft.summary == "Résumé revu"
    assert draft.version == version + 1


def test_a_stale_call_edit_is_refused(client: Client, officer: User) -> None:
    call_ = CallFactory.create()
    headers = auth(officer)
    assert call(client, "PATCH", f"/calls/{call_.pk}", {"budget": "90000", "version": 1}, headers).status_code == 200
    response = call(client, "PATCH", f"/calls/{call_.pk}", {"budget": "80000", "version": 1}, headers)
    assert response.status_code == 409 and codes(response) == ["stale_version"]
    call_.refresh_from_db()
    assert call_.budget == Decimal("90000") and call_.version == 2


def test_a_stale_transition_is_refused(client: Client, partner_admin: User, draft: Application) -> None:
    response = call(client, "POST", f"/applications/{draft.pk}/submit", {"version": draft.version - 1},
                    auth(partner_admin))
    assert response.status_code == 409 and codes(response) == ["stale_version"]


# --- (f) the schema -----------------------------------------------------------------------------------------

def test_openapi_lists_the_grants_operations(client: Client) -> None:
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    expected = {
        "/api/v1/calls": {"get", "post"}, "/api/v1/calls/{call_id}": {"get", "patch"},
        "/api/v1/calls/{call_id}/decision-summary": {"get"},
        "/api/v1/applications": {"get", "post"}, "/api/v1/applications/{application_id}": {"get", "patch"},
        "/api/v1/applications/{application_id}/eligibility": {"get"},
        "/api/v1/applications/{application_id}/documents": {"post"},
        "/api/v1/applications/{application_id}/reviewers": {"post"},
        "/api/v1/applications/{application_id}/decision": {"post"},
        "/api/v1/applications/{application_id}/decision/confirm": {"post"},
        "/api/v1/reviews": {"get"}, "/api/v1/reviews/{review_id}/conflict": {"post"},
        "/api/v1/reviews/{review_id}/submit": {"post"},
        "/api/v1/tranches": {"get"}, "/api/v1/tranches/{tranche_id}/pay": {"post"},
    }
    for transition in ("submit", "start-eligibility", "declare-eligible", "declare-ineligible",
                       "request-information", "withdraw", "start-project", "final-report", "return-report", "close"):
        expected[f"/api/v1/applications/{{application_id}}/{transition}"] = {"post"}
    for path, methods in expected.items():
        assert path in paths, path
        assert methods <= set(paths[path]), path
    upload_body = paths["/api/v1/applications/{application_id}/documents"]["post"]["requestBody"]["content"]
    assert "multipart/form-data" in upload_body


# --- roles, states and the workflow's other paths -----------------------------------------------------------

def test_a_role_that_may_not_act_gets_403_and_an_illegal_move_409(client: Client, make_user: Callable[..., User],
                                                                  org_a: Organisation, draft: Application) -> None:
    member = auth(make_user("partner_member", organisation=org_a))
    response = call(client, "POST", f"/applications/{draft.pk}/submit", None, member)
    assert response.status_code == 403 and codes(response) == ["forbidden"]
    response = call(client, "POST", f"/applications/{draft.pk}/start-eligibility", {"version": draft.version},
                    auth(make_user("officer")))
    assert response.status_code == 409 and codes(response) == ["illegal_transition"]
    assert call(client, "POST", f"/applications/{draft.pk}/submit").status_code == 401
    draft.refresh_from_db()
    assert draft.state == State.DRAFT


def test_transitions_accept_an_empty_body(client: Client, partner_admin: User, draft: Application) -> None:
    """With the ETag in If-Match, a transition needs no body, and has its whole effect: the new state and
    version, one history row and one audit record, by the caller."""
    path = f"/applications/{draft.pk}"
    version = draft.version
    response = client.generic("POST", f"/api/v1{path}/submit", headers=if_match(client, path, auth(partner_admin)))
    assert response.status_code == 200, response.content
    draft.refresh_from_db()
    assert draft.state == State.SUBMITTED and draft.version == version + 1
    assert draft.first_submitted_on == timezone.localdate()
    assert response.json()["state"] == "submitted" and response.json()["version"] == draft.version
    [change] = StateChange.objects.filter(application=draft)
    assert (change.transition, change.from_state, change.to_state, change.actor) == (
        "submit", State.DRAFT, State.SUBMITTED, partner_admin)
    [event] = AuditEvent.objects.filter(action="application.submit", object_id=str(draft.pk))
    assert event.actor == partner_admin and event.before is not None and event.after is not None
    assert (event.before["state"], event.after["state"]) == (State.DRAFT, State.SUBMITTED)


def test_information_request_then_resubmission(client: Client, partner_admin: User, officer: User, org_a: Organisation,
                                               today: date) -> None:
    application = ApplicationFactory.create(call=CallFactory.create(), organisation=org_a, state=State.SUBMITTED,
                                            first_submitted_on=today)
    path = f"/applications/{application.pk}"
    response = call(client, "POST", f"{path}/request-information", {}, if_match(client, path, auth(officer)))
    assert response.status_code == 422 and codes(response) == ["required"]
    response = call(client, "POST", f"{path}/request-information",
                    {"questions": "Précisez le public visé."}, if_match(client, path, auth(officer)))
    assert response.status_code == 200
    partner = auth(partner_admin)
    detail = call(client, "GET", f"/applications/{application.pk}", headers=partner).json()
    assert detail["state"] == "more_information_requested"
    assert detail["information_request"] == "Précisez le public visé."
    assert call(client, "PATCH", path, {"summary": "Public : les jeunes.", "version": detail["version"]},
                partner).status_code == 200
    response = call(client, "POST", f"{path}/submit", {}, if_match(client, path, partner))
    assert response.status_code == 200 and response.json()["state"] == "submitted"


def test_declare_ineligible_keeps_the_reasons(client: Client, officer: User, org_a: Organisation, today: date) -> None:
    application = ApplicationFactory.create(call=CallFactory.create(), organisation=org_a, state=State.ELIGIBILITY,
                                            first_submitted_on=today)
    response = call(client, "POST", f"/applications/{application.pk}/declare-ineligible",
                    {"reasons": ["Hors du champ de l'appel."], "version": application.version}, auth(officer))
    assert response.status_code == 200
    assert response.json()["state"] == "ineligible"
    assert response.json()["ineligibility_reasons"] == ["Hors du champ de l'appel."]


def test_withdraw_and_report_returned(client: Client, partner_admin: User, officer: User, org_a: Organisation,
                                      draft: Application) -> None:
    response = call(client, "POST", f"/applications/{draft.pk}/withdraw", {"note": "Abandon."},
                    if_match(client, f"/applications/{draft.pk}", auth(partner_admin)))
    assert response.status_code == 200 and response.json()["state"] == "withdrawn"
    reporting = ApplicationFactory.create(call=CallFactory.create(), organisation=org_a, state=State.REPORTING)
    response = call(client, "POST", f"/applications/{reporting.pk}/return-report",
                    {"comment": "Joignez les factures.", "version": reporting.version}, auth(officer))
    assert response.status_code == 200 and response.json()["state"] == "in_progress"


def test_the_partner_does_not_see_a_pending_decision_and_staff_see_the_reviews(client: Client,
                                                                               make_user: Callable[..., User],
                                                                               org_a: Organisation, partner_admin: User,
                                                                               settings: Settings) -> None:
    settings.FOUR_EYES_THRESHOLD = 1000
    application = ApplicationFactory.create(call=CallFactory.create(), organisation=org_a, state=State.UNDER_REVIEW)
    approver = make_user("approver")
    response = call(client, "POST", f"/applications/{application.pk}/decision",
                    {"outcome": "approved", "granted_amount": "5000", "version": application.version}, auth(approver))
    assert response.status_code == 201 and response.json()["awaiting_confirmation"] is True
    partner_view = call(client, "GET", f"/applications/{application.pk}", headers=auth(partner_admin)).json()
    assert partner_view["decision"] is None and partner_view["tranches"] == []
    assert partner_view["available_transitions"] == []  # no withdrawal while a decision is pending
    staff_view = call(client, "GET", f"/applications/{application.pk}", headers=auth(make_user("auditor"))).json()
    assert staff_view["decision"]["awaiting_confirmation"] is True
    assert staff_view["reviews"]["submitted"] == 0
    second = make_user("approver")
    detail = call(client, "GET", f"/applications/{application.pk}", headers=auth(second)).json()
    assert [t["name"] for t in detail["available_transitions"]] == ["confirm_decision"]
    assert call(client, "GET", "/tranches", headers=auth(make_user("finance"))).json()["count"] == 0


def test_decision_errors(client: Client, make_user: Callable[..., User], org_a: Organisation, today: date) -> None:
    application = ApplicationFactory.create(call=CallFactory.create(), organisation=org_a, state=State.UNDER_REVIEW)
    approver = {**auth(make_user("approver")), "If-Match": f'"application-{application.pk}-v{application.version}"'}
    response = call(client, "POST", f"/applications/{application.pk}/decision",
                    {"outcome": "approved", "granted_amount": "9000"}, approver)
    assert response.status_code == 422 and codes(response) == ["granted_above_requested"]
    response = call(client, "POST", f"/applications/{application.pk}/decision", {
        "outcome": "approved", "granted_amount": "6000",
        "tranches": [{"due_on": today.isoformat(), "amount": "1000"}]}, approver)
    assert response.status_code == 422 and codes(response) == ["schedule_unbalanced"]
    response = call(client, "POST", f"/applications/{application.pk}/decision", {"outcome": "rejected"}, approver)
    assert response.status_code == 422 and codes(response) == ["required"]
    response = call(client, "POST", f"/applications/{application.pk}/decision",
                    {"outcome": "rejected", "motivation": "Hors priorités."}, approver)
    assert response.status_code == 201
    application.refresh_from_db()
    assert application.state == State.REJECTED
    response = call(client, "POST", f"/applications/{application.pk}/decision",
                    {"outcome": "rejected", "motivation": "Encore."},
                    if_match(client, f"/applications/{application.pk}", approver))
    assert response.status_code == 409 and codes(response) == ["illegal_transition"]
    assert not Decision.objects.exclude(application=application).exists()


def test_payments_close_and_summary(client: Client, make_user: Callable[..., User], org_a: Organisation,
                                    today: date) -> None:
    application = ApplicationFactory.create(call=CallFactory.create(), organisation=org_a, state=State.UNDER_REVIEW)
    response = call(client, "POST", f"/applications/{application.pk}/decision",
                    {"outcome": "approved", "granted_amount": "6000", "version": application.version},
                    auth(make_user("approver")))
    assert response.status_code == 201 and response.json()["awaiting_confirmation"] is False
    summary = call(client, "GET", f"/calls/{application.call_id}/decision-summary",
                   headers=auth(make_user("auditor"))).json()
    assert summary["committed"] == "6000.00" and summary["rows"][0]["decision"]["outcome"] == "approved"
    finance = auth(make_user("finance"))
    tranche = call(client, "GET", "/tranches?paid=false", headers=finance).json()["items"][0]
    assert tranche["due_on"] == today.isoformat() and tranche["amount"] == "6000.00"
    future = (today + timedelta(days=1)).isoformat()
    response = call(client, "POST", f"/tranches/{tranche['id']}/pay", {"paid_on": future}, finance)
    assert response.status_code == 422
    assert call(client, "POST", f"/tranches/{tranche['id']}/pay", {}, finance).status_code == 200
    response = call(client, "POST", f"/tranches/{tranche['id']}/pay", {}, finance)
    assert response.status_code == 409 and codes(response) == ["already_paid"]
    assert call(client, "GET", "/tranches?paid=true", headers=finance).json()["count"] == 1


def test_close_needs_every_tranche_paid(client: Client, officer: User, org_a: Organisation, today: date) -> None:
    application = ApplicationFactory.create(call=CallFactory.create(), organisation=org_a, state=State.REPORTING)
    application.tranches.create(position=1, due_on=today, amount=Decimal(1000))
    response = call(client, "POST", f"/applications/{application.pk}/close", {"version": application.version},
                    auth(officer))
    assert response.status_code == 422 and codes(response) == ["unpaid_tranches"]


def test_reviewer_conflict_and_scope(client: Client, make_user: Callable[..., User], org_a: Organisation) -> None:
    reviewer_user = make_user("reviewer")
    reviewer = auth(reviewer_user)
    mine = ApplicationFactory.create(call=CallFactory.create(), organisation=org_a, state=State.UNDER_REVIEW)
    other = ApplicationFactory.create(call=mine.call, organisation=org_a, state=State.UNDER_REVIEW)
    review = Review.objects.create(application=mine, reviewer=reviewer_user)
    not_mine = Review.objects.create(application=other, reviewer=make_user("reviewer"))
    listed = call(client, "GET", "/applications", headers=reviewer).json()
    assert [a["id"] for a in listed["items"]] == [mine.pk]
    assert call(client, "GET", f"/applications/{other.pk}", headers=reviewer).status_code == 404
    assert call(client, "POST", f"/reviews/{not_mine.pk}/conflict", {"note": "x"}, reviewer).status_code == 404
    response = call(client, "POST", f"/reviews/{review.pk}/submit",
                    {"scores": [], "recommendation": "fund"}, reviewer)
    assert response.status_code == 422 and set(codes(response)) == {"score_required"}
    response = call(client, "POST", f"/reviews/{review.pk}/conflict", {"note": "Je suis membre du CA."}, reviewer)
    assert response.status_code == 200 and response.json()["status"] == "conflict"


def test_assigning_someone_who_is_not_a_reviewer_is_a_422(client: Client, officer: User, make_user: Callable[..., User],
                                                          org_a: Organisation) -> None:
    application = ApplicationFactory.create(call=CallFactory.create(), organisation=org_a, state=State.UNDER_REVIEW)
    response = call(client, "POST", f"/applications/{application.pk}/reviewers",
                    {"reviewer_ids": [make_user("finance").pk, 999999]}, auth(officer))
    assert response.status_code == 422 and codes(response) == ["unknown_reviewer"]
    response = call(client, "POST", f"/applications/{application.pk}/reviewers",
                    {"reviewer_ids": [make_user("finance").pk]}, auth(officer))
    assert response.status_code == 422 and codes(response) == ["not_a_reviewer"]


# --- calls and lists ----------------------------------------------------------------------------------------

def test_calls_the_public_sees_published_ones_staff_drafts_too(client: Client, officer: User, today: date) -> None:
    published = CallFactory.create(title="Ouvert", year=today.year)
    CallFactory.create(title="Brouillon", is_published=False, year=today.year)
    CallFactory.create(title="Clos", year=today.year - 1, opens_on=today - timedelta(days=400),
                       closes_on=today - timedelta(days=300))
    rolling = CallFactory.create(title="Permanent", closes_on=None, year=today.year)
    public = call(client, "GET", "/calls").json()
    assert {c["title"] for c in public["items"]} == {"Ouvert", "Clos", "Permanent"}
    assert {c["title"] for c in call(client, "GET", "/calls", headers=auth(officer)).json()["items"]} == {
        "Ouvert", "Clos", "Permanent", "Brouillon"}
    assert {c["title"] for c in call(client, "GET", "/calls?open=true").json()["items"]} == {"Ouvert", "Permanent"}
    assert {c["title"] for c in call(client, "GET", "/calls?open=false").json()["items"]} == {"Clos"}
    assert {c["title"] for c in call(client, "GET", f"/calls?year={today.year - 1}").json()["items"]} == {"Clos"}
    detail = call(client, "GET", f"/calls/{rolling.pk}").json()
    assert detail["closes_at"] is None and detail["is_open"] is True
    assert call(client, "GET", f"/calls/{published.pk}").json()["priorities"] == [
        "Participation politique des non-Luxembourgeois", "Lutte contre les discriminations"]


@pytest.mark.parametrize("body, code, field", [
    ({"programme": "P", "year": 2026, "budget": "1000"}, "required", "title"),
    ({"title": "T", "programme": "P", "year": 2026, "budget": "-5"}, "invalid", "budget"),
    ({"title": "T", "programme": "P", "year": 2026, "budget": "1000", "eligible_legal_forms": ["sarl"]},
     "invalid_choice", "eligible_legal_forms"),
    ({"title": "T", "programme": "P", "year": 2026, "budget": "1000", "opens_at": "2026-05-01",
      "closes_at": "2026-04-01"}, "dates_invalid", "closes_on"),
    ({"title": "T", "programme": "P", "year": 2026, "budget": "1000", "required_document_kinds": ["final_report"]},
     "invalid_choice", "required_document_kinds"),
])
def test_bad_call_input_is_a_422_and_nothing_is_written(client: Client, officer: User, body: dict[str, object],
                                                        code: str, field: str) -> None:
    response = call(client, "POST", "/calls", body, auth(officer))
    assert response.status_code == 422, response.content
    assert {"code": code, "field": field} in [{"code": e["code"], "field": e["field"]}
                                              for e in response.json()["errors"]]
    assert not Call.objects.exists()


def test_a_null_title_on_patch_is_a_422_not_a_500(client: Client, officer: User) -> None:
    call_ = CallFactory.create()
    response = call(client, "PATCH", f"/calls/{call_.pk}", {"title": None, "year": None, "version": call_.version},
                    auth(officer))
    assert response.status_code == 422
    assert set(codes(response)) == {"invalid"}


def test_applications_list_is_scoped_filtered_and_paginated(client: Client, make_user: Callable[..., User],
                                                            org_a: Organisation, org_b: Organisation) -> None:
    first_call = CallFactory.create()
    for _ in range(3):
        ApplicationFactory.create(call=first_call, organisation=org_a, complete=False)
    ApplicationFactory.create(call=CallFactory.create(), organisation=org_a, state=State.SUBMITTED, complete=False)
    ApplicationFactory.create(call=first_call, organisation=org_b, complete=False)
    partner = auth(make_user("partner_member", organisation=org_a))
    assert call(client, "GET", "/applications", headers=partner).json()["count"] == 4
    assert call(client, "GET", f"/applications?call_id={first_call.pk}", headers=partner).json()["count"] == 3
    assert call(client, "GET", "/applications?state=submitted", headers=partner).json()["count"] == 1
    officer = auth(make_user("officer"))
    assert call(client, "GET", "/applications", headers=officer).json()["count"] == 5
    assert call(client, "GET", f"/applications?organisation_id={org_b.pk}", headers=officer).json()["count"] == 1
    assert call(client, "GET", "/applications", headers=auth(make_user("moderator"))).status_code == 403
    assert call(client, "GET", "/applications").status_code == 401


def test_create_application_refuses_a_closed_call_and_bad_lines(client: Client, partner_admin: User,
                                                                org_a: Organisation, today: date) -> None:
    headers = auth(partner_admin)
    closed = CallFactory.create(closes_on=today - timedelta(days=1))
    response = call(client, "POST", "/applications", {"call_id": closed.pk, "organisation_id": org_a.pk,
                                                      "title": "Projet"}, headers)
    assert response.status_code == 422 and codes(response) == ["call_closed"]
    draft_call = CallFactory.create(is_published=False)
    response = call(client, "POST", "/applications", {"call_id": draft_call.pk, "organisation_id": org_a.pk,
                                                      "title": "Projet"}, headers)
    assert response.status_code == 404
    response = call(client, "POST", "/applications", {
        "call_id": CallFactory.create().pk, "organisation_id": org_a.pk, "title": "Projet",
        "budget_lines": [{"label": "Salle", "kind": "gift", "amount": "10"}]}, headers)
    assert response.status_code == 422 and codes(response) == ["invalid_choice"]
    assert response.json()["errors"][0]["field"] == "budget_lines.0.kind"
    assert not Application.objects.exists()


def test_final_report_needs_its_document(client: Client, partner_admin: User, org_a: Organisation) -> None:
    application = ApplicationFactory.create(call=CallFactory.create(), organisation=org_a, state=State.IN_PROGRESS)
    headers, path = auth(partner_admin), f"/applications/{application.pk}"
    response = call(client, "POST", f"{path}/final-report", {"deliverables": ""}, if_match(client, path, headers))
    assert response.status_code == 422
    assert set(codes(response)) == {"required", "missing_document"}
    add_document(application, "final_report")
    response = call(client, "POST", f"{path}/final-report", {
        "deliverables": "Trois ateliers.",
        "actual_budget_lines": [{"label": "Salle", "kind": "expense", "amount": "100"}]},
        if_match(client, path, headers))
    assert response.status_code == 200 and response.json()["state"] == "reporting"


@pytest.mark.parametrize("query", ["/applications?organisation_id=99999999999999999999",
                                   "/applications?call_id=99999999999999999999",
                                   "/tranches?application_id=99999999999999999999"])
def test_an_id_beyond_the_database_range_is_a_clear_422(client: Client, officer: User, query: str) -> None:
    response = call(client, "GET", query, headers=auth(officer))
    assert response.status_code == 422
    assert response.json()["errors"][0]["code"]
