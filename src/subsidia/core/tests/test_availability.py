"""With the database unreachable, pages answer a plain 503 page and the API a JSON 503, both with Retry-After;
/healthz still answers, /readyz names the database. With everything reachable /readyz answers 200."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from unittest import mock

import pytest
from django.db import InterfaceError, OperationalError, connections
from django.test import Client
from pytest_django import Settings

from subsidia.accounts.models import User
from subsidia.accounts.services import issue_api_token
from subsidia.conftest import ClientResponse, sign_in


@contextmanager
def database_down(error: type[Exception] = OperationalError) -> Iterator[None]:
    """Every new cursor fails as when the server is gone (the test's own transaction is left alone)."""
    connection = connections["default"]

    def refuse(*args: object, **kwargs: object) -> None:
        raise error("connection to server at 127.0.0.1, port 5432 failed: Connection refused")

    with mock.patch.object(connection, "ensure_connection", refuse), \
            mock.patch.object(connection, "cursor", refuse):
        yield


def _is_plain_503_page(response: ClientResponse) -> None:
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert response["Content-Type"].startswith("text/html")
    body = response.content.decode()
    assert "Service momentanément indisponible" in body
    assert "Internal" not in body and "Traceback" not in body


@pytest.mark.django_db
@pytest.mark.parametrize("error", [OperationalError, InterfaceError])
def test_a_page_answers_503_when_the_database_is_down(client: Client, error: type[Exception]) -> None:
    with database_down(error):
        response = client.get("/")
    _is_plain_503_page(response)


@pytest.mark.django_db
def test_a_signed_in_page_answers_503_when_the_session_cannot_be_read(make_user: Callable[..., User]) -> None:
    """The session (and the user) are loaded by a middleware, not by the view: still 503, not 500."""
    client = Client(raise_request_exception=False)
    sign_in(client, make_user())
    with database_down():
        response = client.get("/tableau-de-bord/")
    _is_plain_503_page(response)


@pytest.mark.django_db
def test_the_api_answers_503_json_when_the_database_is_down(client: Client) -> None:
    with database_down():
        response = client.get("/api/v1/organisations")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    errors = response.json()["errors"]
    assert errors[0]["code"] == "service_unavailable"
    assert set(errors[0]) == {"code", "message", "field"}


@pytest.mark.django_db
def test_the_api_with_a_token_answers_503_json_when_the_database_is_down(make_user: Callable[..., User]) -> None:
    user = make_user()
    token = issue_api_token(user, user)
    client = Client(raise_request_exception=False, headers={"Authorization": f"Bearer {token}"})
    with database_down():
        response = client.get("/api/v1/organisations")
    assert response.status_code == 503
    assert response.json()["errors"][0]["code"] == "service_unavailable"


@pytest.mark.django_db
def test_healthz_answers_without_the_database(client: Client) -> None:
    with database_down():
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_readyz_names_the_database_when_it_is_down(client: Client) -> None:
    with database_down():
        response = client.get("/readyz")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    body = response.json()
    assert body["status"] == "unavailable"
    assert "database" in body["failed"]
    assert body["checks"]["database"] == {"ok": False, "error": "OperationalError"}
    assert body["checks"]["tasks"] == {"ok": True}
    assert "5432" not in json.dumps(body)  # the error's message (host, port) is not shown


@pytest.mark.django_db
def test_readyz_names_the_cache_when_it_fails(client: Client) -> None:
    with mock.patch("django.core.cache.backends.locmem.LocMemCache.set", side_effect=ConnectionError):
        response = client.get("/readyz")
    assert response.status_code == 503
    assert "cache" in response.json()["failed"]


@pytest.mark.django_db
def test_readyz_answers_200_when_everything_is_reachable(client: Client) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "ok"
    assert body["failed"] == []
    assert {"database", "cache", "tasks"} <= set(body["checks"])
    assert all(check["ok"] for check in body["checks"].values())


def test_the_probes_are_not_redirected_to_https(client: Client, settings: Settings) -> None:
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/healthz").status_code == 200
    assert client.get("/").status_code == 301


@pytest.mark.django_db
def test_other_errors_still_answer_500(make_user: Callable[..., User]) -> None:
    client = Client(raise_request_exception=False)
    with mock.patch("subsidia.dashboard.views.Organisation.objects.filter", side_effect=ValueError("bug")):
        response = client.get("/")
    assert response.status_code == 500
    assert "Retry-After" not in response
