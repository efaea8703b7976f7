"""The targets of issue 13, checked on each measured line.

They are ratios taken in one run (large database against the demo, a page against the bare view), so that
they hold on a noisy machine, plus three absolute bounds: queries per request, site search on SQLite, and the
exports' memory.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .pages import BARE, EXPORT, MISSING, PUBLIC, SIGNED_IN
from .stats import ratio, share_of

P95_RATIO_MAX = 1.3  # p95 on the large database ≤ 1.3 times p95 on the demo
PUBLIC_SHARE_MIN = 30.0  # anonymous public pages: ≥ 30 % of the bare view's requests/s
SIGNED_IN_SHARE_MIN = 10.0  # signed-in pages: ≥ 10 %
QUERIES_MAX = 12  # SQL queries per request, and the same on both databases
SEARCH_P95_MAX_MS = 50.0  # site search on the large database, on SQLite
EXPORT_GROWTH_MAX_MB = 50.0  # peak memory growth of a worker during an export of the large database
TIMES = "\N{MULTIPLICATION SIGN}"


@dataclass(frozen=True)
class Check:
    target: str
    met: bool | None  # None: not measured (e.g. the large database was skipped)
    detail: str = ""
    short: str = ""  # the target's name in the table

    @property
    def word(self) -> str:
        return {True: "met", False: "not met", None: "not measured"}[self.met]


def _p95(result: dict[str, Any] | None) -> float | None:
    return result["latency"]["p95_ms"] if result and result.get("latency") else None


def _rps(result: dict[str, Any] | None) -> float | None:
    return result["throughput"]["rps"] if result and result.get("throughput") else None


def check_ratio(demo: dict[str, Any] | None, large: dict[str, Any] | None) -> Check:
    value = ratio(_p95(large), _p95(demo))
    name, short = f"p95 large ≤ {P95_RATIO_MAX} {TIMES} demo", f"p95 {TIMES}{P95_RATIO_MAX}"
    if value is None:
        return Check(name, None, short=short)
    return Check(name, value <= P95_RATIO_MAX, f"{TIMES} {value}", short)


def check_share(kind: str, shares: list[float | None]) -> Check:
    floor = PUBLIC_SHARE_MIN if kind == PUBLIC else SIGNED_IN_SHARE_MIN
    name, short = f"≥ {floor:g} % of the bare view's req/s", f"≥{floor:g} % bare"
    known = [s for s in shares if s is not None]
    if not known or len(known) < len(shares):
        return Check(name, None, short=short)
    lowest = min(known)
    return Check(name, lowest >= floor, f"{lowest:g} %", short)


def check_queries(demo: dict[str, Any] | None, large: dict[str, Any] | None) -> Check:
    found = [r.get("queries") for r in (demo, large) if r]
    name, short = f"≤ {QUERIES_MAX} queries, the same at both sizes", f"≤{QUERIES_MAX} queries"
    counts = [int(c) for c in found if c is not None]
    if not counts or len(counts) < len(found):
        return Check(name, None, short=short)
    detail = " → ".join(str(c) for c in counts)
    if max(counts) > QUERIES_MAX or len(set(counts)) > 1:
        return Check(name, False, detail, short)
    return Check(name, True if len(counts) == 2 else None, detail, short)


def check_search(large: dict[str, Any] | None) -> Check:
    value = _p95(large)
    name, short = f"site search p95 ≤ {SEARCH_P95_MAX_MS:g} ms on the large database", \
        f"≤{SEARCH_P95_MAX_MS:g} ms"
    if value is None:
        return Check(name, None, short=short)
    return Check(name, value <= SEARCH_P95_MAX_MS, f"{value:g} ms", short)


def check_export(large: dict[str, Any] | None) -> Check:
    name = f"streams, worker memory growth ≤ {EXPORT_GROWTH_MAX_MB:g} MB on the large database"
    short = f"streams, ≤{EXPORT_GROWTH_MAX_MB:g} MB"
    if not large or large.get("memory_growth_mb") is None:
        return Check(name, None, short=short)
    growth = large["memory_growth_mb"]
    streamed = bool(large.get("streamed"))
    detail = f"+{growth:g} MB, {'streamed' if streamed else 'built in memory'}"
    return Check(name, streamed and growth <= EXPORT_GROWTH_MAX_MB, detail, short)


def checks(page: dict[str, Any], demo: dict[str, Any] | None, large: dict[str, Any] | None,
           bare: dict[str, dict[str, Any] | None], engine: str) -> list[Check]:
    """The targets that apply to one line of the table (``bare``: the bare view's results per database)."""
    kind = page["kind"]
    if kind == MISSING:
        return [Check("the page exists", False, page.get("note", "not built"), "exists")]
    if kind == BARE:
        return []
    if kind == EXPORT:
        return [check_export(large)]
    shares = [share_of(_rps(result), _rps(bare.get(size))) for size, result in (("demo", demo), ("large", large))
              if result is not None]
    found = [check_ratio(demo, large), check_share(kind, shares), check_queries(demo, large)]
    if page.get("search") and engine == "sqlite":
        found.append(check_search(large))
    assert kind in (PUBLIC, SIGNED_IN), kind
    return found
