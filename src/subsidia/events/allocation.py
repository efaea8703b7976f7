"""The allocation of thematic blocks or tables within their capacity: a random serial dictatorship.

Fair and reproducible: registrants are put in a lottery order by ``sha256(seed + registration uid)`` (the seed is
published with the event, so anyone can recompute the order), then, round after round up to ``per_person``
rounds, each registrant in that order is given their best-ranked block that still has a seat and that they do not
have yet. Nobody is favoured by the time they registered, and each person gets the best choice still free when
their turn comes. A pure function: no database, no clock.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Registrant:
    key: int  # the registration's id
    uid: str  # the registration's public uid (what the lottery hashes)
    ranking: tuple[int, ...]  # block ids, most wanted first


@dataclass
class AllocationResult:
    order: list[int] = field(default_factory=list)  # registration ids, first to choose first
    assigned: dict[int, list[int]] = field(default_factory=dict)  # registration id -> block ids given
    remaining: dict[int, int | None] = field(default_factory=dict)  # block id -> seats left (None: no limit)

    @property
    def positions(self) -> dict[int, int]:
        """Each registration's place in the lottery, from 1."""
        return {key: n for n, key in enumerate(self.order, start=1)}


def lottery_ticket(seed: str, uid: str) -> str:
    """The hexadecimal ticket that orders a registrant in the lottery (smallest first)."""
    return hashlib.sha256(f"{seed}{uid}".encode()).hexdigest()


def lottery_order(seed: str, registrants: Iterable[Registrant]) -> list[Registrant]:
    return sorted(registrants, key=lambda r: (lottery_ticket(seed, r.uid), r.key))


def best_available(ranking: Sequence[int], remaining: Mapping[int, int | None],
                   taken: Iterable[int] = ()) -> int | None:
    """The best-ranked block that has a seat left and that the person does not have already."""
    already = set(taken)
    for block in ranking:
        if block in already or block not in remaining:
            continue
        seats = remaining[block]
        if seats is None or seats > 0:
            return block
    return None


def allocate(seed: str, registrants: Iterable[Registrant], capacities: Mapping[int, int | None],
             per_person: int = 1) -> AllocationResult:
    """Give each registrant up to ``per_person`` blocks among those they ranked, within ``capacities``."""
    ordered = lottery_order(seed, registrants)
    remaining: dict[int, int | None] = dict(capacities)
    result = AllocationResult(order=[r.key for r in ordered], assigned={r.key: [] for r in ordered})
    for _round in range(max(per_person, 1)):
        for registrant in ordered:
            block = best_available(registrant.ranking, remaining, result.assigned[registrant.key])
            if block is None:
                continue
            result.assigned[registrant.key].append(block)
            seats = remaining[block]
            if seats is not None:
                remaining[block] = seats - 1
    result.remaining = remaining
    return result
