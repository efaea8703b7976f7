"""``{% load comments %}{% comment_section object %}``: the comments of a public item (news, good practice,
event) with the form to write one. Implemented by the moderation app.

Comment bodies are plain text: the template escapes them and keeps their line breaks (``|linebreaksbr``);
they are never rendered as HTML."""

from typing import Any

from django import template
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import SafeString

from subsidia.moderation import selectors
from subsidia.moderation.forms import CommentForm, ReportForm
from subsidia.moderation.views import DRAFT_SESSION_KEY

register = template.Library()


@register.simple_tag(takes_context=True)
def comment_section(context: dict[str, Any], target: Any) -> str:
    if not selectors.is_commentable(target):
        return ""
    request = context.get("request")
    viewer: Any = getattr(request, "user", None) or context.get("user")
    signed_in = bool(getattr(viewer, "is_authenticated", False))
    comments = list(selectors.comments_for(target, viewer))
    reported = selectors.reported_by(viewer, comments)
    kind = selectors.target_kind(target)
    form = CommentForm(auto_id="id_comment_%s")
    errors: list[str] = []
    session = getattr(request, "session", None)
    if session is not None and (session.get(DRAFT_SESSION_KEY) or {}).get("key") == f"{kind}:{target.pk}":
        draft = session.pop(DRAFT_SESSION_KEY)
        form = CommentForm(initial={"body": draft.get("body", "")}, auto_id="id_comment_%s")
        errors = list(draft.get("errors", []))
    here = request.get_full_path() if request is not None else selectors.target_url(target)
    rows = [{"comment": c, "own": signed_in and c.author_id == viewer.pk,
             "can_report": signed_in and c.author_id != viewer.pk and c.status == "published",
             "reported": c.pk in reported, "report_form": ReportForm(auto_id=f"id_report_{c.pk}_%s")}
            for c in comments]
    return SafeString(render_to_string("moderation/_comment_section.html", {
        "target": target, "rows": rows, "count": sum(1 for c in comments if c.status == "published"),
        "signed_in": signed_in, "form": form, "errors": errors, "next": here,
        "post_url": reverse("moderation:post", kwargs={"kind": kind, "pk": target.pk}),
        "block": selectors.active_block(viewer) if signed_in else None,
        "is_moderator": selectors.is_moderator(viewer),
        "pre_moderated": signed_in and not selectors.is_trusted(viewer),
    }, request=request))
