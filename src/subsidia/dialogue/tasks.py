"""Background work of the dialogue: invitation e-mails with their .ics, and keeping every active series'
meetings generated a year ahead (run by the worker: ``subsidia run_huey``)."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from subsidia.accounts.models import User
from subsidia.notifications.models import Kind
from subsidia.notifications.services import wants_email

from . import calendar
from .models import Meeting, MeetingStatus

log = logging.getLogger(__name__)


@db_task(retries=3, retry_delay=60)
def send_meeting_invitations(meeting_id: int, user_ids: list[int]) -> int:
    meeting = Meeting.objects.select_related("series__department").filter(pk=meeting_id).first()
    if meeting is None:
        return 0
    people = [u for u in User.objects.filter(pk__in=user_ids, is_active=True).order_by("pk")
              if u.email and wants_email(u, Kind.MEETING_INVITATION)]
    attendees = [(u.email, u.full_name) for u in people]
    ics = calendar.invitation(meeting, attendees)
    cancelled = meeting.status == MeetingStatus.CANCELLED
    link = f"{settings.SITE_URL}/dialogue/reunions/{meeting.pk}/"
    for user in people:
        with translation.override(user.preferred_language or settings.LANGUAGE_CODE):
            when = formats.date_format(timezone.localtime(meeting.starts_at), "DATETIME_FORMAT")
            subject = (_("Annulée : %(series)s, %(when)s") if cancelled else _("Invitation : %(series)s, %(when)s")) \
                % {"series": meeting.series.title, "when": when}
            where = meeting.place or meeting.online_url or ""
            body = "\n\n".join(p for p in [
                _("Réunion du %(when)s.") % {"when": when}, where, meeting.online_url if meeting.place else "",
                _("L'invitation est jointe pour votre agenda (fichier .ics)."), link] if p)
        message = EmailMessage(subject, body, None, [user.email])
        method = "CANCEL" if cancelled else "REQUEST"
        message.attach("invitation.ics", ics, f"text/calendar; charset=utf-8; method={method}")
        message.send()
    log.info("meeting %s: %s invitations sent", meeting_id, len(people))
    return len(people)


@db_periodic_task(crontab(hour="6", minute="30"))
def extend_meeting_series() -> int:
    from .services import extend_all_series

    return extend_all_series()
