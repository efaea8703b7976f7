"""What the knowledge base's services share: the officers-only check, the addresses made from titles, and the
parsing of the values a write carries."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import models
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from subsidia.accounts.actors import Actor
from subsidia.core.errors import Code, PermissionDenied, Violation
from subsidia.core.html import sanitise
from subsidia.core.values import parse_id
from subsidia.core.versions import save_bumped
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


def take_text(data: dict[str, Any], key: str, clean: dict[str, Any], problems: list[Violation], *,
          required: bool = False, max_length: int | None = None, label: str = "") -> None:
    if key not in data and not required:
        return
    value = str(data.get(key) or "").strip()
    if required and not value:
        problems.append(Violation(Code.REQUIRED, _("Ce champ est obligatoire."), key))
    elif max_length is not None and len(value) > max_length:
        problems.append(Violation(Code.TOO_LONG, _("%(n)s caractères au plus.") % {"n": max_length}, key))
    clean[key] = value


def take_rich(data: dict[str, Any], key: str, clean: dict[str, Any], problems: list[Violation], *,
          required: bool = False) -> None:
    if key not in data and not required:
        return
    value = sanitise(str(data.get(key) or "")).strip()
    if required and not value:
        problems.append(Violation(Code.REQUIRED, _("Ce champ est obligatoire."), key))
    clean[key] = value


def take_one(data: dict[str, Any], key: str, model: type[models.Model], clean: dict[str, Any],
         problems: list[Violation], message: str) -> None:
    if key not in data:
        return
    value = data.get(key)
    if value in (None, ""):
        clean[key] = None
        return
    found = model._default_manager.filter(pk=parse_id(value) or 0).first()
    if found is None:
        problems.append(Violation(Code.INVALID_CHOICE, message, key))
    clean[key] = found


def take_many(data: dict[str, Any], key: str, model: type[models.Model], clean: dict[str, Any],
          problems: list[Violation], message: str) -> None:
    if key not in data:
        return
    raw = data.get(key) or []
    ids = {parse_id(v) for v in raw}
    found = list(model._default_manager.filter(pk__in=[i for i in ids if i is not None]))
    if None in ids or len(found) != len(ids):
        problems.append(Violation(Code.INVALID_CHOICE, message, key))
    clean[key] = found


def take_email(data: dict[str, Any], key: str, clean: dict[str, Any], problems: list[Violation]) -> None:
    if key not in data:
        return
    value = str(data.get(key) or "").strip()
    if value:
        try:
            validate_email(value)
        except ValidationError:
            problems.append(Violation(Code.INVALID, _("Adresse e-mail invalide."), key))
    clean[key] = value


def save_changes(obj: Any, clean: dict[str, Any], relations: Iterable[str]) -> None:
    related = {key: clean.pop(key) for key in relations if key in clean}
    for key, value in clean.items():
        setattr(obj, key, value)
    if obj.pk:
        save_bumped(obj)
    else:
        obj.save()
    for key, value in related.items():
        getattr(obj, key).set(value)
