"""System checks of the production settings, run by ``subsidia check --deploy`` (``make check-deploy``).

They are deploy checks only, so that the test run (``DEBUG=0`` with ``EMAIL_URL=consolemail://``) and
``make run`` are not stopped by them; ``check --deploy`` is part of ``make test``.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Error, Tags, register

# Backends that write the messages (and the links they carry) to the log or the disk instead of sending them.
NOT_SENDING_BACKENDS = {
    "django.core.mail.backends.console.EmailBackend",
    "django.core.mail.backends.filebased.EmailBackend",
    "django.core.mail.backends.locmem.EmailBackend",
    "django.core.mail.backends.dummy.EmailBackend",
    "subsidia.core.mail.ConsoleEmailBackend",
}


@register(Tags.security, deploy=True)
def check_mail_and_site_url(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    errors = []
    if not getattr(settings, "EMAIL_URL_IS_SET", False):
        errors.append(Error(
            "EMAIL_URL is not set: e-mails (password reset and activation links) would be written to the log.",
            hint="Set EMAIL_URL, e.g. smtp+tls://user:password@smtp.example.lu:587.",
            id="subsidia.E001"))
    site_url = getattr(settings, "SITE_URL", "")
    if not getattr(settings, "SITE_URL_IS_SET", False):
        errors.append(Error(
            "SITE_URL is not set: the links in e-mails would point to the development address.",
            hint="Set SITE_URL to the public address of the site, e.g. https://subsidia.example.lu.",
            id="subsidia.E002"))
    elif urlsplit(site_url).scheme != "https" or not urlsplit(site_url).netloc:
        errors.append(Error(
            f"SITE_URL must be an https:// address (it is {site_url!r}): the links in e-mails carry tokens.",
            hint="Set SITE_URL to the public https address of the site.",
            id="subsidia.E002"))
    if settings.EMAIL_BACKEND in NOT_SENDING_BACKENDS:
        errors.append(Error(
            f"The e-mail backend {settings.EMAIL_BACKEND} does not send e-mails: it is refused in production.",
            hint="Set EMAIL_URL to a real mail server (smtp://, smtp+tls:// or smtp+ssl://).",
            id="subsidia.E003"))
    return errors
