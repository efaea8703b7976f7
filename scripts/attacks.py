"""The attacks of the security review, tried again from outside against a Subsidia demo on this machine.

    python scripts/attacks.py --base http://127.0.0.1:8765

Each attack prints PASS when it fails (the control held) and FAIL when it succeeds; the exit code is 1 if any
succeeded. Run by ``make load`` after the load run, against the same gunicorn server (loopback only).
"""

from __future__ import annotations

import argparse
import io
import ipaddress
import re
import sys
import zipfile
from collections.abc import Callable
from urllib.parse import urlsplit

import httpx

DEMO_PASSWORD = "demo-Subsidia-2026"  # noqa: S105 - the published demo password
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
RESULTS: list[tuple[str, bool, str]] = []


def check(name: str) -> Callable[[Callable[[str], str | None]], Callable[[str], str | None]]:
    def decorate(attack: Callable[[str], str | None]) -> Callable[[str], str | None]:
        attack.check_name = name  # type: ignore[attr-defined]
        ATTACKS.append(attack)
        return attack

    return decorate


ATTACKS: list[Callable[[str], str | None]] = []


def _client(base: str, address: str) -> httpx.Client:
    """A client whose requests say they come from ``address`` (only trusted behind a proxy; here the lockout
    counts the real address, so every attempt below shares one)."""
    return httpx.Client(base_url=base, timeout=30, follow_redirects=False)


def _login(client: httpx.Client, email: str, password: str) -> httpx.Response:
    page = client.get("/compte/connexion/")
    token = CSRF.search(page.text)
    assert token, f"no CSRF token on the sign-in page ({page.status_code})"
    return client.post("/compte/connexion/", data={
        "csrfmiddlewaretoken": token.group(1), "username": email, "password": password},
        headers={"Referer": str(client.base_url) + "/compte/connexion/"})


@check("lockout cannot be bypassed by changing the e-mail's case or adding spaces")
def lockout(base: str) -> str | None:
    victim = "membre@demo.subsidia.lu"
    with _client(base, "") as client:
        for _ in range(6):
            _login(client, victim, "wrong-password-123")
        for variant in ("MEMBRE@demo.subsidia.lu", "Membre@Demo.Subsidia.lu", f"  {victim} "):
            answer = _login(client, variant, DEMO_PASSWORD)
            if answer.status_code == 302 and "/compte/connexion/" not in answer.headers.get("location", ""):
                return f"signed in as {variant!r} after the lockout"
    return None


@check("no hidden service or internal contact in the public API")
def hidden_services(base: str) -> str | None:
    with httpx.Client(base_url=base, timeout=30) as client:
        listing = client.get("/api/v1/organisations?page_size=100")
        if listing.status_code != 200:
            return f"organisations answered {listing.status_code}"
        text = listing.text
        if '"is_public": false' in text or '"is_public":false' in text:
            return "a non-public service or contact is in the anonymous answer"
        for item in listing.json().get("items", [])[:20]:
            detail = client.get(f"/api/v1/organisations/{item['id']}").text
            if '"is_public": false' in detail or '"is_public":false' in detail:
                return f"organisation {item['id']}: a non-public service or contact in the anonymous answer"
    return None


@check("huge numbers and odd bodies answer 4xx JSON, never a 500 or HTML")
def bad_input(base: str) -> str | None:
    probes = ["/api/v1/organisations?page=99999999999999999999999", "/api/v1/organisations/" + "1" + "0" * 23,
              "/api/v1/events/100000000000000000000000", "/api/v1/no-such-thing", "/api/v1/search?q=%00"]
    with httpx.Client(base_url=base, timeout=30) as client:
        for path in probes:
            answer = client.get(path)
            kind = answer.headers.get("content-type", "")
            if answer.status_code >= 500 or not kind.startswith("application/json"):
                return f"GET {path} answered {answer.status_code} {kind}"
            if not 400 <= answer.status_code < 500:
                return f"GET {path} answered {answer.status_code}"
        answer = client.post("/api/v1/applications", json=[None, None])
        if answer.status_code >= 500 or not answer.headers.get("content-type", "").startswith("application/json"):
            return f"POST [null, null] answered {answer.status_code}"
    return None


@check("the site answers with its security headers and no stack trace")
def headers(base: str) -> str | None:
    with httpx.Client(base_url=base, timeout=30) as client:
        answer = client.get("/")
        missing = [h for h in ("x-frame-options", "x-content-type-options", "referrer-policy")
                   if h not in answer.headers]
        if missing:
            return f"missing headers: {missing}"
        ready = client.get("/readyz")
        if ready.status_code != 200:
            return f"/readyz answered {ready.status_code}"
        if "Traceback" in client.get("/api/v1/organisations/abc").text:
            return "a traceback in an answer"
    return None


@check("a partner cannot flood comments (351 in 30 s were all published)")
def comment_flood(base: str) -> str | None:
    with _client(base, "") as client:
        answer = _login(client, "gestionnaire.asti@demo.subsidia.lu", DEMO_PASSWORD)
        assert answer.status_code == 302, f"sign-in answered {answer.status_code}"
        links = re.findall(r'href="(/actualites/[a-z0-9-]+/)"', client.get("/actualites/").text)
        items = [link for link in links if link.split("/")[2] not in {"rss", "atom", "gestion"}]
        assert items, "no news item to comment on"
        news = re.match(r"(.*)", items[0])
        assert news
        page = client.get(news.group(1)).text
        action = re.search(r'action="(/commentaires/ecrire/[^"]+)"', page)
        token = CSRF.search(page)
        assert action and token, "no comment form"
        statuses = []
        for number in range(40):
            statuses.append(client.post(action.group(1), data={
                "csrfmiddlewaretoken": token.group(1), "body": f"Commentaire de test numéro {number}."},
                headers={"Referer": base + news.group(1)}).status_code)
        if 429 not in statuses:
            return f"40 comments in a row, none refused: {sorted(set(statuses))}"
    return None


@check("an API write without If-Match or version is refused (no lost update)")
def lost_update(base: str) -> str | None:
    with _client(base, "") as client:
        answer = _login(client, "gestionnaire@demo.subsidia.lu", DEMO_PASSWORD)
        assert answer.status_code == 302, f"sign-in answered {answer.status_code}"
        listing = client.get("/api/v1/applications")
        items = listing.json().get("items", []) if listing.status_code == 200 else []
        assert items, f"no application to write to ({listing.status_code})"
        target = items[0]["id"]
        before = client.get(f"/api/v1/applications/{target}")
        answer = client.patch(f"/api/v1/applications/{target}", json={"title": "Écrasé sans version"},
                              headers={"X-CSRFToken": client.cookies.get("csrftoken", ""),
                                       "Referer": base + "/"})
        if answer.status_code != 428:
            return f"PATCH without If-Match answered {answer.status_code}"
        if "etag" not in before.headers:
            return "GET of an application answered no ETag"
        stale = client.patch(f"/api/v1/applications/{target}", json={"title": "Écrasé"},
                             headers={"If-Match": '"application-0-v0"',
                                      "X-CSRFToken": client.cookies.get("csrftoken", ""), "Referer": base + "/"})
        if stale.status_code != 412:
            return f"PATCH with a stale If-Match answered {stale.status_code}"
    return None


def _zip_bomb(inflated: int = 300 * 1024 * 1024) -> bytes:
    """An ODF-looking zip whose ``mimetype`` member inflates to ``inflated`` bytes (about 300 KB on the wire)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive, archive.open("mimetype", "w") as member:
        chunk = b"\0" * (1024 * 1024)
        for _ in range(inflated // len(chunk)):
            member.write(chunk)
    return buffer.getvalue()


def _zip_claiming(mimetype: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", mimetype)
        archive.writestr("content.xml", "<x/>")
    return buffer.getvalue()


@check("a zip bomb, or a zip that claims to be a PNG or a PDF, is refused as a document")
def uploads(base: str) -> str | None:
    with _client(base, "") as client:
        answer = _login(client, "gestionnaire@demo.subsidia.lu", DEMO_PASSWORD)
        assert answer.status_code == 302, f"sign-in answered {answer.status_code}"
        listing = client.get("/api/v1/applications").json().get("items", [])
        drafts = [a["id"] for a in listing if a.get("state") == "draft"]
        assert drafts, "no draft application to attach to"
        headers = {"X-CSRFToken": client.cookies.get("csrftoken", ""), "Referer": base + "/"}
        for name, content in [("rapport.odt", _zip_bomb()), ("photo.png", _zip_claiming("image/png")),
                              ("budget.pdf", _zip_claiming("application/pdf"))]:
            answer = client.post(f"/api/v1/applications/{drafts[0]}/documents", headers=headers,
                                 data={"kind": "description"}, files={"file": (name, content)})
            if answer.status_code != 422:
                return f"{name} answered {answer.status_code}"
            code = answer.json()["errors"][0]["code"]
            if code not in {"archive_bomb", "archive_too_large", "file_type_not_allowed", "file_corrupt"}:
                return f"{name} refused for another reason: {code}"
    return None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", default="http://127.0.0.1:8765")
    args = parser.parse_args()
    host = urlsplit(args.base).hostname or ""
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        parser.error("attacks only target this machine (127.0.0.0/8, ::1 or localhost)")
    failed = 0
    for attack in ATTACKS:
        try:
            problem = attack(args.base)
        except (httpx.HTTPError, AssertionError, ValueError) as error:
            problem = f"{type(error).__name__}: {error}"
        failed += problem is not None
        print(f"{'FAIL' if problem else 'PASS'}  {attack.check_name}" + (f": {problem}" if problem else ""))  # type: ignore[attr-defined]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
