"""iCalendar (RFC 5545) for the dialogue's meetings, written by :mod:`subsidia.core.ical`.

Each meeting is one VEVENT whose UID never changes (``<uuid>@<host>``); its SEQUENCE rises whenever the date,
place or status changes, so that calendar applications update the event instead of adding a second one. A
cancelled meeting stays in the feeds with STATUS:CANCELLED, so subscribers see it cancelled.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from subsidia.core import ical

from .models import Meeting, MeetingStatus

PRODID = "-//Subsidia//Dialogue//FR"


def uid_of(meeting: Meeting) -> str:
    return ical.uid(meeting.uid)


def _description(meeting: Meeting) -> str:
    lines = [meeting.series.description] if meeting.series.description else []
    if meeting.online_url:
        lines.append(f"Visioconférence : {meeting.online_url}")
    lines.append(f"{settings.SITE_URL}{reverse('dialogue:meeting', kwargs={'pk': meeting.pk})}")
    return "\n\n".join(lines)


def entry(meeting: Meeting, *, attendees: Iterable[tuple[str, str]] = ()) -> ical.Entry:
    """The meeting as a calendar entry, in the site's time zone; ``attendees`` are (e-mail, name) pairs."""
    return ical.Entry(
        uid=uid_of(meeting), starts_at=timezone.localtime(meeting.starts_at),
        ends_at=timezone.localtime(meeting.ends_at), summary=meeting.series.title,
        description=_description(meeting), location=meeting.place or meeting.online_url, url=meeting.online_url,
        sequence=meeting.ical_sequence, last_modified=meeting.updated_at,
        cancelled=meeting.status == MeetingStatus.CANCELLED, organiser_name=str(meeting.series.department),
        attendees=[ical.Attendee(email, name) for email, name in attendees])


def feed(name: str, meetings: Iterable[Meeting]) -> bytes:
    """A calendar of meetings for subscription (a series' feed, or a person's)."""
    return ical.calendar(name, (entry(meeting) for meeting in meetings), prodid=PRODID,
                         time_zone=settings.TIME_ZONE)


def invitation(meeting: Meeting, attendees: Iterable[tuple[str, str]]) -> bytes:
    """An invitation (METHOD:REQUEST, or CANCEL for a cancelled meeting) to attach to an e-mail."""
    method = "CANCEL" if meeting.status == MeetingStatus.CANCELLED else "REQUEST"
    return ical.calendar(meeting.series.title, [entry(meeting, attendees=attendees)], prodid=PRODID,
                         time_zone=settings.TIME_ZONE, method=method)
