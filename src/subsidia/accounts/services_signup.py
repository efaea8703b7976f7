"""Public sign-up, so that the public can comment: an account is created inactive and activated by a signed link
sent by e-mail (valid three days).

The answer never tells whether an address already has an account: the page says the same thing every time, and
the e-mail differs (an activation link for a new account, or a "you already have an account" note with the
sign-in and password reset links for an existing one, or the activation link again for an account still
waiting for its activation)."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core import signing
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

# Through core's port: the audit app builds on accounts (its readers are roles), so accounts may not import it.
from subsidia.core.auditing import record

from .models import User

ACTIVATION_SALT = "subsidia.accounts.signup"
ACTIVATION_MAX_AGE = timedelta(days=3)


def _fingerprint(user: User) -> str:
    return hashlib.sha256(f"{user.email}|{user.date_joined.isoformat()}".encode()).hexdigest()[:16]


def activation_token(user: User) -> str:
    return signing.TimestampSigner(salt=ACTIVATION_SALT).sign(f"{user.pk}.{_fingerprint(user)}")


def _absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def _activation_link(user: User, next_url: str) -> str:
    link = _absolute(reverse("accounts:signup_activate", kwargs={"token": activation_token(user)}))
    return f"{link}?next={quote(next_url)}" if next_url else link


def _send(user: User, subject: Any, body: Any) -> None:
    send_mail(str(subject), str(body), None, [user.email])


def _send_activation(user: User, next_url: str) -> None:
    with translation.override(user.preferred_language or settings.LANGUAGE_CODE):
        _send(user, _("Activez votre compte Subsidia"), _(
            "Bonjour %(name)s,\n\nPour activer votre compte Subsidia et pouvoir commenter, ouvrez ce lien dans les "
            "trois jours :\n\n%(link)s\n\nSi vous n'avez pas demandé de compte, ignorez ce message : sans "
            "activation, le compte reste inutilisable.") % {"name": user.full_name or user.email,
                                                             "link": _activation_link(user, next_url)})


def _send_already_registered(user: User) -> None:
    with translation.override(user.preferred_language or settings.LANGUAGE_CODE):
        _send(user, _("Vous avez déjà un compte Subsidia"), _(
            "Bonjour,\n\nQuelqu'un (sans doute vous) a voulu créer un compte Subsidia avec cette adresse, qui en a "
            "déjà un.\n\nConnectez-vous : %(login)s\nMot de passe oublié : %(reset)s\n\nSi ce n'était pas vous, "
            "ignorez ce message : rien n'a changé.") % {
                "login": _absolute(reverse("accounts:login")),
                "reset": _absolute(reverse("accounts:password_reset"))})


def _awaiting_activation(user: User) -> bool:
    return not user.is_active and user.last_login is None


@transaction.atomic
def register(data: dict[str, Any], language: str = "") -> User | None:
    """Create an inactive account and send its activation link; for an address that has an account already, send
    that person a note instead (or the activation link again). Returns the new account, or None."""
    email = data["email"]
    next_url = data.get("next") or ""
    existing = User.objects.filter(email__iexact=email).first()
    if existing is None:
        codes = {code for code, _name in settings.LANGUAGES}
        try:
            with transaction.atomic():
                user = User.objects.create_user(
                    email, data["password1"], full_name=data["full_name"], is_active=False,
                    preferred_language=language if language in codes else settings.LANGUAGE_CODE)
        except IntegrityError:  # the same address registered at the same moment
            existing = User.objects.get(email__iexact=email)
        else:
            record(user, "account.signup", user, after={"email": user.email, "full_name": user.full_name})
            transaction.on_commit(lambda: _send_activation(user, next_url))
            return user
    make_password(data["password1"])  # the same work as a new account: the answer's timing tells nothing
    if _awaiting_activation(existing):
        transaction.on_commit(lambda: _send_activation(existing, next_url))
    else:
        transaction.on_commit(lambda: _send_already_registered(existing))
    return None


class InvalidLink(Exception):
    pass


@transaction.atomic
def activate(token: str) -> User:
    """Activate the account of a valid, unexpired link (raises InvalidLink otherwise)."""
    try:
        value = signing.TimestampSigner(salt=ACTIVATION_SALT).unsign(token, max_age=ACTIVATION_MAX_AGE)
    except signing.SignatureExpired:
        raise InvalidLink(_("Ce lien d'activation a expiré (il est valable trois jours). Inscrivez-vous à nouveau "
                            "avec la même adresse : vous recevrez un nouveau lien.")) from None
    except signing.BadSignature:
        raise InvalidLink(_("Ce lien d'activation n'est pas valable. Vérifiez que vous avez copié l'adresse "
                            "complète reçue par e-mail.")) from None
    pk, _sep, fingerprint = value.partition(".")
    user = User.objects.select_for_update().filter(pk=int(pk) if pk.isdigit() else 0).first()
    if user is None or _fingerprint(user) != fingerprint:
        raise InvalidLink(_("Ce lien d'activation n'est pas valable."))
    if user.is_active:
        return user
    if not _awaiting_activation(user):  # deactivated by an administrator: the old link does not undo that
        raise InvalidLink(_("Ce compte ne peut pas être activé par ce lien."))
    user.is_active = True
    user.save(update_fields=["is_active"])
    record(user, "account.activate", user, before={"is_active": False}, after={"is_active": True,
                                                                               "at": timezone.now().isoformat()})
    return user
