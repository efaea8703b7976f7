"""Writes on the dialogue's meeting series and their cadence, and what every dialogue service shares (the
officer's check, the object locked among those the actor may see, the parsing of a moment or a web address).
Meetings, minutes and invitations are in ``services_meetings``, the agenda in ``services_agenda``, action items
in ``services_actions``, calendar subscriptions in ``services_calendar``.

Same rules as every service: the actor first, one transaction, the audit trail, notifications on commit; a
refusal raises a :class:`~subsidia.core.errors.RuleViolation` and writes nothing."""

from __future__ import annotations

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
from subsidia.accounts.roles import STAFF_ROLES
from subsidia.audit.services import record, snapshot
from subsidia.core.errors import Code, PermissionDenied, RuleViolation, Violation
from subsidia.core.values import parse_id
from subsidia.core.versions import check_version, locked
from subsidia.organisations.models import LegalForm, Organisation

from . import cadence, selectors
from .models import Cadence, Meeting, MeetingSeries
from .workflow import OFFICERS_ONLY

SERIES_FIELDS = ["title", "description", "department", "cadence", "first_starts_at", "duration_minutes", "place",
                 "online_url", "is_active", "organisations", "ministry_participants"]


# --- helpers -------------------------------------------------------------------------------------

def require_officer(actor: Actor) -> None:
    if not selectors.manages_dialogue(actor):
        raise PermissionDenied.single(Code.FORBIDDEN, str(OFFICERS_ONLY))


def locked_series(actor: Actor, series: MeetingSeries) -> MeetingSeries:
    return locked(selectors.series_visible_to(actor), series, _("Série de réunions introuvable."))


def locked_meeting(actor: Actor, meeting: Meeting) -> Meeting:
    return locked(selectors.meetings_visible_to(actor), meeting, _("Réunion introuvable."))


def moment(value: Any, field: str, problems: list[Violation]) -> datetime | None:
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


def web_address(value: Any, field: str, problems: list[Violation]) -> str:
    text = str(value or "").strip()
    if text:
        try:
            URLValidator(schemes=["https", "http"])(text)
        except ValidationError:
            problems.append(Violation(Code.INVALID, _("Adresse web invalide (https://…)."), field))
    return text


def meeting_url(meeting: Meeting) -> str:
    return reverse("dialogue:meeting", kwargs={"pk": meeting.pk})


def when(meeting: Meeting) -> str:
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
        clean["online_url"] = web_address(data["online_url"], "online_url", problems)
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
        clean["first_starts_at"] = moment(data.get("first_starts_at"), "first_starts_at", problems)
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


def horizon() -> datetime:
    return timezone.now() + timedelta(days=settings.MEETING_HORIZON_DAYS)


@transaction.atomic
def create_series(actor: Actor, data: dict[str, Any]) -> MeetingSeries:
    """An officer sets up a series; its meetings are generated from the cadence for the coming year."""
    require_officer(actor)
    clean = _series_data(data, None)
    series = MeetingSeries(created_by=actor)
    _apply_series(series, clean)
    meetings = _generate(series, horizon(), since=min(series.first_starts_at, timezone.now()))
    record(actor, "meeting_series.create", series, after={**snapshot(series, SERIES_FIELDS),
                                                          "meetings": len(meetings)})
    return series


@transaction.atomic
def update_series(actor: Actor, series: MeetingSeries, data: dict[str, Any],
                  expected_version: int | None = None) -> MeetingSeries:
    """Change a series. Meetings already generated stay as they are; new occurrences follow the new cadence."""
    series = locked_series(actor, series)
    require_officer(actor)
    check_version(series, expected_version)
    clean = _series_data(data, series)
    before = snapshot(series, SERIES_FIELDS)
    _apply_series(series, clean)
    record(actor, "meeting_series.update", series, before=before, after=snapshot(series, SERIES_FIELDS))
    return series


@transaction.atomic
def generate_meetings(actor: Actor, series: MeetingSeries, until: datetime | None = None,
                      expected_version: int | None = None) -> list[Meeting]:
    """Create the meetings of the cadence up to ``until`` (a year ahead by default) that do not exist yet.
    Past dates are not filled in, and an occurrence moved or cancelled by an officer is never re-created."""
    series = locked_series(actor, series)
    require_officer(actor)
    check_version(series, expected_version)
    meetings = _generate(series, until or horizon(), since=timezone.now())
    if meetings:
        record(actor, "meeting_series.generate", series, after={
            "meetings": [timezone.localtime(m.starts_at).isoformat() for m in meetings]})
    return meetings


def extend_all_series() -> int:
    """Keep every active series' meetings generated a year ahead (the worker runs this daily)."""
    created = 0
    for series in MeetingSeries.objects.filter(is_active=True):
        with transaction.atomic():
            meetings = _generate(series, horizon(), since=timezone.now())
            if meetings:
                record(None, "meeting_series.generate", series, after={
                    "meetings": [timezone.localtime(m.starts_at).isoformat() for m in meetings]})
            created += len(meetings)
    return created


