"""The dates of a meeting series: the n-th occurrence of its cadence, counted from the first meeting.

Each occurrence is computed from the first meeting (never from the previous one), in the wall-clock time of
``TIME_ZONE``: a meeting on the 31st falls on the last day of shorter months and comes back to the 31st
after them, a 14:00 meeting stays at 14:00 across daylight-saving changes, and years roll over naturally.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterator
from datetime import date, datetime, timedelta

from django.utils import timezone

from .models import CADENCE_MONTHS, Cadence


def add_months(day: date, months: int) -> date:
    """``day`` moved by ``months`` calendar months, clamped to the last day of the target month."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def occurrence(first: datetime, cadence: str, n: int) -> datetime:
    """The start of occurrence ``n`` (0 = the first meeting), as an aware datetime."""
    local = timezone.localtime(first)
    wall = local.replace(tzinfo=None)
    if cadence == Cadence.WEEKLY:
        moved = wall + timedelta(weeks=n)
    else:
        moved = datetime.combine(add_months(wall.date(), CADENCE_MONTHS[Cadence(cadence)] * n), wall.time())
    return timezone.make_aware(moved, timezone.get_current_timezone())


def occurrences(first: datetime, cadence: str, until: datetime) -> Iterator[tuple[int, datetime]]:
    """Every (n, start) of the cadence up to and including ``until``."""
    n = 0
    while True:
        start = occurrence(first, cadence, n)
        if start > until:
            return
        yield n, start
        n += 1
