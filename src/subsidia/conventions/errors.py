"""The error codes only the conventions domain answers (those every domain shares are
:class:`subsidia.core.errors.Code`).

One spelling for each, registered with :func:`~subsidia.core.errors.error_codes` so that the API's error schema
lists them; clients and tests compare against these values."""

from __future__ import annotations

from enum import StrEnum

from subsidia.core.errors import error_codes


@error_codes
class ConventionError(StrEnum):
    # Signing, amending, terminating.
    FUTURE_DATE = "future_date"
    NO_DOMAIN = "no_domain"
    NO_AMOUNT = "no_amount"
    OUT_OF_PERIOD = "out_of_period"
    PAID_YEARS = "paid_years"
    TERMINATED = "terminated"
    ALREADY_TERMINATED = "already_terminated"
    EMPTY = "empty"
    # Yearly reports.
    YEAR_NOT_OVER = "year_not_over"
    MISSING_INDICATOR = "missing_indicator"
    MISSING_SPENDING = "missing_spending"
