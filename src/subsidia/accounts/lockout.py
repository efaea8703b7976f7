"""Brute-force protection of the sign-in, the second factor and the password reset.

* The identifier is normalised once (:func:`normalise_email`: surrounding blanks removed, lower case) by
  the login form, by the user manager, and for django-axes (``AXES_USERNAME_CALLABLE``), so that
  ``BRUTE@example.org`` and `` brute@example.org `` are the same account for the lockout too.
* django-axes counts failures per account (over every client address) and per client address (over every
  account), each with its own threshold: ``AXES_FAILURE_LIMIT`` (default 5) failures of one account lock that
  account, ``AXES_ADDRESS_FAILURE_LIMIT`` (default 20) failures from one address lock that address, both for
  ``AXES_COOLOFF_TIME`` (default 15 minutes) after the last failure. axes itself only knows one threshold
  for all its lockout parameters; :class:`LockoutHandler` applies the two.
* Wrong second-factor codes count as failures of the account (:func:`record_failure`).
* Password-reset requests are limited per client address and per target e-mail (:func:`reset_throttled`).
"""

from __future__ import annotations

from typing import Any

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_client_username, get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.db.models import QuerySet, Sum
from django.http import HttpRequest
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_ratelimit.core import is_ratelimited

from .models import normalise_email

__all__ = [
    "LockoutHandler",
    "axes_username",
    "check_totp",
    "is_locked",
    "normalise_email",
    "record_failure",
    "reset_throttled",
]


def axes_username(request: HttpRequest, credentials: dict[str, Any] | None = None) -> str | None:
    """``AXES_USERNAME_CALLABLE``: the normalised e-mail of the credentials, else of the posted form."""
    field = settings.AXES_USERNAME_FORM_FIELD
    if credentials and credentials.get(field) is not None:
        raw = credentials.get(field)
    else:
        data = getattr(request, "data", None) or getattr(request, "POST", {})
        raw = data.get(field) if hasattr(data, "get") else None
    return normalise_email(raw) if raw is not None else None


def _failures(attempts: QuerySet[Any]) -> int:
    return int(attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0)


class LockoutHandler(AxesDatabaseHandler):
    """axes' database handler with a threshold per account and another, higher one, per client address.

    ``AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]`` makes axes count the failures of the account
    (whatever the address) and those of the address (whatever the account); axes then compares the larger
    count with ``AXES_FAILURE_LIMIT``. Here the count of the address is scaled so that reaching
    ``AXES_ADDRESS_FAILURE_LIMIT`` is reaching ``AXES_FAILURE_LIMIT``.
    """

    def get_failures(self, request: HttpRequest, credentials: dict[str, Any] | None = None) -> int:
        recent = AccessAttempt.objects.filter(attempt_time__gte=get_cool_off_threshold(request))
        username = get_client_username(request, credentials)
        by_account = _failures(recent.filter(username=username)) if username else 0
        by_address = _failures(recent.filter(ip_address=request.axes_ip_address))  # type: ignore[attr-defined]
        limit = get_failure_limit(request, credentials)
        address_limit = max(int(settings.AXES_ADDRESS_FAILURE_LIMIT), 1)
        return max(by_account, (by_address * limit) // address_limit)

    def reset_user_attempts(self, request: HttpRequest, credentials: dict[str, Any] | None = None) -> int:
        """A successful sign-in clears the failures of that account only, never those of the address: an
        attacker signing in to an account of their own must not reset the count of their address."""
        username = get_client_username(request, credentials)
        if not username:
            return 0
        count, _detail = AccessAttempt.objects.filter(username=username).delete()
        return count


def is_locked(request: HttpRequest, email: str) -> bool:
    return not AxesProxyHandler.is_allowed(request, {settings.AXES_USERNAME_FORM_FIELD: normalise_email(email)})


def record_failure(request: HttpRequest, email: str) -> bool:
    """Count a failed proof of identity other than a password (a wrong second-factor code) against the
    account and the address. Returns whether the account or the address is now locked out."""
    user_login_failed.send(
        sender=__name__, credentials={settings.AXES_USERNAME_FORM_FIELD: normalise_email(email)}, request=request
    )
    return bool(getattr(request, "axes_locked_out", False)) or is_locked(request, email)


def _client_address(group: str, request: HttpRequest) -> str:
    return str(getattr(request, "axes_ip_address", "") or request.META.get("REMOTE_ADDR", ""))


def _reset_target(group: str, request: HttpRequest) -> str:
    return normalise_email(request.POST.get("email"))


def reset_throttled(request: HttpRequest) -> tuple[bool, bool]:
    """Count a password-reset request. Returns (address over its limit, target e-mail over its limit).

    Each request counts for both, whether the e-mail belongs to an account or not, so that the answers
    tell nothing about which accounts exist.
    """
    AxesProxyHandler.update_request(request)  # the client address as axes sees it (AXES_IPWARE_PROXY_COUNT)
    by_address = is_ratelimited(
        request, group="password_reset.address", key=_client_address, rate=f"{settings.PASSWORD_RESET_PER_ADDRESS}/h",
        increment=True,
    )
    by_target = is_ratelimited(
        request, group="password_reset.email", key=_reset_target, rate=f"{settings.PASSWORD_RESET_PER_EMAIL}/h",
        increment=True,
    )
    return bool(by_address), bool(by_target)


def check_totp(request: HttpRequest, user: Any, token: str) -> tuple[str, TOTPDevice | None]:
    """Check a second-factor code: ``("ok", device)``, or ``("wrong" | "throttled" | "locked", None)``.

    django-otp's own throttling (a delay doubling after each wrong code, per device) still applies: a
    throttled device is not asked. Each wrong code also counts as a failure of the account and of the
    address (axes), so that repeated wrong codes lock the account like wrong passwords; a right code clears
    the account's failures."""
    if is_locked(request, user.email):
        return "locked", None
    throttled = checked = False
    for device in TOTPDevice.objects.filter(user=user, confirmed=True):
        allowed, _detail = device.verify_is_allowed()
        if not allowed:
            throttled = True
            continue
        checked = True
        if device.verify_token(token):
            AccessAttempt.objects.filter(username=normalise_email(user.email)).delete()
            return "ok", device
    if throttled and not checked:
        return "throttled", None
    return ("locked" if record_failure(request, user.email) else "wrong"), None
