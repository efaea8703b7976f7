"""A person's calendar subscription: the secret token in the address of their iCalendar feeds (calendar
applications cannot sign in), made on first use and renewed on request (the old address stops at once)."""

from __future__ import annotations

from django.db import transaction

from subsidia.accounts.actors import Actor
from subsidia.accounts.models import User
from subsidia.audit.services import record

from .models import CalendarToken


def calendar_token(user: Actor) -> CalendarToken:
    token, _created = CalendarToken.objects.get_or_create(user=user)
    return token


@transaction.atomic
def renew_calendar_token(actor: Actor) -> CalendarToken:
    """A new subscription address; the old one stops working at once."""
    CalendarToken.objects.filter(user=actor).delete()
    token = CalendarToken.objects.create(user=actor)
    record(actor, "calendar_token.renew", actor)
    return token


def user_for_token(token: str) -> User | None:
    found = CalendarToken.objects.select_related("user").filter(token=token).first() if token else None
    if found is None or not found.user.is_active:
        return None
    return found.user

