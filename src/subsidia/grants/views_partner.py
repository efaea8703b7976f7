"""Pages for the public and the partners: the open calls, drafting and following an application, its
documents, the final report and the decision letter. Officers act on applications through the same pages.

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
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from subsidia.accounts.access import PARTNER_ADMINS, PARTNERS
from subsidia.accounts.roles import STAFF_ROLES, Role
from subsidia.conventions import selectors as convention_selectors
from subsidia.core.access import PUBLIC, SIGNED_IN, access, roles
from subsidia.core.errors import Code, Conflict, NotFound, PermissionDenied, RuleViolation, Violation
from subsidia.core.forms import error_summary
from subsidia.organisations import selectors as organisation_selectors
from subsidia.organisations.models import LegalForm

from . import selectors, workflow
from .forms_partner import (
    ANSWER_PREFIX,
    ApplicationCreateForm,
    ApplicationForm,
    BudgetLineForm,
    DocumentForm,
    FinalReportForm,
    budget_formset,
    budget_lines,
)
from .letters import store_decision_letter
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


def _application(request: HttpRequest, pk: int) -> Application:
    """The application if the user sees it, else 404 (its existence does not leak)."""
    return get_object_or_404(selectors.applications_visible_to(request.user), pk=pk)


def _version(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _raise_for(error: RuleViolation) -> None:
    """Turn a service's "not found" and "not allowed" into the 404 and 403 pages."""
    if isinstance(error, NotFound):
        raise Http404(str(error))
    if isinstance(error, PermissionDenied):
        raise DjangoPermissionDenied(str(error))


def _is_stale(error: RuleViolation) -> bool:
    return isinstance(error, Conflict) and any(v.code == Code.STALE_VERSION for v in error.violations)


def _is_partner(user: Any) -> bool:
    return bool(user.is_authenticated and user.partner_roles)


def _is_staff(user: Any) -> bool:
    return bool(user.is_authenticated and user.staff_roles & STAFF_ROLES)


def _edit_refusal(user: Any, application: Application) -> RuleViolation | None:
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


def _preview(application: Application) -> list[dict[str, str]]:
    """What would stop the submission now, each with the input to fix."""
    return [{"message": str(v.message), "anchor": _field_anchor(v.field), "code": v.code}
            for v in drafting_services.eligibility_preview(application)]


_error_summary = error_summary


def _add_errors(form: forms.BaseForm, formset: FormSet | None, rows: list[int], error: RuleViolation) -> None:
    """Show a service's violations on the form and on the budget rows they concern."""
    for violation in error.violations:
        field = violation.field or ""
        message = str(violation.message)
        if field.startswith("budget_lines.") and formset is not None:
            parts = field.split(".")
            index = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else -1
            if 0 <= index < len(rows):
                row = formset.forms[rows[index]]
                row.add_error(parts[2] if len(parts) > 2 and parts[2] in row.fields else None, message)
                continue
        name = ANSWER_PREFIX + field.split(".", 1)[1] if field.startswith("answers.") else field
        form.add_error(name if name in form.fields else None, message)


def _documents_by_kind(application: Application) -> list[dict[str, Any]]:
    """Each document (kind and question) with all its versions, newest first."""
    groups: dict[tuple[str, str], list[ApplicationDocument]] = {}
    for document in sorted(application.documents.all(), key=lambda d: (d.kind, d.question_key, -d.version)):
        groups.setdefault((document.kind, document.question_key), []).append(document)
    labels = {q.key: q.label for q in application.call.questions.all()}
    return [{"kind": kind, "question_key": key, "label": labels.get(key) or versions[0].get_kind_display(),
             "versions": versions} for (kind, key), versions in groups.items()]


def _budget(application: Application, stage: str = BudgetLine.Stage.PLANNED) -> dict[str, Any]:
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
    documents = _documents_by_kind(application)
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


Action = Callable[[Any, Application, int | None, QueryDict], object]


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


def _actions(user: Any, application: Application) -> list[dict[str, Any]]:
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
                    request.user, call, form.cleaned_data["organisation"], {"title": form.cleaned_data["title"]})
            except RuleViolation as error:
                _raise_for(error)
                for violation in error.violations:
                    form.add_error(violation.field if violation.field in form.fields else None,
                                   str(violation.message))
            else:
                messages.success(request, _("Demande créée (référence %(ref)s). Complétez-la : elle est enregistrée "
                                            "au fur et à mesure.") % {"ref": application.reference})
                return redirect("grants:application_edit", pk=application.pk)
        status = 422
    return render(request, "grants/partner/application_create.html", {
        "call": call, "form": form, "is_open": call.is_open(), "error_summary": _error_summary(form),
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
    if not _is_staff(request.user):
        return None
    from . import views_staff  # imported here: the staff pages may import from this module

    builder = getattr(views_staff, "staff_panel_context", None)
    return builder(request, application) if builder is not None else None


@access(SIGNED_IN)
@require_GET
def application_detail(request: HttpRequest, pk: int) -> HttpResponse:
    application = _application(request, pk)
    user = request.user
    decision = _decision(application)
    is_member = selectors.is_member_of(user, application)
    final_report = FinalReport.objects.filter(application=application).first()
    editable = _edit_refusal(user, application) is None
    preview = _preview(application) if application.state in workflow.PARTNER_EDITABLE_STATES else None
    return render(request, "grants/application_detail.html", {
        "application": application,
        "call": application.call,
        "explanation": STATE_EXPLANATIONS.get(application.state, ""),
        "deliverable_labels": _labels(application.deliverable_types, DeliverableType.choices),
        "preview": preview,
        "budget": _budget(application),
        "answers": _answers(application),
        "documents": _documents_by_kind(application),
        "history": application.state_changes.select_related("actor"),
        "decision": decision if decision is not None and decision.is_final else None,
        "tranches": list(application.tranches.all()) if decision is not None and decision.is_final else [],
        "final_report": final_report,
        "actual_budget": _budget(application, BudgetLine.Stage.ACTUAL) if final_report else None,
        "actions": _actions(user, application),
        "can_edit": editable,
        "can_report": application.state == State.IN_PROGRESS
        and selectors.is_member_of(user, application, admin=True),
        "is_member": is_member,
        "staff_panel": _staff_panel(request, application),
        # The ministry's own check: a convention of the organisation may already fund this domain then.
        "overlaps": convention_selectors.overlaps_for_application(application)
        if convention_selectors.sees_all_conventions(user) else [],
    })


# --- drafting -------------------------------------------------------------------------------------------------


def _questions(form: ApplicationForm, documents: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each question of the call, with its input when it applies (and its documents for a file question)."""
    items: list[dict[str, Any]] = []
    for question in form.questions:
        name = ANSWER_PREFIX + question.key
        items.append({
            "question": question,
            "shown": question.key in form.shown,
            "field": form[name] if name in form.fields else None,
            "documents": next((d["versions"] for d in documents if d["question_key"] == question.key), []),
        })
    return items


def _edit_page(request: HttpRequest, application: Application, form: ApplicationForm, formset: FormSet,
               *, status: int = 200, conflict: RuleViolation | None = None) -> HttpResponse:
    documents = _documents_by_kind(application)
    stored = Application.objects.only("version").get(pk=application.pk).version
    return render(request, "grants/partner/application_edit.html", {
        "application": application,
        "call": application.call,
        "form": form,
        "formset": formset,
        "questions": _questions(form, documents),
        "documents": documents,
        "document_form": DocumentForm(kinds=[ApplicationDocumentKind.DESCRIPTION, ApplicationDocumentKind.BUDGET,
                                             ApplicationDocumentKind.ANNEX]),
        "preview": _preview(application),
        "error_summary": _error_summary(form, formset),
        "conflict": conflict,
        "stored_version": stored,
        "can_submit": "submit" in {a["name"] for a in _actions(request.user, application)},
    }, status=status)


def _save_draft(request: HttpRequest, application: Application, form: ApplicationForm, formset: FormSet,
                expected_version: int | None) -> Application:
    lines, rows = budget_lines(formset)
    data = form.application_data()
    data["budget_lines"] = lines
    try:
        return drafting_services.update_application(request.user, application, data, expected_version=expected_version)
    except RuleViolation as error:
        _raise_for(error)
        if not isinstance(error, Conflict):
            _add_errors(form, formset, rows, error)
        raise


@access(APPLICATION_EDITORS)
@require_http_methods(["GET", "POST"])
def application_edit(request: HttpRequest, pk: int) -> HttpResponse:
    application = _application(request, pk)
    refusal = _edit_refusal(request.user, application)
    if refusal is not None:
        _raise_for(refusal)
        messages.error(request, str(refusal))
        return redirect("grants:application_detail", pk=pk)
    if request.method != "POST":
        return _edit_page(request, application, ApplicationForm(application=application),
                          budget_formset(lines=application.lines()))
    form = ApplicationForm(request.POST, application=application)
    formset = budget_formset(request.POST)
    if not (form.is_valid() and formset.is_valid()):
        return _edit_page(request, application, form, formset, status=422)
    expected = form.cleaned_data["version"]
    if request.POST.get("overwrite"):
        # After a clash, the person chose to keep their input over the other person's changes.
        expected = _version(request.POST.get("overwrite"))
    try:
        application = _save_draft(request, application, form, formset, expected)
    except Conflict as error:
        return _edit_page(request, application, form, formset, status=409, conflict=error)
    except RuleViolation:
        return _edit_page(request, application, form, formset, status=422)
    if request.POST.get("action") == "submit":
        return _transition(request, application, "submit", application.version, back="grants:application_edit")
    messages.success(request, _("Brouillon enregistré."))
    return redirect("grants:application_edit", pk=pk)


@access(APPLICATION_EDITORS)
@require_POST
def application_autosave(request: HttpRequest, pk: int) -> HttpResponse:
    """The edit form saved in the background (htmx): a status line, the new version and the refreshed
    "what is missing", plus the questions that now apply or no longer do."""
    application = _application(request, pk)
    htmx = bool(request.headers.get("HX-Request"))
    refusal = _edit_refusal(request.user, application)
    if refusal is not None:
        _raise_for(refusal)
        return _autosave_reply(request, {"problem": str(refusal)}, 200 if htmx else 409)
    form = ApplicationForm(request.POST, application=application)
    formset = budget_formset(request.POST)
    if not (form.is_valid() and formset.is_valid()):
        return _autosave_reply(request, {"errors": _error_summary(form, formset)}, 200 if htmx else 422)
    shown_before = {q.key for q in form.questions if q.is_shown(application.answers or {})}
    try:
        saved = _save_draft(request, application, form, formset, form.cleaned_data["version"])
    except Conflict as error:
        return _autosave_reply(request, {"problem": str(error), "stale": _is_stale(error)}, 200 if htmx else 409)
    except RuleViolation:
        return _autosave_reply(request, {"errors": _error_summary(form, formset)}, 200 if htmx else 422)
    fresh = ApplicationForm(application=saved)
    changed = [item for item in _questions(fresh, _documents_by_kind(saved))
               if (item["question"].key in fresh.shown) != (item["question"].key in shown_before)]
    return _autosave_reply(request, {
        "saved_at": timezone.now(), "version": saved.version, "preview": _preview(saved),
        "changed_questions": changed, "application": saved,
    }, 200)


def _autosave_reply(request: HttpRequest, context: dict[str, Any], status: int) -> HttpResponse:
    return render(request, "grants/partner/_autosave.html", context, status=status)


# --- workflow actions -----------------------------------------------------------------------------------------


def _transition(request: HttpRequest, application: Application, name: str, version: int | None,
                back: str = "grants:application_detail") -> HttpResponse:
    try:
        ACTIONS[name](request.user, application, version, request.POST)
    except RuleViolation as error:
        _raise_for(error)
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
    application = _application(request, pk)
    return _transition(request, application, name, _version(request.POST.get("version")))


# --- documents ----------------------------------------------------------------------------------------------


@access(APPLICATION_EDITORS)
@require_POST
def document_add(request: HttpRequest, pk: int) -> HttpResponse:
    application = _application(request, pk)
    reporting = application.state == State.IN_PROGRESS
    kinds = sorted(drafting_services.DOCUMENT_KINDS_BY_STAGE["reporting" if reporting else "drafting"])
    form = DocumentForm(request.POST, request.FILES, kinds=[str(k) for k in kinds])
    if form.is_valid():
        data = form.cleaned_data
        try:
            document = drafting_services.add_document(request.user, application, data["kind"], data["file"],
                                                      question_key=data.get("question_key") or "")
        except RuleViolation as error:
            _raise_for(error)
            for violation in error.violations:
                field = violation.field if violation.field in {"kind", "file"} else None
                form.add_error(field, str(violation.message))
        else:
            messages.success(request, _("Document ajouté : %(name)s (version %(v)s).") % {
                "name": document.original_name, "v": document.version})
            if reporting:
                return redirect("grants:final_report", pk=pk)
            if _edit_refusal(request.user, application) is None:
                return redirect("grants:application_edit", pk=pk)
            return redirect("grants:application_detail", pk=pk)
    question = None
    key = request.POST.get("question_key", "")
    if key:
        question = application.call.questions.filter(key=key).first()
    return render(request, "grants/partner/document_add.html", {
        "application": application, "form": form, "question": question, "reporting": reporting,
        "error_summary": _error_summary(form),
    }, status=422)


@access(SIGNED_IN)
@require_GET
def document_download(request: HttpRequest, pk: int, document_pk: int) -> FileResponse:
    application = _application(request, pk)
    document = get_object_or_404(ApplicationDocument, pk=document_pk, application=application)
    key = f"-{document.question_key}" if document.question_key else ""
    filename = f"{application.reference}-{document.kind}{key}-v{document.version}.{document.extension}"
    try:
        handle = document.file.open("rb")
    except (FileNotFoundError, OSError) as exc:
        raise Http404(_("Fichier introuvable.")) from exc
    return FileResponse(handle, as_attachment=True, filename=filename, content_type=document.content_type)


# --- after the decision: the final report and the letter --------------------------------------------------------


@access(PARTNER_ADMINS)
@require_http_methods(["GET", "POST"])
def final_report(request: HttpRequest, pk: int) -> HttpResponse:
    application = _application(request, pk)
    if not selectors.is_member_of(request.user, application, admin=True):
        raise DjangoPermissionDenied(_("Seul un gestionnaire de l'organisation dépose le rapport final."))
    if application.state != State.IN_PROGRESS:
        messages.error(request, _("Le rapport final se dépose quand le projet est en cours (état actuel : "
                                  "« %(state)s »).") % {"state": application.get_state_display()})
        return redirect("grants:application_detail", pk=pk)
    report = FinalReport.objects.filter(application=application).first()
    status = 200
    if request.method == "POST":
        form = FinalReportForm(request.POST)
        formset = budget_formset(request.POST, prefix="actual")
        if form.is_valid() and formset.is_valid():
            lines, rows = budget_lines(formset)
            try:
                report_services.submit_report(request.user, application, deliverables=form.cleaned_data["deliverables"],
                                              narrative=form.cleaned_data["narrative"], actual_budget_lines=lines,
                                              expected_version=form.cleaned_data["version"])
            except Conflict as error:
                messages.error(request, str(error))
                status = 409
            except RuleViolation as error:
                _raise_for(error)
                for violation in error.violations:
                    if violation.field == "actual_budget_lines":
                        violation = Violation(violation.code, violation.message, "budget_lines")
                    _add_errors(form, formset, rows, RuleViolation(violation))
                status = 422
            else:
                messages.success(request, _("Rapport final déposé. Le ministère va l'examiner."))
                return redirect("grants:application_detail", pk=pk)
        else:
            status = 422
    else:
        form = FinalReportForm(initial={"version": application.version,
                                        "deliverables": report.deliverables if report else "",
                                        "narrative": report.narrative if report else ""})
        actual = application.lines(BudgetLine.Stage.ACTUAL)
        formset = budget_formset(lines=actual or application.lines(), prefix="actual")
    documents = [d for d in _documents_by_kind(application)
                 if d["kind"] in drafting_services.DOCUMENT_KINDS_BY_STAGE["reporting"]]
    return render(request, "grants/partner/final_report.html", {
        "application": application, "form": form, "formset": formset, "report": report,
        "prefilled_from_plan": not application.lines(BudgetLine.Stage.ACTUAL),
        "documents": documents,
        "document_form": DocumentForm(kinds=[ApplicationDocumentKind.FINAL_REPORT,
                                             ApplicationDocumentKind.ACTUAL_BUDGET, ApplicationDocumentKind.ANNEX]),
        "has_report_document": any(d["kind"] == ApplicationDocumentKind.FINAL_REPORT for d in documents),
        "error_summary": _error_summary(form, formset),
    }, status=status)


@access(SIGNED_IN)
@require_GET
def decision_letter(request: HttpRequest, pk: int) -> FileResponse:
    application = _application(request, pk)
    decision = Decision.objects.filter(application=application, confirmed_at__isnull=False).select_related(
        "application__call", "application__organisation").first()
    if decision is None:
        raise Http404(_("Aucune décision définitive pour cette demande."))
    if not decision.letter or not decision.letter.storage.exists(decision.letter.name):
        decision = store_decision_letter(decision)
    return FileResponse(decision.letter.open("rb"), as_attachment=True,
                        filename=f"decision-{application.reference}.pdf", content_type="application/pdf")

