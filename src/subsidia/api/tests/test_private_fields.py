"""The access matrix, down to the fields: no API answer shows a value its caller may not see.

The world of the access matrix (core/tests/test_access_matrix.py) is seeded with marker strings in every
private field: non-public services and contacts of organisations A and B (name, phone, e-mail, function,
capacity), an organisation not in the public directory (its name, address, e-mail, phone, register number,
even its "public" contacts and services), an organisation's document and members, the personal data of an
event's registrant, a reviewer's comment and conflict note, an approval awaiting its second approver, the
minutes of a meeting not yet published, a convention's internal notes. Each marker names the personas who may
read it, as the pages decide (:data:`MARKERS`).

Every GET operation of the API (read from the ninja API object, so that a new operation is covered without
touching this file) is requested by each of the 12 personas of the matrix, with the path ids of the matrix's
tables, of every marked object whose kind the parameter names, and of every item its list operation answered
that persona; required query parameters are filled from the OpenAPI schema. No answer may contain a marker its
persona may not see.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone
from pytest_django import DjangoDbBlocker

from subsidia.accounts.services import issue_api_token
from subsidia.api.api import api
from subsidia.conftest import create_user
from subsidia.core.tests.access import PERSONAS
from subsidia.core.tests.test_access_matrix import API, api_operations, build_world
from subsidia.events.models import RegistrationStatus
from subsidia.events.tests.factories import RegistrationFactory
from subsidia.grants.models import Decision, Review, State
from subsidia.grants.tests.factories import ApplicationFactory
from subsidia.organisations import selectors
from subsidia.organisations.models import Contact, OrganisationDocument, Service
from subsidia.organisations.tests.factories import MembershipFactory, OrganisationFactory

# Who reads every organisation's full record (accounts.roles.ALL_ORGANISATIONS_ROLES), and A's and B's partners.
STAFF_READERS = frozenset({"officer", "approver", "finance", "auditor", "admin"})
ORG_A = frozenset({"partner_member", "partner_admin"})
ORG_B = frozenset({"partner_admin_b"})

MARKER_PREFIX = "private-marker-"


@dataclass(frozen=True)
class Marker:
    value: str
    allowed: frozenset[str]
    what: str


MARKERS: list[Marker] = []


def _marker(what: str, allowed: frozenset[str], value: str | None = None, max_length: int = 200) -> str:
    text = (value or MARKER_PREFIX + re.sub(r"[^a-z0-9]+", "-", what.lower()).strip("-"))[:max_length]
    MARKERS.append(Marker(text, frozenset(allowed), what))
    return text


def _capacity(what: str, allowed: frozenset[str], number: int) -> int:
    _marker(what, allowed, str(number))
    return number


def _email(what: str, allowed: frozenset[str]) -> str:
    return _marker(what, allowed, MARKER_PREFIX + re.sub(r"[^a-z0-9]+", "-", what.lower()).strip("-")
                   + "@example.lu")


def add_private_markers(world: dict[str, Any]) -> None:
    """Private values in every private field of the world; :data:`MARKERS` says who may read each."""
    MARKERS.clear()
    people = world["people"]
    # Organisations A and B: a non-public service (a shelter and its capacity) and an internal contact each.
    for key, partners in (("org_a", ORG_A), ("org_b", ORG_B)):
        org = world[key]
        readers = STAFF_READERS | partners
        Service.objects.create(
            organisation=org, kind="shelter", is_public=False,
            name=_marker(f"{key} hidden service name", readers),
            phone=_marker(f"{key} hidden service phone", readers, max_length=40),
            capacity=_capacity(f"{key} hidden service capacity", readers, 7_310_001 if key == "org_a" else 7_310_002))
        Contact.objects.create(
            organisation=org, is_public=False, name=_marker(f"{key} internal contact name", readers),
            function=_marker(f"{key} internal contact function", readers),
            email=_email(f"{key} internal contact email", readers),
            phone=_marker(f"{key} internal contact phone", readers, max_length=40))
        OrganisationDocument.objects.create(
            organisation=org, kind="statutes", content_type="application/pdf", size=9,
            title=_marker(f"{key} document title", readers), file=SimpleUploadedFile("statuts.pdf", b"%PDF-1.4\n"))
        member = MembershipFactory.create(organisation=org, role="partner_member").user
        member.email = _email(f"{key} member email", readers)
        member.save(update_fields=["email"])
    # An organisation not in the public directory: everything of it is for the ministry's readers only.
    hidden = OrganisationFactory.create(
        listed_in_directory=False, name=_marker("hidden organisation name", STAFF_READERS),
        acronym="", street=_marker("hidden organisation street", STAFF_READERS),
        email=_email("hidden organisation email", STAFF_READERS),
        phone=_marker("hidden organisation phone", STAFF_READERS, max_length=40),
        register_number=_marker("hidden rcs", STAFF_READERS))
    Service.objects.create(organisation=hidden, kind="shelter", is_public=True,
                           name=_marker("hidden organisation public service", STAFF_READERS),
                           capacity=_capacity("hidden organisation capacity", STAFF_READERS, 7_310_003))
    Contact.objects.create(organisation=hidden, is_public=True,
                           name=_marker("hidden organisation public contact", STAFF_READERS),
                           email=_email("hidden organisation contact email", STAFF_READERS))
    world["org_hidden"] = hidden
    # An event's registrant: their personal data is for the events' officers.
    event_staff = frozenset({"officer"})
    RegistrationFactory.create(
        event=world["event"], status=RegistrationStatus.CONFIRMED,
        full_name=_marker("registrant name", event_staff), email=_email("registrant email", event_staff),
        organisation_name=_marker("registrant organisation", event_staff),
        accessibility_needs=_marker("registrant accessibility needs", event_staff))
    # A reviewer's confidential opinion: the reviewer and the ministry's staff.
    review_readers = STAFF_READERS | {"reviewer"}
    Review.objects.filter(pk=world["review"].pk).update(
        comment=_marker("review comment", review_readers),
        conflict_note=_marker("review conflict note", review_readers))
    # An approval above the four-eyes threshold awaiting its second approver: staff readers only, until final.
    pending = ApplicationFactory.create(call=world["call"], organisation=world["org_a"], state=State.UNDER_REVIEW,
                                        first_submitted_on=timezone.localdate(), requested_amount=Decimal(60000))
    Decision.objects.create(application=pending, outcome="approved", granted_amount=Decimal(60000),
                            decided_by=people["approver"], motivation=_marker("pending motivation", STAFF_READERS),
                            conditions=_marker("pending conditions", STAFF_READERS))
    world["app_pending_decision"] = pending
    # Minutes of a meeting not yet published: the ministry's readers of every series (the officer manages).
    world["meeting"].__class__.objects.filter(pk=world["meeting"].pk).update(
        minutes=_marker("unpublished minutes", STAFF_READERS))
    # A convention's internal notes.
    world["convention"].__class__.objects.filter(pk=world["convention"].pk).update(
        notes=_marker("convention notes", STAFF_READERS))


@pytest.fixture(scope="module")
def marked_world(django_db_setup: None, django_db_blocker: DjangoDbBlocker,
                 tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    media = tmp_path_factory.mktemp("private-fields-media")
    with override_settings(MEDIA_ROOT=media, PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]), \
            django_db_blocker.unblock(), transaction.atomic():
        world = build_world(create_user)
        add_private_markers(world)
        world["tokens"] = {p: issue_api_token(None, u) for p, u in world["people"].items() if u is not None}
        yield world
        transaction.set_rollback(True)


# Path parameters naming a kind of marked object: every such object is asked for by its id.
MARKED_IDS = {
    "organisation_id": lambda w: [w["org_a"].pk, w["org_b"].pk, w["org_hidden"].pk],
    "application_id": lambda w: [w["app_pending_decision"].pk, w["app_under_review"].pk],
    "event_id": lambda w: [w["event"].pk],
    "meeting_id": lambda w: [w["meeting"].pk],
    "convention_id": lambda w: [w["convention"].pk],
}


def _get_operations() -> list[str]:
    return sorted({path for method, path, _f in api_operations() if method == "GET"})


@functools.cache
def _openapi() -> dict[str, Any]:
    return dict(api.get_openapi_schema())


def _required_query(path: str) -> dict[str, Any]:
    """Values for the required query parameters of an operation, from the OpenAPI schema."""
    schema = _openapi()
    operation = schema["paths"].get("/api/v1" + path, {}).get("get", {})
    values: dict[str, Any] = {}
    for parameter in operation.get("parameters", []):
        if parameter.get("in") == "query" and parameter.get("required"):
            kind = parameter.get("schema", {}).get("type")
            values[parameter["name"]] = 1 if kind == "integer" else "private marker"
    return values


def _params(path: str) -> list[str]:
    return re.findall(r"{(\w+)}", path)


def _list_path_of(path: str) -> str | None:
    """``/things/{thing_id}`` is read from the ids answered by ``/things``."""
    match = re.fullmatch(r"(.*)/{\w+}", path)
    return match.group(1) if match else None


def _items(body: Any) -> list[Any]:
    if isinstance(body, dict) and isinstance(body.get("items"), list):
        return body["items"]
    return body if isinstance(body, list) else []


def _path_kwargs(path: str, world: dict[str, Any], listed: dict[str, list[int]]) -> list[dict[str, Any]]:
    params = _params(path)
    if not params:
        return [{}]
    candidates: list[dict[str, Any]] = []
    row = API.get(("GET", path))
    if row is not None:
        candidates.append(row.kwargs(world) if row.kwargs else {"organisation_id": world["org_a"].pk})
    if len(params) == 1:
        (param,) = params
        ids = list(MARKED_IDS.get(param, lambda w: [])(world))
        parent = _list_path_of(path)
        ids += listed.get(parent or "", [])
        candidates += [{param: pk} for pk in dict.fromkeys(ids)]
    return [c for c in candidates if set(c) >= set(params)]


def _leaks(text: str, persona: str) -> list[str]:
    lowered = text.lower()
    return [f"{m.what} ({m.value})" for m in MARKERS if persona not in m.allowed and m.value.lower() in lowered]


def _seen(text: str) -> set[str]:
    lowered = text.lower()
    return {m.what for m in MARKERS if m.value.lower() in lowered}


def test_every_get_operation_is_walked() -> None:
    operations = _get_operations()
    assert "/organisations" in operations and "/organisations/{organisation_id}" in operations
    assert len(operations) >= 20, operations


@pytest.mark.parametrize("persona", PERSONAS)
def test_no_answer_shows_a_private_value_to_a_persona_who_may_not_see_it(
        persona: str, marked_world: dict[str, Any], db: Any, client: Client) -> None:
    world = marked_world
    headers = {"Authorization": f"Bearer {world['tokens'][persona]}"} if persona in world["tokens"] else {}
    leaks: list[str] = []
    seen: set[str] = set()
    listed: dict[str, list[int]] = {}
    # Lists first (no path parameter), so that their items' ids are read back by the detail operations.
    for path in sorted(_get_operations(), key=lambda p: (len(_params(p)), p)):
        for kwargs in _path_kwargs(path, world, listed):
            url = "/api/v1" + path.format(**kwargs)
            response = client.get(url, _required_query(path), headers=headers)
            assert response.status_code < 500, f"GET {url} as {persona}: {response.status_code}"
            text = response.content.decode()
            leaks += [f"GET {url}: {leak}" for leak in _leaks(text, persona)]
            seen |= _seen(text)
            if response.status_code == 200 and not _params(path):
                listed[path] = [i["id"] for i in _items(response.json()) if isinstance(i, dict) and "id" in i]
    assert not leaks, f"{persona} may not see:\n" + "\n".join(leaks)
    # The markers are where they should be: the test would pass vacuously if no answer could show them.
    expected = {
        "officer": {"org_a hidden service name", "org_a internal contact email", "hidden organisation name",
                    "org_b hidden service capacity", "pending motivation", "unpublished minutes"},
        "partner_member": {"org_a hidden service name", "org_a hidden service capacity",
                           "org_a internal contact email"},
        "partner_admin_b": {"org_b hidden service name", "org_b internal contact phone"},
        "reviewer": {"review comment"},
    }.get(persona, set())
    assert expected <= seen, f"{persona} should see {expected - seen}"


def test_the_directory_page_and_the_api_show_the_same_organisations(marked_world: dict[str, Any], db: Any,
                                                                   client: Client) -> None:
    """One selector for both: what the public directory lists is what the API answers anonymous callers."""
    page = client.get(reverse("directory:directory")).content.decode()
    answer = client.get("/api/v1/organisations").json()
    listed = set(selectors.directory().values_list("name", flat=True))
    assert {o["name"] for o in answer["items"]} == listed
    assert world_hidden_name(marked_world) not in listed
    assert not _leaks(page, "anonymous")
    entry = client.get(reverse("directory:directory_entry", kwargs={"pk": marked_world["org_a"].pk})).content.decode()
    detail = client.get(f"/api/v1/organisations/{marked_world['org_a'].pk}").content.decode()
    assert not _leaks(entry, "anonymous") and not _leaks(detail, "anonymous")


def world_hidden_name(world: dict[str, Any]) -> str:
    return str(world["org_hidden"].name)
