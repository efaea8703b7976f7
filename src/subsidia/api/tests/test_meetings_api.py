from collections.abc import Callable
from datetime import datetime, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from subsidia.accounts.models import User
from subsidia.conventions.tests.factories import DepartmentFactory
from subsidia.dialogue import calendar, services, services_actions, services_agenda, services_meetings
from subsidia.dialogue.inputs import ActionInput, AttendanceRow, MinutesInput, SeriesInput
from subsidia.dialogue.models import ActionItem, AgendaItem, Meeting, MeetingSeries, MeetingStatus
from subsidia.dialogue.tests.factories import MeetingSeriesFactory
from subsidia.organisations.models import Organisation

from .helpers import auth, call, codes, fields, if_match

pytestmark = pytest.mark.django_db



@pytest.fixture
def people(make_user: Callable[..., User], org_a: Organisation, org_b: Organisation) -> dict[str, User]:
    return {
        "officer": make_user("officer"), "auditor": make_user("auditor"), "reviewer": make_user("reviewer"),
        "moderator": make_user("moderator"),
        "admin_a": make_user("partner_admin", organisation=org_a, full_name="Anne Gestionnaire"),
        "member_a": make_user("partner_member", organisation=org_a),
        "admin_b": make_user("partner_admin", organisation=org_b),
    }


@pytest.fixture
def h(people: dict[str, User]) -> dict[str, dict[str, str]]:
    return {key: auth(user) for key, user in people.items()}


@pytest.fixture
def series(org_a: Organisation, people: dict[str, User]) -> MeetingSeries:
    """A quarterly series of organisation A, its first meeting in ten days (four meetings generated)."""
    return services.create_series(people["officer"], SeriesInput(
        title="Dialogue des gestionnaires", department=DepartmentFactory.create(name="Département test").pk,
        organisations=[org_a.pk], cadence="quarterly", ministry_participants=[people["officer"].pk],
        first_starts_at=(timezone.now() + timedelta(days=10)).replace(microsecond=0), place="Salle 1",
        online_url="https://visio.example.lu/dialogue"
    ))


@pytest.fixture
def past(series: MeetingSeries, people: dict[str, User], org_a: Organisation) -> Meeting:
    """A meeting held a month ago: minutes written (not yet published), one decision, one action item."""
    start = (timezone.now() - timedelta(days=30)).replace(microsecond=0)
    meeting = Meeting.objects.create(series=series, starts_at=start, ends_at=start + timedelta(hours=2),
                                     place="Salle 3")
    services_meetings.record_minutes(people["officer"], meeting, MinutesInput("Tour de table.",
                                                                              decisions=["Bilan en juin"],
                            attendance=[AttendanceRow(person_name="Anne", organisation=org_a.pk, status="present")]))
    services_actions.add_action_item(people["officer"], meeting, ActionInput(title="Envoyer les chiffres 2024",
                                                          owner_organisation=org_a.pk))
    meeting.refresh_from_db()
    return meeting


def _upcoming(series: MeetingSeries) -> list[Meeting]:
    return list(series.meetings.filter(starts_at__gt=timezone.now()).order_by("starts_at"))


# --- reads -------------------------------------------------------------------------------------------

def test_a_meeting_as_partners_and_staff_see_it(client: Client, series: MeetingSeries, past: Meeting,
                                                people: dict[str, User], h: dict[str, dict[str, str]],
                                                org_a: Organisation) -> None:
    next_meeting = _upcoming(series)[0]
    body = call(client, "GET", f"/meetings/{next_meeting.pk}", headers=h["admin_a"]).json()
    assert body["series"] == {"id": series.pk, "title": "Dialogue des gestionnaires"}
    assert body["uid"] == calendar.uid_of(next_meeting)
    starts = datetime.fromisoformat(body["starts_at"])
    assert starts == next_meeting.starts_at
    assert starts.utcoffset() == timezone.localtime(next_meeting.starts_at).utcoffset() != timedelta(0)
    assert body["ends_at"] == timezone.localtime(next_meeting.ends_at).isoformat()
    assert (body["place"], body["online_url"], body["status"]) == (
        "Salle 1", "https://visio.example.lu/dialogue", "planned")
    assert body["ics_url"].endswith(reverse("dialogue:meeting_ics", kwargs={"pk": next_meeting.pk}))
    assert body["url"].endswith(reverse("dialogue:meeting", kwargs={"pk": next_meeting.pk}))
    # The action decided last time is carried over to the next meeting.
    [carried] = body["follow_up"]
    assert (carried["title"], carried["status"], carried["owner_organisation"], carried["raised_at_meeting_id"]) == (
        "Envoyer les chiffres 2024", "open", {"id": org_a.pk, "name": "Association A"}, past.pk)

    # Minutes, decisions and attendance: staff at once, partners once published.
    held = call(client, "GET", f"/meetings/{past.pk}", headers=h["admin_a"]).json()
    assert held["status"] == "held" and held["minutes_published"] is False
    assert (held["minutes"], held["decisions"], held["attendance"]) == (None, None, None)
    assert [a["title"] for a in held["raised_actions"]] == ["Envoyer les chiffres 2024"]
    staff = call(client, "GET", f"/meetings/{past.pk}", headers=h["auditor"]).json()
    assert (staff["minutes"], staff["decisions"]) == ("Tour de table.", ["Bilan en juin"])
    assert staff["attendance"] == [{"person_name": "Anne", "organisation": {"id": org_a.pk, "name": "Association A"},
                                    "status": "present"}]
    services_meetings.publish_minutes(people["officer"], past)
    held = call(client, "GET", f"/meetings/{past.pk}", headers=h["member_a"]).json()
    assert (held["minutes"], held["decisions"], held["minutes_published"]) == (
        "Tour de table.", ["Bilan en juin"], True)


def test_other_organisations_and_staff_outside_the_series_see_nothing(client: Client, series: MeetingSeries,
                                                                      past: Meeting,
                                                                      h: dict[str, dict[str, str]]) -> None:
    meeting = _upcoming(series)[0]
    for who in ("admin_b", "reviewer", "moderator"):
        assert call(client, "GET", "/meetings", headers=h[who]).json() == {"items": [], "count": 0}
        assert call(client, "GET", "/meeting-series", headers=h[who]).json() == {"items": [], "count": 0}
        for path in (f"/meetings/{meeting.pk}", f"/meetings/{past.pk}", f"/meeting-series/{series.pk}"):
            response = call(client, "GET", path, headers=h[who])
            assert response.status_code == 404 and codes(response) == ["not_found"], (who, path)
    assert call(client, "GET", "/meetings").status_code == 401


def test_the_list_puts_upcoming_meetings_first_and_filters(client: Client, series: MeetingSeries, past: Meeting,
                                                           h: dict[str, dict[str, str]]) -> None:
    start = past.starts_at - timedelta(days=90)
    older = Meeting.objects.create(series=series, starts_at=start, ends_at=start + timedelta(hours=2),
                                   status=MeetingStatus.CANCELLED)
    upcoming = _upcoming(series)
    other = MeetingSeriesFactory.create(organisations=[series.organisations.get()])
    Meeting.objects.create(series=other, starts_at=timezone.now() + timedelta(days=400),
                           ends_at=timezone.now() + timedelta(days=400, hours=1))

    def ids(query: str = "") -> list[int]:
        response = call(client, "GET", f"/meetings{query}", headers=h["admin_a"])
        assert response.status_code == 200, response.content
        return [m["id"] for m in response.json()["items"]]

    assert ids(f"?series_id={series.pk}") == [m.pk for m in upcoming] + [past.pk, older.pk]
    assert len(ids()) == len(upcoming) + 3
    assert ids(f"?series_id={series.pk}&status=held") == [past.pk]
    assert ids("?status=cancelled") == [older.pk]
    first_day = timezone.localtime(upcoming[1].starts_at).date()
    last_day = timezone.localtime(upcoming[2].starts_at).date()
    assert ids(f"?from={first_day}&to={last_day}") == [upcoming[1].pk, upcoming[2].pk]
    assert len(ids("?from=0001-01-01&to=9999-12-31")) == len(upcoming) + 3
    summary = call(client, "GET", "/meetings?status=held", headers=h["admin_a"]).json()["items"][0]
    assert set(summary) == {"id", "series", "starts_at", "ends_at", "place", "online_url", "status",
                            "minutes_published"}
    assert datetime.fromisoformat(summary["starts_at"]).utcoffset() != timedelta(0)
    response = call(client, "GET", "/meetings?from=2026-02-30&to=demain&status=done&series_id=x",
                    headers=h["admin_a"])
    assert response.status_code == 422
    assert fields(response) == {"from", "to", "status", "series_id"}
    response = call(client, "GET", "/meetings?series_id=99999999999999999999", headers=h["admin_a"])
    assert response.status_code == 422 and fields(response) == {"series_id"}


def test_series_with_their_organisations_and_next_meetings(client: Client, series: MeetingSeries, past: Meeting,
                                                           h: dict[str, dict[str, str]], org_a: Organisation) -> None:
    listing = call(client, "GET", "/meeting-series", headers=h["member_a"]).json()
    assert [s["id"] for s in listing["items"]] == [series.pk]
    body = call(client, "GET", f"/meeting-series/{series.pk}", headers=h["member_a"]).json()
    assert (body["title"], body["cadence"], body["duration_minutes"], body["is_active"]) == (
        "Dialogue des gestionnaires", "quarterly", 120, True)
    assert body["department"]["name"] == "Département test"
    assert body["organisations"] == [{"id": org_a.pk, "name": "Association A"}]
    assert [m["id"] for m in body["next_meetings"]] == [m.pk for m in _upcoming(series)][:5]
    assert past.pk not in [m["id"] for m in body["next_meetings"]]
    assert call(client, "GET", "/meeting-series?active=false", headers=h["member_a"]).json()["count"] == 0


# --- writes ------------------------------------------------------------------------------------------

def test_agenda_proposals(client: Client, series: MeetingSeries, past: Meeting, people: dict[str, User],
                          h: dict[str, dict[str, str]], org_a: Organisation, org_b: Organisation) -> None:
    meeting = _upcoming(series)[0]
    path = f"/meetings/{meeting.pk}/agenda-items"
    response = call(client, "POST", path, {"title": "Postes d'interprètes", "description": "Pour 2026",
                                           "organisation_id": org_a.pk}, h["admin_a"])
    assert response.status_code == 201, response.content
    item = response.json()
    assert (item["title"], item["status"], item["organisation"], item["proposed_by"]["name"]) == (
        "Postes d'interprètes", "proposed", {"id": org_a.pk, "name": "Association A"}, "Anne Gestionnaire")
    response = call(client, "POST", path, {"title": "Autre point"}, h["member_a"])
    assert response.status_code == 403 and codes(response) == ["forbidden"]
    response = call(client, "POST", path, {"title": "Point B"}, h["admin_b"])
    assert response.status_code == 404 and codes(response) == ["not_found"]
    assert call(client, "POST", path, {"title": "Point"}, h["reviewer"]).status_code == 403
    response = call(client, "POST", f"/meetings/{past.pk}/agenda-items", {"title": "Trop tard"}, h["admin_a"])
    assert response.status_code == 409 and codes(response) == ["meeting_past"]
    response = call(client, "POST", path, {"title": "", "organisation_id": org_b.pk}, h["admin_a"])
    assert response.status_code == 422 and fields(response) == {"title", "organisation"}
    response = call(client, "POST", path, {"title": 12, "organisation_id": "A"}, h["admin_a"])
    assert response.status_code == 422 and fields(response) == {"title", "organisation_id"}
    response = call(client, "POST", path, {"title": "Bilan de l'année"}, h["officer"])
    assert response.status_code == 201 and response.json()["status"] == "accepted"

    # Another organisation of the series sees the accepted items, not A's proposal.
    series.organisations.add(org_b)
    agenda = call(client, "GET", f"/meetings/{meeting.pk}", headers=h["admin_b"]).json()["agenda"]
    assert [i["title"] for i in agenda] == ["Bilan de l'année"]
    services_agenda.decide_agenda_item(people["officer"], AgendaItem.objects.get(title="Postes d'interprètes"),
                                accept=True)
    agenda = call(client, "GET", f"/meetings/{meeting.pk}", headers=h["admin_b"]).json()["agenda"]
    assert [(i["title"], i["proposed_by"]) for i in agenda] == [("Postes d'interprètes", None),
                                                                ("Bilan de l'année", None)]
    agenda = call(client, "GET", f"/meetings/{meeting.pk}", headers=h["member_a"]).json()["agenda"]
    assert [(i["title"], i["status"]) for i in agenda] == [("Postes d'interprètes", "accepted"),
                                                           ("Bilan de l'année", "accepted")]
    assert agenda[0]["proposed_by"]["name"] == "Anne Gestionnaire"
    assert AgendaItem.objects.filter(meeting=meeting).count() == 2


def test_the_owner_updates_an_action_item_status_and_officers_the_rest(client: Client, series: MeetingSeries,
                                                                       past: Meeting, people: dict[str, User],
                                                                       h: dict[str, dict[str, str]],
                                                                       org_b: Organisation) -> None:
    item = ActionItem.objects.get(raised_at=past)
    path = f"/action-items/{item.pk}"
    response = call(client, "PATCH", path, {"status": "in_progress", "version": 1}, h["admin_a"])
    assert response.status_code == 200, response.content
    assert (response.json()["status"], response.json()["version"]) == ("in_progress", 2)
    response = call(client, "PATCH", path, {"status": "done", "version": 1}, h["admin_a"])
    assert response.status_code == 409 and codes(response) == ["stale_version"]
    response = call(client, "PATCH", path, {"title": "Autre chose"}, if_match(client, path, h["admin_a"]))
    assert response.status_code == 403
    assert call(client, "PATCH", path, {"status": "done"}, if_match(client, path, h["member_a"])).status_code == 403
    assert call(client, "PATCH", path, {"status": "done"}, h["admin_b"]).status_code == 404
    response = call(client, "PATCH", path, {"status": "fini", "due_on": "2026-02-30"}, h["officer"])
    assert response.status_code == 422 and fields(response) == {"status", "due_on"}
    response = call(client, "PATCH", path, {"owner_organisation_id": org_b.pk, "owner_id": 424242},
                    if_match(client, path, h["officer"]))
    assert response.status_code == 422 and fields(response) == {"owner_organisation", "owner"}
    response = call(client, "PATCH", path, {"status": "done", "due_on": "2026-01-15", "title": "Chiffres envoyés"},
                    if_match(client, path, h["officer"]))
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["status"], body["due_on"], body["title"]) == ("done", "2026-01-15", "Chiffres envoyés")
    assert body["closed_at"] is not None
    item.refresh_from_db()
    assert item.status == "done" and item.version == 3


def test_openapi_lists_the_meetings_operations(client: Client) -> None:
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    expected = {"/api/v1/meetings": {"get"}, "/api/v1/meetings/{meeting_id}": {"get"},
                "/api/v1/meetings/{meeting_id}/agenda-items": {"post"}, "/api/v1/meeting-series": {"get"},
                "/api/v1/meeting-series/{series_id}": {"get"},
                "/api/v1/action-items/{action_item_id}": {"get", "patch"}}
    for path, methods in expected.items():
        assert path in paths, path
        assert methods <= set(paths[path]), path
    names = {p["name"] for p in paths["/api/v1/meetings"]["get"]["parameters"]}
    assert {"series_id", "from", "to", "status", "page"} <= names
