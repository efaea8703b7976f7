"""The knowledge-base part of ``subsidia load-demo``: the 24 good practices presented at the 2017 conference in
Mersch (eight per thematic block), the FAQ and the news. The data lives in ``fixtures/demo/good_practices.json``,
``faq.json`` and ``news.json``; rich text is sanitised before it is stored.

The good practices are invented (``is_example``, titles ending in "(exemple)", contacts at example.lu): 22 are
published, one archived and one still a draft, to show the workflow. News items carry their date, or a number
of days before today; the last one is a draft that the demo partner (Femmes en détresse) has submitted for
publication. Historical content is written to the models directly.

Idempotent: good practices and news are matched on their slug, FAQ topics on their slug, FAQ questions on their
topic and question, tags on their name; what exists is left as it is.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError
from django.utils import timezone
from django.utils.text import slugify

import subsidia
from subsidia.accounts.models import User
from subsidia.core.html import sanitise
from subsidia.events.demo import LUXEMBOURG, MERSCH_DAY, MERSCH_SLUG, get_or_add
from subsidia.events.models import Block, Event
from subsidia.organisations.models import Municipality, Organisation, Theme

from .models import FaqQuestion, FaqTopic, GoodPractice, NewsItem, NewsTag, PublicationState

DEMO_DIR = Path(subsidia.__file__).resolve().parent / "fixtures" / "demo"
OFFICER = "officer@demo.subsidia.lu"
EXAMPLE_NOTE = ("<p><em>Bonne pratique d'exemple : cette fiche illustre la démonstration de Subsidia, son contenu "
                "est inventé.</em></p>")
PRACTICE_KEYS = {"block", "title", "slug", "theme", "municipalities", "actors", "other_actors", "summary", "body",
                 "results", "contact", "state"}
NEWS_KEYS = {"title", "slug", "date", "days_ago", "place", "issuing_body", "event", "tags", "summary", "body",
             "is_example", "state", "submitted_by"}


def read(name: str) -> Any:
    path = DEMO_DIR / name
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise CommandError(f"Cannot read the demo data {path}: {exc}") from exc


def _check_keys(what: str, entry: dict[str, Any], allowed: set[str]) -> None:
    unknown = sorted(set(entry) - allowed)
    if unknown:
        raise CommandError(f"{what}: unknown key(s) {', '.join(unknown)} in the demo data.")


def _at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=LUXEMBOURG)


def _one(model: type[Any], what: str, **lookup: Any) -> Any:
    found = model._default_manager.filter(**lookup).first()
    if found is None:
        raise CommandError(f"The knowledge demo needs the {what} {next(iter(lookup.values()))!r}.")
    return found


def load_good_practices(counts: Counter[tuple[str, str]]) -> None:
    event = _one(Event, "event", slug=MERSCH_SLUG)
    officer = User.objects.filter(email__iexact=OFFICER).first()
    published_at = _at(date(2017, 3, 31))
    for n, entry in enumerate(read("good_practices.json")):
        _check_keys(f"good practice {entry.get('slug')!r}", entry, PRACTICE_KEYS)
        state = entry.get("state", PublicationState.PUBLISHED)
        if state not in PublicationState.values:
            raise CommandError(f"Good practice {entry['slug']!r}: unknown state {state!r}.")
        paragraphs = "".join(f"<p>{paragraph}</p>" for paragraph in entry["body"])
        contact_name, contact_email = entry["contact"]
        practice, created = get_or_add(counts, "Good practices", GoodPractice, {"slug": entry["slug"]}, {
            "title": entry["title"], "summary": entry["summary"], "body": sanitise(paragraphs + EXAMPLE_NOTE),
            "theme": _one(Theme, "theme", code=entry["theme"]),
            "block": _one(Block, "thematic block", event=event, title=entry["block"]),
            "event": event, "other_actors": "\n".join(entry.get("other_actors", [])),
            "results": entry.get("results", ""), "contact_name": contact_name, "contact_email": contact_email,
            "state": state,
            "published_at": None if state == PublicationState.DRAFT else published_at,
            "archived_at": _at(date(2019, 6, 3)) if state == PublicationState.ARCHIVED else None,
            "is_example": True, "created_by": officer,
            "created_at": _at(MERSCH_DAY + timedelta(days=20), 9 + n % 8),
        })
        if created:
            practice.municipalities.set([_one(Municipality, "municipality", name=name)
                                         for name in entry.get("municipalities", [])])
            practice.actors.set([_one(Organisation, "organisation", name=name) for name in entry.get("actors", [])])


def load_faq(counts: Counter[tuple[str, str]], today: date) -> None:
    for position, topic_entry in enumerate(read("faq.json"), start=1):
        topic, _created = get_or_add(counts, "FAQ topics", FaqTopic, {"slug": topic_entry["slug"]},
                                     {"name": topic_entry["name"], "position": position})
        for number, entry in enumerate(topic_entry["questions"], start=1):
            updated = today - timedelta(days=int(entry["updated_days_ago"]))
            get_or_add(counts, "FAQ questions", FaqQuestion, {"topic": topic, "question": entry["question"]}, {
                "answer": sanitise(entry["answer"]), "position": number, "state": PublicationState.PUBLISHED,
                "last_updated_on": updated, "is_example": entry.get("is_example", False),
                "created_at": _at(updated - timedelta(days=30)),
            })


def load_news(counts: Counter[tuple[str, str]], today: date) -> None:
    officer = User.objects.filter(email__iexact=OFFICER).first()
    tags_by_name: dict[str, NewsTag] = {}
    for entry in read("news.json"):
        _check_keys(f"news item {entry.get('slug')!r}", entry, NEWS_KEYS)
        day = date.fromisoformat(entry["date"]) if "date" in entry else today - timedelta(days=int(entry["days_ago"]))
        state = entry.get("state", PublicationState.PUBLISHED)
        author = officer
        if entry.get("submitted_by"):
            author = _one(User, "account", email__iexact=entry["submitted_by"])
        published = state == PublicationState.PUBLISHED
        item, created = get_or_add(counts, "News items", NewsItem, {"slug": entry["slug"]}, {
            "title": entry["title"], "date": day, "place": entry.get("place", ""),
            "summary": entry.get("summary", ""), "body": sanitise(entry["body"]),
            "issuing_body": _one(Organisation, "organisation", name=entry["issuing_body"]),
            "event": _one(Event, "event", slug=entry["event"]) if entry.get("event") else None,
            "state": state, "published_at": _at(day, 9) if published else None,
            "submitted_at": _at(day, 16) if entry.get("submitted_by") else None,
            "is_example": entry.get("is_example", False), "created_by": author,
            "created_at": _at(day - timedelta(days=1), 15),
        })
        for name in entry.get("tags", []):
            if name not in tags_by_name:
                tags_by_name[name] = get_or_add(counts, "News tags", NewsTag, {"name": name},
                                                {"slug": slugify(name)})[0]
        tags = [tags_by_name[name] for name in entry.get("tags", [])]
        if created:
            item.tags.set(tags)


def load_knowledge_demo(counts: Counter[tuple[str, str]], today: date | None = None) -> None:
    """Load the good practices, the FAQ and the news (run by ``load-demo`` after the events demo)."""
    today = today or timezone.localdate()
    load_good_practices(counts)
    load_faq(counts, today)
    load_news(counts, today)


def rebuild_search_index(counts: Counter[tuple[str, str]]) -> None:
    """Rebuild the search index, when the search app provides one, so that it reflects the demo."""
    import importlib

    try:
        index = importlib.import_module("subsidia.search.index")
    except ImportError:
        return
    rebuild = getattr(index, "rebuild", None)
    if rebuild is not None:
        counts["Search index entries", "updated"] += int(rebuild() or 0)
