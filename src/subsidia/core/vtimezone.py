"""VTIMEZONE components written as yearly rules (RRULE), as calendar servers and Outlook write them.

``icalendar``'s ``add_missing_timezones()`` lists every past and future transition as RDATE values up to 2038.
That is valid RFC 5545, but several readers keep only the first value of a multi-valued RDATE (vobject does,
and Outlook ignores RDATE in a VTIMEZONE), and then read a summer meeting one hour off. The zone's current rule
is in the POSIX TZ string that ends every TZif file (e.g. ``CET-1CEST,M3.5.0,M10.5.0/3``): it becomes one
STANDARD and one DAYLIGHT observance with a yearly RRULE, which every reader understands and which does not stop
in 2038. A zone whose rule cannot be written that way (no TZif footer, a Julian-day rule) falls back to
``icalendar``'s own component.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from importlib import resources
from pathlib import Path
from zoneinfo import TZPATH, ZoneInfo

from icalendar import Calendar, Component, Timezone, TimezoneDaylight, TimezoneStandard

_NAME = r"(<[^>]+>|[A-Za-z]{3,})"
_OFFSET = r"([+-]?\d{1,2}(?::\d{2}){0,2})"
_RULE = r"M(\d{1,2})\.([1-5])\.([0-6])(?:/([+-]?\d{1,3}(?::\d{2}){0,2}))?"
_POSIX = re.compile(rf"^{_NAME}{_OFFSET}(?:{_NAME}{_OFFSET}?,{_RULE},{_RULE})?$")
_DAYS = ("SU", "MO", "TU", "WE", "TH", "FR", "SA")


@dataclass(frozen=True)
class Transition:
    month: int
    week: int  # 1..4, or 5 for "the last"
    weekday: int  # 0 = Sunday, as in POSIX
    at: timedelta  # local time of the observance that ends


@dataclass(frozen=True)
class PosixRule:
    std_name: str
    std_offset: timedelta  # east of Greenwich, the iCalendar sign (POSIX writes west as positive)
    dst_name: str | None = None
    dst_offset: timedelta | None = None
    dst_start: Transition | None = None
    dst_end: Transition | None = None


def _duration(text: str) -> timedelta:
    sign = -1 if text.startswith("-") else 1
    parts = [int(p) for p in text.lstrip("+-").split(":")] + [0, 0]
    return sign * timedelta(hours=parts[0], minutes=parts[1], seconds=parts[2])


def parse_posix(text: str) -> PosixRule | None:
    """The rule of a POSIX TZ string, or None when it is not of the ``Mm.w.d`` form."""
    match = _POSIX.match(text.strip())
    if not match:
        return None
    std_name, std_off, dst_name, dst_off, *rules = match.groups()
    std_offset = -_duration(std_off)
    if dst_name is None:
        return PosixRule(std_name.strip("<>"), std_offset)
    dst_offset = -_duration(dst_off) if dst_off else std_offset + timedelta(hours=1)
    start = Transition(int(rules[0]), int(rules[1]), int(rules[2]), _duration(rules[3] or "2"))
    end = Transition(int(rules[4]), int(rules[5]), int(rules[6]), _duration(rules[7] or "2"))
    if not all(timedelta(0) <= t.at < timedelta(days=1) for t in (start, end)):
        return None
    return PosixRule(std_name.strip("<>"), std_offset, dst_name.strip("<>"), dst_offset, start, end)


def _tzif_bytes(key: str) -> bytes | None:
    for root in TZPATH:
        path = Path(root) / key
        if path.is_file():
            return path.read_bytes()
    try:
        return resources.files("tzdata.zoneinfo").joinpath(*key.split("/")).read_bytes()
    except (ModuleNotFoundError, FileNotFoundError, OSError):
        return None


def posix_rule(key: str) -> PosixRule | None:
    """The current rule of the IANA zone ``key``, read from the footer of its TZif (version 2+) file."""
    data = _tzif_bytes(key)
    if not data or not data.startswith(b"TZif") or data[4:5] < b"2":
        return None
    footer = data.rstrip(b"\n").rsplit(b"\n", 1)[-1]
    return parse_posix(footer.decode("ascii", "replace"))


def _first(transition: Transition, year: int = 1970) -> datetime:
    """The first local date-time in ``year`` on which the transition happens (the DTSTART of the rule)."""
    first = datetime(year, transition.month, 1)  # noqa: DTZ001 - a VTIMEZONE rule is in local wall time
    # POSIX weekday 0 is Sunday; Python's Monday is 0.
    shift = (transition.weekday - (first.weekday() + 1) % 7) % 7
    day = first + timedelta(days=shift + 7 * (transition.week - 1))
    while day.month != transition.month:  # week 5 means the last such weekday of the month
        day -= timedelta(days=7)
    return day + transition.at


def _rrule(transition: Transition) -> dict[str, object]:
    ordinal = -1 if transition.week == 5 else transition.week
    return {"freq": "yearly", "bymonth": transition.month, "byday": f"{ordinal}{_DAYS[transition.weekday]}"}


def _observance(kind: type[Component], name: str, start: datetime, before: timedelta, after: timedelta,
                rule: Transition | None) -> Component:
    part = kind()
    part.add("tzname", name)
    part.add("dtstart", start)
    part.add("tzoffsetfrom", before)
    part.add("tzoffsetto", after)
    if rule is not None:
        part.add("rrule", _rrule(rule))
    return part


def vtimezone(key: str) -> Component:
    """The VTIMEZONE of the IANA zone ``key`` (e.g. ``Europe/Luxembourg``)."""
    rule = posix_rule(key)
    if rule is None:
        return Timezone.from_tzinfo(ZoneInfo(key))
    component = Timezone()
    component.add("tzid", key)
    if rule.dst_start is None or rule.dst_end is None or rule.dst_offset is None or rule.dst_name is None:
        epoch = datetime(1970, 1, 1)  # noqa: DTZ001 - a VTIMEZONE rule is in local wall time
        component.add_component(_observance(TimezoneStandard, rule.std_name, epoch, rule.std_offset,
                                            rule.std_offset, None))
        return component
    component.add_component(_observance(TimezoneDaylight, rule.dst_name, _first(rule.dst_start),
                                        rule.std_offset, rule.dst_offset, rule.dst_start))
    component.add_component(_observance(TimezoneStandard, rule.std_name, _first(rule.dst_end),
                                        rule.dst_offset, rule.std_offset, rule.dst_end))
    return component


def add_timezones(calendar: Calendar) -> None:
    """Add a VTIMEZONE for every zone the calendar's date-times use (what ``add_missing_timezones`` does)."""
    present = {str(tz.get("tzid")) for tz in calendar.walk("VTIMEZONE")}
    needed = sorted(calendar.get_used_tzids() - present)
    for key in needed:
        try:
            calendar.subcomponents.insert(0, vtimezone(key))
        except (KeyError, ValueError):
            continue  # not an IANA key: icalendar's fallback below handles it, or the reader uses TZID alone
    calendar.add_missing_timezones()
