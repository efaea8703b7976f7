"""Pages for the ministry's staff: calls and the officers' queue (assignment, export), with what every staff
page shares (who may use which page, how a refusal is shown). Reviews, decisions, payments and the staff
panel of an application's page are the ``views_staff_*`` modules.

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
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from subsidia.accounts.actors import Actor
from subsidia.accounts.models import User
from subsidia.accounts.roles import Role
from subsidia.core.access import access, roles
from subsidia.core.errors import Conflict, NotFound, RuleViolation, Violation, add_to_form
from subsidia.core.errors import PermissionDenied as ServicePermissionDenied
from subsidia.core.exports import to_csv
from subsidia.core.forms import error_summary
from subsidia.core.http import safe_next

from . import exports, selectors
from .forms_staff import (
    AssignForm,
    CallForm,
    CriterionFormSet,
    QuestionFormSet,
    QueueFilterForm,
    call_input,
    criteria_initial,
    questions_initial,
    reviewers,
)
from .models import Application, Call, Decision, Review
from .services import calls as call_services
from .services import reviews as review_services

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


# --- helpers ---------------------------------------------------------------------------------------

def actor_of(request: HttpRequest) -> Actor:
    """The person acting on a page behind a role or sign-in policy (its access policy lets only them in)."""
    user = request.user
    assert isinstance(user, User), "a page that writes is reached signed in"
    return user


def _remap(error: RuleViolation, mapping: dict[str, str]) -> RuleViolation:
    return RuleViolation([Violation(v.code, v.message, mapping.get(v.field or "", v.field)) for v in error.violations])


def refused(request: HttpRequest, error: RuleViolation, form: forms.Form | None = None,
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


def document_url(application: Application, document_pk: int) -> str | None:
    try:
        return reverse("grants:document_download", kwargs={"pk": application.pk, "document_pk": document_pk})
    except NoReverseMatch:  # the partner pages are not mounted (yet)
        return None


def detail_url(application: Application) -> str | None:
    try:
        return reverse("grants:application_detail", kwargs={"pk": application.pk})
    except NoReverseMatch:
        return None


def visible_application(request: HttpRequest, pk: int) -> Application:
    return get_object_or_404(selectors.applications_visible_to(request.user), pk=pk)


def decision_of(application: Application) -> Decision | None:
    return Decision.objects.filter(application=application).select_related("decided_by", "confirmed_by").first()


def threshold() -> Decimal:
    return Decimal(str(settings.FOUR_EYES_THRESHOLD))


# --- calls -----------------------------------------------------------------------------------------

@access(GRANT_READERS)
@require_GET
def call_manage_list(request: HttpRequest) -> HttpResponse:
    calls = selectors.calls_visible_to(request.user).order_by("-year", "title")
    user = actor_of(request)
    return render(request, "grants/staff/call_list.html", {
        "calls": calls,
        "can_manage": selectors.manages_calls(user),
        "can_see_summary": user.has_role(Role.OFFICER, Role.APPROVER, Role.AUDITOR, Role.ADMIN),
    })


def _call_form_page(request: HttpRequest, call: Call | None) -> HttpResponse:
    user = actor_of(request)
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
            data = call_input(form, criteria, questions)
            try:
                if call is None:
                    call_services.create_call(user, data)
                else:
                    call_services.update_call(user, call, data, expected_version=form.cleaned_data["version"])
            except RuleViolation as error:
                status = refused(request, error, form)
            else:
                messages.success(request, _("Appel créé.") if call is None else _("Appel enregistré."))
                return redirect("grants:call_manage_list")
    return render(request, "grants/staff/call_form.html", {
        "form": form, "criteria": criteria, "questions": questions, "call": call,
        "errors": error_summary(form, criteria, questions),
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
    can_assign = selectors.manages_calls(actor_of(request))
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
        created = review_services.assign_reviewers(actor_of(request), form.cleaned_data["applications"],
                                                   form.cleaned_data["reviewers"])
    except RuleViolation as error:
        refused(request, error)
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
        review_services.unassign_reviewer(actor_of(request), review)
    except RuleViolation as error:
        refused(request, error)
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
