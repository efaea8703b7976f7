"""The navigation's view of the person: staff, partner, and their roles (the role vocabulary is accounts')."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from .roles import STAFF_ROLES


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = request.user
    if not user.is_authenticated:
        return {"nav_is_staff": False, "nav_is_partner": False}
    return {
        "nav_is_staff": bool(user.staff_roles & STAFF_ROLES),
        "nav_is_partner": user.is_partner,
        "nav_roles": user.roles,
    }
