"""What the conventions' pages share: the person acting, how a service's refusal is shown on the ministry's
pages (404, a message for a clash, the form's errors for a broken rule), whether an act is open now, and the
pagination and readers of the lists."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone

from subsidia.accounts.actors import signed_in
from subsidia.accounts.roles import Role
from subsidia.core.access import roles
from subsidia.core.errors import Conflict, NotFound, RuleViolation, Violation, add_to_form
from subsidia.core.errors import PermissionDenied as ServicePermissionDenied

from . import money, selectors
from .models import Convention
from .workflow import CONVENTION_ILLEGAL, CONVENTION_WORKFLOW

PAYMENT_READERS = roles(Role.FINANCE, Role.OFFICER, Role.AUDITOR, Role.ADMIN, name="convention_payment_readers")
PAGE_SIZE = 25



def refused(request: HttpRequest, error: RuleViolation, form: forms.BaseForm | None = None,
            mapping: dict[str, str] | None = None) -> int:
    """Show a service's refusal and return the status of the page: the object is hidden (404), a clash
    with the current state or another person's edit is a message (409), a broken rule goes on the form (422)."""
    if isinstance(error, NotFound):
        raise Http404(str(error))
    if form is None or isinstance(error, Conflict | ServicePermissionDenied):
        for violation in error.violations:
            messages.error(request, str(violation.message))
    else:
        mapping = mapping or {}
        add_to_form(form, RuleViolation([Violation(v.code, v.message, mapping.get(v.field or "", v.field))
                                         for v in error.violations]))
    return error.status_code


def visible_convention(request: HttpRequest, pk: int) -> Convention:
    return get_object_or_404(selectors.conventions_visible_to(request.user), pk=pk)


def detail_url(convention: Convention) -> str:
    return reverse("conventions:detail", kwargs={"pk": convention.pk})


def may(request: HttpRequest, convention: Convention, act: str) -> bool:
    status = convention.status_on(timezone.localdate())
    return any(a.name == act for a in CONVENTION_WORKFLOW.available_to(signed_in(request), str(status)))


def not_now(request: HttpRequest, convention: Convention, label: str) -> HttpResponse:
    """The act is not possible in the convention's current status: say so on the convention's page."""
    messages.error(request, str(CONVENTION_ILLEGAL) % {
        "action": label, "state": convention.status_on(timezone.localdate()).label})
    return redirect(detail_url(convention))


def yearly_total(convention: Convention, day: date) -> Decimal:
    """The convention's yearly amount in force on ``day`` (or, outside its period, at its nearest end),
    amendments included."""
    day = max(min(day, convention.last_day), convention.starts_on)
    return sum((money.rate_on(d, day).yearly_amount for d in convention.domains.all()), money.ZERO)


def pk_or_none(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
