"""VTIMEZONE components: every instant of a year reads back the same through an independent parser (vobject),
summer and winter, in zones north and south of the equator; the rule is a yearly RRULE, never a list of RDATEs
(which vobject and Outlook read wrongly), so it holds after 2038 too."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import vobject
from icalendar import Calendar, Event

from subsidia.core.vtimezone import Transition, _first, add_timezones, parse_posix, vtimezone


def _exists(moment: datetime) -> bool:
    """False in the hour skipped when the clocks go forward (a wall-clock time that never happens) and in the
    hour that happens twice when they go back (a local time alone cannot say which one is meant)."""
    utc = moment.astimezone(ZoneInfo("UTC"))
    skipped = utc.astimezone(moment.tzinfo).replace(tzinfo=None) != moment.replace(tzinfo=None)
    return not skipped and moment.replace(fold=1).utcoffset() == moment.utcoffset()


@pytest.mark.parametrize("key", ["Europe/Luxembourg", "Europe/Paris", "Australia/Sydney", "America/New_York",
                                 "Asia/Tokyo", "America/Sao_Paulo"])
@pytest.mark.parametrize("year", [2027, 2028, 2041])
def test_every_hour_of_a_year_reads_back_the_same_instant(key: str, year: int) -> None:
    zone = ZoneInfo(key)
    moments = [m for m in (datetime(year, 1, 1, 0, 30, tzinfo=zone) + timedelta(hours=h * 7)
                           for h in range(366 * 24 // 7)) if _exists(m)]
    cal = Calendar()
    cal.add("prodid", "-//test//")
    cal.add("version", "2.0")
    for number, moment in enumerate(moments):
        event = Event()
        event.add("uid", str(number))
        event.add("dtstamp", moment)
        event.add("dtstart", moment)
        cal.add_component(event)
    add_timezones(cal)
    text = cal.to_ical().decode()
    assert "RDATE" not in text
    parsed = {int(e.uid.value): e.dtstart.value for e in vobject.readOne(text).vevent_list}
    wrong = [(moments[n], parsed[n]) for n in range(len(moments)) if parsed[n] != moments[n]]
    assert wrong == []


def test_the_luxembourg_rule_is_the_eu_rule() -> None:
    text = vtimezone("Europe/Luxembourg").to_ical().decode()
    assert "DTSTART:19700329T020000\r\nRRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3" in text
    assert "DTSTART:19701025T030000\r\nRRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10" in text
    assert "TZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200" in text


def test_posix_strings() -> None:
    rule = parse_posix("CET-1CEST,M3.5.0,M10.5.0/3")
    assert rule is not None
    assert (rule.std_offset, rule.dst_offset) == (timedelta(hours=1), timedelta(hours=2))
    assert rule.dst_start == Transition(3, 5, 0, timedelta(hours=2))
    assert rule.dst_end == Transition(10, 5, 0, timedelta(hours=3))
    west = parse_posix("<-03>3")
    assert west is not None and west.std_offset == timedelta(hours=-3)
    assert parse_posix("EST5EDT,J60,J300") is None  # Julian days: icalendar's own component is used instead
    # the first Sunday of October 1970 was the 4th; the last Sunday of March 1970 the 29th
    assert _first(Transition(10, 1, 0, timedelta(hours=2))) == datetime(1970, 10, 4, 2)  # noqa: DTZ001 - local wall time
    assert _first(Transition(3, 5, 0, timedelta(hours=2))) == datetime(1970, 3, 29, 2)  # noqa: DTZ001 - local wall time
