"""The measurements of one page on a running server.

* latency: one request at a time (httpx) for the duration and at least ``min_samples`` requests; every answer
  must be 200, and its ``X-Subsidia-Queries`` is read (queries per request, and whether it varies);
* throughput: wrk at a fixed concurrency for the duration (requests/s); any error fails the run;
* exports: one download at a time, the serving worker's peak memory (VmHWM) reset before and read after;
* between two measurements, the server is left to finish what wrk abandoned at the end of its run.
"""

from __future__ import annotations

import json
import resource
import shutil
import subprocess
import threading
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import psycopg

from .build import BenchError, Database
from .pages import Page
from .server import PROXY_HEADERS, Server, cpu_seconds, reset_peak, status_kb
from .stats import latency_summary

WRK_SCRIPT = Path(__file__).with_name("wrk_report.lua")
WRK_MARK = "BENCH-WRK "
QUERIES_HEADER = "x-subsidia-queries"
SESSION_COOKIE = "sessionid"


@dataclass(frozen=True)
class Settings:
    duration: float  # seconds of each latency and each throughput measurement
    concurrency: int
    min_samples: int
    timeout: int  # seconds a request may take (gunicorn's and wrk's timeout)
    max_latency_seconds: float  # a latency measurement stops here even with fewer than min_samples


@dataclass
class Credentials:
    sessions: dict[str, str]
    token: str

    def headers(self, page: Page) -> dict[str, str]:
        headers = dict(PROXY_HEADERS)
        if page.token:
            headers["Authorization"] = f"Bearer {self.token}"
        elif page.who:
            headers["Cookie"] = f"{SESSION_COOKIE}={self.sessions[page.who]}"
        return headers


def describe(page: Page) -> str:
    return f"{page.name} ({page.path}, as {page.who or 'anonymous'})"


def checked_get(client: httpx.Client, page: Page, headers: dict[str, str]) -> httpx.Response:
    """GET the page; anything but 200 stops the benchmark with what the server answered."""
    try:
        response = client.get(page.path, headers=headers)
    except httpx.HTTPError as error:
        raise BenchError(f"{describe(page)}: {type(error).__name__}: {error}") from error
    if response.status_code != 200:
        location = response.headers.get("location")
        raise BenchError(f"{describe(page)} answered {response.status_code}"
                         + (f" (redirect to {location})" if location else "") + ", not 200")
    return response


def queries_of(response: httpx.Response) -> int | None:
    value = response.headers.get(QUERIES_HEADER)
    return int(value) if value is not None else None


def warm(client: httpx.Client, page: Page, credentials: Credentials, workers: int) -> None:
    """One request, then one per worker at the same time, so that each worker has compiled the page."""
    headers = credentials.headers(page)
    checked_get(client, page, headers)
    errors: list[BenchError] = []

    def one() -> None:
        try:
            checked_get(client, page, headers)
        except BenchError as error:
            errors.append(error)

    threads = [threading.Thread(target=one) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]


def latency(client: httpx.Client, page: Page, credentials: Credentials, settings: Settings) -> dict[str, Any]:
    headers = credentials.headers(page)
    samples: list[float] = []
    queries: list[int | None] = []
    started = time.monotonic()
    while True:
        elapsed = time.monotonic() - started
        if samples and ((elapsed >= settings.duration and len(samples) >= settings.min_samples)
                        or elapsed >= settings.max_latency_seconds):
            break
        before = time.perf_counter()
        response = checked_get(client, page, headers)
        samples.append(time.perf_counter() - before)
        queries.append(queries_of(response))
    return {"latency": latency_summary(samples), **queries_summary(queries), "bytes": len(response.content)}


def queries_summary(queries: list[int | None]) -> dict[str, int | None]:
    """The usual number of queries (the most frequent; a session written once a minute, an API token's last
    use noted once a minute add one now and then), and the fewest and most seen."""
    known = [q for q in queries if q is not None]
    if not known:
        return {"queries": None, "queries_min": None, "queries_max": None}
    usual = min(Counter(known).most_common(), key=lambda item: (-item[1], item[0]))[0]
    return {"queries": usual, "queries_min": min(known), "queries_max": max(known)}


def wrk(server: Server, page: Page, credentials: Credentials, settings: Settings,
        concurrency: int | None = None) -> dict[str, Any]:
    """wrk's figures for the page at the concurrency; errors (non-2xx/3xx answers, timeouts) fail the run."""
    connections = concurrency or settings.concurrency
    command = ["wrk", "-t", str(min(2, connections)), "-c", str(connections), "-d", f"{settings.duration:g}s",
               "--timeout", f"{settings.timeout}s", "-s", str(WRK_SCRIPT)]
    for name, value in credentials.headers(page).items():
        command += ["-H", f"{name}: {value}"]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run([*command, server.base + page.path], capture_output=True, text=True,  # noqa: S603
                          check=False, timeout=settings.duration + settings.timeout + 30)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    line = next((x for x in done.stdout.splitlines() if x.startswith(WRK_MARK)), None)
    if done.returncode != 0 or line is None:
        raise BenchError(f"wrk failed on {describe(page)}:\n{done.stdout}{done.stderr}")
    figures = json.loads(line[len(WRK_MARK):])
    errors = {kind: n for kind, n in figures["errors"].items() if n}
    if errors:
        raise BenchError(f"{describe(page)} under load (wrk, concurrency {connections}): errors {errors} "
                         f"in {figures['requests']} requests (status: answers other than 2xx/3xx)")
    seconds = figures["duration_us"] / 1e6
    client_cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return {"rps": round(figures["requests"] / seconds, 2), "requests": figures["requests"],
            "seconds": round(seconds, 2), "concurrency": connections,
            "client_cpu_percent": round(100 * client_cpu / seconds, 1),
            "latency_under_load_ms": {k: round(figures["latency_us"][k] / 1000, 1) for k in ("p50", "p95", "p99")}}


def wait_idle(server: Server, db: Database, limit: float = 300) -> None:
    """Wait until the workers have finished the requests wrk left in flight (their CPU time stops growing and,
    on PostgreSQL, no query of theirs is running)."""
    pids = server.worker_pids()
    deadline = time.monotonic() + limit
    last = cpu_seconds(pids)
    while time.monotonic() < deadline:
        time.sleep(0.3)
        now = cpu_seconds(pids)
        if now == last and not active_queries(db):
            return
        last = now
    raise BenchError(f"the server was still busy {limit:.0f} s after the last measurement")


def active_queries(db: Database) -> int:
    if db.engine != "postgres":
        return 0
    name = db.url.rsplit("/", 1)[1]
    with psycopg.connect(db.url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        row = conn.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND state = 'active' "
                           "AND pid <> pg_backend_pid()", [name]).fetchone()
    return int(row[0]) if row else 0


def export(client: httpx.Client, server: Server, page: Page, credentials: Credentials,
           settings: Settings) -> dict[str, Any]:
    """Downloads one at a time (at least one, for the duration); the worker's memory growth is the largest
    peak (VmHWM) above the resident memory before the request, over both workers."""
    headers = credentials.headers(page)
    samples: list[float] = []
    growths: list[float] = []
    started = time.monotonic()
    while not samples or time.monotonic() - started < settings.duration:
        pids = server.worker_pids()
        before = {pid: status_kb(pid, "VmRSS") for pid in pids if reset_peak(pid)}
        if not before:
            raise BenchError("cannot reset the workers' peak memory (/proc/PID/clear_refs)")
        moment = time.perf_counter()
        response = checked_get(client, page, headers)
        samples.append(time.perf_counter() - moment)
        growths.append(max(status_kb(pid, "VmHWM") - rss for pid, rss in before.items()) / 1024)
    return {"latency": latency_summary(samples), "bytes": len(response.content), "queries": queries_of(response),
            "memory_growth_mb": round(max(growths), 1),
            "streamed": "content-length" not in response.headers,
            "content_type": response.headers.get("content-type", "")}


def wrk_version() -> str:
    if not shutil.which("wrk"):
        raise BenchError("wrk is not installed: bash scripts/ensure-system-packages (Debian package wrk)")
    done = subprocess.run(["wrk", "--version"], capture_output=True, text=True, check=False)  # noqa: S607
    return (done.stdout or done.stderr).splitlines()[0].split(" Copyright")[0]
