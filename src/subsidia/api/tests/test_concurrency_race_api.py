"""Lost updates, with real concurrency: two threads write the same resource at the same moment with the same
ETag, both past the ETag check before either reaches the database, and the service's row lock lets exactly
one through; the other gets 412. PostgreSQL only (SQLite has no row locks; its writers are serialised by the
database lock). A module of its own: the world is committed here, not built in a transaction kept open for
the module as in ``test_concurrency_api.py``."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from subsidia.accounts.services import issue_api_token
from subsidia.api import concurrency
from subsidia.conftest import create_user
from subsidia.core.tests.test_access_matrix import API, build_world

from .test_concurrency_api import (
    ACTION_ITEM,
    APPLICATION,
    CONDITIONAL_WRITES,
    PREFIX,
    REPORT,
    _body,
    _row_of,
    _send,
    _tag,
    _writer,
)

RACES = [("PATCH", "/calls/{call_id}"), ("PATCH", APPLICATION), ("POST", f"{APPLICATION}/submit"),
         ("PUT", REPORT), ("PATCH", ACTION_ITEM)]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL (SQLite has none)")
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("operation", RACES, ids=lambda op: f"{op[0]} {op[1]}")
def test_two_concurrent_writers_with_the_same_etag_exactly_one_succeeds(
        operation: tuple[str, str], monkeypatch: pytest.MonkeyPatch, settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path
    world = build_world(create_user)
    method, path = operation
    reader, model = CONDITIONAL_WRITES[operation]
    row = API[operation]
    ids = row.kwargs(world) if row.kwargs else {}
    persona = _writer(row)
    token = {"Authorization": f"Bearer {issue_api_token(None, world['people'][persona])}"}
    body = _body(row, world, persona)
    url = PREFIX + path.format(**ids)
    read = Client().get(PREFIX + reader.format(**ids), headers=token)
    pk, etag = read.json()["id"], read["ETag"]
    version = _row_of(model, pk)["version"]

    # Both writers pass the ETag check before either reaches the service and its lock.
    barrier = threading.Barrier(2, timeout=20)
    original = concurrency.check_version

    def check_then_wait(obj: Any, expected: Any, message: str | None = None) -> None:
        original(obj, expected, message)
        barrier.wait()

    monkeypatch.setattr(concurrency, "check_version", check_then_wait)
    statuses: list[int] = []

    def write() -> None:
        try:
            statuses.append(_send(Client(), method, url, body, {**token, "If-Match": etag}).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=write) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(statuses) == sorted([row.ok, 412])
    assert _row_of(model, pk)["version"] > version
    assert Client().get(PREFIX + reader.format(**ids), headers=token)["ETag"] == _tag(model, pk)
