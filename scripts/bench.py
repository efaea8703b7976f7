"""make bench: the key pages measured on the demo and on a large database, on SQLite (or PostgreSQL).

    .venv/bin/python scripts/bench.py [--postgres] [--duration 5] [--only demo]

Builds (or reuses, by key) the two databases under var/bench/ — the demo, and the demo with
``subsidia generate-bulk --organisations 5000 --applications 100000 --audit 200000`` — serves each with gunicorn
(2 workers, production settings) on 127.0.0.1, warms up, measures the bare Django view and every key page and
API call (latency one request at a time, requests/s with wrk at concurrency 8, SQL queries per request, the
exports' memory), checks the targets of issue 13 and writes docs/benchmarks.md and docs/benchmarks.json (the
figures of the other engine, from an earlier run, are kept). Exits 1 with a message when a page answers
anything but 200 or a step fails; targets not met are reported, not fatal.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import Any

# scripts/ is on the path (the script's folder): ``benchlib`` is the package scripts/benchlib/.
from benchlib.build import ROOT, BenchError, Sizes, database, ensure, source_key
from benchlib.machine import machine
from benchlib.measure import Settings, wrk_version
from benchlib.report import render, unmet
from benchlib.run import measure_database
from benchlib.server import collect_static, new_secret_key, server_env


def arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--postgres", action="store_true", help="on PostgreSQL (127.0.0.1:5432) instead of SQLite")
    parser.add_argument("--only", choices=["demo", "large"], help="measure one database only")
    parser.add_argument("--duration", type=float, default=5, help="seconds of each measurement (default 5)")
    parser.add_argument("--concurrency", type=int, default=8, help="wrk connections (default 8)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    parser.add_argument("--min-samples", type=int, default=5, help="latency: at least this many requests")
    parser.add_argument("--timeout", type=int, default=300, help="seconds a request may take (default 300)")
    parser.add_argument("--organisations", type=int, default=Sizes.organisations)
    parser.add_argument("--applications", type=int, default=Sizes.applications)
    parser.add_argument("--audit", type=int, default=Sizes.audit)
    parser.add_argument("--seed", type=int, default=Sizes.seed)
    parser.add_argument("--output", type=Path, default=ROOT / "docs",
                        help="folder of benchmarks.md and benchmarks.json (default docs/)")
    return parser.parse_args(argv)


def write(output: Path, engine: str, figures: dict[str, Any]) -> Path:
    """Merge this engine's figures into benchmarks.json and render benchmarks.md from it."""
    output.mkdir(parents=True, exist_ok=True)
    path = output / "benchmarks.json"
    results = json.loads(path.read_text()) if path.exists() else {}
    results.setdefault("engines", {})[engine] = figures
    path.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    (output / "benchmarks.md").write_text(render(results))
    return output / "benchmarks.md"


def bench(args: argparse.Namespace, command: str) -> int:
    engine = "postgres" if args.postgres else "sqlite"
    sizes = Sizes(args.organisations, args.applications, args.audit, args.seed)
    settings = Settings(duration=args.duration, concurrency=args.concurrency, min_samples=args.min_samples,
                        timeout=args.timeout, max_latency_seconds=max(60.0, 4 * args.duration))
    client = wrk_version()
    if args.postgres:
        subprocess.run(["bash", "scripts/ensure-services"], cwd=ROOT, check=True)  # noqa: S607
    started = time.monotonic()
    source = source_key()
    demo = database(engine, "demo")
    chosen = [size for size in ("demo", "large") if args.only in (None, size)]
    for size in ("demo", "large") if "large" in chosen else ("demo",):
        ensure(database(engine, size), sizes, source, demo)
    secret_key = new_secret_key()
    collect_static(server_env(demo, secret_key))
    databases = {size: measure_database(database(engine, size), server_env(database(engine, size), secret_key),
                                        settings, args.workers) for size in chosen}
    figures = {"date": datetime.now().astimezone().isoformat(timespec="seconds"), "command": command,
               "machine": machine(engine, client), "sizes": vars(sizes) if "large" in chosen else None,
               "settings": {"duration_s": args.duration, "concurrency": args.concurrency, "workers": args.workers,
                            "min_samples": args.min_samples, "timeout_s": args.timeout},
               "databases": databases}
    report = write(args.output, engine, figures)
    missing = unmet(engine, figures)
    print(f"\n{report.relative_to(ROOT) if report.is_relative_to(ROOT) else report} written "
          f"({(time.monotonic() - started) / 60:.1f} min); targets not met or not measured: {len(missing)}")
    for line in missing:
        print(line)
    return 0


def main(argv: list[str]) -> int:
    args = arguments(argv)
    command = " ".join([".venv/bin/python", "scripts/bench.py", *argv])
    try:
        return bench(args, command)
    except BenchError as error:
        print(f"bench: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
