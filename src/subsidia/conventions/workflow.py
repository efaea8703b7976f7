"""What may happen to a convention and to a yearly report, declared as tables (like the grants' workflow).

A convention's status is derived from its dates (see :meth:`Convention.status_on`), so its table says from
which derived statuses each act is allowed. A yearly report's status is stored.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from subsidia.accounts.roles import Role

from .models import ReportStatus, Status


@dataclass(frozen=True)
class Act:
    name: str
    sources: frozenset[str]
    target: str | None  # None: the status does not change (e.g. an amendment)
    roles: frozenset[str]
    label: str | Promise


def _act(name: str, sources: set[str], target: str | None, roles: set[str], label: str | Promise) -> Act:
    return Act(name, frozenset(str(s) for s in sources), str(target) if target else None,
               frozenset(str(r) for r in roles), label)


IN_FORCE_OR_COMING: set[str] = {Status.SIGNED, Status.ACTIVE}

CONVENTION_ACTS: dict[str, Act] = {a.name: a for a in [
    _act("edit", {Status.DRAFT.value}, None, {Role.OFFICER}, _("Modifier la convention")),
    _act("delete", {Status.DRAFT.value}, None, {Role.OFFICER}, _("Supprimer le projet de convention")),
    _act("sign", {Status.DRAFT.value}, Status.SIGNED, {Role.APPROVER}, _("Signer la convention")),
    _act("amend", IN_FORCE_OR_COMING, None, {Role.APPROVER}, _("Enregistrer un avenant")),
    _act("terminate", IN_FORCE_OR_COMING, Status.TERMINATED, {Role.APPROVER}, _("Résilier la convention")),
]}

REPORT_ACTS: dict[str, Act] = {a.name: a for a in [
    _act("save", {ReportStatus.EXPECTED, ReportStatus.RETURNED}, None, {Role.PARTNER_ADMIN, Role.PARTNER_MEMBER},
         _("Enregistrer le rapport")),
    _act("submit", {ReportStatus.EXPECTED, ReportStatus.RETURNED}, ReportStatus.SUBMITTED, {Role.PARTNER_ADMIN},
         _("Déposer le rapport")),
    _act("accept", {ReportStatus.SUBMITTED}, ReportStatus.ACCEPTED, {Role.OFFICER}, _("Accepter le rapport")),
    _act("return", {ReportStatus.SUBMITTED}, ReportStatus.RETURNED, {Role.OFFICER},
         _("Renvoyer pour compléments")),
]}


def convention_acts_for(user: Any, status: str) -> list[Act]:
    roles: frozenset[str] = getattr(user, "roles", frozenset())
    return [a for a in CONVENTION_ACTS.values() if status in a.sources and a.roles & roles]


def report_acts_for(user: Any, status: str) -> list[Act]:
    roles: frozenset[str] = getattr(user, "roles", frozenset())
    return [a for a in REPORT_ACTS.values() if status in a.sources and a.roles & roles]
