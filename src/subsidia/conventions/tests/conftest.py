from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from subsidia.conventions import services
from subsidia.conventions.models import Convention

from .factories import ConventionDomainFactory, ConventionFactory, IndicatorFactory


@pytest.fixture
def officer(make_user):  # type: ignore[no-untyped-def]
    return make_user("officer")


@pytest.fixture
def approver(make_user):  # type: ignore[no-untyped-def]
    return make_user("approver")


@pytest.fixture
def finance(make_user):  # type: ignore[no-untyped-def]
    return make_user("finance")


@pytest.fixture
def gestionnaire(make_user, org_a):  # type: ignore[no-untyped-def]
    return make_user("partner_admin", organisation=org_a)


@pytest.fixture
def draft(org_a) -> Convention:  # type: ignore[no-untyped-def]
    """A draft convention of org_a, 2024-2026, one domain at 120 000 € a year with one indicator."""
    convention = ConventionFactory.create(organisation=org_a)
    domain = ConventionDomainFactory.create(convention=convention, yearly_amount=Decimal("120000.00"))
    IndicatorFactory.create(domain=domain, yearly_target=Decimal("300"))
    return convention


@pytest.fixture
def signed(draft, approver, on_day) -> Convention:  # type: ignore[no-untyped-def]
    """The draft, signed by the approver on 15 December 2023."""
    on_day(date(2023, 12, 20))
    return services.sign_convention(approver, draft, signed_on=date(2023, 12, 15),
                                    signed_by_partner_on=date(2023, 12, 10))
