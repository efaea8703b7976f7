"""Exports of the officers' queue as CSV and XLSX: the columns and their layout.

The writing itself (``;`` and BOM for French Excel, the formula and control-character guard) is
``subsidia.core.exports``, shared with every other export. In XLSX, amounts are numbers with a "€" number format,
dates are dates, the averages are numbers.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

from django.utils.translation import gettext as _

from subsidia.core import exports
from subsidia.core.exports import Cell

from . import selectors
from .models import Application


def headers() -> list[str]:
    return [_("Référence"), _("Appel"), _("Organisation"), _("Titre"), _("État"), _("Priorité"),
            _("Montant demandé (€)"), _("Début"), _("Fin"), _("Déposée le"), _("Experts"),
            _("Moyenne pondérée (sur 5)")]


# The XLSX number formats of the amount, the dates and the average (0-based columns), and the widths.
NUMBER_FORMATS = {6: '#,##0.00" €"', 7: "DD/MM/YYYY", 8: "DD/MM/YYYY", 9: "DD/MM/YYYY", 11: "0.00"}
WIDTHS = (12, 30, 30, 40, 18, 30, 16, 12, 12, 12, 30, 14)


def rows(applications: Iterable[Application]) -> Iterator[list[Cell]]:
    """One row per application, with typed values (Decimal, date, str or None)."""
    for application in applications:
        reviews = list(application.reviews.all())
        submitted = application.first_submitted_on or (
            application.submitted_at.date() if application.submitted_at else None)
        yield [
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
        ]


def to_xlsx(header: Sequence[str], data: Iterable[Sequence[Cell]], title: str = "") -> bytes:
    return exports.to_xlsx(header, data, title=title or _("Demandes"), number_formats=NUMBER_FORMATS,
                           widths=WIDTHS)
