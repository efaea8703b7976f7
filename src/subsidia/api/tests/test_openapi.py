"""The OpenAPI schema tells the truth about who may call and what may come back (api/openapi.py)."""

from __future__ import annotations

from typing import Any

from subsidia.api.api import api
from subsidia.core.access import policy_of
from subsidia.core.tests.test_access_matrix import api_operations


def _operations() -> dict[tuple[str, str], dict[str, Any]]:
    schema = api.get_openapi_schema()
    return {(method.upper(), path.removeprefix("/api/v1")): operation
            for path, operations in schema["paths"].items() for method, operation in operations.items()}


def test_public_operations_are_documented_as_open_to_anonymous_callers() -> None:
    documented = _operations()
    wrong = []
    for method, path, view in api_operations():
        security = documented[(method, path)].get("security") or []
        policy = policy_of(view)
        assert policy is not None, (method, path)
        public = not policy.login_required
        if public != ({} in security):
            wrong.append(f"{method} {path}: public={public}, security={security}")
        if not security or not any(requirement for requirement in security):
            wrong.append(f"{method} {path}: no bearer token in its security")
    assert not wrong, "\n".join(wrong)


def test_every_operation_documents_its_errors() -> None:
    missing = []
    for (method, path), operation in _operations().items():
        statuses = {str(s) for s in operation["responses"]}
        expected = {"401", "422", "503"} | ({"404"} if "{" in path else set()) \
            | ({"400", "429"} if method != "GET" else set())
        if "{}" not in str(operation.get("security")):
            expected.add("403")
        missing += [f"{method} {path}: {status}" for status in sorted(expected - statuses)]
    assert not missing, missing


def test_the_served_schema_is_the_completed_one(client: Any) -> None:
    served = client.get("/api/v1/openapi.json").json()
    assert {} in served["paths"]["/api/v1/organisations"]["get"]["security"]
    assert "422" in served["paths"]["/api/v1/organisations"]["get"]["responses"]
    assert {} not in served["paths"]["/api/v1/applications"]["get"]["security"]
