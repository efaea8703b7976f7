"""The key pages and API calls that the benchmark measures, with who opens them.

Their addresses come from the URLconfs (src/subsidia/*/urls.py); the objects they show are the demo's (the
same primary keys in both databases, the large one being the demo plus the bulk data), found by
``fixtures.py`` in each database.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

# Kinds of page, which decide the targets that apply (targets.py).
BARE = "bare"  # the reference: a fixed short page through the same server and middleware
PUBLIC = "public"  # anonymous visitors
SIGNED_IN = "signed_in"  # a session (staff: second factor passed) or an API token
EXPORT = "export"  # a file download, measured one at a time with the worker's memory
MISSING = "missing"  # a page the issue names that does not exist yet

OFFICER = "officer@demo.subsidia.lu"
REVIEWER = "reviewer@demo.subsidia.lu"
APPROVER = "approver@demo.subsidia.lu"
FINANCE = "finance@demo.subsidia.lu"
MODERATOR = "moderator@demo.subsidia.lu"
AUDITOR = "auditor@demo.subsidia.lu"
ADMIN = "admin@demo.subsidia.lu"
PARTNER = "gestionnaire@demo.subsidia.lu"

API_PAGE_SIZE = 50  # the API's default page size (api/grants.py list_applications)
DEEP_SHARE = 0.75  # the "deep page" of a list: three quarters of the way to its end
SEARCH_WORD = "intégration"
DIRECTORY_WORD = "association"


@dataclass(frozen=True)
class Page:
    name: str
    path: str
    kind: str
    who: str | None = None  # the demo account whose session opens it; None: anonymous
    token: bool = False  # with the account's API token (Authorization: Bearer) rather than its session
    note: str = ""

    @property
    def search(self) -> bool:
        return self.path.startswith("/recherche/")


BARE_PAGE = Page("bare Django view (reference)", "/_bench/bare/", BARE)
API_FIRST = "/api/v1/applications"


def accounts(pages: list[Page]) -> list[str]:
    """The accounts that need a session or a token, each once, in order."""
    return list(dict.fromkeys(p.who for p in pages if p.who))


def deep_api_path(first_page: dict[str, Any], *, walk_limit: int = 0) -> str:
    """The deep page of ``/api/v1/applications``: with page numbers, the page three quarters of the way to
    the end (``?page=1500`` of 2,000 at 100,000 applications); with a ``next`` cursor, that link (the harness
    follows it further itself, see measure.deep_cursor)."""
    next_link = first_page.get("next")
    if next_link:
        return str(next_link)
    count = int(first_page.get("count") or 0)
    last = max(1, -(-count // API_PAGE_SIZE))
    return f"{API_FIRST}?page={max(1, round(last * DEEP_SHARE))}"


def public_pages(ids: dict[str, Any]) -> list[Page]:
    word = quote(SEARCH_WORD)
    return [
        Page("home", "/", PUBLIC),
        Page("directory", "/annuaire/", PUBLIC),
        Page(f"directory search ?q={DIRECTORY_WORD}", f"/annuaire/?q={quote(DIRECTORY_WORD)}", PUBLIC),
        Page("good practices", "/bonnes-pratiques/", PUBLIC),
        Page(f"site search ?q={SEARCH_WORD}", f"/recherche/?q={word}", PUBLIC),
    ]


def queue_pages(ids: dict[str, Any]) -> list[Page]:
    queue = "/subsides/gestion/demandes/"
    return [
        Page("officer queue", queue, SIGNED_IN, OFFICER),
        Page("officer queue, filter state=submitted", f"{queue}?state=submitted", SIGNED_IN, OFFICER),
        Page("officer queue, filter call + organisation",
             f"{queue}?call={ids['call']}&organisation={ids['organisation']}", SIGNED_IN, OFFICER),
        Page("officer queue, text filter", f"{queue}?q={quote(SEARCH_WORD)}", SIGNED_IN, OFFICER),
        Page("officer queue, sorted by amount", f"{queue}?sort=-amount", SIGNED_IN, OFFICER),
        Page("officer queue, sorted by organisation", f"{queue}?sort=organisation", SIGNED_IN, OFFICER),
        Page("application detail (officer)", f"/subsides/demandes/{ids['application']}/", SIGNED_IN, OFFICER),
    ]


def dashboard_pages(ids: dict[str, Any]) -> list[Page]:
    staff = "/tableau-de-bord/ministere/"
    return [
        Page("partner dashboard", "/tableau-de-bord/partenaire/", SIGNED_IN, PARTNER),
        Page("partner: my applications", "/subsides/demandes/", SIGNED_IN, PARTNER),
        *(Page(f"staff dashboard ({role})", staff, SIGNED_IN, who) for role, who in (
            ("officer", OFFICER), ("reviewer", REVIEWER), ("approver", APPROVER), ("finance", FINANCE),
            ("moderator", MODERATOR), ("auditor", AUDITOR), ("admin", ADMIN))),
        Page("reviewer: my reviews", "/subsides/evaluations/", SIGNED_IN, REVIEWER),
        Page("finance: grant payments", "/subsides/gestion/paiements/", SIGNED_IN, FINANCE),
        Page("finance: convention payments", "/conventions/paiements/", SIGNED_IN, FINANCE),
        Page("moderator: moderation queue", "/commentaires/moderation/", SIGNED_IN, MODERATOR),
        Page("auditor: audit trail", "/audit/", SIGNED_IN, AUDITOR),
        Page("budget: call decision summary (envelope)", f"/subsides/gestion/appels/{ids['call']}/synthese/",
             SIGNED_IN, APPROVER),
        Page("budget: organisation funding by year",
             f"/conventions/organisations/{ids['organisation']}/financements/", SIGNED_IN, OFFICER),
    ]


def api_pages(deep_path: str) -> list[Page]:
    return [
        Page("API /api/v1/applications, first page", API_FIRST, SIGNED_IN, OFFICER, token=True),
        Page("API /api/v1/applications, deep page", deep_path, SIGNED_IN, OFFICER, token=True),
    ]


def export_pages(ids: dict[str, Any]) -> list[Page]:
    queue = "/subsides/gestion/demandes/export"
    event = f"/evenements/gestion/{ids['event']}/participants"
    return [
        Page("applications export CSV", f"{queue}.csv/", EXPORT, OFFICER),
        Page("applications export XLSX", f"{queue}.xlsx/", EXPORT, OFFICER),
        Page("event participants export CSV", f"{event}.csv", EXPORT, OFFICER,
             note="the event with the most registrations"),
        Page("event participants export XLSX", f"{event}.xlsx", EXPORT, OFFICER,
             note="the event with the most registrations"),
    ]


MISSING_PAGES = [Page("360Giving export", "", MISSING, note="not built (issue 17)")]


def key_pages(ids: dict[str, Any], deep_path: str) -> list[Page]:
    """Every measured page, in the order of the report."""
    return [*public_pages(ids), *queue_pages(ids), *dashboard_pages(ids), *api_pages(deep_path),
            *export_pages(ids)]
