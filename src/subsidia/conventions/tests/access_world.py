"""Conventions of organisation A for the access matrix: a draft, and a signed convention in force with its
reports (one filed, awaiting the officer) and its payment schedule."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.utils import timezone

from subsidia.conventions.inputs import SignInput
from subsidia.conventions.models import ReportKind, ReportStatus
from subsidia.conventions.services.acts import sign_convention

from .factories import ConventionDomainFactory, ConventionFactory, DepartmentFactory, IndicatorFactory


def add_conventions(world: dict[str, Any]) -> None:
    people = world["people"]
    department = DepartmentFactory.create(name="Département de l'intégration (test)")
    draft = ConventionFactory.create(organisation=world["org_a"], department=department,
                                     title="Convention en préparation")
    ConventionDomainFactory.create(convention=draft)
    active = ConventionFactory.create(organisation=world["org_a"], department=department, title="Convention en vigueur",
                                      starts_on=date(2024, 1, 1), ends_on=date(timezone.localdate().year + 1, 12, 31))
    domain = ConventionDomainFactory.create(convention=active, yearly_amount=Decimal("90000.00"))
    IndicatorFactory.create(domain=domain)
    active = sign_convention(people["approver"], active, SignInput(signed_on=date(2023, 12, 1)))
    filed = active.reports.get(year=2024, kind=ReportKind.ACTIVITY)
    filed.status = ReportStatus.SUBMITTED
    filed.narrative = "Rapport 2024"
    filed.submitted_at = timezone.now()
    filed.save()
    world.update({
        "department": department, "convention_draft": draft, "convention": active, "convention_domain": domain,
        "report_filed": filed, "report_expected": active.reports.get(year=2024, kind=ReportKind.FINANCIAL),
        "payment_due": active.payments.filter(paid_on__isnull=True).order_by("due_on").first(),
    })
