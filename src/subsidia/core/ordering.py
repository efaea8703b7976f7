"""Moving an item one place up or down among its siblings (questions of a questionnaire, photos of a gallery).

The siblings are renumbered 1, 2, 3… at every move, so that gaps or ties left by deletions or concurrent
additions disappear instead of making a move do nothing; only the rows whose position changed are saved. The
caller holds the lock that serialises moves (e.g. the parent row, selected for update), checks permissions and
writes the audit record: this is only the arithmetic, shared.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol, TypeVar


class Positioned(Protocol):
    @property
    def pk(self) -> object: ...

    position: int

    def save(self, *, update_fields: list[str]) -> None: ...


P = TypeVar("P", bound=Positioned)


def move(siblings: Iterable[P], item: Positioned, *, up: bool) -> P:
    """Swap ``item`` with its neighbour above (``up``) or below among ``siblings`` (given in their order), save
    the new positions, and return the moved sibling. At either end, the item stays where it is."""
    ordered = list(siblings)
    index = next(i for i, sibling in enumerate(ordered) if sibling.pk == item.pk)
    target = index - 1 if up else index + 1
    if 0 <= target < len(ordered):
        ordered[index], ordered[target] = ordered[target], ordered[index]
    for position, sibling in enumerate(ordered, start=1):
        if sibling.position != position:
            sibling.position = position
            sibling.save(update_fields=["position"])
    return next(sibling for sibling in ordered if sibling.pk == item.pk)
