"""Every URL pattern and API operation, requested by every kind of person, answers as declared.

The tables below are the access specification. A view or API route that is not in them fails
``test_every_route_is_declared``; a page view or API operation that does not declare its policy in
code (``subsidia.core.access``) fails ``test_every_view_declares_its_policy``. Objects of another
organisation answer 404, so that their existence does not leak.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from pytest_django import DjangoDbBlocker, Settings

from subsidia.accounts.services import issue_api_token
from subsidia.api.api import api
from subsidia.conftest import create_user, sign_in
from subsidia.core.access import policy_of
from subsidia.organisations.models import OrganisationDocument
from subsidia.organisations.tests.factories import ContactFactory, MembershipFactory, OrganisationFactory

from .access import (
    EVERYONE,
    ORG_A_EDITORS,
    ORG_A_VIEWERS,
    ORG_MANAGERS,
    ORG_READERS,
    PARTNERS,
    PERSONAS,
    SIGNED_IN,
    STAFF,
    Row,
)


def _pdf(ctx: dict[str, Any]) -> dict[str, Any]:
    return {"kind": "statutes", "file": SimpleUploadedFile("s.pdf", b"%PDF-1.4\n%test\n", "application/pdf")}


PAGES: dict[str, Row] = {
    "core:home": Row(EVERYONE),
    "core:dashboard": Row(SIGNED_IN, ok=302),
    "core:partner_dashboard": Row(PARTNERS),
    "core:staff_dashboard": Row(STAFF),
    "core:healthz": Row(EVERYONE),
    "core:readyz": Row(EVERYONE),
    "accounts:login": Row(EVERYONE, overrides=dict.fromkeys(SIGNED_IN, 302)),
    "accounts:logout": Row(EVERYONE, method="POST", ok=302),
    "accounts:password_reset": Row(EVERYONE),
    "accounts:password_reset_done": Row(EVERYONE),
    "accounts:password_reset_confirm": Row(EVERYONE),
    "accounts:password_reset_complete": Row(EVERYONE),
    # Staff already verified are sent on; others may set up a device of their own.
    "accounts:two_factor_setup": Row(SIGNED_IN, overrides=dict.fromkeys(STAFF, 302)),
    "accounts:two_factor_verify": Row(SIGNED_IN, ok=302),
    "accounts:reauthenticate": Row(SIGNED_IN),
    "set_language": Row(EVERYONE, method="POST", ok=302, data=lambda ctx: {"language": "de", "next": "/"}),
    "directory:directory": Row(EVERYONE),
    "directory:directory_entry": Row(EVERYONE),
    "organisations:list": Row(ORG_READERS),
    "organisations:create": Row(ORG_MANAGERS),
    "organisations:detail": Row(ORG_A_VIEWERS | {"partner_admin_b"}, overrides={"partner_admin_b": 404}),
    "organisations:edit": Row(ORG_A_EDITORS | {"partner_admin_b"}, overrides={"partner_admin_b": 404}),
    "organisations:verify": Row(ORG_MANAGERS, method="POST", ok=302),
    "organisations:member_invite": Row(
        ORG_A_EDITORS | {"partner_admin_b"}, method="POST", ok=422, overrides={"partner_admin_b": 404},
        data=lambda ctx: {"email": "not-an-address"},
    ),
    "organisations:member_remove": Row(
        ORG_A_EDITORS | {"partner_admin_b"}, method="POST", ok=302, overrides={"partner_admin_b": 404},
    ),
    "organisations:contact_add": Row(ORG_A_EDITORS | {"partner_admin_b"}, overrides={"partner_admin_b": 404}),
    "organisations:contact_edit": Row(ORG_A_EDITORS | {"partner_admin_b"}, overrides={"partner_admin_b": 404}),
    "organisations:service_add": Row(ORG_A_EDITORS | {"partner_admin_b"}, overrides={"partner_admin_b": 404}),
    "organisations:document_add": Row(
        ORG_A_EDITORS | {"partner_admin_b"}, method="POST", ok=302, overrides={"partner_admin_b": 404}, data=_pdf,
    ),
    "organisations:document_download": Row(ORG_A_VIEWERS | {"partner_admin_b"}, overrides={"partner_admin_b": 404}),
    "audit:log": Row({"auditor", "admin"}),
}

# API operations: (method, path template) -> Row. Anonymous callers get 401, wrong roles 403.
API: dict[tuple[str, str], Row] = {
    ("GET", "/organisations"): Row(EVERYONE, anonymous=401),
    ("GET", "/organisations/{organisation_id}"): Row(EVERYONE, anonymous=401),
    ("POST", "/organisations"): Row(
        ORG_MANAGERS, ok=201, anonymous=401,
        data=lambda ctx: {"name": f"Nouvelle {ctx['persona']}", "legal_form": "asbl"},
    ),
    ("PATCH", "/organisations/{organisation_id}"): Row(
        ORG_MANAGERS, anonymous=401, data=lambda ctx: {"acronym": "NEW"},
    ),
}
# Each app declares the rows of its own routes in a table module of its tests.
TABLE_MODULES = [
    "subsidia.accounts.tests.access_pages",
    "subsidia.grants.tests.access_partner",
    "subsidia.grants.tests.access_staff",
    "subsidia.api.tests.access_grants",
    "subsidia.notifications.tests.access_pages",
    "subsidia.conventions.tests.access_partner",
    "subsidia.conventions.tests.access_staff",
    "subsidia.dialogue.tests.access_pages",
    "subsidia.api.tests.access_conventions",
    "subsidia.events.tests.access_public",
    "subsidia.events.tests.access_staff",
    "subsidia.knowledge.tests.access_pages",
    "subsidia.moderation.tests.access_pages",
    "subsidia.search.tests.access_pages",
    "subsidia.api.tests.access_events",
    "subsidia.api.tests.access_knowledge",
    "subsidia.api.tests.access_search",
]
for _module_name in TABLE_MODULES:
    _module = importlib.import_module(_module_name)
    PAGES.update(getattr(_module, "PAGES", {}))
    API.update(getattr(_module, "API", {}))

# Routes served by third-party code with its own, public, access rule.
THIRD_PARTY_PUBLIC = {"api:openapi-json", "api:openapi-view"}


def walk(patterns: list[Any], namespace: str = "", prefix: str = "") -> Iterator[tuple[str, str, Any]]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace or ""
            yield from walk(entry.url_patterns, f"{namespace}{ns}:" if ns else namespace,
                            prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield f"{namespace}{entry.name}" if entry.name else "", prefix + str(entry.pattern), entry.callback


def api_operations() -> Iterator[tuple[str, str, Any]]:
    for prefix, router in api._routers:
        for path, path_view in router.path_operations.items():
            full = "/" + "/".join(p for p in (prefix.strip("/"), path.strip("/")) if p)
            for operation in path_view.operations:
                for method in operation.methods:
                    yield method, full, operation.view_func


def test_every_route_is_declared() -> None:
    undeclared = []
    for name, route, _callback in walk(get_resolver().url_patterns):
        if route.startswith("admin/") or name in THIRD_PARTY_PUBLIC:
            continue
        if name.startswith("api:"):
            continue  # API paths are declared per operation below
        if name not in PAGES:
            undeclared.append(f"{name or '(unnamed)'} {route}")
    for method, path, _func in api_operations():
        if (method, path) not in API:
            undeclared.append(f"API {method} {path}")
    assert not undeclared, "Declare who may use these routes in the access matrix: " + ", ".join(undeclared)
    declared_pages = {name for name, _route, _cb in walk(get_resolver().url_patterns)}
    assert set(PAGES) <= declared_pages, f"Stale rows: {set(PAGES) - declared_pages}"
    assert set(API) <= {(m, p) for m, p, _f in api_operations()}, "Stale API rows"


def test_every_view_declares_its_policy() -> None:
    missing = [name for name, _r, callback in walk(get_resolver().url_patterns)
               if name in PAGES and policy_of(callback) is None]
    missing += [f"{m} {p}" for m, p, func in api_operations() if policy_of(func) is None]
    assert not missing, f"Views without an access policy: {missing}"


@pytest.fixture(scope="module")
def shared_world(django_db_setup: None, django_db_blocker: DjangoDbBlocker,
                 tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """The world is built once for the module, in a transaction rolled back at its end; each test runs in a
    savepoint inside it (pytest-django's ``db``), so what a request changes is undone before the next test.
    Its files live in one media folder for the module."""
    media = tmp_path_factory.mktemp("access-matrix-media")
    with override_settings(MEDIA_ROOT=media, PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]), \
            django_db_blocker.unblock(), transaction.atomic():
        yield {**build_world(create_user), "media_root": media}
        transaction.set_rollback(True)


@pytest.fixture
def world(db: None, shared_world: dict[str, Any], settings: Settings) -> dict[str, Any]:
    settings.MEDIA_ROOT = shared_world["media_root"]
    return shared_world


def build_world(make_user: Any) -> dict[str, Any]:
    org_a = OrganisationFactory.create(name="Association A")
    org_b = OrganisationFactory.create(name="Association B")
    people = {"anonymous": None, "registered": make_user()}
    people["partner_member"] = make_user("partner_member", organisation=org_a)
    people["partner_admin"] = make_user("partner_admin", organisation=org_a)
    people["partner_admin_b"] = make_user("partner_admin", organisation=org_b)
    for role in STAFF:
        people[role] = make_user(role)
    extra_member = MembershipFactory.create(organisation=org_a, role="partner_member")
    contact = ContactFactory.create(organisation=org_a)
    document = OrganisationDocument.objects.create(
        organisation=org_a, kind="statutes", content_type="application/pdf", size=9,
        file=SimpleUploadedFile("statuts.pdf", b"%PDF-1.4\n"),
    )
    world = {"org_a": org_a, "org_b": org_b, "people": people, "membership": extra_member, "contact": contact,
             "document": document}
    from subsidia.conventions.tests.access_world import add_conventions
    from subsidia.dialogue.tests.access_world import add_dialogue
    from subsidia.events.tests.access_world import add_events
    from subsidia.events.tests.access_world_staff import add_event_staff
    from subsidia.grants.tests.access_world import add_grants
    from subsidia.knowledge.tests.access_world import add_knowledge
    from subsidia.moderation.tests.access_world import add_moderation

    add_grants(world)
    add_conventions(world)
    add_dialogue(world)
    add_events(world)
    add_event_staff(world)
    add_knowledge(world)
    add_moderation(world)
    return world


def page_kwargs(name: str, world: dict[str, Any]) -> dict[str, Any]:
    kwargs = PAGES[name].kwargs
    if kwargs is not None:
        return kwargs(world)
    org = world["org_a"].pk
    return {
        "directory:directory_entry": {"pk": org},
        "organisations:detail": {"pk": org},
        "organisations:edit": {"pk": org},
        "organisations:verify": {"pk": org},
        "organisations:member_invite": {"pk": org},
        "organisations:member_remove": {"pk": org, "membership_pk": world["membership"].pk},
        "organisations:contact_add": {"pk": org},
        "organisations:contact_edit": {"pk": org, "contact_pk": world["contact"].pk},
        "organisations:service_add": {"pk": org},
        "organisations:document_add": {"pk": org},
        "organisations:document_download": {"pk": org, "document_pk": world["document"].pk},
        "accounts:password_reset_confirm": {"uidb64": "MQ", "token": "not-a-token"},
    }.get(name, {})


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("name", sorted(PAGES))
def test_page_access(name: str, persona: str, world: dict[str, Any], client: Client) -> None:
    row = PAGES[name]
    user = world["people"][persona]
    if user is not None:
        sign_in(client, user)
    url = reverse(name, kwargs=page_kwargs(name, world))
    data = row.data({"persona": persona, **world}) if row.data else {}
    response = client.post(url, data) if row.method == "POST" else client.get(url)
    assert response.status_code == row.expected(persona), (
        f"{row.method} {url} as {persona}: {response.status_code}, expected {row.expected(persona)}"
    )
    if persona == "anonymous" and response.status_code == 302 and row.expected(persona) == row.anonymous \
            and persona not in row.allowed:
        assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("operation", sorted(API), ids=lambda op: f"{op[0]} {op[1]}")
def test_api_access(operation: tuple[str, str], persona: str, world: dict[str, Any], client: Client) -> None:
    method, path = operation
    row = API[operation]
    user = world["people"][persona]
    headers = {}
    if user is not None:
        headers["Authorization"] = f"Bearer {issue_api_token(None, user)}"
    ids = row.kwargs(world) if row.kwargs else {"organisation_id": world["org_a"].pk}
    url = "/api/v1" + path.format(**ids)
    data = row.data({"persona": persona, **world}) if row.data else None
    if isinstance(data, dict) and any(isinstance(v, SimpleUploadedFile) for v in data.values()):
        response = client.post(url, data, headers=headers)  # multipart, e.g. a document upload
    else:
        response = client.generic(method, url, data=None if data is None else json.dumps(data),
                                  content_type="application/json", headers=headers)
    assert response.status_code == row.expected(persona), (
        f"{method} {url} as {persona}: {response.status_code} {response.content[:300]!r}"
    )
    if response.status_code >= 400:
        body = response.json()
        assert body["errors"] and {"code", "message", "field"} <= set(body["errors"][0])


@pytest.mark.parametrize("persona", PERSONAS)
def test_admin_is_for_technical_administrators(persona: str, world: dict[str, Any], client: Client) -> None:
    user = world["people"][persona]
    if user is not None:
        sign_in(client, user)
    for url in ["/admin/", "/admin/organisations/organisation/", "/admin/audit/auditevent/"]:
        response = client.get(url)
        expected = 200 if persona == "admin" else 302
        assert response.status_code == expected, f"{url} as {persona}: {response.status_code}"


def test_staff_without_second_factor_reach_no_page(world: dict[str, Any], client: Client) -> None:
    sign_in(client, world["people"]["officer"], second_factor=False)
    for name in ["core:staff_dashboard", "organisations:list", "core:home"]:
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert response["Location"] == reverse("accounts:two_factor_setup")
