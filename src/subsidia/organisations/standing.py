"""Whether an organisation is "conventionnée" (it holds a convention in force), which the directory and the
organisation pages show.

The rule is the conventions app's, and conventions build on organisations: organisations asks here, and the
conventions app answers by registering its selectors in ``ConventionsConfig.ready``, so that organisations
never imports it. Without the conventions app no organisation is conventionnée."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from subsidia.accounts.actors import Visitor

from .models import Organisation


@dataclass(frozen=True)
class Standing:
    # Those holding a convention in force today.
    conventioned_organisations: Callable[[], QuerySet[Organisation]]
    is_conventioned: Callable[[Organisation], bool]
    # The organisation's conventions in force that this person may open (the public: none, only the mention).
    conventions_in_force_visible_to: Callable[[Visitor, Organisation], Iterable[Any]]


_standing: Standing | None = None


def register(standing: Standing) -> None:
    global _standing
    _standing = standing


def conventioned_organisations() -> QuerySet[Organisation]:
    return _standing.conventioned_organisations() if _standing else Organisation.objects.none()


def is_conventioned(organisation: Organisation) -> bool:
    return _standing.is_conventioned(organisation) if _standing else False


def conventions_in_force_visible_to(user: Visitor, organisation: Organisation) -> Iterable[Any]:
    return _standing.conventions_in_force_visible_to(user, organisation) if _standing else []
