"""The publication workflows of the knowledge base, declared as tables: which transition leads from which
states to which state, and who may make it. Each transition is one service in :mod:`.services`; the tables are
the single source for the services, the pages (which buttons to show) and the tests (every pair is tried).

Good practices: draft → published → archived, archived → published again, published → draft ("retirer").

News: as good practices, plus a partner's proposal. A partner's gestionnaire writes a draft for their own
organisation and submits it (the item is then "submitted": a draft with ``submitted_at``); an officer publishes
it or sends it back with a reason (draft again).

FAQ questions: draft ⇄ published.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from subsidia.accounts.roles import Role

from .models import PublicationState

DRAFT = PublicationState.DRAFT.value
PUBLISHED = PublicationState.PUBLISHED.value
ARCHIVED = PublicationState.ARCHIVED.value
# A news item proposed by a partner and waiting for an officer (stored as a draft with ``submitted_at``).
SUBMITTED = "submitted"

OFFICERS = frozenset({Role.OFFICER.value})
PARTNER_ADMINS = frozenset({Role.PARTNER_ADMIN.value})


@dataclass(frozen=True)
class Transition:
    name: str
    sources: frozenset[str]
    target: str
    roles: frozenset[str]
    label: str | Promise


def _t(name: str, sources: Iterable[str], target: str, roles: frozenset[str], label: str | Promise) -> Transition:
    return Transition(name, frozenset(sources), target, roles, label)


GOOD_PRACTICE_STATES = (DRAFT, PUBLISHED, ARCHIVED)
GOOD_PRACTICE_TRANSITIONS: dict[str, Transition] = {t.name: t for t in [
    _t("publish", {DRAFT}, PUBLISHED, OFFICERS, _("Publier")),
    _t("archive", {PUBLISHED}, ARCHIVED, OFFICERS, _("Archiver")),
    _t("republish", {ARCHIVED}, PUBLISHED, OFFICERS, _("Publier à nouveau")),
    _t("withdraw", {PUBLISHED}, DRAFT, OFFICERS, _("Retirer (revenir au brouillon)")),
]}

NEWS_STATES = (DRAFT, SUBMITTED, PUBLISHED, ARCHIVED)
NEWS_TRANSITIONS: dict[str, Transition] = {t.name: t for t in [
    _t("submit", {DRAFT}, SUBMITTED, PARTNER_ADMINS, _("Proposer pour publication")),
    _t("send_back", {SUBMITTED}, DRAFT, OFFICERS, _("Renvoyer au partenaire")),
    _t("publish", {DRAFT, SUBMITTED}, PUBLISHED, OFFICERS, _("Publier")),
    _t("archive", {PUBLISHED}, ARCHIVED, OFFICERS, _("Archiver")),
    _t("republish", {ARCHIVED}, PUBLISHED, OFFICERS, _("Publier à nouveau")),
    _t("withdraw", {PUBLISHED}, DRAFT, OFFICERS, _("Retirer (revenir au brouillon)")),
]}

FAQ_STATES = (DRAFT, PUBLISHED)
FAQ_TRANSITIONS: dict[str, Transition] = {t.name: t for t in [
    _t("publish", {DRAFT}, PUBLISHED, OFFICERS, _("Publier")),
    _t("unpublish", {PUBLISHED}, DRAFT, OFFICERS, _("Dépublier")),
]}


def news_status(item: Any) -> str:
    """The workflow state of a news item: its publication state, or "submitted" for a proposed draft."""
    if item.state == DRAFT and item.submitted_at is not None:
        return SUBMITTED
    return str(item.state)


def allowed(table: dict[str, Transition], user: Any, state: str) -> list[Transition]:
    """The transitions ``user`` (by role) may make from ``state``, in the table's order."""
    user_roles: frozenset[str] = getattr(user, "roles", frozenset())
    return [t for t in table.values() if state in t.sources and t.roles & user_roles]
