"""iCalendar (RFC 5545) for the dialogue's meetings, written with the ``icalendar`` library.

Each meeting is one VEVENT whose UID never changes (``<uuid>@<host>``); its SEQUENCE rises whenever the date,
place or status changes, so that calendar applications update the event instead of adding a second one. A
cancelled meeting stays in the feeds with STATUS:CANCELLED, so subscribers see it cancelled.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar, Event, vCalAddress, vText

from subsidia.core.vtimezone import add_timezones

from .models import Meeting, MeetingStatus

PRODID = "-//Subsidia//Dialogue//FR"


def uid_of(meeting: Meeting) -> str:
    host = urlsplit(settings.SITE_URL).hostname or "subsidia.invalid"
    return f"{meeting.uid}@{host}"


def _description(meeting: Meeting) -> str:
    lines = [meeting.series.description] if meeting.series.description else []
    if meeting.online_url:
        lines.append(f"Visioconférence : {meeting.online_url}")
    lines.append(f"{settings.SITE_URL}{reverse('dialogue:meeting', kwargs={'pk': meeting.pk})}")
    return "\n\n".join(lines)


def event(meeting: Meeting, *, attendees: Iterable[tuple[str, str]] = (), stamp: datetime | None = None) -> Event:
    item = Event()
    item.add("uid", uid_of(meeting))
    item.add("dtstamp", stamp or timezone.now())
    item.add("dtstart", timezone.localtime(meeting.starts_at))
    item.add("dtend", timezone.localtime(meeting.ends_at))
    item.add("summary", meeting.series.title)
    item.add("description", _description(meeting))
    location = meeting.place or meeting.online_url
    if location:
        item.add("location", location)
    if meeting.online_url:
        item.add("url", meeting.online_url)
    item.add("sequence", meeting.ical_sequence)
    item.add("last-modified", meeting.updated_at)
    item.add("status", "CANCELLED" if meeting.status == MeetingStatus.CANCELLED else "CONFIRMED")
    organiser = vCalAddress(f"mailto:{settings.DEFAULT_FROM_EMAIL.rsplit('<', 1)[-1].rstrip('>')}")
    organiser.params["cn"] = vText(str(meeting.series.department))
    item.add("organizer", organiser)
    for email, name in attendees:
        attendee = vCalAddress(f"mailto:{email}")
        if name:
            attendee.params["cn"] = vText(name)
        attendee.params["role"] = vText("REQ-PARTICIPANT")
        attendee.params["partstat"] = vText("NEEDS-ACTION")
        item.add("attendee", attendee, encode=False)
    return item


def _calendar(name: str, method: str | None = None) -> Calendar:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    if method:
        cal.add("method", method)
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", settings.TIME_ZONE)
    return cal


def feed(name: str, meetings: Iterable[Meeting]) -> bytes:
    """A calendar of meetings for subscription (a series' feed, or a person's)."""
    cal = _calendar(name)
    stamp = timezone.now()
    for meeting in meetings:
        cal.add_component(event(meeting, stamp=stamp))
    add_timezones(cal)
    return cal.to_ical()


def invitation(meeting: Meeting, attendees: Iterable[tuple[str, str]]) -> bytes:
    """An invitation (METHOD:REQUEST, or CANCEL for a cancelled meeting) to attach to an e-mail."""
    method = "CANCEL" if meeting.status == MeetingStatus.CANCELLED else "REQUEST"
    cal = _calendar(meeting.series.title, method)
    cal.add_component(event(meeting, attendees=attendees))
    add_timezones(cal)
    return cal.to_ical()
