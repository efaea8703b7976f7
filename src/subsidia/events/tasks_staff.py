"""Background work of the staff side of events (run by the worker: ``subsidia run_huey``): deleting registration
data after the retention period (daily), the evaluation invitations and the cancellation e-mails."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import EmailMessage
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from .models import Event, Registration

log = logging.getLogger(__name__)


def _when(event: Event) -> str:
    return formats.date_format(timezone.localtime(event.starts_at), "DATETIME_FORMAT")


@db_task(retries=3, retry_delay=60)
def send_event_cancelled(event_id: int, registration_ids: list[int], message: str = "") -> int:
    event = Event.objects.filter(pk=event_id).first()
    if event is None:
        return 0
    sent = 0
    for registration in Registration.objects.filter(pk__in=registration_ids).order_by("pk"):
        with translation.override(registration.language or settings.LANGUAGE_CODE):
            subject = _("Annulé : %(title)s, %(when)s") % {"title": event.title, "when": _when(event)}
            body = "\n\n".join(p for p in [
                _("Bonjour %(name)s,") % {"name": registration.full_name},
                _("L'événement « %(title)s » prévu le %(when)s est annulé. Votre inscription n'a plus d'objet.")
                % {"title": event.title, "when": _when(event)},
                message,
                _("Veuillez nous excuser pour ce changement."),
            ] if p)
        EmailMessage(subject, body, None, [registration.email]).send()
        sent += 1
    log.info("event %s cancelled: %s people told", event_id, sent)
    return sent


@db_task(retries=3, retry_delay=60)
def send_evaluation_invitations(registration_ids: list[int]) -> int:
    from .evaluation import token_for

    sent = 0
    for registration in Registration.objects.filter(pk__in=registration_ids).select_related("event").order_by("pk"):
        event = registration.event
        link = settings.SITE_URL + reverse("events:evaluation_answer", kwargs={"token": token_for(registration)})
        with translation.override(registration.language or settings.LANGUAGE_CODE):
            subject = _("Votre avis sur « %(title)s »") % {"title": event.title}
            body = "\n\n".join([
                _("Bonjour %(name)s,") % {"name": registration.full_name},
                _("Merci d'avoir participé à « %(title)s ». Quelques minutes pour nous dire ce que vous en avez "
                  "pensé ? Vos réponses sont anonymes.") % {"title": event.title},
                link,
                _("Ce lien est personnel : il permet de répondre une seule fois."),
            ])
        EmailMessage(subject, body, None, [registration.email]).send()
        sent += 1
    log.info("%s evaluation invitations sent", sent)
    return sent


@db_periodic_task(crontab(hour="3", minute="15"))
def delete_expired_registration_data() -> int:
    from .retention import delete_expired_registrations

    return delete_expired_registrations()
