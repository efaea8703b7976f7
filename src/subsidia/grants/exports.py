"""Exports of the officers' queue as CSV and XLSX.

Choices, for the ministry's (French-locale) spreadsheets:

* CSV: UTF-8 with a byte-order mark (so that Excel detects UTF-8), ``;`` as separator (Excel's list separator
  in French locales, where ``,`` is the decimal mark), amounts with a decimal comma and no grouping
  (``6000,00``: read as a number by French Excel and LibreOffice), dates in ISO 8601 (``2026-03-31``,
  unambiguous and recognised as dates), CRLF line ends as RFC 4180 says.
* XLSX (openpyxl): amounts are numbers with a "€" number format, dates are dates, the averages are numbers.
* Formula injection: a text cell that starts with ``=``, ``+``, ``-``, ``@`` (or a tab / carriage return) is
  prefixed with an apostrophe in CSV, so that spreadsheets show it as text instead of running it; in XLSX
  the same prefix is used, and the cell is stored as a string, never as a formula.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

from . import selectors
from .models import Application

Cell = str | Decimal | date | int | None
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def headers() -> list[str]:
    return [_("Référence"), _("Appel"), _("Organisation"), _("Titre"), _("État"), _("Priorité"),
            _("Montant demandé (€)"), _("Début"), _("Fin"), _("Déposée le"), _("Experts"),
            _("Moyenne pondérée (sur 5)")]


# Columns holding amounts or scores, and dates (0-based), for the XLSX number formats.
MONEY_COLUMNS = {6}
SCORE_COLUMNS = {11}
DATE_COLUMNS = {7, 8, 9}


def rows(applications: Iterable[Application]) -> list[list[Cell]]:
    """One row per application, with typed values (Decimal, date, str or None)."""
    out: list[list[Cell]] = []
    for application in applications:
        reviews = list(application.reviews.all())
        submitted = application.first_submitted_on or (
            application.submitted_at.date() if application.submitted_at else None)
        out.append([
            application.reference,
            application.call.title,
            application.organisation.name,
            application.title,
            str(application.get_state_display()),
            application.priority.title if application.priority else "",
            application.requested_amount,
            application.start_date,
            application.end_date,
            submitted,
            "; ".join(str(review.reviewer) for review in reviews),
            selectors.score_stats(application).average,
        ])
    return out


def guard(text: str) -> str:
    """Neutralise spreadsheet formulas: a cell starting with = + - @ is shown as text."""
    return f"'{text}" if text.startswith(FORMULA_PREFIXES) else text


def _csv_value(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value:.2f}".replace(".", ",")
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int):
        return str(value)
    return guard(str(value))


def to_csv(header: Sequence[str], data: Iterable[Sequence[Cell]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    writer.writerow([guard(h) for h in header])
    for row in data:
        writer.writerow([_csv_value(value) for value in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(header: Sequence[str], data: Iterable[Sequence[Cell]], title: str = "") -> bytes:
    workbook = Workbook()
    sheet: Any = workbook.active
    sheet.title = (title or _("Demandes"))[:31]
    sheet.append([ILLEGAL_CHARACTERS_RE.sub("", h) for h in header])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row_index, row in enumerate(data, start=2):
        for column, value in enumerate(row, start=1):
            cell = sheet.cell(row=row_index, column=column)
            if isinstance(value, str):
                cell.value = guard(ILLEGAL_CHARACTERS_RE.sub("", value))
                cell.data_type = "s"  # never a formula
            else:
                cell.value = value
            if column - 1 in MONEY_COLUMNS:
                cell.number_format = '#,##0.00" €"'
            elif column - 1 in SCORE_COLUMNS:
                cell.number_format = "0.00"
            elif column - 1 in DATE_COLUMNS:
                cell.number_format = "DD/MM/YYYY"
    sheet.freeze_panes = "A2"
    for letter, width in zip("ABCDEFGHIJKL", (12, 30, 30, 40, 18, 30, 16, 12, 12, 12, 30, 14), strict=True):
        sheet.column_dimensions[letter].width = width
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
