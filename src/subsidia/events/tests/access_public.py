"""Access-matrix rows of the public pages of events (see core/tests/test_access_matrix.py).

Everyone reads published events and registers; the signed links of a registration stand for the registrant
(anyone holding them); the check-in page, reached by scanning the QR code, is the officers'."""

from __future__ import annotations

from typing import Any

from subsidia.core.tests.access import EVERYONE, Row


def _event(world: dict[str, Any]) -> dict[str, Any]:
    return {"slug": world["event"].slug}


def _token(purpose: str) -> Any:
    return lambda world: {"token": world["event_tokens"][purpose]}


def _registration(ctx: dict[str, Any]) -> dict[str, Any]:
    return {"full_name": f"Personne {ctx['persona']}", "email": f"{ctx['persona']}@example.lu",
            "choice_1": ctx["event_blocks"][0].pk}


PAGES: dict[str, Row] = {
    "events:list": Row(EVERYONE),
    "events:detail": Row(EVERYONE, kwargs=_event),
    "events:ics": Row(EVERYONE, kwargs=_event),
    "events:register": Row(EVERYONE, method="POST", ok=302, kwargs=_event, data=_registration),
    "events:registration_status": Row(EVERYONE, kwargs=_token("status")),
    "events:registration_cancel": Row(EVERYONE, kwargs=_token("cancel")),
    "events:check_in": Row({"officer"}, kwargs=_token("checkin")),
    "events:certificate": Row(EVERYONE, kwargs=_token("certificate")),
}
