"""The comments of the demo (``data/moderation.toml``), told through the moderation services: the moderator
adds the filtered words; readers comment on the public pages, and the services decide what waits for a
moderator (a new account, a filtered word); the moderator approves the older readers' first comments; three
readers report one, which the services then hide.

Comments are matched on their author and text, the filtered words on the word: what exists is left as it is.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from django.db import models

from subsidia.accounts.actors import Actor
from subsidia.events.models import Event
from subsidia.knowledge.models import GoodPractice, NewsItem
from subsidia.moderation import services as moderation
from subsidia.moderation.models import Comment, FilteredWord

from .data import check_keys, one, read
from .story import Inbox, Story

MODERATOR = "moderator@demo.subsidia.lu"
TARGETS: dict[str, type[models.Model]] = {"event": Event, "practice": GoodPractice, "news": NewsItem}


def _target(on: str) -> models.Model:
    kind, _colon, title = on.partition(":")
    return one(TARGETS[kind], kind, title=title)


def _comment(entry: dict[str, Any]) -> Comment:
    return one(Comment, "comment", author__email__iexact=entry["by"], body=entry["body"])


def _add_words(words: list[str], moderator: Actor | None) -> None:
    assert moderator is not None
    for word in words:
        moderation.add_filtered_word(moderator, word)


def _post(entry: dict[str, Any], reader: Actor | None) -> None:
    assert reader is not None
    moderation.post_comment(reader, _target(entry["on"]), entry["body"])


def _approve(entry: dict[str, Any], moderator: Actor | None) -> None:
    assert moderator is not None
    moderation.approve(moderator, _comment(entry))


def _report(entry: dict[str, Any], reason: str, reader: Actor | None) -> None:
    assert reader is not None
    moderation.report_comment(reader, _comment(entry), reason)


def tell_moderation(story: Story) -> None:
    data = read("moderation.toml")
    words = [word for word in data.get("filtered_words", []) if not FilteredWord.objects.filter(word=word).exists()]
    story.count("Filtered words", "unchanged", len(data.get("filtered_words", [])) - len(words))
    if words:
        story.add(story.moment(data["words_added"]), MODERATOR, "filtered words", partial(_add_words, words))
        story.count("Filtered words", "created", len(words))
    for entry in data.get("comment", []):
        check_keys(f"comment of {entry.get('by')!r}", entry,
                   {"on", "by", "posted", "approved", "reported_by", "reported", "body"})
        if Comment.objects.filter(author__email__iexact=entry["by"], body=entry["body"]).exists():
            story.count("Comments", "unchanged")
            continue
        what = f"comment of {entry['by']} on {entry['on']!r}"
        # What still waits for a moderator today stays in their inbox.
        waits = "approved" not in entry
        story.add(story.moment(entry["posted"]), entry["by"], what, partial(_post, entry),
                  Inbox.UNREAD if waits else Inbox.DISCARD)
        if not waits:
            story.add(story.moment(entry["approved"]), MODERATOR, f"approval, {what}", partial(_approve, entry))
        reported = story.moment(entry["reported"]) if "reported_by" in entry else None
        for n, reader in enumerate(entry.get("reported_by", [])):
            assert reported is not None
            story.add(reported.replace(hour=reported.hour + n), reader, f"report, {what}",
                      partial(_report, entry, data["report_reason"]), Inbox.UNREAD)
        story.count("Comments", "created")
        story.count("Comment reports", "created", len(entry.get("reported_by", [])))
