"""subsidia bench-session: a signed-in session opened on the server for the benchmark, only with SUBSIDIA_BENCH=1."""

from __future__ import annotations

from io import StringIO

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command
from django.test import Client, override_settings

from subsidia.accounts.tests.factories import TOTPDeviceFactory
from subsidia.conftest import create_user
from subsidia.organisations.models import Organisation

pytestmark = pytest.mark.django_db
BENCH = {"SUBSIDIA_BENCH": True, "ALLOWED_HOSTS": ["127.0.0.1"]}


def sessions_of(*emails: str) -> list[str]:
    out = StringIO()
    call_command("bench_session", *emails, stdout=out)
    return out.getvalue().split()


def session_of(email: str) -> str:
    [key] = sessions_of(email)
    return key


def client_with(key: str) -> Client:
    client = Client(headers={"host": "127.0.0.1"})
    client.cookies[settings.SESSION_COOKIE_NAME] = key
    return client


def test_refused_when_the_benchmark_instrumentation_is_off() -> None:
    officer = create_user("officer")
    with pytest.raises(CommandError, match="SUBSIDIA_BENCH=1"):
        session_of(officer.email)


def test_refused_on_a_server_that_answers_other_names() -> None:
    officer = create_user("officer")
    with override_settings(SUBSIDIA_BENCH=True, ALLOWED_HOSTS=["subsidia.example.lu"]), \
            pytest.raises(ImproperlyConfigured):
        session_of(officer.email)


@override_settings(**BENCH)
def test_a_staff_session_has_passed_the_second_factor() -> None:
    officer = create_user("officer")
    TOTPDeviceFactory.create(user=officer)
    client = client_with(session_of(officer.email))
    response = client.get("/tableau-de-bord/ministere/")
    assert response.status_code == 200
    assert response.context["user"] == officer


@override_settings(**BENCH)
def test_a_staff_account_without_a_second_factor_gets_no_session() -> None:
    officer = create_user("officer")
    with pytest.raises(CommandError, match="second factor"):
        session_of(officer.email)


@override_settings(**BENCH)
def test_a_partner_session(org_a: Organisation) -> None:
    partner = create_user("partner_admin", organisation=org_a)
    response = client_with(session_of(partner.email)).get("/tableau-de-bord/partenaire/")
    assert response.status_code == 200
    assert response.context["user"] == partner


@override_settings(**BENCH)
def test_one_session_per_account_in_order(org_a: Organisation) -> None:
    partner = create_user("partner_admin", organisation=org_a)
    officer = create_user("officer")
    TOTPDeviceFactory.create(user=officer)
    first, second = sessions_of(partner.email, officer.email)
    assert client_with(first).get("/tableau-de-bord/partenaire/").context["user"] == partner
    assert client_with(second).get("/tableau-de-bord/ministere/").context["user"] == officer


@override_settings(**BENCH)
def test_an_unknown_account() -> None:
    with pytest.raises(CommandError, match="No active account"):
        session_of("nobody@example.invalid")
