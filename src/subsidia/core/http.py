"""Small helpers the page views share: reading a posted number, and a safe "next" address to go back to."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme


def int_or_none(value: Any) -> int | None:
    """A posted integer (e.g. the version a form showed), or None when absent or not a number."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def safe_next(request: HttpRequest, fallback: str) -> str:
    """The "next" address posted or in the query, if it stays on this site; else ``fallback``."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return fallback
