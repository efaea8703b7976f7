"""Writes on a meeting: an extra one outside the cadence, a move, relocation, cancellation or "held", the
minutes (with the decisions and who attended) and their publication, and the invitations.

A meeting's status has no transition table: an officer sets it on the meeting's form in any direction (a
cancellation undone, a meeting marked held by mistake planned again) under rules of dates, and core's
optimistic locking guards the edit (see :mod:`subsidia.dialogue.workflow`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from subsidia.accounts.actors import Actor
from subsidia.audit.services import record, snapshot
from subsidia.core.errors import Code, Conflict, RuleViolation, Violation
from subsidia.core.versions import check_version
from subsidia.notifications.models import Kind, Notification
from subsidia.notifications.services import notify

from . import selectors
from .errors import DialogueError
from .inputs import AttendanceRow, MeetingInput, MinutesInput
from .models import Attendance, AttendanceStatus, Meeting, MeetingDecision, MeetingSeries, MeetingStatus
from .services import locked_meeting, locked_series, meeting_url, require_officer, web_address, when
from .tasks import send_meeting_invitations

MEETING_FIELDS = ["starts_at", "ends_at", "place", "online_url", "status", "minutes", "minutes_published_at",
                  "ical_sequence", "version"]
# Changing one of these changes the event in people's calendars (iCalendar SEQUENCE).
CALENDAR_FIELDS = ("starts_at", "ends_at", "place", "online_url", "status")


# --- meetings ------------------------------------------------------------------------------------

def _meeting_values(data: MeetingInput, series: MeetingSeries) -> dict[str, object]:
    """The meeting's values, every broken rule at once: the series' usual duration and place where not given,
    the dates in order, held only once begun."""
    problems: list[Violation] = []
    ends = data.ends_at or data.starts_at + timedelta(minutes=series.duration_minutes)
    values: dict[str, object] = {
        "starts_at": data.starts_at, "ends_at": ends, "status": data.status,
        "place": (series.place if data.place is None else data.place.strip())[:200],
        "online_url": web_address(series.online_url if data.online_url is None else data.online_url, "online_url",
                                  problems)}
    if data.status not in MeetingStatus.values:
        problems.append(Violation(Code.INVALID_CHOICE, _("Statut inconnu."), "status"))
    if ends <= data.starts_at:
        problems.append(Violation(Code.DATES_INVALID, _("La réunion finit après avoir commencé."), "ends_at"))
    if data.status == MeetingStatus.HELD and data.starts_at > timezone.now():
        problems.append(Violation(DialogueError.NOT_YET, _("Une réunion à venir ne peut être marquée comme tenue."),
                                  "status"))
    if problems:
        raise RuleViolation(problems)
    return values


@transaction.atomic
def add_meeting(actor: Actor, series: MeetingSeries, data: MeetingInput) -> Meeting:
    """An extra meeting, outside the cadence."""
    series = locked_series(actor, series)
    require_officer(actor)
    meeting = Meeting(series=series)
    for key, value in _meeting_values(data, series).items():
        setattr(meeting, key, value)
    meeting.save()
    record(actor, "meeting.create", meeting, after=snapshot(meeting, MEETING_FIELDS))
    return meeting


@transaction.atomic
def update_meeting(actor: Actor, meeting: Meeting, data: MeetingInput,
                   expected_version: int | None = None) -> Meeting:
    """Move, relocate, cancel or mark a meeting held. Calendars see the change (SEQUENCE rises)."""
    meeting = locked_meeting(actor, meeting)
    require_officer(actor)
    check_version(meeting, expected_version)
    values = _meeting_values(data, meeting.series)
    before = snapshot(meeting, MEETING_FIELDS)
    changed_calendar = any(values[key] != getattr(meeting, key) for key in CALENDAR_FIELDS)
    for key, value in values.items():
        setattr(meeting, key, value)
    if changed_calendar:
        meeting.ical_sequence += 1
    meeting.save_bumped()
    record(actor, "meeting.update", meeting, before=before, after=snapshot(meeting, MEETING_FIELDS))
    if changed_calendar and meeting.invitations_sent_at is not None:
        _send_invitations(meeting)  # people already invited get the update
    return meeting


def _attendance(meeting: Meeting, rows: Sequence[AttendanceRow]) -> list[Attendance]:
    """Who attended, each row named (``attendance.<i>.<field>``) in its problems, all at once."""
    problems: list[Violation] = []
    allowed = set(meeting.series.organisations.values_list("pk", flat=True))
    attendance = []
    for index, row in enumerate(rows):
        name = row.person_name.strip()
        if not name:
            problems.append(Violation(Code.REQUIRED, _("Indiquez le nom de chaque personne."),
                                      f"attendance.{index}.person_name"))
        if row.status not in AttendanceStatus.values:
            problems.append(Violation(Code.INVALID_CHOICE, _("Présence inconnue."), f"attendance.{index}.status"))
        if row.organisation is not None and row.organisation not in allowed:
            problems.append(Violation(Code.INVALID_CHOICE, _("Cette organisation ne participe pas à la série."),
                                      f"attendance.{index}.organisation"))
        attendance.append(Attendance(meeting=meeting, person_name=name[:200], status=row.status,
                                     organisation_id=row.organisation))
    if problems:
        raise RuleViolation(problems)
    return attendance


def _minutes_snapshot(meeting: Meeting) -> dict[str, object]:
    return {**snapshot(meeting, MEETING_FIELDS), "decisions": [d.text for d in meeting.decisions.all()],
            "attendance": [[a.person_name, a.status] for a in meeting.attendance.all()]}


@transaction.atomic
def record_minutes(actor: Actor, meeting: Meeting, data: MinutesInput, expected_version: int | None = None) -> Meeting:
    """Write (or correct) the minutes, the decisions and who attended. Possible once the meeting has begun."""
    meeting = locked_meeting(actor, meeting)
    require_officer(actor)
    check_version(meeting, expected_version)
    if meeting.status == MeetingStatus.CANCELLED:
        raise Conflict.single(DialogueError.MEETING_CANCELLED, _("Cette réunion est annulée."), "status")
    if meeting.starts_at > timezone.now():
        raise Conflict.single(DialogueError.NOT_HELD_YET, _("Le compte rendu s'écrit une fois la réunion commencée."),
                              "minutes")
    attendance = _attendance(meeting, data.attendance or ())
    before = _minutes_snapshot(meeting)
    meeting.minutes = data.minutes.strip()
    if meeting.status == MeetingStatus.PLANNED:
        meeting.status = MeetingStatus.HELD
    meeting.save_bumped()
    if data.decisions is not None:
        meeting.decisions.all().delete()
        MeetingDecision.objects.bulk_create([MeetingDecision(meeting=meeting, text=text.strip(), position=i)
                                             for i, text in enumerate(data.decisions) if text.strip()])
    if data.attendance is not None:
        meeting.attendance.all().delete()
        Attendance.objects.bulk_create(attendance)
    record(actor, "meeting.minutes", meeting, before=before, after=_minutes_snapshot(meeting))
    return meeting


@transaction.atomic
def publish_minutes(actor: Actor, meeting: Meeting, expected_version: int | None = None) -> Meeting:
    """Make the minutes readable by the partners, and tell the participants."""
    meeting = locked_meeting(actor, meeting)
    require_officer(actor)
    check_version(meeting, expected_version)
    if meeting.minutes_published_at is not None:
        raise Conflict.single(DialogueError.ALREADY_PUBLISHED, _("Le compte rendu est déjà publié."), "minutes")
    if not meeting.minutes:
        raise RuleViolation.single(Code.REQUIRED, _("Rédigez le compte rendu avant de le publier."), "minutes")
    before = snapshot(meeting, MEETING_FIELDS)
    meeting.minutes_published_at = timezone.now()
    meeting.save_bumped()
    record(actor, "meeting.publish_minutes", meeting, before=before, after=snapshot(meeting, MEETING_FIELDS))
    notify(selectors.participants(meeting.series), Kind.MINUTES_PUBLISHED, lambda: (
        _("Compte rendu publié : %(series)s") % {"series": meeting.series.title},
        _("Le compte rendu de la réunion du %(when)s est en ligne.") % {"when": when(meeting)}),
        meeting_url(meeting))
    return meeting


# --- invitations and calendars -------------------------------------------------------------------

def _send_invitations(meeting: Meeting) -> list[int]:
    people = list(selectors.participants(meeting.series))
    cancelled = meeting.status == MeetingStatus.CANCELLED
    created = notify(people, Kind.MEETING_INVITATION, lambda: (
        (_("Annulée : %(series)s, %(when)s") if cancelled else _("Invitation : %(series)s, %(when)s")) % {
            "series": meeting.series.title, "when": when(meeting)},
        meeting.place or meeting.online_url), meeting_url(meeting))
    # The invitation e-mails (with their .ics) are sent by this task, not by the generic notification mail.
    Notification.objects.filter(pk__in=[n.pk for n in created]).update(emailed_at=timezone.now())
    user_ids = [p.pk for p in people]
    transaction.on_commit(lambda: send_meeting_invitations(meeting.pk, user_ids))
    return user_ids


@transaction.atomic
def send_invitations(actor: Actor, meeting: Meeting, expected_version: int | None = None) -> list[int]:
    """E-mail every participant an invitation with the meeting as an .ics attachment."""
    meeting = locked_meeting(actor, meeting)
    require_officer(actor)
    check_version(meeting, expected_version)
    if meeting.status != MeetingStatus.PLANNED or meeting.starts_at <= timezone.now():
        raise Conflict.single(DialogueError.MEETING_PAST, _("On n'invite qu'à une réunion prévue et à venir."),
                              "status")
    user_ids = _send_invitations(meeting)
    meeting.invitations_sent_at = timezone.now()
    meeting.save(update_fields=["invitations_sent_at", "updated_at"])
    record(actor, "meeting.invite", meeting, after={"invited": len(user_ids)})
    return user_ids


