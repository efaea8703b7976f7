"""The error codes only the events domain answers (those every domain shares are :class:`subsidia.core.errors.Code`).

One spelling for each, registered with :func:`~subsidia.core.errors.error_codes` so that the API's error schema
lists them; clients and tests compare against these values."""

from __future__ import annotations

from enum import StrEnum

from subsidia.core.errors import error_codes


@error_codes
class EventError(StrEnum):
    # Registration (services.py): the window, the person, their choices.
    REGISTRATION_CLOSED = "registration_closed"
    ALREADY_REGISTERED = "already_registered"
    DUPLICATE_CHOICE = "duplicate_choice"
    SESSION_FULL = "session_full"
    EVENT_OVER = "event_over"
    NO_BLOCKS = "no_blocks"
    NOT_CONFIRMED = "not_confirmed"
    # The event and its programme (services_staff.py).
    WINDOW_INVERTED = "window_inverted"
    WINDOW_AFTER_EVENT = "window_after_event"
    CAPACITY_BELOW_CONFIRMED = "capacity_below_confirmed"
    PAST_EVENT = "past_event"
    BLOCK_CHOSEN = "block_chosen"
    DATA_DELETED = "data_deleted"
    # The evaluation (evaluation.py).
    ANSWERED = "answered"
    NOT_PUBLISHED = "not_published"
    NOT_OVER = "not_over"
    NO_QUESTIONS = "no_questions"
    NOBODY = "nobody"
    ALREADY_ANSWERED = "already_answered"
