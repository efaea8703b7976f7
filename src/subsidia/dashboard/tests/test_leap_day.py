"""29 February: the staff dashboard's "not verified for a year" list once took the same day a year earlier with
``date.replace``, which does not exist in 2027, and answered 500 every leap day (found by ``make test-clock``)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from subsidia.accounts.models import User
from subsidia.organisations.tests.factories import OrganisationFactory


@pytest.mark.django_db
@pytest.mark.parametrize("moment", ["2028-02-29T08:00+01:00", "2028-02-29T23:59+01:00", "2028-03-01T00:30+01:00"])
def test_the_staff_dashboard_answers_on_a_leap_day(moment: str, login: Callable[..., Client],
                                                   make_user: Callable[..., User]) -> None:
    with time_machine.travel(moment, tick=False):
        stale = OrganisationFactory.create(name="Vérifiée il y a longtemps", listed_in_directory=True,
                                           last_verified_on=date(2027, 2, 28) - timedelta(days=1))
        OrganisationFactory.create(name="Vérifiée récemment", listed_in_directory=True,
                                   last_verified_on=date(2028, 2, 1))
        response = login(make_user("officer")).get(reverse("core:staff_dashboard"))
        assert response.status_code == 200
        assert stale.name in response.content.decode()
