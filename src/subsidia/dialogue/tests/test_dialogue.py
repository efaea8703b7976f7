"""The dialogue: cadence generation (across year ends, month ends and clock changes), meetings, agenda proposals,
minutes, action items carried over until done, invitations, and who sees what."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.utils import timezone
from pytest_django import DjangoCaptureOnCommitCallbacks

from subsidia.accounts.models import User
from subsidia.audit.models import AuditEvent
from subsidia.conventions.tests.factories import DepartmentFactory
from subsidia.core.errors import Conflict, NotFound, PermissionDenied, RuleViolation
from subsidia.dialogue import cadence, selectors, services, services_actions, services_agenda, services_meetings
from subsidia.dialogue.inputs import ActionInput, AgendaProposal, AttendanceRow, MeetingInput, MinutesInput, SeriesInput
from subsidia.dialogue.models import (
    ActionStatus,
    AgendaItemStatus,
    Meeting,
    MeetingSeries,
    MeetingStatus,
)
from subsidia.notifications.models import Kind, Notification
from subsidia.organisations.models import Organisation

from .factories import ActionItemFactory, MeetingFactory, MeetingSeriesFactory

LUX = ZoneInfo("Europe/Luxembourg")


def text(content: bytes | str) -> str:
    return content.decode() if isinstance(content, bytes) else content


def local(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=LUX)


class TestCadence:
    def test_quarterly_meetings_roll_over_the_year_end(self) -> None:
        first = local(2026, 11, 15, 14, 0)
        starts = [start for _n, start in cadence.occurrences(first, "quarterly", local(2027, 12, 31))]
        assert [timezone.localtime(s, LUX).date() for s in starts] == [
            date(2026, 11, 15), date(2027, 2, 15), date(2027, 5, 15), date(2027, 8, 15), date(2027, 11, 15)]

    def test_monthly_on_the_31st_clamps_then_comes_back(self) -> None:
        first = local(2027, 12, 31, 9, 30)
        days = [timezone.localtime(cadence.occurrence(first, "monthly", n), LUX).date() for n in range(4)]
        assert days == [date(2027, 12, 31), date(2028, 1, 31), date(2028, 2, 29), date(2028, 3, 31)]

    def test_the_wall_clock_time_is_kept_across_daylight_saving_changes(self) -> None:
        first = local(2026, 12, 10, 14, 0)  # winter time, UTC+1
        summer = cadence.occurrence(first, "quarterly", 2)  # 10 June 2027, summer time, UTC+2
        assert timezone.localtime(summer, LUX).hour == 14
        assert summer.utcoffset() is not None
        assert (summer.astimezone(ZoneInfo("UTC")).hour, first.astimezone(ZoneInfo("UTC")).hour) == (12, 13)

    def test_weekly_and_yearly(self) -> None:
        first = local(2026, 12, 28, 10, 0)
        assert timezone.localtime(cadence.occurrence(first, "weekly", 1), LUX).date() == date(2027, 1, 4)
        leap = local(2028, 2, 29, 10, 0)
        assert timezone.localtime(cadence.occurrence(leap, "yearly", 1), LUX).date() == date(2029, 2, 28)
        assert timezone.localtime(cadence.occurrence(leap, "yearly", 4), LUX).date() == date(2032, 2, 29)


@pytest.fixture
def officer(make_user: Callable[..., User]) -> User:
    return make_user("officer")


@pytest.fixture
def series(org_a: Organisation, officer: User) -> MeetingSeries:
    return services.create_series(officer, SeriesInput(
        title="Dialogue avec les gestionnaires", department=DepartmentFactory.create().pk,
        organisations=[org_a.pk], cadence="quarterly", ministry_participants=[officer.pk],
        first_starts_at=(timezone.now() + timedelta(days=10)).replace(microsecond=0), place="Salle 1"
    ))


@pytest.fixture
def gestionnaire(make_user: Callable[..., User], org_a: Organisation) -> User:
    return make_user("partner_admin", organisation=org_a)


@pytest.mark.django_db
class TestGeneration:
    def test_a_new_series_has_a_year_of_meetings(self, series: MeetingSeries) -> None:
        meetings = list(series.meetings.order_by("starts_at"))
        assert [m.occurrence for m in meetings] == [0, 1, 2, 3]
        assert all(m.ends_at - m.starts_at == timedelta(minutes=120) and m.place == "Salle 1" for m in meetings)

    def test_generating_again_creates_nothing_and_keeps_moved_meetings(self, series: MeetingSeries,
                                                                       officer: User) -> None:
        moved = series.meetings.get(occurrence=1)
        new_start = moved.starts_at + timedelta(days=3)
        services_meetings.update_meeting(officer, moved,
                                         replace(MeetingInput.of(moved), starts_at=new_start,
                                                 ends_at=new_start + timedelta(hours=2)))
        services_meetings.update_meeting(officer, series.meetings.get(occurrence=2),
                                         replace(MeetingInput.of(series.meetings.get(occurrence=2)),
                                                 status=MeetingStatus.CANCELLED))
        assert services.generate_meetings(officer, series) == []
        created = services.generate_meetings(officer, series, until=timezone.now() + timedelta(days=800))
        assert [m.occurrence for m in created] == [4, 5, 6, 7, 8]
        moved.refresh_from_db()
        assert moved.starts_at == new_start and moved.ical_sequence == 1
        assert series.meetings.get(occurrence=2).status == MeetingStatus.CANCELLED

    def test_only_officers_manage_series(self, series: MeetingSeries, gestionnaire: User, org_a: Organisation) -> None:
        with pytest.raises(PermissionDenied):
            services.generate_meetings(gestionnaire, series)
        with pytest.raises(PermissionDenied):
            services.create_series(gestionnaire, SeriesInput(title="x"))

    def test_invalid_series_reports_every_problem(self, officer: User, org_a: Organisation) -> None:
        with pytest.raises(RuleViolation) as error:
            services.create_series(officer, SeriesInput(title="", department=org_a.pk, organisations=[],
                                             cadence="daily", first_starts_at=None,
                                             online_url="javascript:alert(1)"))
        assert {v.field for v in error.value.violations} == {"title", "department", "organisations", "cadence",
                                                              "first_starts_at", "online_url"}


@pytest.mark.django_db
class TestAgendaAndMinutes:
    def test_partners_propose_and_officers_decide(self, series: MeetingSeries, gestionnaire: User, officer: User,
                                                  make_user: Callable[..., User], org_a: Organisation) -> None:
        meeting = series.meetings.get(occurrence=0)
        item = services_agenda.propose_agenda_item(gestionnaire, meeting,
                                                   AgendaProposal("Financement des postes d'interprètes"))
        assert (item.status, item.organisation) == (AgendaItemStatus.PROPOSED, org_a)
        assert Notification.objects.filter(user=officer, kind=Kind.AGENDA_ITEM_PROPOSED).exists()
        member = make_user("partner_member", organisation=org_a)
        with pytest.raises(PermissionDenied):
            services_agenda.propose_agenda_item(member, meeting, AgendaProposal("Autre point"))
        assert list(selectors.agenda(meeting, member)) == [item]  # its organisation's proposal
        with pytest.raises(RuleViolation):
            services_agenda.decide_agenda_item(officer, item, accept=False)
        services_agenda.decide_agenda_item(officer, item, accept=True)
        own = services_agenda.propose_agenda_item(officer, meeting, AgendaProposal("Bilan de l'année"))
        assert own.status == AgendaItemStatus.ACCEPTED
        with pytest.raises(Conflict):
            services_agenda.decide_agenda_item(officer, item, accept=False, reason="non")

    def test_other_partners_see_only_accepted_items(self, series: MeetingSeries, gestionnaire: User,
                                                    make_user: Callable[..., User], org_b: Organisation) -> None:
        meeting = series.meetings.get(occurrence=0)
        series.organisations.add(org_b)
        proposal = services_agenda.propose_agenda_item(gestionnaire, meeting, AgendaProposal("Point A"))
        other = make_user("partner_admin", organisation=org_b)
        assert list(selectors.agenda(meeting, other)) == []
        proposal.status = AgendaItemStatus.ACCEPTED
        proposal.save()
        assert list(selectors.agenda(meeting, other)) == [proposal]

    def test_minutes_are_written_after_the_meeting_and_read_once_published(self, series: MeetingSeries, officer: User,
                                                                           gestionnaire: User,
                                                                           org_a: Organisation) -> None:
        meeting = series.meetings.get(occurrence=0)
        with pytest.raises(Conflict) as error:
            services_meetings.record_minutes(officer, meeting, MinutesInput("trop tôt"))
        assert error.value.violations[0].code == "not_held_yet"
        Meeting.objects.filter(pk=meeting.pk).update(starts_at=timezone.now() - timedelta(hours=3),
                                                     ends_at=timezone.now() - timedelta(hours=1))
        meeting.refresh_from_db()
        services_meetings.record_minutes(officer, meeting, MinutesInput("Tour de table des associations.",
                                decisions=["Créer un groupe de travail sur l'interprétariat."],
                                attendance=[AttendanceRow(person_name="Mme Martin", organisation=org_a.pk),
                                            AttendanceRow(person_name="M. Weber", status="excused")]))
        meeting.refresh_from_db()
        assert meeting.status == MeetingStatus.HELD
        assert [d.text for d in meeting.decisions.all()] == ["Créer un groupe de travail sur l'interprétariat."]
        assert not selectors.can_read_minutes(gestionnaire, meeting)
        services_meetings.publish_minutes(officer, meeting)
        meeting.refresh_from_db()
        assert selectors.can_read_minutes(gestionnaire, meeting)
        assert Notification.objects.filter(user=gestionnaire, kind=Kind.MINUTES_PUBLISHED).exists()
        with pytest.raises(Conflict):
            services_meetings.publish_minutes(officer, meeting)
        with pytest.raises(Conflict):
            services_agenda.propose_agenda_item(gestionnaire, meeting, AgendaProposal("Trop tard"))


@pytest.mark.django_db
class TestActionItems:
    @pytest.fixture
    def three(self, org_a: Organisation) -> list[Meeting]:
        series = MeetingSeriesFactory.create(organisations=[org_a])
        now = timezone.now()
        return [MeetingFactory.create(series=series, starts_at=now + timedelta(days=d)) for d in (-180, -90, 0, 90)]

    def test_an_open_action_is_carried_over_until_done_then_noted_once(self, three: list[Meeting], org_a: Organisation,
                                                                       officer: User, gestionnaire: User) -> None:
        first, second, third, fourth = three
        action = services_actions.add_action_item(officer, first,
                                                  ActionInput(title="Recenser les besoins en traduction",
                                                           owner_organisation=org_a.pk,
                                                           due_on=date(2026, 12, 31)))
        assert Notification.objects.filter(user=gestionnaire, kind=Kind.ACTION_ITEM).exists()
        assert list(selectors.follow_up(first)) == []  # raised there, not carried over to itself
        assert list(selectors.follow_up(second)) == [action]
        assert list(selectors.follow_up(third)) == [action]
        # Done between the third and the fourth meeting: noted at the fourth, then gone.
        from subsidia.dialogue.models import ActionItem

        ActionItem.objects.filter(pk=action.pk).update(status=ActionStatus.DONE,
                                                       closed_at=third.starts_at + timedelta(days=1))
        assert list(selectors.follow_up(fourth)) == [action]
        fifth = MeetingFactory.create(series=first.series, starts_at=fourth.starts_at + timedelta(days=90))
        assert list(selectors.follow_up(fifth)) == []
        assert list(selectors.follow_up(third)) == [action]  # history stays true

    def test_a_cancelled_meeting_does_not_swallow_the_follow_up(self, three: list[Meeting], officer: User) -> None:
        first, second, third, _fourth = three
        action = ActionItemFactory.create(raised_at=first, closed_at=second.starts_at + timedelta(days=1),
                                          status=ActionStatus.DONE)
        second.status = MeetingStatus.CANCELLED
        second.save()
        # The previous meeting held before the third is the first: the action closed since then is noted.
        assert list(selectors.follow_up(third)) == [action]

    def test_the_owner_updates_the_status_and_nothing_else(self, three: list[Meeting], officer: User,
                                                           gestionnaire: User, org_a: Organisation,
                                                           make_user: Callable[..., User]) -> None:
        action = services_actions.add_action_item(officer, three[0], ActionInput(title="Note",
                                                                                 owner_organisation=org_a.pk))
        with pytest.raises(PermissionDenied):
            services_actions.update_action_item(gestionnaire, action, replace(ActionInput.of(action), title="Autre"))
        services_actions.update_action_item(gestionnaire, action, replace(ActionInput.of(action), status="done"))
        action.refresh_from_db()
        assert action.closed_at is not None and action.is_closed
        services_actions.update_action_item(officer, action, replace(ActionInput.of(action), status="in_progress"))
        action.refresh_from_db()
        assert action.closed_at is None
        with pytest.raises(PermissionDenied):
            services_actions.update_action_item(make_user("partner_member", organisation=org_a), action,
                                                replace(ActionInput.of(action), status="done"))

    def test_an_action_needs_an_owner_from_the_series(self, three: list[Meeting], officer: User,
                                                      org_b: Organisation) -> None:
        with pytest.raises(RuleViolation) as error:
            services_actions.add_action_item(officer, three[0], ActionInput(title="x", owner_organisation=org_b.pk))
        assert error.value.violations[0].field == "owner_organisation"
        with pytest.raises(RuleViolation):
            services_actions.add_action_item(officer, three[0], ActionInput(title="x"))


@pytest.mark.django_db
class TestVisibilityAndInvitations:
    def test_partners_see_only_their_series(self, series: MeetingSeries, gestionnaire: User,
                                            make_user: Callable[..., User], org_b: Organisation) -> None:
        other = make_user("partner_admin", organisation=org_b)
        assert list(selectors.series_visible_to(gestionnaire)) == [series]
        assert not selectors.meetings_visible_to(other).exists()
        first_meeting = series.meetings.first()
        assert first_meeting is not None
        with pytest.raises(NotFound):
            services_agenda.propose_agenda_item(other, first_meeting, AgendaProposal("intrusion"))
        reviewer = make_user("reviewer")
        assert not selectors.series_visible_to(reviewer).exists()

    def test_invitations_carry_an_ics_and_updates_follow(
            self, series: MeetingSeries, officer: User, gestionnaire: User,
            django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks) -> None:
        meeting = series.meetings.get(occurrence=0)
        with django_capture_on_commit_callbacks(execute=True):
            invited = services_meetings.send_invitations(officer, meeting)
        assert set(invited) == {officer.pk, gestionnaire.pk}
        assert sorted(m.to[0] for m in mail.outbox) == sorted([officer.email, gestionnaire.email])
        message = mail.outbox[0]
        [(name, content, mimetype)] = message.attachments
        assert name == "invitation.ics" and mimetype.startswith("text/calendar")
        assert "METHOD:REQUEST" in text(content)
        # In-app notifications exist but the generic notification e-mail is not sent a second time.
        assert Notification.objects.filter(kind=Kind.MEETING_INVITATION).count() == 2
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            services_meetings.update_meeting(officer, meeting, replace(MeetingInput.of(meeting),
                                                                       status=MeetingStatus.CANCELLED))
        assert len(mail.outbox) == 2
        assert "METHOD:CANCEL" in text(mail.outbox[0].attachments[0][1])
        assert AuditEvent.objects.filter(action="meeting.invite", object_id=str(meeting.pk)).exists()
