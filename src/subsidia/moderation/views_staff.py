"""The moderators' pages: the queue (waiting, reported or hidden, recent) with the decision forms, an author's
page (their comments, their blocks, the block form), the list of blocks, and the word filter.

Reads go through :mod:`subsidia.moderation.selectors`, writes through :mod:`subsidia.moderation.services`. A
broken rule (422) or a clash with someone else's decision (409) re-renders the page with the error on the form.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlsplit

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from subsidia.accounts.actors import signed_in
from subsidia.accounts.models import User
from subsidia.accounts.roles import Role
from subsidia.core.access import access, roles
from subsidia.core.errors import NotFound, RuleViolation, add_to_form
from subsidia.core.forms import error_summary
from subsidia.core.http import int_or_none, safe_next

from . import selectors, services, workflow
from .forms import BlockForm, WordForm
from .models import AccountBlock, Comment, CommentStatus, FilteredWord

MODERATORS = roles(Role.MODERATOR, Role.ADMIN, name="moderators")
PAGE_SIZE = 25
TAB_LABELS = {"pending": gettext_lazy("En attente"), "reported": gettext_lazy("Signalés ou masqués"),
              "recent": gettext_lazy("Récents")}



def _button(request: HttpRequest, act: Callable[[], object], done: str) -> None:
    """Make the act of a button: ``done`` as the message, or the refusal's (the page redirects either way)."""
    try:
        act()
    except RuleViolation as error:
        for violation in error.violations:
            messages.error(request, str(violation.message))
    else:
        messages.success(request, done)


def _rows(request: HttpRequest, comments: Any, errors: dict[int, list[str]] | None = None,
          posted: dict[int, dict[str, str]] | None = None) -> list[dict[str, Any]]:
    errors, posted = errors or {}, posted or {}
    # "keep" files readers' reports: offered only when there are some.
    return [{"comment": c, "acts": [t for t in workflow.COMMENTS.available_to(request.user, c.status)
                                    if t.name != "keep" or c.report_count],
             "target_url": selectors.target_url(c.target),
             "errors": errors.get(c.pk, []), "reason": posted.get(c.pk, {}).get("reason", "")}
            for c in comments]


def _queue_page(request: HttpRequest, status: int = 200, errors: dict[int, list[str]] | None = None,
                posted: dict[int, dict[str, str]] | None = None, tab: str = "") -> HttpResponse:
    tab = tab or request.GET.get("onglet", "pending")
    if tab not in selectors.QUEUE_TABS:
        tab = "pending"
    page = Paginator(selectors.moderation_queue(tab), PAGE_SIZE).get_page(
        request.GET.get("page"))
    counts = selectors.queue_counts()
    tabs = [{"key": key, "label": TAB_LABELS[key], "count": counts[key], "current": key == tab}
            for key in selectors.QUEUE_TABS]
    return render(request, "moderation/queue.html", {
        "tab": tab, "tab_label": TAB_LABELS[tab], "tabs": tabs, "page": page, "query": {"onglet": tab},
        "rows": _rows(request, page.object_list, errors, posted),
        "next": request.get_full_path(),
    }, status=status)


@access(MODERATORS)
@require_http_methods(["GET"])
def queue(request: HttpRequest) -> HttpResponse:
    return _queue_page(request)


def _tab_of(comment: Comment) -> str:
    comment.refresh_from_db()
    if comment.status == CommentStatus.PENDING:
        return "pending"
    if comment.status == CommentStatus.HIDDEN or comment.report_count:
        return "reported"
    return "recent"


@access(MODERATORS)
@require_POST
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    comment = get_object_or_404(Comment, pk=pk)
    act = request.POST.get("action", "")
    reason = request.POST.get("reason", "")
    try:
        services.moderate(signed_in(request), comment, act, reason, int_or_none(request.POST.get("version")))
    except RuleViolation as error:
        if isinstance(error, NotFound):
            return redirect(reverse("moderation:queue"))
        messages.error(request, _("La décision n'a pas été enregistrée : voyez l'erreur sous le commentaire."))
        errors = {comment.pk: [str(v.message) for v in error.violations]}
        back = safe_next(request, "")
        if back.startswith(reverse("moderation:author", kwargs={"pk": comment.author_id})):
            return _author_page(request, comment.author, status=error.status_code, errors=errors,
                                posted={comment.pk: {"reason": reason}})
        tab = parse_qs(urlsplit(back).query).get("onglet", [""])[0] or _tab_of(comment)
        return _queue_page(request, error.status_code, errors, {comment.pk: {"reason": reason}}, tab)
    done = {"approve": _("Le commentaire est publié."), "hide": _("Le commentaire est masqué."),
            "restore": _("Le commentaire est rétabli."), "reject": _("Le commentaire est refusé."),
            "keep": _("Le commentaire reste publié ; les signalements sont classés.")}
    told = workflow.COMMENTS[act].tells_author
    messages.success(request, done[act] + (" " + _("L'auteur en est informé.") if told else ""))
    return redirect(safe_next(request, reverse("moderation:queue")))


# --- authors and blocks ----------------------------------------------------------------------------

def _author_page(request: HttpRequest, author: User, form: BlockForm | None = None, status: int = 200,
                 errors: dict[int, list[str]] | None = None,
                 posted: dict[int, dict[str, str]] | None = None) -> HttpResponse:
    form = form or BlockForm()
    page = Paginator(selectors.moderation_queue(author=author), PAGE_SIZE).get_page(
        request.GET.get("page"))
    return render(request, "moderation/author.html", {
        "author": author, "rows": _rows(request, page.object_list, errors, posted), "page": page,
        "blocks": selectors.blocks().filter(user=author), "active_block": selectors.active_block(author),
        "trusted": selectors.is_trusted(author), "form": form, "error_summary": error_summary(form),
        "next": request.get_full_path(), "can_block": not selectors.is_moderator(author), "now": timezone.now(),
    }, status=status)


@access(MODERATORS)
@require_http_methods(["GET"])
def author(request: HttpRequest, pk: int) -> HttpResponse:
    return _author_page(request, get_object_or_404(User, pk=pk))


@access(MODERATORS)
@require_POST
def block(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_object_or_404(User, pk=pk)
    form = BlockForm(request.POST)
    if not form.is_valid():
        return _author_page(request, person, form, status=422)
    try:
        services.block_account(signed_in(request), person, form.cleaned_data["ends_at"],
                               form.cleaned_data["justification"])
    except RuleViolation as error:
        add_to_form(form, error)
        return _author_page(request, person, form, status=error.status_code)
    messages.success(request, _("Le compte est bloqué. La personne en est informée, avec la justification."))
    return redirect("moderation:author", pk=person.pk)


@access(MODERATORS)
@require_http_methods(["GET"])
def blocks(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.blocks(), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "moderation/blocks.html", {"page": page, "blocks": page.object_list,
                                                     "now": timezone.now()})


@access(MODERATORS)
@require_POST
def lift_block(request: HttpRequest, pk: int) -> HttpResponse:
    account_block = get_object_or_404(AccountBlock, pk=pk)
    _button(request, lambda: services.lift_block(signed_in(request), account_block), _("Le blocage est levé."))
    return redirect(safe_next(request, reverse("moderation:blocks")))


# --- the word filter -------------------------------------------------------------------------------

@access(MODERATORS)
@require_http_methods(["GET", "POST"])
def words(request: HttpRequest) -> HttpResponse:
    form = WordForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.add_filtered_word(signed_in(request), form.cleaned_data["word"])
            except RuleViolation as error:
                add_to_form(form, error)
                status = error.status_code
            else:
                messages.success(request, _("Le mot est ajouté au filtre."))
                return redirect("moderation:words")
        else:
            status = 422
    return render(request, "moderation/words.html", {
        "form": form, "error_summary": error_summary(form), "words": selectors.filtered_words()}, status=status)


@access(MODERATORS)
@require_POST
def word_remove(request: HttpRequest, pk: int) -> HttpResponse:
    filtered = get_object_or_404(FilteredWord, pk=pk)
    _button(request, lambda: services.remove_filtered_word(signed_in(request), filtered),
            _("Le mot est retiré du filtre."))
    return redirect("moderation:words")
