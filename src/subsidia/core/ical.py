"""iCalendar (RFC 5545) documents for every domain, written with the ``icalendar`` library.

A domain describes each of its dated things as an :class:`Entry` (a meeting, an event); this module writes the
calendar around them the same way for all: PRODID/VERSION/CALSCALE, the optional METHOD (PUBLISH for a download,
REQUEST or CANCEL for an invitation), the calendar's name and zone, one VEVENT per entry and the VTIMEZONE of
every zone used (as yearly rules: see :mod:`subsidia.core.vtimezone`).

The UID of an entry never changes (``<uuid>@<host>``) and its SEQUENCE rises when the domain changes it, so that
calendar applications update the entry instead of adding a second one; a cancelled entry stays, with
STATUS:CANCELLED, so that subscribers see it cancelled.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event, vCalAddress, vText

from .vtimezone import add_timezones


@dataclass(frozen=True)
class Attendee:
    email: str
    name: str = ""
    partstat: str = "NEEDS-ACTION"  # or ACCEPTED, for a confirmed registration


@dataclass(frozen=True)
class Entry:
    """One VEVENT. ``starts_at``/``ends_at`` are aware, in the zone the calendar should show."""

    uid: str
    starts_at: datetime
    ends_at: datetime
    summary: str
    description: str
    sequence: int
    last_modified: datetime
    organiser_name: str
    cancelled: bool = False
    location: str = ""
    url: str = ""
    attendees: Sequence[Attendee] = ()


def uid(value: object) -> str:
    """A UID unique to this site: ``<value>@<host of SITE_URL>``."""
    host = urlsplit(settings.SITE_URL).hostname or "subsidia.invalid"
    return f"{value}@{host}"


def _address(email: str, name: str) -> vCalAddress:
    address = vCalAddress(f"mailto:{email}")
    if name:
        address.params["cn"] = vText(name)
    return address


def vevent(entry: Entry, *, stamp: datetime | None = None) -> Event:
    item = Event()
    item.add("uid", entry.uid)
    item.add("dtstamp", stamp or timezone.now())
    item.add("dtstart", entry.starts_at)
    item.add("dtend", entry.ends_at)
    item.add("summary", entry.summary)
    item.add("description", entry.description)
    if entry.location:
        item.add("location", entry.location)
    if entry.url:
        item.add("url", entry.url)
    item.add("sequence", entry.sequence)
    item.add("last-modified", entry.last_modified)
    item.add("status", "CANCELLED" if entry.cancelled else "CONFIRMED")
    sender = settings.DEFAULT_FROM_EMAIL.rsplit("<", 1)[-1].rstrip(">")
    item.add("organizer", _address(sender, entry.organiser_name))
    for person in entry.attendees:
        attendee = _address(person.email, person.name)
        attendee.params["role"] = vText("REQ-PARTICIPANT")
        attendee.params["partstat"] = vText(person.partstat)
        item.add("attendee", attendee, encode=False)
    return item


def calendar(name: str, entries: Iterable[Entry], *, prodid: str, time_zone: str,
             method: str | None = None) -> bytes:
    """The ``.ics`` document named ``name`` holding ``entries`` (all stamped with the same DTSTAMP)."""
    cal = Calendar()
    cal.add("prodid", prodid)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    if method:
        cal.add("method", method)
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", time_zone)
    stamp = timezone.now()
    for entry in entries:
        cal.add_component(vevent(entry, stamp=stamp))
    add_timezones(cal)
    return bytes(cal.to_ical())
