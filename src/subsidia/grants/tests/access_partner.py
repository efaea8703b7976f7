"""Access-matrix rows of this app's pages (see core/tests/test_access_matrix.py): the public calls and the
partners' side of applications. Organisation A's applications answer 404 to organisation B's admin, to
people without a role and to the moderator; the reviewer sees only the application assigned to them."""

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from subsidia.core.tests.access import EVERYONE, ORG_A_VIEWERS, PARTNERS, Row

from .factories import PDF

HIDDEN = {"partner_admin_b": 404, "registered": 404, "moderator": 404}
# Who drafts organisation A's applications: its members, and officers who may correct them.
DRAFTERS = {"partner_member", "partner_admin", "officer"}


def _autosave(ctx: dict[str, Any]) -> dict[str, Any]:
    return {"version": ctx["app_draft"].version, "title": "Titre enregistré", "summary": "Résumé",
            "budget-TOTAL_FORMS": "0", "budget-INITIAL_FORMS": "0"}


def _upload(ctx: dict[str, Any]) -> dict[str, Any]:
    return {"kind": "annex", "file": SimpleUploadedFile("annexe.pdf", PDF, "application/pdf")}


PAGES: dict[str, Row] = {
    "grants:call_list": Row(EVERYONE),
    "grants:call_detail": Row(EVERYONE, kwargs=lambda w: {"pk": w["call"].pk}),
    "grants:application_create": Row(PARTNERS, kwargs=lambda w: {"pk": w["call"].pk}),
    "grants:my_applications": Row(PARTNERS),
    "grants:application_detail": Row(ORG_A_VIEWERS | {"reviewer"} | set(HIDDEN), overrides=HIDDEN,
                                     kwargs=lambda w: {"pk": w["app_under_review"].pk}),
    "grants:application_edit": Row(DRAFTERS | {"partner_admin_b"}, overrides={"partner_admin_b": 404},
                                   kwargs=lambda w: {"pk": w["app_draft"].pk}),
    "grants:application_autosave": Row(DRAFTERS | {"partner_admin_b"}, method="POST",
                                       overrides={"partner_admin_b": 404}, data=_autosave,
                                       kwargs=lambda w: {"pk": w["app_draft"].pk}),
    # Submitting is the partner admin's move: the officer may use the page but the service says 403.
    "grants:application_transition": Row({"partner_admin", "officer", "partner_admin_b"}, method="POST", ok=302,
                                         overrides={"officer": 403, "partner_admin_b": 404},
                                         data=lambda ctx: {"version": ctx["app_draft"].version},
                                         kwargs=lambda w: {"pk": w["app_draft"].pk, "name": "submit"}),
    "grants:document_add": Row(DRAFTERS | {"partner_admin_b"}, method="POST", ok=302,
                               overrides={"partner_admin_b": 404}, data=_upload,
                               kwargs=lambda w: {"pk": w["app_draft"].pk}),
    "grants:document_download": Row(ORG_A_VIEWERS | {"reviewer"} | set(HIDDEN), overrides=HIDDEN,
                                    kwargs=lambda w: {"pk": w["app_under_review"].pk,
                                                      "document_pk": w["app_under_review"].documents.first().pk}),
    "grants:final_report": Row({"partner_admin", "partner_admin_b"}, overrides={"partner_admin_b": 404},
                               kwargs=lambda w: {"pk": w["app_in_progress"].pk}),
    # The decision is final: whoever sees the application gets its letter; the reviewer does not see it.
    "grants:decision_letter": Row(ORG_A_VIEWERS | set(HIDDEN) | {"reviewer"},
                                  overrides={**HIDDEN, "reviewer": 404},
                                  kwargs=lambda w: {"pk": w["app_approved"].pk}),
}
