"""No secret in the logs: a logging filter that redacts tokens from every record before it is written.

Installed on the root handlers (``settings.LOGGING``), so that it applies to the records of every logger that
propagates to them (Django's request log prints the path of a 404 or a 500, the worker prints its tasks' errors,
a traceback may hold a URL). What is redacted:

- the secret part of the links sent by e-mail: password reset (``/mot-de-passe/nouveau/<uid>/<token>/``),
  account activation (``/inscription/activer/<token>/``), the signed links of a registration (status,
  cancellation, check-in, certificate), the evaluation questionnaire and the personal calendar feeds;
- ``Authorization: Bearer <token>`` (and any ``Bearer <token>``) and ``Token <token>``;
- ``token=``, ``key=``, ``signature=`` and similar query-string or form values;
- session ids and CSRF tokens (``sessionid=…``, ``csrftoken=…``, ``csrfmiddlewaretoken=…``).

``tests/test_redaction.py`` reverses every URL pattern that takes a ``token`` (or ``uidb64``) and checks that the
filter hides it, so that a new signed link cannot be forgotten here.
"""

from __future__ import annotations

import logging
import re
import traceback

REDACTED = "[redacted]"

# The path prefixes after which the next segment (two for the password reset) is a secret.
_SECRET_PATHS = re.compile(
    r"(?P<prefix>/mot-de-passe/nouveau/)[^/\s?#\"'<>]+/[^/\s?#\"'<>]+"
    r"|(?P<prefix2>/(?:inscription/activer|mon-inscription|presence|attestation|questionnaire|calendrier)/)"
    r"[^/\s?#\"'<>]+"
)
_BEARER = re.compile(r"(?i)\b(?P<scheme>bearer|token)(?P<sep>\s+|=)(?!\[redacted\])[A-Za-z0-9._~+/:=-]{8,}")
_NAMED_VALUES = re.compile(
    r"(?i)(?P<name>\b(?:access_token|refresh_token|token|key|api_key|signature|sig|secret|password|"
    r"sessionid|session_id|csrftoken|csrfmiddlewaretoken|uidb64)\b[\"']?\s*[=:]\s*[\"']?)"
    r"(?!\[redacted\])[^\s&;,\"'<>]+"
)


def _paths(match: re.Match[str]) -> str:
    if match.group("prefix"):
        return f"{match.group('prefix')}{REDACTED}/{REDACTED}"
    return f"{match.group('prefix2')}{REDACTED}"


def redact(text: str) -> str:
    """``text`` with every token it carries replaced by ``[redacted]``."""
    text = _SECRET_PATHS.sub(_paths, text)
    text = _BEARER.sub(lambda m: f"{m.group('scheme')}{m.group('sep')}{REDACTED}", text)
    return _NAMED_VALUES.sub(lambda m: f"{m.group('name')}{REDACTED}", text)


class RedactSecretsFilter(logging.Filter):
    """Rewrites each record's message, exception text and stack with :func:`redact`; never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a badly formatted record is still written, as logging would
            message = str(record.msg)
        record.msg = redact(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = "".join(traceback.format_exception(*record.exc_info)).rstrip("\n")
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True
