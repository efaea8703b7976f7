"""Reads of the notifications app. Apart from the services so that the e-mail tasks, which the services
enqueue, can ask for a person's choice without importing the services back."""

from __future__ import annotations

from subsidia.accounts.models import User

from .models import Preference


def wants_email(user: User, kind: str) -> bool:
    preference = Preference.objects.filter(user=user, kind=kind).first()
    return True if preference is None else preference.by_email
