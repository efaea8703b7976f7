"""Access-matrix rows of this app's pages (see core/tests/test_access_matrix.py): the ministry's side."""

from django.utils import timezone

from subsidia.core.tests.access import ORG_READERS, Row

# Officer, approver, finance, auditor and the technical administrator read every call and application.
GRANT_READERS = ORG_READERS
DECISION_READERS = {"officer", "approver", "auditor", "admin"}
PAYMENT_READERS = {"finance", "officer", "auditor", "admin"}

PAGES: dict[str, Row] = {
    "grants:call_manage_list": Row(GRANT_READERS),
    "grants:call_create": Row({"officer"}),
    "grants:call_edit": Row({"officer"}, kwargs=lambda w: {"pk": w["call"].pk}),
    "grants:decision_summary": Row(DECISION_READERS, kwargs=lambda w: {"pk": w["call"].pk}),
    "grants:queue": Row(GRANT_READERS),
    # Nothing chosen: the officer is sent back to the queue with the errors as messages.
    "grants:queue_assign": Row({"officer"}, method="POST", ok=302),
    # The world's review is assigned, not submitted: the officer takes the reviewer off and returns to the queue.
    "grants:review_unassign": Row({"officer"}, method="POST", ok=302, kwargs=lambda w: {"pk": w["review"].pk}),
    "grants:queue_export": Row(GRANT_READERS, kwargs=lambda w: {"fmt": "csv"}),
    "grants:decision_record": Row({"approver"}, kwargs=lambda w: {"pk": w["app_under_review"].pk}),
    # No decision waits for confirmation in the world: the approver gets the 409 of the service.
    "grants:decision_confirm": Row({"approver"}, method="POST", ok=409,
                                   kwargs=lambda w: {"pk": w["app_under_review"].pk}),
    "grants:decision_cancel": Row({"approver"}, method="POST", ok=409,
                                  kwargs=lambda w: {"pk": w["app_under_review"].pk},
                                  data=lambda ctx: {"reason": "Montant à revoir."}),
    "grants:payments": Row(PAYMENT_READERS),
    "grants:payment_record": Row(
        {"finance"}, method="POST", ok=302, kwargs=lambda w: {"pk": w["tranche"].pk},
        data=lambda ctx: {"paid_on": timezone.localdate().isoformat(), "reference": "VIR-2026-001"},
    ),
    "grants:my_reviews": Row({"reviewer"}),
    "grants:review": Row({"reviewer"}, kwargs=lambda w: {"pk": w["review"].pk}),
}
