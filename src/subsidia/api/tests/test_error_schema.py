"""The API's error schema lists every error code, and a code is one of them: one spelling, discoverable."""

from __future__ import annotations

import pytest
from django.test import Client

from subsidia.core.errors import Code, all_codes


def _error_codes_in_schema(client: Client) -> list[str]:
    schema = client.get("/api/v1/openapi.json").json()
    enum: list[str] = schema["components"]["schemas"]["ErrorItem"]["properties"]["code"]["enum"]
    return enum


def test_the_schema_lists_every_registered_code(client: Client) -> None:
    listed = _error_codes_in_schema(client)
    assert listed == all_codes()
    assert {code.value for code in Code} <= set(listed)


@pytest.mark.django_db
def test_an_error_answered_by_the_api_carries_a_listed_code(client: Client) -> None:
    listed = set(_error_codes_in_schema(client))
    answers = [client.get("/api/v1/no-such-thing"), client.get("/api/v1/applications"),
               client.get("/api/v1/applications", HTTP_AUTHORIZATION="Bearer not-a-token"),
               client.get("/api/v1/applications", HTTP_AUTHORIZATION="Basic abc")]
    codes = {error["code"] for response in answers for error in response.json()["errors"]}
    assert codes == {"not_found", "authentication_required", "invalid_token", "invalid_authorization"}
    assert codes <= listed
