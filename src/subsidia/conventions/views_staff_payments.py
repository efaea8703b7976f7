"""The ministry's pages on money: the payment schedules' lines (finance records a payment from there) and
the funding overview of an organisation (conventions and subsidies by year, and the possible double funding)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from subsidia.accounts.access import FINANCE
from subsidia.accounts.actors import signed_in
from subsidia.accounts.reauth import reauthentication_required
from subsidia.accounts.roles import Role
from subsidia.core.access import access
from subsidia.core.errors import RuleViolation
from subsidia.core.forms import error_summary
from subsidia.core.http import safe_next
from subsidia.organisations import selectors as organisation_selectors
from subsidia.organisations.access import ORGANISATION_READERS

from . import selectors
from .forms_staff import FundingPeriodForm, PaymentFilterForm, PaymentForm
from .models import ScheduledPayment
from .services import payments as payment_services
from .views_common import PAGE_SIZE, PAYMENT_READERS, pk_or_none, refused

# --- payments --------------------------------------------------------------------------------------

def _filtered_payments(lines: QuerySet[ScheduledPayment], filters: dict[str, Any],
                       today: date) -> QuerySet[ScheduledPayment]:
    state = filters.get("state", "")
    if state == "paid":
        lines = lines.filter(paid_on__isnull=False).order_by("-paid_on", "convention__reference", "year",
                                                             "kind", "position")
    else:
        if state != "all":
            lines = lines.filter(paid_on__isnull=True)
        if state == "due":
            lines = lines.filter(due_on__lte=today)
        elif state == "overdue":
            lines = lines.filter(due_on__lt=today)
        elif state == "upcoming":
            lines = lines.filter(due_on__gt=today)
        lines = lines.order_by("due_on", "convention__reference", "year", "kind", "position")
    if year := filters.get("year"):
        lines = lines.filter(year=year)
    if (organisation := pk_or_none(filters.get("organisation"))) is not None:
        lines = lines.filter(convention__organisation_id=organisation)
    return lines


def payment_form(payment: ScheduledPayment, data: Any = None) -> PaymentForm:
    return PaymentForm(data, auto_id=f"paiement-{payment.pk}-%s")


def _payments_page(request: HttpRequest, failed: PaymentForm | None = None,
                   failed_payment: ScheduledPayment | None = None, status: int = 200) -> HttpResponse:
    today = timezone.localdate()
    form = PaymentFilterForm(request.GET or None)
    lines = _filtered_payments(selectors.payments_visible_to(request.user), form.filters(), today)
    page = Paginator(lines, PAGE_SIZE).get_page(request.GET.get("page"))
    payments = list(page)
    if failed_payment is not None and failed_payment not in payments:
        payments.insert(0, failed_payment)  # the line whose form has errors is always shown
    can_pay = signed_in(request).has_role(Role.FINANCE)
    rows = [{"payment": p,
             "form": (failed if failed is not None and failed_payment is not None and p.pk == failed_payment.pk
                      else payment_form(p)) if can_pay and p.paid_on is None else None,
             "overdue": p.paid_on is None and p.due_on < today} for p in payments]
    return render(request, "conventions/staff/payments.html", {
        "form": form, "page": page, "rows": rows, "can_pay": can_pay, "query": request.GET.copy(),
        "total": page.paginator.count, "error_summary": error_summary(failed),
        "next": request.get_full_path() if request.method == "GET"
        else safe_next(request, reverse("conventions:payments")),
    }, status=status)


@access(PAYMENT_READERS)
@require_GET
def payments(request: HttpRequest) -> HttpResponse:
    return _payments_page(request)


@access(FINANCE)
@require_POST
@reauthentication_required(back="conventions:payments")
def payment_record(request: HttpRequest, pk: int) -> HttpResponse:
    payment = get_object_or_404(selectors.payments_visible_to(request.user), pk=pk)
    form = payment_form(payment, request.POST)
    if not form.is_valid():
        return _payments_page(request, form, payment, status=422)
    try:
        payment_services.record_payment(signed_in(request), payment, form.to_input())
    except RuleViolation as error:
        status = refused(request, error, form)
        return _payments_page(request, form, payment, status=status)
    messages.success(request, _("Paiement enregistré : %(kind)s %(year)s de %(ref)s.") % {
        "kind": payment.get_kind_display(), "year": payment.year, "ref": payment.convention.reference})
    return redirect(safe_next(request, reverse("conventions:payments")))


# --- funding overview ------------------------------------------------------------------------------

@access(ORGANISATION_READERS)
@require_GET
def funding(request: HttpRequest, pk: int) -> HttpResponse:
    """Everything one organisation receives or asks from the ministry over a period of years, and the
    subsidies that would fund what a convention already funds."""
    organisation = get_object_or_404(organisation_selectors.organisations_visible_to(request.user), pk=pk)
    start, end = FundingPeriodForm.default_years()
    bound = "start" in request.GET or "end" in request.GET
    form = FundingPeriodForm(request.GET if bound else None, initial={"start": start, "end": end})
    status = 200
    if bound:
        if form.is_valid():
            start, end = form.cleaned_data["start"], form.cleaned_data["end"]
        else:
            status = 422
    overview = selectors.funding_overview(organisation, date(start, 1, 1), date(end, 12, 31))
    lines = [{"line": line, "amounts": [line.by_year.get(y) for y in overview.years]} for line in overview.lines]
    return render(request, "conventions/staff/funding.html", {
        "organisation": organisation, "form": form, "overview": overview, "lines": lines,
        "totals": [overview.totals[y] for y in overview.years], "start": start, "end": end,
        "error_summary": error_summary(form),
    }, status=status)
