"""Background work of notifications: the e-mails, sent by the worker process.

Each e-mail is sent at most once per notification, and is not lost when the mail server is down:

* one notification at a time, in its own transaction, the row is *claimed* first (a conditional UPDATE of
  ``emailed_at``: it holds the row's write lock until the commit, so a second worker, a re-run of the job or
  the sweep waits, then finds it sent and skips it), then the message is handed to the mail server, then the
  claim commits. If the server refuses or is down, the claim rolls back: the notification is still unsent;
* the task fails when any e-mail could not be sent (after trying the others), and the worker retries it
  (``retries`` with a growing delay); the notifications already sent are skipped on the retry;
* a notification still unsent after the retries is picked up by :func:`resend_unsent_emails` (every 15 min,
  for :data:`SWEEP_WINDOW`);
* the message carries a Message-ID derived from the notification (``<notification-<pk>@host>``): a worker
  killed after the server accepted the message and before the commit sends it again on the re-run, with the
  same Message-ID, which mail systems use to drop duplicates.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import partial
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils import timezone, translation
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from subsidia.core.sending import RETRY, claim_and_send, send_all

from .models import Notification
from .selectors import wants_email

# 1, 2, 4, 8 and 16 minutes: half an hour of outage is bridged by the task itself, the sweep does the rest.
# How far back the sweep looks for notifications whose e-mail never went out.
SWEEP_WINDOW = timedelta(days=3)
# The sweep leaves the newest ones to their own task (which may still be running or waiting to retry).
SWEEP_GRACE = timedelta(minutes=10)


def message_id(notification: Notification) -> str:
    host = urlsplit(settings.SITE_URL).hostname or "subsidia.invalid"
    return f"<notification-{notification.pk}@{host}>"


def _message(notification: Notification) -> EmailMessage:
    user = notification.user
    with translation.override(user.preferred_language or settings.LANGUAGE_CODE):
        link = f"{settings.SITE_URL}{notification.url}" if notification.url else ""
        body = "\n\n".join(p for p in [notification.body, link] if p)
    return EmailMessage(notification.subject, body, None, [user.email],
                        headers={"Message-ID": message_id(notification)})


def send_one(notification_id: int) -> bool:
    """Send the e-mail of one notification unless it was sent already (or is not wanted); True if sent now.
    Raises when the mail server does not take it: the notification then stays unsent."""
    notification = Notification.objects.filter(pk=notification_id, emailed_at__isnull=True).select_related(
        "user").first()
    if notification is None:
        return False
    user = notification.user
    if not user.email or not wants_email(user, notification.kind):
        return False
    # The claim: set emailed_at only if it is still empty (another run may have sent it while we were reading).
    return claim_and_send(lambda: bool(Notification.objects.filter(pk=notification.pk, emailed_at__isnull=True)
                                       .update(emailed_at=timezone.now())),
                          lambda: _message(notification))


def send_emails(notification_ids: list[int]) -> int:
    return send_all("notification e-mails", ((f"notification {pk}", partial(send_one, pk)) for pk in notification_ids))


@db_task(**RETRY)
def send_notification_emails(notification_ids: list[int]) -> int:
    return send_emails(notification_ids)


def unsent_ids(now: datetime | None = None) -> list[int]:
    now = now or timezone.now()
    return list(Notification.objects.filter(
        emailed_at__isnull=True, created_at__gte=now - SWEEP_WINDOW, created_at__lte=now - SWEEP_GRACE,
        user__is_active=True).exclude(user__email="").order_by("pk").values_list("pk", flat=True))


@db_periodic_task(crontab(minute="*/15"))
def resend_unsent_emails() -> int:
    """The notifications of the last days whose e-mail is still unsent (the mail server was down longer than
    the task's retries): sent now, each once."""
    return send_emails(unsent_ids())
