"""The credential pages: a person lists and revokes their own API tokens; an administrator resets a lost
second factor and takes a staff role away. Each act is a POST, asks for a recent proof of identity, is
refused to anyone else and leaves an audit record."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from pytest_django import Settings

from subsidia.accounts import services
from subsidia.accounts.models import ApiToken, RoleGrant, User
from subsidia.audit.models import AuditEvent
from subsidia.conftest import ClientResponse, sign_in
from subsidia.core.errors import PermissionDenied

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery-staple"


def texts(response: ClientResponse) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def issued(user: User, name: str = "") -> tuple[str, ApiToken]:
    raw = services.issue_api_token(None, user, name=name)
    return raw, ApiToken.objects.get(digest=ApiToken.digest_of(raw))


def api_status(raw: str) -> int:
    return Client().get("/api/v1/organisations", headers={"Authorization": f"Bearer {raw}"}).status_code


@pytest.fixture
def clock() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        yield traveller


def reauth_asked(response: ClientResponse) -> bool:
    return response.status_code == 302 and response["Location"].startswith(reverse("accounts:reauthenticate"))


# --- one's own API tokens -------------------------------------------------------------------------------

def test_the_token_list_shows_ones_own_tokens_and_never_their_secret(make_user: Callable[..., User]) -> None:
    user, other = make_user(), make_user()
    raw, token = issued(user, "Script de synchronisation")
    used_raw, used = issued(user, "Tableur")
    assert services.user_for_token(used_raw) == user  # records the time of use
    _other_raw, theirs = issued(other, "Jeton d'un autre")
    response = sign_in(Client(), user).get(reverse("accounts:api_tokens"))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Script de synchronisation" in content and "Tableur" in content
    assert f"{token.hint}…" in content
    assert timezone.localtime(token.created_at).strftime("%d/%m/%Y %H:%M") in content
    used.refresh_from_db()
    assert used.last_used_at is not None
    assert timezone.localtime(used.last_used_at).strftime("%d/%m/%Y %H:%M") in content
    assert "jamais" in content  # the first token has never been used
    # Never the token itself nor its digest; never another person's token.
    for secret in (raw, used_raw, token.digest, used.digest):
        assert secret not in content
    assert "Jeton d'un autre" not in content and theirs.hint not in content
    revoke = reverse("accounts:api_token_revoke", kwargs={"pk": token.pk})
    assert f'action="{revoke}"' in content


def test_a_person_revokes_their_own_token(make_user: Callable[..., User]) -> None:
    user = make_user()
    raw, token = issued(user, "Ancien script")
    assert api_status(raw) == 200
    client = sign_in(Client(), user)
    url = reverse("accounts:api_token_revoke", kwargs={"pk": token.pk})
    assert client.get(url).status_code == 405  # a change is a POST
    response = client.post(url)
    assert response.status_code == 302 and response["Location"] == reverse("accounts:api_tokens")
    assert any("est révoqué" in m for m in texts(response))
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert services.user_for_token(raw) is None and api_status(raw) == 401
    event = AuditEvent.objects.get(action="api_token.revoke")
    assert event.actor == user and event.object_id == str(user.pk) and event.before == {"token": token.hint}
    page = client.get(reverse("accounts:api_tokens")).content.decode()
    assert "révoqué le" in page and f'action="{url}"' not in page
    # Posting again (a second click) changes nothing and writes no second record.
    revoked_at = token.revoked_at
    assert client.post(url).status_code == 302
    token.refresh_from_db()
    assert token.revoked_at == revoked_at
    assert AuditEvent.objects.filter(action="api_token.revoke").count() == 1


def test_another_persons_token_answers_404(make_user: Callable[..., User]) -> None:
    owner = make_user()
    raw, token = issued(owner)
    url = reverse("accounts:api_token_revoke", kwargs={"pk": token.pk})
    for intruder in (make_user(), make_user("officer"), make_user("admin")):
        assert sign_in(Client(), intruder).post(url).status_code == 404
    assert sign_in(Client(), owner).post(
        reverse("accounts:api_token_revoke", kwargs={"pk": token.pk + 1000})).status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None and api_status(raw) == 200
    assert not AuditEvent.objects.filter(action="api_token.revoke").exists()
    assert Client().post(url).status_code == 302  # anonymous: to the sign-in page
    token.refresh_from_db()
    assert token.revoked_at is None


def test_revoking_a_token_asks_a_stale_session_to_confirm_its_identity(
        make_user: Callable[..., User], clock: time_machine.Traveller, settings: Settings) -> None:
    user = make_user()
    raw, token = issued(user)
    client = sign_in(Client(), user)
    clock.shift(timedelta(minutes=settings.REAUTH_MAX_AGE_MINUTES + 1))
    url = reverse("accounts:api_token_revoke", kwargs={"pk": token.pk})
    assert reauth_asked(client.post(url))
    token.refresh_from_db()
    assert token.revoked_at is None
    done = client.post(reverse("accounts:reauthenticate"), {"password": PASSWORD,
                                                            "next": reverse("accounts:api_tokens")})
    assert done["Location"] == reverse("accounts:api_tokens")
    assert client.post(url).status_code == 302
    assert services.user_for_token(raw) is None


def test_only_the_owner_or_an_administrator_revokes_a_token(make_user: Callable[..., User]) -> None:
    owner, admin = make_user(), make_user("admin")
    _raw, token = issued(owner)
    with pytest.raises(PermissionDenied):
        services.revoke_api_token(make_user("officer"), token)
    services.revoke_api_token(admin, token)
    assert AuditEvent.objects.get(action="api_token.revoke").actor == admin


# --- an administrator's care of accounts ----------------------------------------------------------------

@pytest.fixture
def admin(make_user: Callable[..., User]) -> User:
    return make_user("admin", email="admin@example.lu")


@pytest.fixture
def officer(make_user: Callable[..., User]) -> User:
    return make_user("officer", email="agent@example.lu", full_name="Alex Agent")


def test_administrators_find_an_account_and_see_its_roles_and_second_factor(
        admin: User, officer: User, make_user: Callable[..., User]) -> None:
    make_user(email="partenaire@example.lu")
    TOTPDevice.objects.create(user=officer, name="app", confirmed=True)
    client = sign_in(Client(), admin)
    listing = client.get(reverse("accounts:user_list"), {"q": "agent"})
    assert listing.status_code == 200
    assert [u.email for u in listing.context["page"]] == ["agent@example.lu"]
    content = listing.content.decode()
    assert "Agent gestionnaire" in content and "configurée" in content
    page = client.get(reverse("accounts:user_security", kwargs={"pk": officer.pk}))
    assert page.status_code == 200
    content = page.content.decode()
    assert reverse("accounts:two_factor_reset", kwargs={"pk": officer.pk}) in content
    assert reverse("accounts:role_revoke", kwargs={"pk": officer.pk, "role": "officer"}) in content
    assert client.get(reverse("accounts:user_security", kwargs={"pk": officer.pk + 1000})).status_code == 404


def test_an_administrator_resets_a_lost_second_factor(admin: User, officer: User) -> None:
    officer_client = sign_in(Client(), officer)  # signed in with the phone now lost
    assert officer_client.get(reverse("core:staff_dashboard")).status_code == 200
    assert TOTPDevice.objects.filter(user=officer, confirmed=True).exists()
    client = sign_in(Client(), admin)
    url = reverse("accounts:two_factor_reset", kwargs={"pk": officer.pk})
    assert client.get(url).status_code == 405
    response = client.post(url)
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:user_security", kwargs={"pk": officer.pk})
    assert any("est réinitialisée" in m for m in texts(response))
    assert not TOTPDevice.objects.filter(user=officer).exists()
    event = AuditEvent.objects.get(action="two_factor.reset")
    assert event.actor == admin and event.object_id == str(officer.pk)
    # The open session no longer passes the second factor: a new device is set up first.
    assert officer_client.get(reverse("core:staff_dashboard"))["Location"] == reverse("accounts:two_factor_setup")
    # So does the next sign-in.
    fresh = Client()
    assert fresh.post(reverse("accounts:login"), {"username": officer.email, "password": PASSWORD}).status_code == 302
    assert fresh.get(reverse("core:staff_dashboard"))["Location"] == reverse("accounts:two_factor_setup")
    assert fresh.get(reverse("accounts:two_factor_setup")).status_code == 200


def test_an_administrator_revokes_a_staff_role(admin: User, officer: User) -> None:
    officer_client = sign_in(Client(), officer)
    assert officer_client.get(reverse("grants:call_create")).status_code == 200
    url = reverse("accounts:role_revoke", kwargs={"pk": officer.pk, "role": "officer"})
    client = sign_in(Client(), admin)
    assert client.get(url).status_code == 405
    response = client.post(url)
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:user_security", kwargs={"pk": officer.pk})
    assert any("n'a plus le rôle « Agent gestionnaire »" in m for m in texts(response))
    assert not RoleGrant.objects.filter(user=officer, role="officer").exists()
    event = AuditEvent.objects.get(action="role.revoke")
    assert event.actor == admin and event.object_id == str(officer.pk) and event.before == {"role": "officer"}
    assert officer_client.get(reverse("grants:call_create")).status_code == 403
    # A role the account does not hold, or no role at all: 404, nothing written.
    for role in ("officer", "approver", "partner_admin", "nonsense"):
        assert client.post(reverse("accounts:role_revoke", kwargs={"pk": officer.pk, "role": role})).status_code == 404
    assert AuditEvent.objects.filter(action="role.revoke").count() == 1


def test_an_administrator_keeps_their_own_administrator_role(admin: User, make_user: Callable[..., User]) -> None:
    client = sign_in(Client(), admin)
    own = reverse("accounts:role_revoke", kwargs={"pk": admin.pk, "role": "admin"})
    assert own not in client.get(reverse("accounts:user_security", kwargs={"pk": admin.pk})).content.decode()
    response = client.post(own)
    assert response.status_code == 302
    assert any("votre propre rôle d'administrateur" in m for m in texts(response))
    admin.refresh_from_db()
    assert admin.is_superuser and RoleGrant.objects.filter(user=admin, role="admin").exists()
    assert not AuditEvent.objects.filter(action="role.revoke").exists()
    # Another administrator's is taken away, with the technical administration rights that go with it.
    other = make_user("admin")
    assert client.post(reverse("accounts:role_revoke", kwargs={"pk": other.pk, "role": "admin"})).status_code == 302
    other.refresh_from_db()
    assert not (other.is_superuser or other.is_staff) and not other.role_grants.exists()


@pytest.mark.parametrize("role", ["officer", "auditor", "approver", None])
def test_no_one_else_resets_or_revokes(role: str | None, officer: User, make_user: Callable[..., User]) -> None:
    TOTPDevice.objects.create(user=officer, name="app", confirmed=True)
    client = sign_in(Client(), make_user(role))
    for name, kwargs in [("accounts:user_list", {}), ("accounts:user_security", {"pk": officer.pk})]:
        assert client.get(reverse(name, kwargs=kwargs)).status_code == 403
    assert client.post(reverse("accounts:two_factor_reset", kwargs={"pk": officer.pk})).status_code == 403
    assert client.post(reverse("accounts:role_revoke", kwargs={"pk": officer.pk, "role": "officer"})).status_code == 403
    assert TOTPDevice.objects.filter(user=officer, confirmed=True).exists()
    assert RoleGrant.objects.filter(user=officer, role="officer").exists()
    assert not AuditEvent.objects.filter(action__in=["two_factor.reset", "role.revoke"]).exists()


def test_administrator_acts_need_the_administrators_own_second_factor_and_a_recent_proof(
        admin: User, officer: User, clock: time_machine.Traveller, settings: Settings) -> None:
    TOTPDevice.objects.create(user=officer, name="app", confirmed=True)
    unverified = sign_in(Client(), admin, second_factor=False)
    assert unverified.get(reverse("accounts:user_list"))["Location"] == reverse("accounts:two_factor_setup")
    assert unverified.post(reverse("accounts:two_factor_reset", kwargs={"pk": officer.pk}))["Location"] == \
        reverse("accounts:two_factor_setup")
    client = sign_in(Client(), admin)
    clock.shift(timedelta(minutes=settings.REAUTH_MAX_AGE_MINUTES + 1))
    assert client.get(reverse("accounts:user_security", kwargs={"pk": officer.pk})).status_code == 200  # reading
    assert reauth_asked(client.post(reverse("accounts:two_factor_reset", kwargs={"pk": officer.pk})))
    assert reauth_asked(client.post(reverse("accounts:role_revoke", kwargs={"pk": officer.pk, "role": "officer"})))
    assert TOTPDevice.objects.filter(user=officer, confirmed=True).exists()
    assert RoleGrant.objects.filter(user=officer, role="officer").exists()


def test_the_services_check_who_acts(admin: User, officer: User, make_user: Callable[..., User]) -> None:
    with pytest.raises(PermissionDenied):
        services.reset_two_factor(officer, admin)
    with pytest.raises(PermissionDenied):
        services.revoke_role(officer, make_user("approver"), "approver")
    with pytest.raises(PermissionDenied):
        services.revoke_role(admin, admin, "admin")
    assert not AuditEvent.objects.filter(action__in=["two_factor.reset", "role.revoke"]).exists()
