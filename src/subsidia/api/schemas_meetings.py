"""Schemas of the meetings API: the dialogue's meeting series, meetings, agenda and action items.

Moments are ISO date-times with the offset of the ministry's time zone (``2026-03-12T14:00:00+01:00``);
dates are ISO dates (YYYY-MM-DD).
"""

from dataclasses import replace
from datetime import date, datetime
from typing import Any, Literal

from django.utils import timezone
from ninja import Field, Schema

from subsidia.dialogue.inputs import ActionInput, AgendaProposal
from subsidia.dialogue.models import ActionItem

from .schemas import FilterSchema, InputSchema, Text, Version
from .schemas_conventions import Id, NamedOut

MeetingStatusValue = Literal["planned", "held", "cancelled"]
ActionStatusValue = Literal["open", "in_progress", "done", "cancelled"]


class SeriesRefOut(Schema):
    id: int
    title: str


class PersonOut(Schema):
    id: int
    name: str


class MeetingFilters(FilterSchema):
    series_id: Id | None = None
    from_: date | None = Field(default=None, alias="from", description="meetings starting on or after this day")
    to: date | None = Field(default=None, description="meetings starting on or before this day")
    status: MeetingStatusValue | None = None


class MeetingSummaryOut(Schema):
    id: int
    series: SeriesRefOut
    starts_at: datetime
    ends_at: datetime
    place: str
    online_url: str
    status: str
    minutes_published: bool

    # Answered in the ministry's time zone, whether from a meeting or from an answer already built.
    @staticmethod
    def resolve_starts_at(obj: Any) -> datetime:
        return timezone.localtime(obj["starts_at"] if isinstance(obj, dict) else obj.starts_at)

    @staticmethod
    def resolve_ends_at(obj: Any) -> datetime:
        return timezone.localtime(obj["ends_at"] if isinstance(obj, dict) else obj.ends_at)


class AgendaItemOut(Schema):
    id: int
    title: str
    description: str
    status: str = Field(..., description="proposed, accepted or declined")
    organisation: NamedOut | None = Field(..., description="the organisation that proposed it")
    proposed_by: PersonOut | None = Field(..., description="for the ministry's staff and the proposing organisation")
    decline_reason: str
    position: int


class ActionItemOut(Schema):
    id: int
    title: str
    description: str
    status: str
    due_on: date | None
    closed_at: datetime | None
    owner: PersonOut | None
    owner_organisation: NamedOut | None
    raised_at_meeting_id: int
    raised_at_meeting_starts_at: datetime
    version: int


class AttendanceOut(Schema):
    person_name: str
    organisation: NamedOut | None
    status: str = Field(..., description="present, excused or absent")


class MeetingOut(MeetingSummaryOut):
    uid: str = Field(..., description="the iCalendar UID, the same in every feed and invitation")
    version: int
    agenda: list[AgendaItemOut] = Field(..., description="staff see every proposal; partners the accepted items "
                                                         "and their own organisations' proposals")
    follow_up: list[ActionItemOut] = Field(..., description="action items carried over from earlier meetings")
    raised_actions: list[ActionItemOut] = Field(..., description="action items decided at this meeting")
    minutes: str | None = Field(..., description="null until the minutes are published (for partners)")
    minutes_published_at: datetime | None
    decisions: list[str] | None
    attendance: list[AttendanceOut] | None
    ics_url: str = Field(..., description="the meeting as an .ics file (signed-in session)")
    url: str = Field(..., description="the meeting's page")


class SeriesOut(Schema):
    id: int
    title: str
    description: str
    department: NamedOut
    cadence: str
    duration_minutes: int
    place: str
    online_url: str
    is_active: bool
    organisations: list[NamedOut]
    next_meetings: list[MeetingSummaryOut] = Field(..., description="the next meetings (at most five)")


class SeriesFilters(FilterSchema):
    active: bool | None = Field(default=None, description="true: series still running; false: the others")


class AgendaItemIn(InputSchema):
    title: str = Field(default="", max_length=1000, description="required, at most 200 characters")
    description: Text = ""
    organisation_id: Id | None = Field(default=None, description="on whose behalf a partner proposes (default: "
                                                                  "their organisation in the series)")

    def to_input(self) -> AgendaProposal:
        return AgendaProposal(title=self.title, description=self.description, organisation=self.organisation_id)


class ActionItemPatch(InputSchema):
    """Officers change any field; the owner (or the owner organisation's gestionnaire) only ``status``."""

    status: ActionStatusValue | None = None
    title: str | None = Field(default=None, max_length=1000)
    description: Text | None = None
    due_on: date | None = None
    owner_id: Id | None = None
    owner_organisation_id: Id | None = None
    version: Version | None = Field(default=None, description="the version you edited; an outdated one answers 409")

    def to_input(self, item: ActionItem) -> ActionInput:
        """The item as it is with the fields sent changed (a null text is an empty one, which the service
        refuses where it is required)."""
        sent = self.dict(exclude_unset=True)
        sent.pop("version", None)
        for key in ("owner", "owner_organisation"):
            if f"{key}_id" in sent:
                sent[key] = sent.pop(f"{key}_id")
        for key in ("title", "description", "status"):
            if key in sent and sent[key] is None:
                sent[key] = ""
        return replace(ActionInput.of(item), **sent)
