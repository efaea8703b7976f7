from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve
from django.utils.translation import gettext as _

from .reauth import LAST_SEEN, now_ts
from .services import has_confirmed_totp

# What a staff member who has not yet passed the second factor may still reach.
ALLOWED_BEFORE_SECOND_FACTOR = {
    "accounts:logout",
    "accounts:two_factor_setup",
    "accounts:two_factor_verify",
    "set_language",
}


class StaffTwoFactorMiddleware:
    """Staff accounts must set up and pass TOTP before they reach any page.

    The API enforces the same rule itself (401 ``two_factor_required``), so API paths pass here.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated
            and user.requires_two_factor
            and not user.is_verified()  # type: ignore[attr-defined]  # added by OTPMiddleware
            and not request.path.startswith(("/static/", "/api/"))
        ):
            try:
                name = resolve(request.path_info).view_name
            except Resolver404:
                name = ""
            if name not in ALLOWED_BEFORE_SECOND_FACTOR:
                target = "accounts:two_factor_verify" if has_confirmed_totp(user) else "accounts:two_factor_setup"
                return redirect(target)
        return self.get_response(request)


class StaffIdleTimeoutMiddleware:
    """A staff session ends after ``STAFF_IDLE_TIMEOUT_MINUTES`` (default 30) without a request; partners
    and other accounts keep the session of ``SESSION_COOKIE_AGE``. Once ended, the request goes on as an
    anonymous one (pages send to the login page, the API answers 401).

    The time of the last request is written at most once a minute, so that not every request writes the
    session: a session may thus end up to a minute early.
    """

    WRITE_EVERY_SECONDS = 60

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated and user.requires_two_factor:
            now = now_ts()
            last = request.session.get(LAST_SEEN)
            if isinstance(last, int | float) and now - float(last) > settings.STAFF_IDLE_TIMEOUT_MINUTES * 60:
                logout(request)
                messages.info(request, _("Votre session a expiré après %(minutes)s minutes d'inactivité : "
                                         "reconnectez-vous.") % {"minutes": settings.STAFF_IDLE_TIMEOUT_MINUTES})
            elif not isinstance(last, int | float) or now - float(last) >= self.WRITE_EVERY_SECONDS:
                request.session[LAST_SEEN] = now
        return self.get_response(request)
