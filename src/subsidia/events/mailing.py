"""Each e-mail to a registrant at most once per purpose (and version): the claim-then-send of
``tasks.py``'s docstring, apart from the jobs so that the registrant jobs and the staff jobs
(``tasks_staff.py``) share it without importing each other."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMessage

from subsidia.core.sending import claim_and_send, send_all

from .models import Registration, RegistrationEmail


def message_id(registration_id: int, purpose: str, version: str = "") -> str:
    host = urlsplit(settings.SITE_URL).hostname or "subsidia.invalid"
    return f"<registration-{registration_id}-{purpose}{f'-{version}' if version else ''}@{host}>"


def already_sent(registration_id: int, purpose: str, version: str = "") -> bool:
    return RegistrationEmail.objects.filter(registration_id=registration_id, purpose=purpose,
                                            version=version).exists()


def send_once(registration: Registration, purpose: str, message: EmailMessage, version: str = "") -> bool:
    """Claim (registration, purpose, version), send ``message`` with its fixed Message-ID, commit; True if sent
    now, False if it had been sent already. Raises when the mail server does not take it (nothing is kept)."""
    if already_sent(registration.pk, purpose, version):
        return False
    message.extra_headers["Message-ID"] = message_id(registration.pk, purpose, version)

    def claim() -> bool:  # an IntegrityError if another run claimed it while we prepared the message
        RegistrationEmail.objects.create(registration=registration, purpose=purpose, version=version)
        return True

    return claim_and_send(claim, lambda: message)


def send_each(what: str, items: list[tuple[Registration, str, str, Callable[[], EmailMessage | None]]]) -> int:
    """Send each (registration, purpose, version, message builder) once; one failure does not hold back the
    others, and the job then fails so that the worker retries it (those sent are skipped on the retry)."""

    def attempt(registration: Registration, purpose: str, version: str,
                build: Callable[[], EmailMessage | None]) -> bool:
        if already_sent(registration.pk, purpose, version):
            return False
        message = build()
        return message is not None and send_once(registration, purpose, message, version)

    return send_all(what, ((f"registration {r.pk} ({purpose})", partial(attempt, r, purpose, version, build))
                           for r, purpose, version, build in items))
