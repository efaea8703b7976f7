"""Writes on accounts: provisioning, roles, tokens, two-factor devices."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

# Through core's port: the audit app builds on accounts (its readers are roles), so accounts may not import it.
from subsidia.core.auditing import record, snapshot
from subsidia.core.errors import PermissionDenied, RuleViolation

from .actors import Actor
from .models import ApiToken, RoleGrant, User
from .roles import STAFF_ROLES, Role

USER_AUDIT_FIELDS = ["email", "full_name", "is_active", "is_staff", "is_superuser", "preferred_language"]


def _is_admin(actor: Actor | None) -> bool:
    return actor is None or (actor.is_authenticated and actor.has_role(Role.ADMIN))


@transaction.atomic
def provision_user(
    actor: Actor | None, email: str, *, full_name: str = "", password: str | None = None
) -> tuple[User, bool]:
    """Get or create the account of ``email``; a given password is set (validated by the caller)."""
    if not _is_admin(actor):
        raise PermissionDenied.single("forbidden", _("Seul un administrateur peut créer des comptes."))
    email = User.objects.normalize_email(email).lower()
    user = User.objects.filter(email__iexact=email).first()
    created = user is None
    if user is None:
        user = User.objects.create_user(email=email, password=password, full_name=full_name)
        record(actor, "user.create", user, after=snapshot(user, USER_AUDIT_FIELDS))
    else:
        before = snapshot(user, USER_AUDIT_FIELDS)
        changed = False
        if full_name and user.full_name != full_name:
            user.full_name = full_name
            changed = True
        if password:
            user.set_password(password)
            changed = True
        if changed:
            user.save()
            record(actor, "user.update", user, before=before, after=snapshot(user, USER_AUDIT_FIELDS),
                   note="password set" if password else "")
    return user, created


@transaction.atomic
def grant_role(actor: Actor | None, user: User, role: str) -> RoleGrant:
    if role not in STAFF_ROLES:
        raise RuleViolation.single("unknown_role", _("Rôle inconnu : %(role)s") % {"role": role}, "role")
    if not _is_admin(actor):
        raise PermissionDenied.single("forbidden", _("Seul un administrateur peut attribuer des rôles."))
    grant, created = RoleGrant.objects.get_or_create(
        user=user, role=role, defaults={"granted_by": actor if actor and actor.is_authenticated else None}
    )
    if role == Role.ADMIN and not (user.is_staff and user.is_superuser):
        user.is_staff = user.is_superuser = True
        user.save(update_fields=["is_staff", "is_superuser"])
    if created:
        record(actor, "role.grant", user, after={"role": role})
    user.__dict__.pop("staff_roles", None)
    return grant


@transaction.atomic
def revoke_role(actor: Actor, user: User, role: str) -> None:
    """Take a staff role away. An administrator cannot drop their own administrator role, so that whoever
    revokes one from the pages leaves at least one administrator (themselves)."""
    if not _is_admin(actor):
        raise PermissionDenied.single("forbidden", _("Seul un administrateur peut retirer des rôles."))
    if role == Role.ADMIN and actor is not None and actor.pk == user.pk:
        raise PermissionDenied.single("forbidden", _("Vous ne pouvez pas retirer votre propre rôle "
                                                     "d'administrateur : demandez-le à un autre administrateur."),
                                      "role")
    deleted, _detail = RoleGrant.objects.filter(user=user, role=role).delete()
    if role == Role.ADMIN and user.is_superuser:
        user.is_staff = user.is_superuser = False
        user.save(update_fields=["is_staff", "is_superuser"])
    if deleted:
        record(actor, "role.revoke", user, before={"role": role})
    user.__dict__.pop("staff_roles", None)


@transaction.atomic
def issue_api_token(actor: Actor | None, user: User, *, name: str = "", expires_at: datetime | None = None) -> str:
    """Create a personal token for ``user`` and return it; only its digest is kept."""
    if not (_is_admin(actor) or actor == user):
        raise PermissionDenied.single("forbidden", _("Vous ne pouvez créer un jeton que pour vous-même."))
    if not user.is_active:
        raise RuleViolation.single("inactive_user", _("Ce compte est désactivé."), "email")
    raw = ApiToken.new_raw_token()
    token = ApiToken.objects.create(
        user=user, name=name, digest=ApiToken.digest_of(raw), hint=raw[:10], expires_at=expires_at
    )
    record(actor, "api_token.issue", user, after={"token": token.hint, "name": name})
    return raw


def user_for_token(raw: str) -> User | None:
    token = (
        ApiToken.objects.active().select_related("user").filter(digest=ApiToken.digest_of(raw)).first()
    )
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


@transaction.atomic
def revoke_api_token(actor: Actor, token: ApiToken) -> None:
    """Revoke a token at once; revoking it again changes nothing (the first revocation stays on record)."""
    if not (_is_admin(actor) or actor == token.user):
        raise PermissionDenied.single("forbidden", _("Ce jeton n'est pas le vôtre."))
    token = ApiToken.objects.select_for_update().select_related("user").get(pk=token.pk)
    if token.revoked_at is not None:
        return
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    record(actor, "api_token.revoke", token.user, before={"token": token.hint})


# --- Two-factor authentication ------------------------------------------------------------------

def has_confirmed_totp(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def pending_totp_device(user: User) -> TOTPDevice:
    """The unconfirmed device being set up (one per user), created on first call."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=_("Application d'authentification"), confirmed=False)
    return device


@transaction.atomic
def confirm_totp_device(user: User, device: TOTPDevice, token: str) -> bool:
    """Confirm a device with a first code from the user's app. Returns whether the code matched."""
    if device.user_id != user.pk or device.confirmed:
        return False
    if not device.verify_token(token):
        return False
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    record(user, "two_factor.enable", user, after={"device": device.name})
    return True


@transaction.atomic
def reset_two_factor(actor: Actor, user: User) -> None:
    """An administrator removes a user's devices (lost phone); the user sets up a new one."""
    if not _is_admin(actor):
        raise PermissionDenied.single(
            "forbidden", _("Seul un administrateur peut réinitialiser la double authentification.")
        )
    TOTPDevice.objects.filter(user=user).delete()
    record(actor, "two_factor.reset", user)
