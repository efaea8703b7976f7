"""A meeting series of organisation A for the access matrix: an upcoming meeting with a partner's proposal,
a past meeting with published minutes, and an action item owned by organisation A."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from subsidia.dialogue import services, services_actions, services_calendar
from subsidia.dialogue.inputs import ActionInput, SeriesInput
from subsidia.dialogue.models import AgendaItem, Meeting, MeetingStatus


def add_dialogue(world: dict[str, Any]) -> None:
    people = world["people"]
    officer = people["officer"]
    department = world.get("department")
    if department is None:
        from subsidia.conventions.tests.factories import DepartmentFactory

        department = world["department"] = DepartmentFactory.create()
    series = services.create_series(officer, SeriesInput(
        title="Dialogue des gestionnaires", department=department.pk, organisations=[world["org_a"].pk],
        cadence="quarterly", first_starts_at=timezone.now() + timedelta(days=15),
        ministry_participants=[officer.pk], place="Ministère"
    ))
    upcoming = series.meetings.order_by("starts_at").first()
    assert upcoming is not None
    proposal = AgendaItem.objects.create(meeting=upcoming, title="Point proposé", proposed_by=people["partner_admin"],
                                         organisation=world["org_a"])
    past = Meeting.objects.create(series=series, starts_at=timezone.now() - timedelta(days=60),
                                  ends_at=timezone.now() - timedelta(days=60, hours=-2), status=MeetingStatus.HELD,
                                  minutes="Compte rendu.", minutes_published_at=timezone.now() - timedelta(days=50))
    action = services_actions.add_action_item(officer, past, ActionInput(title="Action suivie",
                                                      owner_organisation=world["org_a"].pk))
    world.update({"series": series, "meeting": upcoming, "meeting_past": past, "agenda_proposal": proposal,
                  "action_item": action,
                  "calendar_token": services_calendar.calendar_token(people["partner_admin"]).token})
