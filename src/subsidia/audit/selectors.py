from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Q, QuerySet

from subsidia.accounts.roles import Role

from .models import AuditEvent

AUDIT_READER_ROLES = frozenset({Role.AUDITOR, Role.ADMIN})


def audit_events_visible_to(user: Any) -> QuerySet[AuditEvent]:
    if not (user.is_authenticated and user.has_role(*AUDIT_READER_ROLES)):
        return AuditEvent.objects.none()
    return AuditEvent.objects.select_related("actor")


def search_audit_events(
    user: Any,
    *,
    q: str = "",
    action: str = "",
    object_type: str = "",
    since: date | None = None,
    until: date | None = None,
) -> QuerySet[AuditEvent]:
    events = audit_events_visible_to(user)
    if q:
        events = events.filter(Q(actor_label__icontains=q) | Q(object_repr__icontains=q) | Q(object_id=q))
    if action:
        events = events.filter(action=action)
    if object_type:
        events = events.filter(object_type=object_type)
    if since:
        events = events.filter(occurred_at__date__gte=since)
    if until:
        events = events.filter(occurred_at__date__lte=until)
    return events
