"""29 February: a year before it is 28 February of the year before (the staff dashboard's rule; its leap-day
page is tested in ``subsidia/dashboard/tests/test_leap_day.py``)."""

from __future__ import annotations

from datetime import date

from subsidia.core.values import years_earlier


def test_years_earlier() -> None:
    assert years_earlier(date(2028, 2, 29)) == date(2027, 2, 28)
    assert years_earlier(date(2028, 2, 29), 4) == date(2024, 2, 29)
    assert years_earlier(date(2027, 3, 1)) == date(2026, 3, 1)
    assert years_earlier(date(2027, 1, 1)) == date(2026, 1, 1)
