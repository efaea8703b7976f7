"""Reads on accounts for the pages: a person's own API tokens, and the accounts an administrator looks after."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import ApiToken, ApiTokenQuerySet, User


def tokens_of(user: User) -> ApiTokenQuerySet:
    """A person's own personal API tokens, newest first (revoked and expired ones too, as a record)."""
    return ApiToken.objects.filter(user=user).order_by("-created_at", "-pk")


def accounts(query: str = "") -> QuerySet[User]:
    """Every account, searched by e-mail or name, with its staff roles and whether a second factor is set up."""
    users = User.objects.prefetch_related("role_grants").annotate(
        has_second_factor=Exists(TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)))
    query = query.strip()
    if query:
        users = users.filter(Q(email__icontains=query) | Q(full_name__icontains=query))
    return users.order_by("email")
