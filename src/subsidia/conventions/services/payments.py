"""Finance records the payment of a line of a convention's schedule; the partner's members are told."""

from __future__ import annotations

from django.db import transaction
from django.utils import formats
from django.utils.translation import gettext as _

from subsidia.accounts.actors import Actor
from subsidia.accounts.roles import Role
from subsidia.audit.services import record, snapshot
from subsidia.core.errors import Code, Conflict, NotFound, PermissionDenied, Violation
from subsidia.notifications.models import Kind
from subsidia.notifications.services import notify

from .. import selectors
from ..inputs import PaymentInput
from ..models import ScheduledPayment
from .common import convention_url, members, not_in_future, raise_if, today


@transaction.atomic
def record_payment(actor: Actor, payment: ScheduledPayment, data: PaymentInput | None = None) -> ScheduledPayment:
    """Finance records that a line of the schedule has been paid (today, unless ``data`` says when)."""
    data = data or PaymentInput()
    if not selectors.conventions_visible_to(actor).filter(pk=payment.convention_id).exists():
        raise NotFound.single(Code.NOT_FOUND, _("Paiement introuvable."))
    if not actor.has_role(Role.FINANCE):
        raise PermissionDenied.single(Code.FORBIDDEN, _("Seul le service financier enregistre un paiement."))
    payment = ScheduledPayment.objects.select_for_update().select_related("convention").get(pk=payment.pk)
    if payment.paid_on is not None:
        raise Conflict.single(Code.ALREADY_PAID, _("Ce paiement est déjà enregistré (le %(date)s).") % {
            "date": formats.date_format(payment.paid_on)}, "paid_on")
    problems: list[Violation] = []
    day = data.paid_on or today()
    not_in_future(day, _("La date de paiement ne peut être dans le futur."), "paid_on", problems)
    raise_if(problems)
    before = snapshot(payment)
    payment.paid_on = day
    payment.payment_reference = data.payment_reference.strip()[:100]
    payment.recorded_by = actor
    payment.save()
    record(actor, "convention.payment", payment.convention, before={"payment": before},
           after={"payment": snapshot(payment)})
    convention = payment.convention
    notify(members(convention.organisation), Kind.CONVENTION_PAYMENT, lambda: (
        _("Convention %(ref)s : paiement effectué") % {"ref": convention.reference},
        _("%(kind)s %(year)s : %(amount)s € payés le %(date)s.") % {
            "kind": payment.get_kind_display(), "year": payment.year,
            "amount": formats.number_format(payment.amount, 2, use_l10n=True, force_grouping=True),
            "date": formats.date_format(day)}), convention_url(convention))
    return payment
