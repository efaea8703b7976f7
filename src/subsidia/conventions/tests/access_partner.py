"""Access-matrix rows of the pages a partner and the ministry share (see core/tests/test_access_matrix.py).

Organisation A's conventions, reports and report documents answer 404 to organisation B's admin (their
existence does not leak); reviewers, moderators and people without a role are refused by the policy (403).
Writing a report is the partner's: staff are refused by the policy, a simple member may add a document but
only a gestionnaire files (the service says 403 to the member)."""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from subsidia.conventions.models import ReportDocument
from subsidia.core.tests.access import ORG_A_VIEWERS, Row
from subsidia.grants.tests.factories import PDF

HIDDEN = {"partner_admin_b": 404}
# Organisation A's partners and the ministry's readers (officer, approver, finance, auditor, admin).
VIEWERS = ORG_A_VIEWERS | set(HIDDEN)
# Organisation A's members write its reports.
WRITERS = {"partner_member", "partner_admin", *HIDDEN}


def _document(world: dict[str, Any]) -> dict[str, Any]:
    """A document of the expected financial statement (made on first use: the shared world has none)."""
    report = world["report_expected"]
    document = ReportDocument.objects.filter(report=report).first()
    if document is None:
        document = ReportDocument(report=report, original_name="comptes-2024.pdf", content_type="application/pdf",
                                  extension="pdf", size=len(PDF))
        document.file.save("document.pdf", SimpleUploadedFile("comptes-2024.pdf", PDF), save=False)
        document.save()
    return {"pk": report.pk, "document_pk": document.pk}


def _upload(ctx: dict[str, Any]) -> dict[str, Any]:
    return {"file": SimpleUploadedFile("comptes.pdf", PDF, "application/pdf")}


PAGES: dict[str, Row] = {
    "conventions:detail": Row(VIEWERS, overrides=HIDDEN, kwargs=lambda w: {"pk": w["convention"].pk}),
    # The expected statement: its members get the form, the ministry the figures read-only.
    "conventions:report": Row(VIEWERS, overrides=HIDDEN, kwargs=lambda w: {"pk": w["report_expected"].pk}),
    "conventions:report_document": Row(VIEWERS, overrides=HIDDEN, kwargs=_document),
    "conventions:report_document_add": Row(WRITERS, method="POST", ok=302, overrides=HIDDEN, data=_upload,
                                           kwargs=lambda w: {"pk": w["report_expected"].pk}),
    # The statement is not complete (no spending): the gestionnaire is told what is missing (422); a simple
    # member may not file (403).
    "conventions:report_submit": Row(WRITERS, method="POST", ok=422, overrides={**HIDDEN, "partner_member": 403},
                                     data=lambda ctx: {"version": ctx["report_expected"].version},
                                     kwargs=lambda w: {"pk": w["report_expected"].pk}),
}
API: dict[tuple[str, str], Row] = {}
