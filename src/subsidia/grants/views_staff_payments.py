"""Finance's page: the unpaid tranches of the approved subsidies, and recording a payment (after a recent
authentication); officers and auditors read the list."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from subsidia.accounts.reauth import reauthentication_required
from subsidia.accounts.roles import Role
from subsidia.core.access import access
from subsidia.core.errors import RuleViolation
from subsidia.core.forms import error_summary
from subsidia.core.http import safe_next

from . import selectors
from .forms_staff import PaymentForm
from .models import Tranche
from .services import payments as payment_services
from .views_staff import FINANCE, PAGE_SIZE, PAYMENT_READERS, actor_of, refused
from .workflow import PAYABLE_STATES

# --- payments --------------------------------------------------------------------------------------

def _unpaid_tranches(request: HttpRequest) -> QuerySet[Tranche]:
    visible = selectors.applications_visible_to(request.user).values("pk")
    return (Tranche.objects.filter(application__in=visible, paid_on__isnull=True,
                                   application__state__in=PAYABLE_STATES)
            .select_related("application__organisation", "application__call")
            .order_by("due_on", "application__reference", "position"))


def payment_form(tranche: Tranche, data: QueryDict | None = None) -> PaymentForm:
    return PaymentForm(data, auto_id=f"paiement-{tranche.pk}-%s")


def _payments_page(request: HttpRequest, failed: PaymentForm | None = None, failed_pk: int | None = None,
                   status: int = 200) -> HttpResponse:
    page = Paginator(_unpaid_tranches(request), PAGE_SIZE).get_page(request.GET.get("page"))
    can_pay = actor_of(request).has_role(Role.FINANCE)
    rows = [{"tranche": t, "form": (failed if t.pk == failed_pk and failed is not None else payment_form(t))
             if can_pay else None, "overdue": t.due_on < timezone.localdate()} for t in page]
    return render(request, "grants/staff/payments.html", {
        "page": page, "rows": rows, "can_pay": can_pay, "query": request.GET.copy(),
        "errors": error_summary(failed),
    }, status=status)


@access(PAYMENT_READERS)
@require_GET
def payments(request: HttpRequest) -> HttpResponse:
    return _payments_page(request)


@access(FINANCE)
@require_POST
@reauthentication_required(back="grants:payments")
def payment_record(request: HttpRequest, pk: int) -> HttpResponse:
    visible = selectors.applications_visible_to(request.user).values("pk")
    tranche = get_object_or_404(Tranche.objects.filter(application__in=visible), pk=pk)
    form = payment_form(tranche, request.POST)
    if not form.is_valid():
        return _payments_page(request, form, tranche.pk, status=422)
    try:
        payment_services.record_payment(actor_of(request), tranche, form.cleaned_data["paid_on"],
                                        form.cleaned_data["reference"])
    except RuleViolation as error:
        status = refused(request, error, form)
        return _payments_page(request, form, tranche.pk, status=status)
    messages.success(request, _("Paiement de la tranche %(n)s de %(ref)s enregistré.") % {
        "n": tranche.position, "ref": tranche.application.reference})
    return redirect(safe_next(request, reverse("grants:payments")))
