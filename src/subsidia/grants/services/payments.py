"""Finance records the payment of a tranche of an approved subsidy (never twice, never in the future)."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils.translation import gettext as _

from subsidia.accounts.actors import Actor
from subsidia.accounts.roles import Role
from subsidia.audit.services import record
from subsidia.core.errors import Code, Conflict, PermissionDenied, RuleViolation
from subsidia.notifications.models import Kind
from subsidia.notifications.services import notify

from ..models import Tranche
from ..workflow import PAYABLE_STATES
from .common import application_url, current_date, partner_admins


@transaction.atomic
def record_payment(actor: Actor, tranche: Tranche, paid_on: date | None = None, reference: str = "") -> Tranche:
    """Finance records that a tranche is paid."""
    if not actor.is_authenticated or not actor.has_role(Role.FINANCE):
        raise PermissionDenied.single(Code.FORBIDDEN, _("Seul le service financier enregistre les paiements."))
    tranche = Tranche.objects.select_for_update().select_related("application").get(pk=tranche.pk)
    application = tranche.application
    if application.state not in PAYABLE_STATES:
        raise Conflict.single(Code.ILLEGAL_TRANSITION, _("Aucun paiement dans l'état « %(s)s ».") % {
            "s": application.get_state_display()}, "state")
    if tranche.paid_on is not None:
        raise Conflict.single(Code.ALREADY_PAID, _("Cette tranche est déjà payée (le %(d)s).") % {
            "d": tranche.paid_on.strftime("%d/%m/%Y")}, "tranche")
    paid_on = paid_on or current_date()
    if paid_on > current_date():
        raise RuleViolation.single(Code.INVALID, _("La date de paiement ne peut être dans le futur."), "paid_on")
    tranche.paid_on, tranche.payment_reference, tranche.recorded_by = paid_on, (reference or "")[:100], actor
    tranche.save()
    record(actor, "payment.record", tranche, after={"application": application.reference, "position": tranche.position,
                                                    "amount": str(tranche.amount), "paid_on": paid_on.isoformat(),
                                                    "reference": tranche.payment_reference})
    notify(partner_admins(application), Kind.PAYMENT, lambda: (
        _("%(ref)s : paiement de %(amount)s €") % {"ref": application.reference, "amount": tranche.amount},
        _("La tranche %(n)s du subside « %(title)s » a été payée le %(d)s.") % {
            "n": tranche.position, "title": application.title, "d": paid_on.strftime("%d/%m/%Y")}),
        application_url(application))
    return tranche
