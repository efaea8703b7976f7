"""Tabular exports (CSV and XLSX) for every domain: one writer, one set of rules, one guard.

Choices, for the ministry's (French-locale) spreadsheets:

* CSV: UTF-8 with a byte-order mark (so that Excel detects UTF-8), ``;`` as separator (Excel's list separator
  in French locales, where ``,`` is the decimal mark), decimals with a decimal comma and no grouping
  (``6000,00``: read as a number by French Excel and LibreOffice), dates in ISO 8601 (``2026-03-31``,
  unambiguous and recognised as dates), CRLF line ends as RFC 4180 says.
* XLSX (openpyxl, write-only mode so that rows are not all held in memory): numbers stay numbers and dates stay
  dates, with the number formats the caller gives per column; the header is bold and frozen.
* Formula injection: a text cell that starts with ``=``, ``+``, ``-``, ``@`` (or a tab / carriage return) is
  prefixed with an apostrophe, so that spreadsheets show it as text instead of running it (a registrant or an
  applicant must not plant a formula in an officer's Excel); in XLSX the cell is also stored as a string, never
  as a formula, and the control characters that XLSX forbids are dropped (openpyxl would refuse the file).

Both writers take a header and an iterable of rows, so a caller may pass a generator (or a worker may stream
``csv_chunks`` to a file) without building the whole table first.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

Cell = str | Decimal | date | datetime | int | float | None
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def guard(text: str) -> str:
    """Neutralise spreadsheet formulas: a cell starting with = + - @ (tab, CR) is shown as text."""
    return f"'{text}" if text.startswith(FORMULA_PREFIXES) else text


def clean(text: str) -> str:
    """``text`` without the control characters that XLSX cannot hold."""
    return ILLEGAL_CHARACTERS_RE.sub("", text)


def csv_value(value: Cell) -> str:
    """One cell as CSV text: decimal comma, ISO dates, guarded text."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value:.2f}".replace(".", ",")
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int | float):
        return str(value).replace(".", ",")
    return guard(str(value))


class _Echo:
    """A file-like object whose ``write`` hands the line back, so that ``csv.writer`` can yield line by line."""

    def write(self, text: str) -> str:
        return text


def csv_chunks(header: Sequence[str], rows: Iterable[Sequence[Cell]]) -> Iterator[bytes]:
    """The CSV file line by line (the first chunk starts with the BOM): for streaming responses or workers."""
    writer = csv.writer(_Echo(), delimiter=";", quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    yield ("\ufeff" + writer.writerow([guard(h) for h in header])).encode("utf-8")
    for row in rows:
        yield str(writer.writerow([csv_value(value) for value in row])).encode("utf-8")


def to_csv(header: Sequence[str], rows: Iterable[Sequence[Cell]]) -> bytes:
    """The whole CSV file."""
    return b"".join(csv_chunks(header, rows))


def to_xlsx(header: Sequence[str], rows: Iterable[Sequence[Cell]], *, title: str,
            widths: Sequence[float] = (), number_formats: Mapping[int, str] | None = None) -> bytes:
    """The XLSX file of one sheet named ``title``; ``widths`` per column, ``number_formats`` by 0-based column."""
    formats = number_formats or {}
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(clean(title)[:31])
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    titles = []
    for text in header:
        cell = WriteOnlyCell(sheet, value=guard(clean(text)))
        cell.font = bold
        titles.append(cell)
    sheet.append(titles)
    for row in rows:
        cells = []
        for column, value in enumerate(row):
            cell = WriteOnlyCell(sheet, value=guard(clean(value)) if isinstance(value, str) else value)
            if isinstance(value, str):
                cell.data_type = "s"  # never a formula
            if column in formats:
                cell.number_format = formats[column]
            cells.append(cell)
        sheet.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
