"""The reviewers' pages: their assignments, and one application to read, declare a conflict of interest on
or score (their own reviews only: another reviewer's answers 404)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from subsidia.core.access import access
from subsidia.core.errors import RuleViolation
from subsidia.core.forms import error_summary

from . import selectors
from .forms_staff import ConflictForm, ScoreForm
from .models import Review, State
from .services import reviews as review_services
from .views_staff import REVIEWERS, actor_of, document_url, refused, visible_application
from .workflow import REVIEW_STATES

# --- reviews -----------------------------------------------------------------------------------------

@access(REVIEWERS)
@require_GET
def my_reviews(request: HttpRequest) -> HttpResponse:
    return render(request, "grants/staff/my_reviews.html", {"reviews": selectors.reviews_of(request.user)})


def _score_initial(review: Review) -> dict[str, Any]:
    initial: dict[str, Any] = {"recommendation": review.recommendation, "comment": review.comment}
    for score in review.scores.all():
        initial[f"score_{score.criterion_id}"] = str(score.score)
        initial[f"comment_{score.criterion_id}"] = score.comment
    return initial


@access(REVIEWERS)
@require_http_methods(["GET", "POST"])
def review(request: HttpRequest, pk: int) -> HttpResponse:
    """A reviewer reads the application, declares a conflict of interest or scores it (own reviews only)."""
    own = get_object_or_404(selectors.reviews_of(request.user), pk=pk)
    application = visible_application(request, own.application_id)
    criteria = list(application.call.criteria.all())
    conflict_form = ConflictForm()
    score_form = ScoreForm(initial=_score_initial(own), criteria=criteria)
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "conflict":
            conflict_form = ConflictForm(request.POST)
            status = 422
            if conflict_form.is_valid():
                try:
                    review_services.declare_conflict(actor_of(request), own, conflict_form.cleaned_data["note"])
                except RuleViolation as error:
                    status = refused(request, error, conflict_form)
                else:
                    messages.success(request, _("Conflit d'intérêts déclaré : vous êtes retiré(e) de cette "
                                                "évaluation. Les agents en sont informés."))
                    return redirect("grants:my_reviews")
        elif action == "score":
            score_form = ScoreForm(request.POST, criteria=criteria)
            status = 422
            if score_form.is_valid():
                try:
                    review_services.submit_review(actor_of(request), own, score_form.scores(),
                                                  score_form.cleaned_data["recommendation"],
                                                  score_form.cleaned_data["comment"])
                except RuleViolation as error:
                    status = refused(request, error, score_form,
                                      {f"scores.{c.pk}": f"score_{c.pk}" for c in criteria})
                else:
                    messages.success(request, _("Évaluation remise. Merci."))
                    return redirect("grants:my_reviews")
        else:
            return HttpResponseBadRequest(_("Action inconnue."))
    own.refresh_from_db()
    open_for_review = application.state in REVIEW_STATES
    documents = [(d, document_url(application, d.pk)) for d in application.current_documents()]
    answers = application.answers or {}
    questions = [(q, answers.get(q.key, "")) for q in application.call.questions.all() if q.kind != "file"]
    return render(request, "grants/staff/review.html", {
        "review": own, "application": application, "criteria": criteria, "documents": documents,
        "questions": questions, "expenses": application.lines("planned"), "totals": application.totals(),
        "scores": list(own.scores.select_related("criterion")),
        "can_declare_conflict": open_for_review and own.status == Review.Status.ASSIGNED,
        "can_score": application.state == State.UNDER_REVIEW and own.status != Review.Status.CONFLICT,
        "conflict_form": conflict_form, "score_form": score_form,
        "errors": error_summary(conflict_form, score_form),
    }, status=status)
