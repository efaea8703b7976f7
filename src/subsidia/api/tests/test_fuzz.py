"""Schemathesis over /api/v1/openapi.json, in process (the Django WSGI app), as an officer, a partner and the public.

For every operation of the schema, Hypothesis generates requests from the schema (a few examples each, derandomized
so that a run is reproducible) against the access matrix's world (organisations A and B, calls and applications
in every state, conventions, meetings, events, the knowledge base). Each request is sent by the three callers and
every answer must be: no server error, a status code the operation documents, the documented content type and a
body that conforms to the documented schema.

Marked ``fuzz``: run apart with ``pytest -m fuzz src/subsidia/api/tests/test_fuzz.py`` (``FUZZ_EXAMPLES``
examples per operation, 5 by default).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from django.test import override_settings
from hypothesis import HealthCheck, Phase, settings
from pytest_django import DjangoDbBlocker
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from subsidia.accounts.services import issue_api_token
from subsidia.conftest import create_user
from subsidia.core.tests.test_access_matrix import build_world
from subsidia.wsgi import application

pytestmark = pytest.mark.fuzz

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "5"))
CALLERS = ("officer", "partner_admin", "anonymous")
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)


@pytest.fixture(scope="module")
def keep_the_connection() -> Iterator[None]:
    """The WSGI app is called directly, so Django's request signals close "old" connections after each request, and
    inside the test's transaction a PostgreSQL connection counts as old (its autocommit is off): as Django's test
    client does, the signals leave the connection alone while the fuzzing runs."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture(scope="module")
def fuzz_world(keep_the_connection: None, django_db_setup: None, django_db_blocker: DjangoDbBlocker,
               tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    hashers = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("fuzz-media"), PASSWORD_HASHERS=hashers,
                           RATE_LIMITS_ENABLED=False, RATELIMIT_ENABLE=False), \
            django_db_blocker.unblock(), transaction.atomic():
        world = build_world(create_user)
        world["headers"] = {
            persona: {"Authorization": f"Bearer {issue_api_token(None, world['people'][persona])}"}
            for persona in CALLERS if persona != "anonymous"} | {"anonymous": {}}
        yield world
        transaction.set_rollback(True)


@pytest.fixture
def callers(fuzz_world: dict[str, Any], db: Any, settings: Any) -> dict[str, dict[str, str]]:
    settings.RATE_LIMITS_ENABLED = False
    settings.RATELIMIT_ENABLE = False
    return fuzz_world["headers"]


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
          phases=[Phase.explicit, Phase.generate],
          suppress_health_check=list(HealthCheck))
def test_the_api_keeps_to_its_schema(case: Any, callers: dict[str, dict[str, str]]) -> None:
    for persona in CALLERS:
        case.call_and_validate(headers=callers[persona], checks=CHECKS)
