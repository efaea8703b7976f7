"""The benchmark instrumentation (core/bench.py): off by default, counting queries when on, never in production."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse
from django.test import Client, override_settings

from subsidia.core import bench

from .test_deploy import PRODUCTION, run

BENCH_MIDDLEWARE = "subsidia.core.bench.QueryCountMiddleware"
LOCAL = {"host": "127.0.0.1"}


@pytest.fixture
def bench_on() -> Iterator[None]:
    """The settings that SUBSIDIA_BENCH=1 gives (the middleware first), with a URLconf of test views."""
    with override_settings(SUBSIDIA_BENCH=True, ALLOWED_HOSTS=["127.0.0.1"],
                           MIDDLEWARE=[BENCH_MIDDLEWARE, *settings.MIDDLEWARE],
                           ROOT_URLCONF="subsidia.core.tests.bench_urls"):
        yield


@pytest.mark.django_db
def test_off_by_default_no_bare_view_and_no_header(client: Client) -> None:
    assert settings.SUBSIDIA_BENCH is False
    assert BENCH_MIDDLEWARE not in settings.MIDDLEWARE
    assert client.get("/_bench/bare/").status_code == 404
    home = client.get("/")
    assert home.status_code == 200
    assert bench.QUERIES_HEADER not in home.headers


def test_the_urls_are_mounted_only_when_on() -> None:
    assert bench.urlpatterns() == []
    with override_settings(SUBSIDIA_BENCH=True):
        assert [str(p.pattern) for p in bench.urlpatterns()] == ["_bench/bare/"]


@pytest.mark.django_db
def test_the_header_counts_the_queries_of_the_request(client: Client, bench_on: None) -> None:
    response = client.get("/three/", headers=LOCAL)
    assert response.status_code == 200
    assert response.headers[bench.QUERIES_HEADER] == "3"


@pytest.mark.django_db
def test_the_bare_view_is_a_fixed_page_without_queries(client: Client, bench_on: None) -> None:
    response = client.get("/_bench/bare/", headers=LOCAL)
    assert response.status_code == 200
    assert response.content == bench.BARE_PAGE
    assert response.headers[bench.QUERIES_HEADER] == "0"


@pytest.mark.django_db
def test_the_middleware_declines_when_the_flag_is_off(client: Client) -> None:
    with override_settings(MIDDLEWARE=[BENCH_MIDDLEWARE, *settings.MIDDLEWARE],
                           ROOT_URLCONF="subsidia.core.tests.bench_urls"):
        response = client.get("/three/")
    assert response.status_code == 200
    assert bench.QUERIES_HEADER not in response.headers


@pytest.mark.parametrize("hosts", [["subsidia.example.lu"], ["*"], ["127.0.0.1", "subsidia.example.lu"], []])
def test_the_server_refuses_to_start_when_it_answers_other_names(hosts: list[str]) -> None:
    def view(request: HttpRequest) -> HttpResponse:
        return HttpResponse()

    with override_settings(SUBSIDIA_BENCH=True, ALLOWED_HOSTS=hosts), pytest.raises(ImproperlyConfigured):
        bench.QueryCountMiddleware(view)


def test_check_deploy_refuses_the_flag() -> None:
    assert bench.check_bench_off() == []
    with override_settings(SUBSIDIA_BENCH=True):
        assert [e.id for e in bench.check_bench_off()] == ["subsidia.E004"]
    result = run({**PRODUCTION, "SUBSIDIA_BENCH": "1"}, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode != 0
    assert "subsidia.E004" in result.stdout + result.stderr
