"""The approvers' pages: the decision summary of a call, recording a decision (with its payment schedule),
and the four-eyes rule above the threshold (a second approver confirms or sets the pending decision aside).
Each write asks for a recent authentication."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from subsidia.accounts.reauth import reauthentication_required
from subsidia.accounts.roles import Role
from subsidia.core.access import access
from subsidia.core.errors import RuleViolation, Violation
from subsidia.core.forms import error_summary
from subsidia.core.http import int_or_none, safe_next

from . import selectors
from .forms_staff import CancelDecisionForm, DecisionForm, TrancheFormSet
from .inputs import DecisionInput, TrancheInput
from .models import Application, Decision, Recommendation, State
from .services import decisions as decision_services
from .views_staff import (
    APPROVERS,
    DECISION_READERS,
    actor_of,
    decision_of,
    detail_url,
    refused,
    threshold,
    visible_application,
)

# --- decisions ---------------------------------------------------------------------------------------

def recommendations(stats: selectors.ScoreStats) -> list[tuple[str, int]]:
    return [(str(Recommendation(code).label) if code in Recommendation.values else code, count)
            for code, count in sorted(stats.recommendations.items())]


@access(DECISION_READERS)
@require_GET
def decision_summary(request: HttpRequest, pk: int) -> HttpResponse:
    call = get_object_or_404(selectors.calls_visible_to(request.user), pk=pk)
    summary = selectors.decision_summary(call)
    rows = [{"row": row, "recommendations": recommendations(row.stats), "detail_url": detail_url(row.application)}
            for row in summary["rows"]]
    return render(request, "grants/staff/decision_summary.html", {
        **summary, "rows": rows, "is_approver": actor_of(request).has_role(Role.APPROVER),
        "threshold": threshold(),
    })


def _tranche_rows(formset: forms.BaseFormSet) -> tuple[list[TrancheInput], list[forms.Form]]:
    """The filled tranches, and the form of each (to show the service's errors on its row)."""
    rows: list[TrancheInput] = []
    sources: list[forms.Form] = []
    for form in formset.forms:
        data = form.cleaned_data
        if data:
            rows.append(TrancheInput(due_on=data["due_on"], amount=data["amount"]))
            sources.append(form)
    return rows, sources


def _decision_page(request: HttpRequest, application: Application, *, form: DecisionForm | None = None,
                   tranches: forms.BaseFormSet | None = None, cancel_form: CancelDecisionForm | None = None,
                   status: int = 200) -> HttpResponse:
    user = actor_of(request)
    decision = decision_of(application)
    application.refresh_from_db()
    pending = decision is not None and not decision.is_final
    can_decide = decision is None and application.state == State.UNDER_REVIEW
    return render(request, "grants/staff/decision_record.html", {
        "application": application, "decision": decision, "pending": pending,
        "stats": selectors.score_stats(application),
        "four_eyes_applies": bool(decision and decision_services.four_eyes_required(decision.outcome,
                                                                             decision.granted_amount)),
        "four_eyes_if_full": decision_services.four_eyes_required(Decision.Outcome.APPROVED,
                                                        application.requested_amount or Decimal(0)),
        "threshold": threshold(), "remaining": application.call.remaining, "can_decide": can_decide,
        "can_confirm": pending and decision is not None and decision.decided_by_id != user.pk,
        "decided_by_me": pending and decision is not None and decision.decided_by_id == user.pk,
        "form": form or DecisionForm(initial={"version": application.version}),
        "tranches": tranches or TrancheFormSet(prefix="tranches"),
        "cancel_form": cancel_form or CancelDecisionForm(),
        "tranche_list": list(application.tranches.all()), "detail_url": detail_url(application),
        "errors": error_summary(form, tranches, cancel_form),
    }, status=status)


@access(APPROVERS)
@require_http_methods(["GET", "POST"])
@reauthentication_required
def decision_record(request: HttpRequest, pk: int) -> HttpResponse:
    """The approver records the decision; above the four-eyes threshold it waits for a second approver."""
    application = visible_application(request, pk)
    if request.method != "POST":
        return _decision_page(request, application)
    form = DecisionForm(request.POST)
    tranches = TrancheFormSet(request.POST, prefix="tranches")
    if not (form.is_valid() and tranches.is_valid()):
        return _decision_page(request, application, form=form, tranches=tranches, status=422)
    data = form.cleaned_data
    approved = data["outcome"] == Decision.Outcome.APPROVED
    if approved and data["granted_amount"] is None:
        form.add_error("granted_amount", _("Indiquez le montant accordé."))
        return _decision_page(request, application, form=form, tranches=tranches, status=422)
    rows, sources = _tranche_rows(tranches)
    try:
        decision = decision_services.record_decision(actor_of(request), application, DecisionInput(
            outcome=data["outcome"], granted_amount=data["granted_amount"] if approved else Decimal(0),
            conditions=data["conditions"], motivation=data["motivation"],
            tranches=(tuple(rows) or None) if approved else None), expected_version=data["version"])
    except RuleViolation as error:
        plain: list[Violation] = []
        for violation in error.violations:
            parts = (violation.field or "").split(".")
            if len(parts) == 3 and parts[0] == "tranches" and parts[1].isdigit() and int(parts[1]) < len(sources):
                sources[int(parts[1])].add_error(parts[2], str(violation.message))
            else:
                plain.append(violation)
        status = refused(request, type(error)(plain), form) if plain else error.status_code
        return _decision_page(request, application, form=form, tranches=tranches, status=status)
    if decision.is_final:
        messages.success(request, _("Décision enregistrée : %(outcome)s.") % {
            "outcome": decision.get_outcome_display()})
    else:
        messages.success(request, _("Décision enregistrée. Au-delà du seuil du double regard, un second "
                                    "ordonnateur doit la confirmer."))
    return redirect("grants:decision_record", pk=application.pk)


@access(APPROVERS)
@require_POST
@reauthentication_required(back="grants:decision_record")
def decision_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    application = visible_application(request, pk)
    try:
        decision_services.confirm_decision(actor_of(request), application,
                                           expected_version=int_or_none(request.POST.get("version")))
    except RuleViolation as error:
        status = refused(request, error)
        return _decision_page(request, application, status=status)
    messages.success(request, _("Décision confirmée : elle est définitive."))
    return redirect(safe_next(request, reverse("grants:decision_record", kwargs={"pk": application.pk})))


@access(APPROVERS)
@require_POST
@reauthentication_required(back="grants:decision_record")
def decision_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    application = visible_application(request, pk)
    form = CancelDecisionForm(request.POST)
    if not form.is_valid():
        return _decision_page(request, application, cancel_form=form, status=422)
    try:
        decision_services.cancel_pending_decision(actor_of(request), application, form.cleaned_data["reason"])
    except RuleViolation as error:
        status = refused(request, error, form)
        return _decision_page(request, application, cancel_form=form, status=status)
    messages.success(request, _("La décision en attente est écartée ; la demande reste en évaluation."))
    return redirect("grants:decision_record", pk=application.pk)
