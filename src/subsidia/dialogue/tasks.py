"""Background work of the dialogue: invitation e-mails with their .ics, and keeping every active series'
meetings generated a year ahead (run by the worker: ``subsidia run_huey``).

An invitation goes at most once per meeting, invitee and meeting version (SEQUENCE), as the notification
e-mails (``notifications/tasks.py``): in its own transaction it is first *claimed* (an :class:`InvitationEmail`
row inserted under a unique key: a second worker or a re-run waits on that key until the claim commits, then
finds it taken), then handed to the mail server, then the claim commits; a refusal rolls the claim back. A
worker killed after the server took it and before the commit sends it again on the re-run, with the same
Message-ID (``<meeting-<pk>-<sequence>-invitation-<user pk>@host>``), which mail systems use to drop duplicates.
"""

from __future__ import annotations

from functools import partial
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from subsidia.accounts.models import User
from subsidia.core.sending import RETRY, claim_and_send, send_all
from subsidia.notifications.models import Kind
from subsidia.notifications.selectors import wants_email

from . import calendar
from .models import InvitationEmail, Meeting, MeetingStatus
from .services import extend_all_series

# As the notification e-mails: 1, 2, 4, 8 and 16 minutes between the tries.


def message_id(meeting: Meeting, user: User, sequence: int) -> str:
    host = urlsplit(settings.SITE_URL).hostname or "subsidia.invalid"
    return f"<meeting-{meeting.pk}-{sequence}-invitation-{user.pk}@{host}>"


def _already_sent(meeting: Meeting, user: User, sequence: int) -> bool:
    return InvitationEmail.objects.filter(meeting=meeting, user=user, sequence=sequence).exists()


def _message(meeting: Meeting, user: User, ics: bytes) -> EmailMessage:
    cancelled = meeting.status == MeetingStatus.CANCELLED
    link = f"{settings.SITE_URL}/dialogue/reunions/{meeting.pk}/"
    with translation.override(user.preferred_language or settings.LANGUAGE_CODE):
        when = formats.date_format(timezone.localtime(meeting.starts_at), "DATETIME_FORMAT")
        subject = (_("Annulée : %(series)s, %(when)s") if cancelled else _("Invitation : %(series)s, %(when)s")) \
            % {"series": meeting.series.title, "when": when}
        where = meeting.place or meeting.online_url or ""
        body = "\n\n".join(p for p in [
            _("Réunion du %(when)s.") % {"when": when}, where, meeting.online_url if meeting.place else "",
            _("L'invitation est jointe pour votre agenda (fichier .ics)."), link] if p)
    message = EmailMessage(subject, body, None, [user.email],
                           headers={"Message-ID": message_id(meeting, user, meeting.ical_sequence)})
    method = "CANCEL" if cancelled else "REQUEST"
    message.attach("invitation.ics", ics, f"text/calendar; charset=utf-8; method={method}")
    return message


def send_one(meeting: Meeting, user: User, ics: bytes) -> bool:
    """Claim (meeting, invitee, SEQUENCE), send, commit; True if sent now, False if sent already. Raises when
    the mail server does not take it (the claim is then rolled back)."""
    sequence = meeting.ical_sequence
    if _already_sent(meeting, user, sequence):
        return False
    message = _message(meeting, user, ics)

    def claim() -> bool:  # an IntegrityError if another run claimed it while we prepared the message
        InvitationEmail.objects.create(meeting=meeting, user=user, sequence=sequence)
        return True

    return claim_and_send(claim, lambda: message)


@db_task(**RETRY)
def send_meeting_invitations(meeting_id: int, user_ids: list[int]) -> int:
    """Each invitee gets the meeting once per version (its iCalendar SEQUENCE, raised when the date, place or
    status changes): a re-run or retry sends only to those not yet sent, a changed meeting to everyone again.
    Returns the number sent now; fails (to be retried) if any could not be sent, after trying the others."""
    meeting = Meeting.objects.select_related("series__department").filter(pk=meeting_id).first()
    if meeting is None:
        return 0
    people = [u for u in User.objects.filter(pk__in=user_ids, is_active=True).order_by("pk")
              if u.email and wants_email(u, Kind.MEETING_INVITATION)]
    attendees = [(u.email, u.full_name) for u in people]
    ics = calendar.invitation(meeting, attendees)
    return send_all(f"meeting {meeting_id} invitations",
                    ((f"user {user.pk}", partial(send_one, meeting, user, ics)) for user in people))


@db_periodic_task(crontab(hour="6", minute="30"))
def extend_meeting_series() -> int:
    return extend_all_series()
