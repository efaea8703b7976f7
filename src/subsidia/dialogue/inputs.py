"""What each write on the dialogue takes, typed: one input per write, that the Django forms (:mod:`.forms`)
and the API's schemas (:mod:`subsidia.api.schemas_meetings`) both produce, so that the services receive values
already parsed (ids as ints, moments as aware datetimes, dates as dates).

Objects are named by id (a department, an organisation, a person): the service looks each one up and counts
an unknown one, or one outside the series, among its problems, with the others. What is a rule stays the
service's: required texts and their lengths, a duration's range, the order of the dates, a link people will
click being a web address, a meeting marked held only once begun — reported all at once.

An edit takes the whole input: :meth:`SeriesInput.of` (and its siblings) give the object as it is, to change
a few fields with :func:`dataclasses.replace`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from .models import ActionItem, ActionStatus, AttendanceStatus, Cadence, Meeting, MeetingSeries, MeetingStatus


@dataclass(frozen=True)
class SeriesInput:
    """A meeting series; ``first_starts_at`` None is refused (the first meeting's date is required)."""

    title: str
    department: int | None = None
    organisations: Sequence[int] = ()
    cadence: str = Cadence.QUARTERLY
    first_starts_at: datetime | None = None
    description: str = ""
    ministry_participants: Sequence[int] = ()
    duration_minutes: int = 120
    place: str = ""
    online_url: str = ""
    is_active: bool = True

    @classmethod
    def of(cls, series: MeetingSeries) -> SeriesInput:
        return cls(
            title=series.title, department=series.department_id,
            organisations=tuple(series.organisations.values_list("pk", flat=True)), cadence=series.cadence,
            first_starts_at=series.first_starts_at, description=series.description,
            ministry_participants=tuple(series.ministry_participants.values_list("pk", flat=True)),
            duration_minutes=series.duration_minutes, place=series.place, online_url=series.online_url,
            is_active=series.is_active)


@dataclass(frozen=True)
class MeetingInput:
    """A meeting's moment, place and status. For a new meeting, ``ends_at`` None lasts the series' usual
    duration and ``place`` or ``online_url`` None are the series' usual ones."""

    starts_at: datetime
    ends_at: datetime | None = None
    place: str | None = None
    online_url: str | None = None
    status: str = MeetingStatus.PLANNED

    @classmethod
    def of(cls, meeting: Meeting) -> MeetingInput:
        return cls(starts_at=meeting.starts_at, ends_at=meeting.ends_at, place=meeting.place,
                   online_url=meeting.online_url, status=meeting.status)


@dataclass(frozen=True)
class AttendanceRow:
    """One person at a meeting, for the ministry (``organisation`` None) or a participating organisation."""

    person_name: str
    organisation: int | None = None
    status: str = AttendanceStatus.PRESENT


@dataclass(frozen=True)
class MinutesInput:
    """The minutes, and (when given, not None) the decisions, one a line, and who attended."""

    minutes: str
    decisions: Sequence[str] | None = None
    attendance: Sequence[AttendanceRow] | None = None


@dataclass(frozen=True)
class AgendaProposal:
    """A point for a meeting's agenda; ``organisation``: on whose behalf a partner proposes it (None: their
    organisation in the series)."""

    title: str
    description: str = ""
    organisation: int | None = None


@dataclass(frozen=True)
class ActionInput:
    """An action item; its owner is a person of the series, one of its organisations, or both."""

    title: str
    description: str = ""
    owner: int | None = None
    owner_organisation: int | None = None
    due_on: date | None = None
    status: str = ActionStatus.OPEN

    @classmethod
    def of(cls, item: ActionItem) -> ActionInput:
        return cls(title=item.title, description=item.description, owner=item.owner_id,
                   owner_organisation=item.owner_organisation_id, due_on=item.due_on, status=item.status)
