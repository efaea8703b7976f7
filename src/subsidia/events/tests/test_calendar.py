"""The iCalendar of events: parsed back with icalendar, in the event's time zone, with a stable UID."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar, Component

from subsidia.events import calendar
from subsidia.events.models import EventStatus

from .factories import EventFactory, RegistrationFactory

pytestmark = pytest.mark.django_db


def only_event(ics: bytes) -> tuple[Component, Component]:
    cal = Calendar.from_ical(ics)
    events = list(cal.walk("VEVENT"))
    assert len(events) == 1
    return cal, events[0]


def test_download_is_published_in_the_events_time_zone() -> None:
    luxembourg = ZoneInfo("Europe/Luxembourg")
    event = EventFactory.create(starts_at=datetime(2030, 2, 11, 9, 0, tzinfo=luxembourg),
                                ends_at=datetime(2030, 2, 11, 13, 0, tzinfo=luxembourg), place="Mersch",
                                online_url="https://visio.example.lu/conf")
    cal, vevent = only_event(calendar.event_ics(event))
    assert cal["method"] == "PUBLISH"
    assert "DTSTART;TZID=Europe/Luxembourg:20300211T090000" in calendar.event_ics(event).decode()
    assert vevent.decoded("dtend") == event.ends_at
    assert "Mersch" in str(vevent["location"]) and "visio.example.lu" in str(vevent["description"])
    assert str(vevent["status"]) == "CONFIRMED"


def test_uid_is_stable_and_cancellation_and_sequence_are_carried() -> None:
    event = EventFactory.create()
    registration = RegistrationFactory.create(event=event)
    _cal, first = only_event(calendar.invitation(event, registration))
    event.status = EventStatus.CANCELLED
    event.ical_sequence = 2
    event.save()
    _cal, second = only_event(calendar.invitation(event, registration))
    assert str(first["uid"]) == str(second["uid"]) == calendar.uid_of(event)
    assert str(first["uid"]).startswith(f"{event.uid}@")
    assert str(second["status"]) == "CANCELLED" and second["sequence"] == 2


def test_an_unknown_time_zone_falls_back_to_the_sites() -> None:
    event = EventFactory.create(time_zone="Nowhere/Atlantis")
    _cal, vevent = only_event(calendar.event_ics(event))
    assert vevent.decoded("dtstart") == event.starts_at
