"""Writes on the dialogue's meeting series and their cadence, and what every dialogue service shares (the
officer's check, the object locked among those the actor may see, the check of a web address).
Meetings, minutes and invitations are in ``services_meetings``, the agenda in ``services_agenda``, action items
in ``services_actions``, calendar subscriptions in ``services_calendar``.

Same rules as every service: the actor first, one transaction, the audit trail, notifications on commit; a
refusal raises a :class:`~subsidia.core.errors.RuleViolation` and writes nothing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from subsidia.accounts.actors import Actor
from subsidia.accounts.models import User
from subsidia.accounts.roles import STAFF_ROLES
from subsidia.audit.services import record, snapshot
from subsidia.core.errors import Code, PermissionDenied, RuleViolation, Violation
from subsidia.core.versions import check_version, locked
from subsidia.organisations.models import LegalForm, Organisation

from . import cadence, selectors
from .inputs import SeriesInput
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


def web_address(value: str, field: str, problems: list[Violation]) -> str:
    """A link people will click: a web address (http or https) or nothing."""
    text = value.strip()
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

@dataclass(frozen=True)
class _Checked:
    """A series' relations once every rule has passed: the objects its ids name."""

    department: Organisation
    organisations: list[Organisation]
    people: list[User]


def _relations(data: SeriesInput, problems: list[Violation]) -> tuple[Organisation | None, list[Organisation],
                                                                     list[User]]:
    department = Organisation.objects.filter(pk=data.department or 0, legal_form=LegalForm.ADMINISTRATION).first()
    if department is None:
        problems.append(Violation(Code.INVALID_CHOICE, _("Choisissez le ministère ou le département."),
                                  "department"))
    wanted = set(data.organisations)
    organisations = list(Organisation.objects.filter(pk__in=wanted))
    if len(organisations) != len(wanted) or not organisations:
        problems.append(Violation(Code.INVALID_CHOICE, _("Choisissez au moins une organisation participante (et "
                                                      "seulement des organisations connues)."), "organisations"))
    wanted = set(data.ministry_participants)
    people = list(User.objects.filter(pk__in=wanted, role_grants__role__in=STAFF_ROLES).distinct())
    if len(people) != len(wanted):
        problems.append(Violation(Code.INVALID_CHOICE, _("Seuls des agents du ministère participent pour le "
                                                      "ministère."), "ministry_participants"))
    return department, organisations, people


def _checked(data: SeriesInput) -> _Checked:
    """Every broken rule of a series at once, else the objects its ids name."""
    problems: list[Violation] = []
    if not data.title.strip():
        problems.append(Violation(Code.REQUIRED, _("L'intitulé est obligatoire."), "title"))
    web_address(data.online_url, "online_url", problems)
    if data.cadence not in Cadence.values:
        problems.append(Violation(Code.INVALID_CHOICE, _("Rythme inconnu."), "cadence"))
    if data.first_starts_at is None:
        problems.append(Violation(Code.REQUIRED, _("Ce champ est obligatoire."), "first_starts_at"))
    if not 15 <= data.duration_minutes <= 720:
        problems.append(Violation(Code.INVALID, _("Une durée entre 15 et 720 minutes est attendue."),
                                  "duration_minutes"))
    department, organisations, people = _relations(data, problems)
    if problems or department is None:
        raise RuleViolation(problems)
    return _Checked(department, organisations, people)


def _apply_series(series: MeetingSeries, data: SeriesInput, checked: _Checked) -> None:
    series.title, series.description = data.title.strip(), data.description.strip()
    series.department, series.cadence = checked.department, data.cadence
    assert data.first_starts_at is not None  # checked
    series.first_starts_at, series.duration_minutes = data.first_starts_at, data.duration_minutes
    series.place, series.online_url, series.is_active = data.place.strip(), data.online_url.strip(), data.is_active
    series.save_bumped() if series.pk else series.save()
    series.organisations.set(checked.organisations)
    series.ministry_participants.set(checked.people)


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
def create_series(actor: Actor, data: SeriesInput) -> MeetingSeries:
    """An officer sets up a series; its meetings are generated from the cadence for the coming year."""
    require_officer(actor)
    checked = _checked(data)
    series = MeetingSeries(created_by=actor)
    _apply_series(series, data, checked)
    meetings = _generate(series, horizon(), since=min(series.first_starts_at, timezone.now()))
    record(actor, "meeting_series.create", series, after={**snapshot(series, SERIES_FIELDS),
                                                          "meetings": len(meetings)})
    return series


@transaction.atomic
def update_series(actor: Actor, series: MeetingSeries, data: SeriesInput,
                  expected_version: int | None = None) -> MeetingSeries:
    """Change a series. Meetings already generated stay as they are; new occurrences follow the new cadence."""
    series = locked_series(actor, series)
    require_officer(actor)
    check_version(series, expected_version)
    checked = _checked(data)
    before = snapshot(series, SERIES_FIELDS)
    _apply_series(series, data, checked)
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


