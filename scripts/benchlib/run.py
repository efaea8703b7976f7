"""One database measured: serve it, sign the accounts in, warm up, measure the bare view, every page, the exports."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import httpx

from . import pages as p
from .build import Database
from .fixtures import api_token, fixtures, sessions
from .measure import Credentials, Settings, checked_get, export, latency, wait_idle, warm, wrk
from .server import Server, cpu_seconds, serve

CURSOR_WALK_SECONDS = 60


def path_of(link: str) -> str:
    parts = urlsplit(link)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def deep_path(client: httpx.Client, credentials: Credentials) -> str:
    """The API's deep page: ``?page=`` three quarters of the way, or the ``next`` cursor followed as far (for
    at most a minute) when the API offers one."""
    first = p.Page("API first page", p.API_FIRST, p.SIGNED_IN, p.OFFICER, token=True)
    body = checked_get(client, first, credentials.headers(first)).json()
    if not body.get("next"):
        return p.deep_api_path(body)
    hops = max(1, round(int(body.get("count") or 0) / p.API_PAGE_SIZE * p.DEEP_SHARE))
    link = path_of(str(body["next"]))
    for _ in range(hops - 1):
        step = p.Page("API next page", link, p.SIGNED_IN, p.OFFICER, token=True)
        following = checked_get(client, step, credentials.headers(step)).json().get("next")
        if not following:
            break
        link = path_of(str(following))
    return link


def measure_page(client: httpx.Client, server: Server, db: Database, page: p.Page, credentials: Credentials,
                 settings: Settings) -> dict[str, Any]:
    result: dict[str, Any] = {"name": page.name, "path": page.path, "kind": page.kind, "who": page.who,
                              "token": page.token, "note": page.note, "search": page.search}
    if page.kind == p.EXPORT:
        result.update(export(client, server, page, credentials, settings))
    else:
        result.update(latency(client, page, credentials, settings))
        wait_idle(server, db)
        result["throughput"] = wrk(server, page, credentials, settings)
        wait_idle(server, db)
    print(f"    {page.name}: {line_of(result)}", flush=True)
    return result


def line_of(result: dict[str, Any]) -> str:
    lat = result["latency"]
    text = f"p50 {lat['p50_ms']} ms, p95 {lat['p95_ms']} ms ({lat['n']} requests)"
    if result.get("throughput"):
        text += f", {result['throughput']['rps']} req/s"
    if result.get("memory_growth_mb") is not None:
        text += f", memory +{result['memory_growth_mb']} MB"
    return text + f", {result.get('queries')} queries"


def client_figures(server: Server, bare: dict[str, Any], settings: Settings, credentials: Credentials,
                   db: Database) -> dict[str, Any]:
    """The bare view once more under wrk, with the CPU the client and the server used: the client must not be
    the bottleneck (it should use well under one core while the workers use most of theirs)."""
    pids = server.worker_pids()
    before = cpu_seconds(pids)
    figures = wrk(server, p.BARE_PAGE, credentials, settings)
    server_cpu = cpu_seconds(pids) - before
    wait_idle(server, db)
    return {"rps": figures["rps"], "client_cpu_percent": figures["client_cpu_percent"],
            "server_cpu_percent": round(100 * server_cpu / figures["seconds"], 1),
            "first_run_rps": bare["throughput"]["rps"]}


def measure_database(db: Database, env: dict[str, str], settings: Settings, workers: int) -> dict[str, Any]:
    print(f"{db.label}: measuring", flush=True)
    found = fixtures(env)
    emails = [*dict.fromkeys([p.OFFICER, *p.accounts(p.key_pages(found["ids"], p.API_FIRST))])]
    with serve(db, env, workers=workers, timeout=settings.timeout) as server, \
            httpx.Client(base_url=server.base, timeout=settings.timeout) as client:
        credentials = Credentials(sessions(env, emails), api_token(env, p.OFFICER))
        measured = p.key_pages(found["ids"], deep_path(client, credentials))
        for page in [p.BARE_PAGE, *measured]:
            warm(client, page, credentials, workers)
        wait_idle(server, db)
        bare = measure_page(client, server, db, p.BARE_PAGE, credentials, settings)
        results = [measure_page(client, server, db, page, credentials, settings) for page in measured]
        client_load = client_figures(server, bare, settings, credentials, db)
    missing = [{"name": m.name, "path": m.path, "kind": m.kind, "who": m.who, "note": m.note}
               for m in p.MISSING_PAGES]
    return {"counts": found["counts"], "ids": found["ids"], "bare": bare, "client": client_load,
            "pages": [*results, *missing]}
