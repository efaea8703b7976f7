"""Who acts in a service: the types every domain's service signatures use.

A write is made by a signed-in person (:data:`Actor`); a read may come from anyone, signed in or not
(:data:`Visitor`); the system's own acts (the worker, a command) pass ``None`` where a service allows it."""

from __future__ import annotations

from typing import TypeAlias

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from .models import User

Actor: TypeAlias = User
Visitor: TypeAlias = User | AnonymousUser

__all__ = ["Actor", "Visitor", "signed_in"]


def signed_in(request: HttpRequest) -> Actor:
    """The person acting on a page whose access policy admits only signed-in people.

    The policy has let only them in; should a page be declared wrongly, this refuses (403) rather than let an
    anonymous visitor reach a service as if signed in."""
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied
    return user
