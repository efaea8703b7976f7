"""What the conventions' services share: who is told, the audited fields, the stale-copy message, and the
checks of amounts and dates that every input goes through."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _lazy

from subsidia.accounts.models import User
from subsidia.accounts.roles import Role
from subsidia.core.errors import RuleViolation, Violation
from subsidia.core.values import parse_money
from subsidia.notifications.models import Kind
from subsidia.notifications.services import notify
from subsidia.organisations.models import Organisation

from ..errors import ConventionError
from ..models import Convention, YearlyReport

CONVENTION_FIELDS = ["department", "organisation", "reference", "title", "starts_on", "ends_on", "advance_percent",
                     "notes"]
AUDITED_CONVENTION = [*CONVENTION_FIELDS, "signed_on", "signed_by_partner_on", "terminated_on",
                      "termination_reason", "version"]
AUDITED_REPORT = ["status", "narrative", "officer_comment", "version"]

STALE = _lazy("Ce dossier a été modifié entre-temps par quelqu'un d'autre (version %(current)s, vous éditiez la "
              "version %(yours)s). Rechargez-le : vos changements n'ont pas été enregistrés.")
NOT_FOUND = _lazy("Convention introuvable.")


def today() -> date:
    return timezone.localdate()


def convention_url(convention: Convention) -> str:
    return reverse("conventions:detail", kwargs={"pk": convention.pk})


def report_url(report: YearlyReport) -> str:
    return reverse("conventions:report", kwargs={"pk": report.pk})


def members(organisation: Organisation) -> QuerySet[User]:
    return User.objects.filter(memberships__organisation=organisation, is_active=True).distinct()


def officers() -> QuerySet[User]:
    return User.objects.filter(role_grants__role=Role.OFFICER, is_active=True).distinct()


def notify_partner(convention: Convention, message: Callable[[], tuple[str, str]]) -> None:
    notify(members(convention.organisation), Kind.CONVENTION, message, convention_url(convention))


def amount(value: Decimal, field: str, problems: list[Violation]) -> Decimal | None:
    """``value`` if it is an amount the ledger holds (positive, two decimals at most), else a problem."""
    try:
        return parse_money(value, field)
    except RuleViolation as error:
        problems.extend(error.violations)
        return None


def not_in_future(day: date, message: str, field: str, problems: list[Violation]) -> None:
    if day > today():
        problems.append(Violation(ConventionError.FUTURE_DATE, message, field))


def raise_if(problems: list[Violation]) -> None:
    if problems:
        raise RuleViolation(problems)
