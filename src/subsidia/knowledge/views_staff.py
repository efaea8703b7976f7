"""The management pages of the knowledge base.

Good practices and the FAQ are the officers' (``OFFICERS``). News are written by officers and by partners'
gestionnaires for their own organisation (``NEWS_WRITERS``; another organisation's item answers 404); an
officer publishes them, or sends a partner's proposal back with a reason.

Every write goes through :mod:`subsidia.knowledge.services`: a broken rule shows on the form (422), a clash
with the current state or someone else's edit (409) too, a refusal (403) is the error page.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from subsidia.accounts.access import OFFICERS
from subsidia.accounts.roles import Role
from subsidia.core.access import access, roles
from subsidia.core.errors import NotFound, RuleViolation, add_to_form
from subsidia.core.errors import PermissionDenied as ServicePermissionDenied
from subsidia.core.forms import error_summary
from subsidia.core.http import int_or_none

from . import selectors, services, workflow
from .forms import (
    AttachmentForm,
    FaqQuestionForm,
    FaqTopicForm,
    GoodPracticeForm,
    NewsForm,
    SendBackForm,
    StateFilterForm,
)
from .models import FaqQuestion, FaqTopic, GoodPractice, NewsItem, PublicationState

# Officers write any news item, partners' gestionnaires their own organisation's (the selector scopes: 404).
NEWS_WRITERS = roles(Role.PARTNER_ADMIN, Role.OFFICER, name="news_writers")


def refused(request: HttpRequest, error: RuleViolation, form: forms.Form | None = None) -> int:
    """Show a service's refusal and return the page's status: hidden object 404, refusal 403, a broken rule
    (422) or a clash (409) on the form, or as a message when there is no form."""
    if isinstance(error, NotFound):
        raise Http404(str(error))
    if isinstance(error, ServicePermissionDenied):
        raise PermissionDenied(str(error))
    if form is None:
        for violation in error.violations:
            messages.error(request, str(violation.message))
    else:
        add_to_form(form, error)
    return error.status_code


# --- good practices ------------------------------------------------------------------------------

@access(OFFICERS)
@require_GET
def good_practice_manage(request: HttpRequest) -> HttpResponse:
    form = StateFilterForm(request.GET or None)
    practices = selectors.good_practices_managed_by(request.user).order_by("state", "title", "pk")
    if form.is_valid() and form.cleaned_data.get("state"):
        practices = practices.filter(state=form.cleaned_data["state"])
    page = Paginator(practices, 50).get_page(request.GET.get("page"))
    return render(request, "knowledge/good_practice_manage.html", {
        "form": form, "page": page, "query": request.GET.copy()})


def _practice_page(request: HttpRequest, practice: GoodPractice | None, form: GoodPracticeForm | None = None,
                   attachment_form: AttachmentForm | None = None, status: int = 200) -> HttpResponse:
    if form is None:
        form = GoodPracticeForm(initial=GoodPracticeForm.initial_for(practice)) if practice else GoodPracticeForm()
    return render(request, "knowledge/good_practice_form.html", {
        "practice": practice, "form": form, "error_summary": error_summary(form, attachment_form),
        "attachment_form": attachment_form or AttachmentForm(),
        "attachments": practice.attachments.all() if practice else [],
        "transitions": workflow.GOOD_PRACTICES.available_to(request.user, practice.state) if practice else [],
    }, status=status)


def _practice_form(request: HttpRequest, practice: GoodPractice | None) -> HttpResponse:
    if request.method != "POST":
        return _practice_page(request, practice)
    form = GoodPracticeForm(request.POST)
    status = 422
    if form.is_valid():
        try:
            if practice is None:
                saved = services.create_good_practice(request.user, form.data_for_service())
            else:
                saved = services.update_good_practice(request.user, practice, form.data_for_service(),
                                                      expected_version=form.cleaned_data.get("version"))
        except RuleViolation as error:
            status = refused(request, error, form)
        else:
            messages.success(request, _("Bonne pratique enregistrée."))
            return redirect("knowledge:good_practice_edit", pk=saved.pk)
    return _practice_page(request, practice, form=form, status=status)


@access(OFFICERS)
@require_http_methods(["GET", "POST"])
def good_practice_create(request: HttpRequest) -> HttpResponse:
    return _practice_form(request, None)


@access(OFFICERS)
@require_http_methods(["GET", "POST"])
def good_practice_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _practice_form(request, get_object_or_404(selectors.good_practices_managed_by(request.user), pk=pk))


@access(OFFICERS)
@require_POST
def good_practice_transition(request: HttpRequest, pk: int, transition: str) -> HttpResponse:
    practice = get_object_or_404(selectors.good_practices_managed_by(request.user), pk=pk)
    if transition not in workflow.GOOD_PRACTICES:
        raise Http404
    try:
        services.transition_good_practice(request.user, practice, transition,
                                          expected_version=int_or_none(request.POST.get("version")))
    except RuleViolation as error:
        return _practice_page(request, practice, status=refused(request, error))
    messages.success(request, _("Action effectuée : %(action)s.")
                     % {"action": workflow.GOOD_PRACTICES[transition].label})
    return redirect("knowledge:good_practice_edit", pk=practice.pk)


@access(OFFICERS)
@require_POST
def good_practice_attachment_add(request: HttpRequest, pk: int) -> HttpResponse:
    practice = get_object_or_404(selectors.good_practices_managed_by(request.user), pk=pk)
    form = AttachmentForm(request.POST, request.FILES)
    status = 422
    if form.is_valid():
        try:
            services.add_attachment(request.user, practice, form.cleaned_data["file"], form.cleaned_data["title"])
        except RuleViolation as error:
            status = refused(request, error, form)
        else:
            messages.success(request, _("Pièce jointe ajoutée."))
            return redirect("knowledge:good_practice_edit", pk=practice.pk)
    return _practice_page(request, practice, attachment_form=form, status=status)


@access(OFFICERS)
@require_POST
def good_practice_attachment_delete(request: HttpRequest, pk: int, attachment_pk: int) -> HttpResponse:
    practice = get_object_or_404(selectors.good_practices_managed_by(request.user), pk=pk)
    attachment = get_object_or_404(practice.attachments, pk=attachment_pk)
    try:
        services.delete_attachment(request.user, attachment)
    except RuleViolation as error:
        return _practice_page(request, practice, status=refused(request, error))
    messages.success(request, _("Pièce jointe supprimée."))
    return redirect("knowledge:good_practice_edit", pk=practice.pk)


# --- FAQ -----------------------------------------------------------------------------------------

def _faq_manage_page(request: HttpRequest, status: int = 200) -> HttpResponse:
    return render(request, "knowledge/faq_manage.html", {
        "topics": selectors.faq_managed_by(request.user).order_by("position", "name"),
    }, status=status)


@access(OFFICERS)
@require_GET
def faq_manage(request: HttpRequest) -> HttpResponse:
    return _faq_manage_page(request)


def _topic_form(request: HttpRequest, topic: FaqTopic | None) -> HttpResponse:
    if request.method == "POST":
        form = FaqTopicForm(request.POST)
    else:
        form = FaqTopicForm(initial={"name": topic.name, "position": topic.position} if topic else None)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                if topic is None:
                    services.create_faq_topic(request.user, form.cleaned_data)
                else:
                    services.update_faq_topic(request.user, topic, form.cleaned_data)
            except RuleViolation as error:
                status = refused(request, error, form)
            else:
                messages.success(request, _("Rubrique enregistrée."))
                return redirect("knowledge:faq_manage")
    return render(request, "knowledge/faq_topic_form.html", {
        "form": form, "topic": topic, "error_summary": error_summary(form)}, status=status)


@access(OFFICERS)
@require_http_methods(["GET", "POST"])
def faq_topic_create(request: HttpRequest) -> HttpResponse:
    return _topic_form(request, None)


@access(OFFICERS)
@require_http_methods(["GET", "POST"])
def faq_topic_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _topic_form(request, get_object_or_404(selectors.faq_managed_by(request.user), pk=pk))


@access(OFFICERS)
@require_POST
def faq_topic_delete(request: HttpRequest, pk: int) -> HttpResponse:
    topic = get_object_or_404(selectors.faq_managed_by(request.user), pk=pk)
    try:
        services.delete_faq_topic(request.user, topic)
    except RuleViolation as error:
        return _faq_manage_page(request, status=refused(request, error))
    messages.success(request, _("Rubrique supprimée."))
    return redirect("knowledge:faq_manage")


def _question_form(request: HttpRequest, question: FaqQuestion | None) -> HttpResponse:
    if request.method == "POST":
        form = FaqQuestionForm(request.POST)
    elif question is not None:
        form = FaqQuestionForm(initial={key: getattr(question, key) for key in (
            "topic", "question", "answer", "position", "is_example", "version")})
    else:
        form = FaqQuestionForm(initial={"topic": int_or_none(request.GET.get("rubrique"))})
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                if question is None:
                    services.create_faq_question(request.user, form.data_for_service())
                else:
                    services.update_faq_question(request.user, question, form.data_for_service(),
                                                 expected_version=form.cleaned_data.get("version"))
            except RuleViolation as error:
                status = refused(request, error, form)
            else:
                messages.success(request, _("Question enregistrée."))
                return redirect("knowledge:faq_manage")
    return render(request, "knowledge/faq_question_form.html", {
        "form": form, "question": question, "error_summary": error_summary(form)}, status=status)


@access(OFFICERS)
@require_http_methods(["GET", "POST"])
def faq_question_create(request: HttpRequest) -> HttpResponse:
    return _question_form(request, None)


@access(OFFICERS)
@require_http_methods(["GET", "POST"])
def faq_question_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _question_form(request, get_object_or_404(selectors.faq_questions_managed_by(request.user), pk=pk))


@access(OFFICERS)
@require_POST
def faq_question_transition(request: HttpRequest, pk: int, transition: str) -> HttpResponse:
    question = get_object_or_404(selectors.faq_questions_managed_by(request.user), pk=pk)
    if transition not in workflow.FAQ:
        raise Http404
    try:
        services.transition_faq_question(request.user, question, transition,
                                         expected_version=int_or_none(request.POST.get("version")))
    except RuleViolation as error:
        return _faq_manage_page(request, status=refused(request, error))
    messages.success(request, _("Action effectuée : %(action)s.")
                     % {"action": workflow.FAQ[transition].label})
    return redirect("knowledge:faq_manage")


@access(OFFICERS)
@require_POST
def faq_question_delete(request: HttpRequest, pk: int) -> HttpResponse:
    question = get_object_or_404(selectors.faq_questions_managed_by(request.user), pk=pk)
    try:
        services.delete_faq_question(request.user, question)
    except RuleViolation as error:
        return _faq_manage_page(request, status=refused(request, error))
    messages.success(request, _("Question supprimée."))
    return redirect("knowledge:faq_manage")


# --- news ----------------------------------------------------------------------------------------

@access(NEWS_WRITERS)
@require_GET
def news_manage(request: HttpRequest) -> HttpResponse:
    form = StateFilterForm(request.GET or None)
    news = selectors.news_managed_by(request.user).order_by("-date", "-pk")
    if form.is_valid() and form.cleaned_data.get("state"):
        news = news.filter(state=form.cleaned_data["state"])
    is_officer = selectors.is_officer(request.user)
    page = Paginator(news, 50).get_page(request.GET.get("page"))
    return render(request, "knowledge/news_manage.html", {
        "form": form, "page": page, "query": request.GET.copy(), "is_officer": is_officer,
        "proposals": selectors.submitted_news() if is_officer else [],
        "rows": [(item, workflow.news_status(item)) for item in page],
    })


def _news_page(request: HttpRequest, item: NewsItem | None, form: NewsForm | None = None,
               status: int = 200) -> HttpResponse:
    user: Any = request.user
    if form is None:
        form = NewsForm(initial=NewsForm.initial_for(item), user=user) if item else NewsForm(user=user)
    state = workflow.news_status(item) if item else workflow.DRAFT
    acts = workflow.NEWS.available_to(user, state) if item else []
    return render(request, "knowledge/news_form.html", {
        "item": item, "form": form, "error_summary": error_summary(form), "status": state,
        "editable": selectors.is_officer(user) or state == workflow.DRAFT,
        "transitions": [t for t in acts if t.name != "send_back"],
        "can_send_back": any(t.name == "send_back" for t in acts),
        "is_published": item is not None and item.state == PublicationState.PUBLISHED,
    }, status=status)


def _news_form(request: HttpRequest, item: NewsItem | None) -> HttpResponse:
    if request.method != "POST":
        return _news_page(request, item)
    form = NewsForm(request.POST, user=request.user)
    status = 422
    if form.is_valid():
        data = form.data_for_service()
        try:
            if item is None:
                saved = services.create_news(request.user, data)
            else:
                saved = services.update_news(request.user, item, data,
                                             expected_version=form.cleaned_data.get("version"))
        except RuleViolation as error:
            status = refused(request, error, form)
        else:
            messages.success(request, _("Actualité enregistrée."))
            return redirect("knowledge:news_edit", pk=saved.pk)
    return _news_page(request, item, form=form, status=status)


@access(NEWS_WRITERS)
@require_http_methods(["GET", "POST"])
def news_create(request: HttpRequest) -> HttpResponse:
    return _news_form(request, None)


@access(NEWS_WRITERS)
@require_http_methods(["GET", "POST"])
def news_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _news_form(request, get_object_or_404(selectors.news_managed_by(request.user), pk=pk))


@access(NEWS_WRITERS)
@require_POST
def news_transition(request: HttpRequest, pk: int, transition: str) -> HttpResponse:
    item = get_object_or_404(selectors.news_managed_by(request.user), pk=pk)
    if transition not in workflow.NEWS or transition == "send_back":  # send_back has its page, with the reason
        raise Http404
    try:
        services.transition_news(request.user, item, transition,
                                 expected_version=int_or_none(request.POST.get("version")))
    except RuleViolation as error:
        return _news_page(request, item, status=refused(request, error))
    messages.success(request, _("Action effectuée : %(action)s.")
                     % {"action": workflow.NEWS[transition].label})
    return redirect("knowledge:news_edit", pk=item.pk)


@access(OFFICERS)
@require_http_methods(["GET", "POST"])
def news_send_back(request: HttpRequest, pk: int) -> HttpResponse:
    """An officer sends a partner's proposal back, saying what to change (the partner is notified)."""
    item = get_object_or_404(selectors.news_managed_by(request.user), pk=pk)
    form = SendBackForm(request.POST or None, initial={"version": item.version})
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                services.transition_news(request.user, item, "send_back", reason=form.cleaned_data["reason"],
                                         expected_version=form.cleaned_data.get("version"))
            except RuleViolation as error:
                status = refused(request, error, form)
            else:
                messages.success(request, _("Actualité renvoyée au partenaire."))
                return redirect("knowledge:news_manage")
    return render(request, "knowledge/news_send_back.html", {
        "item": item, "form": form, "error_summary": error_summary(form)}, status=status)
