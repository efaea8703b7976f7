"""The participants of an event as a spreadsheet: CSV for Excel in French (UTF-8 with a BOM, ``;``) and XLSX.

Cells that a spreadsheet would read as a formula (starting with ``=``, ``+``, ``-``, ``@``, or a tab or carriage
return) are prefixed with an apostrophe, so that a registrant cannot plant a formula in the officers' Excel."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from django.utils import formats, timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from .models import Event, Registration

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: str) -> str:
    """``value`` made safe from formula injection."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def headers() -> list[str]:
    return [_("Nom"), _("E-mail"), _("Organisation"), _("Commune"), _("Statut"), _("Choix (par ordre de "
            "préférence)"), _("Bloc ou table attribué"), _("Présence enregistrée")]


def rows(event: Event) -> Iterable[list[str]]:
    registrations = (Registration.objects.filter(event=event).select_related("municipality")
                     .prefetch_related("choices__block").order_by("status", "full_name", "pk"))
    for r in registrations:
        choices = sorted(r.choices.all(), key=lambda c: c.rank)
        checked = formats.date_format(timezone.localtime(r.checked_in_at), "SHORT_DATETIME_FORMAT") \
            if r.checked_in_at else ""
        yield [neutralise(str(value)) for value in [
            r.full_name, r.email, r.organisation_name, r.municipality.name if r.municipality else "",
            r.get_status_display(), " / ".join(f"{c.rank}. {c.block.title}" for c in choices),
            " / ".join(c.block.title for c in choices if c.allocated), checked,
        ]]


def as_csv(event: Event) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(headers())
    writer.writerows(rows(event))
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def as_xlsx(event: Event) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = _("Participants")[:31]
    sheet.append(headers())
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows(event):
        sheet.append(row)
    for column, width in zip("ABCDEFGH", [28, 32, 28, 18, 16, 40, 28, 20], strict=True):
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def filename(event: Event, extension: str) -> str:
    return f"participants-{event.slug}.{extension}"
