"""Who may use which view: a declared policy on every page view and API operation.

Each view is wrapped by :func:`access` with a :class:`Policy`; the policy is enforced here and kept
on the view as ``access_policy``, which the access-matrix test reads for every URL and API route, so
that a view nobody declared fails the suite. Object-level scoping (a partner sees only its own
organisation) is the selectors' work, and answers 404.

Only the machinery lives here: each app declares its own policies in its ``access.py`` (the roles
shared by many apps, such as ``STAFF`` or ``OFFICERS``, in ``subsidia.accounts.access``), so that
core knows no domain and no role by name.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseBase


@dataclass(frozen=True)
class Policy:
    name: str
    login_required: bool
    roles: frozenset[str] | None = None  # None: any (signed-in) user
    description: str = field(default="", compare=False)

    def allows(self, user: Any) -> bool:
        if not self.login_required:
            return True
        if not getattr(user, "is_authenticated", False):
            return False
        if self.roles is None:
            return True
        return bool(user.roles & self.roles)


PUBLIC = Policy("public", login_required=False, description="anyone, signed in or not")
SIGNED_IN = Policy("signed_in", login_required=True, description="any signed-in user")


def roles(*names: str, name: str | None = None) -> Policy:
    return Policy(name or "+".join(sorted(names)), login_required=True, roles=frozenset(names))


ViewFunc = Callable[..., HttpResponseBase]


def access(policy: Policy) -> Callable[[ViewFunc], ViewFunc]:
    """Declare and enforce who may use a page view."""

    def decorate(view: ViewFunc) -> ViewFunc:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not policy.allows(request.user):
                if not request.user.is_authenticated:
                    return redirect_to_login(request.get_full_path())
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapped.access_policy = policy  # type: ignore[attr-defined]
        return wrapped

    return decorate


def policy_of(view: Any) -> Policy | None:
    return getattr(view, "access_policy", None)
