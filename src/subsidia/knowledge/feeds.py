"""The news as RSS 2.0 and Atom feeds (django.contrib.syndication): the latest published items, with their
summary as plain text. ``?tag=<slug>`` narrows a feed to one tag."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from django.contrib.syndication.views import Feed
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed, SyndicationFeed
from django.utils.translation import gettext as _

from subsidia.core.access import PUBLIC, access
from subsidia.core.html import plain_text

from . import selectors
from .models import NewsItem

FEED_SIZE = 30


class NewsRssFeed(Feed):
    feed_type: type[SyndicationFeed] = Rss201rev2Feed

    def get_object(self, request: HttpRequest, *args: Any, **kwargs: Any) -> str:
        return str(request.GET.get("tag") or "")[:80]

    def title(self, tag: str) -> str:
        return _("Subsidia — actualités") + (f" · {tag}" if tag else "")

    def link(self) -> str:
        return reverse("knowledge:news_list")

    def description(self) -> str:
        return _("Les actualités du ministère et de ses partenaires.")

    def items(self, tag: str) -> list[NewsItem]:
        return list(selectors.published_news(tag=tag)[:FEED_SIZE])

    def item_title(self, item: NewsItem) -> str:
        return item.title

    def item_description(self, item: NewsItem) -> str:
        return item.summary or plain_text(item.body)[:500]

    def item_link(self, item: NewsItem) -> str:
        return reverse("knowledge:news_detail", kwargs={"slug": item.slug})

    def item_guid(self, item: NewsItem) -> str:
        return f"subsidia-news-{item.pk}"

    item_guid_is_permalink = False

    def item_pubdate(self, item: NewsItem) -> datetime:
        return item.published_at or timezone.make_aware(datetime.combine(item.date, time(9)))

    def item_updateddate(self, item: NewsItem) -> datetime:
        return item.updated_at

    def item_author_name(self, item: NewsItem) -> str:
        return item.issuer

    def item_categories(self, item: NewsItem) -> list[str]:
        return [t.name for t in item.tags.all()]


class NewsAtomFeed(NewsRssFeed):
    feed_type = Atom1Feed

    def subtitle(self) -> str:
        return self.description()


news_rss = access(PUBLIC)(NewsRssFeed())
news_atom = access(PUBLIC)(NewsAtomFeed())
