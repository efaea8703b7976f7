"""Access-matrix rows of the events API (see core/tests/test_access_matrix.py): public reads, and public
registration (201 for every caller, anonymous or not)."""

from __future__ import annotations

from typing import Any

from subsidia.core.tests.access import EVERYONE, Row


def _event(world: dict[str, Any]) -> dict[str, Any]:
    return {"event_id": world["event"].pk}


def _registration(ctx: dict[str, Any]) -> dict[str, Any]:
    return {"full_name": f"Personne {ctx['persona']}", "email": f"{ctx['persona']}@example.lu",
            "block_ranking": [ctx["event_blocks"][1].pk, ctx["event_blocks"][0].pk]}


API: dict[tuple[str, str], Row] = {
    ("GET", "/events"): Row(EVERYONE),
    ("GET", "/events/{event_id}"): Row(EVERYONE, kwargs=_event),
    ("POST", "/events/{event_id}/registrations"): Row(EVERYONE, ok=201, kwargs=_event, data=_registration),
}
