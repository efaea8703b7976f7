"""Public sign-up: an inactive account activated by a signed link (three days), Django's password validators, the
consent, tampered and expired links, and no account enumeration (the same answer when the address exists)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail, signing
from django.test import Client
from django.urls import reverse
from pytest_django import DjangoCaptureOnCommitCallbacks, Settings

from subsidia.accounts.models import User
from subsidia.accounts.services_signup import ACTIVATION_SALT, activation_token
from subsidia.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

PASSWORD = "Un-mot-de-passe-solide-2026"


def form(**overrides: Any) -> dict[str, Any]:
    return {"full_name": "Marie Lecteur", "email": "Marie@Example.lu", "password1": PASSWORD,
            "password2": PASSWORD, "consent": "on", **overrides}


def signup(client: Client, django_capture_on_commit_callbacks: Any, **overrides: Any) -> Any:
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(reverse("accounts:signup"), form(**overrides))


def link_in(message: Any) -> str:
    found = re.search(r"https?://\S+", message.body)
    assert found, message.body
    return found.group(0)


def test_signup_then_activation(client: Client,
                                django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks) -> None:
    response = signup(client, django_capture_on_commit_callbacks,
                      next="/actualites/une-actualite/")
    assert response.status_code == 302 and response["Location"] == reverse("accounts:signup_done")
    user = User.objects.get(email="marie@example.lu")
    assert not user.is_active and user.full_name == "Marie Lecteur" and user.check_password(PASSWORD)
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["marie@example.lu"]
    link = link_in(mail.outbox[0])
    assert "/compte/inscription/activer/" in link
    # An inactive account cannot sign in yet.
    refused = client.post(reverse("accounts:login"), {"username": "marie@example.lu", "password": PASSWORD})
    assert refused.status_code == 200 and "_auth_user_id" not in client.session
    path = link.split("://", 1)[1].split("/", 1)[1]
    activated = client.get("/" + path)
    assert activated.status_code == 302
    assert activated["Location"].startswith(reverse("accounts:login"))
    user.refresh_from_db()
    assert user.is_active
    assert AuditEvent.objects.filter(action="account.activate", object_id=str(user.pk)).exists()
    assert AuditEvent.objects.filter(action="account.signup", object_id=str(user.pk)).exists()
    signed_in = client.post(reverse("accounts:login"), {"username": "marie@example.lu", "password": PASSWORD})
    assert signed_in.status_code == 302 and client.session["_auth_user_id"] == str(user.pk)
    # Using the link again changes nothing and still sends the person to sign in.
    assert client.get("/" + path).status_code == 302


def test_tampered_and_expired_links(client: Client, make_user: Callable[..., User], settings: Settings) -> None:
    user = make_user(is_active=False)
    token = activation_token(user)
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    response = client.get(reverse("accounts:signup_activate", args=[tampered]))
    assert response.status_code == 400 and "pas valable" in response.content.decode()
    other = make_user(is_active=False)
    forged = token.replace(f"{user.pk}.", f"{other.pk}.", 1)
    assert client.get(reverse("accounts:signup_activate", args=[forged])).status_code == 400
    signer = signing.TimestampSigner(salt=ACTIVATION_SALT)
    value = signer.unsign(token)
    old = signing.TimestampSigner(salt=ACTIVATION_SALT)
    old.timestamp = lambda: signing.b62_encode(int(  # type: ignore[method-assign]
        (__import__("time").time()) - timedelta(days=3, minutes=1).total_seconds()))
    expired = old.sign(value)
    response = client.get(reverse("accounts:signup_activate", args=[expired]))
    assert response.status_code == 400 and "expiré" in response.content.decode()
    user.refresh_from_db()
    other.refresh_from_db()
    assert not user.is_active and not other.is_active


def test_deactivated_account_is_not_reactivated_by_an_old_link(client: Client, make_user: Callable[..., User]) -> None:
    from django.utils import timezone

    user = make_user(is_active=False, last_login=timezone.now())
    assert client.get(reverse("accounts:signup_activate", args=[activation_token(user)])).status_code == 400
    user.refresh_from_db()
    assert not user.is_active


def test_existing_address_gets_the_same_answer(
        client: Client, make_user: Callable[..., User],
        django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks) -> None:
    existing = make_user(email="marie@example.lu", full_name="Marie Existante")
    response = signup(client, django_capture_on_commit_callbacks, full_name="Usurpateur")
    assert response.status_code == 302 and response["Location"] == reverse("accounts:signup_done")
    assert User.objects.filter(email__iexact="marie@example.lu").count() == 1
    existing.refresh_from_db()
    assert existing.full_name == "Marie Existante" and not existing.check_password(PASSWORD)
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["marie@example.lu"]
    assert "déjà un compte" in mail.outbox[0].subject
    assert reverse("accounts:password_reset") in mail.outbox[0].body
    assert "/inscription/activer/" not in mail.outbox[0].body


def test_pending_account_gets_its_activation_link_again(
        client: Client, make_user: Callable[..., User],
        django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks) -> None:
    make_user(email="marie@example.lu", is_active=False)
    response = signup(client, django_capture_on_commit_callbacks)
    assert response["Location"] == reverse("accounts:signup_done")
    assert "/inscription/activer/" in mail.outbox[0].body


@pytest.mark.parametrize(("overrides", "field"), [
    ({"password2": "autre-chose-2026-xyz"}, "password2"),
    ({"password1": "court", "password2": "court"}, "password1"),
    ({"password1": "123456789012345", "password2": "123456789012345"}, "password1"),
    ({"consent": ""}, "consent"),
    ({"email": "pas-une-adresse"}, "email"),
    ({"full_name": " "}, "full_name"),
])
def test_invalid_forms(client: Client, overrides: dict[str, str], field: str,
                      django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks) -> None:
    response = signup(client, django_capture_on_commit_callbacks, **overrides)
    assert response.status_code == 422
    assert field in response.context["form"].errors
    assert not User.objects.exists() and not mail.outbox
    assert 'id="erreurs"' in response.content.decode()


def test_page_and_signed_in_redirect(client: Client, make_user: Callable[..., User],
                                     login: Callable[..., Client]) -> None:
    page = client.get(reverse("accounts:signup"))
    assert page.status_code == 200 and "Conditions d'utilisation" in page.content.decode()
    assert login(make_user()).get(reverse("accounts:signup")).status_code == 302
