"""The dialogue's pages: what each person sees, and every change made through the pages (the services do the
rules; the pages show them: 422 with the error summary, 409 keeping the input, 403, 404 for another
organisation's series)."""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import formats, timezone
from pytest_django import DjangoCaptureOnCommitCallbacks

from subsidia.accounts.models import User
from subsidia.conftest import ClientResponse, sign_in
from subsidia.conventions.tests.factories import DepartmentFactory
from subsidia.dialogue import services, services_actions, services_calendar, services_meetings
from subsidia.dialogue.inputs import ActionInput, MeetingInput, MinutesInput, SeriesInput
from subsidia.dialogue.models import (
    ActionItem,
    ActionStatus,
    AgendaItem,
    AgendaItemStatus,
    Meeting,
    MeetingSeries,
    MeetingStatus,
)
from subsidia.organisations.models import Organisation

pytestmark = pytest.mark.django_db


def client_for(user: User) -> Client:
    return sign_in(Client(), user)


def page(response: ClientResponse) -> str:
    return html.unescape(response.content.decode())


def local_text(moment: datetime) -> str:
    return formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT")


@pytest.fixture
def officer(make_user: Callable[..., User]) -> User:
    return make_user("officer", full_name="Olivier Officer")


@pytest.fixture
def gestionnaire(make_user: Callable[..., User], org_a: Organisation) -> User:
    return make_user("partner_admin", organisation=org_a, full_name="Gaëlle Gestionnaire")


@pytest.fixture
def member(make_user: Callable[..., User], org_a: Organisation) -> User:
    return make_user("partner_member", organisation=org_a, full_name="Marc Membre")


@pytest.fixture
def outsider(make_user: Callable[..., User], org_b: Organisation) -> User:
    return make_user("partner_admin", organisation=org_b)


@pytest.fixture
def series(org_a: Organisation, officer: User, gestionnaire: User) -> MeetingSeries:
    return services.create_series(officer, SeriesInput(
        title="Dialogue avec les gestionnaires", department=DepartmentFactory.create(name="Département de "
                                                                                           "l'intégration").pk,
        organisations=[org_a.pk], cadence="quarterly", ministry_participants=[officer.pk],
        first_starts_at=(timezone.now() + timedelta(days=10)).replace(second=0, microsecond=0),
        place="Salle 1", description="Questions du secteur de l'accueil."
    ))


@pytest.fixture
def meeting(series: MeetingSeries) -> Meeting:
    return series.meetings.get(occurrence=0)


def held(meeting: Meeting) -> Meeting:
    """The meeting moved to this morning (it has taken place)."""
    now = timezone.now()
    Meeting.objects.filter(pk=meeting.pk).update(starts_at=now - timedelta(hours=3), ends_at=now - timedelta(hours=1))
    meeting.refresh_from_db()
    return meeting


# --- series ----------------------------------------------------------------------------------------

class TestSeriesPages:
    def test_the_list_shows_each_person_their_series_with_the_next_meeting(self, series: MeetingSeries,
                                                                           meeting: Meeting, officer: User,
                                                                           gestionnaire: User, outsider: User,
                                                                           make_user: Callable[..., User]) -> None:
        response = client_for(gestionnaire).get(reverse("dialogue:series_list"))
        assert response.status_code == 200
        text = page(response)
        assert "Dialogue avec les gestionnaires" in text and local_text(meeting.starts_at) in text
        assert reverse("dialogue:meeting", kwargs={"pk": meeting.pk}) in text
        assert reverse("dialogue:series_create") not in text
        assert reverse("dialogue:series_create") in page(client_for(officer).get(reverse("dialogue:series_list")))
        assert "Dialogue avec les gestionnaires" not in page(client_for(outsider).get(reverse("dialogue:series_list")))
        reviewer = client_for(make_user("reviewer")).get(reverse("dialogue:series_list"))
        assert "Aucune série de réunions" in page(reviewer)

    def test_the_series_page_shows_its_facts_meetings_actions_and_the_persons_own_feed(self, series: MeetingSeries,
                                                                                       meeting: Meeting, officer: User,
                                                                                       gestionnaire: User,
                                                                                       org_a: Organisation) -> None:
        officer_token = services_calendar.calendar_token(officer).token
        held_meeting = held(series.meetings.get(occurrence=1))
        services_actions.add_action_item(officer, held_meeting, ActionInput(title="Recenser les besoins",
                                                         owner_organisation=org_a.pk))
        response = client_for(gestionnaire).get(reverse("dialogue:series", kwargs={"pk": series.pk}))
        assert response.status_code == 200
        assert "no-store" in response["Cache-Control"]
        text = page(response)
        for expected in ["Questions du secteur de l'accueil.", "Département de l'intégration", org_a.name,
                         "Chaque trimestre", "Salle 1", "Recenser les besoins", local_text(meeting.starts_at),
                         local_text(held_meeting.starts_at)]:
            assert expected in text, expected
        token = services_calendar.calendar_token(gestionnaire).token
        feed = reverse("dialogue:series_feed", kwargs={"token": token, "pk": series.pk})
        assert f'value="http://testserver{feed}"' in text
        assert officer_token not in text  # nobody else's secret
        assert reverse("dialogue:series_edit", kwargs={"pk": series.pk}) not in text
        officer_page = page(client_for(officer).get(reverse("dialogue:series", kwargs={"pk": series.pk})))
        assert reverse("dialogue:series_edit", kwargs={"pk": series.pk}) in officer_page
        assert reverse("dialogue:meeting_add", kwargs={"pk": series.pk}) in officer_page
        assert token not in officer_page

    def test_an_officer_creates_a_series_and_its_meetings_are_planned(self, officer: User, org_a: Organisation,
                                                                      org_b: Organisation) -> None:
        department = DepartmentFactory.create()
        client = client_for(officer)
        assert client.get(reverse("dialogue:series_create")).status_code == 200
        day = timezone.localdate() + timedelta(days=20)
        response = client.post(reverse("dialogue:series_create"), {
            "title": "Dialogue intégration", "description": "", "department": department.pk,
            "organisations": [org_a.pk, org_b.pk], "ministry_participants": [officer.pk], "cadence": "quarterly",
            "first_date": day.isoformat(), "first_time": "14:30", "duration_minutes": "90", "place": "Salle 3",
            "online_url": "https://visio.example.lu/integration", "is_active": "on"})
        series = MeetingSeries.objects.get(title="Dialogue intégration")
        assert response.status_code == 302 and response["Location"] == reverse("dialogue:series",
                                                                               kwargs={"pk": series.pk})
        first = series.meetings.order_by("starts_at").first()
        assert first is not None
        start = timezone.localtime(first.starts_at)
        assert (start.date(), start.hour, start.minute) == (day, 14, 30)
        assert first.ends_at - first.starts_at == timedelta(minutes=90)
        assert set(series.organisations.all()) == {org_a, org_b} and series.meetings.count() == 4

    def test_invalid_input_answers_422_with_the_error_summary(self, officer: User, org_a: Organisation) -> None:
        response = client_for(officer).post(reverse("dialogue:series_create"), {
            "title": "", "department": DepartmentFactory.create().pk, "organisations": [org_a.pk], "cadence": "daily",
            "first_date": "demain", "first_time": "14:00", "duration_minutes": "5", "online_url": "pas une adresse"})
        assert response.status_code == 422
        text = page(response)
        assert "Le formulaire contient 5 erreurs" in text
        assert 'href="#id_title"' in text and 'href="#id_first_date"' in text
        assert not MeetingSeries.objects.exists()

    def test_a_stale_version_answers_409_and_keeps_the_input(self, series: MeetingSeries, officer: User,
                                                             org_a: Organisation) -> None:
        client = client_for(officer)
        form = client.get(reverse("dialogue:series_edit", kwargs={"pk": series.pk})).context["form"]
        data = {**{k: v for k, v in form.initial.items() if k not in ("organisations", "ministry_participants")},
                "organisations": [org_a.pk], "ministry_participants": [officer.pk], "is_active": "on",
                "first_date": form.initial["first_date"].isoformat(),
                "first_time": form.initial["first_time"].strftime("%H:%M")}
        services.update_series(officer, series, replace(SeriesInput.of(series),
                                                        place="Salle 2"))  # someone else, meanwhile
        response = client.post(reverse("dialogue:series_edit", kwargs={"pk": series.pk}),
                               {**data, "title": "Mon nouvel intitulé"})
        assert response.status_code == 409
        text = page(response)
        assert "modifiées entre-temps" in text and 'value="Mon nouvel intitulé"' in text
        series.refresh_from_db()
        assert series.title == "Dialogue avec les gestionnaires"
        response = client.post(reverse("dialogue:series_edit", kwargs={"pk": series.pk}),
                               {**data, "title": "Mon nouvel intitulé", "version": series.version})
        assert response.status_code == 302
        series.refresh_from_db()
        assert series.title == "Mon nouvel intitulé"

    def test_generating_and_adding_meetings(self, series: MeetingSeries, officer: User) -> None:
        client = client_for(officer)
        series.meetings.filter(occurrence=3).delete()
        response = client.post(reverse("dialogue:series_generate", kwargs={"pk": series.pk}),
                               {"version": series.version})
        assert response.status_code == 302 and series.meetings.filter(occurrence=3).exists()
        services.update_series(officer, series, replace(SeriesInput.of(series), place="Salle 2"))
        stale = client.post(reverse("dialogue:series_generate", kwargs={"pk": series.pk}),
                            {"version": series.version})
        assert stale.status_code == 409 and "modifiées entre-temps" in page(stale)
        day = timezone.localdate() + timedelta(days=40)
        url = reverse("dialogue:meeting_add", kwargs={"pk": series.pk})
        assert client.get(url).context["form"].initial["place"] == "Salle 2"  # the series' usual place
        response = client.post(url, {"date": day.isoformat(), "start_time": "09:00", "end_time": "",
                                     "place": "Salle 4", "online_url": ""})
        extra = series.meetings.get(occurrence__isnull=True)
        assert response.status_code == 302 and response["Location"] == reverse("dialogue:meeting",
                                                                               kwargs={"pk": extra.pk})
        assert timezone.localtime(extra.starts_at).hour == 9 and extra.ends_at - extra.starts_at == timedelta(hours=2)
        assert extra.place == "Salle 4"
        refused = client.post(url, {"date": day.isoformat(), "start_time": "11:00", "end_time": "10:00"})
        assert refused.status_code == 422
        assert "La réunion finit après avoir commencé." in page(refused)
        assert refused.context["form"].errors["end_time"]


# --- the meeting page and the agenda ---------------------------------------------------------------

class TestMeetingAndAgenda:
    def test_the_meeting_page_shows_the_meeting_in_local_time(self, meeting: Meeting, gestionnaire: User,
                                                              officer: User) -> None:
        services_meetings.update_meeting(officer, meeting, replace(MeetingInput.of(meeting),
                                                                   online_url="https://visio.example.lu/r"))
        response = client_for(gestionnaire).get(reverse("dialogue:meeting", kwargs={"pk": meeting.pk}))
        text = page(response)
        assert local_text(meeting.starts_at) in text and "Prévue" in text and "Salle 1" in text
        assert "https://visio.example.lu/r" in text
        assert reverse("dialogue:meeting_ics", kwargs={"pk": meeting.pk}) in text
        assert reverse("dialogue:agenda_propose", kwargs={"pk": meeting.pk}) in text
        assert reverse("dialogue:meeting_edit", kwargs={"pk": meeting.pk}) not in text
        assert reverse("dialogue:invite", kwargs={"pk": meeting.pk}) not in text

    def test_a_gestionnaire_proposes_and_the_officer_accepts_or_declines(self, meeting: Meeting, gestionnaire: User,
                                                                         officer: User, org_a: Organisation) -> None:
        partner = client_for(gestionnaire)
        url = reverse("dialogue:agenda_propose", kwargs={"pk": meeting.pk})
        response = partner.post(url, {"title": "Interprétariat", "description": "Coût des interprètes."})
        assert response.status_code == 302
        first = AgendaItem.objects.get(title="Interprétariat")
        assert (first.status, first.organisation, first.proposed_by) == (AgendaItemStatus.PROPOSED, org_a,
                                                                         gestionnaire)
        partner.post(url, {"title": "Locaux"})
        second = AgendaItem.objects.get(title="Locaux")

        staff = client_for(officer)
        text = page(staff.get(reverse("dialogue:meeting", kwargs={"pk": meeting.pk})))
        assert reverse("dialogue:agenda_decide", kwargs={"pk": first.pk}) in text and "Coût des interprètes." in text
        decide = reverse("dialogue:agenda_decide", kwargs={"pk": first.pk})
        refused = staff.post(decide, {"decision": "decline", "reason": ""})
        assert refused.status_code == 422
        assert "Le formulaire contient une erreur" in page(refused)
        assert f'href="#point-{first.pk}-reason"' in page(refused)
        assert staff.post(decide, {"decision": "decline", "reason": "Traité au groupe de travail."}).status_code == 302
        assert staff.post(reverse("dialogue:agenda_decide", kwargs={"pk": second.pk}),
                          {"decision": "accept"}).status_code == 302
        first.refresh_from_db()
        second.refresh_from_db()
        assert (first.status, first.decline_reason) == (AgendaItemStatus.DECLINED, "Traité au groupe de travail.")
        assert second.status == AgendaItemStatus.ACCEPTED
        again = staff.post(decide, {"decision": "accept"})
        assert again.status_code == 409 and "déjà été traité" in page(again)
        text = page(partner.get(reverse("dialogue:meeting", kwargs={"pk": meeting.pk})))
        assert "Non retenu" in text and "Traité au groupe de travail." in text and "Inscrit à l'ordre du jour" in text
        assert reverse("dialogue:agenda_decide", kwargs={"pk": first.pk}) not in text

    def test_an_officer_adds_a_point_directly(self, meeting: Meeting, officer: User) -> None:
        response = client_for(officer).post(reverse("dialogue:agenda_propose", kwargs={"pk": meeting.pk}),
                                            {"title": "Bilan de l'année"})
        assert response.status_code == 302
        assert AgendaItem.objects.get(title="Bilan de l'année").status == AgendaItemStatus.ACCEPTED

    def test_an_empty_proposal_answers_422(self, meeting: Meeting, gestionnaire: User) -> None:
        response = client_for(gestionnaire).post(reverse("dialogue:agenda_propose", kwargs={"pk": meeting.pk}),
                                                 {"title": ""})
        assert response.status_code == 422
        assert 'href="#proposition-title"' in page(response)

    def test_a_member_who_is_not_gestionnaire_cannot_propose(self, meeting: Meeting, member: User) -> None:
        client = client_for(member)
        assert reverse("dialogue:agenda_propose", kwargs={"pk": meeting.pk}) not in page(
            client.get(reverse("dialogue:meeting", kwargs={"pk": meeting.pk})))
        response = client.post(reverse("dialogue:agenda_propose", kwargs={"pk": meeting.pk}), {"title": "Point"})
        assert response.status_code == 403
        assert "gestionnaires des organisations participantes" in page(response)
        assert not AgendaItem.objects.exists()

    def test_a_gestionnaire_of_two_organisations_chooses_on_whose_behalf(self, series: MeetingSeries, meeting: Meeting,
                                                                         make_user: Callable[..., User],
                                                                         org_a: Organisation,
                                                                         org_b: Organisation) -> None:
        series.organisations.add(org_b)
        both = make_user("partner_admin", organisation=org_a)
        from subsidia.organisations.tests.factories import MembershipFactory

        MembershipFactory.create(user=both, organisation=org_b, role="partner_admin")
        client = client_for(both)
        text = page(client.get(reverse("dialogue:meeting", kwargs={"pk": meeting.pk})))
        assert 'for="proposition-organisation"' in text
        url = reverse("dialogue:agenda_propose", kwargs={"pk": meeting.pk})
        assert client.post(url, {"title": "Point commun"}).status_code == 422
        assert client.post(url, {"title": "Point commun", "organisation": org_b.pk}).status_code == 302
        assert AgendaItem.objects.get(title="Point commun").organisation == org_b

    def test_another_organisation_gets_404(self, series: MeetingSeries, meeting: Meeting, outsider: User) -> None:
        client = client_for(outsider)
        for name, pk in [("dialogue:series", series.pk), ("dialogue:meeting", meeting.pk),
                         ("dialogue:meeting_ics", meeting.pk)]:
            assert client.get(reverse(name, kwargs={"pk": pk})).status_code == 404, name
        assert client.post(reverse("dialogue:agenda_propose", kwargs={"pk": meeting.pk}),
                           {"title": "Intrusion"}).status_code == 404
        assert not AgendaItem.objects.exists()

    def test_an_officer_moves_then_cancels_a_meeting(self, meeting: Meeting, officer: User) -> None:
        client = client_for(officer)
        url = reverse("dialogue:meeting_edit", kwargs={"pk": meeting.pk})
        initial = client.get(url).context["form"].initial
        day = initial["date"] + timedelta(days=2)
        data = {"date": day.isoformat(), "start_time": "10:00", "end_time": "12:30", "place": "Salle 9",
                "online_url": "", "status": "planned", "version": initial["version"]}
        assert client.post(url, data).status_code == 302
        meeting.refresh_from_db()
        start = timezone.localtime(meeting.starts_at)
        assert (start.date(), start.hour, meeting.place, meeting.ical_sequence) == (day, 10, "Salle 9", 1)
        assert meeting.ends_at - meeting.starts_at == timedelta(hours=2, minutes=30)
        stale = client.post(url, {**data, "status": "cancelled"})  # the version of before the move
        assert stale.status_code == 409
        assert "modifiées entre-temps" in page(stale)
        assert stale.context["form"]["status"].value() == "cancelled"  # the input is kept
        held_too_soon = client.post(url, {**data, "status": "held", "version": meeting.version})
        assert held_too_soon.status_code == 422 and held_too_soon.context["form"].errors["status"]
        assert client.post(url, {**data, "status": "cancelled", "version": meeting.version}).status_code == 302
        meeting.refresh_from_db()
        assert meeting.status == MeetingStatus.CANCELLED
        assert "Annulée" in page(client.get(reverse("dialogue:meeting", kwargs={"pk": meeting.pk})))


# --- minutes ---------------------------------------------------------------------------------------

class TestMinutes:
    def test_minutes_recorded_then_published_become_visible_to_the_partner(self, meeting: Meeting, officer: User,
                                                                           gestionnaire: User,
                                                                           org_a: Organisation) -> None:
        held(meeting)
        staff, partner = client_for(officer), client_for(gestionnaire)
        url = reverse("dialogue:minutes", kwargs={"pk": meeting.pk})
        form_page = staff.get(url)
        assert form_page.status_code == 200
        initial = form_page.context["attendance"].initial
        assert {row["person_name"] for row in initial} == {"Olivier Officer", "Gaëlle Gestionnaire"}
        response = staff.post(url, {
            "minutes": "Tour de table des associations.",
            "decisions": "Créer un groupe de travail.\n\nRelancer l'appel.",
            "version": meeting.version,
            "presences-TOTAL_FORMS": "3", "presences-INITIAL_FORMS": "2",
            "presences-0-person_name": "Gaëlle Gestionnaire", "presences-0-organisation": str(org_a.pk),
            "presences-0-status": "present",
            "presences-1-person_name": "Olivier Officer", "presences-1-organisation": "",
            "presences-1-status": "excused",
            "presences-2-person_name": "", "presences-2-organisation": "", "presences-2-status": "present",
        })
        assert response.status_code == 302
        meeting.refresh_from_db()
        assert meeting.status == MeetingStatus.HELD
        assert [d.text for d in meeting.decisions.all()] == ["Créer un groupe de travail.", "Relancer l'appel."]
        assert sorted((a.person_name, a.status) for a in meeting.attendance.all()) == [
            ("Gaëlle Gestionnaire", "present"), ("Olivier Officer", "excused")]

        meeting_url = reverse("dialogue:meeting", kwargs={"pk": meeting.pk})
        before = page(partner.get(meeting_url))
        assert "Tour de table" not in before and "Créer un groupe de travail." not in before
        assert "une fois publié" in before
        assert "Olivier Officer" not in before.split('id="compte-rendu"')[1]  # no attendance list for partners
        staff_page = page(staff.get(meeting_url))
        assert "Tour de table" in staff_page and "Non publié" in staff_page and "Excusé·e" in staff_page
        publish = reverse("dialogue:minutes_publish", kwargs={"pk": meeting.pk})
        stale = staff.post(publish, {"version": meeting.version - 1})
        assert stale.status_code == 409 and "modifiées entre-temps" in page(stale)
        assert staff.post(publish, {"version": meeting.version}).status_code == 302
        after = page(partner.get(meeting_url))
        assert "Tour de table des associations." in after and "Créer un groupe de travail." in after
        again = staff.post(publish, {"version": Meeting.objects.get(pk=meeting.pk).version})
        assert again.status_code == 409 and "déjà publié" in page(again)

    def test_invalid_minutes_answer_422_and_a_stale_version_409(self, meeting: Meeting, officer: User) -> None:
        held(meeting)
        client = client_for(officer)
        url = reverse("dialogue:minutes", kwargs={"pk": meeting.pk})
        base = {"minutes": "Texte.", "decisions": "", "version": meeting.version,
                "presences-TOTAL_FORMS": "1", "presences-INITIAL_FORMS": "1",
                "presences-0-person_name": "", "presences-0-organisation": "", "presences-0-status": "present"}
        response = client.post(url, base)
        assert response.status_code == 422
        text = page(response)
        assert "Ligne 1 · Nom" in text and 'href="#id_presences-0-person_name"' in text
        services_meetings.record_minutes(officer, meeting, MinutesInput("Autre version."))
        stale = client.post(url, {**base, "presences-0-person_name": "Mme Weber"})
        assert stale.status_code == 409
        assert "modifiées entre-temps" in page(stale) and 'value="Mme Weber"' in page(stale)
        meeting.refresh_from_db()
        assert meeting.minutes == "Autre version."

    def test_minutes_of_a_meeting_to_come_cannot_be_written(self, meeting: Meeting, officer: User) -> None:
        response = client_for(officer).get(reverse("dialogue:minutes", kwargs={"pk": meeting.pk}))
        assert response.status_code == 200
        assert "une fois la réunion commencée" in page(response) and "presences-TOTAL_FORMS" not in page(response)


# --- action items ----------------------------------------------------------------------------------

class TestActions:
    def test_an_officer_adds_an_action_and_the_owner_updates_its_status(self, meeting: Meeting, officer: User,
                                                                        gestionnaire: User, member: User,
                                                                        org_a: Organisation) -> None:
        staff = client_for(officer)
        url = reverse("dialogue:action_add", kwargs={"pk": meeting.pk})
        refused = staff.post(url, {"title": "Sans responsable"})
        assert refused.status_code == 422 and "Désignez un responsable" in page(refused)
        due = timezone.localdate() + timedelta(days=30)
        response = staff.post(url, {"title": "Recenser les besoins", "description": "Par commune.",
                                    "owner": gestionnaire.pk, "owner_organisation": org_a.pk,
                                    "due_on": due.isoformat()})
        assert response.status_code == 302
        action = ActionItem.objects.get(title="Recenser les besoins")
        assert (action.owner, action.owner_organisation, action.due_on, action.raised_at) == (
            gestionnaire, org_a, due, meeting)

        partner = client_for(gestionnaire)
        text = page(partner.get(reverse("dialogue:meeting", kwargs={"pk": meeting.pk})))
        update = reverse("dialogue:action_update", kwargs={"pk": action.pk})
        assert update in text and "Recenser les besoins" in text
        own_form = partner.get(update)
        assert own_form.status_code == 200 and set(own_form.context["form"].fields) == {"status", "version"}
        response = partner.post(update, {"status": "done", "version": action.version,
                                         "next": reverse("dialogue:meeting", kwargs={"pk": meeting.pk})})
        assert response.status_code == 302
        action.refresh_from_db()
        assert action.status == ActionStatus.DONE and action.closed_at is not None
        stale = partner.post(update, {"status": "in_progress", "version": action.version - 1})
        assert stale.status_code == 409 and "modifiées entre-temps" in page(stale)
        # A member of the organisation sees the action but may not change it.
        member_client = client_for(member)
        assert update not in page(member_client.get(reverse("dialogue:meeting", kwargs={"pk": meeting.pk})))
        assert member_client.get(update).status_code == 403
        assert member_client.post(update, {"status": "open"}).status_code == 403

    def test_the_officer_changes_everything_of_an_action(self, meeting: Meeting, officer: User,
                                                         org_a: Organisation) -> None:
        action = services_actions.add_action_item(officer, meeting, ActionInput(title="Note",
                                                                                owner_organisation=org_a.pk))
        client = client_for(officer)
        update = reverse("dialogue:action_update", kwargs={"pk": action.pk})
        form = client.get(update).context["form"]
        assert {"title", "owner", "owner_organisation", "due_on", "status"} <= set(form.fields)
        response = client.post(update, {"title": "Note au ministre", "description": "", "owner": officer.pk,
                                        "owner_organisation": "", "due_on": "2027-01-15", "status": "in_progress",
                                        "version": action.version})
        assert response.status_code == 302
        action.refresh_from_db()
        assert (action.title, action.owner, action.owner_organisation, action.status, str(action.due_on)) == (
            "Note au ministre", officer, None, "in_progress", "2027-01-15")
        invalid = client.post(update, {"title": "", "status": "open", "version": action.version})
        assert invalid.status_code == 422 and 'href="#action-title"' in page(invalid)

    def test_actions_carried_over_are_listed_at_the_next_meeting(self, series: MeetingSeries, officer: User,
                                                                 gestionnaire: User, org_a: Organisation) -> None:
        first = held(series.meetings.get(occurrence=0))
        services_actions.add_action_item(officer, first, ActionInput(title="Action reportée",
                                                                     owner_organisation=org_a.pk))
        following = series.meetings.get(occurrence=1)
        text = page(client_for(gestionnaire).get(reverse("dialogue:meeting", kwargs={"pk": following.pk})))
        follow_up = text.split("Actions des réunions précédentes")[1].split("Actions décidées lors de cette")[0]
        assert "Action reportée" in follow_up and "À faire" in follow_up


# --- invitations and calendars ---------------------------------------------------------------------

class TestInvitationsAndCalendar:
    def test_invitations_are_sent_with_an_ics(
            self, meeting: Meeting, officer: User, gestionnaire: User,
            django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks) -> None:
        with django_capture_on_commit_callbacks(execute=True):
            response = client_for(officer).post(reverse("dialogue:invite", kwargs={"pk": meeting.pk}),
                                                {"version": meeting.version})
        assert response.status_code == 302
        assert sorted(m.to[0] for m in mail.outbox) == sorted([officer.email, gestionnaire.email])
        [(name, content, mimetype)] = mail.outbox[0].attachments
        assert name == "invitation.ics" and mimetype.startswith("text/calendar")
        assert "METHOD:REQUEST" in (content.decode() if isinstance(content, bytes) else content)
        meeting.refresh_from_db()
        assert meeting.invitations_sent_at is not None

    def test_invitations_to_a_moved_meeting_seen_before_answer_409(self, meeting: Meeting, officer: User) -> None:
        version = meeting.version
        services_meetings.update_meeting(officer, meeting, replace(MeetingInput.of(meeting), place="Salle 7"))
        response = client_for(officer).post(reverse("dialogue:invite", kwargs={"pk": meeting.pk}),
                                            {"version": version})
        assert response.status_code == 409 and "modifiées entre-temps" in page(response)
        assert not mail.outbox

    def test_the_calendar_page_shows_the_own_address_and_renewing_revokes_the_old_one(self, series: MeetingSeries,
                                                                                      gestionnaire: User,
                                                                                      officer: User) -> None:
        officer_token = services_calendar.calendar_token(officer).token
        client = client_for(gestionnaire)
        response = client.get(reverse("dialogue:calendar"))
        assert response.status_code == 200 and "no-store" in response["Cache-Control"]
        old = services_calendar.calendar_token(gestionnaire).token
        feed = reverse("dialogue:user_feed", kwargs={"token": old})
        text = page(response)
        assert f'value="http://testserver{feed}"' in text and 'for="adresse-abonnement"' in text
        assert "Outlook" in text and "Thunderbird" in text and "Google" in text
        assert officer_token not in text
        assert client.post(reverse("dialogue:calendar_renew")).status_code == 302
        new = services_calendar.calendar_token(gestionnaire).token
        assert new != old
        anonymous = Client()
        assert anonymous.get(feed).status_code == 404
        assert anonymous.get(reverse("dialogue:user_feed", kwargs={"token": new})).status_code == 200
        assert new in page(client.get(reverse("dialogue:calendar")))


class TestNavigation:
    def test_the_dialogue_is_in_the_navigation_of_partners_and_staff(self, gestionnaire: User, officer: User,
                                                                     client: Client) -> None:
        link = f'href="{reverse("dialogue:series_list")}"'
        assert link in page(client_for(gestionnaire).get(reverse("notifications:list")))
        assert link in page(client_for(officer).get(reverse("notifications:list")))
        assert link not in page(client.get(reverse("core:home")))

    def test_the_conventions_are_in_the_navigation_of_partners_and_the_ministrys_readers(
            self, gestionnaire: User, officer: User, make_user: Callable[..., User]) -> None:
        link = f'href="{reverse("conventions:list")}"'
        assert link in page(client_for(gestionnaire).get(reverse("notifications:list")))
        assert link in page(client_for(officer).get(reverse("notifications:list")))
        assert link not in page(client_for(make_user("reviewer")).get(reverse("notifications:list")))
