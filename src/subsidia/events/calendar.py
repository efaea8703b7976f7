"""iCalendar (RFC 5545) for events, written with the ``icalendar`` library.

An event is one VEVENT whose UID never changes (``<event uid>@<host>``), in the event's own time zone (with its
VTIMEZONE), so the download from the event page and the invitation attached to the confirmation are the same
entry in a person's calendar; SEQUENCE rises when the event changes, and a cancelled event is STATUS:CANCELLED.
"""

from __future__ import annotations

from datetime import datetime, tzinfo
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar, vCalAddress, vText
from icalendar import Event as VEvent

from subsidia.core.vtimezone import add_timezones

from .models import Event, EventStatus, Registration

PRODID = "-//Subsidia//Evenements//FR"


def zone_of(event: Event) -> tzinfo:
    try:
        return ZoneInfo(event.time_zone)
    except (KeyError, ValueError):
        return ZoneInfo(settings.TIME_ZONE)


def uid_of(event: Event) -> str:
    host = urlsplit(settings.SITE_URL).hostname or "subsidia.invalid"
    return f"{event.uid}@{host}"


def page_url(event: Event) -> str:
    return f"{settings.SITE_URL}{reverse('events:detail', kwargs={'slug': event.slug})}"


def location_of(event: Event) -> str:
    return ", ".join(part for part in [event.place, event.address] if part) or event.online_url


def vevent(event: Event, *, registration: Registration | None = None, stamp: datetime | None = None) -> VEvent:
    zone = zone_of(event)
    item = VEvent()
    item.add("uid", uid_of(event))
    item.add("dtstamp", stamp or timezone.now())
    item.add("dtstart", event.starts_at.astimezone(zone))
    item.add("dtend", event.ends_at.astimezone(zone))
    item.add("summary", event.title)
    lines = [event.summary]
    if event.online_url:
        lines.append(f"En ligne : {event.online_url}")
    lines.append(page_url(event))
    item.add("description", "\n\n".join(line for line in lines if line))
    location = location_of(event)
    if location:
        item.add("location", location)
    item.add("url", page_url(event))
    item.add("sequence", event.ical_sequence)
    item.add("last-modified", event.updated_at)
    item.add("status", "CANCELLED" if event.status == EventStatus.CANCELLED else "CONFIRMED")
    organiser = vCalAddress(f"mailto:{settings.DEFAULT_FROM_EMAIL.rsplit('<', 1)[-1].rstrip('>')}")
    organiser.params["cn"] = vText(getattr(settings, "MINISTRY_NAME", "Subsidia"))
    item.add("organizer", organiser)
    if registration is not None:
        attendee = vCalAddress(f"mailto:{registration.email}")
        attendee.params["cn"] = vText(registration.full_name)
        attendee.params["role"] = vText("REQ-PARTICIPANT")
        attendee.params["partstat"] = vText("ACCEPTED")
        item.add("attendee", attendee, encode=False)
    return item


def _calendar(event: Event, method: str | None) -> Calendar:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    if method:
        cal.add("method", method)
    cal.add("x-wr-calname", event.title)
    cal.add("x-wr-timezone", str(zone_of(event)))
    return cal


def event_ics(event: Event) -> bytes:
    """The event for download from its page (METHOD:PUBLISH)."""
    cal = _calendar(event, "PUBLISH")
    cal.add_component(vevent(event))
    add_timezones(cal)
    return bytes(cal.to_ical())


def invitation(event: Event, registration: Registration) -> bytes:
    """The invitation attached to a confirmation (METHOD:REQUEST)."""
    cal = _calendar(event, "REQUEST")
    cal.add_component(vevent(event, registration=registration))
    add_timezones(cal)
    return bytes(cal.to_ical())

