"""One error type for rule violations, raised by services and turned into form errors or API 4xx."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Violation:
    """One broken rule: a stable code, a French message for people, and the field it concerns."""

    code: str
    message: str
    field: str | None = None

    def as_dict(self) -> dict[str, str | None]:
        return {"code": self.code, "message": str(self.message), "field": self.field}


class RuleViolation(Exception):
    """Raised by a service when a business rule refuses a change. Nothing has been written."""

    status_code = 422

    def __init__(self, violations: Violation | Iterable[Violation]):
        self.violations = [violations] if isinstance(violations, Violation) else list(violations)
        super().__init__("; ".join(str(v.message) for v in self.violations))

    @classmethod
    def single(cls, code: str, message: str, field: str | None = None) -> RuleViolation:
        return cls(Violation(code, message, field))


class PermissionDenied(RuleViolation):
    """The actor may not do this (403 in pages and the API)."""

    status_code = 403


class Conflict(RuleViolation):
    """The change clashes with the object's current state or with someone else's edit (409)."""

    status_code = 409


class NotFound(RuleViolation):
    """The object does not exist for this actor (404): existence must not leak."""

    status_code = 404


def add_to_form(form: Any, error: RuleViolation) -> None:
    """Show a service's violations on a bound Django form (field errors, or non-field errors)."""
    for violation in error.violations:
        field = violation.field if violation.field in form.fields else None
        form.add_error(field, str(violation.message))
