"""Access-matrix rows of the grants API (see core/tests/test_access_matrix.py).

Anonymous callers get 401 on signed-in operations, a role the operation is not for 403, and objects
the caller may not see 404: organisation B's admin on organisation A's applications, the reviewer on
every application but the one assigned to them (``w["app_under_review"]``). A write of a versioned resource
carries the version it is based on (else 428, see ``subsidia.api.concurrency``).
"""

from datetime import timedelta
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from subsidia.accounts.tests.factories import RoleGrantFactory, UserFactory
from subsidia.core.tests.access import EVERYONE, Row
from subsidia.grants.models import Decision, State
from subsidia.grants.tests.factories import PDF, ApplicationFactory

PARTNERS_A = {"partner_member", "partner_admin"}
# Staff who read every application.
STAFF_READERS = {"officer", "approver", "finance", "auditor", "admin"}
APPLICATION_READERS = PARTNERS_A | STAFF_READERS | {"partner_admin_b", "reviewer"}
NOT_THEIRS = {"partner_admin_b": 404, "reviewer": 404}


def _app(key: str) -> Any:
    return lambda w: {"application_id": w[key].pk}


def _in_state(state: str) -> Any:
    """An application of organisation A in a state the shared world has none in."""

    def make(w: dict[str, Any]) -> dict[str, Any]:
        application = ApplicationFactory.create(call=w["call"], organisation=w["org_a"], state=state,
                                                first_submitted_on=timezone.localdate())
        return {"application_id": application.pk}

    return make


def _pending_decision(w: dict[str, Any]) -> dict[str, Any]:
    """An approval above the four-eyes threshold recorded by another approver, awaiting confirmation."""
    application = ApplicationFactory.create(call=w["call"], organisation=w["org_a"], state=State.UNDER_REVIEW,
                                            first_submitted_on=timezone.localdate(), requested_amount=6000)
    first = UserFactory.create()
    RoleGrantFactory.create(user=first, role="approver")
    Decision.objects.create(application=application, outcome="approved", granted_amount=6000, decided_by=first)
    application.tranches.create(position=1, due_on=timezone.localdate(), amount=6000)
    return {"application_id": application.pk}


def _version(key: str) -> Any:
    """The body of a conditional write: the current version of the world's object ``key``, read when the
    request is made."""
    return lambda ctx: {"version": type(ctx[key]).objects.get(pk=ctx[key].pk).version}


def _fresh_version(ctx: dict[str, Any]) -> dict[str, Any]:
    """The version of an application the row's set-up has just created (``_in_state``, ``_pending_decision``)."""
    return {"version": 1}


def _scores(ctx: dict[str, Any]) -> dict[str, Any]:
    criteria = ctx["review"].application.call.criteria.all()
    return {"scores": [{"criterion_id": c.pk, "score": 4, "comment": "Solide."} for c in criteria],
            "recommendation": "fund", "comment": "À financer."}


def _upload(ctx: dict[str, Any]) -> dict[str, Any]:
    return {"kind": "annex", "file": SimpleUploadedFile("annexe.pdf", PDF, "application/pdf")}


def _new_application(ctx: dict[str, Any]) -> dict[str, Any]:
    start = timezone.localdate() + timedelta(weeks=8)
    return {"call_id": ctx["call"].pk, "organisation_id": ctx["org_a"].pk, "title": f"Projet {ctx['persona']}",
            "start_date": start.isoformat(), "budget_lines": [{"label": "Salle", "kind": "expense", "amount": 500}]}


API: dict[tuple[str, str], Row] = {
    # Calls: published ones for everyone (the world's call is published), written by officers.
    ("GET", "/calls"): Row(EVERYONE, anonymous=401),
    ("GET", "/calls/{call_id}"): Row(EVERYONE, anonymous=401, kwargs=lambda w: {"call_id": w["call"].pk}),
    ("POST", "/calls"): Row(
        {"officer"}, ok=201, anonymous=401,
        data=lambda ctx: {"title": "Appel 2027", "programme": "Intégration", "year": 2027, "budget": "50000"},
    ),
    ("PATCH", "/calls/{call_id}"): Row(
        {"officer"}, anonymous=401, kwargs=lambda w: {"call_id": w["draft_call"].pk},
        data=lambda ctx: {"is_published": True, **_version("draft_call")(ctx)},
    ),
    ("GET", "/calls/{call_id}/decision-summary"): Row(
        {"officer", "approver", "auditor", "admin"}, anonymous=401, kwargs=lambda w: {"call_id": w["call"].pk},
    ),
    # Applications: scoped by organisation (B's admin sees an empty list, and 404 on A's objects).
    ("GET", "/applications"): Row(APPLICATION_READERS, anonymous=401),
    ("POST", "/applications"): Row(
        PARTNERS_A | {"partner_admin_b"}, ok=201, anonymous=401, overrides={"partner_admin_b": 404},
        data=_new_application,
    ),
    ("GET", "/applications/{application_id}"): Row(
        APPLICATION_READERS, anonymous=401, overrides={"partner_admin_b": 404}, kwargs=_app("app_under_review"),
    ),
    ("PATCH", "/applications/{application_id}"): Row(
        PARTNERS_A | {"officer", "partner_admin_b"}, anonymous=401, overrides={"partner_admin_b": 404},
        kwargs=_app("app_draft"), data=lambda ctx: {"title": "Titre revu", **_version("app_draft")(ctx)},
    ),
    ("GET", "/applications/{application_id}/eligibility"): Row(
        APPLICATION_READERS, anonymous=401, overrides=NOT_THEIRS, kwargs=_app("app_draft"),
    ),
    ("POST", "/applications/{application_id}/documents"): Row(
        PARTNERS_A | {"officer", "partner_admin_b"}, ok=201, anonymous=401, overrides={"partner_admin_b": 404},
        kwargs=_app("app_draft"), data=_upload,
    ),
    # The workflow: the roles of the workflow table; B's admin passes the role check and gets 404.
    ("POST", "/applications/{application_id}/submit"): Row(
        {"partner_admin", "partner_admin_b"}, anonymous=401, overrides={"partner_admin_b": 404},
        kwargs=_app("app_draft"), data=_version("app_draft"),
    ),
    ("POST", "/applications/{application_id}/start-eligibility"): Row(
        {"officer"}, anonymous=401, kwargs=_app("app_submitted"), data=_version("app_submitted"),
    ),
    ("POST", "/applications/{application_id}/declare-eligible"): Row(
        {"officer"}, anonymous=401, kwargs=_in_state(State.ELIGIBILITY), data=_fresh_version,
    ),
    ("POST", "/applications/{application_id}/declare-ineligible"): Row(
        {"officer"}, anonymous=401, kwargs=_in_state(State.ELIGIBILITY),
        data=lambda ctx: {"reasons": ["Le projet ne vise aucune priorité de l'appel."], **_fresh_version(ctx)},
    ),
    ("POST", "/applications/{application_id}/request-information"): Row(
        {"officer"}, anonymous=401, kwargs=_app("app_submitted"),
        data=lambda ctx: {"questions": "Précisez le public visé.", **_version("app_submitted")(ctx)},
    ),
    ("POST", "/applications/{application_id}/withdraw"): Row(
        {"partner_admin", "partner_admin_b"}, anonymous=401, overrides={"partner_admin_b": 404},
        kwargs=_app("app_draft"), data=lambda ctx: {"note": "Projet abandonné.", **_version("app_draft")(ctx)},
    ),
    ("POST", "/applications/{application_id}/start-project"): Row(
        {"officer"}, anonymous=401, kwargs=_app("app_approved"), data=_version("app_approved"),
    ),
    ("POST", "/applications/{application_id}/final-report"): Row(
        {"partner_admin", "partner_admin_b"}, anonymous=401, overrides={"partner_admin_b": 404},
        kwargs=_app("app_in_progress"),
        data=lambda ctx: {"deliverables": "Exposition montrée dans 4 communes.",
                          "actual_budget_lines": [{"label": "Salle", "kind": "expense", "amount": "2000"}],
                          **_version("app_in_progress")(ctx)},
    ),
    ("POST", "/applications/{application_id}/return-report"): Row(
        {"officer"}, anonymous=401, kwargs=_app("app_reporting"),
        data=lambda ctx: {"comment": "Joignez les justificatifs.", **_version("app_reporting")(ctx)},
    ),
    ("POST", "/applications/{application_id}/close"): Row(
        {"officer"}, anonymous=401, kwargs=_app("app_reporting"), data=_version("app_reporting"),
    ),
    # Reviews: officers assign, the assigned reviewer scores.
    ("POST", "/applications/{application_id}/reviewers"): Row(
        {"officer"}, anonymous=401, kwargs=_app("app_under_review"),
        data=lambda ctx: {"reviewer_ids": [ctx["people"]["reviewer"].pk]},
    ),
    ("GET", "/reviews"): Row({"reviewer"}, anonymous=401),
    ("POST", "/reviews/{review_id}/conflict"): Row(
        {"reviewer"}, anonymous=401, kwargs=lambda w: {"review_id": w["review"].pk},
        data=lambda ctx: {"note": "Je siège au conseil d'administration."},
    ),
    ("POST", "/reviews/{review_id}/submit"): Row(
        {"reviewer"}, anonymous=401, kwargs=lambda w: {"review_id": w["review"].pk}, data=_scores,
    ),
    # Decisions: approvers; the confirmation is for an approver other than the first.
    ("POST", "/applications/{application_id}/decision"): Row(
        {"approver"}, ok=201, anonymous=401, kwargs=_app("app_under_review"),
        data=lambda ctx: {"outcome": "approved", "granted_amount": "5000", "motivation": "Projet solide.",
                          **_version("app_under_review")(ctx)},
    ),
    ("POST", "/applications/{application_id}/decision/confirm"): Row(
        {"approver"}, anonymous=401, kwargs=_pending_decision, data=_fresh_version,
    ),
    # Payments: finance pays; officers and the auditor read the schedule.
    ("GET", "/tranches"): Row({"finance", "officer", "auditor"}, anonymous=401),
    ("POST", "/tranches/{tranche_id}/pay"): Row(
        {"finance"}, anonymous=401, kwargs=lambda w: {"tranche_id": w["tranche"].pk},
        data=lambda ctx: {"reference": "VIR-2026-001"},
    ),
}
