"""The workflow of an application, declared as a table: which transition leads from which states to
which state, and who may make it. Each transition is carried out by one service function in
:mod:`subsidia.grants.services`; the table is the single source for the services, the pages (which
buttons to show), the API (one endpoint per transition) and the tests (every pair is tried).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from subsidia.accounts.roles import Role

from .models import State


@dataclass(frozen=True)
class Transition:
    name: str
    sources: frozenset[str]
    target: str
    roles: frozenset[str]
    label: str | Promise


def _t(name: str, sources: set[State], target: State, roles: Iterable[str], label: str | Promise) -> Transition:
    return Transition(name, frozenset(s.value for s in sources), target.value, frozenset(str(r) for r in roles),
                      label)


OFFICERS: set[str] = {Role.OFFICER.value}
PARTNER_ADMINS: set[str] = {Role.PARTNER_ADMIN.value}
APPROVERS: set[str] = {Role.APPROVER.value}
BEFORE_DECISION = {State.DRAFT, State.SUBMITTED, State.ELIGIBILITY, State.MORE_INFORMATION_REQUESTED,
                   State.UNDER_REVIEW}

TRANSITIONS: dict[str, Transition] = {t.name: t for t in [
    _t("submit", {State.DRAFT, State.MORE_INFORMATION_REQUESTED}, State.SUBMITTED, PARTNER_ADMINS,
       _("Déposer la demande")),
    _t("start_eligibility", {State.SUBMITTED}, State.ELIGIBILITY, OFFICERS, _("Examiner l'éligibilité")),
    _t("declare_eligible", {State.ELIGIBILITY}, State.UNDER_REVIEW, OFFICERS, _("Déclarer éligible")),
    _t("declare_ineligible", {State.ELIGIBILITY}, State.INELIGIBLE, OFFICERS, _("Déclarer non éligible")),
    _t("request_information", {State.SUBMITTED, State.ELIGIBILITY, State.UNDER_REVIEW},
       State.MORE_INFORMATION_REQUESTED, OFFICERS, _("Demander des informations")),
    _t("withdraw", BEFORE_DECISION, State.WITHDRAWN, PARTNER_ADMINS, _("Retirer la demande")),
    _t("approve", {State.UNDER_REVIEW}, State.APPROVED, APPROVERS, _("Accorder le subside")),
    _t("reject", {State.UNDER_REVIEW}, State.REJECTED, APPROVERS, _("Refuser le subside")),
    _t("start_project", {State.APPROVED}, State.IN_PROGRESS, OFFICERS, _("Lancer le suivi du projet")),
    _t("submit_report", {State.IN_PROGRESS}, State.REPORTING, PARTNER_ADMINS, _("Déposer le rapport final")),
    _t("return_report", {State.REPORTING}, State.IN_PROGRESS, OFFICERS, _("Renvoyer le rapport")),
    _t("close", {State.REPORTING}, State.CLOSED, OFFICERS, _("Clôturer le dossier")),
]}

FINAL_STATES = frozenset({State.INELIGIBLE.value, State.REJECTED.value, State.WITHDRAWN.value,
                          State.CLOSED.value})
# States in which the partner may still edit its application.
PARTNER_EDITABLE_STATES = frozenset({State.DRAFT.value, State.MORE_INFORMATION_REQUESTED.value})
# States in which officers may correct an application's data.
OFFICER_EDITABLE_STATES = frozenset({State.DRAFT.value, State.SUBMITTED.value, State.ELIGIBILITY.value,
                                     State.MORE_INFORMATION_REQUESTED.value, State.UNDER_REVIEW.value})
# States in which reviewers may be assigned and reviews submitted.
REVIEW_STATES = frozenset({State.ELIGIBILITY.value, State.UNDER_REVIEW.value})


def transitions_from(state: str) -> list[Transition]:
    return [t for t in TRANSITIONS.values() if state in t.sources]


def available_to(user: Any, state: str) -> list[Transition]:
    """The transitions whose role the user holds, from this state (object access is checked apart)."""
    roles: frozenset[str] = getattr(user, "roles", frozenset())
    return [t for t in transitions_from(state) if t.roles & roles]
