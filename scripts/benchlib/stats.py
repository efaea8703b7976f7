"""Latency percentiles and summaries of the measured samples."""

from __future__ import annotations

import math
from collections.abc import Sequence


def percentile(values: Sequence[float], share: float) -> float:
    """The nearest-rank percentile: the smallest value with at least ``share`` of the values at or below it
    (so that p95 of three samples is the slowest one, never an interpolation between them)."""
    if not values:
        raise ValueError("no values")
    if not 0 < share <= 1:
        raise ValueError("share must be in (0, 1]")
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def latency_summary(seconds: Sequence[float]) -> dict[str, float | int]:
    """p50/p95/p99 and mean in milliseconds (rounded to 0.1 ms), with the number of samples."""
    return {
        "n": len(seconds),
        "p50_ms": round(percentile(seconds, 0.50) * 1000, 1),
        "p95_ms": round(percentile(seconds, 0.95) * 1000, 1),
        "p99_ms": round(percentile(seconds, 0.99) * 1000, 1),
        "mean_ms": round(sum(seconds) / len(seconds) * 1000, 1),
    }


def share_of(value: float | None, reference: float | None) -> float | None:
    """``value`` as a percentage of ``reference`` (None when either is unknown or the reference is 0)."""
    if value is None or not reference:
        return None
    return round(100 * value / reference, 1)


def ratio(large: float | None, demo: float | None) -> float | None:
    """How many times ``large`` is ``demo`` (None when either is unknown or the demo figure is 0)."""
    if large is None or not demo:
        return None
    return round(large / demo, 2)
