"""Reading the story's data files (``data/*.toml``, TOML read with the standard library), strictly: an unknown
key or a missing reference stops the load with the entry named, rather than leaving out part of the story."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError
from django.db import models

DATA_DIR = Path(__file__).resolve().parent / "data"

M = TypeVar("M", bound=models.Model)


def read(name: str) -> dict[str, Any]:
    path = DATA_DIR / name
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise CommandError(f"Cannot read the demo data {path}: {exc}") from exc


def check_keys(what: str, entry: dict[str, Any], allowed: set[str]) -> None:
    unknown = sorted(set(entry) - allowed)
    if unknown:
        raise CommandError(f"{what}: unknown key(s) {', '.join(unknown)} in the demo data.")


def one(model: type[M], what: str, **lookup: Any) -> M:
    """The row the story names, or a CommandError naming what is missing."""
    found = model._default_manager.filter(**lookup).first()
    if found is None:
        raise CommandError(f"The demo needs the {what} {next(iter(lookup.values()))!r}.")
    return found


def upsert(model: type[M], lookup: dict[str, Any], values: dict[str, Any]) -> tuple[M, str]:
    """Like ``update_or_create``, but a row whose values are already right is not saved again (its
    ``updated_at`` stays). Returns the row and "created", "updated" or "unchanged". For the reference data
    only (themes, municipalities, activity domains), which have no service: they are kept in the admin."""
    obj = model._default_manager.filter(**lookup).first()
    if obj is None:
        obj = model(**lookup, **values)
        status = "created"
    else:
        changed = [key for key, value in values.items() if getattr(obj, key) != value]
        if not changed:
            return obj, "unchanged"
        for key in changed:
            setattr(obj, key, values[key])
        status = "updated"
    try:
        obj.full_clean()
    except ValidationError as exc:
        raise CommandError(f"Invalid demo {model._meta.verbose_name} {lookup}: {exc.messages}") from exc
    obj.save()
    return obj, status
