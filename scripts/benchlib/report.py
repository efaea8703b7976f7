"""docs/benchmarks.md from the figures of docs/benchmarks.json: a table per database engine, the targets
checked on each line, the machine, the date and the command."""

from __future__ import annotations

from typing import Any

from .pages import BARE, EXPORT, MISSING
from .stats import ratio, share_of
from .targets import Check, checks

ENGINE_TITLES = {"sqlite": "SQLite", "postgres": "PostgreSQL"}
SIZES = ("demo", "large")


def fmt_ms(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:,.0f}" if value >= 100 else f"{value:.1f}"


def fmt_rps(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:,.0f}" if value >= 100 else f"{value:.1f}"


def fmt_number(value: float | None, suffix: str = "") -> str:
    return "—" if value is None else f"{value:g}{suffix}"


def latency_cell(result: dict[str, Any] | None) -> str:
    if not result or not result.get("latency"):
        return "—"
    lat = result["latency"]
    return " / ".join(fmt_ms(lat[k]) for k in ("p50_ms", "p95_ms", "p99_ms"))


def rps(result: dict[str, Any] | None) -> float | None:
    return result["throughput"]["rps"] if result and result.get("throughput") else None


def p95(result: dict[str, Any] | None) -> float | None:
    return result["latency"]["p95_ms"] if result and result.get("latency") else None


def queries_cell(demo: dict[str, Any] | None, large: dict[str, Any] | None) -> str:
    counts = [str(r["queries"]) if r.get("queries") is not None else "?" for r in (demo, large) if r]
    return " → ".join(counts) if counts else "—"


def who(page: dict[str, Any]) -> str:
    """The demo account by the start of its e-mail (officer, gestionnaire, …), or anonymous."""
    account = page.get("who")
    if not account:
        return "anonymous"
    return str(account).split("@")[0] + (" (API token)" if page.get("token") else "")


def targets_cell(found: list[Check]) -> str:
    return "; ".join(f"{c.short or c.target}: **{c.word}**" for c in found) or "—"


def by_name(database: dict[str, Any] | None) -> dict[str, dict[str, Any]]:
    return {page["name"]: page for page in (database or {}).get("pages", [])}


def lines(engine: dict[str, Any]) -> list[tuple[dict[str, Any], dict[str, Any] | None, dict[str, Any] | None]]:
    """(page, demo result, large result) for every page of either database, in the report's order."""
    demo, large = (by_name(engine["databases"].get(size)) for size in SIZES)
    names = list(dict.fromkeys([*demo, *large]))
    return [(demo.get(name) or large[name], demo.get(name), large.get(name)) for name in names]


def bare_results(engine: dict[str, Any]) -> dict[str, dict[str, Any] | None]:
    return {size: (engine["databases"].get(size) or {}).get("bare") for size in SIZES}


def page_table(engine_name: str, engine: dict[str, Any]) -> list[str]:
    bare = bare_results(engine)
    out = ["| page | as | p50 / p95 / p99 demo (ms) | p50 / p95 / p99 large (ms) | p95 ratio | req/s demo | "
           "req/s large | % of bare (demo / large) | queries (demo → large) | targets |",
           "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    reference = bare["demo"] or bare["large"]
    if reference:
        out.append(f"| {reference['name']} | anonymous | {latency_cell(bare['demo'])} | {latency_cell(bare['large'])} "
                   f"| {fmt_number(ratio(p95(bare['large']), p95(bare['demo'])))} | {fmt_rps(rps(bare['demo']))} "
                   f"| {fmt_rps(rps(bare['large']))} | 100 % | {queries_cell(bare['demo'], bare['large'])} "
                   "| reference |")
    for page, demo, large in lines(engine):
        if page["kind"] in (EXPORT, BARE):
            continue
        found = checks(page, demo, large, bare, engine_name)
        if page["kind"] == MISSING:
            out.append(f"| {page['name']} | — | — | — | — | — | — | — | — | {targets_cell(found)} |")
            continue
        shares = " / ".join(fmt_number(share_of(rps(r), rps(bare[size])), " %")
                            for size, r in (("demo", demo), ("large", large)))
        out.append(f"| {page['name']} | {who(page)} "
                   f"| {latency_cell(demo)} | {latency_cell(large)} | {fmt_number(ratio(p95(large), p95(demo)))} "
                   f"| {fmt_rps(rps(demo))} | {fmt_rps(rps(large))} | {shares} | {queries_cell(demo, large)} "
                   f"| {targets_cell(found)} |")
    return out


def export_cell(result: dict[str, Any] | None) -> str:
    if not result or not result.get("latency"):
        return "—"
    size = result.get("bytes") or 0
    megabytes = f"{size / 1e6:,.1f} MB" if size >= 1e6 else f"{size / 1e3:,.1f} kB"
    growth = fmt_number(result.get("memory_growth_mb"), " MB")
    how = "streamed" if result.get("streamed") else "in memory"
    return f"{fmt_ms(result['latency']['p95_ms'])} ms, {megabytes}, +{growth}, {how}"


def export_table(engine_name: str, engine: dict[str, Any]) -> list[str]:
    bare = bare_results(engine)
    out = ["| export | as | demo: p95, size, worker memory growth | large: p95, size, worker memory growth | "
           "queries (demo → large) | targets |", "| --- | --- | --- | --- | --- | --- |"]
    for page, demo, large in lines(engine):
        if page["kind"] != EXPORT:
            continue
        found = checks(page, demo, large, bare, engine_name)
        out.append(f"| {page['name']} | {who(page)} | {export_cell(demo)} | {export_cell(large)} "
                   f"| {queries_cell(demo, large)} | {targets_cell(found)} |")
    return out


def unmet(engine_name: str, engine: dict[str, Any]) -> list[str]:
    """One line per target that some page does not meet (or was not measured for), naming those pages."""
    bare = bare_results(engine)
    grouped: dict[str, dict[str, list[str]]] = {}
    for page, demo, large in lines(engine):
        for found in checks(page, demo, large, bare, engine_name):
            if found.met is not True:
                named = page["name"] + (f" ({found.detail})" if found.detail else "")
                grouped.setdefault(found.target, {}).setdefault(found.word, []).append(named)
    return [f"- {target}: **{word}** for {', '.join(names)}"
            for target, words in grouped.items() for word, names in words.items()]


def counts_line(engine: dict[str, Any]) -> str:
    parts = []
    for size in SIZES:
        counts = (engine["databases"].get(size) or {}).get("counts")
        if counts:
            parts.append(f"**{size}**: " + ", ".join(f"{value:,} {name}" for name, value in counts.items()))
    return "; ".join(parts)


def client_line(engine: dict[str, Any]) -> str:
    parts = []
    for size in SIZES:
        client = (engine["databases"].get(size) or {}).get("client")
        if client:
            parts.append(f"{size}: the bare view at {fmt_rps(client['rps'])} req/s, wrk using "
                         f"{client['client_cpu_percent']:g} % of one core, the gunicorn workers "
                         f"{client['server_cpu_percent']:g} %")
    return "; ".join(parts)


def engine_section(engine_name: str, engine: dict[str, Any]) -> list[str]:
    settings = engine["settings"]
    missing = unmet(engine_name, engine)
    return [
        f"## {ENGINE_TITLES.get(engine_name, engine_name)}",
        "",
        f"Measured {engine['date']} with `{engine['command']}` ({engine['machine'].get('database', '')}).",
        "",
        f"Data: {counts_line(engine)}.",
        "",
        *([] if engine["databases"].get("large") else
          ["**The large database was not measured in this run**: its columns and the targets that compare the "
           "two sizes are empty (not measured).", ""]),
        f"Client: {client_line(engine) or 'not measured'}.",
        "",
        f"Latency: one request at a time for {settings['duration_s']:g} s (at least {settings['min_samples']} "
        f"requests); requests/s: wrk at concurrency {settings['concurrency']} for {settings['duration_s']:g} s; "
        f"gunicorn with {settings['workers']} sync workers.",
        "",
        *page_table(engine_name, engine),
        "",
        "Exports (one at a time; memory: the serving worker's peak resident memory, VmHWM, above its resident "
        "memory before the request):",
        "",
        *export_table(engine_name, engine),
        "",
        "Targets not met or not measured:" if missing else "Every target is met.",
        "",
        *missing,
        "",
    ]


def machine_section(machine: dict[str, Any]) -> list[str]:
    keys = [("cpu", "CPU"), ("cores", "cores"), ("ram_gb", "RAM (GB)"), ("os", "system"), ("python", "Python"),
            ("django", "Django"), ("gunicorn", "gunicorn"), ("sqlite", "SQLite"), ("postgres", "PostgreSQL"),
            ("wrk", "load client")]
    return ["| machine | |", "| --- | --- |",
            *(f"| {label} | {machine[key]} |" for key, label in keys if machine.get(key) is not None), ""]


INTRO = """# Benchmarks

`make bench` (scripts/bench.py) builds two databases — the demo, and the demo with the bulk data of
`subsidia generate-bulk` — serves each with gunicorn on 127.0.0.1 in production mode (`DEBUG=0`), and measures
the key pages from outside. The targets come from issue 13: every key page's p95 on the large database at most
1.3 times its p95 on the demo; anonymous public pages at least 30 % of the bare Django view's requests/s, signed-in
pages at least 10 %; SQL queries per request at most 12 and the same at both sizes; site search p95 at most
50 ms on SQLite; exports that stream with a worker's memory growing by at most 50 MB. The raw figures are in
`docs/benchmarks.json`. Queries are counted by the server (`X-Subsidia-Queries`, only with `SUBSIDIA_BENCH=1`;
not what a streaming response runs after its headers).
"""


def render(results: dict[str, Any]) -> str:
    out = [INTRO]
    for engine_name in ("sqlite", "postgres"):
        engine = results.get("engines", {}).get(engine_name)
        if engine:
            out += engine_section(engine_name, engine)
    machine: dict[str, Any] = {}
    for engine in results.get("engines", {}).values():
        machine.update(engine["machine"])
    if machine:
        out += ["## Machine", "", *machine_section(machine)]
    return "\n".join(out).rstrip() + "\n"
