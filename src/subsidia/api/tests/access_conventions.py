"""Access-matrix rows of the conventions and meetings API (see core/tests/test_access_matrix.py).

Anonymous callers get 401, a role the operation is not for 403, and objects the caller may not see 404:
organisation B's admin on organisation A's conventions, reports and meetings; reviewers and moderators on
every convention (they read none) and on the meetings of series they do not take part in. A write of a
versioned resource carries the version it is based on (else 428, see ``subsidia.api.concurrency``).
"""

from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from subsidia.conventions.inputs import ReportInput
from subsidia.conventions.services.reports import add_report_document, save_report
from subsidia.core.tests.access import EVERYONE, PARTNERS, STAFF, Row
from subsidia.grants.tests.factories import PDF

PARTNERS_A = {"partner_member", "partner_admin"}
# Everyone with a role may ask; the selectors answer an empty list or 404 to those who see nothing.
READERS = PARTNERS | STAFF
NOT_THEIRS = {"partner_admin_b": 404, "reviewer": 404, "moderator": 404}
REPORT = "/conventions/{convention_id}/reports/{report_id}"


def _convention(w: dict[str, Any]) -> dict[str, Any]:
    return {"convention_id": w["convention"].pk}


def _report(key: str) -> Any:
    return lambda w: {"convention_id": w["convention"].pk, "report_id": w[key].pk}


def _complete_statement(w: dict[str, Any]) -> dict[str, Any]:
    """The 2024 financial statement with its spending and the year's accounts: ready to be filed."""
    report, partner = w["report_expected"], w["people"]["partner_admin"]
    add_report_document(partner, report, SimpleUploadedFile("comptes.pdf", PDF, "application/pdf"))
    save_report(partner, report, ReportInput(spending={w["convention_domain"].pk: Decimal("85000")}))
    return _report("report_expected")(w)


def _version(key: str) -> Any:
    """The body of a conditional write: the current version of the world's object ``key``, read when the
    request is made (the row's set-up may have changed it)."""
    return lambda ctx: {"version": type(ctx[key]).objects.get(pk=ctx[key].pk).version}


def _upload(ctx: dict[str, Any]) -> dict[str, Any]:
    return {"file": SimpleUploadedFile("comptes.pdf", PDF, "application/pdf")}


PAGES: dict[str, Row] = {}
API: dict[tuple[str, str], Row] = {
    # Conventions: the ministry's readers and organisation A's partners; B's admin, reviewers and
    # moderators get an empty list and 404.
    ("GET", "/conventions"): Row(READERS, anonymous=401),
    ("GET", "/conventions/{convention_id}"): Row(READERS, anonymous=401, overrides=NOT_THEIRS, kwargs=_convention),
    ("GET", REPORT): Row(READERS, anonymous=401, overrides=NOT_THEIRS, kwargs=_report("report_expected")),
    # Reports: A's members fill in, A's gestionnaire files, officers accept or return.
    ("PUT", REPORT): Row(
        PARTNERS, anonymous=401, overrides={"partner_admin_b": 404}, kwargs=_report("report_expected"),
        data=lambda ctx: {"narrative": "Comptes 2024.", "spending": {ctx["convention_domain"].pk: "85000"},
                          **_version("report_expected")(ctx)},
    ),
    ("POST", REPORT + "/documents"): Row(
        PARTNERS, ok=201, anonymous=401, overrides={"partner_admin_b": 404}, kwargs=_report("report_expected"),
        data=_upload,
    ),
    ("POST", REPORT + "/submit"): Row(
        {"partner_admin", "partner_admin_b"}, anonymous=401, overrides={"partner_admin_b": 404},
        kwargs=_complete_statement, data=_version("report_expected"),
    ),
    ("POST", REPORT + "/accept"): Row(
        {"officer"}, anonymous=401, kwargs=_report("report_filed"), data=_version("report_filed"),
    ),
    ("POST", REPORT + "/return"): Row(
        {"officer"}, anonymous=401, kwargs=_report("report_filed"),
        data=lambda ctx: {"comment": "Précisez les communes accompagnées.", **_version("report_filed")(ctx)},
    ),
    ("POST", "/conventions/{convention_id}/payments/{payment_id}/pay"): Row(
        {"finance"}, anonymous=401,
        kwargs=lambda w: {"convention_id": w["convention"].pk, "payment_id": w["payment_due"].pk},
        data=lambda ctx: {"payment_reference": "VIR-2026-001"},
    ),
    # Reference data, public.
    ("GET", "/activity-domains"): Row(EVERYONE),
    # Meetings: the series' organisations and the ministry's readers (B's admin, and staff who neither read
    # every series nor take part in this one, get an empty list and 404).
    ("GET", "/meetings"): Row(READERS, anonymous=401),
    ("GET", "/meetings/{meeting_id}"): Row(
        READERS, anonymous=401, overrides=NOT_THEIRS, kwargs=lambda w: {"meeting_id": w["meeting"].pk},
    ),
    ("GET", "/meeting-series"): Row(READERS, anonymous=401),
    ("GET", "/meeting-series/{series_id}"): Row(
        READERS, anonymous=401, overrides=NOT_THEIRS, kwargs=lambda w: {"series_id": w["series"].pk},
    ),
    # Officers put points on the agenda, A's gestionnaire proposes (A's members get 403 from the service).
    ("POST", "/meetings/{meeting_id}/agenda-items"): Row(
        {"officer", "partner_admin", "partner_admin_b"}, ok=201, anonymous=401, overrides={"partner_admin_b": 404},
        kwargs=lambda w: {"meeting_id": w["meeting"].pk},
        data=lambda ctx: {"title": f"Point de {ctx['persona']}", "organisation_id": ctx["org_a"].pk},
    ),
    # The action item is owned by organisation A: its gestionnaire updates the status, officers anything;
    # other readers of the series get 403, those who do not see it 404.
    ("GET", "/action-items/{action_item_id}"): Row(
        READERS, anonymous=401, overrides=NOT_THEIRS, kwargs=lambda w: {"action_item_id": w["action_item"].pk},
    ),
    ("PATCH", "/action-items/{action_item_id}"): Row(
        {"officer", "partner_admin"} | set(NOT_THEIRS), anonymous=401, overrides=NOT_THEIRS,
        kwargs=lambda w: {"action_item_id": w["action_item"].pk},
        data=lambda ctx: {"status": "in_progress", **_version("action_item")(ctx)},
    ),
}
