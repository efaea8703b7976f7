"""The pure parts of the benchmark harness (scripts/benchlib: percentiles, targets, the report), which lives
outside the package: the suite imports it from scripts/."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[4] / "scripts"))

from benchlib import pages, report, stats, targets


def result(p95: float, rps: float | None = None, queries: int | None = 5, **extra: Any) -> dict[str, Any]:
    return {"latency": {"n": 10, "p50_ms": p95 / 2, "p95_ms": p95, "p99_ms": p95 * 1.1, "mean_ms": p95 / 2},
            "throughput": {"rps": rps} if rps is not None else None, "queries": queries, **extra}


PUBLIC = {"name": "home", "kind": pages.PUBLIC}
SIGNED = {"name": "queue", "kind": pages.SIGNED_IN}
SEARCH = {"name": "search", "kind": pages.PUBLIC, "search": True}
BARE = {"demo": result(2, 1000, 0), "large": result(2, 1000, 0)}


# --- percentiles ------------------------------------------------------------------------------------

def test_nearest_rank_percentiles() -> None:
    values = [float(v) for v in range(100, 0, -1)]
    assert stats.percentile(values, 0.50) == 50
    assert stats.percentile(values, 0.95) == 95
    assert stats.percentile(values, 0.99) == 99
    assert stats.percentile(values, 1.0) == 100


def test_a_percentile_of_few_samples_is_one_of_them() -> None:
    assert stats.percentile([0.3, 0.1, 0.2], 0.95) == 0.3
    assert stats.percentile([0.3, 0.1, 0.2], 0.50) == 0.2
    assert stats.percentile([7.0], 0.99) == 7.0


@pytest.mark.parametrize("share", [0, 1.5])
def test_percentile_refuses_nonsense(share: float) -> None:
    with pytest.raises(ValueError, match="share"):
        stats.percentile([1.0], share)
    with pytest.raises(ValueError, match="no values"):
        stats.percentile([], 0.5)


def test_latency_summary_in_milliseconds() -> None:
    summary = stats.latency_summary([0.010, 0.020, 0.030, 0.040])
    assert summary == {"n": 4, "p50_ms": 20.0, "p95_ms": 40.0, "p99_ms": 40.0, "mean_ms": 25.0}


def test_ratio_and_share_need_both_figures() -> None:
    assert stats.ratio(130, 100) == 1.3
    assert stats.ratio(None, 100) is None
    assert stats.ratio(100, 0) is None
    assert stats.share_of(300, 1000) == 30.0
    assert stats.share_of(300, None) is None


# --- targets ----------------------------------------------------------------------------------------

@pytest.mark.parametrize(("large", "met"), [(130, True), (131, False), (90, True)])
def test_p95_ratio_target(large: float, met: bool) -> None:
    assert targets.check_ratio(result(100), result(large)).met is met


def test_p95_ratio_not_measured_without_the_large_database() -> None:
    assert targets.check_ratio(result(100), None).met is None


@pytest.mark.parametrize(("page", "rps", "met"), [(PUBLIC, 300, True), (PUBLIC, 299, False),
                                                  (SIGNED, 100, True), (SIGNED, 99, False)])
def test_throughput_share_of_the_bare_view(page: dict[str, Any], rps: float, met: bool) -> None:
    found = targets.checks(page, result(10, 1000), result(10, rps), BARE, "postgres")
    share = next(c for c in found if "bare" in c.target)
    assert share.met is met
    assert share.detail == f"{rps / 10:g} %"


@pytest.mark.parametrize(("demo", "large", "met"), [(12, 12, True), (13, 13, False), (9, 10, False)])
def test_queries_at_most_twelve_and_the_same_at_both_sizes(demo: int, large: int, met: bool) -> None:
    found = targets.check_queries(result(1, queries=demo), result(1, queries=large))
    assert found.met is met
    assert found.detail == f"{demo} → {large}"


def test_queries_over_the_bound_fail_even_on_the_demo_alone() -> None:
    assert targets.check_queries(result(1, queries=20), None).met is False
    assert targets.check_queries(result(1, queries=8), None).met is None


def test_site_search_bound_applies_on_sqlite_only() -> None:
    sqlite = targets.checks(SEARCH, result(10, 500), result(51, 500), BARE, "sqlite")
    assert [c.met for c in sqlite if "search" in c.target] == [False]
    postgres = targets.checks(SEARCH, result(10, 500), result(51, 500), BARE, "postgres")
    assert not [c for c in postgres if "search" in c.target]


@pytest.mark.parametrize(("growth", "streamed", "met"), [(12.0, True, True), (51.0, True, False),
                                                          (3.0, False, False)])
def test_exports_stream_with_bounded_memory(growth: float, streamed: bool, met: bool) -> None:
    export = {"name": "csv", "kind": pages.EXPORT}
    large = result(5000, memory_growth_mb=growth, streamed=streamed)
    [found] = targets.checks(export, result(30), large, BARE, "sqlite")
    assert found.met is met


def test_a_missing_page_is_a_target_not_met() -> None:
    [found] = targets.checks({"name": "360Giving", "kind": pages.MISSING, "note": "not built (issue 17)"},
                             None, None, BARE, "sqlite")
    assert (found.met, found.detail) == (False, "not built (issue 17)")


# --- the deep page of the API -----------------------------------------------------------------------

def test_deep_page_three_quarters_of_the_way() -> None:
    assert pages.deep_api_path({"count": 100_000, "items": []}) == "/api/v1/applications?page=1500"
    assert pages.deep_api_path({"count": 12, "items": []}) == "/api/v1/applications?page=1"
    assert pages.deep_api_path({"count": 0, "items": []}) == "/api/v1/applications?page=1"


def test_deep_page_follows_a_cursor_when_there_is_one() -> None:
    assert pages.deep_api_path({"next": "/api/v1/applications?cursor=abc"}) == "/api/v1/applications?cursor=abc"


# --- the report -------------------------------------------------------------------------------------

def engine() -> dict[str, Any]:
    home = {"name": "home", "path": "/", "kind": pages.PUBLIC, "who": None}
    export = {"name": "applications export CSV", "path": "/x.csv", "kind": pages.EXPORT, "who": "o@x"}
    missing = {"name": "360Giving export", "path": "", "kind": pages.MISSING, "note": "not built (issue 17)"}
    bare = {"name": "bare Django view (reference)", **result(2, 2000, 0)}
    return {
        "date": "2026-05-04T10:00:00+02:00", "command": ".venv/bin/python scripts/bench.py",
        "machine": {"cpu": "Test CPU", "cores": 2, "ram_gb": 8.0, "python": "3.11.7", "sqlite": "3.40.1",
                    "database": "SQLite 3.40.1"},
        "settings": {"duration_s": 5, "concurrency": 8, "workers": 2, "min_samples": 5},
        "databases": {
            "demo": {"counts": {"applications": 12}, "bare": bare,
                     "client": {"rps": 2000, "client_cpu_percent": 20.0, "server_cpu_percent": 170.0},
                     "pages": [{**home, **result(10, 700, 6)}, {**export, **result(30, None, 17),
                               "bytes": 4000, "memory_growth_mb": 0.2, "streamed": False}, missing]},
            "large": {"counts": {"applications": 100_012}, "bare": bare,
                      "pages": [{**home, **result(40, 100, 6)}, {**export, **result(60_000, None, 17),
                                "bytes": 30_000_000, "memory_growth_mb": 3100.0, "streamed": False}, missing]},
        },
    }


def test_the_report_has_a_line_per_page_with_its_targets() -> None:
    text = report.render({"engines": {"sqlite": engine()}})
    assert "## SQLite" in text
    assert "`.venv/bin/python scripts/bench.py`" in text
    home = next(line for line in text.splitlines() if line.startswith("| home |"))
    cells = [cell.strip() for cell in home.split("|")[1:-1]]
    assert cells[2:9] == ["5.0 / 10.0 / 11.0", "20.0 / 40.0 / 44.0", "4", "700", "100", "35 % / 5 %", "6 → 6"]
    assert "p95 \N{MULTIPLICATION SIGN}1.3: **not met**" in cells[9]
    assert "≥30 % bare: **not met**" in cells[9]
    assert "≤12 queries: **met**" in cells[9]


def test_the_report_lists_exports_missing_pages_and_unmet_targets() -> None:
    text = report.render({"engines": {"sqlite": engine()}})
    export = next(line for line in text.splitlines() if line.startswith("| applications export CSV |"))
    assert "60,000 ms, 30.0 MB, +3100 MB, in memory" in export
    assert "streams, ≤50 MB: **not met**" in export
    assert "| 360Giving export |" in text
    assert "- the page exists: **not met** for 360Giving export (not built (issue 17))" in text
    assert "- p95 large ≤ 1.3 \N{MULTIPLICATION SIGN} demo: **not met** for home (\N{MULTIPLICATION SIGN} 4.0)" in text
    assert "| CPU | Test CPU |" in text


def test_the_report_keeps_each_engine() -> None:
    text = report.render({"engines": {"sqlite": engine(), "postgres": engine()}})
    assert text.index("## SQLite") < text.index("## PostgreSQL")
