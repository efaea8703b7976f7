"""Access-matrix rows (see core/tests/test_access_matrix.py): the ministry's pages on conventions, and the
list of conventions that partners reach too (their own signed conventions only)."""

from django.utils import timezone

from subsidia.core.tests.access import ORG_READERS, PARTNERS, Row

CONVENTION_VIEWERS = PARTNERS | ORG_READERS
PAYMENT_READERS = {"finance", "officer", "auditor", "admin"}

PAGES: dict[str, Row] = {
    "conventions:list": Row(CONVENTION_VIEWERS),
    "conventions:create": Row({"officer"}),
    "conventions:edit": Row({"officer"}, kwargs=lambda w: {"pk": w["convention_draft"].pk}),
    # GET asks for confirmation; the POST deletes the draft and goes back to the list.
    "conventions:delete": Row({"officer"}, method="POST", ok=302, kwargs=lambda w: {"pk": w["convention_draft"].pk},
                              data=lambda ctx: {"version": ctx["convention_draft"].version}),
    "conventions:sign": Row({"approver"}, kwargs=lambda w: {"pk": w["convention_draft"].pk}),
    "conventions:amend": Row({"approver"}, kwargs=lambda w: {"pk": w["convention"].pk}),
    "conventions:terminate": Row({"approver"}, kwargs=lambda w: {"pk": w["convention"].pk}),
    "conventions:payments": Row(PAYMENT_READERS),
    "conventions:payment_record": Row(
        {"finance"}, method="POST", ok=302, kwargs=lambda w: {"pk": w["payment_due"].pk},
        data=lambda ctx: {"paid_on": timezone.localdate().isoformat(), "payment_reference": "VIR-CONV-001"},
    ),
    "conventions:reports": Row(ORG_READERS),
    "conventions:report_review": Row(
        {"officer"}, method="POST", ok=302, kwargs=lambda w: {"pk": w["report_filed"].pk},
        data=lambda ctx: {"decision": "accept", "comment": "", "version": ctx["report_filed"].version},
    ),
    "conventions:funding": Row(ORG_READERS, kwargs=lambda w: {"pk": w["org_a"].pk}),
}
API: dict[tuple[str, str], Row] = {}
