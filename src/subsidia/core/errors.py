"""One error type for rule violations, raised by services and turned into form errors or API 4xx.

Error codes are enums, one spelling everywhere: :class:`Code` holds those every domain uses (a missing field,
a refused role, a stale version, an illegal transition) and each domain app declares its own in its
``errors.py`` with :func:`error_codes`, which registers them so that the OpenAPI schema lists every code a
client may meet (:func:`all_codes`)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, TypeVar

E = TypeVar("E", bound=type[StrEnum])
_REGISTERED: list[type[StrEnum]] = []


def error_codes(enum: E) -> E:
    """Class decorator: register a domain's error codes (a ``StrEnum``); a code spelled twice is refused."""
    known = {code.value: owner for owner in _REGISTERED for code in owner}
    for code in enum:
        owner = known.get(code.value)
        if owner is not None and owner is not enum:
            raise ValueError(f"error code {code.value!r} of {enum.__qualname__} is already {owner.__qualname__}'s")
    if enum not in _REGISTERED:
        _REGISTERED.append(enum)
    return enum


def all_codes() -> list[str]:
    """Every registered error code, sorted (the ``code`` enum of the API's error schema)."""
    return sorted({code.value for enum in _REGISTERED for code in enum})


@error_codes
class Code(StrEnum):
    """The codes every domain shares."""

    REQUIRED = "required"
    INVALID = "invalid"
    INVALID_CHOICE = "invalid_choice"
    TOO_LONG = "too_long"
    DUPLICATE = "duplicate"
    DATES_INVALID = "dates_invalid"
    FORBIDDEN = "forbidden"
    NOT_FOUND = "not_found"
    STALE_VERSION = "stale_version"
    ILLEGAL_TRANSITION = "illegal_transition"
    REASON_REQUIRED = "reason_required"
    ALREADY_PAID = "already_paid"
    MISSING_DOCUMENT = "missing_document"
    NOT_EDITABLE = "not_editable"
    # Answered by the HTTP layer (pages and API) rather than by a service.
    AUTHENTICATION_REQUIRED = "authentication_required"
    INVALID_AUTHORIZATION = "invalid_authorization"
    INVALID_TOKEN = "invalid_token"  # noqa: S105 - an error code, not a secret
    REAUTHENTICATION_REQUIRED = "reauthentication_required"
    TWO_FACTOR_REQUIRED = "two_factor_required"
    CSRF_FAILED = "csrf_failed"
    PRECONDITION_REQUIRED = "precondition_required"
    PRECONDITION_FAILED = "precondition_failed"
    METHOD_NOT_ALLOWED = "method_not_allowed"
    RATE_LIMITED = "rate_limited"
    HTTP_ERROR = "http_error"
    SERVER_ERROR = "server_error"
    SERVICE_UNAVAILABLE = "service_unavailable"


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
