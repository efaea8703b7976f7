"""Helpers shared by the API tests: a bearer token header, a JSON request, the codes and fields of errors, the
``If-Match`` of a conditional write."""

from __future__ import annotations

import json
from typing import Any

from django.test import Client

from subsidia.accounts.services import issue_api_token


def auth(user: Any) -> dict[str, str]:
    return {"Authorization": f"Bearer {issue_api_token(None, user)}"}


def call(client: Client, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None) -> Any:
    data = json.dumps(body) if body is not None else ""
    return client.generic(method, f"/api/v1{path}", data=data, content_type="application/json",
                          headers=headers or {})


def codes(response: Any) -> list[str]:
    return [e["code"] for e in response.json()["errors"]]


def fields(response: Any) -> set[str | None]:
    return {e["field"] for e in response.json()["errors"]}


def if_match(client: Client, path: str, headers: dict[str, str] | None = None) -> dict[str, str]:
    """``headers`` with ``If-Match``: the ETag of the resource at ``path`` as the caller reads it now."""
    response = client.get(f"/api/v1{path}", headers=headers or {})
    assert response.status_code == 200 and response.has_header("ETag"), (path, response.status_code)
    return {**(headers or {}), "If-Match": response["ETag"]}
