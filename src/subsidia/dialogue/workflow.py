"""What may happen to a point proposed for a meeting's agenda, declared as a table on core's engine: an
officer accepts it or declines it (with a reason the organisation reads), once.

The dialogue's other states have no table, on purpose. A meeting's status (planned, held, cancelled) is set by
an officer on the meeting's form in any direction — a cancellation may be undone, a meeting marked held by
mistake planned again — under rules of dates rather than of states (:mod:`subsidia.dialogue.services.meetings`);
an action item's status is chosen freely by its owner. Both keep core's optimistic locking
(:func:`~subsidia.core.versions.check_version`) instead.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from subsidia.accounts.roles import Role
from subsidia.core.workflow import Transition, Workflow, transition

from .models import AgendaItemStatus

OFFICERS_ONLY = _("Seul un agent gestionnaire peut faire cela.")

AGENDA_WORKFLOW: Workflow[Transition] = Workflow("agenda_item", [
    transition("accept", {AgendaItemStatus.PROPOSED}, AgendaItemStatus.ACCEPTED, {Role.OFFICER},
               _("Inscrire le point à l'ordre du jour")),
    transition("decline", {AgendaItemStatus.PROPOSED}, AgendaItemStatus.DECLINED, {Role.OFFICER},
               _("Ne pas retenir le point"), reason_required=True),
], state_field="status", forbidden=OFFICERS_ONLY, illegal=_("Ce point a déjà été traité."))
