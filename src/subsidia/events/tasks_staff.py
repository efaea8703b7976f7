"""Background work of the staff side of events (run by the worker: ``subsidia run_huey``): deleting registration
data after the retention period (daily), the evaluation invitations and the cancellation e-mails.

The e-mails are sent each once per registration, as those of :mod:`.tasks` (claimed, sent, committed one at a
time: a re-run of a job sends only what it had not sent)."""

from __future__ import annotations

from functools import partial

from django.conf import settings
from django.core.mail import EmailMessage
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from subsidia.core.sending import RETRY

from .mailing import send_each
from .models import Event, Registration
from .retention import delete_expired_registrations
from .signing import evaluation_token


def _when(event: Event) -> str:
    return formats.date_format(timezone.localtime(event.starts_at), "DATETIME_FORMAT")


def _cancellation_message(event: Event, registration: Registration, message: str) -> EmailMessage:
    with translation.override(registration.language or settings.LANGUAGE_CODE):
        subject = _("Annulé : %(title)s, %(when)s") % {"title": event.title, "when": _when(event)}
        body = "\n\n".join(p for p in [
            _("Bonjour %(name)s,") % {"name": registration.full_name},
            _("L'événement « %(title)s » prévu le %(when)s est annulé. Votre inscription n'a plus d'objet.")
            % {"title": event.title, "when": _when(event)},
            message,
            _("Veuillez nous excuser pour ce changement."),
        ] if p)
    return EmailMessage(subject, body, None, [registration.email])


@db_task(**RETRY)
def send_event_cancelled(event_id: int, registration_ids: list[int], message: str = "") -> int:
    """Each person told once (keyed by the event's iCalendar SEQUENCE, raised by the cancellation)."""
    event = Event.objects.filter(pk=event_id).first()
    if event is None:
        return 0
    version = str(event.ical_sequence)
    return send_each(f"event {event_id} cancelled", [
        (r, "event-cancelled", version, partial(_cancellation_message, event, r, message))
        for r in Registration.objects.filter(pk__in=registration_ids).order_by("pk")])


def _evaluation_message(registration: Registration) -> EmailMessage:
    event = registration.event
    link = settings.SITE_URL + reverse("events:evaluation_answer", kwargs={"token": evaluation_token(registration)})
    with translation.override(registration.language or settings.LANGUAGE_CODE):
        subject = _("Votre avis sur « %(title)s »") % {"title": event.title}
        body = "\n\n".join([
            _("Bonjour %(name)s,") % {"name": registration.full_name},
            _("Merci d'avoir participé à « %(title)s ». Quelques minutes pour nous dire ce que vous en avez "
              "pensé ? Vos réponses sont anonymes.") % {"title": event.title},
            link,
            _("Ce lien est personnel : il permet de répondre une seule fois."),
        ])
    return EmailMessage(subject, body, None, [registration.email])


@db_task(**RETRY)
def send_evaluation_invitations(registration_ids: list[int]) -> int:
    """Each person invited once (the service invites only those never invited)."""
    return send_each("evaluation invitations", [
        (r, "evaluation", "", partial(_evaluation_message, r))
        for r in Registration.objects.filter(pk__in=registration_ids).select_related("event").order_by("pk")])


@db_periodic_task(crontab(hour="3", minute="15"))
def delete_expired_registration_data() -> int:
    return delete_expired_registrations()
