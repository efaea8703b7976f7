"""The management pages of the knowledge base.

Good practices and the FAQ are the officers' (``OFFICERS``). News are written by officers and by partners'
gestionnaires for their own organisation (``NEWS_WRITERS``; another organisation's item answers 404); an
officer publishes them, or sends a partner's proposal back with a reason.

Every write goes through :mod:`subsidia.knowledge.services`: a broken rule shows on the form (422), a clash
with the current state or someone else's edit (409) too, a refusal (403) is the error page. The pages share
three shapes, each written once below: a form that saves (:func:`_submitted`), a button that makes one act
(:func:`_acted`, and :func:`_moved` for a workflow's transition), and a list filtered by publication state
(:func:`_state_page`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from subsidia.accounts.access import OFFICERS
from subsidia.accounts.actors import Actor
from subsidia.accounts.models import User
from subsidia.accounts.roles import Role
from subsidia.core.access import access, roles
from subsidia.core.errors import NotFound, RuleViolation, add_to_form
from subsidia.core.errors import PermissionDenied as ServicePermissionDenied
from subsidia.core.forms import error_summary
from subsidia.core.http import int_or_none
from subsidia.core.workflow import Workflow

from . import selectors, workflow
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
from .services import faq as faq_services
from .services import good_practices as practice_services
from .services import news as news_services

# Officers write any news item, partners' gestionnaires their own organisation's (the selector scopes: 404).
NEWS_WRITERS = roles(Role.PARTNER_ADMIN, Role.OFFICER, name="news_writers")
Again = Callable[[int], HttpResponse]  # the page shown again, with the status of a refusal


def _actor(request: HttpRequest) -> Actor:
    """The person writing: every page here is behind a policy of signed-in roles (``OFFICERS``, ``NEWS_WRITERS``)."""
    user = request.user
    assert isinstance(user, User), "a management page is reached signed in"
    return user


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


# --- the shapes the pages share ------------------------------------------------------------------

def _submitted(request: HttpRequest, form: forms.Form, save: Callable[[], Any], done: str,
               then: Callable[[Any], HttpResponse]) -> HttpResponse | int:
    """Save a posted form through ``save``: the redirect ``then(saved)`` with the message ``done``, or the
    status of the form shown again (422 for the form's own errors, else the service's refusal)."""
    if not form.is_valid():
        return 422
    try:
        saved = save()
    except RuleViolation as error:
        return refused(request, error, form)
    messages.success(request, done)
    return then(saved)


def _acted(request: HttpRequest, act: Callable[[], object], page: Again, done: str, then: str,
           **kwargs: Any) -> HttpResponse:
    """Make one act of a button: the redirect to ``then`` with the message ``done``, or ``page`` again with
    the refusal as a message."""
    try:
        act()
    except RuleViolation as error:
        return page(refused(request, error))
    messages.success(request, done)
    return redirect(then, **kwargs)


def _moved(request: HttpRequest, table: Workflow[Any], name: str, move: Callable[[int | None], object],
           page: Again, then: str, **kwargs: Any) -> HttpResponse:
    """A button of ``table``'s transition ``name`` (404 for a name the table does not have)."""
    if name not in table:
        raise Http404
    version = int_or_none(request.POST.get("version"))
    return _acted(request, lambda: move(version), page, _("Action effectuée : %(action)s.")
                  % {"action": table[name].label}, then, **kwargs)


def _state_page(request: HttpRequest, items: QuerySet[Any]) -> tuple[StateFilterForm, Page]:
    """A management list filtered by publication state, 50 a page."""
    form = StateFilterForm(request.GET or None)
    if form.is_valid() and form.cleaned_data.get("state"):
        items = items.filter(state=form.cleaned_data["state"])
    return form, Paginator(items, 50).get_page(request.GET.get("page"))


# --- good practices ------------------------------------------------------------------------------

@access(OFFICERS)
@require_GET
def good_practice_manage(request: HttpRequest) -> HttpResponse:
    form, page = _state_page(request, selectors.good_practices_managed_by(request.user).order_by(
        "state", "title", "pk"))
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


def _practice_edited(practice: GoodPractice) -> HttpResponse:
    return redirect("knowledge:good_practice_edit", pk=practice.pk)


def _practice_form(request: HttpRequest, practice: GoodPractice | None) -> HttpResponse:
    if request.method != "POST":
        return _practice_page(request, practice)
    form = GoodPracticeForm(request.POST)

    def save() -> GoodPractice:
        if practice is None:
            return practice_services.create_good_practice(_actor(request), form.to_input())
        return practice_services.update_good_practice(_actor(request), practice, form.to_input(),
                                                      expected_version=form.cleaned_data.get("version"))

    done = _submitted(request, form, save, _("Bonne pratique enregistrée."), _practice_edited)
    return done if isinstance(done, HttpResponse) else _practice_page(request, practice, form=form, status=done)


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
    return _moved(request, workflow.GOOD_PRACTICES, transition, lambda version: (
        practice_services.transition_good_practice(_actor(request), practice, transition, expected_version=version)),
        lambda status: _practice_page(request, practice, status=status), "knowledge:good_practice_edit",
        pk=practice.pk)


@access(OFFICERS)
@require_POST
def good_practice_attachment_add(request: HttpRequest, pk: int) -> HttpResponse:
    practice = get_object_or_404(selectors.good_practices_managed_by(request.user), pk=pk)
    form = AttachmentForm(request.POST, request.FILES)
    done = _submitted(request, form, lambda: practice_services.add_attachment(
        _actor(request), practice, form.cleaned_data["file"], form.cleaned_data["title"]),
        _("Pièce jointe ajoutée."), lambda attachment: _practice_edited(practice))
    return done if isinstance(done, HttpResponse) else _practice_page(
        request, practice, attachment_form=form, status=done)


@access(OFFICERS)
@require_POST
def good_practice_attachment_delete(request: HttpRequest, pk: int, attachment_pk: int) -> HttpResponse:
    practice = get_object_or_404(selectors.good_practices_managed_by(request.user), pk=pk)
    attachment = get_object_or_404(practice.attachments, pk=attachment_pk)
    return _acted(request, lambda: practice_services.delete_attachment(_actor(request), attachment),
                  lambda status: _practice_page(request, practice, status=status), _("Pièce jointe supprimée."),
                  "knowledge:good_practice_edit", pk=practice.pk)


# --- FAQ -----------------------------------------------------------------------------------------

def _faq_manage_page(request: HttpRequest, status: int = 200) -> HttpResponse:
    return render(request, "knowledge/faq_manage.html", {
        "topics": selectors.faq_managed_by(request.user).order_by("position", "name"),
    }, status=status)


def _to_faq(saved: object) -> HttpResponse:
    return redirect("knowledge:faq_manage")


@access(OFFICERS)
@require_GET
def faq_manage(request: HttpRequest) -> HttpResponse:
    return _faq_manage_page(request)


def _topic_form(request: HttpRequest, topic: FaqTopic | None) -> HttpResponse:
    status = 200
    if request.method == "POST":
        form = FaqTopicForm(request.POST)

        def save() -> FaqTopic:
            if topic is None:
                return faq_services.create_faq_topic(_actor(request), form.to_input())
            return faq_services.update_faq_topic(_actor(request), topic, form.to_input())

        done = _submitted(request, form, save, _("Rubrique enregistrée."), _to_faq)
        if isinstance(done, HttpResponse):
            return done
        status = done
    else:
        form = FaqTopicForm(initial={"name": topic.name, "position": topic.position} if topic else None)
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
    return _acted(request, lambda: faq_services.delete_faq_topic(_actor(request), topic),
                  lambda status: _faq_manage_page(request, status=status), _("Rubrique supprimée."),
                  "knowledge:faq_manage")


def _question_form(request: HttpRequest, question: FaqQuestion | None) -> HttpResponse:
    status = 200
    if request.method == "POST":
        form = FaqQuestionForm(request.POST)

        def save() -> FaqQuestion:
            if question is None:
                return faq_services.create_faq_question(_actor(request), form.to_input())
            return faq_services.update_faq_question(_actor(request), question, form.to_input(),
                                                    expected_version=form.cleaned_data.get("version"))

        done = _submitted(request, form, save, _("Question enregistrée."), _to_faq)
        if isinstance(done, HttpResponse):
            return done
        status = done
    elif question is not None:
        form = FaqQuestionForm(initial={key: getattr(question, key) for key in (
            "topic", "question", "answer", "position", "is_example", "version")})
    else:
        form = FaqQuestionForm(initial={"topic": int_or_none(request.GET.get("rubrique"))})
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
    return _moved(request, workflow.FAQ, transition, lambda version: (
        faq_services.transition_faq_question(_actor(request), question, transition, expected_version=version)),
        lambda status: _faq_manage_page(request, status=status), "knowledge:faq_manage")


@access(OFFICERS)
@require_POST
def faq_question_delete(request: HttpRequest, pk: int) -> HttpResponse:
    question = get_object_or_404(selectors.faq_questions_managed_by(request.user), pk=pk)
    return _acted(request, lambda: faq_services.delete_faq_question(_actor(request), question),
                  lambda status: _faq_manage_page(request, status=status), _("Question supprimée."),
                  "knowledge:faq_manage")


# --- news ----------------------------------------------------------------------------------------

@access(NEWS_WRITERS)
@require_GET
def news_manage(request: HttpRequest) -> HttpResponse:
    form, page = _state_page(request, selectors.news_managed_by(request.user).order_by("-date", "-pk"))
    is_officer = selectors.is_officer(request.user)
    return render(request, "knowledge/news_manage.html", {
        "form": form, "page": page, "query": request.GET.copy(), "is_officer": is_officer,
        "proposals": selectors.submitted_news() if is_officer else [],
        "rows": [(item, workflow.news_status(item)) for item in page],
    })


def _news_page(request: HttpRequest, item: NewsItem | None, form: NewsForm | None = None,
               status: int = 200) -> HttpResponse:
    user = request.user
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

    def save() -> NewsItem:
        if item is None:
            return news_services.create_news(_actor(request), form.to_input())
        return news_services.update_news(_actor(request), item, form.to_input(),
                                         expected_version=form.cleaned_data.get("version"))

    done = _submitted(request, form, save, _("Actualité enregistrée."),
                      lambda saved: redirect("knowledge:news_edit", pk=saved.pk))
    return done if isinstance(done, HttpResponse) else _news_page(request, item, form=form, status=done)


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
    if transition == "send_back":  # its own page, with the reason the partner is told
        raise Http404
    return _moved(request, workflow.NEWS, transition, lambda version: (
        news_services.transition_news(_actor(request), item, transition, expected_version=version)),
        lambda status: _news_page(request, item, status=status), "knowledge:news_edit", pk=item.pk)


@access(OFFICERS)
@require_http_methods(["GET", "POST"])
def news_send_back(request: HttpRequest, pk: int) -> HttpResponse:
    """An officer sends a partner's proposal back, saying what to change (the partner is notified)."""
    item = get_object_or_404(selectors.news_managed_by(request.user), pk=pk)
    form = SendBackForm(request.POST or None, initial={"version": item.version})
    status = 200
    if request.method == "POST":
        done = _submitted(request, form, lambda: news_services.transition_news(
            _actor(request), item, "send_back", reason=form.cleaned_data["reason"],
            expected_version=form.cleaned_data.get("version")),
            _("Actualité renvoyée au partenaire."), lambda saved: redirect("knowledge:news_manage"))
        if isinstance(done, HttpResponse):
            return done
        status = done
    return render(request, "knowledge/news_send_back.html", {
        "item": item, "form": form, "error_summary": error_summary(form)}, status=status)
