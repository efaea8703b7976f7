"""The error codes only comments and their moderation answer (those every domain shares are
:class:`subsidia.core.errors.Code`), registered so that the API's error schema lists them."""

from __future__ import annotations

from enum import StrEnum

from subsidia.core.errors import error_codes


@error_codes
class ModerationError(StrEnum):
    # Writing and reporting.
    BLOCKED = "blocked"
    ALREADY_HIDDEN = "already_hidden"
    OWN_COMMENT = "own_comment"
    ALREADY_REPORTED = "already_reported"
    # Blocking an account.
    BLOCK_END_PAST = "past"
    OWN_ACCOUNT = "own_account"
    MODERATOR_ACCOUNT = "moderator"
    ALREADY_BLOCKED = "already_blocked"
    BLOCK_NOT_ACTIVE = "not_active"
