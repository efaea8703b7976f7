"""Who acts in a service: the types every domain's service signatures use.

A write is made by a signed-in person (:data:`Actor`); a read may come from anyone, signed in or not
(:data:`Visitor`); the system's own acts (the worker, a command) pass ``None`` where a service allows it."""

from __future__ import annotations

from typing import TypeAlias

from django.contrib.auth.models import AnonymousUser

from .models import User

Actor: TypeAlias = User
Visitor: TypeAlias = User | AnonymousUser

__all__ = ["Actor", "Visitor"]
