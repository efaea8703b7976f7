"""API authentication: a personal bearer token, or the browser session (with CSRF, and with the
second factor for staff). Public operations also accept anonymous callers."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from django.middleware.csrf import CsrfViewMiddleware
from ninja.security import HttpBearer

from subsidia.accounts.services import user_for_token
from subsidia.core.access import Policy
from subsidia.core.errors import Code

from .errors import ApiError


@dataclass
class Caller:
    """Who calls; always truthy so that ninja accepts anonymous callers on public operations."""

    user: Any
    via: str

    def __bool__(self) -> bool:
        return True


class BearerToken(HttpBearer):
    def __call__(self, request: HttpRequest) -> Any:
        header = request.headers.get("Authorization", "")
        if not header:
            return None
        if not header.lower().startswith("bearer "):
            raise ApiError(401, Code.INVALID_AUTHORIZATION,
                           "En-tête Authorization invalide : « Bearer <jeton> » attendu.")
        return self.authenticate(request, header[7:].strip())

    def authenticate(self, request: HttpRequest, token: str) -> Caller:
        user = user_for_token(token)
        if user is None:
            raise ApiError(401, Code.INVALID_TOKEN, "Jeton d'API inconnu, expiré ou révoqué.")
        return Caller(user, "token")


class _CsrfCheck(CsrfViewMiddleware):
    def _reject(self, request: HttpRequest, reason: str) -> Any:
        return reason


class SessionAuth:
    """The signed-in browser session. Unsafe methods need the CSRF token, staff the second factor."""

    openapi_type = "apiKey"

    def __call__(self, request: HttpRequest) -> Caller | None:
        if request.headers.get("Authorization"):
            return None
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        if user.requires_two_factor and not user.is_verified():
            raise ApiError(401, Code.TWO_FACTOR_REQUIRED, "Validez d'abord la double authentification.")
        if request.method not in ("GET", "HEAD", "OPTIONS", "TRACE"):
            check = _CsrfCheck(lambda r: None)  # type: ignore[arg-type]
            check.process_request(request)
            reason = check.process_view(request, None, (), {})  # type: ignore[arg-type]
            if reason:
                raise ApiError(403, Code.CSRF_FAILED, "Jeton CSRF manquant ou invalide.")
        return Caller(user, "session")


class Anonymous:
    """Accepts a caller with no credentials at all, as the public."""

    def __call__(self, request: HttpRequest) -> Caller | None:
        if request.headers.get("Authorization"):
            return None
        return Caller(AnonymousUser(), "anonymous")


bearer = BearerToken()
session = SessionAuth()
anonymous = Anonymous()
# Order matters: an Authorization header is a bearer token or an error, never silently anonymous.
PUBLIC_AUTH: list[Callable[..., Any]] = [bearer, session, anonymous]
SIGNED_IN_AUTH: list[Callable[..., Any]] = [bearer, session]


def caller(request: HttpRequest) -> Any:
    return request.auth.user  # type: ignore[attr-defined]


def api_access(policy: Policy) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Declare and enforce who may call an API operation (401 anonymous, 403 wrong role)."""

    def decorate(func: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(func)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            user = caller(request)
            if not policy.allows(user):
                if not user.is_authenticated:
                    raise ApiError(401, Code.AUTHENTICATION_REQUIRED, "Authentification requise.")
                raise ApiError(403, Code.FORBIDDEN, "Votre rôle ne permet pas cette opération.")
            return func(request, *args, **kwargs)

        wrapped.access_policy = policy  # type: ignore[attr-defined]
        return wrapped

    return decorate
