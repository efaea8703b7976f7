"""Highlighted titles and snippets: the words of the original text whose stem is one of the query's are wrapped
in ``<mark>``; everything else is escaped (no text from the index ever reaches a page unescaped)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from .text import ORIGINAL_WORD, stems_of_word

SNIPPET_WORDS_BEFORE = 12
SNIPPET_WORDS = 40
ELLIPSIS = "…"


def _words(text: str) -> list[re.Match[str]]:
    return list(ORIGINAL_WORD.finditer(text))


def _matches(word: str, query: Collection[str]) -> bool:
    return any(s in query for s in stems_of_word(word))


def _render(text: str, words: list[re.Match[str]], query: Collection[str]) -> str:
    parts: list[str] = []
    position = 0
    for match in words:
        if _matches(match.group(), query):
            parts.append(escape(text[position:match.start()]))
            parts.append(f"<mark>{escape(match.group())}</mark>")
            position = match.end()
    parts.append(escape(text[position:]))
    return "".join(parts)


def highlight(text: str, query: Collection[str]) -> SafeString:
    """The whole ``text``, escaped, with the matching words marked."""
    text = unicodedata.normalize("NFC", text or "")
    return mark_safe(_render(text, _words(text), query))  # noqa: S308 - every piece escaped in _render


def has_match(text: str, query: Collection[str]) -> bool:
    text = unicodedata.normalize("NFC", text or "")
    return any(_matches(m.group(), query) for m in _words(text))


def snippet(texts: list[str], query: Collection[str]) -> SafeString:
    """A window of about :data:`SNIPPET_WORDS` words around the first match in the first of ``texts`` that has
    one (or the beginning of the first non-empty text), escaped, with the matching words marked."""
    texts = [" ".join(unicodedata.normalize("NFC", t).split()) for t in texts if t and t.strip()]
    if not texts:
        return mark_safe("")
    chosen, first = texts[0], 0
    for text in texts:
        words = _words(text)
        hit = next((i for i, m in enumerate(words) if _matches(m.group(), query)), None)
        if hit is not None:
            chosen, first = text, max(0, hit - SNIPPET_WORDS_BEFORE)
            break
    words = _words(chosen)
    if not words:
        return mark_safe(escape(chosen[:300]))  # noqa: S308 - escaped
    last = min(len(words), first + SNIPPET_WORDS) - 1
    start = 0 if first == 0 else words[first].start()
    end = len(chosen) if last == len(words) - 1 else words[last].end()
    window = chosen[start:end]
    html = _render(window, _words(window), query)
    return mark_safe((ELLIPSIS + " " if start > 0 else "") + html  # noqa: S308 - escaped in _render
                     + (" " + ELLIPSIS if end < len(chosen) else ""))
