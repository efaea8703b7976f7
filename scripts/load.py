"""A bounded load run: public, partner and officer traffic against a Subsidia server on this machine.

    python scripts/load.py --base http://127.0.0.1:8765 --users 12 --requests 1500 --seconds 120

Each virtual user is a thread with its own session: anonymous visitors browse the public pages and the API,
partners (the demo's gestionnaires) sign in and open their dashboard, applications and conventions, officers
sign in with their second factor (the demo's TOTP secret) and open the queue, the conventions and the funding
pages. The run stops after ``--requests`` requests or ``--seconds`` seconds, whichever comes first; it refuses any
address that is not on this machine (loopback only). It prints p50/p95/p99 per page and exits 1 on any error
(a 5xx, a timeout, or a status other than the expected one). ``make load`` starts gunicorn on PostgreSQL and
runs it.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import ipaddress
import json
import random
import re
import statistics
import struct
import sys
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import httpx

DEMO_PASSWORD = "demo-Subsidia-2026"  # noqa: S105 - the published demo password
DEMO_TOTP_SECRET = "ON2WE43JMRUWCLLEMVWW6LLUN52HAIJB"  # noqa: S105 - published in the README for the demo staff accounts
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')

PUBLIC_PAGES = [
    ("home", "/"), ("directory", "/annuaire/"), ("good practices", "/bonnes-pratiques/"), ("faq", "/faq/"),
    ("news", "/actualites/"), ("events", "/evenements/"), ("search", "/recherche/?q=int%C3%A9gration"),
    ("open calls", "/subsides/appels/"), ("api organisations", "/api/v1/organisations"),
    ("api events", "/api/v1/events"), ("api good practices", "/api/v1/good-practices"),
]
PARTNER_PAGES = [
    ("partner dashboard", "/tableau-de-bord/partenaire/"), ("my applications", "/subsides/demandes/"),
    ("api my applications", "/api/v1/applications"), ("api conventions", "/api/v1/conventions"),
    ("notifications", "/notifications/"),
]
OFFICER_PAGES = [
    ("staff dashboard", "/tableau-de-bord/ministere/"), ("queue", "/subsides/gestion/demandes/"),
    ("queue filtered", "/subsides/gestion/demandes/?state=submitted"), ("conventions", "/conventions/"),
    ("api applications", "/api/v1/applications?page=2"), ("payments", "/subsides/gestion/paiements/"),
]
PARTNERS = ["gestionnaire@demo.subsidia.lu", "gestionnaire.asti@demo.subsidia.lu", "membre@demo.subsidia.lu"]
# One officer account per officer thread (made by scripts/load-run with the demo's TOTP key): a TOTP code is
# accepted once per account and time step, so two threads cannot share an account's sign-in.
OFFICERS = [f"officer{n}@load.subsidia.invalid" for n in range(1, 9)]


def totp(secret: str, at: float | None = None, step: int = 30, digits: int = 6) -> str:
    """RFC 6238 code of a base32 secret (the demo's staff accounts share one)."""
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    counter = struct.pack(">Q", int((time.time() if at is None else at) // step))
    digest = hmac.new(key, counter, hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    code = (struct.unpack(">I", digest[offset:offset + 4])[0] & 0x7FFFFFFF) % 10 ** digits
    return str(code).zfill(digits)


@dataclass
class Results:
    lock: threading.Lock = field(default_factory=threading.Lock)
    timings: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: list[str] = field(default_factory=list)
    count: int = 0

    def take(self, limit: int) -> bool:
        with self.lock:
            if self.count >= limit:
                return False
            self.count += 1
            return True

    def add(self, page: str, seconds: float, error: str | None) -> None:
        with self.lock:
            self.timings[page].append(seconds)
            if error:
                self.errors.append(f"{page}: {error}")


def _sign_in(client: httpx.Client, email: str, second_factor: bool) -> None:
    page = client.get("/compte/connexion/")
    token = CSRF.search(page.text)
    if not token:
        raise RuntimeError(f"no CSRF token on the sign-in page ({page.status_code})")
    answer = client.post("/compte/connexion/", data={
        "csrfmiddlewaretoken": token.group(1), "username": email, "password": DEMO_PASSWORD},
        headers={"Referer": str(client.base_url) + "/compte/connexion/"})
    if answer.status_code != 302:
        raise RuntimeError(f"sign-in of {email} answered {answer.status_code}")
    if second_factor:
        page = client.get("/compte/double-authentification/")
        token = CSRF.search(page.text)
        if not token:
            raise RuntimeError("no CSRF token on the second-factor page")
        answer = client.post("/compte/double-authentification/", data={
            "csrfmiddlewaretoken": token.group(1), "token": totp(DEMO_TOTP_SECRET)},
            headers={"Referer": str(client.base_url) + "/compte/double-authentification/"})
        if answer.status_code != 302:
            raise RuntimeError(f"second factor of {email} answered {answer.status_code}")


def visitor(base: str, kind: str, results: Results, limit: int, deadline: float, seed: int) -> None:
    rng = random.Random(seed)  # noqa: S311 - which page to open next, not a secret
    pages = PUBLIC_PAGES
    with httpx.Client(base_url=base, timeout=30, follow_redirects=False) as client:
        try:
            if kind == "partner":
                _sign_in(client, rng.choice(PARTNERS), second_factor=False)
                pages = PARTNER_PAGES + PUBLIC_PAGES[:3]
            elif kind == "officer":
                _sign_in(client, OFFICERS[seed // 4 % len(OFFICERS)], second_factor=True)
                pages = OFFICER_PAGES
        except (RuntimeError, httpx.HTTPError) as error:
            results.add(f"sign-in ({kind})", 0.0, str(error))
            return
        while time.monotonic() < deadline and results.take(limit):
            name, path = rng.choice(pages)
            started = time.perf_counter()
            error = None
            try:
                response = client.get(path)
                if response.status_code != 200:
                    error = f"{path} answered {response.status_code}"
            except httpx.HTTPError as failure:
                error = f"{path}: {type(failure).__name__}"
            results.add(name, time.perf_counter() - started, error)


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", default="http://127.0.0.1:8765")
    parser.add_argument("--users", type=int, default=12, help="virtual users (threads)")
    parser.add_argument("--requests", type=int, default=1500, help="stop after this many requests")
    parser.add_argument("--seconds", type=float, default=120, help="stop after this long")
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args()
    host = urlsplit(args.base).hostname or ""
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        parser.error("the load run only targets this machine (127.0.0.0/8, ::1 or localhost)")
    results = Results()
    deadline = time.monotonic() + args.seconds
    kinds = ["public", "public", "partner", "officer"]
    threads = [threading.Thread(target=visitor, args=(args.base, kinds[i % len(kinds)], results, args.requests,
                                                      deadline, i)) for i in range(args.users)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    rows = []
    print(f"{'page':<24} {'n':>5} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}")
    for page, values in sorted(results.timings.items()):
        row = {"page": page, "n": len(values), "p50": _percentile(values, .5) * 1000,
               "p95": _percentile(values, .95) * 1000, "p99": _percentile(values, .99) * 1000}
        rows.append(row)
        print(f"{page:<24} {row['n']:>5} {row['p50']:>8.0f} {row['p95']:>8.0f} {row['p99']:>8.0f}")
    every = [v for values in results.timings.values() for v in values]
    summary = {"requests": len(every), "errors": len(results.errors), "seconds": round(elapsed, 1),
               "requests_per_second": round(len(every) / elapsed, 1) if elapsed else 0.0,
               "p50_ms": round(statistics.median(every) * 1000, 1) if every else None,
               "p95_ms": round(_percentile(every, .95) * 1000, 1) if every else None,
               "p99_ms": round(_percentile(every, .99) * 1000, 1) if every else None, "pages": rows}
    print(f"{summary['requests']} requests in {summary['seconds']} s ({summary['requests_per_second']}/s), "
          f"{summary['errors']} errors; all pages p50 {summary['p50_ms']} ms, p95 {summary['p95_ms']} ms, "
          f"p99 {summary['p99_ms']} ms")
    for error in results.errors[:20]:
        print("error:", error)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as out:
            json.dump(summary, out, indent=2)
    return 1 if results.errors or not every else 0


if __name__ == "__main__":
    sys.exit(main())
