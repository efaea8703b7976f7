"""The number of unread notifications, shown in the navigation of every page."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from .models import Notification


def unread_notifications(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"nav_unread_notifications": Notification.objects.filter(user=user, read_at__isnull=True).count()}
