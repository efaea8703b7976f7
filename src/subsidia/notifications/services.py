"""Sending notifications: an in-app record for each recipient, and an e-mail by the background worker
when the recipient wants one, once the transaction that caused it has committed."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from subsidia.accounts.actors import Actor
from subsidia.accounts.models import User
from subsidia.core.errors import Code, NotFound

from .models import Kind, Notification, Preference
from .tasks import send_notification_emails

Message = Callable[[], tuple[str, str]]


def notify(recipients: Iterable[User | None], kind: str, message: Message, url: str = "",
           dedupe_key: str = "") -> list[Notification]:
    """Notify each (active) recipient once; with a ``dedupe_key``, never twice for the same key.

    ``message`` returns (subject, body); it is called in each recipient's language."""
    created = []
    seen = set()
    for user in recipients:
        if user is None or not user.is_active or user.pk in seen:
            continue
        seen.add(user.pk)
        if dedupe_key and Notification.objects.filter(user=user, dedupe_key=dedupe_key).exists():
            continue
        try:
            with translation.override(user.preferred_language), transaction.atomic():
                subject, body = message()
                created.append(Notification.objects.create(
                    user=user, kind=kind, subject=str(subject)[:200], body=str(body), url=url, dedupe_key=dedupe_key))
        except IntegrityError:  # the same reminder raced in from another worker
            continue
    ids = [n.pk for n in created]
    if ids:
        transaction.on_commit(lambda: send_notification_emails(ids))
    return created


def email_preferences(user: Actor) -> dict[str, bool]:
    chosen = dict(Preference.objects.filter(user=user).values_list("kind", "by_email"))
    return {kind: chosen.get(kind, True) for kind in Kind.values}


@transaction.atomic
def set_email_preferences(actor: Actor, choices: dict[str, bool]) -> dict[str, bool]:
    for kind, by_email in choices.items():
        if kind in Kind.values:
            Preference.objects.update_or_create(user=actor, kind=kind, defaults={"by_email": bool(by_email)})
    return email_preferences(actor)


def mark_read(actor: Actor, notification_id: int | None = None) -> int:
    """Mark one of the actor's notifications read, or all of them when no id is given."""
    notifications = Notification.objects.filter(user=actor, read_at__isnull=True)
    if notification_id is not None:
        if not Notification.objects.filter(user=actor, pk=notification_id).exists():
            raise NotFound.single(Code.NOT_FOUND, _("Notification introuvable."))
        notifications = notifications.filter(pk=notification_id)
    return notifications.update(read_at=timezone.now())
