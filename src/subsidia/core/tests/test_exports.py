"""The shared tabular writer: CSV for Excel in French (BOM, ``;``), XLSX, and the guard against formulas."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal

import openpyxl
import pytest

from subsidia.core import exports


def _csv(content: bytes) -> list[list[str]]:
    assert content.startswith("\ufeff".encode())  # BOM: Excel reads UTF-8
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))


@pytest.mark.parametrize("value,expected", [
    ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"), ("=1+1", "'=1+1"), ("+1", "'+1"), ("-2+3", "'-2+3"),
    ("@SUM(A1)", "'@SUM(A1)"), ("\t=1", "'\t=1"), ("\r=1", "'\r=1"), ("Association A", "Association A"), ("", ""),
])
def test_guard_neutralises_formulas(value: str, expected: str) -> None:
    assert exports.guard(value) == expected


def test_csv_has_a_bom_semicolons_crlf_and_typed_values() -> None:
    content = exports.to_csv(["Titre", "Montant", "Date", "Nombre"], [
        ["=cmd|' /C calc'!A0", Decimal("6000.5"), date(2026, 3, 31), 3],
        ["Texte; avec point-virgule", None, datetime(2026, 4, 1, 10, 30), None],  # noqa: DTZ001 - a naive value as written to a sheet
    ])
    assert content.startswith(b"\xef\xbb\xbfTitre;Montant;Date;Nombre\r\n")
    rows = _csv(content)
    assert rows[1] == ["'=cmd|' /C calc'!A0", "6000,50", "2026-03-31", "3"]
    assert rows[2] == ["Texte; avec point-virgule", "", "2026-04-01", ""]
    assert content.count(b"\r\n") == 3


def test_csv_streams_line_by_line_from_a_generator() -> None:
    def lines() -> Iterator[list[exports.Cell]]:
        yield ["@A", 1]
        yield ["B", 2]

    chunks = list(exports.csv_chunks(["Nom", "N"], lines()))
    assert chunks == ["\ufeffNom;N\r\n".encode(), b"'@A;1\r\n", b"B;2\r\n"]
    assert b"".join(chunks) == exports.to_csv(["Nom", "N"], [["@A", 1], ["B", 2]])


def test_xlsx_keeps_types_never_writes_formulas_and_drops_control_characters() -> None:
    rows: list[list[exports.Cell]] = [["=1+1", Decimal("6000.00"), date(2026, 5, 1)], ["Titre\x07\x1b", None, None]]
    content = exports.to_xlsx(["Nom", "Montant", "Date"], iter(rows), title="Feuille\x00 de test", widths=(30, 12),
                              number_formats={1: '#,##0.00" €"'})
    book = openpyxl.load_workbook(io.BytesIO(content))
    sheet = book.active
    assert sheet.title == "Feuille de test"
    assert [c.value for c in sheet[1]] == ["Nom", "Montant", "Date"] and sheet[1][0].font.bold
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["A"].width == 30
    first, second = sheet[2], sheet[3]
    assert first[0].value == "'=1+1" and first[0].data_type == "s"
    assert first[1].value == 6000 and first[1].number_format.endswith('" €"')
    assert first[2].value.date() == date(2026, 5, 1)
    assert second[0].value == "Titre"
