"""The evaluation's pages: the officers build the questionnaire, send it, read the results and write and
publish the report (``/evenements/gestion/…``); attendees answer through the signed link of their invitation,
and anyone reads a published report (the public figures with small numbers suppressed)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from subsidia.accounts.access import OFFICERS
from subsidia.accounts.actors import signed_in
from subsidia.core.access import PUBLIC, access
from subsidia.core.disclosure import threshold
from subsidia.core.errors import NotFound, RuleViolation
from subsidia.core.forms import error_summary

from . import evaluation
from .forms_staff import QuestionForm, ReportForm, answer_form
from .models import EvaluationQuestion, Event, EventStatus
from .views_shared import event_or_404, form_page, handle_form, refused

# --- the officers' side ----------------------------------------------------------------------------


def _builder_url(event_id: int) -> str:
    return reverse("events:evaluation_builder", kwargs={"pk": event_id})


def _builder_page(request: HttpRequest, event: Event, form: QuestionForm | None = None,
                  status: int = 200) -> HttpResponse:
    form = form or QuestionForm()
    return render(request, "events/evaluation/builder.html", {
        "event": event, "questions": event.evaluation_questions.order_by("position", "pk"), "form": form,
        "error_summary": error_summary(form), "invitee_count": evaluation.invitees(event).count(),
        "pending_count": evaluation.invitees(event).filter(evaluation_invited_at__isnull=True).count(),
        "response_count": evaluation.response_count(event),
        "uses_check_in": evaluation.invitees(event).filter(checked_in_at__isnull=False).exists(),
    }, status=status)


@access(OFFICERS)
@require_http_methods(["GET", "POST"])
def evaluation_builder(request: HttpRequest, pk: int) -> HttpResponse:
    event = event_or_404(pk)
    form = QuestionForm(request.POST) if request.method == "POST" else None
    if form is None:
        return _builder_page(request, event)
    return handle_form(request, form, lambda: evaluation.add_question(signed_in(request), event, form.to_input()),
                       done=lambda _question: _builder_url(event.pk), success=_("Question ajoutée."),
                       page=lambda status: _builder_page(request, event, form, status=status))


def _question(pk: int) -> EvaluationQuestion:
    return get_object_or_404(EvaluationQuestion.objects.select_related("event"), pk=pk)


@access(OFFICERS)
@require_http_methods(["GET", "POST"])
def question_edit(request: HttpRequest, pk: int) -> HttpResponse:
    question = _question(pk)
    form = QuestionForm(request.POST) if request.method == "POST" else \
        QuestionForm(initial=QuestionForm.initial_for(question))
    back = _builder_url(question.event_id)
    return handle_form(
        request, form, lambda: evaluation.update_question(signed_in(request), question, form.to_input()),
        done=lambda _question: back, success=_("Question enregistrée."),
        page=lambda status: form_page(request, event=question.event, form=form, title=_("Modifier la question"),
                                      submit=_("Enregistrer"), back=back, back_label=_("Questionnaire"),
                                      status=status))


@access(OFFICERS)
@require_POST
def question_delete(request: HttpRequest, pk: int) -> HttpResponse:
    question = _question(pk)
    try:
        evaluation.delete_question(signed_in(request), question)
    except RuleViolation as error:
        return _builder_page(request, question.event, status=refused(request, error))
    messages.success(request, _("Question supprimée."))
    return redirect(_builder_url(question.event_id))


@access(OFFICERS)
@require_POST
def question_move(request: HttpRequest, pk: int) -> HttpResponse:
    question = _question(pk)
    evaluation.move_question(signed_in(request), question, up=request.POST.get("direction") == "up")
    return redirect(_builder_url(question.event_id) + f"#q{question.pk}")


@access(OFFICERS)
@require_POST
def evaluation_send(request: HttpRequest, pk: int) -> HttpResponse:
    event = event_or_404(pk)
    try:
        count = evaluation.send_questionnaire(signed_in(request), event)
    except RuleViolation as error:
        return _builder_page(request, event, status=refused(request, error))
    messages.success(request, ngettext("Questionnaire envoyé à %(n)s personne.",
                                       "Questionnaire envoyé à %(n)s personnes.", count) % {"n": count})
    return redirect(_builder_url(event.pk))


def _results_page(request: HttpRequest, event: Event, status: int = 200) -> HttpResponse:
    return render(request, "events/evaluation/results.html", {
        "event": event, "results": evaluation.results(event), "response_count": evaluation.response_count(event),
        "public": False,
    }, status=status)


@access(OFFICERS)
@require_GET
def evaluation_results(request: HttpRequest, pk: int) -> HttpResponse:
    return _results_page(request, event_or_404(pk))


@access(OFFICERS)
@require_http_methods(["GET", "POST"])
def evaluation_report_edit(request: HttpRequest, pk: int) -> HttpResponse:
    event = event_or_404(pk)
    form = ReportForm(request.POST) if request.method == "POST" else \
        ReportForm(initial={"evaluation_report": event.evaluation_report})
    back = reverse("events:evaluation_results", kwargs={"pk": event.pk})
    return handle_form(
        request, form,
        lambda: evaluation.update_report(signed_in(request), event, form.cleaned_data["evaluation_report"]),
        done=lambda _event: back, success=_("Rapport enregistré."),
        page=lambda status: form_page(request, event=event, form=form, title=_("Rapport d'évaluation : %(title)s")
                                      % {"title": event.title}, submit=_("Enregistrer le rapport"), back=back,
                                      back_label=_("Résultats de l'évaluation"), status=status))


@access(OFFICERS)
@require_POST
def evaluation_report_publish(request: HttpRequest, pk: int) -> HttpResponse:
    event = event_or_404(pk)
    publish = request.POST.get("publish") != "0"
    try:
        evaluation.publish_report(signed_in(request), event, publish=publish)
    except RuleViolation as error:
        return _results_page(request, event, status=refused(request, error))
    messages.success(request, _("Rapport publié.") if publish else _("Rapport retiré de la page publique."))
    return redirect(reverse("events:evaluation_results", kwargs={"pk": event.pk}))


# --- the public side -------------------------------------------------------------------------------

@access(PUBLIC)
@require_http_methods(["GET", "POST"])
def evaluation_answer(request: HttpRequest, token: str) -> HttpResponse:
    """The questionnaire, reached through the signed link of the invitation e-mail; answered once."""
    try:
        registration = evaluation.registration_for(token)
    except NotFound as error:
        raise Http404(str(error)) from error
    event = registration.event
    questions = list(event.evaluation_questions.order_by("position", "pk"))
    context: dict[str, Any] = {"event": event, "answered": evaluation.has_answered(registration)}
    status = 200
    if context["answered"]:
        return render(request, "events/evaluation/answer.html", context, status=200)
    form = answer_form(questions, request.POST if request.method == "POST" else None)
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                evaluation.submit_response(registration, form.cleaned_data)
            except RuleViolation as error:
                if error.status_code == 409:
                    return render(request, "events/evaluation/answer.html", {**context, "answered": True},
                                  status=409)
                status = refused(request, error, form)
            else:
                return render(request, "events/evaluation/answer.html", {**context, "thanks": True})
    response = render(request, "events/evaluation/answer.html", {
        **context, "form": form, "error_summary": error_summary(form)}, status=status)
    response["Referrer-Policy"] = "no-referrer"  # the address holds a personal link
    return response


@access(PUBLIC)
@require_GET
def evaluation_report(request: HttpRequest, slug: str) -> HttpResponse:
    event = get_object_or_404(Event, slug=slug, status=EventStatus.PUBLISHED)
    if not evaluation.report_is_public(event):
        raise Http404(_("Le rapport d'évaluation n'est pas encore publié."))
    figures = evaluation.public_results(event)  # small numbers suppressed (core/disclosure.py)
    return render(request, "events/evaluation/report.html", {
        "event": event, "results": figures.results, "response_count": figures.response_count,
        "too_few": figures.too_few, "threshold": threshold(), "public": True,
    })
