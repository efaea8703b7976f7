"""No token reaches the logs: the filter installed on the root handlers redacts them, and the console e-mail
backend writes messages only in development (DEBUG on)."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator, Sequence
from email import message_from_string
from email.header import decode_header, make_header

import pytest
from django.core.mail import EmailMessage
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from pytest_django import Settings

from subsidia.core.mail import ConsoleEmailBackend
from subsidia.core.redaction import RedactSecretsFilter, redact

SECRET = "Zq8vX2kLmN4pR7sT9uWy"  # looks like a token; must never be printed


@pytest.fixture
def log_output() -> Iterator[io.StringIO]:
    """What the root handlers configured from settings.LOGGING write, captured."""
    handlers = [h for h in logging.getLogger().handlers
                if any(isinstance(f, RedactSecretsFilter) for f in h.filters)]
    assert handlers, "settings.LOGGING installs the redacting filter on the root handlers"
    buffer = io.StringIO()
    streams = [h.setStream(buffer) for h in handlers if isinstance(h, logging.StreamHandler)]
    yield buffer
    for handler, stream in zip(handlers, streams, strict=False):
        if stream is not None:
            handler.setStream(stream)  # type: ignore[attr-defined]


def test_every_root_handler_redacts() -> None:
    root = logging.getLogger()
    configured = [h for h in root.handlers if not type(h).__module__.startswith("_pytest")]
    assert configured
    for handler in configured:
        assert any(isinstance(f, RedactSecretsFilter) for f in handler.filters), handler
    for name in ("django", "django.request", "django.server", "huey"):
        logger: logging.Logger | None = logging.getLogger(name)
        while logger is not None and not logger.handlers:
            logger = logger.parent
        assert logger is not None
        assert all(any(isinstance(f, RedactSecretsFilter) for f in h.filters) for h in logger.handlers
                   if not type(h).__module__.startswith("_pytest")), name


@pytest.mark.parametrize("message", [
    f"GET /compte/mot-de-passe/nouveau/MTI/{SECRET}/ HTTP/1.1",
    f"Lien : https://subsidia.example.lu/compte/inscription/activer/{SECRET}/",
    f"Not Found: /evenements/mon-inscription/{SECRET}:1tXyz:abcdEFGH/annuler/",
    f"/evenements/presence/{SECRET}/",
    f"/evenements/attestation/{SECRET}/",
    f"/evenements/questionnaire/{SECRET}/",
    f"/dialogue/calendrier/{SECRET}/reunions.ics",
    f"Authorization: Bearer {SECRET}",
    f"headers={{'Authorization': 'Bearer {SECRET}'}}",
    f"GET /api/v1/events?token={SECRET}&page=2",
    f"Cookie: sessionid={SECRET}; csrftoken={SECRET}",
    f"POST data csrfmiddlewaretoken={SECRET}",
])
def test_log_records_carrying_tokens_come_out_redacted(log_output: io.StringIO, message: str) -> None:
    logging.getLogger("django.request").warning(message)
    logging.getLogger("subsidia.anything").error("%s", message)
    written = log_output.getvalue()
    assert written.count("[redacted]") >= 2
    assert SECRET not in written


def test_a_traceback_is_redacted_too(log_output: io.StringIO) -> None:
    try:
        raise ValueError(f"bad link /compte/inscription/activer/{SECRET}/")
    except ValueError:
        logging.getLogger("subsidia.tasks").exception("Task failed for ?token=%s", SECRET)
    written = log_output.getvalue()
    assert "ValueError" in written
    assert SECRET not in written


def test_caplog_sees_redacted_records(caplog: pytest.LogCaptureFixture) -> None:
    caplog.handler.addFilter(RedactSecretsFilter())
    logging.getLogger("subsidia").warning("reset link /compte/mot-de-passe/nouveau/%s/%s/", "MTI", SECRET)
    assert SECRET not in caplog.text
    assert "/compte/mot-de-passe/nouveau/[redacted]/[redacted]/" in caplog.text


def test_ordinary_messages_are_left_alone() -> None:
    text = "GET /evenements/journee-integration/ 200; /organisations/12/ ; 3 inscriptions"
    assert redact(text) == text


def _token_routes(patterns: Sequence[URLPattern | URLResolver], namespace: str = "",
                  ) -> Iterator[tuple[str, list[str]]]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace or ""
            yield from _token_routes(entry.url_patterns, f"{namespace}{ns}:" if ns else namespace)
        elif isinstance(entry, URLPattern) and entry.name:
            names = list(entry.pattern.converters) if hasattr(entry.pattern, "converters") else []
            secret = [n for n in names if n in {"token", "uidb64", "key", "signature"}]
            if secret:
                yield f"{namespace}{entry.name}", names


def test_every_url_that_carries_a_token_is_redacted() -> None:
    routes = list(_token_routes(get_resolver().url_patterns))
    assert len(routes) >= 8  # reset, activation, the registration's links, questionnaire, calendar feeds
    for name, params in routes:
        kwargs = {p: (SECRET if p in {"token", "uidb64", "key", "signature"} else "1") for p in params}
        path = reverse(name, kwargs=kwargs)
        assert SECRET not in redact(f"GET {path} HTTP/1.1"), f"{name}: add its path to subsidia.core.redaction"


def _message() -> EmailMessage:
    return EmailMessage("Réinitialisation", f"https://x.lu/compte/mot-de-passe/nouveau/MTI/{SECRET}/",
                        "no-reply@subsidia.invalid", ["a@example.lu"])


def test_console_backend_writes_nothing_when_debug_is_off(settings: Settings, caplog: pytest.LogCaptureFixture) -> None:
    settings.DEBUG = False
    stream = io.StringIO()
    sent = ConsoleEmailBackend(stream=stream).send_messages([_message()])
    assert sent == 0
    assert stream.getvalue() == ""
    assert SECRET not in caplog.text
    assert "refused" in caplog.text


def test_console_backend_writes_in_development(settings: Settings) -> None:
    settings.DEBUG = True
    stream = io.StringIO()
    assert ConsoleEmailBackend(stream=stream).send_messages([_message()]) == 1
    # The message as it would be sent (a non-ASCII subject is encoded, RFC 2047): it reads back as written.
    written = message_from_string(stream.getvalue())
    assert str(make_header(decode_header(written["Subject"]))) == "Réinitialisation"


def test_consolemail_url_selects_the_guarded_backend() -> None:
    from django.conf import settings

    # Under pytest EMAIL_URL=consolemail://; the test runner swaps in locmem, but the configured one is ours.
    import subsidia.settings as configured

    assert configured.EMAIL_BACKEND == "subsidia.core.mail.ConsoleEmailBackend"
    assert settings.EMAIL_BACKEND == "django.core.mail.backends.locmem.EmailBackend"
