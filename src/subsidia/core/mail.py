"""The console e-mail backend of the development set-up (``EMAIL_URL=consolemail://``, the default).

It prints each message, links included, to the server's output: a password-reset or activation link there is
as good as the password. So it writes only when ``DEBUG`` is on; with ``DEBUG`` off it writes nothing, logs
(without any content) that messages were dropped, and ``subsidia check --deploy`` fails (subsidia.E003).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.mail.backends.console import EmailBackend as DjangoConsoleBackend

logger = logging.getLogger(__name__)


class ConsoleEmailBackend(DjangoConsoleBackend):
    def send_messages(self, email_messages: Sequence[Any]) -> int:
        if not settings.DEBUG:
            if email_messages:
                logger.error("The console e-mail backend is refused when DEBUG is off: %d message(s) not sent "
                             "and not written. Set EMAIL_URL to a real mail server.", len(email_messages))
            return 0
        return super().send_messages(email_messages)
