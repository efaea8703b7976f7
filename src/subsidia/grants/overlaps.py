"""What else may already fund an application: the ministry's check, on the application's page, that a
convention of the organisation does not fund the same domain over the same period.

Conventions build on grants (their funding overview reads the applications), so grants asks here and the
conventions app answers by registering its finder in ``ConventionsConfig.ready``: grants never imports
conventions. Without the conventions app nothing overlaps."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from subsidia.accounts.actors import Visitor

from .models import Application

# (who looks, the application) -> the overlaps this person may see (none for those who may not).
Finder = Callable[[Visitor, Application], Sequence[Any]]

_finder: Finder | None = None


def register(finder: Finder) -> None:
    global _finder
    _finder = finder


def overlaps_for(user: Visitor, application: Application) -> Sequence[Any]:
    return _finder(user, application) if _finder is not None else []
