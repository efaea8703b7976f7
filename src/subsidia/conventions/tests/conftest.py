from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

import pytest

from subsidia.accounts.models import User
from subsidia.conventions.inputs import SignInput
from subsidia.conventions.models import Convention
from subsidia.conventions.services.acts import sign_convention
from subsidia.organisations.models import Organisation

from .factories import ConventionDomainFactory, ConventionFactory, IndicatorFactory


@pytest.fixture
def officer(make_user: Callable[..., User]) -> User:
    return make_user("officer")


@pytest.fixture
def approver(make_user: Callable[..., User]) -> User:
    return make_user("approver")


@pytest.fixture
def finance(make_user: Callable[..., User]) -> User:
    return make_user("finance")


@pytest.fixture
def gestionnaire(make_user: Callable[..., User], org_a: Organisation) -> User:
    return make_user("partner_admin", organisation=org_a)


@pytest.fixture
def draft(org_a: Organisation) -> Convention:
    """A draft convention of org_a, 2024-2026, one domain at 120 000 € a year with one indicator."""
    convention = ConventionFactory.create(organisation=org_a)
    domain = ConventionDomainFactory.create(convention=convention, yearly_amount=Decimal("120000.00"))
    IndicatorFactory.create(domain=domain, yearly_target=Decimal("300"))
    return convention


@pytest.fixture
def signed(draft: Convention, approver: User, on_day: Callable[[date], None]) -> Convention:
    """The draft, signed by the approver on 15 December 2023."""
    on_day(date(2023, 12, 20))
    return sign_convention(approver, draft,
                           SignInput(signed_on=date(2023, 12, 15), signed_by_partner_on=date(2023, 12, 10)))
