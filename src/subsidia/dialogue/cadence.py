"""The dates of a meeting series: the n-th occurrence of its cadence, counted from the first meeting.

Each occurrence is computed from the first meeting (never from the previous one), in the wall-clock time of
``TIME_ZONE``: a meeting on the 31st falls on the last day of shorter months and comes back to the 31st
after them, a 14:00 meeting stays at 14:00 across daylight-saving changes, and years roll over naturally.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from dateutil.relativedelta import relativedelta
from django.utils import timezone

from .models import CADENCE_MONTHS, Cadence


def step(cadence: str, n: int) -> relativedelta:
    """``n`` periods of the cadence; months are calendar months, clamped to the end of a shorter month."""
    if cadence == Cadence.WEEKLY:
        return relativedelta(weeks=n)
    return relativedelta(months=CADENCE_MONTHS[Cadence(cadence)] * n)


def occurrence(first: datetime, cadence: str, n: int) -> datetime:
    """The start of occurrence ``n`` (0 = the first meeting), as an aware datetime."""
    wall = timezone.localtime(first).replace(tzinfo=None)
    return timezone.make_aware(wall + step(cadence, n), timezone.get_current_timezone())


def occurrences(first: datetime, cadence: str, until: datetime) -> Iterator[tuple[int, datetime]]:
    """Every (n, start) of the cadence up to and including ``until``."""
    n = 0
    while True:
        start = occurrence(first, cadence, n)
        if start > until:
            return
        yield n, start
        n += 1
