"""The staff panel of an application's page (template grants/_staff_panel.html), built for the partner
pages' application detail: eligibility checks, reviews and their scores, assignment, the decision and the
payments, as the reader's role allows."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy

from subsidia.accounts.roles import Role
from subsidia.core.errors import Code

from . import selectors
from .errors import GrantError
from .forms_staff import reviewers
from .models import Application, Review, State
from .services import decisions as decision_services
from .views_staff import decision_of, threshold
from .views_staff_decisions import recommendations
from .views_staff_payments import payment_form
from .workflow import PAYABLE_STATES, REVIEW_STATES

RULE_LABELS: dict[str, Any] = {
    GrantError.INCOMPLETE: gettext_lazy("Dossier complet"),
    GrantError.LEAD_TIME: gettext_lazy("Délai de dépôt avant le début du projet"),
    Code.DATES_INVALID: gettext_lazy("Dates du projet cohérentes"),
    GrantError.LEGAL_FORM: gettext_lazy("Forme juridique admise"),
    GrantError.CALL_CLOSED: gettext_lazy("Appel ouvert à la date de dépôt"),
    Code.MISSING_DOCUMENT: gettext_lazy("Documents obligatoires joints"),
    GrantError.MISSING_ANSWER: gettext_lazy("Questions obligatoires répondues"),
    GrantError.BUDGET_UNBALANCED: gettext_lazy("Budget équilibré"),
}


# --- the staff panel of the application page -------------------------------------------------------

def _eligibility(application: Application) -> dict[str, Any] | None:
    latest = application.eligibility_checks.select_related("run_by").first()
    if latest is None:
        return None
    results = []
    for result in latest.results or []:
        code = str(result.get("rule", ""))
        results.append({
            "label": RULE_LABELS.get(code, code), "passed": bool(result.get("passed")),
            "messages": [str(v.get("message", "")) for v in result.get("violations") or []],
        })
    return {"check": latest, "results": results}


def staff_panel_context(request: HttpRequest, application: Application) -> dict[str, Any]:
    """What the ministry's staff see and do on an application's page (template grants/_staff_panel.html):
    eligibility checks, reviews and their scores, assignment, the decision and the payments."""
    user = request.user
    if not user.is_authenticated or not user.has_role(Role.OFFICER, Role.REVIEWER, Role.APPROVER, Role.FINANCE,
                                                       Role.AUDITOR, Role.ADMIN):
        return {"visible": False}
    sees_all = selectors.sees_all_applications(user)
    own_review = Review.objects.filter(application=application, reviewer=user).first() \
        if user.has_role(Role.REVIEWER) else None
    context: dict[str, Any] = {"visible": True, "sees_all": sees_all, "application": application,
                               "own_review": own_review, "next": request.get_full_path()}
    if not sees_all:
        return context
    reviews = list(application.reviews.select_related("reviewer").prefetch_related("scores__criterion"))
    assigned = {r.reviewer_id for r in reviews}
    decision = decision_of(application)
    pending = decision is not None and not decision.is_final
    can_pay = user.has_role(Role.FINANCE) and application.state in PAYABLE_STATES
    tranches = [{"tranche": t, "form": payment_form(t) if can_pay and t.paid_on is None else None}
                for t in application.tranches.all()]
    is_approver = user.has_role(Role.APPROVER)
    context.update({
        "eligibility": _eligibility(application),
        "reviews": [{"review": r, "scores": list(r.scores.all()), "weighted": r.weighted_score()} for r in reviews],
        "stats": selectors.score_stats(application),
        "recommendations": recommendations(selectors.score_stats(application)),
        "can_assign": selectors.manages_calls(user) and application.state in REVIEW_STATES,
        "reviewers": [u for u in reviewers() if u.pk not in assigned],
        "decision": decision, "pending": pending,
        "four_eyes_applies": bool(decision and decision_services.four_eyes_required(decision.outcome,
                                                                             decision.granted_amount)),
        "threshold": threshold(),
        "can_decide": is_approver and decision is None and application.state == State.UNDER_REVIEW,
        "can_confirm": is_approver and pending and decision is not None and decision.decided_by_id != user.pk,
        "is_approver": is_approver,
        "tranches": tranches, "can_pay": can_pay,
    })
    return context
