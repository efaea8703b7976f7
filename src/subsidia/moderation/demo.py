"""The moderation part of ``subsidia load-demo``: four public demo accounts without any role (three older than
COMMENT_TRUST_AFTER_DAYS, one joined three days ago), published comments on the 2017 conference, good practices
and news, and what the moderators have to look at: two comments of the new account held for pre-moderation, one
held by the word filter, one hidden after three readers reported it.

The accounts sign in with the demo password (``settings.DEMO_PASSWORD``). Comments are invented and end in
"(exemple)". They are written to the models directly, with the states the moderation services would have given.

Idempotent: accounts are matched on their e-mail address, comments on their target, author and text, reports on
their comment and reporter, filtered words on the word.
"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.management.base import CommandError
from django.db import models
from django.utils import timezone

from subsidia.accounts import services as account_services
from subsidia.accounts.models import User
from subsidia.core.errors import RuleViolation
from subsidia.events.demo import MERSCH_SLUG, get_or_add
from subsidia.events.models import Event
from subsidia.knowledge.models import GoodPractice, NewsItem

from .models import Comment, CommentReport, CommentStatus, FilteredWord, HeldBecause

MODERATOR = "moderator@demo.subsidia.lu"
# (e-mail, full name, joined so many days ago)
PUBLIC_ACCOUNTS = [
    ("lecteur1@demo.subsidia.lu", "Lectrice 1 (démo)", 400),
    ("lecteur2@demo.subsidia.lu", "Lecteur 2 (démo)", 120),
    ("lecteur3@demo.subsidia.lu", "Lectrice 3 (démo)", 60),
    ("lecteur4@demo.subsidia.lu", "Nouveau lecteur 4 (démo)", 3),
]
FILTERED_WORDS = ["arnaque", "escrocs", "parasites"]

EVENT, PRACTICE, NEWS = "event", "practice", "news"
# (target kind, target slug, author, text, days ago, status, held because)
COMMENTS: list[tuple[str, str, str, str, int, str, str]] = [
    (EVENT, MERSCH_SLUG, "lecteur1@demo.subsidia.lu",
     "Merci pour la mise en ligne des fiches : notre commune s'en est inspirée pour préparer son propre plan "
     "communal d'intégration (exemple).", 200, CommentStatus.PUBLISHED, ""),
    (PRACTICE, "cafes-des-langues-exemple", "lecteur1@demo.subsidia.lu",
     "Nous avons lancé un café des langues sur ce modèle à la bibliothèque : une vingtaine de personnes chaque "
     "semaine (exemple).", 150, CommentStatus.PUBLISHED, ""),
    (PRACTICE, "guichet-unique-logement-exemple", "lecteur1@demo.subsidia.lu",
     "La permanence du samedi matin est une très bonne idée pour les personnes qui travaillent en semaine "
     "(exemple).", 90, CommentStatus.PUBLISHED, ""),
    (PRACTICE, "plan-communal-integration-participatif-exemple", "lecteur2@demo.subsidia.lu",
     "Combien de temps a-t-il fallu entre le premier atelier et l'adoption du plan par le conseil communal ? "
     "(exemple)", 80, CommentStatus.PUBLISHED, ""),
    (PRACTICE, "plan-communal-integration-participatif-exemple", "gestionnaire.asti@demo.subsidia.lu",
     "Dans les communes que nous avons accompagnées, il faut compter environ un an (exemple).", 78,
     CommentStatus.PUBLISHED, ""),
    (NEWS, "journee-echange-communes-inscriptions-exemple", "lecteur3@demo.subsidia.lu",
     "Les documents présentés lors de la journée seront-ils publiés ensuite ? (exemple)", 8,
     CommentStatus.PUBLISHED, ""),
    # Waiting for a moderator.
    (EVENT, MERSCH_SLUG, "lecteur4@demo.subsidia.lu",
     "Bonjour, une conférence semblable est-elle prévue cette année ? (exemple)", 2,
     CommentStatus.PENDING, HeldBecause.NEW_ACCOUNT),
    (PRACTICE, "parrainage-nouveaux-arrivants-exemple", "lecteur4@demo.subsidia.lu",
     "Comment devenir bénévole pour le parrainage dans ma commune ? (exemple)", 1,
     CommentStatus.PENDING, HeldBecause.NEW_ACCOUNT),
    (PRACTICE, "terrains-communaux-logement-abordable-exemple", "lecteur2@demo.subsidia.lu",
     "Ce projet est une arnaque pour les contribuables, ces logements ne seront jamais abordables (exemple).", 1,
     CommentStatus.PENDING, HeldBecause.WORD_FILTER),
    (NEWS, "subsides-vivre-ensemble-demandes-ouvertes-exemple", "lecteur3@demo.subsidia.lu",
     "Encore de l'argent jeté par les fenêtres, ces associations ne servent à rien et profitent du système "
     "(exemple).", 6, CommentStatus.HIDDEN, HeldBecause.REPORTS),
]
REPORTERS = ["lecteur1@demo.subsidia.lu", "lecteur2@demo.subsidia.lu", "membre@demo.subsidia.lu"]
REPORT_REASON = "Propos injurieux envers les associations (exemple)."


def _user(email: str) -> User:
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        raise CommandError(f"The moderation demo needs the demo account {email!r}.")
    return user


def load_public_accounts(counts: Counter[tuple[str, str]]) -> None:
    password = settings.DEMO_PASSWORD
    now = timezone.now()
    for email, full_name, days in PUBLIC_ACCOUNTS:
        existing = User.objects.filter(email__iexact=email).first()
        needs_password = existing is None or not existing.check_password(password)
        try:
            user, created = account_services.provision_user(
                None, email, full_name=full_name, password=password if needs_password else None)
        except RuleViolation as exc:
            raise CommandError(f"User {email!r}: {exc}") from exc
        if created:
            User.objects.filter(pk=user.pk).update(date_joined=now - timedelta(days=days))
        counts["Public demo accounts", "created" if created else ("updated" if needs_password else "unchanged")] += 1


def _target(kind: str, slug: str) -> models.Model:
    model: type[models.Model] = {EVENT: Event, PRACTICE: GoodPractice, NEWS: NewsItem}[kind]
    found = model._default_manager.filter(slug=slug).first()
    if found is None:
        raise CommandError(f"The moderation demo needs the {model._meta.verbose_name} {slug!r}.")
    return found


def load_comments(counts: Counter[tuple[str, str]]) -> None:
    now = timezone.now()
    moderator = User.objects.filter(email__iexact=MODERATOR).first()
    for word in FILTERED_WORDS:
        get_or_add(counts, "Filtered words", FilteredWord, {"word": word},
                   {"added_by": moderator, "added_at": now - timedelta(days=100)})
    hidden = None
    for kind, slug, email, text, days, status, held in COMMENTS:
        target = _target(kind, slug)
        values: dict[str, Any] = {"status": status, "held_because": held,
                                  "created_at": now - timedelta(days=days, hours=3)}
        if status == CommentStatus.HIDDEN:
            values["report_count"] = len(REPORTERS)
        comment, _created = get_or_add(counts, "Comments", Comment, {
            "content_type": ContentType.objects.get_for_model(target), "object_id": target.pk,
            "author": _user(email), "body": text}, values)
        if status == CommentStatus.HIDDEN:
            hidden = comment
    if hidden is not None:
        for n, email in enumerate(REPORTERS):
            get_or_add(counts, "Comment reports", CommentReport, {"comment": hidden, "reporter": _user(email)},
                       {"reason": REPORT_REASON, "created_at": hidden.created_at + timedelta(hours=2 + n)})


def load_moderation_demo(counts: Counter[tuple[str, str]]) -> None:
    """Load the public demo accounts and the comments (run by ``load-demo`` after the knowledge demo)."""
    load_public_accounts(counts)
    load_comments(counts)
