"""The error codes only the grants domain answers (those every domain shares are :class:`subsidia.core.errors.Code`).

One spelling for each, registered with :func:`~subsidia.core.errors.error_codes` so that the API's error schema
lists them; clients and tests compare against these values."""

from __future__ import annotations

from enum import StrEnum

from subsidia.core.errors import error_codes


@error_codes
class GrantError(StrEnum):
    # Calls.
    BUDGET_BELOW_COMMITTED = "budget_below_committed"
    IN_USE = "in_use"
    # Drafting and the eligibility rules (subsidia.grants.rules).
    CALL_CLOSED = "call_closed"
    UNKNOWN_QUESTION = "unknown_question"
    INCOMPLETE = "incomplete"
    LEAD_TIME = "lead_time"
    LEGAL_FORM = "legal_form"
    MISSING_ANSWER = "missing_answer"
    BUDGET_UNBALANCED = "budget_unbalanced"
    DECISION_PENDING = "decision_pending"
    # Reviews.
    NOT_A_REVIEWER = "not_a_reviewer"
    UNKNOWN_REVIEWER = "unknown_reviewer"
    REVIEW_SUBMITTED = "review_submitted"
    CONFLICT_DECLARED = "conflict_declared"
    SCORE_REQUIRED = "score_required"
    UNKNOWN_CRITERION = "unknown_criterion"
    # Decisions, payments and the final report.
    ALREADY_DECIDED = "already_decided"
    GRANTED_ABOVE_REQUESTED = "granted_above_requested"
    ENVELOPE_EXCEEDED = "envelope_exceeded"
    SCHEDULE_UNBALANCED = "schedule_unbalanced"
    NOTHING_TO_CONFIRM = "nothing_to_confirm"
    FOUR_EYES = "four_eyes"
    UNPAID_TRANCHES = "unpaid_tranches"
