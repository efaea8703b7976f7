import json
from collections.abc import Callable

import pytest
from django.test import Client

from subsidia.accounts.models import User
from subsidia.accounts.services import issue_api_token
from subsidia.audit.models import AuditEvent
from subsidia.conftest import ClientResponse, sign_in
from subsidia.organisations.models import Organisation
from subsidia.organisations.tests.factories import (
    ContactFactory,
    MunicipalityFactory,
    OrganisationFactory,
    ThemeFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer_headers(make_user: Callable[..., User]) -> dict[str, str]:
    return {"Authorization": f"Bearer {issue_api_token(None, make_user('officer'))}"}


def call(client: Client, method: str, path: str, body: object = None, headers: dict[str, str] | None = None,
         raw: str | None = None) -> ClientResponse:
    data = raw if raw is not None else (json.dumps(body) if body is not None else None)
    return client.generic(method, f"/api/v1{path}", data=data, content_type="application/json",
                          headers=headers or {})


def test_create_answers_the_object_with_its_id(client: Client, officer_headers: dict[str, str]) -> None:
    ThemeFactory.create(code="integration")
    MunicipalityFactory.create(name="Mersch")
    response = call(client, "POST", "/organisations", {
        "name": "CLAE", "acronym": "CLAE", "legal_form": "asbl", "register_number": "F1234",
        "themes": ["integration"], "address": "26, rue de Gasperich", "municipality": "Mersch",
        "website": "https://www.clae.lu", "email": "clae@example.lu",
    }, officer_headers)
    assert response.status_code == 201, response.content
    body = response.json()
    organisation = Organisation.objects.get(pk=body["id"])
    assert body["themes"] == ["integration"] and body["municipality"] == "Mersch"
    assert organisation.street == "26, rue de Gasperich" and organisation.register_number == "F1234"
    assert AuditEvent.objects.filter(action="organisation.create", object_id=str(organisation.pk)).exists()


def test_patch_changes_only_the_given_fields(client: Client, officer_headers: dict[str, str]) -> None:
    organisation = OrganisationFactory.create(name="ASTI", acronym="", website="https://asti.lu")
    response = call(client, "PATCH", f"/organisations/{organisation.pk}", {"acronym": "ASTI"}, officer_headers)
    assert response.status_code == 200
    organisation.refresh_from_db()
    assert organisation.acronym == "ASTI" and organisation.website == "https://asti.lu"


@pytest.mark.parametrize("body, code, field", [
    ({"name": "X", "legal_form": "cooperative"}, "invalid", "legal_form"),
    ({"legal_form": "asbl"}, "required", "name"),
    ({"name": "X", "legal_form": "asbl", "themes": ["astrology"]}, "unknown_theme", "themes"),
    ({"name": "X", "legal_form": "asbl", "municipality": "Atlantis"}, "unknown_municipality", "municipality"),
    ({"name": "X", "legal_form": "asbl", "website": "not a url"}, "invalid", "website"),
    ({"name": "X", "legal_form": "asbl", "name_typo": 1, "email": "nope"}, "invalid", "email"),
])
def test_bad_input_gets_a_structured_422_and_nothing_is_written(client: Client, officer_headers: dict[str, str],
                                                                body: dict[str, object], code: str,
                                                                field: str) -> None:
    response = call(client, "POST", "/organisations", body, officer_headers)
    assert response.status_code == 422, response.content
    errors = response.json()["errors"]
    assert {"code": code, "field": field} in [{"code": e["code"], "field": e["field"]} for e in errors], errors
    assert not Organisation.objects.exists()


def test_duplicate_name_is_a_422(client: Client, officer_headers: dict[str, str]) -> None:
    OrganisationFactory.create(name="ASTI")
    response = call(client, "POST", "/organisations", {"name": "asti", "legal_form": "asbl"}, officer_headers)
    assert response.status_code == 422
    assert response.json()["errors"][0]["code"] == "duplicate"


@pytest.mark.parametrize("raw", ["{not json", "[]", '"a string"', ""])
def test_malformed_json_is_a_4xx_with_errors_never_a_500(client: Client, officer_headers: dict[str, str],
                                                         raw: str) -> None:
    response = call(client, "POST", "/organisations", headers=officer_headers, raw=raw)
    assert 400 <= response.status_code < 500
    assert response.json()["errors"]


def test_unknown_organisation_is_404(client: Client, officer_headers: dict[str, str]) -> None:
    response = call(client, "GET", "/organisations/999999", headers=officer_headers)
    assert response.status_code == 404
    assert response.json() == {"errors": [{"code": "not_found", "message": "Ressource introuvable.", "field": None}]}


def test_the_public_sees_the_directory_and_public_contacts_only(client: Client) -> None:
    listed = OrganisationFactory.create(name="Listed")
    ContactFactory.create(organisation=listed, name="Public", is_public=True)
    ContactFactory.create(organisation=listed, name="Private", is_public=False)
    unlisted = OrganisationFactory.create(name="Unlisted", listed_in_directory=False)
    response = call(client, "GET", "/organisations")
    assert [o["name"] for o in response.json()["items"]] == ["Listed"]
    assert [c["name"] for c in response.json()["items"][0]["contacts"]] == ["Public"]
    assert call(client, "GET", f"/organisations/{unlisted.pk}").status_code == 404


def test_staff_see_every_organisation_and_contact(client: Client, officer_headers: dict[str, str]) -> None:
    listed = OrganisationFactory.create(name="Listed")
    ContactFactory.create(organisation=listed, name="Private", is_public=False)
    OrganisationFactory.create(name="Unlisted", listed_in_directory=False)
    items = call(client, "GET", "/organisations", headers=officer_headers).json()["items"]
    assert [o["name"] for o in items] == ["Listed", "Unlisted"]
    assert items[0]["contacts"][0]["name"] == "Private"


def test_list_is_paginated_and_filterable(client: Client) -> None:
    theme = ThemeFactory.create(code="integration")
    for n in range(55):
        organisation = OrganisationFactory.create(name=f"Org {n:02d}", legal_form="fondation" if n % 5 == 0 else "asbl")
        if n < 3:
            organisation.themes.add(theme)
    first = call(client, "GET", "/organisations").json()
    assert first["count"] == 55 and len(first["items"]) == 50
    second = call(client, "GET", "/organisations?page=2").json()
    assert len(second["items"]) == 5
    assert call(client, "GET", "/organisations?legal_form=fondation").json()["count"] == 11
    assert call(client, "GET", "/organisations?theme=integration").json()["count"] == 3
    assert call(client, "GET", "/organisations?q=Org%2001").json()["count"] == 1


def test_a_bad_token_is_401_not_anonymous(client: Client) -> None:
    response = call(client, "GET", "/organisations", headers={"Authorization": "Bearer sbs_forged"})
    assert response.status_code == 401
    assert response.json()["errors"][0]["code"] == "invalid_token"
    response = call(client, "GET", "/organisations", headers={"Authorization": "Basic abc"})
    assert response.status_code == 401


def test_session_auth_needs_csrf_for_writes(make_user: Callable[..., User]) -> None:
    client = Client(enforce_csrf_checks=True)
    sign_in(client, make_user("officer"))
    response = call(client, "POST", "/organisations", {"name": "X", "legal_form": "asbl"})
    assert response.status_code == 403
    assert response.json()["errors"][0]["code"] == "csrf_failed"
    client.get("/")  # sets the CSRF cookie
    token = client.cookies["csrftoken"].value
    response = call(client, "POST", "/organisations", {"name": "X", "legal_form": "asbl"},
                    headers={"X-CSRFToken": token})
    assert response.status_code == 201


def test_staff_session_without_second_factor_is_refused(client: Client, make_user: Callable[..., User]) -> None:
    sign_in(client, make_user("officer"), second_factor=False)
    response = call(client, "GET", "/organisations")
    assert response.status_code == 401
    assert response.json()["errors"][0]["code"] == "two_factor_required"


def test_openapi_schema_and_docs_are_served(client: Client) -> None:
    schema = client.get("/api/v1/openapi.json").json()
    assert {"/api/v1/organisations", "/api/v1/organisations/{organisation_id}"} <= set(schema["paths"])
    assert "post" in schema["paths"]["/api/v1/organisations"]
    assert client.get("/api/v1/docs").status_code == 200
