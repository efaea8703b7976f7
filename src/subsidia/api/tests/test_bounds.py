"""Bad input is the caller's mistake: 422 JSON with the structured errors, never a 500 and never HTML.

Every integer, decimal, id, string and list the API accepts is bounded (the types of api/schemas.py), and the
OpenAPI schema says so: ``test_every_input_is_bounded_in_the_schema`` walks every operation's parameters and
request body, so that a new operation with an unbounded input fails here. Anything under /api/ answers JSON:
an unknown path 404, a method the path does not serve 405, an exception 500.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client, RequestFactory

from subsidia.api.api import api
from subsidia.core.availability import server_error
from subsidia.organisations.models import Organisation

from .helpers import auth, call

pytestmark = pytest.mark.django_db

HUGE = 10**23


def _structured(response: Any, status: int, field: str | None = None) -> list[dict[str, Any]]:
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    errors = response.json()["errors"]
    assert errors and all({"code", "message", "field"} <= set(e) for e in errors)
    if field is not None:
        assert field in {e["field"] for e in errors}, errors
    return errors


@pytest.mark.parametrize("path, field", [
    ("/organisations?page=99999999999999999999999", "page"),
    ("/organisations?page_size=99999999999999", "page_size"),
    (f"/organisations/{HUGE}", "organisation_id"),
    (f"/organisations/{2**53 + 1}", "organisation_id"),
    (f"/events/{HUGE}", "event_id"),
    (f"/calls/{HUGE}", "call_id"),
    (f"/calls?year={HUGE}", "year"),
    (f"/good-practices?actor={HUGE}", "actor"),
    (f"/news/{HUGE}", "news_id"),
    ("/events?page=-1", "page"),
    (f"/search?q=foyer&page={HUGE}", "page"),
])
def test_huge_numbers_in_paths_and_queries_are_422(client: Client, path: str, field: str) -> None:
    _structured(call(client, "GET", path), 422, field)


@pytest.mark.parametrize("path", [
    f"/applications/{HUGE}", f"/conventions/{HUGE}", f"/conventions/1/reports/{HUGE}", f"/meetings/{HUGE}",
    f"/meeting-series/{HUGE}", f"/applications?call_id={HUGE}", f"/tranches?application_id={HUGE}",
    f"/conventions?organisation_id={HUGE}", "/reviews?page=99999999999999999999999",
])
def test_huge_ids_are_422_for_signed_in_callers_too(client: Client, make_user: Any, path: str) -> None:
    role = "reviewer" if path.startswith("/reviews") else "officer"
    _structured(call(client, "GET", path, headers=auth(make_user(role))), 422)


def test_huge_amounts_and_ids_in_bodies_are_422(client: Client, make_user: Any, org_a: Organisation) -> None:
    officer = auth(make_user("officer"))
    call_body = {"title": "Appel", "programme": "Intégration", "year": 2027, "budget": 1e308}
    _structured(call(client, "POST", "/calls", call_body, officer), 422, "budget")
    _structured(call(client, "POST", "/calls", {**call_body, "budget": "1e308"}, officer), 422, "budget")
    _structured(call(client, "POST", "/calls", {**call_body, "budget": "NaN"}, officer), 422, "budget")
    _structured(call(client, "POST", "/calls", {**call_body, "budget": 1000, "year": 10**30}, officer), 422, "year")
    _structured(call(client, "POST", "/applications/1/reviewers", {"reviewer_ids": [10**30]}, officer), 422,
                "reviewer_ids.0")
    _structured(call(client, "POST", "/applications/1/reviewers", {"reviewer_ids": list(range(1, 1000))}, officer),
                422, "reviewer_ids")
    partner = auth(make_user("partner_admin", organisation=org_a))
    _structured(call(client, "POST", "/applications", {"call_id": HUGE, "organisation_id": org_a.pk, "title": "P"},
                     partner), 422, "call_id")
    _structured(call(client, "PATCH", "/applications/1", {"requested_amount": 1e308}, partner), 422,
                "requested_amount")
    _structured(call(client, "POST", "/events/1/registrations",
                     {"full_name": "A", "email": "a@example.lu", "block_ranking": [HUGE]}), 422, "block_ranking.0")


@pytest.mark.parametrize("raw", ["[null, null]", "[]", '"x"', "42", "true"])
def test_a_body_that_is_not_an_object_is_422_and_changes_nothing(client: Client, make_user: Any, raw: str) -> None:
    organisation = Organisation.objects.create(name="ASTI", legal_form="asbl", acronym="ASTI")
    response = client.patch(f"/api/v1/organisations/{organisation.pk}", raw, content_type="application/json",
                            headers=auth(make_user("officer")))
    _structured(response, 422)
    organisation.refresh_from_db()
    assert organisation.acronym == "ASTI"


def test_too_long_strings_are_422(client: Client, make_user: Any, org_a: Organisation) -> None:
    officer = auth(make_user("officer"))
    _structured(call(client, "PATCH", f"/organisations/{org_a.pk}", {"description": "x" * 100_000}, officer), 422,
                "description")
    _structured(call(client, "PATCH", f"/organisations/{org_a.pk}", {"themes": ["x" * 500]}, officer), 422)


@pytest.mark.parametrize("path", ["/api/v1/nowhere", "/api/v1/organisations/1/nothing", "/api/", "/api/v2/x"])
def test_unknown_api_paths_answer_json_404(client: Client, path: str) -> None:
    errors = _structured(client.get(path), 404)
    assert errors[0]["code"] == "not_found"


def test_pages_elsewhere_keep_the_html_404(client: Client) -> None:
    response = client.get("/nulle-part/")
    assert response.status_code == 404 and response["Content-Type"].startswith("text/html")


def test_a_method_the_path_does_not_serve_answers_json_405(client: Client) -> None:
    response = client.delete("/api/v1/organisations")
    errors = _structured(response, 405)
    assert errors[0]["code"] == "method_not_allowed"
    assert set(response["Allow"].split(", ")) == {"GET", "POST"}


def test_an_exception_in_a_view_answers_json_500(client: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("boom")

    monkeypatch.setattr("subsidia.organisations.selectors.organisations_readable_by", broken)
    errors = _structured(client.get("/api/v1/organisations"), 500)
    assert errors[0]["code"] == "server_error" and "boom" not in str(errors)


def test_an_exception_outside_the_views_answers_json_500_under_api() -> None:
    """``handler500``, for an exception in a middleware: JSON under /api/, the plain page elsewhere."""
    factory = RequestFactory()
    response = server_error(factory.get("/api/v1/organisations"))
    assert response.status_code == 500 and response["Content-Type"].startswith("application/json")
    assert json.loads(response.content)["errors"][0]["code"] == "server_error"
    assert server_error(factory.get("/annuaire/"))["Content-Type"].startswith("text/html")


# --- the OpenAPI schema states every bound -----------------------------------------------------------------


def _resolve(schema: dict[str, Any], components: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = components[schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def _unbounded(schema: dict[str, Any], components: dict[str, Any], where: str, seen: set[str]) -> list[str]:
    """The places in ``schema`` where a value has no bound: an integer or number without minimum and maximum,
    a string without maxLength (dates, enums and booleans are bounded by their type), a list without
    maxItems, a mapping without maxProperties."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        if name in seen:
            return []
        return _unbounded(components[name], components, where, seen | {name})
    problems = []
    for key in ("anyOf", "oneOf", "allOf"):
        for option in schema.get(key, []):
            problems += _unbounded(option, components, where, seen)
    return problems + _unbounded_scalar(schema, where) + _unbounded_children(schema, components, where, seen)


def _unbounded_scalar(schema: dict[str, Any], where: str) -> list[str]:
    kind = schema.get("type")
    if kind in ("integer", "number") and not ({"minimum", "maximum"} <= set(schema) or "enum" in schema):
        return [f"{where}: {kind} without minimum and maximum"]
    if kind == "string" and not ({"maxLength", "enum", "const", "format"} & set(schema)):
        return [f"{where}: string without maxLength"]
    return []


def _unbounded_children(schema: dict[str, Any], components: dict[str, Any], where: str, seen: set[str]) -> list[str]:
    problems = []
    if schema.get("type") == "array":
        if "maxItems" not in schema:
            problems.append(f"{where}: array without maxItems")
        problems += _unbounded(schema.get("items", {}), components, f"{where}[]", seen)
    if schema.get("type") == "object" or "properties" in schema:
        for name, child in schema.get("properties", {}).items():
            problems += _unbounded(child, components, f"{where}.{name}", seen)
        extra = schema.get("additionalProperties")
        if isinstance(extra, dict):
            if "maxProperties" not in schema:
                problems.append(f"{where}: mapping without maxProperties")
            problems += _unbounded(extra, components, f"{where}{{}}", seen)
    return problems


def test_every_input_is_bounded_in_the_schema() -> None:
    schema = api.get_openapi_schema()
    components = schema["components"]["schemas"]
    problems = []
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            where = f"{method.upper()} {path}"
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "header":
                    continue  # headers are bounded by the server (If-Match is compared, never stored)
                problems += _unbounded(parameter["schema"], components, f"{where} {parameter['name']}", set())
            for media in operation.get("requestBody", {}).get("content", {}).values():
                body = _resolve(media["schema"], components)
                for name, child in body.get("properties", {}).items():
                    if child.get("format") == "binary":
                        continue  # an upload, bounded by UPLOAD_MAX_BYTES
                    problems += _unbounded(child, components, f"{where} body.{name}", set())
    assert not problems, "Bound these inputs with the types of api/schemas.py:\n" + "\n".join(problems)


@pytest.mark.parametrize("path", ["/organisations?municipality=%00", "/organisations?q=a%00b", "/search?q=foyer%00",
                                  "/events?theme=%00", "/good-practices?theme=x%00"])
def test_a_nul_character_in_a_query_is_422(client: Client, path: str) -> None:
    """PostgreSQL refuses NUL in text: the query would fail (a 500, and the transaction lost), not answer."""
    _structured(call(client, "GET", path), 422)


def test_a_nul_character_in_a_body_is_422(client: Client, make_user: Any, org_a: Organisation) -> None:
    officer = auth(make_user("officer"))
    _structured(call(client, "PATCH", f"/organisations/{org_a.pk}", {"acronym": "A\x00"}, officer), 422)
    _structured(call(client, "POST", "/calls", {"title": "T", "programme": "P", "year": 2027, "budget": 1,
                                                "priorities": ["\x00"]}, officer), 422)
    _structured(call(client, "POST", "/events/1/registrations", {"full_name": "A\x00", "email": "a@example.lu"}),
                422)
