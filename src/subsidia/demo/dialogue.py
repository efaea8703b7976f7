"""The MEGA's meetings with its conventioned organisations (``data/dialogue.toml``), told through the dialogue
services: the officer sets up the quarterly series (its meetings generated from the cadence), writes and
publishes the minutes of the first one, records its action items and closes one; the officer puts points on
the next meeting's agenda and a partner's gestionnaire proposes one; the worker keeps a year of meetings
generated.

The series is matched on its department and title: once it exists, nothing is added (its meetings move on
with time).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta
from functools import partial
from typing import Any

from django.core.management.base import CommandError
from django.utils import timezone

from subsidia.accounts.actors import Actor
from subsidia.accounts.models import User
from subsidia.dialogue import cadence, services, services_actions, services_agenda, services_meetings
from subsidia.dialogue.inputs import ActionInput, AgendaProposal, AttendanceRow, MinutesInput, SeriesInput
from subsidia.dialogue.models import ActionItem, ActionStatus, AttendanceStatus, Meeting, MeetingSeries
from subsidia.organisations.models import Organisation

from . import clock
from .data import one, read
from .story import Inbox, Story

OFFICER = "officer@demo.subsidia.lu"


def flag_as_example(series: MeetingSeries) -> None:
    """The "example" flag of the demo series. Written to the model directly: the flag belongs to the demo, no
    service sets it."""
    MeetingSeries.objects.filter(pk=series.pk).update(is_example=True)


def _working_day(day: date) -> bool:
    """Monday to Thursday, outside the Christmas and mid-August holidays."""
    holidays = (day.month == 12 and day.day >= 20) or (day.month == 1 and day.day <= 6) \
        or (day.month == 8 and day.day <= 20)
    return day.weekday() < 4 and not holidays


def first_meeting(today: date, kind: str, days_ago: list[int]) -> datetime:
    """Between so many days ago, at 14:00, on a day such that this meeting and the next four of the cadence
    fall on a working day."""
    for ago in range(days_ago[0], days_ago[1]):
        start = clock.at(today - timedelta(days=ago), "14:00")
        if all(_working_day(timezone.localtime(cadence.occurrence(start, kind, n)).date()) for n in range(5)):
            return start
    return clock.at(today - timedelta(days=days_ago[0]), "14:00")


def _representative(organisation: Organisation) -> str:
    name = organisation.acronym or organisation.name
    of = "d'" if name[0].lower() in "aeiouyéèh" else "de "
    return f"Représentant·e {of}{name} (exemple)"


class SeriesStory:
    def __init__(self, story: Story, data: dict[str, Any], organisations: list[str]) -> None:
        self.story, self.data, self.names = story, data, sorted(organisations)
        self.first = first_meeting(story.today, data["cadence"], data["first_days_ago"])
        duration = timedelta(minutes=data["duration_minutes"])
        following = cadence.occurrence(self.first, data["cadence"], 1)
        written = timezone.localdate(self.first + duration) + timedelta(days=2)
        self.days = {"held": timezone.localdate(self.first), "next": timezone.localdate(following),
                     "written": written}

    def series(self) -> MeetingSeries:
        return one(MeetingSeries, "meeting series", department__name=self.data["department"],
                   title=self.data["title"])

    def meetings(self) -> tuple[Meeting, Meeting]:
        held, following = self.series().meetings.order_by("starts_at")[:2]
        return held, following

    def tell(self) -> None:
        add, data, written = self.story.add, self.data, self.days["written"]
        add(self.first - timedelta(days=30), OFFICER, f"series {data['title']!r}", self._set_up)
        add(clock.at(written, 10), OFFICER, "minutes", self._minutes)
        add(clock.at(written + timedelta(days=1), 10), OFFICER, "publication of the minutes", self._publish,
            Inbox.READ)
        for n, action in enumerate(data.get("action", [])):
            # The owner's notification of an action still open waits for them.
            add(clock.at(written, 11), OFFICER, f"action item {action['title']!r}",
                partial(self._add_action, n), Inbox.DISCARD if "done" in action else Inbox.UNREAD)
            if "done" in action:
                add(clock.at(self.story.day(action["done"], **self.days), 10), OFFICER,
                    f"action item done {action['title']!r}", partial(self._close_action, n))
        proposed = clock.at(self.story.day(data["proposed"], **self.days), 10)
        for n, point in enumerate(data.get("point", [])):
            # The officers' notification of a partner's proposal waits for them.
            add(proposed, point.get("by", OFFICER), f"agenda point {point['title']!r}", partial(self._propose, n),
                Inbox.UNREAD if "by" in point else Inbox.DISCARD)
        add(self.story.now, "", "the worker's meetings ahead", self._extend)
        self.story.count("Meeting series", "created")
        self.story.count("Action items", "created", len(data.get("action", [])))

    def _extend(self, _system: Actor | None) -> None:
        """The worker's daily job: a year of meetings generated ahead."""
        services.extend_all_series()
        self.story.count("Meetings", "created", self.series().meetings.count())

    def _set_up(self, officer: Actor | None) -> None:
        assert officer is not None
        data = self.data
        organisations = [one(Organisation, "organisation", name=name).pk for name in self.names]
        if len(organisations) != 11:
            raise CommandError("The dialogue demo needs the MEGA's 11 conventioned organisations.")
        series = services.create_series(officer, SeriesInput(
            title=data["title"], department=one(Organisation, "organisation", name=data["department"]).pk,
            organisations=organisations, cadence=data["cadence"], first_starts_at=self.first,
            description=data["description"], ministry_participants=(officer.pk,),
            duration_minutes=data["duration_minutes"], place=data["place"]))
        flag_as_example(series)

    def _minutes(self, officer: Actor | None) -> None:
        assert officer is not None
        data = self.data
        held, _following = self.meetings()
        organisations = list(Organisation.objects.filter(name__in=self.names).order_by("name"))
        rows = [AttendanceRow(person_name=officer.full_name or officer.email)]
        for organisation in organisations:
            email = data.get("attendees", {}).get(organisation.name)
            person = one(User, "demo account", email=email).full_name if email else _representative(organisation)
            rows.append(AttendanceRow(person_name=person, organisation=organisation.pk, status=(
                AttendanceStatus.EXCUSED if organisation.name in data["excused"] else AttendanceStatus.PRESENT)))
        text = "\n\n".join(data["minutes"]).format(present=len(organisations) - len(data["excused"]),
                                                   total=len(organisations))
        services_meetings.record_minutes(officer, held, MinutesInput(text, decisions=data["decisions"],
                                                                     attendance=rows))

    def _publish(self, officer: Actor | None) -> None:
        assert officer is not None
        services_meetings.publish_minutes(officer, self.meetings()[0])

    def _add_action(self, n: int, officer: Actor | None) -> None:
        assert officer is not None
        action = self.data["action"][n]
        owner, organisation = action.get("owner"), action.get("owner_organisation")
        services_actions.add_action_item(officer, self.meetings()[0], ActionInput(
            title=action["title"], description=action.get("description", ""),
            owner=one(User, "demo account", email=owner).pk if owner else None,
            owner_organisation=one(Organisation, "organisation", name=organisation).pk if organisation else None,
            due_on=self.story.day(action["due"], **self.days)))

    def _close_action(self, n: int, officer: Actor | None) -> None:
        assert officer is not None
        item = one(ActionItem, "action item", series=self.series(), title=self.data["action"][n]["title"])
        services_actions.update_action_item(officer, item, replace(ActionInput.of(item), status=ActionStatus.DONE))

    def _propose(self, n: int, actor: Actor | None) -> None:
        assert actor is not None
        point = self.data["point"][n]
        organisation = point.get("organisation")
        services_agenda.propose_agenda_item(actor, self.meetings()[1], AgendaProposal(
            point["title"], point.get("description", ""),
            one(Organisation, "organisation", name=organisation).pk if organisation else None))


def tell_dialogue(story: Story) -> None:
    data = read("dialogue.toml")
    existing = MeetingSeries.objects.filter(department__name=data["department"], title=data["title"]).first()
    if existing is not None:
        story.count("Meeting series", "unchanged")
        story.count("Meetings", "unchanged", existing.meetings.count())
        story.count("Action items", "unchanged", existing.action_items.count())
        return
    # The organisations the department has conventions with.
    organisations = {entry["organisation"] for entry in read("conventions.toml").get("convention", [])
                     if entry["department"] == data["department"]}
    SeriesStory(story, data, sorted(organisations)).tell()
