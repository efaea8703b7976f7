"""Registration: capacity and the waiting list (also under concurrent registrations), the window, validation,
cancellation with promotion and its e-mail, check-in, the .ics and the signed links."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone
from icalendar import Calendar
from pytest_django import DjangoCaptureOnCommitCallbacks

from subsidia.accounts.models import User
from subsidia.accounts.roles import Role
from subsidia.audit.models import AuditEvent
from subsidia.core.errors import Conflict, NotFound, PermissionDenied, RuleViolation
from subsidia.events import calendar, selectors, services, signing
from subsidia.events.inputs import RegistrationInput
from subsidia.events.models import BlockChoice, Event, EventStatus, Registration, RegistrationStatus
from subsidia.organisations.models import Municipality

from .factories import BlockFactory, EventFactory, RegistrationFactory, SessionFactory


def sign_up(event: Event, n: int, **kwargs: Any) -> Registration:
    return services.register(None, event, RegistrationInput(full_name=f"Personne {n}", email=f"p{n}@example.lu",
                                                            **kwargs))


def codes(error: RuleViolation) -> dict[str | None, str]:
    return {v.field: v.code for v in error.violations}


@pytest.mark.django_db
class TestCapacity:
    def test_confirmed_while_seats_left_then_waitlisted_in_order(
            self, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks) -> None:
        event = EventFactory.create(capacity=2)
        with django_capture_on_commit_callbacks(execute=True):
            first, second, third, fourth = (sign_up(event, n) for n in range(4))
        assert [r.status for r in (first, second)] == [RegistrationStatus.CONFIRMED] * 2
        assert [r.status for r in (third, fourth)] == [RegistrationStatus.WAITLISTED] * 2
        assert first.waitlisted_at is None and third.waitlisted_at is not None
        assert selectors.waitlist_position(third) == 1 and selectors.waitlist_position(fourth) == 2
        assert selectors.seats_left(event) == 0
        assert AuditEvent.objects.filter(action="event_registration.create").count() == 4
        by_person = {m.to[0]: m for m in mail.outbox}
        confirmed = by_person["p0@example.lu"]
        assert "confirmée" in confirmed.subject
        names = [a[0] for a in confirmed.attachments]
        assert names == ["invitation.ics", "code-qr-presence.png"]
        assert confirmed.attachments[1][1][:8] == b"\x89PNG\r\n\x1a\n"
        assert "/evenements/mon-inscription/" in confirmed.body and "annuler" in confirmed.body
        waiting = by_person["p3@example.lu"]
        assert "Liste d'attente" in waiting.subject and "position 2" in waiting.body
        assert not waiting.attachments

    def test_no_capacity_means_no_limit(self) -> None:
        event = EventFactory.create(capacity=None)
        assert all(sign_up(event, n).status == RegistrationStatus.CONFIRMED for n in range(5))
        assert selectors.seats_left(event) is None

    @pytest.mark.django_db(transaction=True)
    @pytest.mark.skipif(connection.vendor == "sqlite", reason="SQLite serialises writers, and the audit trail's "
                        "append-only trigger forbids the flush a transactional test needs; runs on PostgreSQL")
    def test_two_registrations_for_the_last_seat_give_exactly_one_confirmed(self) -> None:
        event = EventFactory.create(capacity=3)
        for n in range(2):
            sign_up(event, n)
        barrier = threading.Barrier(2)
        outcomes: dict[str, str] = {}

        def register(who: str) -> None:
            from django.db import connections

            try:
                barrier.wait()
                outcomes[who] = services.register(None, event, RegistrationInput(full_name=who,
                                                                                 email=f"{who}@example.lu")).status
            finally:
                connections.close_all()

        threads = [threading.Thread(target=register, args=(who,)) for who in ("anna", "bob")]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(outcomes.values()) == [RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED]
        assert event.registrations.filter(status=RegistrationStatus.CONFIRMED).count() == 3


@pytest.mark.django_db
class TestWindow:
    @pytest.mark.parametrize("changes", [
        {"registration_opens_at": timezone.now() + timedelta(days=1)},
        {"registration_closes_at": timezone.now() - timedelta(minutes=1)},
        {"status": EventStatus.CANCELLED},
        {"registration_enabled": False},
        {"past": True},
    ], ids=["not-yet-open", "closed", "cancelled", "disabled", "over"])
    def test_outside_the_window_is_refused_with_409(self, changes: dict[str, object]) -> None:
        event = EventFactory.create(**changes)
        with pytest.raises(Conflict) as refused:
            sign_up(event, 1)
        assert refused.value.violations[0].code == "registration_closed"
        assert refused.value.status_code == 409
        assert not Registration.objects.exists()

    def test_the_message_says_when_it_opens(self) -> None:
        event = EventFactory.create(registration_opens_at=timezone.now() + timedelta(days=2))
        with pytest.raises(Conflict) as refused:
            sign_up(event, 1)
        assert "pas encore ouvertes" in str(refused.value)

    def test_inside_the_window(self) -> None:
        event = EventFactory.create(registration_opens_at=timezone.now() - timedelta(days=1),
                                    registration_closes_at=timezone.now() + timedelta(days=1))
        assert sign_up(event, 1).status == RegistrationStatus.CONFIRMED

    def test_a_draft_does_not_exist_for_the_public(self) -> None:
        with pytest.raises(NotFound):
            sign_up(EventFactory.create(draft=True), 1)


@pytest.mark.django_db
class TestValidation:
    def test_name_and_email(self) -> None:
        event = EventFactory.create()
        with pytest.raises(RuleViolation) as refused:
            services.register(None, event, RegistrationInput(full_name=" ", email="pas-une-adresse"))
        assert codes(refused.value) == {"full_name": "required", "email": "invalid"}
        assert refused.value.status_code == 422

    def test_same_email_twice_is_refused_but_allowed_after_cancelling(self) -> None:
        event = EventFactory.create()
        first = services.register(None, event, RegistrationInput(full_name="Anna", email="anna@example.lu"))
        with pytest.raises(RuleViolation) as refused:
            services.register(None, event, RegistrationInput(full_name="Anna", email="ANNA@example.lu"))
        assert codes(refused.value) == {"email": "already_registered"}
        services.cancel_registration(None, first)
        assert services.register(None, event, RegistrationInput(full_name="Anna",
                                                                email="anna@example.lu")).pk != first.pk

    def test_blocks_must_be_the_events_ranked_once_and_enough(self) -> None:
        event = EventFactory.create(blocks_per_person=2)
        a, b, _c = (BlockFactory.create(event=event) for _ in range(3))
        other = BlockFactory.create()
        for ranking, code in [([a.pk, other.pk], "invalid_choice"), ([a.pk, a.pk], "duplicate_choice"),
                              ([a.pk], "required"), (["x"], "invalid_choice")]:
            with pytest.raises(RuleViolation) as refused:
                sign_up(event, 1, block_ranking=ranking)
            assert codes(refused.value) == {"block_ranking": code}
        registration = sign_up(event, 1, block_ranking=[b.pk, a.pk])
        assert [(c.rank, c.block_id) for c in registration.choices.order_by("rank")] == [(1, b.pk), (2, a.pk)]

    def test_sessions_of_the_event_within_their_capacity(self) -> None:
        event = EventFactory.create()
        session = SessionFactory.create(event=event, capacity=1)
        with pytest.raises(RuleViolation) as refused:
            sign_up(event, 1, session_ids=[SessionFactory.create().pk])
        assert codes(refused.value) == {"sessions": "invalid_choice"}
        assert list(sign_up(event, 1, session_ids=[session.pk]).sessions.all()) == [session]
        with pytest.raises(RuleViolation) as refused:
            sign_up(event, 2, session_ids=[session.pk])
        assert codes(refused.value) == {"sessions": "session_full"}

    def test_municipality_and_user(self, make_user: Callable[..., User]) -> None:
        event = EventFactory.create()
        mersch = Municipality.objects.create(name="Mersch")
        user = make_user()
        registration = services.register(user, event, RegistrationInput(full_name="Anna", email="anna@example.lu",
                                         municipality=mersch.pk))
        assert registration.municipality == mersch and registration.user == user
        with pytest.raises(RuleViolation) as refused:
            sign_up(event, 2, municipality=999999)
        assert codes(refused.value) == {"municipality": "invalid_choice"}


@pytest.mark.django_db
class TestCancellation:
    def test_cancelling_promotes_the_first_waiting_and_tells_them(
            self, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks) -> None:
        event = EventFactory.create(capacity=1)
        seated = sign_up(event, 0)
        first_waiting, second_waiting = sign_up(event, 1), sign_up(event, 2)
        # The waiting list is ordered by the time people joined it, not by id.
        assert first_waiting.waitlisted_at is not None
        Registration.objects.filter(pk=second_waiting.pk).update(
            waitlisted_at=first_waiting.waitlisted_at - timedelta(minutes=1))
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            cancelled = services.cancel_registration(None, seated, reason="Empêchée")
        assert cancelled.status == RegistrationStatus.CANCELLED and cancelled.cancelled_at
        second_waiting.refresh_from_db()
        first_waiting.refresh_from_db()
        assert second_waiting.status == RegistrationStatus.CONFIRMED and second_waiting.promoted_at
        assert first_waiting.status == RegistrationStatus.WAITLISTED
        assert selectors.waitlist_position(first_waiting) == 1
        promoted_mail = next(m for m in mail.outbox if m.to == ["p2@example.lu"])
        assert "place s'est libérée" in promoted_mail.body
        assert promoted_mail.attachments[0][0] == "invitation.ics"
        assert any(m.to == ["p0@example.lu"] and "annulée" in m.subject for m in mail.outbox)
        actions = set(AuditEvent.objects.values_list("action", flat=True))
        assert {"event_registration.cancel", "event_registration.promote"} <= actions

    def test_cancelling_twice_is_a_conflict(self) -> None:
        registration = sign_up(EventFactory.create(), 0)
        services.cancel_registration(None, registration)
        with pytest.raises(Conflict):
            services.cancel_registration(None, registration)

    def test_only_the_registrant_or_an_officer(self, make_user: Callable[..., User]) -> None:
        registration = sign_up(EventFactory.create(), 0)
        with pytest.raises(PermissionDenied):
            services.cancel_registration(make_user(), registration)
        assert services.cancel_registration(make_user(Role.OFFICER), registration).status == "cancelled"

    def test_raising_the_capacity_promotes(self) -> None:
        event = EventFactory.create(capacity=1)
        sign_up(event, 0)
        waiting = [sign_up(event, n) for n in (1, 2, 3)]
        event.capacity = 3
        event.save()
        promoted = services.promote_waitlisted(event)
        assert [r.pk for r in promoted] == [waiting[0].pk, waiting[1].pk]
        assert selectors.waitlist(event).get().pk == waiting[2].pk

    def test_promoted_after_the_allocation_gets_the_best_seat_left(self, make_user: Callable[..., User]) -> None:
        event = EventFactory.create(capacity=2)
        full, free = BlockFactory.create(event=event, capacity=1), BlockFactory.create(event=event, capacity=5)
        first = sign_up(event, 0, block_ranking=[full.pk, free.pk])
        sign_up(event, 1, block_ranking=[full.pk, free.pk])
        late = sign_up(event, 2, block_ranking=[full.pk, free.pk])
        services.run_allocation(make_user(Role.OFFICER), event)
        holder = BlockChoice.objects.get(block=full, allocated=True).registration
        services.cancel_registration(None, first)
        late.refresh_from_db()
        assert late.status == RegistrationStatus.CONFIRMED
        # The seat in the one-seat block is free again only if its holder was the one who left.
        expected = full if holder.pk == first.pk else free
        assert late.choices.get(allocated=True).block == expected
        assert late.lottery_position == 3
        assert "meilleures places restantes" in services.explain(late)[0]


@pytest.mark.django_db
class TestCheckIn:
    def test_officer_checks_in_once(self, make_user: Callable[..., User]) -> None:
        officer = make_user(Role.OFFICER)
        registration = sign_up(EventFactory.create(), 0)
        first = services.check_in(officer, registration)
        assert first.checked_in_at and first.checked_in_by == officer
        assert getattr(first, "already_checked_in", None) is False
        again = services.check_in(officer, registration)
        assert getattr(again, "already_checked_in", None) is True
        assert again.checked_in_at == first.checked_in_at
        assert AuditEvent.objects.filter(action="event_registration.check_in").count() == 1

    def test_only_officers_and_only_confirmed(self, make_user: Callable[..., User]) -> None:
        event = EventFactory.create(capacity=1)
        sign_up(event, 0)
        waiting = sign_up(event, 1)
        with pytest.raises(PermissionDenied):
            services.check_in(make_user(Role.MODERATOR), waiting)
        with pytest.raises(Conflict):
            services.check_in(make_user(Role.OFFICER), waiting)


@pytest.mark.django_db
class TestSigning:
    def test_tokens_are_per_purpose_and_tamper_proof(self) -> None:
        registration = RegistrationFactory.create()
        token = signing.token_for(registration, "cancel")
        assert signing.uid_from(token, "cancel") == str(registration.uid)
        assert signing.uid_from(token, "checkin") is None
        assert signing.uid_from(token[:-2] + ("AA" if token[-2:] != "AA" else "BB"), "cancel") is None
        assert signing.uid_from("n'importe quoi", "status") is None

    def test_expired_tokens_are_refused(self, monkeypatch: pytest.MonkeyPatch) -> None:
        registration = RegistrationFactory.create()
        token = signing.token_for(registration, "status")
        monkeypatch.setattr(signing, "MAX_AGE_SECONDS", -1)
        assert signing.uid_from(token, "status") is None


@pytest.mark.django_db
class TestIcs:
    def test_invitation_parses_back_with_timezone_and_stable_uid(self) -> None:
        event = EventFactory.create(time_zone="America/New_York")
        registration = sign_up(event, 0)
        cal = Calendar.from_ical(calendar.invitation(event, registration))
        assert cal["method"] == "REQUEST"
        vevent = next(c for c in cal.walk("VEVENT"))
        assert str(vevent["uid"]) == calendar.uid_of(event)
        assert str(vevent["summary"]) == event.title
        start = vevent.decoded("dtstart")
        assert start == event.starts_at and str(start.tzinfo) == "America/New_York"
        assert [str(tz["tzid"]) for tz in cal.walk("VTIMEZONE")] == ["America/New_York"]
        assert "p0@example.lu" in str(vevent["attendee"])
        again = Calendar.from_ical(calendar.event_ics(event))
        assert str(next(c for c in again.walk("VEVENT"))["uid"]) == calendar.uid_of(event)
