"""Small numbers in public statistics: no count of people below ``SMALL_COUNT_THRESHOLD`` (5) is published.

The rule, applied by :func:`protect` to every breakdown a public page shows (the answers to each question of a
public evaluation report, with its "no answer" row) and by :func:`small_count` to a lone count (the participants
of an event):

1. **Primary suppression.** A count from 1 to threshold - 1 is shown as "< 5", with no bar and no percentage.
   Zero is shown (it describes nobody).
2. **Secondary suppression.** When the total of a breakdown is shown and exactly one of its cells is suppressed,
   that cell could be found by subtraction: the smallest other cell is suppressed too (a zero first, which is
   truthfully "< 5"; otherwise a count of at least the threshold, shown as "≥ 5").
3. **Small totals.** When the total itself is below the threshold, the breakdown is not published at all, only
   "< 5".
4. Anything computed from a breakdown with a suppressed cell (an average) is not shown either: with the total it
   would give the missing cells back.

The officers' own result pages keep the exact numbers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings


def threshold() -> int:
    return int(settings.SMALL_COUNT_THRESHOLD)


@dataclass(frozen=True)
class Count:
    """A count as published: its value is only for the code; ``str()`` is what a page may show."""

    value: int
    hidden: bool = False

    @property
    def shown(self) -> int | None:
        """The number a chart may draw, None when it is suppressed."""
        return None if self.hidden else self.value

    def __str__(self) -> str:
        if not self.hidden:
            return str(self.value)
        limit = threshold()
        return f"< {limit}" if self.value < limit else f"≥ {limit}"


def is_small(value: int) -> bool:
    return 0 < value < threshold()


def small_count(value: int | None) -> Count | None:
    """A lone public count: "< 5" when it counts one to four people."""
    return None if value is None else Count(value, hidden=is_small(value))


def protect(values: Sequence[int], *, total_shown: bool = True) -> list[Count]:
    """The cells of one breakdown, suppressed by the rules of this module (``total_shown``: its total is on the
    page, or can be computed from other numbers on it)."""
    hidden = [is_small(value) for value in values]
    if total_shown and sum(hidden) == 1 and len(values) > 1:
        candidates = sorted((value, index) for index, value in enumerate(values) if not hidden[index])
        hidden[candidates[0][1]] = True
    return [Count(value, hidden=flag) for value, flag in zip(values, hidden, strict=True)]
