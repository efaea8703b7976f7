"""Access-matrix rows of this app's pages (see core/tests/test_access_matrix.py).

Everyone signed in has notifications of their own; a notification of someone else answers 404."""

from __future__ import annotations

from typing import Any

from subsidia.core.tests.access import SIGNED_IN, Row
from subsidia.notifications.models import Kind, Notification


def _partner_admin_notification(world: dict[str, Any]) -> dict[str, Any]:
    notification = Notification.objects.create(
        user=world["people"]["partner_admin"], kind=Kind.APPLICATION_STATE, subject="Demande accordée",
        url="/notifications/")
    return {"pk": notification.pk}


PAGES: dict[str, Row] = {
    "notifications:list": Row(SIGNED_IN),
    # Only its owner may mark a notification read; for anyone else it does not exist.
    "notifications:mark_read": Row(
        SIGNED_IN, method="POST", ok=302, overrides=dict.fromkeys(SIGNED_IN - {"partner_admin"}, 404),
        kwargs=_partner_admin_notification,
    ),
    "notifications:mark_all_read": Row(SIGNED_IN, method="POST", ok=302),
    "notifications:preferences": Row(SIGNED_IN),
}
