"""The shared up/down move: a swap with the neighbour, positions renumbered 1, 2, 3…, only changed rows saved."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from subsidia.core import ordering


@dataclass
class Item:
    pk: int
    position: int
    saved: list[list[str]] = field(default_factory=list)

    def save(self, *, update_fields: list[str]) -> None:
        self.saved.append(update_fields)


def _items(*positions: int) -> list[Item]:
    return [Item(pk=index + 1, position=position) for index, position in enumerate(positions)]


@pytest.mark.parametrize("pk,up,order", [
    (2, True, [2, 1, 3]), (2, False, [1, 3, 2]),
    (1, True, [1, 2, 3]), (3, False, [1, 2, 3]),  # at either end, nothing moves
])
def test_a_move_swaps_with_the_neighbour(pk: int, up: bool, order: list[int]) -> None:
    items = _items(1, 2, 3)
    moved = ordering.move(items, Item(pk=pk, position=0), up=up)
    assert moved is items[pk - 1]
    assert [item.pk for item in sorted(items, key=lambda item: item.position)] == order


def test_only_the_rows_whose_position_changed_are_saved() -> None:
    items = _items(1, 2, 3, 4)
    ordering.move(items, items[2], up=True)
    assert [item.saved for item in items] == [[], [["position"]], [["position"]], []]


def test_gaps_and_ties_are_renumbered_so_a_move_is_never_lost() -> None:
    items = _items(5, 5, 9)  # ties after concurrent additions, a gap after a deletion
    moved = ordering.move(items, items[1], up=True)
    assert moved.position == 1
    assert [item.position for item in items] == [2, 1, 3]
