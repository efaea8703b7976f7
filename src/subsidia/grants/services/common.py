"""What every grants service shares: who is told (officers, approvers, the organisation's people), the
application read again under lock for the actor, and the checked, carried-out and announced transition of
the workflow (:data:`subsidia.grants.workflow.WORKFLOW`).

Order of the checks on an application: may the actor see it (404), may their role do this (403), is the move
legal from the current state and is the actor's copy current (409), do the rules hold (422, in each service).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from subsidia.accounts.actors import Actor
from subsidia.accounts.models import User
from subsidia.accounts.roles import Role
from subsidia.core.errors import Code, PermissionDenied, Violation
from subsidia.core.versions import check_version, locked
from subsidia.notifications.models import Kind
from subsidia.notifications.services import notify

from .. import selectors
from ..models import Application, State, StateChange
from ..workflow import WORKFLOW

APPLICATION_FIELDS = ["title", "summary", "description", "priority", "activity_domain", "deliverable_types",
                      "start_date", "end_date", "requested_amount", "answers"]
AUDITED_APPLICATION = [*APPLICATION_FIELDS, "state", "version"]
NOT_FOUND = gettext_lazy("Demande introuvable.")
STALE = gettext_lazy("Cette demande a été modifiée entre-temps par quelqu'un d'autre (version %(current)s, vous "
                     "éditiez la version %(yours)s). Rechargez-la : vos changements n'ont pas été enregistrés.")


def current_date() -> date:
    return timezone.localdate()


def officers() -> Iterable[User]:
    return User.objects.filter(role_grants__role=Role.OFFICER, is_active=True).distinct()


def approvers() -> Iterable[User]:
    return User.objects.filter(role_grants__role=Role.APPROVER, is_active=True).distinct()


def partner_admins(application: Application) -> Iterable[User]:
    return User.objects.filter(memberships__organisation=application.organisation,
                               memberships__role=Role.PARTNER_ADMIN, is_active=True).distinct()


def partners(application: Application) -> Iterable[User]:
    return User.objects.filter(memberships__organisation=application.organisation, is_active=True).distinct()


def application_url(application: Application) -> str:
    return reverse("grants:application_detail", kwargs={"pk": application.pk})


def require_officer(actor: Actor) -> None:
    if not selectors.manages_calls(actor):
        raise PermissionDenied.single(Code.FORBIDDEN, _("Seul un agent gestionnaire peut faire cela."))


def locked_application(actor: Actor, application: Application) -> Application:
    """The application, locked for this transaction, if the actor may see it (else 404)."""
    return locked(selectors.applications_visible_to(actor), application, NOT_FOUND,
                  related=("call", "organisation"))


def require_transition(actor: Actor, application: Application, name: str) -> None:
    """The workflow's check of ``name``, after the domain's own: a partner's act is made by an admin member of
    the application's organisation, not by the admin of another one."""
    item = WORKFLOW[name]
    if Role.PARTNER_ADMIN in item.roles and item.allows(actor.roles) \
            and not selectors.is_member_of(actor, application, admin=True):
        raise PermissionDenied.single(Code.FORBIDDEN, _("Seul un gestionnaire de l'organisation peut faire cela."))
    WORKFLOW.require(actor, application, name)


def opened(actor: Actor, application: Application, name: str, expected_version: int | None) -> Application:
    """The application locked for the transition ``name``: visible (404), allowed (403), legal from its state
    and the actor's copy current (409), in that order."""
    application = locked_application(actor, application)
    require_transition(actor, application, name)
    check_version(application, expected_version, str(STALE))
    return application


def move(actor: Actor, application: Application, name: str, *, note: str = "",
         before: dict[str, Any] | None = None) -> Application:
    """Carry out the transition (already checked) on core's engine, then tell the organisation."""
    source = application.state

    def history(from_state: str, to_state: str) -> None:
        StateChange.objects.create(application=application, transition=name, from_state=from_state,
                                   to_state=to_state, actor=actor if actor.is_authenticated else None, note=note)

    application = WORKFLOW.move(actor, application, name, note=note, before=before,
                                audit_fields=AUDITED_APPLICATION, history=history)
    _notify_state(application, source, note)
    return application


def _notify_state(application: Application, source: str, note: str) -> None:
    state_label = application.get_state_display

    def message() -> tuple[str, str]:
        return (_("%(ref)s : votre demande est maintenant « %(state)s »") % {
            "ref": application.reference, "state": state_label()},
            _("La demande « %(title)s » est passée à l'état « %(state)s ».") % {
                "title": application.title, "state": state_label()} + (f"\n\n{note}" if note else ""))

    kind = Kind.INFORMATION_REQUESTED if application.state == State.MORE_INFORMATION_REQUESTED \
        else Kind.APPLICATION_STATE
    notify(partners(application), kind, message, application_url(application))


def amount_problems(amount: Decimal | None, field: str) -> list[Violation]:
    """An amount is given and positive (the forms and the API schema bound its digits and decimals)."""
    if amount is None:
        return [Violation(Code.INVALID, _("Montant invalide."), field)]
    if amount < 0:
        return [Violation(Code.INVALID, _("Montant invalide : un nombre positif avec au plus deux décimales."), field)]
    return []
