from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve

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
