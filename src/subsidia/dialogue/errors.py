"""The error codes only the dialogue answers (those every domain shares are :class:`subsidia.core.errors.Code`).

One spelling for each, registered with :func:`~subsidia.core.errors.error_codes` so that the API's error schema
lists them; clients and tests compare against these values."""

from __future__ import annotations

from enum import StrEnum

from subsidia.core.errors import error_codes


@error_codes
class DialogueError(StrEnum):
    # A meeting's dates and state.
    NOT_YET = "not_yet"
    NOT_HELD_YET = "not_held_yet"
    MEETING_CANCELLED = "cancelled"
    MEETING_PAST = "meeting_past"
    # The minutes.
    ALREADY_PUBLISHED = "already_published"
