"""Parsing the values people type (amounts, dates) into Python values, or a clear rule violation."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from .errors import RuleViolation


def years_earlier(day: date, years: int = 1) -> date:
    """The same day ``years`` earlier; 29 February falls back to 28 February in a year that has none."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def parse_money(value: Any, field: str) -> Decimal:
    """A positive amount in euros with at most two decimals (below ten billion)."""
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError) as exc:
        raise RuleViolation.single("invalid", _("Montant invalide."), field) from exc
    if not amount.is_finite() or amount < 0 or amount != amount.quantize(Decimal("0.01")) \
            or amount >= Decimal("1e10"):
        raise RuleViolation.single("invalid", _("Montant invalide : un nombre positif avec au plus deux décimales."),
                                   field)
    return amount


def parse_date(value: Any, field: str, *, required: bool = True) -> date | None:
    """A date, or an ISO string (AAAA-MM-JJ); empty is refused when ``required``."""
    if value in (None, ""):
        if required:
            raise RuleViolation.single("required", _("Ce champ est obligatoire."), field)
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError as exc:
        raise RuleViolation.single("invalid", _("Date invalide (AAAA-MM-JJ)."), field) from exc


def parse_id(value: Any) -> int | None:
    """The primary key in a form or API value: a model instance, a number, or digits; else None."""
    value = getattr(value, "pk", value)
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    text = str(value or "").strip()
    return int(text) if text.isdigit() else None
