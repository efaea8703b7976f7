"""The participants of an event as a spreadsheet: CSV for Excel in French (UTF-8 with a BOM, ``;``) and XLSX.

The writing, and the guard against formulas and control characters (a registrant must not plant a formula in the
officers' Excel), is ``subsidia.core.exports``, shared with every other export."""

from __future__ import annotations

from collections.abc import Iterator

from django.utils import formats, timezone
from django.utils.translation import gettext as _

from subsidia.core.exports import to_csv, to_xlsx

from .models import Event, Registration

WIDTHS = (28, 32, 28, 18, 16, 40, 28, 20)


def headers() -> list[str]:
    return [_("Nom"), _("E-mail"), _("Organisation"), _("Commune"), _("Statut"), _("Choix (par ordre de "
            "préférence)"), _("Bloc ou table attribué"), _("Présence enregistrée")]


def rows(event: Event) -> Iterator[list[str]]:
    registrations = (Registration.objects.filter(event=event).select_related("municipality")
                     .prefetch_related("choices__block").order_by("status", "full_name", "pk"))
    for r in registrations:
        choices = sorted(r.choices.all(), key=lambda c: c.rank)
        checked = formats.date_format(timezone.localtime(r.checked_in_at), "SHORT_DATETIME_FORMAT") \
            if r.checked_in_at else ""
        yield [str(value) for value in [
            r.full_name, r.email, r.organisation_name, r.municipality.name if r.municipality else "",
            r.get_status_display(), " / ".join(f"{c.rank}. {c.block.title}" for c in choices),
            " / ".join(c.block.title for c in choices if c.allocated), checked,
        ]]


def as_csv(event: Event) -> bytes:
    return to_csv(headers(), rows(event))


def as_xlsx(event: Event) -> bytes:
    return to_xlsx(headers(), rows(event), title=_("Participants"), widths=WIDTHS)


def filename(event: Event, extension: str) -> str:
    return f"participants-{event.slug}.{extension}"
