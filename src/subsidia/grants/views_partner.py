"""Pages for the public and the partners: the open calls, starting and listing applications, an application's
page and the workflow's acts from it, with what the other partner pages share (drafting and documents are
:mod:`~subsidia.grants.views_partner_drafting`, the final report and the letter
:mod:`~subsidia.grants.views_partner_report`). Officers act on applications through the same pages.

Views are thin: reads go through :mod:`subsidia.grants.selectors` (scoped by the user: another organisation's
application answers 404), writes through :mod:`subsidia.grants.services`. A refused change is shown on the
form (422), a clash with the current state or with someone else's edit as a message (409).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from subsidia.accounts.access import PARTNERS
from subsidia.accounts.actors import Actor, Visitor
from subsidia.accounts.roles import STAFF_ROLES, Role
from subsidia.core.access import PUBLIC, SIGNED_IN, access, roles
from subsidia.core.errors import Code, Conflict, NotFound, PermissionDenied, RuleViolation
from subsidia.core.forms import error_summary
from subsidia.core.http import int_or_none
from subsidia.organisations import selectors as organisation_selectors
from subsidia.organisations.models import LegalForm

from . import overlaps, selectors, workflow
from .forms_partner import ANSWER_PREFIX, ApplicationCreateForm, BudgetLineForm
from .inputs import ApplicationInput
from .models import (
    Application,
    ApplicationDocument,
    ApplicationDocumentKind,
    BudgetLine,
    Decision,
    DeliverableType,
    FinalReport,
    QuestionKind,
    State,
)
from .services import drafting as drafting_services
from .services import reports as report_services
from .services import transitions as transition_services
from .views_staff import actor_of
from .views_staff_panel import staff_panel_context

# --- who may use which page ------------------------------------------------------------------------

# Partners draft their organisation's applications; officers may correct them before the decision.
APPLICATION_EDITORS = roles(Role.PARTNER_MEMBER, Role.PARTNER_ADMIN, Role.OFFICER, name="application_editors")
# Who moves an application along the workflow from its page (partner admins and officers; the
# approvers decide on the staff pages).
APPLICATION_ACTORS = roles(Role.PARTNER_ADMIN, Role.OFFICER, name="application_actors")

if TYPE_CHECKING:
    FormSet = forms.BaseFormSet[BudgetLineForm]
else:
    FormSet = forms.BaseFormSet

# --- helpers ---------------------------------------------------------------------------------------


def application_or_404(request: HttpRequest, pk: int) -> Application:
    """The application if the user sees it, else 404 (its existence does not leak)."""
    return get_object_or_404(selectors.applications_visible_to(request.user), pk=pk)



def raise_for(error: RuleViolation) -> None:
    """Turn a service's "not found" and "not allowed" into the 404 and 403 pages."""
    if isinstance(error, NotFound):
        raise Http404(str(error))
    if isinstance(error, PermissionDenied):
        raise DjangoPermissionDenied(str(error))


def is_stale(error: RuleViolation) -> bool:
    return isinstance(error, Conflict) and any(v.code == Code.STALE_VERSION for v in error.violations)


def _is_partner(user: Visitor) -> bool:
    return bool(user.is_authenticated and user.partner_roles)


def _is_staff(user: Visitor) -> bool:
    return bool(user.is_authenticated and user.staff_roles & STAFF_ROLES)


def edit_refusal(user: Actor, application: Application) -> RuleViolation | None:
    """Why this user may not edit this application now (None: they may); the rule is the services'."""
    try:
        drafting_services.require_editable(user, application)
    except RuleViolation as error:
        return error
    return None


def _field_anchor(field: str | None) -> str:
    """The id of the input a violation concerns, on the edit page."""
    if not field:
        return ""
    if field.startswith("answers."):
        return f"id_{ANSWER_PREFIX}{field.split('.', 1)[1]}"
    if field.startswith("budget_lines"):
        return "budget"
    if field == "documents":
        return "documents"
    if field in {"title", "summary", "description", "priority", "activity_domain", "start_date", "end_date",
                 "requested_amount"}:
        return f"id_{field}"
    if field == "deliverable_types":
        return "id_deliverable_types_0"
    return ""


def submission_preview(application: Application) -> list[dict[str, str]]:
    """What would stop the submission now, each with the input to fix."""
    return [{"message": str(v.message), "anchor": _field_anchor(v.field), "code": v.code}
            for v in drafting_services.eligibility_preview(application)]




def documents_by_kind(application: Application) -> list[dict[str, Any]]:
    """Each document (kind and question) with all its versions, newest first."""
    groups: dict[tuple[str, str], list[ApplicationDocument]] = {}
    for document in sorted(application.documents.all(), key=lambda d: (d.kind, d.question_key, -d.version)):
        groups.setdefault((document.kind, document.question_key), []).append(document)
    labels = {q.key: q.label for q in application.call.questions.all()}
    return [{"kind": kind, "question_key": key, "label": labels.get(key) or versions[0].get_kind_display(),
             "versions": versions} for (kind, key), versions in groups.items()]


def budget_of(application: Application, stage: str = BudgetLine.Stage.PLANNED) -> dict[str, Any]:
    lines = application.lines(stage)
    totals = application.totals(stage)
    requested = application.requested_amount or 0
    return {
        "expenses": [line for line in lines if line.kind == BudgetLine.Kind.EXPENSE],
        "incomes": [line for line in lines if line.kind == BudgetLine.Kind.INCOME],
        "total_expenses": totals["expenses"], "total_incomes": totals["incomes"], "requested": requested,
        "balance": totals["expenses"] - totals["incomes"] - requested,
    }


def _labels(values: list[str], choices: Any) -> list[str]:
    known = dict(choices)
    return [str(known.get(value, value)) for value in values or []]


def _decision(application: Application) -> Decision | None:
    return Decision.objects.filter(application=application).first()


def _answers(application: Application) -> list[dict[str, Any]]:
    answers = application.answers or {}
    documents = documents_by_kind(application)
    out = []
    for question in application.call.questions.all():
        if not question.is_shown(answers):
            continue
        item: dict[str, Any] = {"question": question, "value": answers.get(question.key, "")}
        if question.kind == QuestionKind.FILE:
            item["documents"] = next((d["versions"] for d in documents if d["question_key"] == question.key), [])
        out.append(item)
    return out


STATE_EXPLANATIONS: dict[str, Any] = {
    State.DRAFT: gettext_lazy("La demande est en préparation : elle n'est visible que de votre organisation et "
                              "du ministère. Complétez-la puis déposez-la."),
    State.SUBMITTED: gettext_lazy("La demande est déposée : le ministère va examiner son éligibilité."),
    State.ELIGIBILITY: gettext_lazy("Un agent du ministère vérifie que la demande remplit les conditions de "
                                    "l'appel."),
    State.MORE_INFORMATION_REQUESTED: gettext_lazy("Le ministère vous demande des informations : complétez la "
                                                   "demande puis déposez-la à nouveau."),
    State.INELIGIBLE: gettext_lazy("La demande ne remplit pas les conditions de l'appel ; les motifs sont "
                                   "indiqués ci-dessous."),
    State.UNDER_REVIEW: gettext_lazy("La demande est éligible : des experts l'évaluent avant la décision."),
    State.APPROVED: gettext_lazy("Le subside est accordé. Le suivi du projet commence bientôt."),
    State.REJECTED: gettext_lazy("Le subside n'est pas accordé ; la lettre de décision en donne les motifs."),
    State.WITHDRAWN: gettext_lazy("La demande a été retirée par l'organisation."),
    State.IN_PROGRESS: gettext_lazy("Le projet est en cours. Déposez le rapport final à la fin du projet."),
    State.REPORTING: gettext_lazy("Le rapport final est déposé : le ministère l'examine avant de clôturer le "
                                  "dossier."),
    State.CLOSED: gettext_lazy("Le dossier est clôturé."),
}


# --- the workflow's actions on the application page --------------------------------------------------


@dataclass(frozen=True)
class ActionField:
    name: str
    label: Any
    required: bool = False
    help_text: Any = ""


Action = Callable[[Actor, Application, int | None, QueryDict], object]


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


ACTIONS: dict[str, Action] = {
    "submit": lambda user, app, version, data: transition_services.submit(user, app, expected_version=version),
    "withdraw": lambda user, app, version, data: transition_services.withdraw(user, app, note=data.get("note", ""),
                                                                              expected_version=version),
    "start_eligibility": lambda user, app, version, data: transition_services.start_eligibility(user, app,
                                                                                                expected_version=version),
    "declare_eligible": lambda user, app, version, data: transition_services.declare_eligible(
        user, app, expected_version=version, note=data.get("note", "")),
    "declare_ineligible": lambda user, app, version, data: transition_services.declare_ineligible(
        user, app, reasons=_lines(data.get("reasons", "")), expected_version=version),
    "request_information": lambda user, app, version, data: transition_services.request_information(
        user, app, data.get("questions", ""), expected_version=version),
    "start_project": lambda user, app, version, data: transition_services.start_project(
        user, app, expected_version=version),
    "return_report": lambda user, app, version, data: report_services.return_report(user, app, data.get("comment", ""),
                                                                                    expected_version=version),
    "close": lambda user, app, version, data: report_services.close(user, app, expected_version=version),
}
ACTION_FIELDS: dict[str, list[ActionField]] = {
    "withdraw": [ActionField("note", gettext_lazy("Motif du retrait (facultatif)"))],
    "declare_eligible": [ActionField("note", gettext_lazy("Remarque (facultative)"))],
    "declare_ineligible": [ActionField(
        "reasons", gettext_lazy("Motifs de non-éligibilité, un par ligne"),
        help_text=gettext_lazy("Laissez vide pour reprendre les règles non respectées lors du dernier contrôle."))],
    "request_information": [ActionField("questions", gettext_lazy("Informations demandées à l'organisation"),
                                        required=True)],
    "return_report": [ActionField("comment", gettext_lazy("Ce qui manque au rapport"), required=True)],
}
ACTION_DONE = {
    "submit": gettext_lazy("La demande est déposée. Le ministère va examiner son éligibilité."),
    "withdraw": gettext_lazy("La demande est retirée."),
    "start_eligibility": gettext_lazy("L'examen de l'éligibilité commence."),
    "declare_eligible": gettext_lazy("La demande est déclarée éligible."),
    "declare_ineligible": gettext_lazy("La demande est déclarée non éligible."),
    "request_information": gettext_lazy("La demande d'informations est envoyée à l'organisation."),
    "start_project": gettext_lazy("Le suivi du projet commence."),
    "return_report": gettext_lazy("Le rapport est renvoyé à l'organisation."),
    "close": gettext_lazy("Le dossier est clôturé."),
}


def available_actions(user: Actor, application: Application) -> list[dict[str, Any]]:
    """The workflow's transitions this user may make here, with the fields each needs."""
    actions = []
    for transition in workflow.WORKFLOW.available_to(user, application.state):
        if transition.name not in ACTIONS:
            continue
        if Role.PARTNER_ADMIN in transition.roles and not selectors.is_member_of(user, application, admin=True):
            continue
        actions.append({"name": transition.name, "label": transition.label,
                        "fields": ACTION_FIELDS.get(transition.name, [])})
    return actions


# --- public pages: the calls -------------------------------------------------------------------------


@access(PUBLIC)
@require_GET
def call_list(request: HttpRequest) -> HttpResponse:
    """The calls open today, for everyone."""
    return render(request, "grants/public/call_list.html", {
        "calls": selectors.open_calls(), "is_partner": _is_partner(request.user),
    })


@access(PUBLIC)
@require_GET
def call_detail(request: HttpRequest, pk: int) -> HttpResponse:
    call = get_object_or_404(selectors.calls_visible_to(request.user), pk=pk)
    return render(request, "grants/public/call_detail.html", {
        "call": call,
        "is_open": call.is_open(),
        "opens_later": bool(call.opens_on and call.opens_on > timezone.localdate()),
        "is_partner": _is_partner(request.user),
        "legal_forms": _labels(call.eligible_legal_forms, LegalForm.choices),
        "required_documents": _labels(call.required_document_kinds, ApplicationDocumentKind.choices),
        "deliverable_types": _labels(call.deliverable_types, DeliverableType.choices),
        "questions": list(call.questions.all()),
    })


# --- partners: starting and listing applications ------------------------------------------------------


@access(PARTNERS)
@require_http_methods(["GET", "POST"])
def application_create(request: HttpRequest, pk: int) -> HttpResponse:
    call = get_object_or_404(selectors.calls_visible_to(request.user), pk=pk)
    organisations = organisation_selectors.organisations_of_member(request.user)
    form = ApplicationCreateForm(request.POST or None, organisations=organisations)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                application = drafting_services.create_application(
                    actor_of(request), call, form.cleaned_data["organisation"],
                    ApplicationInput(title=form.cleaned_data["title"]))
            except RuleViolation as error:
                raise_for(error)
                for violation in error.violations:
                    form.add_error(violation.field if violation.field in form.fields else None,
                                   str(violation.message))
            else:
                messages.success(request, _("Demande créée (référence %(ref)s). Complétez-la : elle est enregistrée "
                                            "au fur et à mesure.") % {"ref": application.reference})
                return redirect("grants:application_edit", pk=application.pk)
        status = 422
    return render(request, "grants/partner/application_create.html", {
        "call": call, "form": form, "is_open": call.is_open(), "error_summary": error_summary(form),
    }, status=status)


@access(PARTNERS)
@require_GET
def my_applications(request: HttpRequest) -> HttpResponse:
    organisations = organisation_selectors.organisations_of_member(request.user)
    applications = (selectors.applications_visible_to(request.user).filter(organisation__in=organisations)
                    .order_by("-created_at", "-pk"))
    rows = []
    for application in applications:
        missing = None
        if application.state in workflow.PARTNER_EDITABLE_STATES:
            missing = len(drafting_services.eligibility_preview(application))
        rows.append({"application": application, "missing": missing})
    return render(request, "grants/partner/my_applications.html", {"rows": rows})


# --- the application's page -------------------------------------------------------------------------------


def _staff_panel(request: HttpRequest, application: Application) -> dict[str, Any] | None:
    return staff_panel_context(request, application) if _is_staff(request.user) else None


@access(SIGNED_IN)
@require_GET
def application_detail(request: HttpRequest, pk: int) -> HttpResponse:
    application = application_or_404(request, pk)
    user = actor_of(request)
    decision = _decision(application)
    is_member = selectors.is_member_of(user, application)
    final_report = FinalReport.objects.filter(application=application).first()
    editable = edit_refusal(user, application) is None
    preview = submission_preview(application) if application.state in workflow.PARTNER_EDITABLE_STATES else None
    return render(request, "grants/application_detail.html", {
        "application": application,
        "call": application.call,
        "explanation": STATE_EXPLANATIONS.get(application.state, ""),
        "deliverable_labels": _labels(application.deliverable_types, DeliverableType.choices),
        "preview": preview,
        "budget": budget_of(application),
        "answers": _answers(application),
        "documents": documents_by_kind(application),
        "history": application.state_changes.select_related("actor"),
        "decision": decision if decision is not None and decision.is_final else None,
        "tranches": list(application.tranches.all()) if decision is not None and decision.is_final else [],
        "final_report": final_report,
        "actual_budget": budget_of(application, BudgetLine.Stage.ACTUAL) if final_report else None,
        "actions": available_actions(user, application),
        "can_edit": editable,
        "can_report": application.state == State.IN_PROGRESS
        and selectors.is_member_of(user, application, admin=True),
        "is_member": is_member,
        "staff_panel": _staff_panel(request, application),
        # The ministry's own check: a convention of the organisation may already fund this domain then.
        "overlaps": overlaps.overlaps_for(user, application),
    })


# --- workflow actions -----------------------------------------------------------------------------------------


def carry_out(request: HttpRequest, application: Application, name: str, version: int | None,
                back: str = "grants:application_detail") -> HttpResponse:
    try:
        ACTIONS[name](actor_of(request), application, version, request.POST)
    except RuleViolation as error:
        raise_for(error)
        if name == "submit" and not isinstance(error, Conflict):
            messages.error(request, ngettext(
                "La demande n'a pas été déposée : une condition n'est pas remplie.",
                "La demande n'a pas été déposée : %(n)s conditions ne sont pas remplies.",
                len(error.violations)) % {"n": len(error.violations)})
        for violation in error.violations:
            messages.error(request, str(violation.message))
        return redirect(back, pk=application.pk)
    messages.success(request, str(ACTION_DONE.get(name, _("C'est fait."))))
    return redirect("grants:application_detail", pk=application.pk)


@access(APPLICATION_ACTORS)
@require_POST
def application_transition(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    if name not in ACTIONS:
        raise Http404
    application = application_or_404(request, pk)
    return carry_out(request, application, name, int_or_none(request.POST.get("version")))
