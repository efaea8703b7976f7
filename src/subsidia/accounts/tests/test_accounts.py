import io
import re
from collections.abc import Callable

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from pytest_django import Settings

from subsidia.accounts.models import ApiToken, User
from subsidia.accounts.services import issue_api_token, user_for_token
from subsidia.audit.models import AuditEvent
from subsidia.organisations.models import Organisation

pytestmark = pytest.mark.django_db


def current_code(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():06d}"


def test_login_with_email_is_case_insensitive(client: Client, make_user: Callable[..., User]) -> None:
    make_user(email="alice@example.lu")
    response = client.post(reverse("accounts:login"), {"username": "Alice@Example.LU",
                                                       "password": "correct-horse-battery-staple"})
    assert response.status_code == 302
    assert client.session.get("_auth_user_id")


def test_wrong_password_shows_a_french_error(client: Client, make_user: Callable[..., User]) -> None:
    make_user(email="alice@example.lu")
    response = client.post(reverse("accounts:login"), {"username": "alice@example.lu", "password": "nope"})
    assert response.status_code == 200
    assert "Adresse e-mail ou mot de passe incorrect." in response.content.decode()


def test_failed_logins_are_locked_out_after_the_limit(client: Client, make_user: Callable[..., User],
                                                      settings: Settings) -> None:
    make_user(email="alice@example.lu")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("accounts:login"), {"username": "alice@example.lu", "password": "wrong"})
    response = client.post(reverse("accounts:login"), {"username": "alice@example.lu",
                                                       "password": "correct-horse-battery-staple"})
    assert response.status_code == 429
    assert "Trop de tentatives" in response.content.decode()
    assert not client.session.get("_auth_user_id")


def test_staff_must_set_up_and_pass_totp(client: Client, make_user: Callable[..., User]) -> None:
    officer = make_user("officer", email="agent@example.lu")
    client.post(reverse("accounts:login"), {"username": "agent@example.lu",
                                            "password": "correct-horse-battery-staple"})
    response = client.get(reverse("core:staff_dashboard"))
    assert response["Location"] == reverse("accounts:two_factor_setup")
    page = client.get(reverse("accounts:two_factor_setup"))
    assert page.status_code == 200 and "data:image/svg+xml;base64," in page.content.decode()
    device = TOTPDevice.objects.get(user=officer, confirmed=False)
    client.post(reverse("accounts:two_factor_setup"), {"token": current_code(device)})
    assert TOTPDevice.objects.get(pk=device.pk).confirmed
    assert client.get(reverse("core:staff_dashboard")).status_code == 200
    assert AuditEvent.objects.filter(action="two_factor.enable", object_id=str(officer.pk)).exists()


def test_a_wrong_setup_code_confirms_nothing(client: Client, make_user: Callable[..., User],
                                             login: Callable[..., Client]) -> None:
    officer = make_user("officer")
    login(officer, second_factor=False)
    client.get(reverse("accounts:two_factor_setup"))
    device = TOTPDevice.objects.get(user=officer, confirmed=False)
    wrong = "000000" if current_code(device) != "000000" else "111111"
    response = client.post(reverse("accounts:two_factor_setup"), {"token": wrong})
    assert response.status_code == 200
    assert "Ce code ne correspond pas" in response.content.decode()
    assert not TOTPDevice.objects.get(pk=device.pk).confirmed
    assert client.get(reverse("core:staff_dashboard"))["Location"] == reverse("accounts:two_factor_setup")


def test_staff_with_a_device_is_asked_for_a_code_at_next_login(client: Client, make_user: Callable[..., User]) -> None:
    officer = make_user("officer", email="agent@example.lu")
    device = TOTPDevice.objects.create(user=officer, name="app", confirmed=True)
    client.post(reverse("accounts:login"), {"username": "agent@example.lu",
                                            "password": "correct-horse-battery-staple"})
    assert client.get(reverse("organisations:list"))["Location"] == reverse("accounts:two_factor_verify")
    client.post(reverse("accounts:two_factor_verify"), {"token": current_code(device)})
    assert client.get(reverse("organisations:list")).status_code == 200


def test_partners_do_not_need_a_second_factor(client: Client, make_user: Callable[..., User],
                                              org_a: Organisation) -> None:
    make_user("partner_admin", organisation=org_a, email="gestion@example.lu")
    client.post(reverse("accounts:login"), {"username": "gestion@example.lu",
                                            "password": "correct-horse-battery-staple"})
    assert client.get(reverse("core:partner_dashboard")).status_code == 200


def test_password_reset_sends_a_working_link(client: Client, make_user: Callable[..., User]) -> None:
    user = make_user(email="alice@example.lu")
    client.post(reverse("accounts:password_reset"), {"email": "alice@example.lu"})
    assert len(mail.outbox) == 1
    found = re.search(r"https?://[^/]+(/\S+)", str(mail.outbox[0].body))
    assert found is not None
    link = found.group(1)
    form_url = client.get(link, follow=True).redirect_chain[-1][0]
    client.post(form_url, {"new_password1": "un-nouveau-mot-de-passe-solide",
                           "new_password2": "un-nouveau-mot-de-passe-solide"})
    user.refresh_from_db()
    assert user.check_password("un-nouveau-mot-de-passe-solide")


def test_password_reset_does_not_reveal_unknown_addresses(client: Client) -> None:
    response = client.post(reverse("accounts:password_reset"), {"email": "nobody@example.lu"})
    assert response.status_code == 302
    assert mail.outbox == []


# --- create-user ---------------------------------------------------------------------------------

def run(*args: str, stdin: str | None = None) -> str:
    out = io.StringIO()
    if stdin is not None:
        import sys
        old = sys.stdin
        sys.stdin = io.StringIO(stdin)
        try:
            call_command(*args, stdout=out)
        finally:
            sys.stdin = old
    else:
        call_command(*args, stdout=out)
    return out.getvalue()


def test_create_user_with_staff_role_is_idempotent() -> None:
    run("create_user", "Agent@Example.lu", "--role", "officer")
    run("create_user", "agent@example.lu", "--role", "officer")
    user = User.objects.get(email="agent@example.lu")
    assert user.roles == {"officer"}
    assert not user.has_usable_password()
    assert AuditEvent.objects.filter(action="role.grant").count() == 1


def test_create_user_with_partner_role_and_password_from_stdin(org_a: Organisation) -> None:
    run("create_user", "gestion@example.lu", "--role", "partner_admin", "--organisation", str(org_a.pk),
        "--password-stdin", stdin="un-mot-de-passe-solide\n")
    user = User.objects.get(email="gestion@example.lu")
    assert user.memberships.get().organisation == org_a
    assert user.roles == {"partner_admin"}
    assert user.check_password("un-mot-de-passe-solide")


@pytest.mark.parametrize("args, message", [
    (["x@example.lu", "--role", "king"], "Unknown role"),
    (["x@example.lu", "--role", "partner_member"], "needs --organisation"),
    (["x@example.lu", "--role", "partner_member", "--organisation", "999999"], "No organisation"),
    (["not-an-email", "--role", "officer"], "Invalid e-mail"),
])
def test_create_user_refuses_bad_input(args: list[str], message: str) -> None:
    with pytest.raises(CommandError, match=message):
        run("create_user", *args)
    assert not User.objects.exists()


def test_create_user_refuses_a_weak_password() -> None:
    with pytest.raises(CommandError, match="Password refused"):
        run("create_user", "x@example.lu", "--role", "officer", "--password-stdin", stdin="1234\n")
    assert not User.objects.exists()


def test_issue_token_prints_a_token_that_authenticates(make_user: Callable[..., User]) -> None:
    user = make_user(email="agent@example.lu")
    token = run("issue_token", "agent@example.lu").strip()
    assert token.startswith("sbs_")
    assert user_for_token(token) == user
    stored = ApiToken.objects.get(user=user)
    assert token not in (stored.digest, stored.hint) and stored.digest == ApiToken.digest_of(token)


def test_issue_token_refuses_an_unknown_account() -> None:
    with pytest.raises(CommandError, match="No account"):
        run("issue_token", "ghost@example.lu")


def test_revoked_token_no_longer_authenticates(make_user: Callable[..., User]) -> None:
    from django.utils import timezone
    user = make_user()
    token = issue_api_token(None, user)
    ApiToken.objects.filter(user=user).update(revoked_at=timezone.now())
    assert user_for_token(token) is None
