"""Reads on the knowledge base, scoped by who reads.

The public sees published good practices, FAQ questions and news only. An archived good practice is no
longer listed (pages, API, search) but stays readable by its direct link, with an "archivé" notice, so that
links published elsewhere keep working; archived news and FAQ drafts answer 404. Officers see everything
(their management pages, and a preview of drafts). A partner's gestionnaire sees the news of their own
organisation in every state, and nothing of another organisation's drafts (404).

Other apps (search, events, the home page) read published items through :func:`published_good_practices`,
:func:`published_faq_questions` and :func:`published_news`.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet

from subsidia.accounts.actors import Visitor
from subsidia.accounts.models import User
from subsidia.accounts.roles import Role
from subsidia.events.models import Block, Event
from subsidia.organisations.models import Municipality, Organisation, Theme

from .models import (
    FaqQuestion,
    FaqTopic,
    GoodPractice,
    NewsItem,
    NewsTag,
    PublicationState,
)

PUBLISHED = PublicationState.PUBLISHED
ARCHIVED = PublicationState.ARCHIVED


def is_officer(user: Visitor | None) -> bool:
    return isinstance(user, User) and user.has_role(Role.OFFICER)


def partner_admin_organisations(user: Visitor | None) -> QuerySet[Organisation]:
    """The organisations whose news the user writes as their gestionnaire."""
    if not isinstance(user, User):
        return Organisation.objects.none()
    return Organisation.objects.filter(memberships__user=user, memberships__role=Role.PARTNER_ADMIN).distinct()


# --- good practices ------------------------------------------------------------------------------

def _practices() -> QuerySet[GoodPractice]:
    return GoodPractice.objects.select_related("theme", "block", "event").prefetch_related(
        "municipalities", "actors")


def published_good_practices() -> QuerySet[GoodPractice]:
    """Good practices the public lists (not archived ones, nor drafts)."""
    return _practices().filter(state=PUBLISHED)


def good_practices_readable_by(user: Visitor | None) -> QuerySet[GoodPractice]:
    """Good practices the user may open by their address: published and archived ones; officers also drafts."""
    if is_officer(user):
        return _practices()
    return _practices().filter(state__in=[PUBLISHED, ARCHIVED])


def good_practices_managed_by(user: Visitor | None) -> QuerySet[GoodPractice]:
    return _practices() if is_officer(user) else GoodPractice.objects.none()


def filter_good_practices(practices: QuerySet[GoodPractice], *, theme: str = "", municipality: int | None = None,
                          actor: int | None = None, block: int | None = None, event: int | None = None,
                          examples_only: bool = False) -> QuerySet[GoodPractice]:
    """Narrow a list of good practices; ``theme`` is a theme's code, the others primary keys."""
    if theme:
        practices = practices.filter(theme__code=theme)
    if municipality:
        practices = practices.filter(municipalities__pk=municipality)
    if actor:
        practices = practices.filter(actors__pk=actor)
    if block:
        practices = practices.filter(block_id=block)
    if event:
        practices = practices.filter(event_id=event)
    if examples_only:
        practices = practices.filter(is_example=True)
    return practices.distinct()


def good_practice_facets() -> dict[str, list[tuple[Any, str, int]]]:
    """The filter choices of the public list, each with its number of published good practices."""
    published = Q(good_practices__state=PUBLISHED)

    def rows(queryset: QuerySet[Any], key: str, label: Any) -> list[tuple[Any, str, int]]:
        annotated = queryset.annotate(n=Count("good_practices", filter=published, distinct=True)).filter(n__gt=0)
        return [(getattr(o, key), label(o), o.n) for o in annotated]

    return {
        "theme": rows(Theme.objects.order_by("name"), "code", str),
        "municipality": rows(Municipality.objects.order_by("name"), "pk", str),
        "actor": rows(Organisation.objects.order_by("name"), "pk", str),
        "event": rows(Event.objects.order_by("-starts_at"), "pk", str),
        "block": rows(Block.objects.select_related("event").order_by("event__starts_at", "position"), "pk",
                      lambda b: f"{b.title} ({b.event.title})"),
    }


# --- FAQ -----------------------------------------------------------------------------------------

def published_faq_questions() -> QuerySet[FaqQuestion]:
    return FaqQuestion.objects.filter(state=PUBLISHED).select_related("topic")


def published_faq() -> list[FaqTopic]:
    """The FAQ's topics that have published questions, each with them in ``published_questions``."""
    questions = FaqQuestion.objects.filter(state=PUBLISHED).order_by("position", "pk")
    return list(FaqTopic.objects.filter(questions__state=PUBLISHED).distinct().order_by("position", "name")
                .prefetch_related(Prefetch("questions", queryset=questions, to_attr="published_questions")))


def faq_managed_by(user: Visitor | None) -> QuerySet[FaqTopic]:
    if not is_officer(user):
        return FaqTopic.objects.none()
    return FaqTopic.objects.prefetch_related(
        Prefetch("questions", queryset=FaqQuestion.objects.order_by("position", "pk"), to_attr="all_questions"))


def faq_questions_managed_by(user: Visitor | None) -> QuerySet[FaqQuestion]:
    return FaqQuestion.objects.select_related("topic") if is_officer(user) else FaqQuestion.objects.none()


# --- news ----------------------------------------------------------------------------------------

def _news() -> QuerySet[NewsItem]:
    return NewsItem.objects.select_related("issuing_body", "event").prefetch_related("tags")


def published_news(tag: str = "", issuer: int | None = None) -> QuerySet[NewsItem]:
    """Published news, latest first; ``tag`` is a tag's slug, ``issuer`` an organisation's key."""
    news = _news().filter(state=PUBLISHED)
    if tag:
        news = news.filter(tags__slug=tag)
    if issuer:
        news = news.filter(issuing_body_id=issuer)
    return news.distinct().order_by("-date", "-published_at", "-pk")


def news_managed_by(user: Visitor | None) -> QuerySet[NewsItem]:
    """Officers manage every news item; a partner's gestionnaire those of their own organisations."""
    if is_officer(user):
        return _news()
    organisations = partner_admin_organisations(user)
    return _news().filter(issuing_body__in=organisations)


def news_readable_by(user: Visitor | None) -> QuerySet[NewsItem]:
    """Published news, and (as a preview) the news the user manages."""
    return _news().filter(Q(state=PUBLISHED) | Q(pk__in=news_managed_by(user).values("pk")))


def news_tags_in_use() -> QuerySet[NewsTag]:
    return NewsTag.objects.filter(news__state=PUBLISHED).annotate(
        n=Count("news", filter=Q(news__state=PUBLISHED), distinct=True)).order_by("name")


def news_issuers() -> QuerySet[Organisation]:
    return Organisation.objects.filter(news__state=PUBLISHED).distinct().order_by("name")


def submitted_news() -> QuerySet[NewsItem]:
    """Partners' proposals waiting for an officer."""
    return _news().filter(state=PublicationState.DRAFT, submitted_at__isnull=False).order_by("submitted_at")
