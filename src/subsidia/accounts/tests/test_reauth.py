"""Re-authentication before binding acts, and the idle timeout of staff sessions."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import timedelta
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from pytest_django import Settings

from subsidia.accounts.models import RoleGrant, User
from subsidia.accounts.reauth import AUTHENTICATED_AT
from subsidia.accounts.services import issue_api_token
from subsidia.conftest import ClientResponse, sign_in
from subsidia.grants.models import Decision, State, Tranche
from subsidia.grants.tests.factories import ApplicationFactory
from subsidia.organisations.models import Membership, Organisation
from subsidia.organisations.tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery-staple"


def code_of(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():06d}"


def reauth_target(response: ClientResponse) -> str:
    """The ``next`` of a redirect to the re-authentication page (fails if it is not one)."""
    assert response.status_code == 302, response.status_code
    parts = urlsplit(response["Location"])
    assert parts.path == reverse("accounts:reauthenticate"), response["Location"]
    return parse_qs(parts.query)["next"][0]


@pytest.fixture
def clock() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        yield traveller


def later(clock: time_machine.Traveller, minutes: float) -> None:
    clock.shift(timedelta(minutes=minutes))


def approved_tranche(make_user: Callable[..., User]) -> Tranche:
    application = ApplicationFactory.create(state=State.APPROVED)
    Decision.objects.create(application=application, outcome="approved", granted_amount=Decimal(6000),
                            decided_by=make_user("approver"), confirmed_at=timezone.now())
    return Tranche.objects.create(application=application, position=1, due_on=timezone.localdate(),
                                  amount=Decimal(6000))


# --- every binding act asks for a recent proof of identity ---------------------------------------------

PROTECTED = [
    ("grants:decision_record", "approver", "GET", {"pk": 999999}),
    ("grants:decision_record", "approver", "POST", {"pk": 999999}),
    ("grants:decision_confirm", "approver", "POST", {"pk": 999999}),
    ("grants:decision_cancel", "approver", "POST", {"pk": 999999}),
    ("grants:payment_record", "finance", "POST", {"pk": 999999}),
    ("conventions:sign", "approver", "POST", {"pk": 999999}),
    ("conventions:amend", "approver", "POST", {"pk": 999999}),
    ("conventions:terminate", "approver", "POST", {"pk": 999999}),
    ("conventions:delete", "officer", "POST", {"pk": 999999}),
    ("conventions:payment_record", "finance", "POST", {"pk": 999999}),
    ("organisations:member_invite", "officer", "POST", {"pk": 999999}),
    ("organisations:member_remove", "officer", "POST", {"pk": 999999, "membership_pk": 1}),
]


@pytest.mark.parametrize("name, role, method, kwargs", PROTECTED, ids=[f"{p[2]} {p[0]}" for p in PROTECTED])
def test_a_stale_session_is_sent_to_confirm_its_identity(client: Client, make_user: Callable[..., User],
                                                         clock: time_machine.Traveller, settings: Settings, name: str,
                                                         role: str, method: str, kwargs: dict[str, int]) -> None:
    sign_in(client, make_user(role))
    later(clock, settings.REAUTH_MAX_AGE_MINUTES + 1)
    url = reverse(name, kwargs=kwargs)
    response = client.get(url) if method == "GET" else client.post(url, {})
    back = reauth_target(response)
    assert back.startswith("/") and "//" not in back


def test_a_fresh_session_is_not_asked(client: Client, make_user: Callable[..., User], clock: time_machine.Traveller,
                                      settings: Settings) -> None:
    sign_in(client, make_user("approver"))
    later(clock, settings.REAUTH_MAX_AGE_MINUTES - 1)
    # The view itself answers (here: no such application).
    assert client.get(reverse("grants:decision_record", kwargs={"pk": 999999})).status_code == 404


def test_staff_confirm_with_their_code_then_the_payment_goes_through(client: Client, make_user: Callable[..., User],
                                                                     clock: time_machine.Traveller,
                                                                     settings: Settings) -> None:
    finance = make_user("finance")
    tranche = approved_tranche(make_user)
    sign_in(client, finance)
    device = TOTPDevice.objects.get(user=finance)
    later(clock, settings.REAUTH_MAX_AGE_MINUTES + 1)
    url = reverse("grants:payment_record", kwargs={"pk": tranche.pk})
    data = {"paid_on": timezone.localdate().isoformat(), "reference": "VIR-1"}
    back = reauth_target(client.post(url, data, HTTP_REFERER="http://testserver/subsides/gestion/paiements/?page=1"))
    assert back == "/subsides/gestion/paiements/?page=1"
    tranche.refresh_from_db()
    assert tranche.paid_on is None  # nothing was recorded
    page = client.get(reverse("accounts:reauthenticate"), {"next": back})
    assert page.status_code == 200 and 'name="token"' in page.content.decode()
    # A password is not enough for staff: the second factor is asked.
    assert 'name="password"' not in page.content.decode()
    done = client.post(reverse("accounts:reauthenticate") + "?next=" + back, {"token": code_of(device)})
    assert done.status_code == 302 and done["Location"] == back
    assert client.post(url, data).status_code == 302
    tranche.refresh_from_db()
    assert tranche.paid_on == timezone.localdate()


def test_a_wrong_code_does_not_confirm(client: Client, make_user: Callable[..., User], clock: time_machine.Traveller,
                                       settings: Settings) -> None:
    finance = make_user("finance")
    sign_in(client, finance)
    device = TOTPDevice.objects.get(user=finance)
    later(clock, settings.REAUTH_MAX_AGE_MINUTES + 1)
    wrong = "000000" if code_of(device) != "000000" else "111111"
    response = client.post(reverse("accounts:reauthenticate"), {"token": wrong})
    assert response.status_code == 200 and "Code incorrect" in response.content.decode()
    assert reauth_target(client.post(reverse("grants:payment_record", kwargs={"pk": 1}), {}))


def test_partners_confirm_with_their_password_then_remove_a_member(client: Client, make_user: Callable[..., User],
                                                                   org_a: Organisation, clock: time_machine.Traveller,
                                                                   settings: Settings) -> None:
    admin = make_user("partner_admin", organisation=org_a)
    member = MembershipFactory.create(organisation=org_a, role="partner_member")
    sign_in(client, admin)
    later(clock, settings.REAUTH_MAX_AGE_MINUTES + 1)
    url = reverse("organisations:member_remove", kwargs={"pk": org_a.pk, "membership_pk": member.pk})
    back = reauth_target(client.post(url))
    assert back == reverse("organisations:detail", kwargs={"pk": org_a.pk})
    assert Membership.objects.filter(pk=member.pk).exists()
    page = client.get(reverse("accounts:reauthenticate"), {"next": back})
    assert 'name="password"' in page.content.decode()
    wrong = client.post(reverse("accounts:reauthenticate"), {"password": "not-it", "next": back})
    assert wrong.status_code == 200 and "Mot de passe incorrect" in wrong.content.decode()
    done = client.post(reverse("accounts:reauthenticate"), {"password": PASSWORD, "next": back})
    assert done["Location"] == back
    assert client.post(url).status_code == 302
    assert not Membership.objects.filter(pk=member.pk).exists()


def test_the_confirmation_lasts_the_configured_time(client: Client, make_user: Callable[..., User], org_a: Organisation,
                                                    clock: time_machine.Traveller, settings: Settings) -> None:
    settings.REAUTH_MAX_AGE_MINUTES = 3
    sign_in(client, make_user("partner_admin", organisation=org_a))
    later(clock, 4)
    assert reauth_target(client.post(reverse("organisations:member_invite", kwargs={"pk": org_a.pk}), {}))
    client.post(reverse("accounts:reauthenticate"), {"password": PASSWORD})
    later(clock, 2)
    assert client.post(reverse("organisations:member_invite", kwargs={"pk": org_a.pk}),
                       {"email": "not-an-address"}).status_code == 422


def test_wrong_passwords_on_the_confirmation_page_lock_the_account(client: Client, make_user: Callable[..., User],
                                                                   org_a: Organisation, clock: time_machine.Traveller,
                                                                   settings: Settings) -> None:
    sign_in(client, make_user("partner_admin", organisation=org_a, email="gestion@example.lu"))
    later(clock, settings.REAUTH_MAX_AGE_MINUTES + 1)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = client.post(reverse("accounts:reauthenticate"), {"password": "not-it"})
    assert response.status_code == 429
    assert not client.session.get("_auth_user_id")


def test_the_next_address_must_be_of_this_site(client: Client, make_user: Callable[..., User],
                                               org_a: Organisation) -> None:
    sign_in(client, make_user("partner_admin", organisation=org_a))
    done = client.post(reverse("accounts:reauthenticate"), {"password": PASSWORD, "next": "https://evil.example/"})
    assert done["Location"] == reverse("core:dashboard")


# --- the time of the last authentication is kept in the session ----------------------------------------

def test_sign_in_and_second_factor_record_the_time_of_authentication(client: Client, make_user: Callable[..., User],
                                                                     clock: time_machine.Traveller) -> None:
    officer = make_user("officer", email="agent@example.lu")
    device = TOTPDevice.objects.create(user=officer, name="app", confirmed=True)
    client.post(reverse("accounts:login"), {"username": "agent@example.lu", "password": PASSWORD})
    at_login = client.session[AUTHENTICATED_AT]
    assert at_login == pytest.approx(timezone.now().timestamp())
    later(clock, 2)
    client.post(reverse("accounts:two_factor_verify"), {"token": code_of(device)})
    assert client.session[AUTHENTICATED_AT] == pytest.approx(at_login + 120)


# --- the API -----------------------------------------------------------------------------------------------

def test_a_stale_browser_session_gets_401_from_the_api(client: Client, make_user: Callable[..., User],
                                                       clock: time_machine.Traveller, settings: Settings) -> None:
    finance = make_user("finance")
    tranche = approved_tranche(make_user)
    sign_in(client, finance)
    later(clock, settings.REAUTH_MAX_AGE_MINUTES + 1)
    client.get(reverse("core:staff_dashboard"))  # a CSRF cookie
    url = f"/api/v1/tranches/{tranche.pk}/pay"
    body = json.dumps({"reference": "VIR-9"})
    response = client.post(url, body, content_type="application/json",
                           headers={"X-CSRFToken": client.cookies["csrftoken"].value})
    assert response.status_code == 401
    assert response.json()["errors"][0]["code"] == "reauthentication_required"
    tranche.refresh_from_db()
    assert tranche.paid_on is None
    client.post(reverse("accounts:reauthenticate"), {"token": code_of(TOTPDevice.objects.get(user=finance))})
    again = client.post(url, body, content_type="application/json",
                        headers={"X-CSRFToken": client.cookies["csrftoken"].value})
    assert again.status_code == 200, again.content
    tranche.refresh_from_db()
    assert tranche.paid_on is not None


@pytest.mark.parametrize("path", ["/applications/999999/decision", "/applications/999999/decision/confirm",
                                  "/conventions/999999/payments/999999/pay"])
def test_other_binding_api_operations_need_it_too(client: Client, make_user: Callable[..., User],
                                                  clock: time_machine.Traveller, settings: Settings,
                                                  path: str) -> None:
    role = "finance" if path.endswith("/pay") else "approver"
    sign_in(client, make_user(role))
    later(clock, settings.REAUTH_MAX_AGE_MINUTES + 1)
    client.get(reverse("core:staff_dashboard"))
    body = {"outcome": "rejected"} if path.endswith("/decision") else {}
    response = client.post("/api/v1" + path, json.dumps(body), content_type="application/json",
                           headers={"X-CSRFToken": client.cookies["csrftoken"].value})
    assert response.status_code == 401
    assert response.json()["errors"][0]["code"] == "reauthentication_required"


def test_api_token_callers_are_exempt(make_user: Callable[..., User], clock: time_machine.Traveller,
                                      settings: Settings) -> None:
    finance = make_user("finance")
    tranche = approved_tranche(make_user)
    token = issue_api_token(None, finance)
    later(clock, settings.REAUTH_MAX_AGE_MINUTES + 60)
    response = Client().post(f"/api/v1/tranches/{tranche.pk}/pay", json.dumps({"reference": "VIR-3"}),
                             content_type="application/json", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.content


# --- the technical administration ---------------------------------------------------------------------------

def test_role_changes_in_the_admin_need_it(client: Client, make_user: Callable[..., User],
                                           clock: time_machine.Traveller, settings: Settings) -> None:
    admin = make_user("admin")
    target = make_user(email="someone@example.lu")
    sign_in(client, admin)
    later(clock, settings.REAUTH_MAX_AGE_MINUTES + 1)
    url = reverse("admin:accounts_user_change", args=[target.pk])
    assert client.get(url).status_code == 200  # reading needs nothing more
    response = client.post(url, {"email": target.email, "is_superuser": "on"})
    assert reauth_target(response) == url
    delete = reverse("admin:accounts_user_delete", args=[target.pk])
    assert reauth_target(client.post(delete, {"post": "yes"})) == delete
    assert User.objects.filter(pk=target.pk, is_superuser=False).exists()
    assert not RoleGrant.objects.filter(user=target).exists()


# --- staff idle timeout ---------------------------------------------------------------------------------

def test_an_idle_staff_session_ends(client: Client, make_user: Callable[..., User], clock: time_machine.Traveller,
                                    settings: Settings) -> None:
    sign_in(client, make_user("officer"))
    assert client.get(reverse("core:staff_dashboard")).status_code == 200
    later(clock, settings.STAFF_IDLE_TIMEOUT_MINUTES + 1)
    response = client.get(reverse("core:staff_dashboard"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))
    assert not client.session.get("_auth_user_id")


def test_an_active_staff_session_lasts(client: Client, make_user: Callable[..., User], clock: time_machine.Traveller,
                                       settings: Settings) -> None:
    sign_in(client, make_user("officer"))
    for _ in range(4):  # two hours, a request every 25 minutes
        later(clock, settings.STAFF_IDLE_TIMEOUT_MINUTES - 5)
        assert client.get(reverse("core:staff_dashboard")).status_code == 200


def test_the_idle_timeout_is_configurable(client: Client, make_user: Callable[..., User], clock: time_machine.Traveller,
                                          settings: Settings) -> None:
    settings.STAFF_IDLE_TIMEOUT_MINUTES = 5
    sign_in(client, make_user("officer"))
    later(clock, 6)
    assert client.get(reverse("core:staff_dashboard")).status_code == 302


def test_partners_keep_the_longer_session(client: Client, make_user: Callable[..., User], org_a: Organisation,
                                          clock: time_machine.Traveller, settings: Settings) -> None:
    sign_in(client, make_user("partner_admin", organisation=org_a))
    later(clock, settings.STAFF_IDLE_TIMEOUT_MINUTES * 4)
    assert client.get(reverse("core:partner_dashboard")).status_code == 200


def test_an_idle_staff_session_gets_401_from_the_api(client: Client, make_user: Callable[..., User],
                                                     clock: time_machine.Traveller, settings: Settings) -> None:
    sign_in(client, make_user("officer"))
    later(clock, settings.STAFF_IDLE_TIMEOUT_MINUTES + 1)
    assert client.get("/api/v1/applications").status_code == 401
