"""The readers' posts: writing a comment and reporting one. Both come from the comment section of a public page
(``{% comment_section target %}``) and go back to it with a message; a refused comment is kept in the session
and shown again on the form with its errors, so that nothing typed is lost."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from subsidia.core.access import SIGNED_IN, access
from subsidia.core.errors import NotFound, RuleViolation
from subsidia.core.http import safe_next

from . import selectors, services
from .models import Comment, CommentStatus

DRAFT_SESSION_KEY = "comment_draft"


def _back(request: HttpRequest, target: object | None = None) -> HttpResponseRedirect:
    fallback = selectors.target_url(target) or "/"
    url = safe_next(request, fallback)
    return HttpResponseRedirect(url.split("#")[0] + "#commentaires")


@access(SIGNED_IN)
@require_POST
def post(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    target = selectors.find_target(kind, pk)
    if target is None:
        raise Http404(_("Cette page ne reçoit pas de commentaires."))
    body = request.POST.get("body", "")
    try:
        comment = services.post_comment(request.user, target, body)
    except RuleViolation as error:
        if isinstance(error, NotFound):
            raise Http404(str(error)) from None
        request.session[DRAFT_SESSION_KEY] = {
            "key": f"{kind}:{pk}", "body": body[:services.MAX_BODY + 100],
            "errors": [str(v.message) for v in error.violations]}
        messages.error(request, _("Votre commentaire n'a pas été enregistré : voyez l'erreur sous le formulaire."))
        return _back(request, target)
    request.session.pop(DRAFT_SESSION_KEY, None)
    if comment.status == CommentStatus.PUBLISHED:
        messages.success(request, _("Votre commentaire est publié."))
    else:
        messages.success(request, _("Merci ! Votre commentaire sera publié après validation par un modérateur."))
    return _back(request, target)


@access(SIGNED_IN)
@require_POST
def report(request: HttpRequest, pk: int) -> HttpResponse:
    comment = get_object_or_404(Comment, pk=pk)
    target = comment.target
    if not selectors.comments_for(target, request.user).filter(pk=comment.pk).exists():
        raise Http404(_("Commentaire introuvable."))
    try:
        services.report_comment(request.user, comment, request.POST.get("reason", ""))
    except RuleViolation as error:
        if isinstance(error, NotFound):
            raise Http404(str(error)) from None
        for violation in error.violations:
            messages.error(request, str(violation.message))
        return _back(request, target)
    messages.success(request, _("Merci : votre signalement a été transmis aux modérateurs."))
    return _back(request, target)
