"""Objects of this app in the access matrix's world."""

from __future__ import annotations

from typing import Any


def add_moderation(world: dict[str, Any]) -> None:
    return None
