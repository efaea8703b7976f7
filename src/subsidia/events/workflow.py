"""What may happen to an event and to a registration, declared as two tables on core's engine.

An event is published, or cancelled, by an officer (the services check "officers only" before they lock the
event, so that a draft stays hidden from everyone else; the table's roles say the same for the pages' buttons).

A registration is cancelled or promoted from the waiting list by the system's own moves: who may cancel is not
a role but the signed link of the registrant, their own account or an officer's (:func:`services.cancel_registration`
checks it before), and a promotion follows a seat set free. The table holds what the states allow; its
refusal keeps the words people have always read ("Cette inscription est déjà annulée.").

Checking in is no move of the table: the status stays ``confirmed`` and the moment is recorded beside it.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from subsidia.accounts.roles import Role
from subsidia.core.workflow import Transition, Workflow, transition

from .models import EventStatus, Registration, RegistrationStatus

OFFICERS = {Role.OFFICER}
OFFICERS_ONLY = _("Seul un agent gestionnaire peut faire cela.")

EVENT_WORKFLOW: Workflow[Transition] = Workflow("event", [
    transition("publish", {EventStatus.DRAFT}, EventStatus.PUBLISHED, OFFICERS, _("Publier l'événement")),
    transition("cancel", {EventStatus.DRAFT, EventStatus.PUBLISHED}, EventStatus.CANCELLED, OFFICERS,
               _("Annuler l'événement")),
], state_field="status", forbidden=OFFICERS_ONLY,
    illegal=_("Impossible de « %(action)s » : l'événement est « %(state)s »."))


def _registration_state(registration: Registration) -> str:
    return str(registration.get_status_display()).lower()


REGISTRATION_WORKFLOW: Workflow[Transition] = Workflow("event_registration", [
    transition("cancel", {RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED}, RegistrationStatus.CANCELLED,
               (), _("Annuler l'inscription")),
    transition("promote", {RegistrationStatus.WAITLISTED}, RegistrationStatus.CONFIRMED, (),
               _("Passer de la liste d'attente à une place confirmée")),
], state_field="status", illegal=_("Cette inscription est déjà %(state)s."), state_label=_registration_state)
