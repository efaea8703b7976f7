"""The workflow of a comment, as a table of core's workflow engine (:class:`subsidia.core.workflow.Workflow`):
which act moves a comment from which status to which, who may do it, and whether a reason (told to the author)
is required.

A moderator's decision also files the comment's open reports and tells the author, unless its transition says
otherwise (:class:`CommentTransition`). ``reports`` is the system's own move (enough readers' reports hide a
published comment); the others are a moderator's decisions. A new comment is published or held when it is
written, which is no transition."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.functional import Promise, lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from subsidia.accounts.roles import Role
from subsidia.core.workflow import Transition, Workflow

from .models import CommentStatus

PENDING, PUBLISHED, HIDDEN, REJECTED = (CommentStatus.PENDING, CommentStatus.PUBLISHED, CommentStatus.HIDDEN,
                                        CommentStatus.REJECTED)
MODERATOR_ROLES: frozenset[str] = frozenset({Role.MODERATOR, Role.ADMIN})


@dataclass(frozen=True)
class CommentTransition(Transition):
    """A comment's act: whether it files the comment's open reports, and whether the author is told."""

    resolves_reports: bool = True
    tells_author: bool = True


def _act(name: str, sources: Iterable[str], target: str, roles: frozenset[str], label: str | Promise = "", *,
         reason_required: bool = False, resolves_reports: bool = True, tells_author: bool = True,
         ) -> CommentTransition:
    return CommentTransition(name, frozenset(str(s) for s in sources), str(target), frozenset(str(r) for r in roles),
                             label, reason_required, resolves_reports=resolves_reports, tells_author=tells_author)


def _illegal() -> str:
    # The catalogues translate this message with its own placeholder (``status``); the engine fills ``state``.
    return gettext("Impossible : ce commentaire est « %(status)s ».").replace("%(status)s", "%(state)s")


COMMENTS: Workflow[CommentTransition] = Workflow("comment", [
    _act("approve", {PENDING}, PUBLISHED, MODERATOR_ROLES, _("Publier")),
    _act("hide", {PUBLISHED}, HIDDEN, MODERATOR_ROLES, _("Masquer"), reason_required=True),
    _act("restore", {HIDDEN}, PUBLISHED, MODERATOR_ROLES, _("Rétablir")),
    # Readers reported a comment that stays published: the moderator files the reports (the author is not told).
    _act("keep", {PUBLISHED}, PUBLISHED, MODERATOR_ROLES, _("Garder publié (classer les signalements)"),
         tells_author=False),
    _act("reject", {PENDING, HIDDEN}, REJECTED, MODERATOR_ROLES, _("Refuser"), reason_required=True),
    # The system: readers' reports reaching the threshold hide a published comment until a moderator decides.
    _act("reports", {PUBLISHED}, HIDDEN, frozenset(), resolves_reports=False),
], state_field="status", illegal=lazy(_illegal, str)())
