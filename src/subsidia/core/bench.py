"""Instrumentation for the benchmark harness (``make bench``, scripts/bench.py), present only when
``SUBSIDIA_BENCH=1``.

The harness measures the site from outside, through gunicorn, and needs two things the site does not offer:
the number of SQL queries each request ran (the ``X-Subsidia-Queries`` header), and a bare Django view — a
short fixed page behind the same middleware, server and settings — against which each page's throughput is
compared. Neither may ever be served in production, so:

* off by default: the settings add the middleware and the URLs only when the variable is set, and without it
  the middleware declines (``MiddlewareNotUsed``) and :func:`urlpatterns` is empty;
* refused outside this machine: with the flag on, the server does not start unless ``ALLOWED_HOSTS`` are
  loopback names only;
* refused by ``check --deploy`` (``subsidia.E004``) while the flag is on.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import ExitStack
from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, register
from django.core.exceptions import ImproperlyConfigured, MiddlewareNotUsed
from django.db import connections
from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, path
from django.views.decorators.http import require_GET

from .access import PUBLIC, access

QUERIES_HEADER = "X-Subsidia-Queries"
BARE_PATH = "_bench/bare/"
# The bare view's page: short and fixed, so that its throughput is that of the server and the middleware.
BARE_PAGE = b"<!doctype html><html lang=\"fr\"><title>Subsidia</title><p>ok</p></html>\n"
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1", "[::1]"})


def enabled() -> bool:
    """The benchmark instrumentation is on (``SUBSIDIA_BENCH=1``)."""
    return bool(getattr(settings, "SUBSIDIA_BENCH", False))


def loopback_only(hosts: list[str]) -> bool:
    """Every allowed host names this machine (a wildcard or a public name does not)."""
    return bool(hosts) and all(host in LOOPBACK_HOSTS for host in hosts)


def require_loopback() -> None:
    """Refuse the instrumentation on a server that answers other names than this machine's."""
    if not loopback_only(list(settings.ALLOWED_HOSTS)):
        raise ImproperlyConfigured(
            "SUBSIDIA_BENCH=1 serves benchmark instrumentation: it is refused unless ALLOWED_HOSTS names "
            "only this machine (127.0.0.1, localhost, ::1).")


class _QueryCounter:
    """A database execute wrapper that counts the statements run (``connection.execute_wrapper``)."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        self.count += 1
        return execute(sql, params, many, context)


class QueryCountMiddleware:
    """Adds ``X-Subsidia-Queries``: the SQL statements the request ran, the other middleware's included (it
    is the outermost). Statements run while a streaming response's body is produced come after the headers
    and are not counted."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        if not enabled():
            raise MiddlewareNotUsed("SUBSIDIA_BENCH is off")
        require_loopback()
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        counter = _QueryCounter()
        with ExitStack() as stack:
            for connection in connections.all(initialized_only=False):
                stack.enter_context(connection.execute_wrapper(counter))
            response = self.get_response(request)
        response[QUERIES_HEADER] = str(counter.count)
        return response


@access(PUBLIC)
@require_GET
def bare(request: HttpRequest) -> HttpResponse:
    """The reference page: no query, no template, the whole middleware stack."""
    return HttpResponse(BARE_PAGE, content_type="text/html; charset=utf-8")


def urlpatterns() -> list[URLPattern]:
    """The benchmark's URLs, mounted by the root URLconf: none unless the flag is on."""
    return [path(BARE_PATH, bare, name="bench_bare")] if enabled() else []


@register(Tags.security, deploy=True)
def check_bench_off(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    if not enabled():
        return []
    return [Error("SUBSIDIA_BENCH is on: the benchmark's bare view and query-count header are served.",
                  hint="Unset SUBSIDIA_BENCH: it is for `make bench` on this machine only.", id="subsidia.E004")]
