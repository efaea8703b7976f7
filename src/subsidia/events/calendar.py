"""iCalendar (RFC 5545) for events, written by :mod:`subsidia.core.ical`.

An event is one VEVENT whose UID never changes (``<event uid>@<host>``), in the event's own time zone (with its
VTIMEZONE), so the download from the event page and the invitation attached to the confirmation are the same
entry in a person's calendar; SEQUENCE rises when the event changes, and a cancelled event is STATUS:CANCELLED.
"""

from __future__ import annotations

from datetime import tzinfo
from zoneinfo import ZoneInfo

from django.conf import settings
from django.urls import reverse

from subsidia.core import ical

from .models import Event, EventStatus, Registration

PRODID = "-//Subsidia//Evenements//FR"


def zone_of(event: Event) -> tzinfo:
    try:
        return ZoneInfo(event.time_zone)
    except (KeyError, ValueError):
        return ZoneInfo(settings.TIME_ZONE)


def uid_of(event: Event) -> str:
    return ical.uid(event.uid)


def page_url(event: Event) -> str:
    return f"{settings.SITE_URL}{reverse('events:detail', kwargs={'slug': event.slug})}"


def location_of(event: Event) -> str:
    return ", ".join(part for part in [event.place, event.address] if part) or event.online_url


def entry(event: Event, *, registration: Registration | None = None) -> ical.Entry:
    """The event as a calendar entry, in its own time zone; with the registrant as attendee for an invitation."""
    zone = zone_of(event)
    lines = [event.summary]
    if event.online_url:
        lines.append(f"En ligne : {event.online_url}")
    lines.append(page_url(event))
    attendees = [] if registration is None else [
        ical.Attendee(registration.email, registration.full_name, partstat="ACCEPTED")]
    return ical.Entry(
        uid=uid_of(event), starts_at=event.starts_at.astimezone(zone), ends_at=event.ends_at.astimezone(zone),
        summary=event.title, description="\n\n".join(line for line in lines if line), location=location_of(event),
        url=page_url(event), sequence=event.ical_sequence, last_modified=event.updated_at,
        cancelled=event.status == EventStatus.CANCELLED,
        organiser_name=getattr(settings, "MINISTRY_NAME", "Subsidia"), attendees=attendees)


def event_ics(event: Event) -> bytes:
    """The event for download from its page (METHOD:PUBLISH)."""
    return ical.calendar(event.title, [entry(event)], prodid=PRODID, time_zone=str(zone_of(event)), method="PUBLISH")


def invitation(event: Event, registration: Registration) -> bytes:
    """The invitation attached to a confirmation (METHOD:REQUEST)."""
    return ical.calendar(event.title, [entry(event, registration=registration)], prodid=PRODID,
                         time_zone=str(zone_of(event)), method="REQUEST")
