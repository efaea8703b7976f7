"""E-mails sent once, however often a job runs: the shared part of every e-mail job of the worker.

Each e-mail is *claimed* and sent in one transaction: the claim is a row the job writes (a conditional update of
a notification's ``emailed_at``, or a row under a unique key for the events' and meetings' e-mails). If the mail
server refuses, the claim rolls back and the e-mail stays to send; if another run claimed it first, the claim
fails and this run skips it. A job tries every e-mail, then fails if any was not sent, so that huey retries it
(``RETRY``: 1, 2, 4, 8 and 16 minutes between the tries) and the retry sends only what is left.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable

from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction

log = logging.getLogger(__name__)

# The huey options of every e-mail job: five retries, one minute first, doubling.
RETRY = {"retries": 5, "retry_delay": 60, "retry_backoff": 2}


class NotSent(Exception):
    """The backend accepted nothing (e.g. the console backend with DEBUG off): roll the claim back."""


def claim_and_send(claim: Callable[[], bool], message: Callable[[], EmailMessage]) -> bool:
    """Run ``claim`` (which writes the claim and says whether it got it, or raises IntegrityError when another
    run holds the key) and send ``message()`` in one transaction. True if sent now; False if claimed already or
    if the backend took nothing (then nothing is kept). Raises, with the claim rolled back, when the mail server
    refuses."""
    try:
        with transaction.atomic():
            if not claim():
                return False
            if message().send() != 1:
                raise NotSent
    except (IntegrityError, NotSent):
        return False
    return True


def send_all(what: str, attempts: Iterable[tuple[str, Callable[[], bool]]]) -> int:
    """Call each (label, send) in turn; one failure does not hold back the others. Returns how many were sent
    now, or raises at the end if any failed, so that the worker retries the job (the sent ones are skipped)."""
    sent, failed = 0, []
    for label, send in attempts:
        try:
            sent += send()
        except Exception as error:
            log.warning("%s: e-mail to %s not sent (%s), will be retried", what, label, type(error).__name__)
            failed.append(label)
    log.info("%s: %s e-mails sent", what, sent)
    if failed:
        raise RuntimeError(f"{what}: {len(failed)} e-mail(s) not sent: {failed}")
    return sent
