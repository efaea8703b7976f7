"""Optimistic locking: a form or API call carries the version it was read at, and a change made to an older
version is refused (409) rather than silently overwriting someone else's edit."""

from __future__ import annotations

from typing import Any, TypeVar

from django.db import models
from django.db.models import F
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from .errors import Code, Conflict, NotFound

M = TypeVar("M", bound=models.Model)


def locked(visible: models.QuerySet[M], obj: M | int, not_found: str | Promise, *,
           related: tuple[str, ...] = ()) -> M:
    """``obj`` read again and locked for the current transaction (``SELECT … FOR UPDATE``) if it is among
    ``visible`` (what the actor may see), else ``NotFound`` (404: whether it exists must not leak).

    The lock is taken on a plain query by primary key (``visible`` may be distinct or joined, which
    PostgreSQL cannot lock); ``related`` are the foreign keys to read with it."""
    pk = obj if isinstance(obj, int) else obj.pk
    if not visible.filter(pk=pk).exists():
        raise NotFound.single(Code.NOT_FOUND, str(not_found))
    query = visible.model._default_manager.select_for_update()
    return query.select_related(*related).get(pk=pk) if related else query.get(pk=pk)


def check_version(obj: Any, expected_version: int | None, message: str | None = None) -> None:
    """Raise ``Conflict`` (code ``stale_version``) when ``expected_version`` is given and is not ``obj.version``.

    ``message`` may use ``%(current)s`` and ``%(yours)s``."""
    if expected_version is None or int(expected_version) == obj.version:
        return
    text = message or _("Ces données ont été modifiées entre-temps par quelqu'un d'autre (version %(current)s, vous "
                        "éditiez la version %(yours)s). Rechargez la page : vos changements n'ont pas été "
                        "enregistrés.")
    raise Conflict.single(Code.STALE_VERSION, text % {"current": obj.version, "yours": expected_version}, "version")


def save_bumped(obj: Any) -> None:
    """Save ``obj`` with its version raised by one in the database, and read the new values back."""
    obj.version = F("version") + 1
    obj.save()
    obj.refresh_from_db()
