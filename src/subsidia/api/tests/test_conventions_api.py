from collections.abc import Callable
from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from subsidia.accounts.models import User
from subsidia.conventions import money
from subsidia.conventions.inputs import AmendmentInput, AmendmentLineInput, SignInput
from subsidia.conventions.models import Convention, ReportKind, ScheduledPayment, YearlyReport
from subsidia.conventions.services.acts import amend_convention, sign_convention
from subsidia.conventions.tests.factories import (
    ActivityDomainFactory,
    ConventionDomainFactory,
    ConventionFactory,
    IndicatorFactory,
)
from subsidia.grants.models import State
from subsidia.grants.tests.factories import PDF, ApplicationFactory, CallFactory
from subsidia.organisations.models import Organisation

from .helpers import auth, call, codes, fields, if_match

pytestmark = pytest.mark.django_db



@pytest.fixture
def people(make_user: Callable[..., User], org_a: Organisation, org_b: Organisation) -> dict[str, User]:
    return {
        "officer": make_user("officer"), "approver": make_user("approver"), "finance": make_user("finance"),
        "reviewer": make_user("reviewer"), "moderator": make_user("moderator"), "auditor": make_user("auditor"),
        "admin_a": make_user("partner_admin", organisation=org_a),
        "member_a": make_user("partner_member", organisation=org_a),
        "admin_b": make_user("partner_admin", organisation=org_b),
    }


@pytest.fixture
def h(people: dict[str, User]) -> dict[str, dict[str, str]]:
    """Authorization headers by person."""
    return {key: auth(user) for key, user in people.items()}


@pytest.fixture
def signed(org_a: Organisation, people: dict[str, User], on_day: Callable[[date], None]) -> Convention:
    """A convention of organisation A over 2024-2026, one domain at 120 000 € a year with one indicator,
    signed on 15 December 2023."""
    convention = ConventionFactory.create(organisation=org_a, title="Guichet d'accueil")
    guichet = ActivityDomainFactory.create(code="guichet", name="Guichet Info-Migrants")
    domain = ConventionDomainFactory.create(convention=convention, yearly_amount=Decimal("120000.00"), activity=guichet)
    IndicatorFactory.create(domain=domain, name="Personnes accompagnées", yearly_target=Decimal("300"))
    on_day(date(2023, 12, 20))
    return sign_convention(people["approver"], convention,
                           SignInput(signed_on=date(2023, 12, 15), signed_by_partner_on=date(2023, 12, 10)))


def _report(convention: Convention, kind: str, year: int = 2024) -> YearlyReport:
    return convention.reports.get(year=year, kind=kind)


def _report_path(convention: Convention, kind: str, year: int = 2024) -> str:
    return f"/conventions/{convention.pk}/reports/{_report(convention, kind, year).pk}"


# --- reads -------------------------------------------------------------------------------------------

def test_staff_read_a_convention_with_its_domains_money_and_reports(client: Client, signed: Convention,
                                                                    h: dict[str, dict[str, str]],
                                                                    on_day: Callable[[date], None]) -> None:
    on_day(date(2025, 2, 1))
    listing = call(client, "GET", "/conventions", headers=h["finance"]).json()
    assert listing["count"] == 1
    item = listing["items"][0]
    assert (item["reference"], item["status"], item["organisation"]["name"]) == (
        signed.reference, "active", "Association A")
    body = call(client, "GET", f"/conventions/{signed.pk}", headers=h["officer"]).json()
    assert (body["title"], body["status"], body["starts_on"], body["ends_on"]) == (
        "Guichet d'accueil", "active", "2024-01-01", "2026-12-31")
    assert (body["signed_on"], body["signed_by_partner_on"], body["terminated_on"]) == (
        "2023-12-15", "2023-12-10", None)
    assert body["department"]["id"] == signed.department_id
    [domain] = body["domains"]
    assert domain["activity"] == {"id": domain["activity"]["id"], "code": "guichet", "name": "Guichet Info-Migrants"}
    assert (domain["yearly_amount"], domain["fte"]) == ("120000.00", "2.00")
    assert [(i["name"], i["yearly_target"]) for i in domain["indicators"]] == [("Personnes accompagnées", "300.00")]
    assert [y["year"] for y in body["years"]] == [2024, 2025, 2026]
    year = body["years"][0]
    # 90 % in four quarterly advances of 27 000 €, all due by now and none paid; the balance follows the reports.
    assert (year["granted"], year["scheduled"], year["due"], year["paid"]) == (
        "120000.00", "120000.00", "108000.00", "0.00")
    assert (year["overdue"], year["to_pay"], year["surplus"], year["spent"]) == (
        "108000.00", "120000.00", "0.00", None)
    assert [(p["kind"], p["amount"], p["due_on"]) for p in year["payments"]] == [
        ("advance", "27000.00", "2024-01-01"), ("advance", "27000.00", "2024-04-01"),
        ("advance", "27000.00", "2024-07-01"), ("advance", "27000.00", "2024-10-01"),
        ("balance", "12000.00", "2025-05-30")]
    assert [(r["year"], r["kind"], r["status"], r["due_on"]) for r in body["reports"][:2]] == [
        (2024, "activity", "expected", "2025-03-31"), (2024, "financial", "expected", "2025-03-31")]
    assert len(body["reports"]) == 6 and body["amendments"] == [] and body["overlaps"] == []


def test_domains_show_the_amounts_in_force_today_and_the_amendments(client: Client, signed: Convention,
                                                                    people: dict[str, User],
                                                                    h: dict[str, dict[str, str]],
                                                                    on_day: Callable[[date], None]) -> None:
    on_day(date(2025, 6, 1))
    domain = signed.domains.get()
    amend_convention(people["approver"], signed,
                     AmendmentInput(signed_on=date(2025, 5, 20), effective_from=date(2025, 7, 1), summary="Hausse",
                                    lines=(AmendmentLineInput(domain=domain.pk, yearly_amount=Decimal("150000"),
                                                              fte=Decimal("3")),)))
    before = call(client, "GET", f"/conventions/{signed.pk}", headers=h["admin_a"]).json()
    assert (before["domains"][0]["yearly_amount"], before["domains"][0]["fte"]) == ("120000.00", "2.00")
    [amendment] = before["amendments"]
    assert (amendment["number"], amendment["effective_from"], amendment["summary"]) == (1, "2025-07-01", "Hausse")
    assert [(line["domain_id"], line["yearly_amount"], line["fte"]) for line in amendment["lines"]] == [
        (domain.pk, "150000.00", "3.00")]
    on_day(date(2025, 8, 1))
    after = call(client, "GET", f"/conventions/{signed.pk}", headers=h["admin_a"]).json()
    assert (after["domains"][0]["yearly_amount"], after["domains"][0]["fte"]) == ("150000.00", "3.00")
    assert after["years"][1]["granted"] == str(money.granted(signed, 2025))


def test_a_live_subsidy_in_a_conventioned_domain_is_flagged_for_staff_only(client: Client, signed: Convention,
                                                                           org_a: Organisation,
                                                                           h: dict[str, dict[str, str]],
                                                                           on_day: Callable[[date], None]) -> None:
    on_day(date(2025, 2, 1))
    ApplicationFactory.create(organisation=org_a, state=State.SUBMITTED, activity_domain=signed.domains.get().activity,
                              start_date=date(2025, 3, 1), end_date=date(2025, 9, 30), title="Permanences du samedi")
    [overlap] = call(client, "GET", f"/conventions/{signed.pk}", headers=h["officer"]).json()["overlaps"]
    assert (overlap["application_title"], overlap["activity"]["code"], overlap["start"], overlap["end"]) == (
        "Permanences du samedi", "guichet", "2025-03-01", "2025-09-30")
    assert call(client, "GET", f"/conventions/{signed.pk}", headers=h["admin_a"]).json()["overlaps"] is None


def test_partners_see_their_own_signed_conventions_and_nobody_else_does(client: Client, signed: Convention,
                                                                        org_a: Organisation,
                                                                        h: dict[str, dict[str, str]],
                                                                        on_day: Callable[[date], None]) -> None:
    on_day(date(2025, 2, 1))
    draft = ConventionFactory.create(organisation=org_a)
    statement = _report_path(signed, ReportKind.FINANCIAL)
    for who in ("admin_a", "member_a"):
        assert [c["id"] for c in call(client, "GET", "/conventions", headers=h[who]).json()["items"]] == [signed.pk]
        assert call(client, "GET", f"/conventions/{signed.pk}", headers=h[who]).status_code == 200
        assert call(client, "GET", statement, headers=h[who]).status_code == 200
        assert call(client, "GET", f"/conventions/{draft.pk}", headers=h[who]).status_code == 404
    staff_ids = {c["id"] for c in call(client, "GET", "/conventions", headers=h["auditor"]).json()["items"]}
    assert staff_ids == {signed.pk, draft.pk}
    for who in ("admin_b", "reviewer", "moderator"):
        assert call(client, "GET", "/conventions", headers=h[who]).json() == {"items": [], "count": 0}
        for path in (f"/conventions/{signed.pk}", statement):
            response = call(client, "GET", path, headers=h[who])
            assert response.status_code == 404 and codes(response) == ["not_found"], (who, path)
    # The report must belong to the convention in the path.
    other = ConventionFactory.create(organisation=org_a, signed_on=date(2023, 1, 1))
    assert call(client, "GET", statement.replace(str(signed.pk), str(other.pk), 1),
                headers=h["officer"]).status_code == 404
    assert call(client, "GET", "/conventions").status_code == 401


def test_the_list_filters_by_derived_status_organisation_and_day(client: Client, signed: Convention,
                                                                 org_a: Organisation, org_b: Organisation,
                                                                 h: dict[str, dict[str, str]],
                                                                 on_day: Callable[[date], None]) -> None:
    on_day(date(2025, 2, 1))
    draft = ConventionFactory.create(organisation=org_a)
    ended = ConventionFactory.create(organisation=org_b, signed_on=date(2019, 12, 1), starts_on=date(2020, 1, 1),
                                     ends_on=date(2021, 12, 31))
    coming = ConventionFactory.create(organisation=org_b, signed_on=date(2024, 11, 1), starts_on=date(2026, 1, 1),
                                      ends_on=date(2027, 12, 31))
    terminated = ConventionFactory.create(organisation=org_b, signed_on=date(2023, 12, 1), starts_on=date(2024, 1, 1),
                                          ends_on=date(2026, 12, 31), terminated_on=date(2024, 7, 1),
                                          termination_reason="Dissolution")

    def ids(query: str) -> list[int]:
        response = call(client, "GET", f"/conventions{query}", headers=h["officer"])
        assert response.status_code == 200, response.content
        return [c["id"] for c in response.json()["items"]]

    assert ids("?status=draft") == [draft.pk]
    assert ids("?status=active") == [signed.pk]
    assert ids("?status=ended") == [ended.pk]
    assert ids("?status=signed") == [coming.pk]
    assert ids("?status=terminated") == [terminated.pk]
    assert set(ids(f"?organisation_id={org_b.pk}")) == {ended.pk, coming.pk, terminated.pk}
    assert ids("?active_on=2020-06-30") == [ended.pk]
    assert set(ids("?active_on=2024-03-01")) == {signed.pk, terminated.pk}
    assert ids(f"?active_on=2024-08-01&organisation_id={org_b.pk}") == []
    detail = call(client, "GET", f"/conventions/{terminated.pk}", headers=h["officer"]).json()
    assert (detail["status"], detail["terminated_on"], detail["termination_reason"], detail["last_day"]) == (
        "terminated", "2024-07-01", "Dissolution", "2024-06-30")
    response = call(client, "GET", "/conventions?status=open&active_on=2024-02-30&organisation_id=x",
                    headers=h["officer"])
    assert response.status_code == 422
    assert fields(response) == {"status", "active_on", "organisation_id"}
    # Numbers and days beyond what the database holds are refused or harmless, never a 500.
    response = call(client, "GET", "/conventions?organisation_id=99999999999999999999", headers=h["officer"])
    assert response.status_code == 422 and fields(response) == {"organisation_id"}
    assert ids("?active_on=0001-01-01") == [] and ids("?active_on=9999-12-31") == []


def test_activity_report_detail_shows_values_against_targets(client: Client, signed: Convention,
                                                             h: dict[str, dict[str, str]],
                                                             on_day: Callable[[date], None]) -> None:
    on_day(date(2025, 2, 1))
    path = _report_path(signed, ReportKind.ACTIVITY)
    indicator = signed.domains.get().indicators.get()
    body = call(client, "GET", path, headers=h["member_a"]).json()
    assert (body["year"], body["kind"], body["status"], body["convention_reference"]) == (
        2024, "activity", "expected", signed.reference)
    assert body["spending"] is None and body["reconciliation"] is None
    assert [(i["indicator_id"], i["yearly_target"], i["value"]) for i in body["indicators"]] == [
        (indicator.pk, "300.00", None)]
    assert {m["code"] for m in body["missing"]} == {"required", "missing_indicator"}
    assert [a["name"] for a in body["available_actions"]] == ["save"]
    assert [(a["name"], a["method"]) for a in call(client, "GET", path, headers=h["admin_a"]).json()[
        "available_actions"]] == [("save", "PUT"), ("submit", "POST")]
    assert call(client, "GET", path, headers=h["officer"]).json()["available_actions"] == []


# --- writes ------------------------------------------------------------------------------------------

def test_the_yearly_reports_and_payments_through_the_api(client: Client, signed: Convention,
                                                         h: dict[str, dict[str, str]],
                                                         on_day: Callable[[date], None]) -> None:
    on_day(date(2025, 2, 1))
    activity = _report_path(signed, ReportKind.ACTIVITY)
    indicator = signed.domains.get().indicators.get()

    # A member fills in the activity report; only a gestionnaire files it.
    response = call(client, "PUT", activity, {
        "narrative": "Une année chargée.", "values": {indicator.pk: {"value": "310", "comment": "Objectif dépassé"}},
        "version": 1}, h["member_a"])
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["narrative"], body["version"], body["missing"]) == ("Une année chargée.", 2, [])
    assert [(i["value"], i["comment"]) for i in body["indicators"]] == [("310.00", "Objectif dépassé")]
    response = call(client, "POST", activity + "/submit", {"version": 2}, h["member_a"])
    assert response.status_code == 403 and codes(response) == ["forbidden"]
    response = call(client, "POST", activity + "/submit", {"version": 1}, h["admin_a"])
    assert response.status_code == 409 and codes(response) == ["stale_version"]
    response = call(client, "POST", activity + "/submit", {"version": 2}, h["admin_a"])
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "submitted" and response.json()["submitted_at"]
    response = call(client, "PUT", activity, {"narrative": "Trop tard"}, if_match(client, activity, h["admin_a"]))
    assert response.status_code == 409 and codes(response) == ["illegal_transition"]

    # The officer returns it with a comment (required), the partner completes it, the officer accepts.
    response = call(client, "POST", activity + "/return", {"comment": " "}, if_match(client, activity, h["officer"]))
    assert response.status_code == 422 and codes(response) == ["required"] and fields(response) == {"comment"}
    assert call(client, "POST", activity + "/accept", None, h["admin_a"]).status_code == 403
    response = call(client, "POST", activity + "/return", {"comment": "Précisez les communes.", "version": 3},
                    h["officer"])
    assert response.status_code == 200, response.content
    assert (response.json()["status"], response.json()["officer_comment"]) == ("returned", "Précisez les communes.")
    # Each write answers the report's new ETag, which the next one sends back.
    response = call(client, "PUT", activity, {"narrative": "Mersch, Diekirch."},
                    if_match(client, activity, h["admin_a"]))
    assert response.status_code == 200
    response = call(client, "POST", activity + "/submit", None, {**h["admin_a"], "If-Match": response["ETag"]})
    assert response.status_code == 200
    response = call(client, "POST", activity + "/accept", {"comment": "Merci."},
                    {**h["officer"], "If-Match": response["ETag"]})
    assert response.status_code == 200 and response.json()["status"] == "accepted"
    assert call(client, "POST", activity + "/accept", None,
                {**h["officer"], "If-Match": response["ETag"]}).status_code == 409

    # Finance pays the first advance of 2024; once only, never in the future, and only finance.
    payments = call(client, "GET", f"/conventions/{signed.pk}", headers=h["finance"]).json()["years"][0]["payments"]
    pay = f"/conventions/{signed.pk}/payments/{payments[0]['id']}/pay"
    assert call(client, "POST", pay, {"paid_on": "2025-01-10"}, h["officer"]).status_code == 403
    response = call(client, "POST", pay, {"paid_on": "2025-02-02"}, h["finance"])
    assert response.status_code == 422 and codes(response) == ["future_date"]
    response = call(client, "POST", pay, {"paid_on": "2025-01-10", "payment_reference": "VIR-1"}, h["finance"])
    assert response.status_code == 200, response.content
    assert (response.json()["paid_on"], response.json()["payment_reference"], response.json()["amount"]) == (
        "2025-01-10", "VIR-1", "27000.00")
    response = call(client, "POST", pay, {}, h["finance"])
    assert response.status_code == 409 and codes(response) == ["already_paid"]
    other = ConventionFactory.create(organisation=signed.organisation, signed_on=date(2023, 1, 1))
    assert call(client, "POST", f"/conventions/{other.pk}/payments/{payments[1]['id']}/pay", {},
                h["finance"]).status_code == 404

    # The financial statement needs the spending and the year's accounts; once accepted, the balance follows.
    statement = _report_path(signed, ReportKind.FINANCIAL)
    domain = signed.domains.get()
    response = call(client, "POST", statement + "/submit", None, if_match(client, statement, h["admin_a"]))
    assert response.status_code == 422 and set(codes(response)) == {"missing_spending", "missing_document"}
    upload = client.post(f"/api/v1{statement}/documents",
                         {"file": SimpleUploadedFile("comptes-2024.pdf", PDF, "application/pdf")}, headers=h["admin_a"])
    assert upload.status_code == 201, upload.content
    assert (upload.json()["original_name"], upload.json()["content_type"]) == ("comptes-2024.pdf", "application/pdf")
    response = call(client, "PUT", statement, {"spending": {domain.pk: "100000"}},
                    if_match(client, statement, h["admin_a"]))
    assert response.status_code == 200, response.content
    assert [(s["domain_id"], s["granted"], s["spent"]) for s in response.json()["spending"]] == [
        (domain.pk, "120000.00", "100000.00")]
    response = call(client, "POST", statement + "/submit", None, if_match(client, statement, h["admin_a"]))
    assert response.status_code == 200
    response = call(client, "POST", statement + "/accept", None, if_match(client, statement, h["officer"]))
    assert response.status_code == 200, response.content
    assert response.json()["reconciliation"] == {"granted": "120000.00", "paid": "27000.00", "spent": "100000.00",
                                                 "eligible": "100000.00", "to_pay": "73000.00", "surplus": "0.00"}
    year = call(client, "GET", f"/conventions/{signed.pk}", headers=h["admin_a"]).json()["years"][0]
    assert year["scheduled"] == "100000.00" and year["statement_status"] == "accepted"


def test_another_organisation_cannot_touch_the_reports(client: Client, signed: Convention, h: dict[str, dict[str, str]],
                                                       on_day: Callable[[date], None]) -> None:
    on_day(date(2025, 2, 1))
    statement = _report_path(signed, ReportKind.FINANCIAL)
    for method, suffix, body in [("PUT", "", {"narrative": "x"}), ("POST", "/submit", None)]:
        response = call(client, method, statement + suffix, body, h["admin_b"])
        assert response.status_code == 404 and codes(response) == ["not_found"]
    response = client.post(f"/api/v1{statement}/documents", {"file": SimpleUploadedFile("c.pdf", PDF)},
                           headers=h["admin_b"])
    assert response.status_code == 404


def test_bad_report_input_is_a_422_listing_every_problem_and_nothing_is_written(client: Client, signed: Convention,
                                                                                h: dict[str, dict[str, str]],
                                                                                on_day: Callable[[date], None]) -> None:
    on_day(date(2025, 2, 1))
    activity = _report_path(signed, ReportKind.ACTIVITY)
    statement = _report_path(signed, ReportKind.FINANCIAL)
    indicator = signed.domains.get().indicators.get()
    domain = signed.domains.get()
    response = call(client, "PUT", activity, {"narrative": "x", "values": {
        indicator.pk: {"value": "-5"}, "99999": {"value": "1"}}, "version": 1}, h["admin_a"])
    assert response.status_code == 422, response.content
    assert sorted((e["code"], e["field"]) for e in response.json()["errors"]) == [
        ("invalid", f"values.{indicator.pk}"), ("invalid_choice", "values.99999")]
    response = call(client, "PUT", statement, {"spending": {domain.pk: "-1", "424242": "10", "0": "1.234"}},
                    if_match(client, statement, h["admin_a"]))
    assert response.status_code == 422
    assert fields(response) == {f"spending.{domain.pk}", "spending.424242", "spending.0"}
    response = call(client, "PUT", activity, {"values": {indicator.pk: {"value": "beaucoup"}}, "version": "deux",
                                              "narrative": 3}, h["admin_a"])
    assert response.status_code == 422
    assert fields(response) == {f"values.{indicator.pk}.value", "version", "narrative"}
    response = call(client, "PUT", activity, {"values": {"abc": {"value": 1}}}, h["admin_a"])
    assert response.status_code == 422 and all(e["field"].startswith("values") for e in response.json()["errors"])
    response = call(client, "POST", f"/conventions/{signed.pk}/payments/1/pay",
                    {"paid_on": "2025-13-45", "payment_reference": "x" * 101}, h["finance"])
    assert response.status_code == 422 and fields(response) == {"paid_on", "payment_reference"}
    report = _report(signed, ReportKind.ACTIVITY)
    assert (report.version, report.narrative, report.indicator_values.count()) == (1, "", 0)
    assert not ScheduledPayment.objects.filter(paid_on__isnull=False).exists()


# --- activity domains and applications ---------------------------------------------------------------

def test_activity_domains_are_public_reference_data(client: Client, db: None) -> None:
    ActivityDomainFactory.create(code="traduction", name="Traduction orale directe")
    ActivityDomainFactory.create(code="guichet", name="Guichet Info-Migrants")
    body = call(client, "GET", "/activity-domains").json()
    assert [(d["code"], d["name"]) for d in body["items"]] == [
        ("guichet", "Guichet Info-Migrants"), ("traduction", "Traduction orale directe")]
    assert set(body["items"][0]) == {"id", "code", "name"}


def test_applications_carry_their_activity_domain(client: Client, org_a: Organisation,
                                                  h: dict[str, dict[str, str]]) -> None:
    domain = ActivityDomainFactory.create(code="guichet", name="Guichet Info-Migrants")
    application = ApplicationFactory.create(call=CallFactory.create(), organisation=org_a)
    path = f"/applications/{application.pk}"
    assert call(client, "GET", path, headers=h["admin_a"]).json()["activity_domain_id"] is None
    response = call(client, "PATCH", path, {"activity_domain_id": domain.pk}, if_match(client, path, h["admin_a"]))
    assert response.status_code == 200, response.content
    assert response.json()["activity_domain_id"] == domain.pk
    listed = call(client, "GET", "/applications", headers=h["admin_a"]).json()["items"]
    assert [a["activity_domain_id"] for a in listed] == [domain.pk]
    response = call(client, "PATCH", path, {"activity_domain_id": 99999, "priority_id": 99999},
                    if_match(client, path, h["admin_a"]))
    assert response.status_code == 422 and set(codes(response)) == {"invalid_choice"}
    assert len(response.json()["errors"]) == 2
    response = call(client, "PATCH", path, {"activity_domain_id": None}, if_match(client, path, h["admin_a"]))
    assert response.status_code == 200 and response.json()["activity_domain_id"] is None
    response = call(client, "POST", "/applications", {
        "call_id": application.call_id, "organisation_id": org_a.pk, "title": "Nouveau",
        "activity_domain_id": domain.pk}, h["admin_a"])
    assert response.status_code == 201 and response.json()["activity_domain_id"] == domain.pk


def test_openapi_lists_the_conventions_operations(client: Client) -> None:
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    report = "/api/v1/conventions/{convention_id}/reports/{report_id}"
    expected = {
        "/api/v1/conventions": {"get"}, "/api/v1/conventions/{convention_id}": {"get"}, report: {"get", "put"},
        report + "/documents": {"post"}, report + "/submit": {"post"}, report + "/accept": {"post"},
        report + "/return": {"post"}, "/api/v1/conventions/{convention_id}/payments/{payment_id}/pay": {"post"},
        "/api/v1/activity-domains": {"get"},
    }
    for path, methods in expected.items():
        assert path in paths, path
        assert methods <= set(paths[path]), path
    status = next(p for p in paths["/api/v1/conventions"]["get"]["parameters"] if p["name"] == "status")
    assert status["schema"]["anyOf"][0]["enum"] == ["draft", "signed", "active", "ended", "terminated"]
