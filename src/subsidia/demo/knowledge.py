"""The knowledge base of the demo, told through the knowledge services: the officer writes up the good
practices presented at the 2017 conference (``data/good_practices.toml``) and publishes them, archives one
later; writes and publishes the FAQ (``data/faq.toml``) and the news (``data/news.toml``); the gestionnaire of
Femmes en détresse writes a news item for their organisation and proposes it. Rich text is sanitised by the
services.

Good practices, FAQ questions and news items are matched on their title (FAQ topics on their name): what
exists is left as it is.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import partial
from typing import Any

from subsidia.accounts.actors import Actor
from subsidia.events.models import Block
from subsidia.knowledge.inputs import FaqQuestionInput, FaqTopicInput, GoodPracticeInput, NewsInput
from subsidia.knowledge.models import FaqQuestion, FaqTopic, GoodPractice, NewsItem, NewsTag
from subsidia.knowledge.services import faq, good_practices, news
from subsidia.organisations.models import Municipality, Organisation, Theme

from . import clock
from .data import check_keys, one, read
from .events import event_named
from .story import Inbox, Story

OFFICER = "officer@demo.subsidia.lu"
PRACTICE_KEYS = {"block", "title", "theme", "municipalities", "actors", "other_actors", "summary", "body",
                 "results", "contact", "state"}
NEWS_KEYS = {"title", "on", "place", "issuing_body", "event", "tags", "summary", "body", "is_example", "state",
             "submitted_by"}


# --- Good practices ------------------------------------------------------------------------------------

def _write_practice(event_title: str, note: str, entry: dict[str, Any], officer: Actor | None) -> None:
    assert officer is not None
    event = event_named(event_title)
    contact_name, contact_email = entry["contact"]
    good_practices.create_good_practice(officer, GoodPracticeInput(
        title=entry["title"], summary=entry["summary"],
        body="".join(f"<p>{paragraph}</p>" for paragraph in entry["body"]) + note,
        theme=one(Theme, "theme", code=entry["theme"]), event=event,
        block=one(Block, "thematic block", event=event, title=entry["block"]),
        municipalities=tuple(one(Municipality, "municipality", name=name) for name in entry.get("municipalities", [])),
        actors=tuple(one(Organisation, "organisation", name=name) for name in entry.get("actors", [])),
        other_actors="\n".join(entry.get("other_actors", [])), results=entry.get("results", ""),
        contact_name=contact_name, contact_email=contact_email, is_example=True))


def _move_practice(title: str, name: str, officer: Actor | None) -> None:
    assert officer is not None
    good_practices.transition_good_practice(officer, one(GoodPractice, "good practice", title=title), name)


def tell_good_practices(story: Story) -> None:
    data = read("good_practices.toml")
    written = story.at(data["written"], "09:00")
    for n, entry in enumerate(data.get("practice", [])):
        check_keys(f"good practice {entry.get('title')!r}", entry, PRACTICE_KEYS)
        title, state = entry["title"], entry.get("state", "published")
        if GoodPractice.objects.filter(title=title).exists():
            story.count("Good practices", "unchanged")
            continue
        story.add(written.replace(hour=9 + n // 4, minute=15 * (n % 4)), OFFICER, f"good practice {title!r}",
                  partial(_write_practice, data["event"], data["note"], entry))
        if state in {"published", "archived"}:
            story.add(story.at(data["published"]), OFFICER, f"publication of {title!r}",
                      partial(_move_practice, title, "publish"))
        if state == "archived":
            story.add(story.at(data["archived"]), OFFICER, f"archive of {title!r}",
                      partial(_move_practice, title, "archive"))
        story.count("Good practices", "created")


# --- FAQ -----------------------------------------------------------------------------------------------

def _write_topic(name: str, position: int, officer: Actor | None) -> None:
    assert officer is not None
    faq.create_faq_topic(officer, FaqTopicInput(name=name, position=position))


def _write_question(topic: str, position: int, entry: dict[str, Any], officer: Actor | None) -> None:
    assert officer is not None
    question = faq.create_faq_question(officer, FaqQuestionInput(
        topic=one(FaqTopic, "FAQ topic", name=topic), question=entry["question"], answer=entry["answer"],
        position=position, is_example=entry.get("is_example", False)))
    faq.transition_faq_question(officer, question, "publish")


def tell_faq(story: Story) -> None:
    for position, topic in enumerate(read("faq.toml").get("topic", []), start=1):
        questions = topic.get("question", [])
        if FaqTopic.objects.filter(name=topic["name"]).exists():
            story.count("FAQ topics", "unchanged")
        else:
            first = min((story.day(q["updated"]) for q in questions), default=story.today)
            story.add(story.at(first.isoformat(), "09:00"), OFFICER, f"FAQ topic {topic['name']!r}",
                      partial(_write_topic, topic["name"], position))
            story.count("FAQ topics", "created")
        for number, entry in enumerate(questions, start=1):
            check_keys(f"FAQ question {entry.get('question')!r}", entry,
                       {"question", "answer", "updated", "is_example"})
            if FaqQuestion.objects.filter(question=entry["question"]).exists():
                story.count("FAQ questions", "unchanged")
                continue
            story.add(story.at(entry["updated"], "10:00"), OFFICER, f"FAQ question {entry['question']!r}",
                      partial(_write_question, topic["name"], number, entry))
            story.count("FAQ questions", "created")


# --- News ----------------------------------------------------------------------------------------------

def _write_news(entry: dict[str, Any], on: date, author: Actor | None) -> None:
    assert author is not None
    news.create_news(author, NewsInput(
        title=entry["title"], body=entry["body"], date=on, place=entry.get("place", ""),
        summary=entry.get("summary", ""), tags=tuple(entry.get("tags", [])),
        event=event_named(entry["event"]) if entry.get("event") else None,
        issuing_body=one(Organisation, "organisation", name=entry["issuing_body"]),
        is_example=entry.get("is_example", False)))


def _move_news(title: str, name: str, actor: Actor | None) -> None:
    assert actor is not None
    news.transition_news(actor, one(NewsItem, "news item", title=title), name)


def tell_news(story: Story) -> None:
    tags: set[str] = set()
    for entry in read("news.toml").get("news", []):
        check_keys(f"news item {entry.get('title')!r}", entry, NEWS_KEYS)
        tags.update(entry.get("tags", []))
        title = entry["title"]
        if NewsItem.objects.filter(title=title).exists():
            story.count("News items", "unchanged")
            continue
        day = story.day(entry["on"])
        author = entry.get("submitted_by", OFFICER)
        # Written the day before its date, published on it.
        story.add(clock.at(day - timedelta(days=1), "15:00"), author, f"news item {title!r}",
                  partial(_write_news, entry, day))
        if entry.get("submitted_by"):
            # The officers' "news proposed" notification still waits for them.
            story.add(story.at(entry["on"], "16:00"), author, f"proposal of {title!r}",
                      partial(_move_news, title, "submit"), Inbox.UNREAD)
        if entry.get("state", "published") == "published":
            story.add(story.at(entry["on"], "09:00"), OFFICER, f"publication of {title!r}",
                      partial(_move_news, title, "publish"))
        story.count("News items", "created")
    existing = set(NewsTag.objects.filter(name__in=tags).values_list("name", flat=True))
    story.count("News tags", "unchanged", len(existing))
    story.count("News tags", "created", len(tags - existing))


def tell_knowledge(story: Story) -> None:
    tell_good_practices(story)
    tell_faq(story)
    tell_news(story)
