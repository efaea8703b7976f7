"""The workflow of a comment, as a table: which act moves a comment from which status to which, who may do it,
and whether a reason (told to the author) is required.

``post`` and ``reports`` are the system's own moves (a new comment is published or held; enough readers'
reports hide a published comment); the others are a moderator's decisions."""

from __future__ import annotations

from dataclasses import dataclass

from subsidia.accounts.roles import Role

from .models import CommentStatus

PENDING, PUBLISHED, HIDDEN, REJECTED = (CommentStatus.PENDING, CommentStatus.PUBLISHED, CommentStatus.HIDDEN,
                                        CommentStatus.REJECTED)
MODERATOR_ROLES: frozenset[str] = frozenset({Role.MODERATOR, Role.ADMIN})


@dataclass(frozen=True)
class Transition:
    name: str
    sources: frozenset[str]
    target: str
    roles: frozenset[str]  # empty: done by the system, never by a person
    reason_required: bool = False
    resolves_reports: bool = True
    tells_author: bool = True


TRANSITIONS: dict[str, Transition] = {t.name: t for t in [
    Transition("approve", frozenset({PENDING}), PUBLISHED, MODERATOR_ROLES),
    Transition("hide", frozenset({PUBLISHED}), HIDDEN, MODERATOR_ROLES, reason_required=True),
    Transition("restore", frozenset({HIDDEN}), PUBLISHED, MODERATOR_ROLES),
    # Readers reported a comment that stays published: the moderator files the reports (the author is not told).
    Transition("keep", frozenset({PUBLISHED}), PUBLISHED, MODERATOR_ROLES, tells_author=False),
    Transition("reject", frozenset({PENDING, HIDDEN}), REJECTED, MODERATOR_ROLES, reason_required=True),
    # The system: readers' reports reaching the threshold hide a published comment until a moderator decides.
    Transition("reports", frozenset({PUBLISHED}), HIDDEN, frozenset(), resolves_reports=False),
]}
MODERATOR_ACTS = [name for name, t in TRANSITIONS.items() if t.roles]


def allowed(name: str, status: str, user_roles: frozenset[str] | set[str] | None = None) -> bool:
    """Whether the act ``name`` applies to a comment in ``status`` (and, given roles, whether they may do it)."""
    transition = TRANSITIONS.get(name)
    if transition is None or status not in transition.sources:
        return False
    return user_roles is None or bool(transition.roles & set(user_roles))


def acts_from(status: str) -> list[Transition]:
    """The moderators' acts open on a comment in ``status`` (the buttons of the queue)."""
    return [t for t in TRANSITIONS.values() if t.roles and status in t.sources]
