"""Writes on the dialogue: series and their cadence, meetings, agenda, attendance, minutes, action items and
invitations. Same rules as every service: the actor first, one transaction, the audit trail, notifications
on commit; a refusal raises a :class:`~subsidia.core.errors.RuleViolation` and writes nothing."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from subsidia.accounts.actors import Actor
from subsidia.accounts.models import User
from subsidia.accounts.roles import STAFF_ROLES, Role
from subsidia.audit.services import record, snapshot
from subsidia.core.errors import Code, Conflict, NotFound, PermissionDenied, RuleViolation, Violation
from subsidia.core.values import parse_date, parse_id
from subsidia.core.versions import check_version, locked
from subsidia.notifications.models import Kind, Notification
from subsidia.notifications.services import notify
from subsidia.organisations.models import LegalForm, Organisation

from . import cadence, selectors
from .errors import DialogueError
from .models import (
    ActionItem,
    ActionStatus,
    AgendaItem,
    AgendaItemStatus,
    Attendance,
    AttendanceStatus,
    Cadence,
    CalendarToken,
    Meeting,
    MeetingDecision,
    MeetingSeries,
    MeetingStatus,
)
from .workflow import AGENDA_WORKFLOW, OFFICERS_ONLY

SERIES_FIELDS = ["title", "description", "department", "cadence", "first_starts_at", "duration_minutes", "place",
                 "online_url", "is_active", "organisations", "ministry_participants"]
MEETING_FIELDS = ["starts_at", "ends_at", "place", "online_url", "status", "minutes", "minutes_published_at",
                  "ical_sequence", "version"]
# Changing one of these changes the event in people's calendars (iCalendar SEQUENCE).
CALENDAR_FIELDS = ("starts_at", "ends_at", "place", "online_url", "status")
ACTION_FIELDS = ["title", "description", "owner", "owner_organisation", "due_on", "status", "closed_at", "version"]


# --- helpers -------------------------------------------------------------------------------------

def _require_officer(actor: Any) -> None:
    if not selectors.manages_dialogue(actor):
        raise PermissionDenied.single(Code.FORBIDDEN, str(OFFICERS_ONLY))


def _visible_series(actor: Any, series: MeetingSeries) -> MeetingSeries:
    return locked(selectors.series_visible_to(actor), series, _("Série de réunions introuvable."))


def _visible_meeting(actor: Any, meeting: Meeting) -> Meeting:
    return locked(selectors.meetings_visible_to(actor), meeting, _("Réunion introuvable."))


def _datetime(value: Any, field: str, problems: list[Violation]) -> datetime | None:
    moment: datetime | None
    if isinstance(value, datetime):
        moment = value
    else:
        try:
            moment = parse_datetime(str(value or "")) if value not in (None, "") else None
        except ValueError:
            moment = None
        if moment is None:
            problems.append(Violation(Code.INVALID if value not in (None, "") else Code.REQUIRED,
                                      _("Date et heure invalides (AAAA-MM-JJ HH:MM).") if value not in (None, "")
                                      else _("Ce champ est obligatoire."), field))
            return None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, timezone.get_current_timezone())
    return moment


def _url(value: Any, field: str, problems: list[Violation]) -> str:
    text = str(value or "").strip()
    if text:
        try:
            URLValidator(schemes=["https", "http"])(text)
        except ValidationError:
            problems.append(Violation(Code.INVALID, _("Adresse web invalide (https://…)."), field))
    return text


def _meeting_url(meeting: Meeting) -> str:
    return reverse("dialogue:meeting", kwargs={"pk": meeting.pk})


def _when(meeting: Meeting) -> str:
    return formats.date_format(timezone.localtime(meeting.starts_at), "DATETIME_FORMAT")


# --- series --------------------------------------------------------------------------------------

def _series_data(data: dict[str, Any], series: MeetingSeries | None) -> dict[str, Any]:
    problems: list[Violation] = []
    clean: dict[str, Any] = {}
    for key in ("title", "description", "place"):
        if key in data:
            clean[key] = str(data[key] or "").strip()
    if not clean.get("title", series.title if series else ""):
        problems.append(Violation(Code.REQUIRED, _("L'intitulé est obligatoire."), "title"))
    if "online_url" in data:
        clean["online_url"] = _url(data["online_url"], "online_url", problems)
    if "department" in data or series is None:
        value = data.get("department")
        department = Organisation.objects.filter(pk=parse_id(value) or 0, legal_form=LegalForm.ADMINISTRATION).first()
        if department is None or department.legal_form != LegalForm.ADMINISTRATION:
            problems.append(Violation(Code.INVALID_CHOICE, _("Choisissez le ministère ou le département."),
                                      "department"))
        clean["department"] = department
    if "cadence" in data or series is None:
        if data.get("cadence") not in Cadence.values:
            problems.append(Violation(Code.INVALID_CHOICE, _("Rythme inconnu."), "cadence"))
        clean["cadence"] = data.get("cadence")
    if "first_starts_at" in data or series is None:
        clean["first_starts_at"] = _datetime(data.get("first_starts_at"), "first_starts_at", problems)
    if "duration_minutes" in data:
        try:
            minutes = int(data["duration_minutes"])
            if not 15 <= minutes <= 720:
                raise ValueError
            clean["duration_minutes"] = minutes
        except (TypeError, ValueError):
            problems.append(Violation(Code.INVALID, _("Une durée entre 15 et 720 minutes est attendue."),
                                      "duration_minutes"))
    if "is_active" in data:
        clean["is_active"] = bool(data["is_active"])
    if "organisations" in data or series is None:
        ids = [parse_id(o) for o in data.get("organisations") or []]
        organisations = list(Organisation.objects.filter(pk__in=[i for i in ids if i is not None]))
        if len(organisations) != len(set(map(str, ids))) or not organisations:
            problems.append(Violation(Code.INVALID_CHOICE, _("Choisissez au moins une organisation participante (et "
                                                          "seulement des organisations connues)."), "organisations"))
        clean["organisations"] = organisations
    if "ministry_participants" in data:
        ids = [parse_id(u) for u in data.get("ministry_participants") or []]
        people = list(User.objects.filter(pk__in=[i for i in ids if i is not None],
                                          role_grants__role__in=STAFF_ROLES).distinct())
        if len(people) != len(set(map(str, ids))):
            problems.append(Violation(Code.INVALID_CHOICE, _("Seuls des agents du ministère participent pour le "
                                                          "ministère."), "ministry_participants"))
        clean["ministry_participants"] = people
    if problems:
        raise RuleViolation(problems)
    return clean


def _apply_series(series: MeetingSeries, clean: dict[str, Any]) -> None:
    relations = {key: clean.pop(key) for key in ("organisations", "ministry_participants") if key in clean}
    for key, value in clean.items():
        setattr(series, key, value)
    series.save_bumped() if series.pk else series.save()
    for key, value in relations.items():
        getattr(series, key).set(value)


def _generate(series: MeetingSeries, until: datetime, since: datetime) -> list[Meeting]:
    existing = set(series.meetings.exclude(occurrence__isnull=True).values_list("occurrence", flat=True))
    created = []
    duration = timedelta(minutes=series.duration_minutes)
    for n, start in cadence.occurrences(series.first_starts_at, series.cadence, until):
        if n in existing or start < since:
            continue
        created.append(Meeting.objects.create(series=series, occurrence=n, starts_at=start, ends_at=start + duration,
                                              place=series.place, online_url=series.online_url))
    return created


def _horizon() -> datetime:
    return timezone.now() + timedelta(days=settings.MEETING_HORIZON_DAYS)


@transaction.atomic
def create_series(actor: Any, data: dict[str, Any]) -> MeetingSeries:
    """An officer sets up a series; its meetings are generated from the cadence for the coming year."""
    _require_officer(actor)
    clean = _series_data(data, None)
    series = MeetingSeries(created_by=actor)
    _apply_series(series, clean)
    meetings = _generate(series, _horizon(), since=min(series.first_starts_at, timezone.now()))
    record(actor, "meeting_series.create", series, after={**snapshot(series, SERIES_FIELDS),
                                                          "meetings": len(meetings)})
    return series


@transaction.atomic
def update_series(actor: Any, series: MeetingSeries, data: dict[str, Any],
                  expected_version: int | None = None) -> MeetingSeries:
    """Change a series. Meetings already generated stay as they are; new occurrences follow the new cadence."""
    series = _visible_series(actor, series)
    _require_officer(actor)
    check_version(series, expected_version)
    clean = _series_data(data, series)
    before = snapshot(series, SERIES_FIELDS)
    _apply_series(series, clean)
    record(actor, "meeting_series.update", series, before=before, after=snapshot(series, SERIES_FIELDS))
    return series


@transaction.atomic
def generate_meetings(actor: Any, series: MeetingSeries, until: datetime | None = None,
                      expected_version: int | None = None) -> list[Meeting]:
    """Create the meetings of the cadence up to ``until`` (a year ahead by default) that do not exist yet.
    Past dates are not filled in, and an occurrence moved or cancelled by an officer is never re-created."""
    series = _visible_series(actor, series)
    _require_officer(actor)
    check_version(series, expected_version)
    meetings = _generate(series, until or _horizon(), since=timezone.now())
    if meetings:
        record(actor, "meeting_series.generate", series, after={
            "meetings": [timezone.localtime(m.starts_at).isoformat() for m in meetings]})
    return meetings


def extend_all_series() -> int:
    """Keep every active series' meetings generated a year ahead (the worker runs this daily)."""
    created = 0
    for series in MeetingSeries.objects.filter(is_active=True):
        with transaction.atomic():
            meetings = _generate(series, _horizon(), since=timezone.now())
            if meetings:
                record(None, "meeting_series.generate", series, after={
                    "meetings": [timezone.localtime(m.starts_at).isoformat() for m in meetings]})
            created += len(meetings)
    return created


# --- meetings ------------------------------------------------------------------------------------

def _meeting_data(data: dict[str, Any], meeting: Meeting | None, series: MeetingSeries) -> dict[str, Any]:
    problems: list[Violation] = []
    clean: dict[str, Any] = {}
    for key in ("starts_at", "ends_at"):
        if key in data or (meeting is None and key == "starts_at"):
            clean[key] = _datetime(data.get(key), key, problems)
    if "place" in data:
        clean["place"] = str(data["place"] or "").strip()[:200]
    if "online_url" in data:
        clean["online_url"] = _url(data["online_url"], "online_url", problems)
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
def add_meeting(actor: Any, series: MeetingSeries, data: dict[str, Any]) -> Meeting:
    """An extra meeting, outside the cadence."""
    series = _visible_series(actor, series)
    _require_officer(actor)
    clean = _meeting_data(data, None, series)
    clean.setdefault("place", series.place)
    clean.setdefault("online_url", series.online_url)
    meeting = Meeting.objects.create(series=series, **clean)
    record(actor, "meeting.create", meeting, after=snapshot(meeting, MEETING_FIELDS))
    return meeting


@transaction.atomic
def update_meeting(actor: Any, meeting: Meeting, data: dict[str, Any],
                   expected_version: int | None = None) -> Meeting:
    """Move, relocate, cancel or mark a meeting held. Calendars see the change (SEQUENCE rises)."""
    meeting = _visible_meeting(actor, meeting)
    _require_officer(actor)
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
def record_minutes(actor: Any, meeting: Meeting, minutes: str, decisions: Iterable[str] | None = None,
                   attendance: Iterable[dict[str, Any]] | None = None,
                   expected_version: int | None = None) -> Meeting:
    """Write (or correct) the minutes, the decisions and who attended. Possible once the meeting has begun."""
    meeting = _visible_meeting(actor, meeting)
    _require_officer(actor)
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
def publish_minutes(actor: Any, meeting: Meeting, expected_version: int | None = None) -> Meeting:
    """Make the minutes readable by the partners, and tell the participants."""
    meeting = _visible_meeting(actor, meeting)
    _require_officer(actor)
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
        _("Le compte rendu de la réunion du %(when)s est en ligne.") % {"when": _when(meeting)}),
        _meeting_url(meeting))
    return meeting


# --- agenda --------------------------------------------------------------------------------------

@transaction.atomic
def propose_agenda_item(actor: Any, meeting: Meeting, title: str, description: str = "",
                        organisation: Organisation | int | None = None) -> AgendaItem:
    """An officer adds a point to the agenda; a partner's gestionnaire proposes one, which an officer accepts
    or declines."""
    meeting = _visible_meeting(actor, meeting)
    is_officer = selectors.manages_dialogue(actor)
    own = selectors.organisations_of(actor, meeting.series, admin=True)
    if not is_officer and not own.exists():
        raise PermissionDenied.single(Code.FORBIDDEN, _("Seuls les agents et les gestionnaires des organisations "
                                                     "participantes proposent des points."))
    if meeting.status != MeetingStatus.PLANNED or meeting.starts_at <= timezone.now():
        raise Conflict.single(DialogueError.MEETING_PAST,
                              _("L'ordre du jour d'une réunion passée ou annulée est clos."), "meeting")
    problems: list[Violation] = []
    title = str(title or "").strip()
    if not title:
        problems.append(Violation(Code.REQUIRED, _("Formulez le point à inscrire."), "title"))
    elif len(title) > 200:
        problems.append(Violation(Code.INVALID, _("Le point ne peut dépasser 200 caractères."), "title"))
    on_behalf = None
    if not is_officer:
        organisation_id = parse_id(organisation)
        on_behalf = own.filter(pk=organisation_id).first() if organisation_id else own.first()
        if on_behalf is None:
            problems.append(Violation(Code.INVALID_CHOICE, _("Vous ne représentez pas cette organisation."),
                                      "organisation"))
    if problems:
        raise RuleViolation(problems)
    position = (meeting.agenda_items.order_by("-position").values_list("position", flat=True).first() or 0) + 1
    item = AgendaItem.objects.create(
        meeting=meeting, title=title, description=str(description or "").strip(), proposed_by=actor,
        organisation=on_behalf, position=position,
        status=AgendaItemStatus.ACCEPTED if is_officer else AgendaItemStatus.PROPOSED)
    record(actor, "meeting.agenda_propose", meeting, after={"item": item.title, "status": item.status,
                                                           "organisation": str(on_behalf or "")})
    if not is_officer:
        officers = User.objects.filter(role_grants__role=Role.OFFICER, is_active=True).distinct()
        notify(officers, Kind.AGENDA_ITEM_PROPOSED, lambda: (
            _("Point proposé par %(org)s") % {"org": on_behalf},
            _("« %(title)s », pour la réunion du %(when)s.") % {"title": item.title, "when": _when(meeting)}),
            _meeting_url(meeting))
    return item


@transaction.atomic
def decide_agenda_item(actor: Actor, item: AgendaItem, *, accept: bool, reason: str = "") -> AgendaItem:
    """An officer accepts a proposed point, or declines it with the reason the proposer is told."""
    meeting = _visible_meeting(actor, item.meeting)
    _require_officer(actor)
    item = locked(meeting.agenda_items.all(), item, _("Point introuvable."))
    name = "accept" if accept else "decline"
    act = AGENDA_WORKFLOW.require(actor, item, name)
    reason = str(reason or "").strip()
    if act.reason_required and not reason:
        raise RuleViolation.single(Code.REASON_REQUIRED,
                                   _("Dites à l'organisation pourquoi le point n'est pas retenu."), "reason")
    AGENDA_WORKFLOW.move(actor, item, name, note=reason, audit_fields=["title", "status", "decline_reason"],
                         changes=lambda i: setattr(i, "decline_reason", "" if accept else reason))
    if item.proposed_by is not None:
        notify([item.proposed_by], Kind.AGENDA_ITEM_PROPOSED, lambda: (
            _("Votre point « %(title)s » : %(status)s") % {"title": item.title, "status": item.get_status_display()},
            reason), _meeting_url(meeting))
    return item


# --- action items --------------------------------------------------------------------------------

def _action_owner(series: MeetingSeries, data: dict[str, Any], problems: list[Violation]) -> dict[str, Any]:
    clean: dict[str, Any] = {}
    if "owner_organisation" in data:
        value = data["owner_organisation"]
        organisation = series.organisations.filter(pk=parse_id(value) or 0).first()
        if value not in (None, "") and organisation is None:
            problems.append(Violation(Code.INVALID_CHOICE, _("Cette organisation ne participe pas à la série."),
                                      "owner_organisation"))
        clean["owner_organisation"] = organisation
    if "owner" in data:
        value = data["owner"]
        owner = selectors.participants(series).filter(pk=parse_id(value) or 0).first()
        if value not in (None, "") and owner is None:
            problems.append(Violation(Code.INVALID_CHOICE, _("Le responsable doit participer à la série."), "owner"))
        clean["owner"] = owner
    return clean


@transaction.atomic
def add_action_item(actor: Any, meeting: Meeting, data: dict[str, Any]) -> ActionItem:
    """An action decided at a meeting, with its owner (a person, an organisation or both) and due date."""
    meeting = _visible_meeting(actor, meeting)
    _require_officer(actor)
    problems: list[Violation] = []
    title = str(data.get("title") or "").strip()
    if not title:
        problems.append(Violation(Code.REQUIRED, _("Décrivez l'action."), "title"))
    clean = _action_owner(meeting.series, data, problems)
    due_on = None
    try:
        due_on = parse_date(data.get("due_on"), "due_on", required=False)
    except RuleViolation as error:
        problems.extend(error.violations)
    if not clean.get("owner") and not clean.get("owner_organisation") and not problems:
        problems.append(Violation(Code.REQUIRED, _("Désignez un responsable (une personne ou une organisation)."),
                                  "owner"))
    if problems:
        raise RuleViolation(problems)
    item = ActionItem.objects.create(series=meeting.series, raised_at=meeting, title=title[:200],
                                     description=str(data.get("description") or "").strip(), due_on=due_on,
                                     created_by=actor, **clean)
    record(actor, "action_item.create", item, after=snapshot(item, ACTION_FIELDS))
    _notify_owner(item)
    return item


def _notify_owner(item: ActionItem) -> None:
    people: list[Any] = [item.owner] if item.owner else []
    if item.owner_organisation is not None:
        people += list(User.objects.filter(memberships__organisation=item.owner_organisation,
                                           memberships__role=Role.PARTNER_ADMIN, is_active=True))
    due = formats.date_format(item.due_on) if item.due_on else _("sans échéance")
    notify(people, Kind.ACTION_ITEM, lambda: (
        _("Action de suivi : %(title)s") % {"title": item.title},
        _("Décidée lors de la réunion « %(series)s » ; échéance : %(due)s.") % {
            "series": item.series.title, "due": due}), _meeting_url(item.raised_at))


@transaction.atomic
def update_action_item(actor: Any, item: ActionItem, data: dict[str, Any],
                       expected_version: int | None = None) -> ActionItem:
    """Officers change anything; the owner (or the owner organisation's gestionnaire) updates the status."""
    if not selectors.series_visible_to(actor).filter(pk=item.series_id).exists():
        raise NotFound.single(Code.NOT_FOUND, _("Action introuvable."))
    item = ActionItem.objects.select_for_update(of=("self",)).select_related("series", "raised_at",
                                                                               "owner_organisation").get(pk=item.pk)
    if not selectors.can_update_action(actor, item):
        raise PermissionDenied.single(Code.FORBIDDEN, _("Seuls l'agent gestionnaire et le responsable de l'action la "
                                                     "mettent à jour."))
    if not selectors.manages_dialogue(actor) and set(data) - {"status"}:
        raise PermissionDenied.single(Code.FORBIDDEN, _("Le responsable met à jour le statut de l'action ; le reste "
                                                     "est du ressort de l'agent gestionnaire."))
    check_version(item, expected_version)
    problems: list[Violation] = []
    clean = _action_owner(item.series, data, problems)
    if "title" in data:
        clean["title"] = str(data["title"] or "").strip()[:200]
        if not clean["title"]:
            problems.append(Violation(Code.REQUIRED, _("Décrivez l'action."), "title"))
    if "description" in data:
        clean["description"] = str(data["description"] or "").strip()
    if "due_on" in data:
        try:
            clean["due_on"] = parse_date(data["due_on"], "due_on", required=False)
        except RuleViolation as error:
            problems.extend(error.violations)
    if "status" in data:
        if data["status"] not in ActionStatus.values:
            problems.append(Violation(Code.INVALID_CHOICE, _("Statut inconnu."), "status"))
        clean["status"] = data["status"]
    if problems:
        raise RuleViolation(problems)
    before = snapshot(item, ACTION_FIELDS)
    was_closed = item.is_closed
    for key, value in clean.items():
        setattr(item, key, value)
    if item.is_closed and not was_closed:
        item.closed_at = timezone.now()
    elif not item.is_closed:
        item.closed_at = None
    item.save_bumped()
    record(actor, "action_item.update", item, before=before, after=snapshot(item, ACTION_FIELDS))
    return item


# --- invitations and calendars -------------------------------------------------------------------

def _send_invitations(meeting: Meeting) -> list[int]:
    people = list(selectors.participants(meeting.series))
    cancelled = meeting.status == MeetingStatus.CANCELLED
    created = notify(people, Kind.MEETING_INVITATION, lambda: (
        (_("Annulée : %(series)s, %(when)s") if cancelled else _("Invitation : %(series)s, %(when)s")) % {
            "series": meeting.series.title, "when": _when(meeting)},
        meeting.place or meeting.online_url), _meeting_url(meeting))
    from .tasks import send_meeting_invitations

    # The invitation e-mails (with their .ics) are sent by this task, not by the generic notification mail.
    Notification.objects.filter(pk__in=[n.pk for n in created]).update(emailed_at=timezone.now())
    user_ids = [p.pk for p in people]
    transaction.on_commit(lambda: send_meeting_invitations(meeting.pk, user_ids))
    return user_ids


@transaction.atomic
def send_invitations(actor: Any, meeting: Meeting, expected_version: int | None = None) -> list[int]:
    """E-mail every participant an invitation with the meeting as an .ics attachment."""
    meeting = _visible_meeting(actor, meeting)
    _require_officer(actor)
    check_version(meeting, expected_version)
    if meeting.status != MeetingStatus.PLANNED or meeting.starts_at <= timezone.now():
        raise Conflict.single(DialogueError.MEETING_PAST, _("On n'invite qu'à une réunion prévue et à venir."),
                              "status")
    user_ids = _send_invitations(meeting)
    meeting.invitations_sent_at = timezone.now()
    meeting.save(update_fields=["invitations_sent_at", "updated_at"])
    record(actor, "meeting.invite", meeting, after={"invited": len(user_ids)})
    return user_ids


def calendar_token(user: Any) -> CalendarToken:
    token, _created = CalendarToken.objects.get_or_create(user=user)
    return token


@transaction.atomic
def renew_calendar_token(actor: Any) -> CalendarToken:
    """A new subscription address; the old one stops working at once."""
    CalendarToken.objects.filter(user=actor).delete()
    token = CalendarToken.objects.create(user=actor)
    record(actor, "calendar_token.renew", actor)
    return token


def user_for_token(token: str) -> Any | None:
    found = CalendarToken.objects.select_related("user").filter(token=token).first() if token else None
    if found is None or not found.user.is_active:
        return None
    return found.user

