"""The events API: published events, registration (201 confirmed / waitlisted, 409 closed window, 422, 404)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from subsidia.accounts.models import User
from subsidia.accounts.roles import Role
from subsidia.events.models import Registration
from subsidia.events.tests.factories import BlockFactory, EventFactory, RegistrationFactory, SessionFactory
from subsidia.organisations.models import Municipality

from .helpers import auth, call, codes, fields

pytestmark = pytest.mark.django_db


def body(n: int = 1, **extra: object) -> dict[str, object]:
    return {"full_name": f"Personne {n}", "email": f"p{n}@example.lu", **extra}


class TestReads:
    def test_list_published_upcoming_by_default(self, client: Client) -> None:
        upcoming = EventFactory.create(capacity=5)
        RegistrationFactory.create(event=upcoming)
        past = EventFactory.create(past=True)
        EventFactory.create(draft=True)
        response = call(client, "GET", "/events")
        assert response.status_code == 200
        items = response.json()["items"]
        assert [e["id"] for e in items] == [upcoming.pk]
        assert items[0]["seats_left"] == 4 and items[0]["registration_open"] is True
        assert [e["id"] for e in call(client, "GET", "/events?when=past").json()["items"]] == [past.pk]
        assert call(client, "GET", "/events?when=all").json()["count"] == 2

    def test_detail_with_programme_and_drafts_hidden(self, client: Client, make_user: Callable[..., User]) -> None:
        event = EventFactory.create(description="<p>ok</p><script>x()</script>")
        block = BlockFactory.create(event=event, capacity=3)
        SessionFactory.create(event=event, block=block)
        data = call(client, "GET", f"/events/{event.pk}").json()
        assert data["blocks"][0]["id"] == block.pk and data["blocks"][0]["seats_left"] == 3
        assert data["sessions"][0]["block_id"] == block.pk and data["sessions"][0]["speakers"] == [
            "Marie Muller", "Jean Weber"]
        assert "<script>" not in data["description_html"]
        draft = EventFactory.create(draft=True)
        assert call(client, "GET", f"/events/{draft.pk}").status_code == 404
        assert call(client, "GET", f"/events/{draft.pk}",
                    headers=auth(make_user(Role.OFFICER))).status_code == 200


class TestRegistration:
    def test_confirmed_then_waitlisted_when_full(self, client: Client) -> None:
        event = EventFactory.create(capacity=1)
        first = call(client, "POST", f"/events/{event.pk}/registrations", body(1))
        assert first.status_code == 201
        assert first.json()["status"] == "confirmed" and first.json()["waitlist_position"] is None
        second = call(client, "POST", f"/events/{event.pk}/registrations", body(2))
        assert second.status_code == 201
        assert second.json()["status"] == "waitlisted" and second.json()["waitlist_position"] == 1

    @pytest.mark.parametrize("changes", [
        {"registration_closes_at": timezone.now() - timedelta(hours=1)},
        {"registration_opens_at": timezone.now() + timedelta(hours=1)},
        {"status": "cancelled"},
    ], ids=["closed", "not-yet-open", "cancelled"])
    def test_closed_window_is_409(self, client: Client, changes: dict[str, object]) -> None:
        event = EventFactory.create(**changes)
        response = call(client, "POST", f"/events/{event.pk}/registrations", body())
        assert response.status_code == 409 and codes(response) == ["registration_closed"]
        assert response.json()["errors"][0]["message"]
        assert not Registration.objects.exists()

    def test_invalid_data_is_422_with_fields(self, client: Client) -> None:
        event = EventFactory.create()
        block = BlockFactory.create(event=event)
        response = call(client, "POST", f"/events/{event.pk}/registrations",
                        body(email="nope", block_ranking=[block.pk, block.pk], municipality="Atlantis"))
        assert response.status_code == 422
        assert fields(response) == {"email", "block_ranking", "municipality"}
        assert call(client, "POST", f"/events/{event.pk}/registrations", {"email": "a@b.lu"}).status_code == 422

    def test_municipality_by_name_and_duplicate(self, client: Client) -> None:
        event = EventFactory.create()
        mersch = Municipality.objects.create(name="Mersch")
        response = call(client, "POST", f"/events/{event.pk}/registrations", body(municipality="mersch"))
        assert Registration.objects.get(pk=response.json()["id"]).municipality == mersch
        again = call(client, "POST", f"/events/{event.pk}/registrations", body())
        assert again.status_code == 422 and codes(again) == ["already_registered"]

    def test_drafts_and_unknown_events_are_404(self, client: Client) -> None:
        draft = EventFactory.create(draft=True)
        assert call(client, "POST", f"/events/{draft.pk}/registrations", body()).status_code == 404
        assert call(client, "POST", "/events/999999/registrations", body()).status_code == 404
