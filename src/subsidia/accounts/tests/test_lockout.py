"""Brute force: failed sign-ins, second-factor codes and password-reset requests are limited per account
(whatever the spelling of its e-mail address) and per client address."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest
import time_machine
from axes.models import AccessAttempt
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from pytest_django import Settings

from subsidia.accounts.models import User
from subsidia.conftest import ClientResponse

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery-staple"


@pytest.fixture(autouse=True)
def _empty_cache() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


def code_of(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():06d}"


def wrong_code(device: TOTPDevice) -> str:
    return "000000" if code_of(device) != "000000" else "111111"


def attempt(client: Client, username: str, password: str, address: str = "127.0.0.1") -> ClientResponse:
    return client.post(reverse("accounts:login"), {"username": username, "password": password},
                       REMOTE_ADDR=address)


def signed_in(client: Client) -> bool:
    return bool(client.session.get("_auth_user_id"))


# --- the identifier is normalised before authentication and before the lockout counts it ----------------

@pytest.mark.parametrize("variant", ["BRUTE@example.org", "Brute@Example.org", " brute@example.org ",
                                     "\tbrute@example.org"])
def test_a_locked_account_stays_locked_whatever_the_spelling(client: Client, make_user: Callable[..., User],
                                                             settings: Settings, variant: str) -> None:
    make_user(email="brute@example.org")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, "brute@example.org", "wrong")
    response = attempt(client, variant, PASSWORD)
    assert response.status_code == 429
    assert not signed_in(client)


def test_failures_spread_over_spellings_lock_the_account(client: Client, make_user: Callable[..., User],
                                                         settings: Settings) -> None:
    make_user(email="brute@example.org")
    variants = ["brute@example.org", "BRUTE@example.org", "Brute@Example.org", " brute@example.org",
                "brute@EXAMPLE.ORG ", "bRuTe@example.org"]
    for n in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, variants[n % len(variants)], "wrong")
    response = attempt(client, "brute@example.org", PASSWORD)
    assert response.status_code == 429
    assert not signed_in(client)


def test_the_stored_address_is_normalised_and_found_whatever_the_spelling(make_user: Callable[..., User]) -> None:
    user = User.objects.create_user(email="  Mixed.Case@Example.LU ", password=PASSWORD)
    assert user.email == "mixed.case@example.lu"
    assert User.objects.get_by_natural_key(" MIXED.case@example.lu\t") == user


def test_a_right_password_after_a_few_failures_still_signs_in(client: Client, make_user: Callable[..., User],
                                                              settings: Settings) -> None:
    make_user(email="alice@example.lu")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        attempt(client, "Alice@example.lu", "wrong")
    assert attempt(client, " ALICE@example.lu", PASSWORD).status_code == 302
    assert signed_in(client)


# --- per account from many addresses, per address over many accounts -----------------------------------

def test_failures_on_one_account_from_many_addresses_lock_the_account(client: Client, make_user: Callable[..., User],
                                                                      settings: Settings) -> None:
    make_user(email="target@example.lu")
    for n in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, "target@example.lu", "wrong", address=f"198.51.100.{n + 1}")
    # From an address that never failed, the right password is refused too.
    response = attempt(client, "target@example.lu", PASSWORD, address="203.0.113.7")
    assert response.status_code == 429
    assert not signed_in(client)


def test_failures_over_many_accounts_from_one_address_lock_the_address(client: Client, make_user: Callable[..., User],
                                                                       settings: Settings) -> None:
    make_user(email="victim@example.lu")
    for n in range(settings.AXES_ADDRESS_FAILURE_LIMIT):
        attempt(client, f"guess{n}@example.lu", "wrong", address="198.51.100.66")
    # Each account saw one failure only, yet the address is locked, for every account.
    response = attempt(client, "victim@example.lu", PASSWORD, address="198.51.100.66")
    assert response.status_code == 429
    assert not signed_in(client)
    # Another address is not affected.
    assert attempt(client, "victim@example.lu", PASSWORD, address="203.0.113.7").status_code == 302


def test_fewer_failures_than_the_address_limit_do_not_lock_the_address(client: Client, make_user: Callable[..., User],
                                                                       settings: Settings) -> None:
    assert settings.AXES_ADDRESS_FAILURE_LIMIT > settings.AXES_FAILURE_LIMIT
    make_user(email="colleague@example.lu")
    for n in range(settings.AXES_ADDRESS_FAILURE_LIMIT - 1):
        attempt(client, f"typo{n}@example.lu", "wrong", address="198.51.100.80")
    assert attempt(client, "colleague@example.lu", PASSWORD, address="198.51.100.80").status_code == 302


def test_signing_in_to_ones_own_account_does_not_clear_the_address_count(client: Client, make_user: Callable[..., User],
                                                                         settings: Settings) -> None:
    """An attacker with an account of their own cannot reset the count of their address by signing in."""
    make_user(email="attacker@example.lu")
    make_user(email="victim@example.lu")
    for n in range(settings.AXES_ADDRESS_FAILURE_LIMIT - 1):
        attempt(client, f"guess{n}@example.lu", "wrong", address="198.51.100.90")
    assert attempt(client, "attacker@example.lu", PASSWORD, address="198.51.100.90").status_code == 302
    client.post(reverse("accounts:logout"))
    attempt(client, "guess-last@example.lu", "wrong", address="198.51.100.90")
    assert attempt(client, "victim@example.lu", PASSWORD, address="198.51.100.90").status_code == 429


def test_the_lockout_ends_after_the_cool_off(client: Client, make_user: Callable[..., User],
                                             settings: Settings) -> None:
    make_user(email="alice@example.lu")
    start = timezone.now()
    with time_machine.travel(start, tick=False) as traveller:
        for _ in range(settings.AXES_FAILURE_LIMIT):
            attempt(client, "alice@example.lu", "wrong")
        assert attempt(client, "alice@example.lu", PASSWORD).status_code == 429
        traveller.move_to(start + settings.AXES_COOLOFF_TIME + timedelta(seconds=1))
        assert attempt(client, "ALICE@example.lu", PASSWORD).status_code == 302


# --- the second factor ----------------------------------------------------------------------------------

def password_step(client: Client, email: str) -> None:
    response = attempt(client, email, PASSWORD)
    assert response.status_code == 302 and signed_in(client)


def test_wrong_second_factor_codes_lock_the_account(client: Client, make_user: Callable[..., User],
                                                    settings: Settings) -> None:
    officer = make_user("officer", email="agent@example.lu")
    device = TOTPDevice.objects.create(user=officer, name="app", confirmed=True)
    start = timezone.now()
    with time_machine.travel(start, tick=False) as traveller:
        password_step(client, "agent@example.lu")
        for n in range(settings.AXES_FAILURE_LIMIT):
            # Past django-otp's own growing delay, so that each code is really checked.
            traveller.move_to(start + timedelta(minutes=n))
            response = client.post(reverse("accounts:two_factor_verify"), {"token": wrong_code(device)})
        assert response.status_code == 429
        # The half-open session is closed, and the account is locked for the password step too.
        assert not signed_in(client)
        traveller.move_to(start + timedelta(minutes=settings.AXES_FAILURE_LIMIT + 1))
        assert attempt(client, "agent@example.lu", PASSWORD).status_code == 429


def test_django_otp_throttling_refuses_even_the_right_code_just_after_a_wrong_one(
        client: Client, make_user: Callable[..., User]) -> None:
    officer = make_user("officer", email="agent@example.lu")
    device = TOTPDevice.objects.create(user=officer, name="app", confirmed=True)
    start = timezone.now()
    with time_machine.travel(start, tick=False) as traveller:
        password_step(client, "agent@example.lu")
        client.post(reverse("accounts:two_factor_verify"), {"token": wrong_code(device)})
        traveller.move_to(start + timedelta(seconds=2))  # past the first delay (one second)
        client.post(reverse("accounts:two_factor_verify"), {"token": wrong_code(device)})
        device.refresh_from_db()
        assert device.throttling_failure_count == 2
        response = client.post(reverse("accounts:two_factor_verify"), {"token": code_of(device)})
        assert response.status_code == 200
        assert "Trop de codes erronés" in response.content.decode()
        assert client.get(reverse("organisations:list"))["Location"] == reverse("accounts:two_factor_verify")
        traveller.move_to(start + timedelta(seconds=10))
        client.post(reverse("accounts:two_factor_verify"), {"token": code_of(device)})
        assert client.get(reverse("organisations:list")).status_code == 200


def test_a_right_code_clears_the_accounts_failures(client: Client, make_user: Callable[..., User],
                                                   settings: Settings) -> None:
    officer = make_user("officer", email="agent@example.lu")
    device = TOTPDevice.objects.create(user=officer, name="app", confirmed=True)
    start = timezone.now()
    with time_machine.travel(start, tick=False) as traveller:
        password_step(client, "agent@example.lu")
        client.post(reverse("accounts:two_factor_verify"), {"token": wrong_code(device)})
        traveller.move_to(start + timedelta(minutes=1))
        assert AccessAttempt.objects.filter(username="agent@example.lu").exists()
        client.post(reverse("accounts:two_factor_verify"), {"token": code_of(device)})
        assert client.get(reverse("organisations:list")).status_code == 200
        assert not AccessAttempt.objects.filter(username="agent@example.lu").exists()


# --- password reset ---------------------------------------------------------------------------------------

def ask_reset(client: Client, email: str, address: str = "127.0.0.1") -> ClientResponse:
    return client.post(reverse("accounts:password_reset"), {"email": email}, REMOTE_ADDR=address)


def test_password_reset_requests_are_throttled_per_target_address(client: Client, make_user: Callable[..., User],
                                                                  settings: Settings) -> None:
    make_user(email="alice@example.lu")
    answers = [ask_reset(client, variant, address=f"198.51.100.{n + 1}")
               for n, variant in enumerate(["alice@example.lu", "ALICE@example.lu", " Alice@Example.lu "] * 3)]
    # Every request gets the same answer, so that nothing tells whether mail was sent.
    assert {a.status_code for a in answers} == {302}
    assert {a["Location"] for a in answers} == {reverse("accounts:password_reset_done")}
    assert len(mail.outbox) == settings.PASSWORD_RESET_PER_EMAIL


def test_password_reset_requests_are_throttled_per_client_address(client: Client, make_user: Callable[..., User],
                                                                  settings: Settings) -> None:
    for n in range(settings.PASSWORD_RESET_PER_ADDRESS + 2):
        make_user(email=f"person{n}@example.lu")
    statuses = [ask_reset(client, f"person{n}@example.lu", address="198.51.100.9").status_code
                for n in range(settings.PASSWORD_RESET_PER_ADDRESS + 2)]
    assert statuses[:settings.PASSWORD_RESET_PER_ADDRESS] == [302] * settings.PASSWORD_RESET_PER_ADDRESS
    assert statuses[settings.PASSWORD_RESET_PER_ADDRESS:] == [429, 429]
    assert len(mail.outbox) == settings.PASSWORD_RESET_PER_ADDRESS
    # Another address may still ask.
    assert ask_reset(client, "person0@example.lu", address="203.0.113.5").status_code == 302


def test_password_reset_throttling_does_not_reveal_which_accounts_exist(client: Client, make_user: Callable[..., User],
                                                                        settings: Settings) -> None:
    make_user(email="alice@example.lu")
    for _ in range(settings.PASSWORD_RESET_PER_EMAIL + 1):
        known = ask_reset(client, "alice@example.lu", address="198.51.100.20")
    for _ in range(settings.PASSWORD_RESET_PER_EMAIL + 1):
        unknown = ask_reset(client, "nobody@example.lu", address="198.51.100.21")
    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])


def test_password_reset_throttle_window_ends(client: Client, make_user: Callable[..., User],
                                             settings: Settings) -> None:
    make_user(email="alice@example.lu")
    start = timezone.now()
    with time_machine.travel(start, tick=False) as traveller:
        for _ in range(settings.PASSWORD_RESET_PER_EMAIL + 1):
            ask_reset(client, "alice@example.lu")
        assert len(mail.outbox) == settings.PASSWORD_RESET_PER_EMAIL
        traveller.move_to(start + timedelta(hours=1, minutes=1))
        ask_reset(client, "alice@example.lu")
        assert len(mail.outbox) == settings.PASSWORD_RESET_PER_EMAIL + 1
