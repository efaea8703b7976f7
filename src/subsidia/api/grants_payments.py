"""The grants API: the payment schedule of the final decisions, and finance recording that a tranche is paid
(after a recent authentication)."""

from typing import Any

from django.db.models import F
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Query, Router
from ninja.pagination import paginate

from subsidia.accounts.reauth import api_reauthentication_required
from subsidia.grants.models import Tranche
from subsidia.grants.services import payments as payment_services

from .auth import SIGNED_IN_AUTH, api_access, caller
from .grants import ERRORS, FINANCE, PAYMENT_READERS
from .schemas import Id, Pages
from .schemas_grants import PaymentIn, TrancheFilters
from .schemas_grants_out import TrancheOut

router = Router(tags=["grants"])


# --- payments ------------------------------------------------------------------------------------

@router.get("/tranches", auth=SIGNED_IN_AUTH, response=list[TrancheOut])
@api_access(PAYMENT_READERS)
@paginate(Pages, page_size=50)
def list_tranches(request: HttpRequest, filters: Query[TrancheFilters]) -> Any:
    """The payment schedule of the final decisions: unpaid tranches first (by due date), then the paid."""
    tranches = Tranche.objects.filter(application__decision__confirmed_at__isnull=False).select_related(
        "application__organisation")
    if filters.paid is not None:
        tranches = tranches.filter(paid_on__isnull=not filters.paid)
    if filters.call_id is not None:
        tranches = tranches.filter(application__call_id=filters.call_id)
    if filters.application_id is not None:
        tranches = tranches.filter(application_id=filters.application_id)
    if filters.due_before is not None:
        tranches = tranches.filter(due_on__lte=filters.due_before)
    return tranches.order_by(F("paid_on").asc(nulls_first=True), "due_on", "pk")


@router.post("/tranches/{tranche_id}/pay", auth=SIGNED_IN_AUTH, response={200: TrancheOut, **ERRORS})
@api_access(FINANCE)
@api_reauthentication_required
def pay_tranche(request: HttpRequest, tranche_id: Id, payload: PaymentIn) -> Any:
    """Record that a tranche is paid (finance); ``paid_on`` defaults to today and is never in the future."""
    tranche = get_object_or_404(Tranche, pk=tranche_id)
    payment_services.record_payment(caller(request), tranche, payload.paid_on, payload.reference)
    return Tranche.objects.select_related("application__organisation").get(pk=tranche.pk)
