"""What the knowledge base's services share: the officers-only check, the addresses made from titles, the
cleaning of rich text and the saving of a typed input."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import fields
from typing import Any

from django.db import models
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from subsidia.accounts.actors import Actor
from subsidia.core.errors import Code, PermissionDenied
from subsidia.core.html import sanitise
from subsidia.core.models import Versioned
from subsidia.knowledge import selectors

NOT_FOUND = gettext_lazy("Élément introuvable.")
# Addresses the pages use below /bonnes-pratiques/ and /actualites/: never a slug.
RESERVED_SLUGS = {"gestion", "rss", "atom", "nouvelle", "faq"}


def require_officer(actor: Actor) -> None:
    if not selectors.is_officer(actor):
        raise PermissionDenied.single(Code.FORBIDDEN, _("Seul un agent gestionnaire peut faire cela."))


def unique_slug(model: type[models.Model], text: str, exclude_pk: int | None = None, max_length: int = 200) -> str:
    """A slug made from ``text``, unique among ``model``'s rows (``-2``, ``-3``… when taken)."""
    base = slugify(text.replace("'", " ").replace("\u2019", " "))[: max_length - 8].strip("-") or "element"
    candidate, n = base, 1
    others = model._default_manager.exclude(pk=exclude_pk) if exclude_pk else model._default_manager.all()
    while candidate in RESERVED_SLUGS or others.filter(slug=candidate).exists():
        n += 1
        candidate = f"{base}-{n}"
    return candidate


def clean_rich(html: str) -> str:
    """A rich text as it is stored: the safe subset of ``html`` (and nothing when nothing of it is left)."""
    return sanitise(html).strip()


def save_input(obj: Versioned, data: Any, *, skip: Iterable[str] = ()) -> None:
    """Set ``obj``'s fields from the typed input ``data`` (the many-to-many ones, named in ``skip``, are the
    caller's) and save it: a new object as it is, one already stored with its version raised."""
    for item in fields(data):
        if item.name not in skip:
            setattr(obj, item.name, getattr(data, item.name))
    if obj.pk:
        obj.save_bumped()
    else:
        obj.save()
