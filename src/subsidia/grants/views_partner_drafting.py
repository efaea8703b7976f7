"""Drafting an application: the edit page (saved by hand or in the background with htmx, a clash with
another person's edit shown rather than overwritten) and its documents (added as new versions, downloaded by
whoever sees the application)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from subsidia.core.access import SIGNED_IN, access
from subsidia.core.errors import Conflict, RuleViolation
from subsidia.core.forms import error_summary
from subsidia.core.http import int_or_none

from .forms_partner import ANSWER_PREFIX, ApplicationForm, DocumentForm, budget_formset, budget_lines
from .models import Application, ApplicationDocument, ApplicationDocumentKind, State
from .services import drafting as drafting_services
from .views_partner import (
    APPLICATION_EDITORS,
    FormSet,
    application_or_404,
    available_actions,
    carry_out,
    documents_by_kind,
    edit_refusal,
    is_stale,
    raise_for,
    submission_preview,
)
from .views_staff import actor_of


def add_errors(form: forms.BaseForm, formset: FormSet | None, rows: list[int], error: RuleViolation) -> None:
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
    documents = documents_by_kind(application)
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
        "preview": submission_preview(application),
        "error_summary": error_summary(form, formset),
        "conflict": conflict,
        "stored_version": stored,
        "can_submit": "submit" in {a["name"] for a in available_actions(actor_of(request), application)},
    }, status=status)


def _save_draft(request: HttpRequest, application: Application, form: ApplicationForm, formset: FormSet,
                expected_version: int | None) -> Application:
    lines, rows = budget_lines(formset)
    data = form.to_input(budget_lines=lines)
    try:
        return drafting_services.update_application(actor_of(request), application, data,
                                                    expected_version=expected_version)
    except RuleViolation as error:
        raise_for(error)
        if not isinstance(error, Conflict):
            add_errors(form, formset, rows, error)
        raise


@access(APPLICATION_EDITORS)
@require_http_methods(["GET", "POST"])
def application_edit(request: HttpRequest, pk: int) -> HttpResponse:
    application = application_or_404(request, pk)
    refusal = edit_refusal(actor_of(request), application)
    if refusal is not None:
        raise_for(refusal)
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
        expected = int_or_none(request.POST.get("overwrite"))
    try:
        application = _save_draft(request, application, form, formset, expected)
    except Conflict as error:
        return _edit_page(request, application, form, formset, status=409, conflict=error)
    except RuleViolation:
        return _edit_page(request, application, form, formset, status=422)
    if request.POST.get("action") == "submit":
        return carry_out(request, application, "submit", application.version, back="grants:application_edit")
    messages.success(request, _("Brouillon enregistré."))
    return redirect("grants:application_edit", pk=pk)


@access(APPLICATION_EDITORS)
@require_POST
def application_autosave(request: HttpRequest, pk: int) -> HttpResponse:
    """The edit form saved in the background (htmx): a status line, the new version and the refreshed
    "what is missing", plus the questions that now apply or no longer do."""
    application = application_or_404(request, pk)
    htmx = bool(request.headers.get("HX-Request"))
    refusal = edit_refusal(actor_of(request), application)
    if refusal is not None:
        raise_for(refusal)
        return _autosave_reply(request, {"problem": str(refusal)}, 200 if htmx else 409)
    form = ApplicationForm(request.POST, application=application)
    formset = budget_formset(request.POST)
    if not (form.is_valid() and formset.is_valid()):
        return _autosave_reply(request, {"errors": error_summary(form, formset)}, 200 if htmx else 422)
    shown_before = {q.key for q in form.questions if q.is_shown(application.answers or {})}
    try:
        saved = _save_draft(request, application, form, formset, form.cleaned_data["version"])
    except Conflict as error:
        return _autosave_reply(request, {"problem": str(error), "stale": is_stale(error)}, 200 if htmx else 409)
    except RuleViolation:
        return _autosave_reply(request, {"errors": error_summary(form, formset)}, 200 if htmx else 422)
    fresh = ApplicationForm(application=saved)
    changed = [item for item in _questions(fresh, documents_by_kind(saved))
               if (item["question"].key in fresh.shown) != (item["question"].key in shown_before)]
    return _autosave_reply(request, {
        "saved_at": timezone.now(), "version": saved.version, "preview": submission_preview(saved),
        "changed_questions": changed, "application": saved,
    }, 200)


def _autosave_reply(request: HttpRequest, context: dict[str, Any], status: int) -> HttpResponse:
    return render(request, "grants/partner/_autosave.html", context, status=status)



# --- documents ----------------------------------------------------------------------------------------------


@access(APPLICATION_EDITORS)
@require_POST
def document_add(request: HttpRequest, pk: int) -> HttpResponse:
    application = application_or_404(request, pk)
    reporting = application.state == State.IN_PROGRESS
    kinds = sorted(drafting_services.DOCUMENT_KINDS_BY_STAGE["reporting" if reporting else "drafting"])
    form = DocumentForm(request.POST, request.FILES, kinds=[str(k) for k in kinds])
    if form.is_valid():
        data = form.cleaned_data
        try:
            document = drafting_services.add_document(actor_of(request), application, data["kind"], data["file"],
                                                      question_key=data.get("question_key") or "")
        except RuleViolation as error:
            raise_for(error)
            for violation in error.violations:
                field = violation.field if violation.field in {"kind", "file"} else None
                form.add_error(field, str(violation.message))
        else:
            messages.success(request, _("Document ajouté : %(name)s (version %(v)s).") % {
                "name": document.original_name, "v": document.version})
            if reporting:
                return redirect("grants:final_report", pk=pk)
            if edit_refusal(actor_of(request), application) is None:
                return redirect("grants:application_edit", pk=pk)
            return redirect("grants:application_detail", pk=pk)
    question = None
    key = request.POST.get("question_key", "")
    if key:
        question = application.call.questions.filter(key=key).first()
    return render(request, "grants/partner/document_add.html", {
        "application": application, "form": form, "question": question, "reporting": reporting,
        "error_summary": error_summary(form),
    }, status=422)


@access(SIGNED_IN)
@require_GET
def document_download(request: HttpRequest, pk: int, document_pk: int) -> FileResponse:
    application = application_or_404(request, pk)
    document = get_object_or_404(ApplicationDocument, pk=document_pk, application=application)
    key = f"-{document.question_key}" if document.question_key else ""
    filename = f"{application.reference}-{document.kind}{key}-v{document.version}.{document.extension}"
    try:
        handle = document.file.open("rb")
    except (FileNotFoundError, OSError) as exc:
        raise Http404(_("Fichier introuvable.")) from exc
    return FileResponse(handle, as_attachment=True, filename=filename, content_type=document.content_type)
