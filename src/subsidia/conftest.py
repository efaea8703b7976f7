"""Fixtures shared by every app's tests: people in each role, and clients signed in as them.

``SUBSIDIA_TEST_NOW`` (an ISO date-time, local time of ``TIME_ZONE`` unless it carries an offset) starts the
whole run with the clock at that moment, still ticking: ``make test-clock`` runs the suite on the eve of a
clock change, of a year end and on a leap day, so that no test passes only because of the day CI runs on.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import date, datetime, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache
from django.test import Client
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from pytest_django import Settings

from subsidia.accounts.models import User
from subsidia.accounts.reauth import AUTHENTICATED_AT, LAST_SEEN
from subsidia.accounts.roles import PARTNER_ROLES
from subsidia.accounts.tests.factories import RoleGrantFactory, TOTPDeviceFactory, UserFactory
from subsidia.organisations.models import Organisation
from subsidia.organisations.tests.factories import MembershipFactory, OrganisationFactory

if TYPE_CHECKING:
    # What the test client answers, as django-stubs types it (content, json(), context, wsgi_request...); the
    # class exists only in the stubs, so at run time the name stands for the plain HttpResponse.
    from django.test.client import _MonkeyPatchedWSGIResponse as ClientResponse
else:
    from django.http import HttpResponse

    ClientResponse = HttpResponse


def pytest_configure(config: pytest.Config) -> None:
    when = os.environ.get("SUBSIDIA_TEST_NOW")
    if not when:
        return
    moment = datetime.fromisoformat(when)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(os.environ.get("TIME_ZONE", "Europe/Luxembourg")))
    traveller = time_machine.travel(moment, tick=True)
    traveller.start()
    config.add_cleanup(traveller.stop)


def pytest_report_header(config: pytest.Config) -> str | None:
    when = os.environ.get("SUBSIDIA_TEST_NOW")
    return f"clock moved to {when} (SUBSIDIA_TEST_NOW)" if when else None


@pytest.fixture(autouse=True)
def _test_settings(settings: Settings, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    # Password hashing is deliberately slow; tests need it fast, not strong.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Each test starts with empty in-memory caches (rate-limit counters in the database cache roll back with it).
    for cache in caches.all():
        if isinstance(cache, LocMemCache):
            cache.clear()


@pytest.fixture
def on_day(monkeypatch: pytest.MonkeyPatch) -> Callable[[date], None]:
    """on_day(d) makes "today" (``timezone.localdate()``) be ``d`` for the code under test: services,
    selectors, derived statuses and the API. The clock (``timezone.now()``) keeps running."""
    original = timezone.localdate

    def set_day(day: date) -> None:
        def fake(value: datetime | None = None, timezone: tzinfo | None = None) -> date:
            return day if value is None else original(value, timezone)

        monkeypatch.setattr("django.utils.timezone.localdate", fake)

    return set_day


@pytest.fixture
def org_a(db: None) -> Organisation:
    return OrganisationFactory.create(name="Association A", acronym="AA")


@pytest.fixture
def org_b(db: None) -> Organisation:
    return OrganisationFactory.create(name="Association B", acronym="AB")


def create_user(role: str | None = None, organisation: Organisation | None = None, **kwargs: object) -> User:
    """A user with a staff role, a partner role in ``organisation``, or no role."""
    user = UserFactory.create(**kwargs)
    if role in PARTNER_ROLES:
        assert organisation is not None, "a partner role needs an organisation"
        MembershipFactory.create(user=user, organisation=organisation, role=role)
    elif role:
        RoleGrantFactory.create(user=user, role=role)
        if role == "admin":
            user.is_staff = user.is_superuser = True
            user.save()
    return User.objects.get(pk=user.pk)


@pytest.fixture
def make_user(db: None) -> Callable[..., User]:
    """make_user("officer"), make_user("partner_admin", organisation=org), make_user() for no role."""
    return create_user


def sign_in(client: Client, user: User, *, second_factor: bool = True) -> Client:
    """Sign ``user`` in; staff also pass the second factor unless told otherwise. The session has just proved
    its identity (``subsidia.accounts.reauth``): acts that need a recent re-authentication are allowed."""
    client.force_login(user)
    session = client.session
    if second_factor and user.requires_two_factor:
        device = TOTPDeviceFactory.create(user=user)
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session[AUTHENTICATED_AT] = session[LAST_SEEN] = timezone.now().timestamp()
    session.save()
    return client


@pytest.fixture
def login(client: Client) -> Callable[..., Client]:
    def do(user: User, **kwargs: bool) -> Client:
        return sign_in(client, user, **kwargs)

    return do
