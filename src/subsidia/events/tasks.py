"""Background work of events (run by the worker: ``subsidia run_huey``): the e-mails to registrants (confirmation
with the .ics and the QR code of the check-in link, waiting-list position, promotion, cancellation, the result
of the allocation).

Each e-mail goes at most once per registration and purpose (and version), as the notification e-mails
(``notifications/tasks.py``): in its own transaction, the e-mail is first *claimed* (a :class:`RegistrationEmail`
row inserted under a unique key: a second worker or a re-run of the job waits on that key until the claim
commits, then finds it taken and skips), then handed to the mail server, then the claim commits. If the server
refuses or is down, the claim rolls back and the e-mail is still unsent; a job fails when any of its e-mails
could not be sent (after trying the others) and the worker retries it, skipping those already sent. A worker
killed after the server took a message and before the commit sends it again on the re-run with the same
Message-ID (``<registration-<pk>-<purpose>[-<version>]@host>``), which mail systems use to drop duplicates.
"""

from __future__ import annotations

import io
import logging
from functools import partial

import qrcode
from django.conf import settings
from django.core.mail import EmailMessage
from django.utils import formats, translation
from django.utils.translation import gettext as _
from huey.contrib.djhuey import db_task

from subsidia.core.sending import RETRY

from . import calendar, selectors, signing
from . import tasks_staff as tasks_staff  # huey discovers the modules named "tasks" only: this registers the staff jobs
from .explanation import explain
from .mailing import already_sent, send_each, send_once
from .mailing import message_id as message_id  # where the tests and the rerun checks look for it
from .models import Registration, RegistrationStatus

log = logging.getLogger(__name__)


def qr_png(data: str) -> bytes:
    image = qrcode.make(data, box_size=8, border=4)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def _when(registration: Registration) -> str:
    event = registration.event
    zone = calendar.zone_of(event)
    return _("du %(start)s au %(end)s") % {
        "start": formats.date_format(event.starts_at.astimezone(zone), "DATETIME_FORMAT"),
        "end": formats.date_format(event.ends_at.astimezone(zone), "DATETIME_FORMAT")}


def _links(registration: Registration) -> list[str]:
    return [
        _("Votre inscription : %(url)s") % {"url": signing.url_for(registration, "status")},
        _("Pour annuler : %(url)s") % {"url": signing.url_for(registration, "cancel")},
    ]


def _message(registration: Registration, kind: str) -> EmailMessage | None:
    event = registration.event
    where = calendar.location_of(event)
    greeting = _("Bonjour %(name)s,") % {"name": registration.full_name}
    attach_invitation = False
    if kind in ("confirmed", "promoted") and registration.status == RegistrationStatus.CONFIRMED:
        subject = _("Inscription confirmée : %(event)s") % {"event": event.title}
        intro = (_("Une place s'est libérée : vous passez de la liste d'attente à une inscription confirmée à "
                   "« %(event)s ».") if kind == "promoted"
                 else _("Votre inscription à « %(event)s » est confirmée.")) % {"event": event.title}
        parts = [greeting, intro, _when(registration), where,
                 _("À l'entrée, présentez le code QR joint : il permet d'enregistrer votre présence."),
                 _("L'invitation est jointe pour votre agenda (fichier .ics).")]
        attach_invitation = True
    elif kind == "waitlisted" and registration.status == RegistrationStatus.WAITLISTED:
        subject = _("Liste d'attente : %(event)s") % {"event": event.title}
        parts = [greeting,
                 _("L'événement « %(event)s » est complet : vous êtes inscrit(e) sur la liste d'attente, en "
                   "position %(position)s. Si une place se libère, vous serez inscrit(e) automatiquement et "
                   "prévenu(e) par e-mail.") % {"event": event.title,
                                                  "position": selectors.waitlist_position(registration)},
                 _when(registration), where]
    elif kind == "cancelled" and registration.status == RegistrationStatus.CANCELLED:
        subject = _("Inscription annulée : %(event)s") % {"event": event.title}
        parts = [greeting, _("Votre inscription à « %(event)s » est annulée.") % {"event": event.title},
                 calendar.page_url(event)]
        return EmailMessage(subject, "\n\n".join(p for p in parts if p), None, [registration.email])
    else:
        return None
    parts += _links(registration)
    message = EmailMessage(subject, "\n\n".join(p for p in parts if p), None, [registration.email])
    if attach_invitation:
        message.attach("invitation.ics", calendar.invitation(event, registration),
                       "text/calendar; charset=utf-8; method=REQUEST")
        message.attach("code-qr-presence.png", qr_png(signing.url_for(registration, "checkin")), "image/png")
    return message


@db_task(**RETRY)
def send_registration_email(registration_id: int, kind: str) -> bool:
    """``kind``: confirmed, waitlisted, promoted or cancelled (the purpose: a registration goes through each at
    most once). Nothing is sent if the registration has changed state since (or was deleted), or if this
    e-mail was sent already."""
    registration = Registration.objects.select_related("event").filter(pk=registration_id).first()
    if registration is None or already_sent(registration_id, kind):
        return False
    with translation.override(registration.language or settings.LANGUAGE_CODE):
        message = _message(registration, kind)
    if message is None or not send_once(registration, kind, message):
        return False
    log.info("event registration %s: %s e-mail sent", registration_id, kind)
    return True


def _allocation_message(registration: Registration) -> EmailMessage | None:
    with translation.override(registration.language or settings.LANGUAGE_CODE):
        lines = explain(registration)
        if not lines:
            return None
        subject = _("Votre place aux blocs et tables : %(event)s") % {"event": registration.event.title}
        body = "\n\n".join([_("Bonjour %(name)s,") % {"name": registration.full_name}, *lines,
                            *_links(registration)])
    return EmailMessage(subject, body, None, [registration.email])


def allocation_version(registration: Registration) -> str:
    """Each run of the allocation is told again (its result may differ): the version is the run's time."""
    allocated_at = registration.event.allocated_at
    return f"{allocated_at:%Y%m%d%H%M%S%f}" if allocated_at else ""


@db_task(**RETRY)
def send_allocation_results(event_id: int, registration_ids: list[int]) -> int:
    registrations = (Registration.objects.select_related("event")
                     .filter(event_id=event_id, pk__in=registration_ids, status=RegistrationStatus.CONFIRMED)
                     .order_by("pk"))
    return send_each(f"event {event_id} allocation results", [
        (r, "allocation", allocation_version(r), partial(_allocation_message, r))
        for r in registrations])
