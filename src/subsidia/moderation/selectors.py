"""Reads of comments, scoped by the viewer: the public sees published and hidden comments (hidden ones as
hidden), an author also their own pending and rejected ones; moderators see the queue."""

from __future__ import annotations

import re
import unicodedata
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Prefetch, Q, QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from subsidia.accounts.actors import Visitor
from subsidia.accounts.models import User
from subsidia.accounts.roles import PARTNER_ROLES, STAFF_ROLES

from .models import AccountBlock, Comment, CommentReport, CommentStatus, FilteredWord
from .workflow import MODERATOR_ROLES

# What may be commented on: (app label, model) -> the public kind in addresses.
COMMENTABLE: dict[tuple[str, str], str] = {
    ("knowledge", "newsitem"): "actualite",
    ("knowledge", "goodpractice"): "bonne-pratique",
    ("events", "event"): "evenement",
}
KIND_TO_MODEL = {kind: key for key, kind in COMMENTABLE.items()}
# Candidate public addresses of each kind, tried in turn (the pages are the knowledge and events apps').
_TARGET_URL_NAMES: dict[tuple[str, str], list[str]] = {
    ("knowledge", "newsitem"): ["knowledge:news_detail", "knowledge:news", "knowledge:news_item"],
    ("knowledge", "goodpractice"): ["knowledge:practice_detail", "knowledge:good_practice",
                                     "knowledge:good_practice_detail", "knowledge:practice"],
    ("events", "event"): ["events:detail", "events:event", "events:event_detail"],
}
QUEUE_TABS = ("pending", "reported", "recent")
RECENT_DAYS = 30


def _key(obj: Any) -> tuple[str, str]:
    return (obj._meta.app_label, obj._meta.model_name)


def is_commentable(target: Any) -> bool:
    """A news item, good practice or event that is published (comments live only on public pages)."""
    if target is None or not isinstance(target, models.Model) or _key(target) not in COMMENTABLE:
        return False
    if _key(target) == ("events", "event"):
        return bool(getattr(target, "status", None) == "published")
    return bool(getattr(target, "state", None) == "published")


def target_kind(target: Any) -> str:
    return COMMENTABLE[_key(target)]


def find_target(kind: str, pk: int) -> Any | None:
    """The published target of this kind and id, or None."""
    key = KIND_TO_MODEL.get(kind)
    if key is None:
        return None
    model = ContentType.objects.get_by_natural_key(*key).model_class()
    target = model._default_manager.filter(pk=pk).first() if model is not None else None
    return target if is_commentable(target) else None


def target_url(target: Any) -> str:
    """The public page of a commented item ("" when its page cannot be found)."""
    if target is None:
        return ""
    if hasattr(target, "get_absolute_url"):
        return str(target.get_absolute_url())
    for name in _TARGET_URL_NAMES.get(_key(target), []):
        for kwargs in ({"slug": getattr(target, "slug", "")}, {"pk": target.pk}):
            try:
                return reverse(name, kwargs=kwargs)
            except NoReverseMatch:
                continue
    return ""


def is_moderator(user: Visitor | None) -> bool:
    return isinstance(user, User) and bool(user.roles & MODERATOR_ROLES)


def is_trusted(user: Visitor) -> bool:
    """Trusted accounts are post-moderated: staff, partner members, and accounts at least
    COMMENT_TRUST_AFTER_DAYS old with at least COMMENT_TRUST_AFTER_PUBLISHED published comments."""
    if not isinstance(user, User):
        return False
    if user.roles & (STAFF_ROLES | PARTNER_ROLES):
        return True
    if user.date_joined > timezone.now() - timedelta(days=settings.COMMENT_TRUST_AFTER_DAYS):
        return False
    published = Comment.objects.filter(author=user, status=CommentStatus.PUBLISHED).count()
    return published >= settings.COMMENT_TRUST_AFTER_PUBLISHED


def active_block(user: Visitor) -> AccountBlock | None:
    """The block in force on this account now (the one ending last), or None."""
    if not isinstance(user, User):
        return None
    now = timezone.now()
    return (AccountBlock.objects.filter(user=user, lifted_at__isnull=True, starts_at__lte=now, ends_at__gt=now)
            .order_by("-ends_at").first())


def comments_for(target: Any, viewer: Visitor) -> QuerySet[Comment]:
    """The comments of ``target`` the viewer may see: published and hidden ones (hidden ones are shown as hidden),
    and the viewer's own pending and rejected ones. Nothing when the target is not public."""
    if not is_commentable(target):
        return Comment.objects.none()
    visible = Q(status__in=[CommentStatus.PUBLISHED, CommentStatus.HIDDEN])
    if isinstance(viewer, User):
        visible |= Q(author=viewer)
    return (Comment.objects.filter(content_type=ContentType.objects.get_for_model(target), object_id=target.pk)
            .filter(visible).select_related("author").order_by("created_at", "pk"))


def reported_by(viewer: Visitor, comments: list[Comment]) -> set[int]:
    """The ids of those comments the viewer has already reported."""
    if not isinstance(viewer, User):
        return set()
    return set(CommentReport.objects.filter(reporter=viewer, comment__in=comments)
               .values_list("comment_id", flat=True))


def moderation_queue(tab: str = "pending", author: User | None = None) -> QuerySet[Comment]:
    """The moderators' list. ``pending``: waiting for a first decision, oldest first; ``reported``: hidden, or
    published with unresolved reports, most reported first; ``recent``: everything of the last 30 days."""
    reports = CommentReport.objects.select_related("reporter").order_by("created_at")
    comments = (Comment.objects.select_related("author", "content_type", "moderated_by")
                .prefetch_related("target", Prefetch("reports", queryset=reports)))
    if author is not None:
        return comments.filter(author=author).order_by("-created_at", "-pk")
    if tab == "reported":  # report_count: the unresolved reports, kept by the services
        return (comments.filter(Q(status=CommentStatus.HIDDEN) |
                                Q(status=CommentStatus.PUBLISHED, report_count__gt=0))
                .order_by("-report_count", "-created_at", "-pk"))
    if tab == "recent":
        since = timezone.now() - timedelta(days=RECENT_DAYS)
        return comments.filter(created_at__gte=since).order_by("-created_at", "-pk")
    return comments.filter(status=CommentStatus.PENDING).order_by("created_at", "pk")


def queue_counts() -> dict[str, int]:
    return {tab: moderation_queue(tab).count() for tab in QUEUE_TABS}


def blocks() -> QuerySet[AccountBlock]:
    return AccountBlock.objects.select_related("user", "blocked_by", "lifted_by").order_by("-starts_at", "-pk")


def filtered_words() -> QuerySet[FilteredWord]:
    return FilteredWord.objects.select_related("added_by").order_by("word")


# --- the word filter -------------------------------------------------------------------------------

def normalise(text: str) -> str:
    """Lower case, without accents, every run of non-letters a single space: "Crétin !" → "cretin"."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return " ".join(re.split(r"[\W_]+", plain)).strip()


def filtered_words_in(text: str) -> list[str]:
    """The filtered words or expressions found in ``text`` as whole words, ignoring case and accents."""
    haystack = f" {normalise(text)} "
    found = []
    for word in FilteredWord.objects.values_list("word", flat=True):
        needle = normalise(word)
        if needle and f" {needle} " in haystack:
            found.append(word)
    return found
