"""What may happen to a convention and to a yearly report, declared as two tables on core's engine.

A convention's status is never stored: it is derived from its dates (:meth:`Convention.status_on`), so its
table reads the status through ``state_of`` and no act writes it. Signing or terminating sets dates, and the
status follows from them on the day they take effect: :attr:`ConventionAct.reaches` says which status that
is (the engine's ``target`` stays None, there being no status field to write). A yearly report's status is
stored, and its acts move it as any table's.

The report's acts are named ``report_<act>`` so that the engine's audit records keep the names the trail has
always used (``convention.report_submit``); the API shows them without the prefix (``submit``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from subsidia.accounts.roles import Role
from subsidia.core.workflow import Transition, Workflow, transition

from .models import Convention, ReportStatus, Status


@dataclass(frozen=True)
class ConventionAct(Transition):
    """An act on a convention; ``reaches`` is the derived status it leads to once it takes effect (signing: a
    convention not yet begun), None when the status does not change."""

    reaches: str | None = None


def _act(name: str, sources: Iterable[str], roles: Iterable[str], label: str | Promise,
         reaches: str | None = None) -> ConventionAct:
    base = transition(name, sources, None, roles, label)
    return ConventionAct(base.name, base.sources, None, base.roles, base.label, reaches=reaches and str(reaches))


def convention_status(convention: Convention) -> str:
    """The convention's status today, the state its table reads."""
    return str(convention.status_on(timezone.localdate()))


def _status_label(convention: Convention) -> str:
    return str(convention.status_on(timezone.localdate()).label)


IN_FORCE_OR_COMING: set[str] = {Status.SIGNED, Status.ACTIVE}
PARTNER_ROLES = {Role.PARTNER_ADMIN, Role.PARTNER_MEMBER}

CONVENTION_ILLEGAL = _("Impossible de « %(action)s » : la convention est « %(state)s ».")

CONVENTION_WORKFLOW: Workflow[ConventionAct] = Workflow("convention", [
    _act("edit", {Status.DRAFT}, {Role.OFFICER}, _("Modifier la convention")),
    _act("delete", {Status.DRAFT}, {Role.OFFICER}, _("Supprimer le projet de convention")),
    _act("sign", {Status.DRAFT}, {Role.APPROVER}, _("Signer la convention"), Status.SIGNED),
    _act("amend", IN_FORCE_OR_COMING, {Role.APPROVER}, _("Enregistrer un avenant")),
    _act("terminate", IN_FORCE_OR_COMING, {Role.APPROVER}, _("Résilier la convention"), Status.TERMINATED),
], state_field="status", illegal=CONVENTION_ILLEGAL, state_of=convention_status, state_label=_status_label)

REPORT_WORKFLOW: Workflow[Transition] = Workflow("convention", [
    transition("report_save", {ReportStatus.EXPECTED, ReportStatus.RETURNED}, None, PARTNER_ROLES,
               _("Enregistrer le rapport")),
    transition("report_submit", {ReportStatus.EXPECTED, ReportStatus.RETURNED}, ReportStatus.SUBMITTED,
               {Role.PARTNER_ADMIN}, _("Déposer le rapport")),
    transition("report_accept", {ReportStatus.SUBMITTED}, ReportStatus.ACCEPTED, {Role.OFFICER},
               _("Accepter le rapport")),
    transition("report_return", {ReportStatus.SUBMITTED}, ReportStatus.RETURNED, {Role.OFFICER},
               _("Renvoyer pour compléments")),
], state_field="status", illegal=_("Impossible de « %(action)s » : le rapport est « %(state)s »."))


def short_name(act: Transition) -> str:
    """A report act's name without its prefix (``report_submit`` → ``submit``), as the API shows it."""
    return act.name.removeprefix("report_")


def partner_act(act: Transition) -> bool:
    """A report act the organisation's own members make (their membership is checked, not only a role)."""
    return bool(act.roles & PARTNER_ROLES)
