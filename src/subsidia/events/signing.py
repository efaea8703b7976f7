"""Signed links for a registration (status, cancellation, check-in, attendance certificate).

Each link carries the registration's uid signed with Django's signing and one salt per purpose, so that a
cancellation link cannot be used as a check-in link. A tampered or expired token gives nothing (the page is 404).
"""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.urls import reverse

from .models import Registration

PURPOSES = ("status", "cancel", "checkin", "certificate")
# Long enough to reach the event and download the certificate afterwards; the data are deleted anyway.
MAX_AGE_SECONDS = 3 * 365 * 24 * 3600

_URL_NAMES = {
    "status": "events:registration_status",
    "cancel": "events:registration_cancel",
    "checkin": "events:check_in",
    "certificate": "events:certificate",
}


def _salt(purpose: str) -> str:
    if purpose not in PURPOSES:
        raise ValueError(purpose)
    return f"subsidia.events.registration.{purpose}"


def token_for(registration: Registration, purpose: str) -> str:
    return signing.dumps(str(registration.uid), salt=_salt(purpose), compress=False)


def uid_from(token: str, purpose: str) -> str | None:
    """The registration uid in a token, or None when it was tampered with, expired, or made for another use."""
    try:
        value = signing.loads(token, salt=_salt(purpose), max_age=MAX_AGE_SECONDS)
    except (signing.BadSignature, ValueError):
        return None
    return value if isinstance(value, str) else None


def path_for(registration: Registration, purpose: str) -> str:
    return reverse(_URL_NAMES[purpose], kwargs={"token": token_for(registration, purpose)})


def url_for(registration: Registration, purpose: str) -> str:
    return f"{settings.SITE_URL}{path_for(registration, purpose)}"


# The evaluation questionnaire's link: no expiry (the data are deleted by retention anyway).
EVALUATION_SALT = "events.evaluation"


def evaluation_token(registration: Registration) -> str:
    return signing.dumps(str(registration.uid), salt=EVALUATION_SALT)
