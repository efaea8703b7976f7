"""Writes on a meeting: an extra one outside the cadence, a move, relocation, cancellation or "held", the
minutes (with the decisions and who attended) and their publication, and the invitations.

A meeting's status has no transition table: an officer sets it on the meeting's form in any direction (a
cancellation undone, a meeting marked held by mistake planned again) under rules of dates, and core's
optimistic locking guards the edit (see :mod:`subsidia.dialogue.workflow`)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from subsidia.accounts.actors import Actor
from subsidia.audit.services import record, snapshot
from subsidia.core.errors import Code, Conflict, RuleViolation, Violation
from subsidia.core.values import parse_id
from subsidia.core.versions import check_version
from subsidia.notifications.models import Kind, Notification
from subsidia.notifications.services import notify

from . import selectors
from .errors import DialogueError
from .models import Attendance, AttendanceStatus, Meeting, MeetingDecision, MeetingSeries, MeetingStatus
from .services import locked_meeting, locked_series, meeting_url, moment, require_officer, web_address, when

MEETING_FIELDS = ["starts_at", "ends_at", "place", "online_url", "status", "minutes", "minutes_published_at",
                  "ical_sequence", "version"]
# Changing one of these changes the event in people's calendars (iCalendar SEQUENCE).
CALENDAR_FIELDS = ("starts_at", "ends_at", "place", "online_url", "status")


# --- meetings ------------------------------------------------------------------------------------

def _meeting_data(data: dict[str, Any], meeting: Meeting | None, series: MeetingSeries) -> dict[str, Any]:
    problems: list[Violation] = []
    clean: dict[str, Any] = {}
    for key in ("starts_at", "ends_at"):
        if key in data or (meeting is None and key == "starts_at"):
            clean[key] = moment(data.get(key), key, problems)
    if "place" in data:
        clean["place"] = str(data["place"] or "").strip()[:200]
    if "online_url" in data:
        clean["online_url"] = web_address(data["online_url"], "online_url", problems)
    if "status" in data:
        if data["status"] not in MeetingStatus.values:
            problems.append(Violation(Code.INVALID_CHOICE, _("Statut inconnu."), "status"))
        clean["status"] = data["status"]
    starts = clean.get("starts_at") or (meeting.starts_at if meeting else None)
    if meeting is None and starts and not clean.get("ends_at"):
        clean["ends_at"] = starts + timedelta(minutes=series.duration_minutes)
    ends = clean.get("ends_at") or (meeting.ends_at if meeting else None)
    if starts and ends and ends <= starts:
        problems.append(Violation(Code.DATES_INVALID, _("La réunion finit après avoir commencé."), "ends_at"))
    if clean.get("status") == MeetingStatus.HELD and starts and starts > timezone.now():
        problems.append(Violation(DialogueError.NOT_YET, _("Une réunion à venir ne peut être marquée comme tenue."),
                                  "status"))
    if problems:
        raise RuleViolation(problems)
    return clean


@transaction.atomic
def add_meeting(actor: Actor, series: MeetingSeries, data: dict[str, Any]) -> Meeting:
    """An extra meeting, outside the cadence."""
    series = locked_series(actor, series)
    require_officer(actor)
    clean = _meeting_data(data, None, series)
    clean.setdefault("place", series.place)
    clean.setdefault("online_url", series.online_url)
    meeting = Meeting.objects.create(series=series, **clean)
    record(actor, "meeting.create", meeting, after=snapshot(meeting, MEETING_FIELDS))
    return meeting


@transaction.atomic
def update_meeting(actor: Actor, meeting: Meeting, data: dict[str, Any],
                   expected_version: int | None = None) -> Meeting:
    """Move, relocate, cancel or mark a meeting held. Calendars see the change (SEQUENCE rises)."""
    meeting = locked_meeting(actor, meeting)
    require_officer(actor)
    check_version(meeting, expected_version)
    clean = _meeting_data(data, meeting, meeting.series)
    before = snapshot(meeting, MEETING_FIELDS)
    changed_calendar = any(key in clean and clean[key] != getattr(meeting, key) for key in CALENDAR_FIELDS)
    for key, value in clean.items():
        setattr(meeting, key, value)
    if changed_calendar:
        meeting.ical_sequence += 1
    meeting.save_bumped()
    record(actor, "meeting.update", meeting, before=before, after=snapshot(meeting, MEETING_FIELDS))
    if changed_calendar and meeting.invitations_sent_at is not None:
        _send_invitations(meeting)  # people already invited get the update
    return meeting


@transaction.atomic
def record_minutes(actor: Actor, meeting: Meeting, minutes: str, decisions: Iterable[str] | None = None,
                   attendance: Iterable[dict[str, Any]] | None = None,
                   expected_version: int | None = None) -> Meeting:
    """Write (or correct) the minutes, the decisions and who attended. Possible once the meeting has begun."""
    meeting = locked_meeting(actor, meeting)
    require_officer(actor)
    check_version(meeting, expected_version)
    if meeting.status == MeetingStatus.CANCELLED:
        raise Conflict.single(DialogueError.MEETING_CANCELLED, _("Cette réunion est annulée."), "status")
    if meeting.starts_at > timezone.now():
        raise Conflict.single(DialogueError.NOT_HELD_YET, _("Le compte rendu s'écrit une fois la réunion commencée."),
                              "minutes")
    problems: list[Violation] = []
    rows: list[Attendance] = []
    allowed = set(meeting.series.organisations.values_list("pk", flat=True))
    for index, row in enumerate(attendance or []):
        name = str(row.get("person_name") or "").strip()
        status = row.get("status") or AttendanceStatus.PRESENT
        organisation_id = parse_id(row.get("organisation"))
        if not name:
            problems.append(Violation(Code.REQUIRED, _("Indiquez le nom de chaque personne."),
                                      f"attendance.{index}.person_name"))
        if status not in AttendanceStatus.values:
            problems.append(Violation(Code.INVALID_CHOICE, _("Présence inconnue."), f"attendance.{index}.status"))
        if row.get("organisation") not in (None, "") and organisation_id not in allowed:
            problems.append(Violation(Code.INVALID_CHOICE, _("Cette organisation ne participe pas à la série."),
                                      f"attendance.{index}.organisation"))
        rows.append(Attendance(meeting=meeting, person_name=name[:200], status=status,
                               organisation_id=organisation_id))
    if problems:
        raise RuleViolation(problems)
    before = {**snapshot(meeting, MEETING_FIELDS), "decisions": [d.text for d in meeting.decisions.all()],
              "attendance": [[a.person_name, a.status] for a in meeting.attendance.all()]}
    meeting.minutes = str(minutes or "").strip()
    if meeting.status == MeetingStatus.PLANNED:
        meeting.status = MeetingStatus.HELD
    meeting.save_bumped()
    if decisions is not None:
        meeting.decisions.all().delete()
        MeetingDecision.objects.bulk_create([MeetingDecision(meeting=meeting, text=text.strip(), position=i)
                                             for i, text in enumerate(decisions) if str(text).strip()])
    if attendance is not None:
        meeting.attendance.all().delete()
        Attendance.objects.bulk_create(rows)
    record(actor, "meeting.minutes", meeting, before=before, after={
        **snapshot(meeting, MEETING_FIELDS), "decisions": [d.text for d in meeting.decisions.all()],
        "attendance": [[a.person_name, a.status] for a in meeting.attendance.all()]})
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
    from .tasks import send_meeting_invitations

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


