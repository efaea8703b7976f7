"""Rate limits on writes: comments, event registrations, sign-ups and the API's writes.

Each throttled action is counted per account (the signed-in user, or the owner of the API token) and per client
address, in fixed windows (django-ratelimit's counters, in the ``ratelimit`` cache: Redis when ``REDIS_URL`` is
set, otherwise the database's cache table, so that every app server and worker process shares the same
counters — a per-process memory cache would multiply each limit by the number of processes). Beyond a limit the
request is refused before the view runs: 429 with ``Retry-After`` (the seconds left in the window), an HTML page
for the pages and ``{"errors": [{"code": Code.RATE_LIMITED, ...}]}`` for the API. Nothing is stored.

The rates come from the settings (``RATE_LIMIT_*``, "<count>/<s|m|h|d>" or "<count>/<n><unit>"), and
``RATE_LIMITS_ENABLED=0`` turns all of them off. The client address is ``REMOTE_ADDR``, or, behind
``RATE_LIMIT_PROXY_COUNT`` trusted proxies, the address those proxies put in ``X-Forwarded-For``; IPv6 addresses
are counted per /64 network.

When the counters cannot be reached (Redis down) the request is let through and the failure logged: a write
refused to everyone would be worse than a write not throttled for a while.
"""

from __future__ import annotations

import ipaddress
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django_ratelimit.core import _split_rate, get_usage

from .errors import Code

logger = logging.getLogger(__name__)

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


@dataclass(frozen=True)
class Throttle:
    group: str
    account_setting: str | None  # the setting holding the per-account rate (None: per address only)
    address_setting: str

    @property
    def account_rate(self) -> str | None:
        return getattr(settings, self.account_setting) if self.account_setting else None

    @property
    def address_rate(self) -> str | None:
        return getattr(settings, self.address_setting)


COMMENTS = Throttle("comments", "RATE_LIMIT_COMMENTS", "RATE_LIMIT_COMMENTS_PER_ADDRESS")
REGISTRATIONS = Throttle("registrations", "RATE_LIMIT_REGISTRATIONS", "RATE_LIMIT_REGISTRATIONS_PER_ADDRESS")
SIGNUPS = Throttle("signups", None, "RATE_LIMIT_SIGNUPS_PER_ADDRESS")
API_WRITES = Throttle("api_writes", "RATE_LIMIT_API_WRITES", "RATE_LIMIT_API_WRITES_PER_ADDRESS")

# The page views throttled on POST, by URL name.
PAGE_THROTTLES = {
    "moderation:post": COMMENTS,
    "events:register": REGISTRATIONS,
    "accounts:signup": SIGNUPS,
}


def throttle_for(request: HttpRequest) -> Throttle | None:
    if request.method not in WRITE_METHODS:
        return None
    if request.path.startswith("/api/"):
        return API_WRITES
    match = getattr(request, "resolver_match", None)
    return PAGE_THROTTLES.get(match.view_name) if match is not None else None


def client_address(request: HttpRequest) -> str:
    """The client's address (its /64 network for IPv6), behind ``RATE_LIMIT_PROXY_COUNT`` trusted proxies."""
    address = request.META.get("REMOTE_ADDR", "") or ""
    proxies = settings.RATE_LIMIT_PROXY_COUNT
    if proxies > 0:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= proxies:
            address = forwarded[-proxies]
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address or "unknown"
    if parsed.version == 6:
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False).network_address) + "/64"
    return str(parsed)


# The owner of an API token, told by the app that issues tokens (accounts, in its ``AppConfig.ready``): core
# counts the API's writes per account without knowing the token model.
_bearer_owner: Callable[[str], int | None] | None = None


def register_bearer_owner(owner_of: Callable[[str], int | None]) -> None:
    """Set the function that answers the account id of a raw bearer token (None: unknown, expired or revoked)."""
    global _bearer_owner
    _bearer_owner = owner_of


def account_of(request: HttpRequest) -> int | None:
    """The id of the account making the request: the session's user, or the API token's owner."""
    header = request.headers.get("Authorization", "")
    if request.path.startswith("/api/") and header.lower().startswith("bearer "):
        return _bearer_owner(header[7:].strip()) if _bearer_owner is not None else None
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return int(user.pk)
    return None


def _usage(request: HttpRequest, group: str, rate: str, value: str) -> dict[str, Any] | None:
    def key(_group: str, _request: HttpRequest) -> str:
        return value

    return get_usage(request, group=group, key=key, rate=rate, method=get_usage.ALL, increment=True)


def over_limit(request: HttpRequest, throttle: Throttle) -> int | None:
    """Count this request; the seconds to wait when it is beyond one of its limits, else None."""
    if not settings.RATE_LIMITS_ENABLED:
        return None
    counted: list[tuple[str, str, str]] = []
    account = account_of(request)
    if account is not None and throttle.account_rate:
        counted.append((f"{throttle.group}:account", throttle.account_rate, f"user:{account}"))
    if throttle.address_rate:
        counted.append((f"{throttle.group}:address", throttle.address_rate, f"ip:{client_address(request)}"))
    waits = []
    for group, rate, value in counted:
        usage = _usage(request, group, rate, value)
        if usage is not None and usage["should_limit"]:
            _limit, period = _split_rate(rate)
            left = usage["time_left"]
            waits.append(left if 0 < left <= period else period)
    return max(waits) if waits else None


def too_many_requests(request: HttpRequest, retry_after: int) -> HttpResponse:
    message = _("Trop de demandes en peu de temps. Réessayez dans %(seconds)s secondes.") % {"seconds": retry_after}
    response: HttpResponse
    if request.path.startswith("/api/"):
        response = JsonResponse({"errors": [{"code": Code.RATE_LIMITED, "message": message, "field": None}]},
                                status=429)
    else:
        response = render(request, "429.html", {"message": message, "retry_after": retry_after}, status=429)
    response.headers["Retry-After"] = str(retry_after)
    return response


class RateLimitMiddleware:
    """Refuses throttled writes beyond their limits (429), after authentication and the CSRF check."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view: Callable[..., Any], args: Any,
                     kwargs: Any) -> HttpResponse | None:
        throttle = throttle_for(request)
        if throttle is None:
            return None
        try:
            retry_after = over_limit(request, throttle)
        except Exception:  # the counters are unreachable: let the write through, and say so
            logger.exception("Rate limit counters unavailable: %s %s not throttled", request.method, request.path)
            return None
        if retry_after is None:
            return None
        logger.warning("Rate limit %s reached: %s %s answered 429", throttle.group, request.method, request.path)
        return too_many_requests(request, retry_after)
