"""WCAG 2.1 AA in a real browser: axe-core on the public and partner pages, htmx on the directory.

These tests drive Debian's Chromium (``bash scripts/ensure-browser`` installs it) through
Playwright's sync API against pytest-django's live server; ``make test-browser`` runs them
(``-m browser``) and the ordinary runs leave them out (``-m "not browser"``).

Every page is checked for: no JavaScript error and no console error (a Content-Security-Policy
violation is a console error), no failed request to the site's own files, then no axe-core
violation of the WCAG 2.0/2.1 A and AA rules.

axe-core (MPL-2.0, vendored in ``vendor/``) is injected *without* bypassing the site's CSP: the
page loads it from a same-origin URL that Playwright answers with the vendored file
(``page.route``), so ``script-src 'self'`` allows it, the server never sees the request, and the
same page load both proves that the app's own pages raise no CSP error and runs the audit.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Browser, ConsoleMessage, Page, Request, Response, sync_playwright

from subsidia.accounts.models import ApiToken, User
from subsidia.conventions.models import Convention, ReportKind
from subsidia.conventions.tests.factories import (
    ConventionDomainFactory,
    ConventionFactory,
    DepartmentFactory,
    IndicatorFactory,
    sign_without_audit,
)
from subsidia.dialogue.models import Meeting, MeetingStatus
from subsidia.dialogue.tests.factories import ActionItemFactory, MeetingFactory, MeetingSeriesFactory
from subsidia.grants.models import Application, Call, Question, Review, State
from subsidia.grants.tests.factories import ApplicationFactory, CallFactory
from subsidia.organisations.models import Organisation, OrganisationDocument, TargetPublic
from subsidia.organisations.tests.factories import (
    ContactFactory,
    MunicipalityFactory,
    OrganisationFactory,
    ServiceFactory,
    ThemeFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
# Without the background-networking flags, Chromium's own connections are refused here.
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
AXE_JS = Path(__file__).parent / "vendor" / "axe.min.js"
AXE_PATH = "/__axe-core__/axe.min.js"  # answered by Playwright, never by the server
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
PASSWORD = "correct-horse-battery-staple"  # the factories' default password
TIMEOUT_MS = 10_000

RUN_AXE = """async (tags) => {
  const results = await axe.run(document, {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]});
  return results.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
    nodes: v.nodes.map((n) => ({target: n.target, html: n.html, summary: n.failureSummary})),
  }));
}"""


# --- Browser --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run `bash scripts/ensure-browser` (or `make test-browser`)")
    # Playwright's sync API runs an event loop in this thread, which Django's ORM takes for an
    # async context; the test code itself is plain synchronous code, so that guard is lifted
    # for these tests only.
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            yield browser
            browser.close()


@dataclass
class Watched:
    """A page, and everything that went wrong on it since it was opened."""

    page: Page
    base_url: str
    errors: list[str] = field(default_factory=list)

    def on_console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.errors.append(f"console error: {message.text} ({message.location.get('url', '')})")

    def on_page_error(self, error: Exception) -> None:
        self.errors.append(f"JavaScript error: {error}")

    def on_request_failed(self, request: Request) -> None:
        if request.url.startswith(self.base_url):
            self.errors.append(f"request failed: {request.method} {request.url} ({request.failure})")

    def on_response(self, response: Response) -> None:
        if response.url.startswith(f"{self.base_url}/static/") and response.status >= 400:
            self.errors.append(f"static file missing: {response.url} ({response.status})")

    def goto(self, path: str) -> None:
        response = self.page.goto(self.base_url + path)
        assert response is not None and response.ok, f"GET {path}: {response and response.status}"

    def assert_clean(self) -> None:
        assert not self.errors, f"{self.page.url}:\n  " + "\n  ".join(self.errors)

    def axe_violations(self) -> list[dict[str, Any]]:
        self.page.add_script_tag(url=self.base_url + AXE_PATH)
        return self.page.evaluate(RUN_AXE, WCAG_TAGS)

    def assert_accessible(self) -> None:
        """No error so far, and no WCAG 2.1 A/AA violation that axe-core can detect."""
        self.assert_clean()
        violations = self.axe_violations()
        self.assert_clean()  # axe itself must not trip the CSP either
        assert violations == [], f"{self.page.url} fails WCAG 2.1 AA:\n" + format_violations(violations)


def format_violations(violations: list[dict[str, Any]]) -> str:
    lines = []
    for v in violations:
        lines.append(f"- {v['id']} ({v['impact']}): {v['help']} <{v['helpUrl']}>")
        for node in v["nodes"]:
            lines.append(f"    at {' '.join(map(str, node['target']))}: {node['html'][:200]}")
            lines.extend(f"      {line}" for line in (node["summary"] or "").splitlines())
    return "\n".join(lines)


@pytest.fixture
def open_page(chromium: Browser, live_server: Any) -> Iterator[Callable[..., Watched]]:
    """open_page() gives a watched page in a fresh browser context (own cookies, own language)."""
    contexts = []

    def open_(*, locale: str = "fr-FR", javascript: bool = True, width: int = 1280) -> Watched:
        context = chromium.new_context(locale=locale, java_script_enabled=javascript,
                                       viewport={"width": width, "height": 720})
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        context.route(live_server.url + AXE_PATH, lambda route: route.fulfill(
            path=AXE_JS, content_type="application/javascript; charset=utf-8"))
        page = context.new_page()
        watched = Watched(page=page, base_url=live_server.url)
        page.on("console", watched.on_console)
        page.on("pageerror", watched.on_page_error)
        page.on("requestfailed", watched.on_request_failed)
        page.on("response", watched.on_response)
        return watched

    yield open_
    for context in contexts:
        context.close()


# --- Data: a small directory, like the demo's -------------------------------------------------


@dataclass
class Demo:
    organisation: Organisation
    other: Organisation
    theme_code: str
    partner_admin: User
    call: Call
    application: Application
    running: Application
    convention: Convention
    meeting: Meeting
    past_meeting: Meeting


@pytest.fixture
def demo(make_user: Callable[..., User]) -> Demo:
    """Listed organisations with themes, public contacts and services, and a partner admin.

    Nothing here goes through the services, so no audit event is written: the audit trail's
    triggers refuse the DELETE with which a transactional test empties SQLite afterwards.
    """
    housing = ThemeFactory.create(code="logement", name="Logement")
    health = ThemeFactory.create(code="sante", name="Santé")
    youth = TargetPublic.objects.create(code="jeunes", name="Jeunes")
    town = MunicipalityFactory.create(name="Esch-sur-Alzette")
    organisation = OrganisationFactory.create(
        name="Maison des Jeunes Esch", acronym="MJE", municipality=town, street="1, rue de l'Alzette",
        postal_code="L-4010", website="https://mje.example.lu", email="info@mje.example.lu",
        phone="+352 54 00 00", description="Accueil de jour pour les jeunes.\nAteliers et accompagnement.",
        last_verified_on=date(2025, 3, 1), is_example=True,
    )
    organisation.themes.set([housing, health])
    organisation.target_publics.set([youth])
    ContactFactory.create(organisation=organisation, name="Anne Muller", email="anne@mje.example.lu", phone="+352 1")
    ContactFactory.create(organisation=organisation, name="Interne", is_public=False)
    ServiceFactory.create(organisation=organisation, name="Foyer de nuit", municipality=town)
    today = timezone.localdate()
    for kind, valid_until in [("statutes", None), ("insurance", today + timedelta(days=10)),
                              ("annual_accounts", today - timedelta(days=3))]:
        OrganisationDocument.objects.create(
            organisation=organisation, kind=kind, file=ContentFile(b"%PDF-1.4 demo", name=f"{kind}.pdf"),
            content_type="application/pdf", size=13, valid_until=valid_until,
        )
    other = OrganisationFactory.create(name="Croix de Solidarité", acronym="CDS", description="Aide alimentaire.")
    other.themes.set([health])
    OrganisationFactory.create(name="Non listée", listed_in_directory=False)
    admin = make_user("partner_admin", organisation=organisation, email="gestion@mje.example.lu",
                      full_name="Gaby Gestion")
    make_user("partner_member", organisation=organisation, email="membre@mje.example.lu", full_name="Max Membre")
    ApiToken.objects.create(user=admin, name="Export mensuel", digest=ApiToken.digest_of("sbs_demo"), hint="sbs_demo12",
                            last_used_at=timezone.now() - timedelta(days=2))
    call = CallFactory.create(title="Subsides intégration", text="Projets innovants pour l'intégration.")
    communes = Question.objects.create(call=call, key="communes", label="Le projet implique-t-il des communes ?",
                                       kind="choice", choices=["oui", "non"], required=True)
    Question.objects.create(call=call, key="lesquelles", label="Lesquelles ?", shown_if_question=communes,
                            shown_if_value="oui")
    Question.objects.create(call=call, key="accord", label="Accord de la commune", kind="file",
                            shown_if_question=communes, shown_if_value="oui")
    application = ApplicationFactory.create(call=call, organisation=organisation, answers={"communes": "oui"},
                                            requested_amount=5000)  # unbalanced: the page says what is missing
    running = ApplicationFactory.create(call=call, organisation=organisation, state=State.IN_PROGRESS,
                                        first_submitted_on=today - timedelta(days=90))
    department = DepartmentFactory.create(name="Département de la jeunesse", listed_in_directory=False)
    convention = ConventionFactory.create(organisation=organisation, department=department,
                                          title="Convention jeunesse (exemple)",
                                          starts_on=date(today.year - 1, 1, 1), ends_on=date(today.year + 1, 12, 31))
    IndicatorFactory.create(domain=ConventionDomainFactory.create(convention=convention), name="Jeunes accueillis")
    sign_without_audit(convention, date(today.year - 2, 12, 1))
    series = MeetingSeriesFactory.create(organisations=[organisation], department=department,
                                         title="Réunion des gestionnaires")
    now = timezone.now()
    meeting = MeetingFactory.create(series=series, starts_at=now + timedelta(days=20), online_url="https://visio.example.lu/r")
    past_meeting = MeetingFactory.create(series=series, starts_at=now - timedelta(days=70), status=MeetingStatus.HELD,
                                         minutes="Tour de table.", minutes_published_at=now - timedelta(days=60))
    ActionItemFactory.create(raised_at=past_meeting, title="Recenser les besoins", owner_organisation=organisation,
                             due_on=today + timedelta(days=30))
    return Demo(organisation=organisation, other=other, theme_code=housing.code, partner_admin=admin, call=call,
                application=application, running=running, convention=convention, meeting=meeting,
                past_meeting=past_meeting)


def _report(d: Demo, kind: str) -> int:
    return d.convention.reports.get(year=timezone.localdate().year - 1, kind=kind).pk


def sign_in(watched: Watched, user: User) -> None:
    watched.goto("/compte/connexion/")
    page = watched.page
    page.fill("input[name=username]", user.email)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert "/compte/connexion/" not in page.url, f"sign-in failed, still on {page.url}"


# --- Accessibility ----------------------------------------------------------------------------

PUBLIC_PAGES = {
    "home": lambda d: "/",
    "directory": lambda d: "/annuaire/",
    "directory-theme": lambda d: f"/annuaire/?theme={d.theme_code}",
    "directory-entry": lambda d: f"/annuaire/{d.organisation.pk}/",
    "login": lambda d: "/compte/connexion/",
    "password-reset": lambda d: "/compte/mot-de-passe/oubli/",
    "calls": lambda d: "/subsides/appels/",
    "call": lambda d: f"/subsides/appels/{d.call.pk}/",
}

PARTNER_PAGES = {
    "partner-dashboard": lambda d: "/tableau-de-bord/partenaire/",
    "organisation": lambda d: f"/organisations/{d.organisation.pk}/",
    "organisation-edit": lambda d: f"/organisations/{d.organisation.pk}/modifier/",
    "contact-add": lambda d: f"/organisations/{d.organisation.pk}/contacts/nouveau/",
    "service-add": lambda d: f"/organisations/{d.organisation.pk}/services/nouveau/",
    "document-add": lambda d: f"/organisations/{d.organisation.pk}/documents/nouveau/",
    "applications": lambda d: "/subsides/demandes/",
    "application-create": lambda d: f"/subsides/appels/{d.call.pk}/demande/",
    "application": lambda d: f"/subsides/demandes/{d.application.pk}/",
    "application-edit": lambda d: f"/subsides/demandes/{d.application.pk}/modifier/",
    "application-running": lambda d: f"/subsides/demandes/{d.running.pk}/",
    "final-report": lambda d: f"/subsides/demandes/{d.running.pk}/rapport/",
    "notifications": lambda d: "/notifications/",
    "notification-preferences": lambda d: "/notifications/preferences/",
    "conventions": lambda d: "/conventions/",
    "convention": lambda d: f"/conventions/{d.convention.pk}/",
    "activity-report": lambda d: f"/conventions/rapports/{_report(d, ReportKind.ACTIVITY)}/",
    "financial-statement": lambda d: f"/conventions/rapports/{_report(d, ReportKind.FINANCIAL)}/",
    "dialogue": lambda d: "/dialogue/",
    "meeting-series": lambda d: f"/dialogue/series/{d.meeting.series_id}/",
    "meeting": lambda d: f"/dialogue/reunions/{d.meeting.pk}/",
    "past-meeting": lambda d: f"/dialogue/reunions/{d.past_meeting.pk}/",
    "calendar": lambda d: "/dialogue/calendrier/",
    "api-tokens": lambda d: "/compte/jetons/",
}


@pytest.mark.parametrize("name", PUBLIC_PAGES)
def test_public_page_is_accessible(name: str, open_page: Callable[..., Watched], demo: Demo) -> None:
    watched = open_page()
    watched.goto(PUBLIC_PAGES[name](demo))
    assert watched.page.locator("html").get_attribute("lang") == "fr"
    watched.assert_accessible()


def test_partner_pages_are_accessible(open_page: Callable[..., Watched], demo: Demo) -> None:
    watched = open_page()
    sign_in(watched, demo.partner_admin)
    watched.assert_clean()
    for name, path in PARTNER_PAGES.items():
        watched.goto(path(demo))
        assert watched.page.locator("h1").count() == 1, name
        watched.assert_accessible()


def sign_in_with_code(watched: Watched, user: User) -> None:
    """Staff sign in with the password, then the code of their authenticator app (set up beforehand)."""
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    sign_in(watched, user)
    page = watched.page
    assert "/compte/double-authentification/" in page.url, page.url
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    page.fill("input[name=token]", f"{totp.token():06d}")
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert "/compte/double-authentification/" not in page.url, f"second factor refused, still on {page.url}"


def test_staff_account_and_queue_pages_are_accessible(open_page: Callable[..., Watched], demo: Demo,
                                                      make_user: Callable[..., User]) -> None:
    """The administrator's account pages (the search, one account's roles and second factor, their own API
    tokens) and the officers' queue with its "Retirer" button per review still to do: axe-core at full width,
    no sideways scrolling at 320 px."""
    admin = make_user("admin", email="admin@example.lu")
    officer = make_user("officer", email="agent@example.lu", full_name="Alex Agent")
    for user in (admin, officer):
        TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    under_review = ApplicationFactory.create(call=demo.call, organisation=demo.organisation, state=State.UNDER_REVIEW,
                                             first_submitted_on=timezone.localdate())
    Review.objects.create(application=under_review, reviewer=make_user("reviewer", full_name="Rita Reviewer"))
    pages = {
        admin: ["/compte/administration/comptes/", "/compte/administration/comptes/?q=agent",
                f"/compte/administration/comptes/{officer.pk}/", "/compte/jetons/"],
        officer: ["/subsides/gestion/demandes/"],
    }
    overflowing = {}
    for user, paths in pages.items():
        wide, narrow = open_page(), open_page(width=320)
        sign_in_with_code(wide, user)
        for path in paths:
            wide.goto(path)
            assert wide.page.locator("h1").count() == 1, path
            wide.assert_accessible()
            if path == "/subsides/gestion/demandes/":  # the review still to do has its button
                assert wide.page.get_by_role("button", name="Retirer Rita Reviewer").count() == 1
        # The next code: django-otp refuses a code twice, and the first session's is spent.
        TOTPDevice.objects.filter(user=user).update(last_t=-1)
        sign_in_with_code(narrow, user)
        for path in paths:
            narrow.goto(path)
            if found := _horizontal_overflow(narrow.page):
                overflowing[path] = found
        narrow.assert_clean()
    assert not overflowing, f"pages that scroll sideways at 320px: {overflowing}"


def test_partner_form_errors_are_accessible(open_page: Callable[..., Watched], demo: Demo) -> None:
    """Refused forms (nothing is saved, so nothing is audited) show their errors accessibly."""
    watched = open_page()
    page = watched.page
    sign_in(watched, demo.partner_admin)
    watched.goto(f"/organisations/{demo.organisation.pk}/modifier/")
    page.fill("#id_email", "not-an-e-mail")
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert page.locator(".field-error #id_email").count() == 1
    watched.assert_accessible()

    watched.goto(f"/organisations/{demo.organisation.pk}/")
    invite = "main form[action$='/membres/inviter/']"
    page.fill("#id_email", "not-an-e-mail")
    page.eval_on_selector(invite, "form => { form.noValidate = true; }")  # past the browser's own check
    with page.expect_navigation():
        page.click(f"{invite} button[type=submit]")
    assert page.locator(".field-error #id_email").count() == 1
    watched.errors = [e for e in watched.errors if "status of 422" not in e]  # the refusal's own status
    watched.assert_accessible()


def test_login_errors_are_accessible(open_page: Callable[..., Watched], demo: Demo) -> None:
    """A refused sign-in shows its errors in a way that stays accessible."""
    watched = open_page()
    watched.goto("/compte/connexion/")
    watched.page.fill("input[name=username]", "nobody@example.lu")
    watched.page.fill("input[name=password]", "wrong")
    with watched.page.expect_navigation():
        watched.page.click("main form button[type=submit]")
    assert watched.page.locator(".form-errors").is_visible()
    watched.assert_accessible()


def test_german_page_is_accessible(open_page: Callable[..., Watched], demo: Demo) -> None:
    watched = open_page(locale="de-DE")  # Accept-Language: de-DE
    watched.goto("/annuaire/")
    assert watched.page.locator("html").get_attribute("lang") == "de"
    # lang="de" over French text would fail WCAG 3.1.1 (language of page): the text is German too.
    assert watched.page.locator("h1").inner_text() != "Annuaire des organismes compétents"
    watched.assert_accessible()


def test_language_switcher_sets_lang(open_page: Callable[..., Watched], demo: Demo) -> None:
    watched = open_page()
    watched.goto("/")
    watched.page.select_option("#language-select", "de")
    with watched.page.expect_navigation():
        watched.page.click(".language-form button[type=submit]")
    assert watched.page.locator("html").get_attribute("lang") == "de"
    watched.assert_accessible()


def test_skip_link_is_first_and_visible_on_focus(open_page: Callable[..., Watched], demo: Demo) -> None:
    watched = open_page()
    page = watched.page
    watched.goto("/annuaire/")
    page.keyboard.press("Tab")
    skip = page.locator(".skip-link")
    assert skip.evaluate("link => link === document.activeElement")
    box = skip.bounding_box()
    assert box is not None and box["x"] >= 0 and box["y"] >= 0, "the focused skip link is off screen"
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "contenu"
    watched.assert_clean()


def _horizontal_overflow(page: Page) -> list[str]:
    """Elements wider than the viewport (WCAG 1.4.10 Reflow: no scrolling in two directions at 320px)."""
    return page.evaluate("""() => {
      const width = document.documentElement.clientWidth;
      if (document.documentElement.scrollWidth <= width) return [];
      return [...document.querySelectorAll("body *")]
        .filter((el) => el.getBoundingClientRect().right > width + 1)
        .map((el) => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") +
             (el.className && typeof el.className === "string" ? "." + el.className.split(" ").join(".") : ""))
        .slice(0, 10);
    }""")


def test_pages_reflow_at_320_css_pixels(open_page: Callable[..., Watched], demo: Demo) -> None:
    watched = open_page(width=320)
    overflowing = {}
    for name, path in PUBLIC_PAGES.items():
        watched.goto(path(demo))
        overflowing[name] = _horizontal_overflow(watched.page)
    sign_in(watched, demo.partner_admin)
    for name, path in PARTNER_PAGES.items():
        watched.goto(path(demo))
        overflowing[name] = _horizontal_overflow(watched.page)
    overflowing = {name: elements for name, elements in overflowing.items() if elements}
    assert not overflowing, f"pages that scroll sideways at 320px: {overflowing}"
    watched.assert_clean()


# --- htmx on the directory --------------------------------------------------------------------


def _result_names(page: Page) -> list[str]:
    return page.locator("#resultats ul.directory > li h2 a").all_inner_texts()


def _no_full_load(page: Page) -> None:
    """Mark the document: a full page load would drop the mark."""
    page.evaluate("() => { window.__sameDocument = true; }")


def _same_document(page: Page) -> bool:
    return bool(page.evaluate("() => window.__sameDocument === true"))


def test_directory_search_updates_results_with_htmx(open_page: Callable[..., Watched], demo: Demo) -> None:
    watched = open_page()
    page = watched.page
    watched.goto("/annuaire/")
    page.wait_for_function("() => window.htmx !== undefined")
    assert _result_names(page) == ["Croix de Solidarité", "Maison des Jeunes Esch"]
    _no_full_load(page)

    with page.expect_response(lambda r: "/annuaire/" in r.url and r.request.headers.get("hx-request") == "true"):
        page.locator("#id_q").press_sequentially("Jeunes", delay=20)
    page.wait_for_function("() => document.querySelectorAll('#resultats ul.directory > li').length === 1")
    assert _result_names(page) == ["Maison des Jeunes Esch"]
    assert _same_document(page), "typing in the search box reloaded the whole page"
    assert "q=Jeunes" in page.url  # hx-push-url keeps the address shareable
    assert page.locator("h1").count() == 1  # the fragment, not a whole page, went into #resultats
    watched.assert_accessible()


def test_directory_filter_updates_results_with_htmx(open_page: Callable[..., Watched], demo: Demo) -> None:
    watched = open_page()
    page = watched.page
    watched.goto("/annuaire/")
    page.wait_for_function("() => window.htmx !== undefined")
    _no_full_load(page)

    with page.expect_response(lambda r: "/annuaire/" in r.url and r.request.headers.get("hx-request") == "true"):
        page.select_option("#id_theme", demo.theme_code)
    page.wait_for_function("() => document.querySelectorAll('#resultats ul.directory > li').length === 1")
    assert _result_names(page) == ["Maison des Jeunes Esch"]
    assert _same_document(page), "changing a filter reloaded the whole page"
    assert f"theme={demo.theme_code}" in page.url
    watched.assert_accessible()


def test_directory_filters_without_javascript(open_page: Callable[..., Watched], demo: Demo) -> None:
    watched = open_page(javascript=False)
    page = watched.page
    watched.goto("/annuaire/")
    assert _result_names(page) == ["Croix de Solidarité", "Maison des Jeunes Esch"]
    page.fill("#id_q", "Solidarité")
    with page.expect_navigation():
        page.click("main form[role=search] button[type=submit]")
    assert "q=Solidarit" in page.url
    assert _result_names(page) == ["Croix de Solidarité"]
    watched.assert_clean()
