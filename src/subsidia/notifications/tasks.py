"""Background work of notifications: the e-mails, sent by the worker process."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone, translation
from huey.contrib.djhuey import db_task

from .models import Notification

log = logging.getLogger(__name__)


@db_task(retries=3, retry_delay=60)
def send_notification_emails(notification_ids: list[int]) -> int:
    from .services import wants_email

    sent = 0
    pending = Notification.objects.filter(pk__in=notification_ids, emailed_at__isnull=True).select_related("user")
    for notification in pending:
        user = notification.user
        if not user.email or not wants_email(user, notification.kind):
            continue
        with translation.override(user.preferred_language or settings.LANGUAGE_CODE):
            link = f"{settings.SITE_URL}{notification.url}" if notification.url else ""
            body = "\n\n".join(p for p in [notification.body, link] if p)
            send_mail(notification.subject, body, None, [user.email])
        notification.emailed_at = timezone.now()
        notification.save(update_fields=["emailed_at"])
        sent += 1
    log.info("notification e-mails sent: %s", sent)
    return sent
