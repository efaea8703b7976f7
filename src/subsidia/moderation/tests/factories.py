"""Factories of the moderation app: a published news item to comment on, comments, reports, blocks, words."""

from __future__ import annotations

from datetime import timedelta

import factory
from django.utils import timezone

from subsidia.accounts.tests.factories import UserFactory
from subsidia.knowledge.models import NewsItem
from subsidia.moderation.models import AccountBlock, Comment, CommentReport, CommentStatus, FilteredWord


class NewsItemFactory(factory.django.DjangoModelFactory[NewsItem]):
    class Meta:
        model = NewsItem

    title = factory.Sequence(lambda n: f"Actualité {n}")
    slug = factory.Sequence(lambda n: f"actualite-commentee-{n}")
    body = "<p>Texte de l'actualité.</p>"
    state = "published"
    published_at = factory.LazyFunction(timezone.now)


class CommentFactory(factory.django.DjangoModelFactory[Comment]):
    class Meta:
        model = Comment

    target = factory.SubFactory(NewsItemFactory)
    author = factory.SubFactory(UserFactory)
    body = factory.Sequence(lambda n: f"Commentaire numéro {n}.")
    status = CommentStatus.PUBLISHED


class CommentReportFactory(factory.django.DjangoModelFactory[CommentReport]):
    class Meta:
        model = CommentReport

    comment = factory.SubFactory(CommentFactory)
    reporter = factory.SubFactory(UserFactory)
    reason = "Hors sujet"


class AccountBlockFactory(factory.django.DjangoModelFactory[AccountBlock]):
    class Meta:
        model = AccountBlock

    user = factory.SubFactory(UserFactory)
    ends_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=7))
    justification = "Insultes répétées."


class FilteredWordFactory(factory.django.DjangoModelFactory[FilteredWord]):
    class Meta:
        model = FilteredWord
        django_get_or_create = ("word",)

    word = "crétin"
