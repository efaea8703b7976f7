"""Optimistic locking: a form or API call carries the version it was read at, and a change made to an older
version is refused (409) rather than silently overwriting someone else's edit."""

from __future__ import annotations

from typing import Any

from django.db.models import F
from django.utils.translation import gettext as _

from .errors import Conflict


def check_version(obj: Any, expected_version: int | None, message: str | None = None) -> None:
    """Raise ``Conflict`` (code ``stale_version``) when ``expected_version`` is given and is not ``obj.version``.

    ``message`` may use ``%(current)s`` and ``%(yours)s``."""
    if expected_version is None or int(expected_version) == obj.version:
        return
    text = message or _("Ces données ont été modifiées entre-temps par quelqu'un d'autre (version %(current)s, vous "
                        "éditiez la version %(yours)s). Rechargez la page : vos changements n'ont pas été "
                        "enregistrés.")
    raise Conflict.single("stale_version", text % {"current": obj.version, "yours": expected_version}, "version")


def save_bumped(obj: Any) -> None:
    """Save ``obj`` with its version raised by one in the database, and read the new values back."""
    obj.version = F("version") + 1
    obj.save()
    obj.refresh_from_db()
