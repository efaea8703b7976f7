"""Rich text from people (good practices, news, FAQ answers, event descriptions) is sanitised with nh3 before
it is stored, and once more when it is shown, so no script, event handler or foreign markup reaches a page."""

from __future__ import annotations

import re
from html import unescape

import nh3
from django.utils.safestring import SafeString, mark_safe

# What an editor may use: structure, emphasis, lists, links, simple tables. No images (photos go through the
# checked gallery), no style, no class, no iframes.
ALLOWED_TAGS = {
    "p", "br", "h2", "h3", "h4", "strong", "em", "b", "i", "u", "s", "blockquote", "ul", "ol", "li", "a",
    "table", "thead", "tbody", "tr", "th", "td", "caption", "abbr", "code", "pre", "hr",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title", "hreflang"}, "abbr": {"title"}, "th": {"scope"}, "td": {"colspan"}}
URL_SCHEMES = {"http", "https", "mailto", "tel"}


def sanitise(html: str) -> str:
    """The safe subset of ``html``; links get ``rel="noopener noreferrer nofollow"``."""
    return nh3.clean(
        html or "",
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )


def rich_text(html: str) -> SafeString:
    """Sanitised HTML, ready for a template (``{{ item.body|rich_text }}``)."""
    return mark_safe(sanitise(html))  # noqa: S308 - sanitised just above


def plain_text(html: str) -> str:
    """The words of a rich text, without any markup (for search, e-mails, feeds' summaries)."""
    text = nh3.clean(re.sub(r"<(/?)(p|br|li|h[2-4]|tr|blockquote)\b", r" <\1\2", html or ""), tags=set(),
                     strip_comments=True)
    return " ".join(unescape(text).split())
