"""The knowledge base's API, public and read only: good practices, the FAQ and the news.

Reads go through :mod:`subsidia.knowledge.selectors`: drafts are never listed and answer 404, archived news
too. An archived good practice is not listed either, but stays readable by its id (``state: "archived"``),
as its page stays readable by its address, so that links published elsewhere keep working.
"""

from collections.abc import Callable
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from ninja import Query, Router
from ninja.pagination import paginate

from subsidia.core.access import PUBLIC
from subsidia.core.html import plain_text, sanitise
from subsidia.knowledge import selectors
from subsidia.knowledge.models import GoodPractice, NewsItem

from .auth import PUBLIC_AUTH, api_access
from .concurrency import etag_doc, set_etag
from .schemas import ErrorOut, Id, Pages
from .schemas_knowledge import (
    FaqTopicOut,
    GoodPracticeFilters,
    GoodPracticeOut,
    NewsFilters,
    NewsOut,
)

router = Router(tags=["knowledge"])

ERRORS: dict[int, Any] = {401: ErrorOut, 404: ErrorOut}


class Mapped:
    """A queryset seen through ``convert``, for the pagination: only the page asked for is read and converted."""

    def __init__(self, queryset: QuerySet[Any], convert: Callable[[Any], dict[str, Any]]):
        self.queryset, self.convert = queryset, convert

    def __len__(self) -> int:
        return self.queryset.count()

    def __getitem__(self, window: slice) -> list[dict[str, Any]]:
        return [self.convert(obj) for obj in self.queryset[window]]


def _named(obj: Any, label: str = "name") -> dict[str, Any] | None:
    return None if obj is None else {"id": obj.pk, "name": str(getattr(obj, label))}


def _practice_out(request: HttpRequest, practice: GoodPractice) -> dict[str, Any]:
    return {
        **{key: getattr(practice, key) for key in ("id", "slug", "title", "state", "results", "contact_name",
                                                   "contact_email", "contact_phone", "is_example", "published_at",
                                                   "event_id")},
        "summary": plain_text(practice.summary), "body_html": sanitise(practice.body),
        "theme": {"code": practice.theme.code, "name": practice.theme.name} if practice.theme else None,
        "block": _named(practice.block, "title"),
        "municipalities": [_named(m) for m in practice.municipalities.all()],
        "actors": [_named(o) for o in practice.actors.all()],
        "other_actors": practice.other_actor_list,
        "attachments": [{
            "id": a.pk, "title": a.title, "content_type": a.content_type, "size": a.size,
            "url": request.build_absolute_uri(reverse("knowledge:good_practice_attachment",
                                                      kwargs={"slug": practice.slug, "pk": a.pk})),
        } for a in practice.attachments.all()],
        "url": request.build_absolute_uri(reverse("knowledge:good_practice_detail", kwargs={"slug": practice.slug})),
    }


def _news_out(request: HttpRequest, item: NewsItem) -> dict[str, Any]:
    return {
        **{key: getattr(item, key) for key in ("id", "slug", "title", "date", "place", "summary", "issuer",
                                               "event_id", "is_example", "published_at")},
        "body_html": sanitise(item.body), "tags": [t.name for t in item.tags.all()],
        "issuing_body": _named(item.issuing_body),
        "url": request.build_absolute_uri(reverse("knowledge:news_detail", kwargs={"slug": item.slug})),
    }


@router.get("/good-practices", auth=PUBLIC_AUTH, response=list[GoodPracticeOut])
@api_access(PUBLIC)
@paginate(Pages, page_size=50)
def list_good_practices(request: HttpRequest, filters: Query[GoodPracticeFilters]) -> Any:
    """Published good practices by title, filtered by theme (code), municipality, actor (organisation),
    event or block (ids)."""
    practices = selectors.filter_good_practices(
        selectors.published_good_practices(), theme=filters.theme or "", municipality=filters.municipality,
        actor=filters.actor, event=filters.event, block=filters.block)
    if filters.is_example is not None:
        practices = practices.filter(is_example=filters.is_example)
    return Mapped(practices.prefetch_related("attachments").order_by("title", "pk"),
                  lambda p: _practice_out(request, p))


@router.get("/good-practices/{good_practice_id}", auth=PUBLIC_AUTH, response={200: GoodPracticeOut, **ERRORS},
            openapi_extra=etag_doc())
@api_access(PUBLIC)
def get_good_practice(request: HttpRequest, response: HttpResponse, good_practice_id: Id) -> Any:
    """A published good practice, or an archived one (``state: "archived"``); drafts answer 404."""
    readable = selectors.good_practices_readable_by(None).prefetch_related("attachments")
    practice = get_object_or_404(readable, pk=good_practice_id)
    set_etag(response, practice)
    return _practice_out(request, practice)


@router.get("/faq", auth=PUBLIC_AUTH, response=list[FaqTopicOut])
@api_access(PUBLIC)
def get_faq(request: HttpRequest) -> Any:
    """The FAQ's topics in order, each with its published questions and their "last updated" dates."""
    return [{
        "id": topic.pk, "slug": topic.slug, "name": topic.name,
        "questions": [{"id": q.pk, "question": q.question, "answer_html": sanitise(q.answer),
                       "last_updated_on": q.last_updated_on, "is_example": q.is_example}
                      for q in topic.published_questions],  # type: ignore[attr-defined]
    } for topic in selectors.published_faq()]


@router.get("/news", auth=PUBLIC_AUTH, response=list[NewsOut])
@api_access(PUBLIC)
@paginate(Pages, page_size=50)
def list_news(request: HttpRequest, filters: Query[NewsFilters]) -> Any:
    """Published news, latest first; ``tag`` (a tag's slug) and ``issuer`` (an organisation's id) narrow it."""
    return Mapped(selectors.published_news(tag=filters.tag or "", issuer=filters.issuer),
                  lambda item: _news_out(request, item))


@router.get("/news/{news_id}", auth=PUBLIC_AUTH, response={200: NewsOut, **ERRORS}, openapi_extra=etag_doc())
@api_access(PUBLIC)
def get_news(request: HttpRequest, response: HttpResponse, news_id: Id) -> Any:
    """A published news item; drafts and archived items answer 404."""
    item = get_object_or_404(selectors.published_news(), pk=news_id)
    set_etag(response, item)
    return _news_out(request, item)
