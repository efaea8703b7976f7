"""The iCalendar feeds (per series, per person) and the .ics of one meeting, read back by an independent
parser (vobject), with stable UIDs, SEQUENCE that rises on changes, and the token standing for the person."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
import time_machine
import vobject
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from subsidia.accounts.models import User
from subsidia.conventions.tests.factories import DepartmentFactory
from subsidia.dialogue import services, services_calendar, services_meetings
from subsidia.dialogue.calendar import uid_of
from subsidia.dialogue.inputs import MeetingInput, SeriesInput
from subsidia.dialogue.models import MeetingSeries, MeetingStatus
from subsidia.organisations.models import Organisation


@pytest.fixture(autouse=True, params=["2026-12-04T09:00+01:00", "2027-02-20T09:00+01:00", "2027-08-10T09:00+02:00"],
                ids=["meetings-across-the-spring-change", "first-meeting-in-summer", "across-the-autumn-change"])
def clock(request: pytest.FixtureRequest) -> Iterator[None]:
    """The series starts 30 days from "now": from these days its quarterly meetings fall on both sides of a
    clock change, so the feed is read back in summer and in winter time whatever day the suite runs on."""
    with time_machine.travel(request.param, tick=False):
        yield


@pytest.fixture
def officer(make_user: Callable[..., User]) -> User:
    return make_user("officer")


@pytest.fixture
def series(org_a: Organisation, officer: User) -> MeetingSeries:
    return services.create_series(officer, SeriesInput(
        title="Réunion des gestionnaires conventionnés", department=DepartmentFactory.create().pk,
        organisations=[org_a.pk], cadence="quarterly",
        first_starts_at=(timezone.now() + timedelta(days=30)).replace(microsecond=0, second=0),
        place="Luxembourg, 12-14 avenue Émile Reuter", online_url="https://visio.example.lu/gestionnaires",
        description="Questions du secteur ; suivi des décisions."
    ))


def parse(content: bytes) -> list[Any]:
    calendar = vobject.readOne(content.decode("utf-8"))
    return sorted(calendar.vevent_list, key=lambda e: e.dtstart.value)


@pytest.mark.django_db
class TestFeeds:
    def test_a_series_feed_parses_with_every_meeting(self, series: MeetingSeries, org_a: Organisation,
                                                     make_user: Callable[..., User], client: Client) -> None:
        user = make_user("partner_admin", organisation=org_a)
        token = services_calendar.calendar_token(user).token
        response = client.get(reverse("dialogue:series_feed", kwargs={"token": token, "pk": series.pk}))
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/calendar")
        events = parse(response.content)
        meetings = list(series.meetings.order_by("starts_at"))
        assert [e.uid.value for e in events] == [uid_of(m) for m in meetings]
        first = events[0]
        assert first.summary.value == "Réunion des gestionnaires conventionnés"
        assert first.dtstart.value == meetings[0].starts_at  # aware datetimes compare across zones
        assert first.dtend.value - first.dtstart.value == timedelta(hours=2)
        assert first.location.value == "Luxembourg, 12-14 avenue Émile Reuter"
        assert "https://visio.example.lu/gestionnaires" in first.description.value
        # Local wall-clock time with its zone (and the VTIMEZONE that defines it), not a bare UTC time.
        assert "DTSTART;TZID=Europe/Luxembourg:" in response.content.decode()
        assert vobject.readOne(response.content.decode()).vtimezone.tzid.value == "Europe/Luxembourg"

    def test_uids_are_stable_and_the_sequence_rises_on_a_change(self, series: MeetingSeries, officer: User,
                                                                client: Client) -> None:
        token = services_calendar.calendar_token(officer).token
        url = reverse("dialogue:series_feed", kwargs={"token": token, "pk": series.pk})
        before = parse(client.get(url).content)
        meeting = series.meetings.get(occurrence=1)
        moved = meeting.starts_at + timedelta(days=1)
        services_meetings.update_meeting(officer, meeting, replace(MeetingInput.of(meeting), starts_at=moved,
                                                                   ends_at=moved + timedelta(hours=2)))
        services_meetings.update_meeting(officer, series.meetings.get(occurrence=2),
                                         replace(MeetingInput.of(series.meetings.get(occurrence=2)),
                                                 status=MeetingStatus.CANCELLED))
        after = parse(client.get(url).content)
        assert [e.uid.value for e in sorted(before, key=lambda e: e.uid.value)] == \
            [e.uid.value for e in sorted(after, key=lambda e: e.uid.value)]
        by_uid = {e.uid.value: e for e in after}
        changed = by_uid[uid_of(meeting)]
        assert (int(changed.sequence.value), changed.dtstart.value) == (1, moved)
        cancelled = by_uid[uid_of(series.meetings.get(occurrence=2))]
        assert cancelled.status.value == "CANCELLED"
        assert by_uid[uid_of(series.meetings.get(occurrence=0))].sequence.value == "0"

    def test_a_personal_feed_holds_the_meetings_of_every_series_the_person_sees(self, series: MeetingSeries,
                                                                                org_a: Organisation,
                                                                                org_b: Organisation,
                                                                                make_user: Callable[..., User],
                                                                                officer: User, client: Client) -> None:
        from subsidia.dialogue.tests.factories import MeetingSeriesFactory

        other = services.create_series(officer, SeriesInput(
            title="Autre dialogue", department=series.department.pk, organisations=[org_b.pk],
            cadence="half_yearly", first_starts_at=timezone.now() + timedelta(days=5)))
        MeetingSeriesFactory.create(organisations=[org_b])
        user = make_user("partner_admin", organisation=org_a)
        token = services_calendar.calendar_token(user).token
        events = parse(client.get(reverse("dialogue:user_feed", kwargs={"token": token})).content)
        assert {e.uid.value for e in events} == {uid_of(m) for m in series.meetings.all()}
        staff_token = services_calendar.calendar_token(officer).token
        staff_events = parse(client.get(reverse("dialogue:user_feed", kwargs={"token": staff_token})).content)
        assert {uid_of(m) for m in other.meetings.all()} <= {e.uid.value for e in staff_events}

    def test_a_bad_or_renewed_token_and_a_foreign_series_answer_404(self, series: MeetingSeries, org_b: Organisation,
                                                                    make_user: Callable[..., User],
                                                                    client: Client) -> None:
        outsider = make_user("partner_admin", organisation=org_b)
        token = services_calendar.calendar_token(outsider).token
        assert client.get(reverse("dialogue:series_feed", kwargs={"token": token, "pk": series.pk})).status_code \
            == 404
        assert client.get(reverse("dialogue:user_feed", kwargs={"token": "nope"})).status_code == 404
        renewed = services_calendar.renew_calendar_token(outsider).token
        assert renewed != token
        assert client.get(reverse("dialogue:user_feed", kwargs={"token": token})).status_code == 404
        assert client.get(reverse("dialogue:user_feed", kwargs={"token": renewed})).status_code == 200
        outsider.is_active = False
        outsider.save()
        assert client.get(reverse("dialogue:user_feed", kwargs={"token": renewed})).status_code == 404

    def test_one_meeting_as_an_ics_download(self, series: MeetingSeries, org_a: Organisation,
                                            make_user: Callable[..., User], login: Callable[..., Client]) -> None:
        meeting = series.meetings.get(occurrence=0)
        user = make_user("partner_member", organisation=org_a)
        response = login(user).get(reverse("dialogue:meeting_ics", kwargs={"pk": meeting.pk}))
        [event] = parse(response.content)
        assert event.uid.value == uid_of(meeting)

    def test_the_invitation_lists_the_attendees(self, series: MeetingSeries, officer: User) -> None:
        from subsidia.dialogue.calendar import invitation

        meeting = series.meetings.get(occurrence=0)
        parsed = vobject.readOne(invitation(meeting, [("a@example.lu", "Anne"), ("b@example.lu", "")]).decode())
        assert parsed.method.value == "REQUEST"
        assert sorted(a.value for a in parsed.vevent.attendee_list) == ["mailto:a@example.lu", "mailto:b@example.lu"]
        assert parsed.vevent.uid.value == uid_of(meeting)
