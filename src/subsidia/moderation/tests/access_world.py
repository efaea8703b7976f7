"""Objects of the moderation app in the access matrix's world: a published news item with a pending, a published
and a hidden comment by a reader who is none of the personas, a filtered word, a block on another reader, and an
account waiting for its activation link."""

from __future__ import annotations

from typing import Any

from subsidia.accounts.services_signup import activation_token
from subsidia.accounts.tests.factories import UserFactory
from subsidia.moderation.models import CommentStatus, HeldBecause

from .factories import AccountBlockFactory, CommentFactory, FilteredWordFactory, NewsItemFactory


def add_moderation(world: dict[str, Any]) -> None:
    news = NewsItemFactory.create(title="Actualité commentée", slug="actualite-commentee-matrice")
    author = UserFactory.create(email="lecteur.commentaires@example.lu", full_name="Lecteur Commentaires")
    pending = CommentFactory.create(target=news, author=author, status=CommentStatus.PENDING,
                                    held_because=HeldBecause.NEW_ACCOUNT)
    published = CommentFactory.create(target=news, author=author, status=CommentStatus.PUBLISHED)
    hidden = CommentFactory.create(target=news, author=author, status=CommentStatus.HIDDEN, reason="Hors sujet")
    word = FilteredWordFactory.create(word="mot interdit")
    block = AccountBlockFactory.create(user=UserFactory.create(email="bloque@example.lu"))
    waiting = UserFactory.create(email="en.attente@example.lu", is_active=False)
    world.update({"commented_news": news, "comment_author": author, "comment_pending": pending,
                  "comment_published": published, "comment_hidden": hidden, "filtered_word": word,
                  "comment_block": block, "activation_token": activation_token(waiting)})
