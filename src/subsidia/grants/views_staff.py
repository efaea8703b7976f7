"""Pages for the ministry's staff: calls, the officers' queue, reviews, decisions and payments.

Reads go through :mod:`subsidia.grants.selectors` (always scoped by the user), writes through
:mod:`subsidia.grants.services`. A refused change is shown on the form (422), a clash with the current
state or with someone else's edit as a message (409); nothing here answers 500 on a business rule.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from subsidia.accounts.reauth import reauthentication_required
from subsidia.accounts.roles import Role
from subsidia.core.access import access, roles
from subsidia.core.errors import Code, Conflict, NotFound, RuleViolation, Violation, add_to_form
from subsidia.core.errors import PermissionDenied as ServicePermissionDenied
from subsidia.core.exports import to_csv
from subsidia.core.forms import error_summary
from subsidia.core.http import int_or_none, safe_next

from . import exports, selectors
from .errors import GrantError
from .forms_staff import (
    AssignForm,
    CallForm,
    CancelDecisionForm,
    ConflictForm,
    CriterionFormSet,
    DecisionForm,
    PaymentForm,
    QuestionFormSet,
    QueueFilterForm,
    ScoreForm,
    TrancheFormSet,
    call_data,
    criteria_initial,
    questions_initial,
    reviewers,
)
from .models import Application, Call, Decision, Recommendation, Review, State, Tranche
from .services import calls as call_services
from .services import decisions as decision_services
from .services import payments as payment_services
from .services import reviews as review_services
from .workflow import PAYABLE_STATES, REVIEW_STATES

# --- who may use which page ------------------------------------------------------------------------

OFFICERS = roles(Role.OFFICER, name="grant_officers")
# The ministry's readers of every call and application (the auditor reads and never writes).
GRANT_READERS = roles(Role.OFFICER, Role.APPROVER, Role.FINANCE, Role.AUDITOR, Role.ADMIN, name="grant_readers")
REVIEWERS = roles(Role.REVIEWER, name="grant_reviewers")
DECISION_READERS = roles(Role.OFFICER, Role.APPROVER, Role.AUDITOR, Role.ADMIN, name="decision_readers")
APPROVERS = roles(Role.APPROVER, name="grant_approvers")
PAYMENT_READERS = roles(Role.FINANCE, Role.OFFICER, Role.AUDITOR, Role.ADMIN, name="payment_readers")
FINANCE = roles(Role.FINANCE, name="grant_finance")

PAGE_SIZE = 25
QUEUE_FILTERS = ("call", "state", "priority", "organisation", "reviewer", "q", "sort")
SORTABLE_COLUMNS = [
    ("reference", gettext_lazy("Référence")), ("title", gettext_lazy("Projet")),
    ("organisation", gettext_lazy("Organisation")), ("state", gettext_lazy("État")),
    ("amount", gettext_lazy("Montant demandé")), ("start", gettext_lazy("Début")),
    ("submitted", gettext_lazy("Déposée le")),
]
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


# --- helpers ---------------------------------------------------------------------------------------

def _user(request: HttpRequest) -> Any:
    return request.user


def _remap(error: RuleViolation, mapping: dict[str, str]) -> RuleViolation:
    return RuleViolation([Violation(v.code, v.message, mapping.get(v.field or "", v.field)) for v in error.violations])


def _refused(request: HttpRequest, error: RuleViolation, form: forms.Form | None = None,
             mapping: dict[str, str] | None = None) -> int:
    """Show a service's refusal and return the status of the page: the object is hidden (404), a clash
    with the current state or another person's edit is a message (409), a broken rule goes on the form (422)."""
    if isinstance(error, NotFound):
        raise Http404(str(error))
    if form is None or isinstance(error, Conflict | ServicePermissionDenied):
        for violation in error.violations:
            messages.error(request, str(violation.message))
    else:
        add_to_form(form, _remap(error, mapping or {}))
    return error.status_code


_error_summary = error_summary


def _document_url(application: Application, document_pk: int) -> str | None:
    try:
        return reverse("grants:document_download", kwargs={"pk": application.pk, "document_pk": document_pk})
    except NoReverseMatch:  # the partner pages are not mounted (yet)
        return None


def _detail_url(application: Application) -> str | None:
    try:
        return reverse("grants:application_detail", kwargs={"pk": application.pk})
    except NoReverseMatch:
        return None


def _visible_application(request: HttpRequest, pk: int) -> Application:
    return get_object_or_404(selectors.applications_visible_to(request.user), pk=pk)


def _decision_of(application: Application) -> Decision | None:
    return Decision.objects.filter(application=application).select_related("decided_by", "confirmed_by").first()


def _threshold() -> Decimal:
    return Decimal(str(settings.FOUR_EYES_THRESHOLD))


# --- calls -----------------------------------------------------------------------------------------

@access(GRANT_READERS)
@require_GET
def call_manage_list(request: HttpRequest) -> HttpResponse:
    calls = selectors.calls_visible_to(request.user).order_by("-year", "title")
    user = _user(request)
    return render(request, "grants/staff/call_list.html", {
        "calls": calls,
        "can_manage": selectors.manages_calls(user),
        "can_see_summary": user.has_role(Role.OFFICER, Role.APPROVER, Role.AUDITOR, Role.ADMIN),
    })


def _call_form_page(request: HttpRequest, call: Call | None) -> HttpResponse:
    user = _user(request)
    if request.method == "POST":
        form = CallForm(request.POST)
        criteria = CriterionFormSet(request.POST, prefix="criteria")
        questions = QuestionFormSet(request.POST, prefix="questions")
    elif call is not None:
        form = CallForm(initial=CallForm.initial_for(call))
        criteria = CriterionFormSet(initial=criteria_initial(call), prefix="criteria")
        questions = QuestionFormSet(initial=questions_initial(call), prefix="questions")
    else:
        form = CallForm()
        criteria = CriterionFormSet(prefix="criteria")
        questions = QuestionFormSet(prefix="questions")
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid() and criteria.is_valid() and questions.is_valid():
            data = call_data(form, criteria, questions)
            try:
                if call is None:
                    call_services.create_call(user, data)
                else:
                    call_services.update_call(user, call, data, expected_version=form.cleaned_data["version"])
            except RuleViolation as error:
                status = _refused(request, error, form)
            else:
                messages.success(request, _("Appel créé.") if call is None else _("Appel enregistré."))
                return redirect("grants:call_manage_list")
    return render(request, "grants/staff/call_form.html", {
        "form": form, "criteria": criteria, "questions": questions, "call": call,
        "errors": _error_summary(form, criteria, questions),
    }, status=status)


@access(OFFICERS)
@require_http_methods(["GET", "POST"])
def call_create(request: HttpRequest) -> HttpResponse:
    return _call_form_page(request, None)


@access(OFFICERS)
@require_http_methods(["GET", "POST"])
def call_edit(request: HttpRequest, pk: int) -> HttpResponse:
    call = get_object_or_404(selectors.calls_visible_to(request.user), pk=pk)
    return _call_form_page(request, call)


# --- the queue -------------------------------------------------------------------------------------

def _queue(request: HttpRequest) -> tuple[QueueFilterForm, QuerySet[Application], dict[str, str]]:
    """The filter form, the filtered and sorted applications, and the filters in force."""
    form = QueueFilterForm(request.GET or None, calls=selectors.calls_visible_to(request.user))
    filters = form.filters()
    applications = selectors.queue(request.user, **{k: v for k, v in filters.items() if k in QUEUE_FILTERS})
    decision = filters.get("decision", "")
    if decision == "none":
        applications = applications.filter(decision__isnull=True)
    elif decision == "pending":
        applications = applications.filter(decision__isnull=False, decision__confirmed_at__isnull=True)
    elif decision == "final":
        applications = applications.filter(decision__confirmed_at__isnull=False)
    return form, applications, filters


def _sort_columns(request: HttpRequest, current: str) -> list[dict[str, Any]]:
    base = request.GET.copy()
    base.pop("page", None)
    base.pop("sort", None)
    columns = []
    for key, label in SORTABLE_COLUMNS:
        aria, following = "", key
        if current == key:
            aria, following = "ascending", f"-{key}"
        elif current == f"-{key}":
            aria, following = "descending", key
        query = base.copy()
        query["sort"] = following
        columns.append({"key": key, "label": label, "aria_sort": aria, "url": f"?{query.urlencode()}"})
    return columns


@access(GRANT_READERS)
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    form, applications, filters = _queue(request)
    page = Paginator(applications, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [{"application": a, "reviews": list(a.reviews.all()), "stats": selectors.score_stats(a)} for a in page]
    query = request.GET.copy()
    export_query = request.GET.copy()
    export_query.pop("page", None)
    can_assign = selectors.manages_calls(_user(request))
    return render(request, "grants/staff/queue.html", {
        "form": form, "page": page, "rows": rows, "query": query,
        "columns": _sort_columns(request, filters.get("sort", "")),
        "export_query": export_query.urlencode(), "can_assign": can_assign,
        "reviewers": reviewers() if can_assign else [], "total": page.paginator.count,
    })


@access(OFFICERS)
@require_POST
def queue_assign(request: HttpRequest) -> HttpResponse:
    back = safe_next(request, reverse("grants:queue"))
    form = AssignForm(request.POST, applications=selectors.applications_visible_to(request.user))
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect(back)
    try:
        created = review_services.assign_reviewers(request.user, form.cleaned_data["applications"],
                                                   form.cleaned_data["reviewers"])
    except RuleViolation as error:
        _refused(request, error)
        return redirect(back)
    if created:
        messages.success(request, ngettext("%(n)s évaluation confiée.", "%(n)s évaluations confiées.",
                                           len(created)) % {"n": len(created)})
    else:
        messages.info(request, _("Ces experts étaient déjà assignés : rien n'a changé."))
    return redirect(back)


@access(OFFICERS)
@require_POST
def review_unassign(request: HttpRequest, pk: int) -> HttpResponse:
    """An officer takes a reviewer off an application whose review is not yet submitted."""
    review = get_object_or_404(Review.objects.filter(application__in=selectors.applications_visible_to(request.user)),
                               pk=pk)
    label = str(review.reviewer)
    try:
        review_services.unassign_reviewer(request.user, review)
    except RuleViolation as error:
        _refused(request, error)
    else:
        messages.success(request, _("%(who)s est retiré(e) de l'évaluation.") % {"who": label})
    return redirect(safe_next(request, reverse("grants:queue")))


@access(GRANT_READERS)
@require_GET
def queue_export(request: HttpRequest, fmt: str) -> HttpResponse:
    if fmt not in ("csv", "xlsx"):
        raise Http404
    _form, applications, _filters = _queue(request)
    header, data = exports.headers(), exports.rows(applications)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    if fmt == "csv":
        response = HttpResponse(to_csv(header, data), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(
            exports.to_xlsx(header, data, _("Demandes")),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="demandes-{stamp}.{fmt}"'
    return response


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
    application = _visible_application(request, own.application_id)
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
                    review_services.declare_conflict(request.user, own, conflict_form.cleaned_data["note"])
                except RuleViolation as error:
                    status = _refused(request, error, conflict_form)
                else:
                    messages.success(request, _("Conflit d'intérêts déclaré : vous êtes retiré(e) de cette "
                                                "évaluation. Les agents en sont informés."))
                    return redirect("grants:my_reviews")
        elif action == "score":
            score_form = ScoreForm(request.POST, criteria=criteria)
            status = 422
            if score_form.is_valid():
                try:
                    review_services.submit_review(request.user, own, score_form.scores(),
                                                  score_form.cleaned_data["recommendation"],
                                                  score_form.cleaned_data["comment"])
                except RuleViolation as error:
                    status = _refused(request, error, score_form,
                                      {f"scores.{c.pk}": f"score_{c.pk}" for c in criteria})
                else:
                    messages.success(request, _("Évaluation remise. Merci."))
                    return redirect("grants:my_reviews")
        else:
            return HttpResponseBadRequest(_("Action inconnue."))
    own.refresh_from_db()
    open_for_review = application.state in REVIEW_STATES
    documents = [(d, _document_url(application, d.pk)) for d in application.current_documents()]
    answers = application.answers or {}
    questions = [(q, answers.get(q.key, "")) for q in application.call.questions.all() if q.kind != "file"]
    return render(request, "grants/staff/review.html", {
        "review": own, "application": application, "criteria": criteria, "documents": documents,
        "questions": questions, "expenses": application.lines("planned"), "totals": application.totals(),
        "scores": list(own.scores.select_related("criterion")),
        "can_declare_conflict": open_for_review and own.status == Review.Status.ASSIGNED,
        "can_score": application.state == State.UNDER_REVIEW and own.status != Review.Status.CONFLICT,
        "conflict_form": conflict_form, "score_form": score_form,
        "errors": _error_summary(conflict_form, score_form),
    }, status=status)


# --- decisions ---------------------------------------------------------------------------------------

def _recommendations(stats: selectors.ScoreStats) -> list[tuple[str, int]]:
    return [(str(Recommendation(code).label) if code in Recommendation.values else code, count)
            for code, count in sorted(stats.recommendations.items())]


@access(DECISION_READERS)
@require_GET
def decision_summary(request: HttpRequest, pk: int) -> HttpResponse:
    call = get_object_or_404(selectors.calls_visible_to(request.user), pk=pk)
    summary = selectors.decision_summary(call)
    rows = [{"row": row, "recommendations": _recommendations(row.stats), "detail_url": _detail_url(row.application)}
            for row in summary["rows"]]
    return render(request, "grants/staff/decision_summary.html", {
        **summary, "rows": rows, "is_approver": _user(request).has_role(Role.APPROVER),
        "threshold": _threshold(),
    })


def _tranche_rows(formset: forms.BaseFormSet) -> tuple[list[dict[str, Any]], list[forms.Form]]:
    rows, sources = [], []
    for form in formset.forms:
        data = form.cleaned_data
        if data:
            rows.append({"due_on": data["due_on"].isoformat(), "amount": str(data["amount"])})
            sources.append(form)
    return rows, sources


def _decision_page(request: HttpRequest, application: Application, *, form: DecisionForm | None = None,
                   tranches: forms.BaseFormSet | None = None, cancel_form: CancelDecisionForm | None = None,
                   status: int = 200) -> HttpResponse:
    user = _user(request)
    decision = _decision_of(application)
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
        "threshold": _threshold(), "remaining": application.call.remaining, "can_decide": can_decide,
        "can_confirm": pending and decision is not None and decision.decided_by_id != user.pk,
        "decided_by_me": pending and decision is not None and decision.decided_by_id == user.pk,
        "form": form or DecisionForm(initial={"version": application.version}),
        "tranches": tranches or TrancheFormSet(prefix="tranches"),
        "cancel_form": cancel_form or CancelDecisionForm(),
        "tranche_list": list(application.tranches.all()), "detail_url": _detail_url(application),
        "errors": _error_summary(form, tranches, cancel_form),
    }, status=status)


@access(APPROVERS)
@require_http_methods(["GET", "POST"])
@reauthentication_required
def decision_record(request: HttpRequest, pk: int) -> HttpResponse:
    """The approver records the decision; above the four-eyes threshold it waits for a second approver."""
    application = _visible_application(request, pk)
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
        decision = decision_services.record_decision(
            request.user, application, outcome=data["outcome"],
            granted_amount=data["granted_amount"] if approved else 0, conditions=data["conditions"],
            motivation=data["motivation"], tranches=(rows or None) if approved else None,
            expected_version=data["version"])
    except RuleViolation as error:
        plain: list[Violation] = []
        for violation in error.violations:
            parts = (violation.field or "").split(".")
            if len(parts) == 3 and parts[0] == "tranches" and parts[1].isdigit() and int(parts[1]) < len(sources):
                sources[int(parts[1])].add_error(parts[2], str(violation.message))
            else:
                plain.append(violation)
        status = _refused(request, type(error)(plain), form) if plain else error.status_code
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
    application = _visible_application(request, pk)
    try:
        decision_services.confirm_decision(request.user, application,
                                           expected_version=int_or_none(request.POST.get("version")))
    except RuleViolation as error:
        status = _refused(request, error)
        return _decision_page(request, application, status=status)
    messages.success(request, _("Décision confirmée : elle est définitive."))
    return redirect(safe_next(request, reverse("grants:decision_record", kwargs={"pk": application.pk})))


@access(APPROVERS)
@require_POST
@reauthentication_required(back="grants:decision_record")
def decision_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    application = _visible_application(request, pk)
    form = CancelDecisionForm(request.POST)
    if not form.is_valid():
        return _decision_page(request, application, cancel_form=form, status=422)
    try:
        decision_services.cancel_pending_decision(request.user, application, form.cleaned_data["reason"])
    except RuleViolation as error:
        status = _refused(request, error, form)
        return _decision_page(request, application, cancel_form=form, status=status)
    messages.success(request, _("La décision en attente est écartée ; la demande reste en évaluation."))
    return redirect("grants:decision_record", pk=application.pk)


# --- payments --------------------------------------------------------------------------------------

def _unpaid_tranches(request: HttpRequest) -> QuerySet[Tranche]:
    visible = selectors.applications_visible_to(request.user).values("pk")
    return (Tranche.objects.filter(application__in=visible, paid_on__isnull=True,
                                   application__state__in=PAYABLE_STATES)
            .select_related("application__organisation", "application__call")
            .order_by("due_on", "application__reference", "position"))


def payment_form(tranche: Tranche, data: QueryDict | None = None) -> PaymentForm:
    return PaymentForm(data, auto_id=f"paiement-{tranche.pk}-%s")


def _payments_page(request: HttpRequest, failed: PaymentForm | None = None, failed_pk: int | None = None,
                   status: int = 200) -> HttpResponse:
    page = Paginator(_unpaid_tranches(request), PAGE_SIZE).get_page(request.GET.get("page"))
    can_pay = _user(request).has_role(Role.FINANCE)
    rows = [{"tranche": t, "form": (failed if t.pk == failed_pk and failed is not None else payment_form(t))
             if can_pay else None, "overdue": t.due_on < timezone.localdate()} for t in page]
    return render(request, "grants/staff/payments.html", {
        "page": page, "rows": rows, "can_pay": can_pay, "query": request.GET.copy(),
        "errors": _error_summary(failed),
    }, status=status)


@access(PAYMENT_READERS)
@require_GET
def payments(request: HttpRequest) -> HttpResponse:
    return _payments_page(request)


@access(FINANCE)
@require_POST
@reauthentication_required(back="grants:payments")
def payment_record(request: HttpRequest, pk: int) -> HttpResponse:
    visible = selectors.applications_visible_to(request.user).values("pk")
    tranche = get_object_or_404(Tranche.objects.filter(application__in=visible), pk=pk)
    form = payment_form(tranche, request.POST)
    if not form.is_valid():
        return _payments_page(request, form, tranche.pk, status=422)
    try:
        payment_services.record_payment(request.user, tranche, form.cleaned_data["paid_on"],
                                        form.cleaned_data["reference"])
    except RuleViolation as error:
        status = _refused(request, error, form)
        return _payments_page(request, form, tranche.pk, status=status)
    messages.success(request, _("Paiement de la tranche %(n)s de %(ref)s enregistré.") % {
        "n": tranche.position, "ref": tranche.application.reference})
    return redirect(safe_next(request, reverse("grants:payments")))


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
    user = _user(request)
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
    decision = _decision_of(application)
    pending = decision is not None and not decision.is_final
    can_pay = user.has_role(Role.FINANCE) and application.state in PAYABLE_STATES
    tranches = [{"tranche": t, "form": payment_form(t) if can_pay and t.paid_on is None else None}
                for t in application.tranches.all()]
    is_approver = user.has_role(Role.APPROVER)
    context.update({
        "eligibility": _eligibility(application),
        "reviews": [{"review": r, "scores": list(r.scores.all()), "weighted": r.weighted_score()} for r in reviews],
        "stats": selectors.score_stats(application),
        "recommendations": _recommendations(selectors.score_stats(application)),
        "can_assign": selectors.manages_calls(user) and application.state in REVIEW_STATES,
        "reviewers": [u for u in reviewers() if u.pk not in assigned],
        "decision": decision, "pending": pending,
        "four_eyes_applies": bool(decision and decision_services.four_eyes_required(decision.outcome,
                                                                             decision.granted_amount)),
        "threshold": _threshold(),
        "can_decide": is_approver and decision is None and application.state == State.UNDER_REVIEW,
        "can_confirm": is_approver and pending and decision is not None and decision.decided_by_id != user.pk,
        "is_approver": is_approver,
        "tranches": tranches, "can_pay": can_pay,
    })
    return context
