"""The workflow of an application, declared as a table on core's engine: which transition leads from which
states to which state, and who may make it. Each transition is carried out by one service function (in
:mod:`~subsidia.grants.services.transitions`, :mod:`~subsidia.grants.services.decisions` and
:mod:`~subsidia.grants.services.reports`); the table is the single source for the services, the pages (which
buttons to show), the API (one endpoint per transition) and the tests (every pair is tried).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from subsidia.accounts.roles import Role
from subsidia.core.workflow import Transition, Workflow, transition

from .models import State

OFFICERS = {Role.OFFICER}
PARTNER_ADMINS = {Role.PARTNER_ADMIN}
APPROVERS = {Role.APPROVER}
BEFORE_DECISION = {State.DRAFT, State.SUBMITTED, State.ELIGIBILITY, State.MORE_INFORMATION_REQUESTED,
                   State.UNDER_REVIEW}

WORKFLOW: Workflow[Transition] = Workflow("application", [
    transition("submit", {State.DRAFT, State.MORE_INFORMATION_REQUESTED}, State.SUBMITTED, PARTNER_ADMINS,
               _("Déposer la demande")),
    transition("start_eligibility", {State.SUBMITTED}, State.ELIGIBILITY, OFFICERS, _("Examiner l'éligibilité")),
    transition("declare_eligible", {State.ELIGIBILITY}, State.UNDER_REVIEW, OFFICERS, _("Déclarer éligible")),
    transition("declare_ineligible", {State.ELIGIBILITY}, State.INELIGIBLE, OFFICERS, _("Déclarer non éligible")),
    transition("request_information", {State.SUBMITTED, State.ELIGIBILITY, State.UNDER_REVIEW},
               State.MORE_INFORMATION_REQUESTED, OFFICERS, _("Demander des informations")),
    transition("withdraw", BEFORE_DECISION, State.WITHDRAWN, PARTNER_ADMINS, _("Retirer la demande")),
    transition("approve", {State.UNDER_REVIEW}, State.APPROVED, APPROVERS, _("Accorder le subside")),
    transition("reject", {State.UNDER_REVIEW}, State.REJECTED, APPROVERS, _("Refuser le subside")),
    transition("start_project", {State.APPROVED}, State.IN_PROGRESS, OFFICERS, _("Lancer le suivi du projet")),
    transition("submit_report", {State.IN_PROGRESS}, State.REPORTING, PARTNER_ADMINS,
               _("Déposer le rapport final")),
    transition("return_report", {State.REPORTING}, State.IN_PROGRESS, OFFICERS, _("Renvoyer le rapport")),
    transition("close", {State.REPORTING}, State.CLOSED, OFFICERS, _("Clôturer le dossier")),
], illegal=_("Impossible de « %(action)s » : la demande est dans l'état « %(state)s »."))

FINAL_STATES = frozenset({State.INELIGIBLE.value, State.REJECTED.value, State.WITHDRAWN.value,
                          State.CLOSED.value})
# States in which the partner may still edit its application.
PARTNER_EDITABLE_STATES = frozenset({State.DRAFT.value, State.MORE_INFORMATION_REQUESTED.value})
# States in which officers may correct an application's data.
OFFICER_EDITABLE_STATES = frozenset({State.DRAFT.value, State.SUBMITTED.value, State.ELIGIBILITY.value,
                                     State.MORE_INFORMATION_REQUESTED.value, State.UNDER_REVIEW.value})
# States in which reviewers may be assigned and reviews submitted.
REVIEW_STATES = frozenset({State.ELIGIBILITY.value, State.UNDER_REVIEW.value})
# States in which finance records the payment of a tranche.
PAYABLE_STATES = frozenset({State.APPROVED.value, State.IN_PROGRESS.value, State.REPORTING.value})
