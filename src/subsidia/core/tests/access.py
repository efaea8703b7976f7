"""The personas and the row type of the access matrix, shared by the tables each app declares
(``<app>/tests/access_*.py``, each with ``PAGES`` or ``API`` and a ``kwargs(name, world)``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

PERSONAS = [
    "anonymous", "registered", "partner_member", "partner_admin", "partner_admin_b", "officer", "reviewer",
    "approver", "finance", "moderator", "auditor", "admin",
]
STAFF = {"officer", "reviewer", "approver", "finance", "moderator", "auditor", "admin"}
PARTNERS = {"partner_member", "partner_admin", "partner_admin_b"}
SIGNED_IN = set(PERSONAS) - {"anonymous"}
EVERYONE = set(PERSONAS)
ORG_READERS = {"officer", "approver", "finance", "auditor", "admin"}
ORG_MANAGERS = {"officer", "admin"}
# Organisation A's record: its partners and the ministry's readers; B's admin gets 404.
ORG_A_VIEWERS = {"partner_member", "partner_admin", *ORG_READERS}
ORG_A_EDITORS = {"partner_admin", *ORG_MANAGERS}


@dataclass
class Row:
    allowed: set[str]
    method: str = "GET"
    ok: int = 200
    anonymous: int = 302  # pages send anonymous people to the login page
    denied: int = 403
    overrides: dict[str, int] = field(default_factory=dict)
    data: Callable[[dict[str, Any]], Any] | None = None
    # The URL's keyword arguments (pages) or path parameters (API), from the test world.
    kwargs: Callable[[dict[str, Any]], dict[str, Any]] | None = None

    def expected(self, persona: str) -> int:
        if persona in self.overrides:
            return self.overrides[persona]
        if persona in self.allowed:
            return self.ok
        return self.anonymous if persona == "anonymous" else self.denied


