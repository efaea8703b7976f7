"""The shared iCalendar builder, read back by an independent parser (vobject) as a calendar application would."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import vobject
from django.test import override_settings

from subsidia.core import ical

LUX = ZoneInfo("Europe/Luxembourg")


def _entry(uid: str, starts_at: datetime) -> ical.Entry:
    return ical.Entry(uid=uid, starts_at=starts_at, ends_at=starts_at + timedelta(hours=2), summary="Réunion",
                      description="Ordre du jour", sequence=0, last_modified=starts_at - timedelta(days=10),
                      organiser_name="Ministère", location="Luxembourg", url="https://visio.example.lu/r")


@override_settings(SITE_URL="https://subsidia.example.lu", DEFAULT_FROM_EMAIL="Subsidia <noreply@example.lu>")
def test_uid_is_made_unique_to_the_site() -> None:
    assert ical.uid("1b2c") == "1b2c@subsidia.example.lu"


@override_settings(DEFAULT_FROM_EMAIL="Subsidia <noreply@example.lu>")
def test_a_feed_reads_back_in_summer_and_winter_time_with_one_stamp() -> None:
    winter, summer = datetime(2027, 1, 12, 14, 0, tzinfo=LUX), datetime(2027, 7, 13, 14, 0, tzinfo=LUX)
    content = ical.calendar("Réunions", [_entry("a@x", winter), replace(_entry("b@x", summer), location="", url="")],
                            prodid="-//Subsidia//Test//FR", time_zone="Europe/Luxembourg")
    parsed = vobject.readOne(content.decode())
    assert parsed.prodid.value == "-//Subsidia//Test//FR" and parsed.version.value == "2.0"
    assert parsed.x_wr_calname.value == "Réunions" and parsed.x_wr_timezone.value == "Europe/Luxembourg"
    assert not hasattr(parsed, "method")
    assert "RRULE" in content.decode()  # the zone as yearly rules, not RDATE lists
    first, second = sorted(parsed.vevent_list, key=lambda e: e.dtstart.value)
    assert first.dtstart.value == winter and first.dtstart.value.utcoffset() == timedelta(hours=1)
    assert second.dtstart.value == summer and second.dtstart.value.utcoffset() == timedelta(hours=2)
    assert first.dtstamp.value == second.dtstamp.value
    assert first.location.value == "Luxembourg" and first.url.value == "https://visio.example.lu/r"
    assert not hasattr(second, "location") and not hasattr(second, "url")
    assert first.status.value == "CONFIRMED" and first.sequence.value == "0"
    assert first.organizer.value == "mailto:noreply@example.lu" and first.organizer.params["CN"] == ["Ministère"]


@pytest.mark.parametrize("method", ["REQUEST", "CANCEL"])
def test_an_invitation_carries_its_method_attendees_and_cancellation(method: str) -> None:
    start = datetime(2027, 3, 30, 9, 0, tzinfo=LUX)
    attendees = [ical.Attendee("a@example.lu", "Anne"), ical.Attendee("b@example.lu", partstat="ACCEPTED")]
    content = ical.calendar("Réunion", [replace(_entry("a@x", start), sequence=3, cancelled=method == "CANCEL",
                                                       attendees=attendees)],
                            prodid="-//Subsidia//Test//FR", time_zone="Europe/Luxembourg", method=method)
    parsed = vobject.readOne(content.decode())
    assert parsed.method.value == method
    event = parsed.vevent
    assert event.uid.value == "a@x" and event.sequence.value == "3"
    assert event.status.value == ("CANCELLED" if method == "CANCEL" else "CONFIRMED")
    anne, other = sorted(event.attendee_list, key=lambda a: a.value)
    assert anne.value == "mailto:a@example.lu" and anne.params["CN"] == ["Anne"]
    assert anne.params["PARTSTAT"] == ["NEEDS-ACTION"] and anne.params["ROLE"] == ["REQ-PARTICIPANT"]
    assert "CN" not in other.params and other.params["PARTSTAT"] == ["ACCEPTED"]
