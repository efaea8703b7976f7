"""The public pages of events: list and filters, detail with programme, registration form (window, errors,
waiting list), signed links (status, cancellation, check-in, certificate) and their tampering."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.urls import resolve, reverse
from django.utils import timezone
from icalendar import Calendar
from pytest_django import DjangoCaptureOnCommitCallbacks

from subsidia.accounts.models import User
from subsidia.accounts.roles import Role
from subsidia.events import services, signing
from subsidia.events.inputs import RegistrationInput
from subsidia.events.models import Registration, RegistrationStatus
from subsidia.organisations.models import Theme

from .factories import BlockFactory, EventFactory, RegistrationFactory, SessionFactory

pytestmark = pytest.mark.django_db


def form_data(n: int = 1, **extra: object) -> dict[str, object]:
    return {"full_name": f"Personne {n}", "email": f"p{n}@example.lu", **extra}


class TestListAndDetail:
    def test_list_upcoming_past_and_filters(self, client: Client) -> None:
        theme = Theme.objects.create(code="integration", name="Intégration")
        upcoming = EventFactory.create(title="À venir sur place")
        upcoming.themes.add(theme)
        online = EventFactory.create(title="Webinaire", place="", online_url="https://visio.example.lu/x")
        past = EventFactory.create(title="Conférence 2017", past=True)
        draft = EventFactory.create(title="Brouillon secret", draft=True)
        page = client.get(reverse("events:list")).content.decode()
        assert upcoming.title in page and online.title in page
        assert past.title not in page and draft.title not in page
        assert past.title in client.get(reverse("events:list"), {"when": "past"}).content.decode()
        online_only = client.get(reverse("events:list"), {"mode": "online"}).content.decode()
        assert online.title in online_only and upcoming.title not in online_only
        by_theme = client.get(reverse("events:list"), {"theme": theme.pk}).content.decode()
        assert upcoming.title in by_theme and online.title not in by_theme

    def test_detail_shows_programme_seats_and_sanitised_description(self, client: Client) -> None:
        event = EventFactory.create(capacity=3, description='<p>Bienvenue</p><script>alert(1)</script>',
                                    time_zone="Europe/Luxembourg")
        block = BlockFactory.create(event=event, title="Logement abordable")
        SessionFactory.create(event=event, block=block, title="Table du logement", room="Salle B")
        RegistrationFactory.create(event=event)
        response = client.get(reverse("events:detail", args=[event.slug]))
        page = response.content.decode()
        assert response.status_code == 200
        assert "Logement abordable" in page and "Table du logement" in page and "Salle B" in page
        assert "Marie Muller" in page and "2 places restantes" in page
        assert "<script>alert" not in page and "Bienvenue" in page
        assert reverse("events:register", args=[event.slug]) in page

    def test_drafts_only_for_officers(self, client: Client, make_user: Callable[..., User],
                                      login: Callable[..., Client]) -> None:
        draft = EventFactory.create(draft=True)
        url = reverse("events:detail", args=[draft.slug])
        assert client.get(url).status_code == 404
        assert client.get(reverse("events:register", args=[draft.slug])).status_code == 404
        login(make_user(Role.OFFICER))
        assert client.get(url).status_code == 200

    def test_the_ics_download(self, client: Client) -> None:
        event = EventFactory.create()
        response = client.get(reverse("events:ics", args=[event.slug]))
        assert response["Content-Type"].startswith("text/calendar")
        vevent = next(c for c in Calendar.from_ical(response.content).walk("VEVENT"))
        assert str(vevent["summary"]) == event.title

    def test_the_staff_urls_are_not_taken_for_slugs(self) -> None:
        assert reverse("events:staff_list") == "/evenements/gestion/"


class TestRegistrationPage:
    def test_registering_redirects_to_the_status_page(
            self, client: Client, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks) -> None:
        event = EventFactory.create(blocks_per_person=1)
        first, second = BlockFactory.create(event=event), BlockFactory.create(event=event)
        form = client.get(reverse("events:register", args=[event.slug])).content.decode()
        assert "1er choix" in form and "2e choix" in form and "supprimées 180 jours après" in form
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("events:register", args=[event.slug]),
                                   form_data(choice_1=second.pk, choice_2=first.pk))
        registration = Registration.objects.get()
        assert response.status_code == 302
        # The link is the status page's, signed for this registration (the token carries a timestamp, so
        # it is compared by what it says rather than byte for byte).
        match = resolve(response["Location"])
        assert match.view_name == "events:registration_status"
        assert signing.uid_from(match.kwargs["token"], "status") == str(registration.uid)
        assert [c.block for c in registration.choices.order_by("rank")] == [second, first]
        assert len(mail.outbox) == 1
        status = client.get(response["Location"]).content.decode()
        assert "Votre place est confirmée" in status

    def test_errors_are_shown_on_the_form(self, client: Client) -> None:
        event = EventFactory.create()
        block = BlockFactory.create(event=event)
        BlockFactory.create(event=event)
        response = client.post(reverse("events:register", args=[event.slug]),
                               form_data(email="pas-une-adresse", choice_1=block.pk, choice_2=block.pk))
        assert response.status_code == 422
        page = response.content.decode()
        assert "Le formulaire contient" in page and "une fois" in page
        services.register(None, event, RegistrationInput(full_name="Déjà", email="deja@example.lu",
                                                         block_ranking=[block.pk]))
        response = client.post(reverse("events:register", args=[event.slug]),
                                form_data(email="DEJA@example.lu", choice_1=block.pk))
        assert response.status_code == 422 and "déjà inscrite" in response.content.decode()
        assert Registration.objects.count() == 1

    def test_a_closed_window_is_said_and_refused(self, client: Client) -> None:
        event = EventFactory.create(registration_closes_at=timezone.now() - timedelta(hours=1))
        page = client.get(reverse("events:register", args=[event.slug]))
        assert page.status_code == 200 and "sont closes" in page.content.decode()
        assert "<form method=\"post\" novalidate class=\"registration-form\">" not in page.content.decode()
        response = client.post(reverse("events:register", args=[event.slug]), form_data())
        assert response.status_code == 409 and "sont closes" in response.content.decode()
        assert not Registration.objects.exists()

    def test_not_yet_open_and_cancelled(self, client: Client) -> None:
        soon = EventFactory.create(registration_opens_at=timezone.now() + timedelta(days=3))
        assert "pas encore ouvertes" in client.get(reverse("events:register", args=[soon.slug])).content.decode()
        cancelled = EventFactory.create(status="cancelled")
        response = client.post(reverse("events:register", args=[cancelled.slug]), form_data())
        assert response.status_code == 409 and "annulé" in response.content.decode()

    def test_full_event_puts_people_on_the_waiting_list(self, client: Client) -> None:
        event = EventFactory.create(capacity=1)
        RegistrationFactory.create(event=event)
        assert "liste d'attente" in client.get(reverse("events:register", args=[event.slug])).content.decode()
        response = client.post(reverse("events:register", args=[event.slug]), form_data())
        status = client.get(response["Location"]).content.decode()
        assert "position 1 sur la liste d'attente" in status

    def test_sessions_with_capacity_are_offered(self, client: Client) -> None:
        event = EventFactory.create()
        limited = SessionFactory.create(event=event, capacity=1, title="Atelier limité")
        SessionFactory.create(event=event, title="Plénière")
        page = client.get(reverse("events:register", args=[event.slug])).content.decode()
        assert "Atelier limité" in page and "Plénière" not in page
        client.post(reverse("events:register", args=[event.slug]), form_data(sessions=[limited.pk]))
        response = client.post(reverse("events:register", args=[event.slug]), form_data(2, sessions=[limited.pk]))
        assert response.status_code == 422 and "complète" in response.content.decode()


class TestSignedLinks:
    def test_tampered_or_wrong_purpose_links_are_404(self, client: Client) -> None:
        registration = RegistrationFactory.create()
        token = signing.token_for(registration, "status")
        assert client.get(reverse("events:registration_status", args=[token])).status_code == 200
        assert client.get(reverse("events:registration_status", args=[token + "x"])).status_code == 404
        assert client.get(reverse("events:registration_cancel", args=[token])).status_code == 404
        assert client.get(reverse("events:certificate", args=[token])).status_code == 404

    def test_cancelling_through_the_link_promotes_the_next(
            self, client: Client, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks) -> None:
        event = EventFactory.create(capacity=1)
        seated = services.register(None, event, RegistrationInput(full_name="A", email="a@example.lu"))
        waiting = services.register(None, event, RegistrationInput(full_name="B", email="b@example.lu"))
        url = signing.path_for(seated, "cancel")
        assert "Confirmer l'annulation" in client.get(url).content.decode()
        seated.refresh_from_db()
        assert seated.status == RegistrationStatus.CONFIRMED  # GET only shows
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(url, {"reason": "Empêché"})
        assert response.status_code == 302
        seated.refresh_from_db()
        waiting.refresh_from_db()
        assert seated.status == RegistrationStatus.CANCELLED and waiting.status == RegistrationStatus.CONFIRMED
        assert {m.to[0] for m in mail.outbox} == {"a@example.lu", "b@example.lu"}
        assert "déjà annulée" in client.get(url).content.decode()

    def test_check_in_by_scanning_is_for_officers_and_idempotent(self, client: Client, make_user: Callable[..., User],
                                                                 login: Callable[..., Client]) -> None:
        registration = RegistrationFactory.create(full_name="Anna Schmit")
        url = reverse("events:check_in", args=[signing.token_for(registration, "checkin")])
        assert client.get(url).status_code == 302  # to the login page
        login(make_user(Role.OFFICER))
        page = client.get(url).content.decode()
        assert "Anna Schmit" in page and "Enregistrer la présence" in page
        registration.refresh_from_db()
        assert registration.checked_in_at is None
        first = client.post(url, follow=True).content.decode()
        assert "présence enregistrée" in first
        again = client.post(url, follow=True).content.decode()
        assert "déjà enregistré" in again

    def test_certificate_only_for_people_who_came(self, client: Client) -> None:
        registration = RegistrationFactory.create(full_name="Anna Schmit")
        url = reverse("events:certificate", args=[signing.token_for(registration, "certificate")])
        assert client.get(url).status_code == 404
        Registration.objects.filter(pk=registration.pk).update(checked_in_at=timezone.now())
        response = client.get(url)
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
        assert response.content.startswith(b"%PDF")

    def test_status_page_explains_the_allocation(self, client: Client, make_user: Callable[..., User]) -> None:
        event = EventFactory.create()
        block = BlockFactory.create(event=event, title="Vivre ensemble")
        registration = services.register(None, event, RegistrationInput(full_name="A", email="a@example.lu",
                                                                        block_ranking=[block.pk]))
        services.run_allocation(make_user(Role.OFFICER), event)
        page = client.get(signing.path_for(registration, "status")).content.decode()
        assert "n° 1 sur 1" in page and "1er choix : « Vivre ensemble »" in page
