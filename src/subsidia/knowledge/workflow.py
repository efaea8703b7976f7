"""The publication workflows of the knowledge base, declared as tables of core's workflow engine
(:class:`subsidia.core.workflow.Workflow`): which transition leads from which states to which state, and who
may make it. The tables are the single source for the services (which check and make each move through
them), the pages (which buttons to show) and the tests (every pair is tried).

Good practices: draft → published → archived, archived → published again, published → draft ("retirer").

News: as good practices, plus a partner's proposal. A partner's gestionnaire writes a draft for their own
organisation and submits it (the item is then "submitted": a draft with ``submitted_at``, a state derived
rather than stored, see :func:`news_status`); an officer publishes it or sends it back with a reason (draft
again).

FAQ questions: draft ⇄ published.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from subsidia.accounts.roles import Role
from subsidia.core.workflow import Transition, Workflow, transition

from .models import PublicationState

DRAFT = PublicationState.DRAFT.value
PUBLISHED = PublicationState.PUBLISHED.value
ARCHIVED = PublicationState.ARCHIVED.value
# A news item proposed by a partner and waiting for an officer (stored as a draft with ``submitted_at``).
SUBMITTED = "submitted"

OFFICERS = {Role.OFFICER}
PARTNER_ADMINS = {Role.PARTNER_ADMIN}
FORBIDDEN = _("Votre rôle ne permet pas cette action : %(action)s.")
ILLEGAL = _("Impossible depuis l'état « %(state)s ».")


def news_status(item: Any) -> str:
    """The workflow state of a news item: its publication state, or "submitted" for a proposed draft."""
    if item.state == DRAFT and item.submitted_at is not None:
        return SUBMITTED
    return str(item.state)


GOOD_PRACTICE_STATES = (DRAFT, PUBLISHED, ARCHIVED)
GOOD_PRACTICES: Workflow[Transition] = Workflow("good_practice", [
    transition("publish", {DRAFT}, PUBLISHED, OFFICERS, _("Publier")),
    transition("archive", {PUBLISHED}, ARCHIVED, OFFICERS, _("Archiver")),
    transition("republish", {ARCHIVED}, PUBLISHED, OFFICERS, _("Publier à nouveau")),
    transition("withdraw", {PUBLISHED}, DRAFT, OFFICERS, _("Retirer (revenir au brouillon)")),
], illegal=ILLEGAL, forbidden=FORBIDDEN)

NEWS_STATES = (DRAFT, SUBMITTED, PUBLISHED, ARCHIVED)
# "submit" leads to the derived state: the news services store it as a draft with ``submitted_at``.
NEWS: Workflow[Transition] = Workflow("news", [
    transition("submit", {DRAFT}, SUBMITTED, PARTNER_ADMINS, _("Proposer pour publication")),
    transition("send_back", {SUBMITTED}, DRAFT, OFFICERS, _("Renvoyer au partenaire"), reason_required=True),
    transition("publish", {DRAFT, SUBMITTED}, PUBLISHED, OFFICERS, _("Publier")),
    transition("archive", {PUBLISHED}, ARCHIVED, OFFICERS, _("Archiver")),
    transition("republish", {ARCHIVED}, PUBLISHED, OFFICERS, _("Publier à nouveau")),
    transition("withdraw", {PUBLISHED}, DRAFT, OFFICERS, _("Retirer (revenir au brouillon)")),
], illegal=_("Impossible depuis l'état actuel de l'actualité."), forbidden=FORBIDDEN, state_of=news_status)

FAQ_STATES = (DRAFT, PUBLISHED)
FAQ: Workflow[Transition] = Workflow("faq_question", [
    transition("publish", {DRAFT}, PUBLISHED, OFFICERS, _("Publier")),
    transition("unpublish", {PUBLISHED}, DRAFT, OFFICERS, _("Dépublier")),
], illegal=ILLEGAL, forbidden=FORBIDDEN)
