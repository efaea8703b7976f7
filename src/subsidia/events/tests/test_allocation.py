"""The ranked allocation of blocks or tables: within capacity, reproducible from the seed, each gets the best
choice left at their turn, explained to each person."""

from __future__ import annotations

import hashlib
from collections.abc import Callable

import pytest
from django.core import mail
from pytest_django import DjangoCaptureOnCommitCallbacks

from subsidia.accounts.models import User
from subsidia.accounts.roles import Role
from subsidia.audit.models import AuditEvent
from subsidia.core.errors import Conflict, PermissionDenied
from subsidia.events import allocation, services
from subsidia.events.allocation import Registrant, allocate
from subsidia.events.inputs import RegistrationInput
from subsidia.events.models import Block, BlockChoice, Event, Registration, RegistrationStatus

from .factories import BlockFactory, EventFactory


def people(n: int, ranking: tuple[int, ...]) -> list[Registrant]:
    return [Registrant(key=i, uid=f"uid-{i}", ranking=ranking) for i in range(1, n + 1)]


class TestPureAllocation:
    def test_capacity_is_respected_and_everyone_placed_when_possible(self) -> None:
        result = allocate("seed", people(9, (1, 2, 3)), {1: 3, 2: 3, 3: 3})
        counts = {block: sum(block in given for given in result.assigned.values()) for block in (1, 2, 3)}
        assert counts == {1: 3, 2: 3, 3: 3}
        assert all(len(given) == 1 for given in result.assigned.values())
        assert result.remaining == {1: 0, 2: 0, 3: 0}

    def test_the_order_is_the_sha256_lottery(self) -> None:
        registrants = people(6, (1,))
        result = allocate("graine", registrants, {1: 2})
        expected = sorted(registrants, key=lambda r: hashlib.sha256(f"graine{r.uid}".encode()).hexdigest())
        assert result.order == [r.key for r in expected]
        # The first two in the lottery get the only two seats of the only block.
        assert sorted(k for k, given in result.assigned.items() if given) == sorted(result.order[:2])

    def test_reproducible_with_the_same_seed_and_different_with_another(self) -> None:
        registrants = people(20, (1, 2))
        first = allocate("a", registrants, {1: 5, 2: 5})
        assert allocate("a", list(reversed(registrants)), {1: 5, 2: 5}) == first
        assert allocate("b", registrants, {1: 5, 2: 5}).order != first.order

    def test_each_gets_the_best_choice_left_when_their_turn_comes(self) -> None:
        registrants = [Registrant(1, "u1", (1, 2, 3)), Registrant(2, "u2", (1, 3, 2)),
                       Registrant(3, "u3", (1, 2, 3)), Registrant(4, "u4", (2, 1, 3))]
        capacities = {1: 1, 2: 1, 3: 5}
        result = allocate("s", registrants, capacities)
        remaining = dict(capacities)
        for key in result.order:  # replay: at each turn the block given is the best ranked with a seat left
            ranking = next(r.ranking for r in registrants if r.key == key)
            best = next(b for b in ranking if remaining[b] > 0)
            assert result.assigned[key] == [best]
            remaining[best] -= 1

    def test_several_rounds_give_distinct_blocks_round_after_round(self) -> None:
        result = allocate("s", people(4, (1, 2, 3)), {1: 2, 2: 2, 3: 4}, per_person=2)
        assert all(len(set(given)) == 2 for given in result.assigned.values())
        # Round one fills block 1 with the first two in the lottery; the next two get block 2 first.
        first_two, last_two = result.order[:2], result.order[2:]
        assert all(result.assigned[k][0] == 1 for k in first_two)
        assert all(result.assigned[k][0] == 2 for k in last_two)
        assert all(result.assigned[k][1] == 3 for k in last_two)

    def test_unlimited_blocks(self) -> None:
        assert allocation.best_available((7,), {7: None}) == 7
        assert allocation.best_available((7, 8), {7: 0, 8: None}, taken=()) == 8
        assert allocation.best_available((7,), {7: 0}) is None


@pytest.mark.django_db
class TestRunAllocation:
    def make_event(self) -> tuple[Event, Block, Block, list[Registration]]:
        event = EventFactory.create(capacity=None)
        popular, quiet = BlockFactory.create(event=event, capacity=2, title="Logement abordable"), \
            BlockFactory.create(event=event, capacity=10, title="Vivre ensemble")
        registrations = [services.register(None, event, RegistrationInput(full_name=f"P{n}", email=f"p{n}@example.lu",
                                           block_ranking=[popular.pk, quiet.pk])) for n in range(5)]
        return event, popular, quiet, registrations

    def test_stores_the_result_explains_it_and_e_mails_it(
            self, make_user: Callable[..., User],
            django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks) -> None:
        event, popular, quiet, _registrations = self.make_event()
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            result = services.run_allocation(make_user(Role.OFFICER), event)
        event.refresh_from_db()
        assert event.allocated_at is not None
        assert BlockChoice.objects.filter(block=popular, allocated=True).count() == 2
        assert BlockChoice.objects.filter(block=quiet, allocated=True).count() == 3
        drawn = [r.lottery_position for r in event.registrations.all()]
        assert None not in drawn
        positions = sorted(p for p in drawn if p is not None)
        assert positions == [1, 2, 3, 4, 5]
        first = event.registrations.get(pk=result.order[0])
        last = event.registrations.get(pk=result.order[-1])
        assert "n° 1 sur 5" in services.explain(first)[0]
        assert services.explain(first)[1] == "Vous avez obtenu votre 1er choix : « Logement abordable »."
        lines = services.explain(last)
        assert "n° 5 sur 5" in lines[0] and event.allocation_seed in lines[0]
        assert lines[1] == "Vous avez obtenu votre 2e choix : « Vivre ensemble »."
        assert "(1er : « Logement abordable ») étaient complets quand votre tour est venu" in lines[2]
        assert len(mail.outbox) == 5 and all("Vous avez obtenu" in m.body for m in mail.outbox)
        assert AuditEvent.objects.filter(action="event.allocate").exists()

    def test_rerunning_gives_the_same_result(self, make_user: Callable[..., User]) -> None:
        event, *_ = self.make_event()
        officer = make_user(Role.OFFICER)
        first = services.run_allocation(officer, event)
        snapshot = set(BlockChoice.objects.filter(allocated=True).values_list("registration", "block"))
        again = services.run_allocation(officer, event)
        assert again == first
        assert set(BlockChoice.objects.filter(allocated=True).values_list("registration", "block")) == snapshot

    def test_a_new_seed_changes_the_order(self, make_user: Callable[..., User]) -> None:
        event, *_ = self.make_event()
        officer = make_user(Role.OFFICER)
        first = services.run_allocation(officer, event)
        # Five people have 120 orders: one other seed gives the same order once in 120 runs (the registrations'
        # uids are random), four other seeds all give it about once in 200 million.
        orders = []
        for seed in ("une-autre-graine", "graine-2", "graine-3", "graine-4"):
            event.allocation_seed = seed
            event.save()
            orders.append(services.run_allocation(officer, event).order)
        assert any(order != first.order for order in orders)

    def test_only_confirmed_people_take_part(self, make_user: Callable[..., User]) -> None:
        event, _popular, _quiet, registrations = self.make_event()
        services.cancel_registration(None, registrations[0])
        result = services.run_allocation(make_user(Role.OFFICER), event)
        assert registrations[0].pk not in result.order and len(result.order) == 4
        registrations[0].refresh_from_db()
        assert registrations[0].status == RegistrationStatus.CANCELLED and services.explain(registrations[0]) == []

    def test_officers_only_and_blocks_needed(self, make_user: Callable[..., User]) -> None:
        event, *_ = self.make_event()
        with pytest.raises(PermissionDenied):
            services.run_allocation(make_user(Role.MODERATOR), event)
        with pytest.raises(Conflict):
            services.run_allocation(make_user(Role.OFFICER), EventFactory.create())

    def test_no_explanation_before_the_allocation(self) -> None:
        _event, _p, _q, registrations = self.make_event()
        assert services.explain(registrations[0]) == []
