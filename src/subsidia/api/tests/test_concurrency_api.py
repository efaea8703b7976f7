"""Lost updates: every versioned resource the API writes answers an ETag, and every write of one is conditional.

The writes are enumerated from the API itself (each operation documenting 412 and 428) and cross-checked
against a list kept here; each is run, with the set-up of its access-matrix row, as a caller allowed to make
it: without If-Match or ``version`` (428), with a stale ETag (412), with the current one (2xx and a new ETag),
and again with the ETag the previous write consumed (412: of two writers holding the same ETag, one wins).
Two writers at the same moment, on PostgreSQL: ``test_concurrency_race_api.py``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.db.models import F, Model
from django.test import Client, RequestFactory, override_settings
from pytest_django import DjangoDbBlocker, Settings

from subsidia.accounts.services import issue_api_token
from subsidia.api import concurrency
from subsidia.api.api import api
from subsidia.api.errors import ApiError
from subsidia.conftest import create_user
from subsidia.conventions.models import Convention, YearlyReport
from subsidia.core.errors import Conflict
from subsidia.core.tests.access import Row
from subsidia.core.tests.test_access_matrix import API, build_world
from subsidia.dialogue.models import ActionItem, Meeting
from subsidia.events.models import Event
from subsidia.grants.models import Application, Call
from subsidia.knowledge.models import GoodPractice, NewsItem

PREFIX = "/api/v1"
APPLICATION = "/applications/{application_id}"
REPORT = "/conventions/{convention_id}/reports/{report_id}"
ACTION_ITEM = "/action-items/{action_item_id}"

# Every write of a versioned resource in the API: (method, path) -> the path that reads it and its model.
CONDITIONAL_WRITES: dict[tuple[str, str], tuple[str, type[Model]]] = {
    ("PATCH", "/calls/{call_id}"): ("/calls/{call_id}", Call),
    ("PATCH", APPLICATION): (APPLICATION, Application),
    **{("POST", f"{APPLICATION}/{step}"): (APPLICATION, Application) for step in (
        "submit", "start-eligibility", "declare-eligible", "declare-ineligible", "request-information", "withdraw",
        "start-project", "final-report", "return-report", "close", "decision", "decision/confirm")},
    ("PUT", REPORT): (REPORT, YearlyReport),
    **{("POST", f"{REPORT}/{step}"): (REPORT, YearlyReport) for step in ("submit", "accept", "return")},
    ("PATCH", ACTION_ITEM): (ACTION_ITEM, ActionItem),
}
# Versioned resources read (with an ETag) but not written through the API.
READ_ONLY: dict[str, type[Model]] = {
    "/conventions/{convention_id}": Convention, "/meetings/{meeting_id}": Meeting, "/events/{event_id}": Event,
    "/good-practices/{good_practice_id}": GoodPractice, "/news/{news_id}": NewsItem}
READERS: dict[str, type[Model]] = {**dict(CONDITIONAL_WRITES.values()), **READ_ONLY}


def _openapi() -> dict[str, Any]:
    return api.get_openapi_schema(path_prefix=PREFIX)


# --- the world of the access matrix, built once for the module --------------------------------------------

@pytest.fixture(scope="module")
def shared_world(django_db_setup: None, django_db_blocker: DjangoDbBlocker,
                 tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    media = tmp_path_factory.mktemp("concurrency-media")
    with override_settings(MEDIA_ROOT=media, PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]), \
            django_db_blocker.unblock(), transaction.atomic():
        yield {**build_world(create_user), "media_root": media}
        transaction.set_rollback(True)


@pytest.fixture
def world(db: None, shared_world: dict[str, Any], settings: Settings) -> dict[str, Any]:
    settings.MEDIA_ROOT = shared_world["media_root"]
    return shared_world


def _writer(row: Row) -> str:
    """A persona the access matrix lets make the write successfully."""
    return sorted(p for p in row.allowed if p not in row.overrides and p != "anonymous")[0]


def _body(row: Row, world: dict[str, Any], persona: str) -> dict[str, Any]:
    body = dict(row.data({"persona": persona, **world})) if row.data else {}
    body.pop("version", None)
    return body


def _send(client: Client, method: str, url: str, body: dict[str, Any], headers: dict[str, str]) -> Any:
    return client.generic(method, url, data=json.dumps(body), content_type="application/json", headers=headers)


def _row_of(model: type[Model], pk: int) -> dict[str, Any]:
    return model._default_manager.filter(pk=pk).values().get()


def _tag(model: type[Model], pk: int) -> str:
    return concurrency.etag(model._default_manager.get(pk=pk))


# --- the enumeration is complete and the schema says so ---------------------------------------------------

def test_the_conditional_writes_are_every_operation_documenting_412_and_428() -> None:
    documented = set()
    for path, item in _openapi()["paths"].items():
        for method, operation in item.items():
            codes = {int(c) for c in operation["responses"]}
            if {412, 428} & codes:
                assert {412, 428} <= codes, (method, path)
                documented.add((method.upper(), path.removeprefix(PREFIX)))
    assert documented == set(CONDITIONAL_WRITES)


@pytest.mark.parametrize("operation", sorted(CONDITIONAL_WRITES), ids=lambda op: f"{op[0]} {op[1]}")
def test_each_conditional_write_documents_if_match_and_its_etag(operation: tuple[str, str]) -> None:
    method, path = operation
    documented = _openapi()["paths"][PREFIX + path][method.lower()]
    assert "If-Match" in {(p["name"]) for p in documented["parameters"] if p["in"] == "header"}
    success = next(c for c in documented["responses"] if 200 <= int(c) < 300)
    assert "ETag" in documented["responses"][success]["headers"]
    reader = CONDITIONAL_WRITES[operation][0]
    assert "ETag" in _openapi()["paths"][PREFIX + reader]["get"]["responses"][200]["headers"]


# --- GET answers the ETag -------------------------------------------------------------------------------------

@pytest.mark.parametrize("path", sorted(READERS))
def test_reading_a_versioned_resource_answers_its_etag(path: str, world: dict[str, Any], client: Client) -> None:
    row = API[("GET", path)]
    persona = _writer(row)
    ids = row.kwargs(world) if row.kwargs else {}
    user = world["people"][persona]
    headers = {"Authorization": f"Bearer {issue_api_token(None, user)}"} if user else {}
    response = client.get(PREFIX + path.format(**ids), headers=headers)
    assert response.status_code == 200, response.content
    model = READERS[path]
    pk = response.json()["id"]
    version = _row_of(model, pk)["version"]
    assert response["ETag"] == f'"{model._meta.model_name}-{pk}-v{version}"'


# --- every conditional write: 428, 412, 2xx with a new ETag, then 412 for the same ETag ------------------------

@pytest.mark.parametrize("operation", sorted(CONDITIONAL_WRITES), ids=lambda op: f"{op[0]} {op[1]}")
def test_a_write_needs_the_current_etag(operation: tuple[str, str], world: dict[str, Any], client: Client) -> None:
    method, path = operation
    reader, model = CONDITIONAL_WRITES[operation]
    row = API[operation]
    ids = row.kwargs(world) if row.kwargs else {}  # the row's set-up: the object in the state the write needs
    persona = _writer(row)
    token = {"Authorization": f"Bearer {issue_api_token(None, world['people'][persona])}"}
    body = _body(row, world, persona)
    url, read_url = PREFIX + path.format(**ids), PREFIX + reader.format(**ids)
    read = client.get(read_url, headers=token)
    assert read.status_code == 200, read.content
    pk = read.json()["id"]
    etag = read["ETag"]
    assert etag == _tag(model, pk)

    # Neither If-Match nor version: 428, and nothing changes.
    before = _row_of(model, pk)
    for headers in (token, {**token, "If-Match": "*"}, {**token, "If-Match": ""}):
        response = _send(client, method, url, body, headers)
        assert response.status_code == 428, (headers, response.content)
        assert [e["code"] for e in response.json()["errors"]] == ["precondition_required"]
        assert not response.has_header("ETag")
    assert _row_of(model, pk) == before

    # Someone else saved in between: the ETag read is stale, 412 and nothing changes.
    model._default_manager.filter(pk=pk).update(version=F("version") + 1)
    before = _row_of(model, pk)
    for stale in (etag, f"W/{etag}", '"something-else"', "not a tag"):
        response = _send(client, method, url, body, {**token, "If-Match": stale})
        assert response.status_code == 412, (stale, response.content)
        assert [e["code"] for e in response.json()["errors"]] == ["precondition_failed"]
    assert _row_of(model, pk) == before

    # With the current ETag (read again): the write is made and answers the new ETag.
    current = client.get(read_url, headers=token)["ETag"]
    assert current != etag
    response = _send(client, method, url, body, {**token, "If-Match": f'"other", {current}'})
    assert response.status_code == row.ok, response.content
    assert _row_of(model, pk)["version"] > before["version"]
    assert response["ETag"] == _tag(model, pk) != current

    # A second writer who read at the same time as the first: their ETag is now stale, 412.
    after = _row_of(model, pk)
    response = _send(client, method, url, body, {**token, "If-Match": current})
    assert response.status_code == 412, response.content
    assert _row_of(model, pk) == after


def test_a_stale_body_version_keeps_its_409_and_if_match_is_checked_first(world: dict[str, Any],
                                                                           client: Client) -> None:
    draft = world["app_draft"]
    token = {"Authorization": f"Bearer {issue_api_token(None, world['people']['partner_admin'])}"}
    url = f"{PREFIX}/applications/{draft.pk}"
    etag = client.get(url, headers=token)["ETag"]
    version = Application.objects.get(pk=draft.pk).version
    stale = _send(client, "PATCH", url, {"title": "A", "version": version - 1}, token)
    assert stale.status_code == 409 and stale.json()["errors"][0]["code"] == "stale_version"
    both = _send(client, "PATCH", url, {"title": "B", "version": version - 1}, {**token, "If-Match": etag})
    assert both.status_code == 409 and both.json()["errors"][0]["code"] == "stale_version"
    failed = _send(client, "PATCH", url, {"title": "C", "version": version}, {**token, "If-Match": '"x"'})
    assert failed.status_code == 412
    assert Application.objects.get(pk=draft.pk).version == version
    ok = _send(client, "PATCH", url, {"title": "D", "version": version}, token)
    assert ok.status_code == 200 and ok["ETag"] == _tag(Application, draft.pk)


def test_an_upload_needs_no_if_match_but_changes_the_etag(world: dict[str, Any], client: Client) -> None:
    draft = world["app_draft"]
    token = {"Authorization": f"Bearer {issue_api_token(None, world['people']['partner_admin'])}"}
    url = f"{PREFIX}/applications/{draft.pk}"
    etag = client.get(url, headers=token)["ETag"]
    upload = client.post(url + "/documents", {"kind": "annex", "file": SimpleUploadedFile(
        "annexe.pdf", b"%PDF-1.4\n%test\n", "application/pdf")}, headers=token)
    assert upload.status_code == 201, upload.content
    assert client.get(url, headers=token)["ETag"] != etag
    assert _send(client, "PATCH", url, {"title": "Après l'annexe"}, {**token, "If-Match": etag}).status_code == 412


def test_a_refusal_under_the_lock_after_another_write_is_a_412_for_an_if_match_writer(world: dict[str, Any]) -> None:
    """Between the ETag check and the service's lock someone else saved: whatever the service then refuses
    (an outdated version, a move the new state no longer allows) is 412 for a caller who sent If-Match; a
    refusal with the version unchanged stays what it is, and so does a body ``version``'s 409."""
    call = Call.objects.get(pk=world["draft_call"].pk)
    request = RequestFactory().patch("/", headers={"If-Match": concurrency.etag(call)})
    with pytest.raises(Conflict), concurrency.conditional_write(request, call, None):
        raise Conflict.single("illegal_transition", "not now")
    for code in ("stale_version", "illegal_transition"):
        with pytest.raises(ApiError) as caught, concurrency.conditional_write(request, call, None) as version:
            assert version == call.version
            Call.objects.filter(pk=call.pk).update(version=F("version") + 1)  # the other writer
            raise Conflict.single(code, "changed meanwhile")
        assert caught.value.status == 412 and caught.value.errors[0]["code"] == "precondition_failed"
        call.refresh_from_db()
        request = RequestFactory().patch("/", headers={"If-Match": concurrency.etag(call)})
    body_request = RequestFactory().patch("/")
    with pytest.raises(Conflict), concurrency.conditional_write(body_request, call, call.version):
        Call.objects.filter(pk=call.pk).update(version=F("version") + 1)
        raise Conflict.single("stale_version", "changed meanwhile", "version")
