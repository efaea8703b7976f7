"""The decision letter, drawn as PDF from an HTML template (WeasyPrint), in French."""

from __future__ import annotations

from django.conf import settings
from django.core.files.base import ContentFile
from django.template.loader import render_to_string
from django.utils import timezone, translation

from .models import Decision


def render_decision_letter(decision: Decision) -> bytes:
    from weasyprint import HTML  # imported here: it loads Pango, which only letters need

    application = decision.application
    with translation.override("fr"):
        html = render_to_string("grants/decision_letter.html", {
            "decision": decision, "application": application, "call": application.call,
            "organisation": application.organisation, "tranches": list(application.tranches.all()),
            # Dated the day the decision took effect, however late the PDF is drawn (or drawn again).
            "today": timezone.localdate(decision.confirmed_at or decision.decided_at),
            "ministry": settings.MINISTRY_NAME,
        })
    return HTML(string=html, base_url=str(settings.PACKAGE_DIR)).write_pdf()


def store_decision_letter(decision: Decision) -> Decision:
    """Render the letter and keep it with the decision (through Django's storage)."""
    pdf = render_decision_letter(decision)
    name = f"decision-{decision.application.reference}.pdf"
    decision.letter.save(name, ContentFile(pdf), save=False)
    Decision.objects.filter(pk=decision.pk).update(letter=decision.letter.name)
    return decision
