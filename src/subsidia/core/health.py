"""Probes for the load balancer and the orchestrator.

- ``/healthz``: the process answers (liveness). It touches nothing: no database, no cache, no session.
- ``/readyz``: the process can serve (readiness): the database, each cache (the rate limits' counters included)
  and the task queue answer. 200 with ``{"status": "ok", "checks": {...}}``, 503 (with ``Retry-After``) naming
  what failed. Only the exception's class is shown, never its message (it may carry a host name or a DSN).

Both are exempt from the HTTPS redirect (``SECURE_REDIRECT_EXEMPT``) so that a probe may use plain HTTP; the
request's host must still be one of ``ALLOWED_HOSTS``.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable

from django.conf import settings
from django.core.cache import caches
from django.db import connections
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .access import PUBLIC, access

logger = logging.getLogger(__name__)


@access(PUBLIC)
@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


def _database(alias: str) -> Callable[[], None]:
    def check() -> None:
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    return check


def _cache(alias: str) -> Callable[[], None]:
    def check() -> None:
        cache = caches[alias]
        key = f"subsidia:readyz:{uuid.uuid4().hex}"
        cache.set(key, "1", 10)
        if cache.get(key) != "1":
            raise RuntimeError("cache did not keep a value")
        cache.delete(key)
    return check


def _tasks() -> None:
    from huey.contrib.djhuey import HUEY

    HUEY.pending_count()  # reads the queue's storage (Redis or the SQLite file)


def checks() -> dict[str, Callable[[], None]]:
    found: dict[str, Callable[[], None]] = {}
    for alias in connections:
        found["database" if alias == "default" else f"database:{alias}"] = _database(alias)
    for alias in settings.CACHES:
        found["cache" if alias == "default" else f"cache:{alias}"] = _cache(alias)
    found["tasks"] = _tasks
    return found


@access(PUBLIC)
@never_cache
@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    results: dict[str, dict[str, object]] = {}
    for name, check in checks().items():
        try:
            check()
        except Exception as error:  # each failure is reported, whatever it is
            logger.warning("Readiness check %s failed: %s", name, type(error).__name__)
            results[name] = {"ok": False, "error": type(error).__name__}
        else:
            results[name] = {"ok": True}
    failed = [name for name, result in results.items() if not result["ok"]]
    response = JsonResponse({"status": "unavailable" if failed else "ok", "failed": failed, "checks": results},
                            status=503 if failed else 200)
    if failed:
        response.headers["Retry-After"] = str(settings.SERVICE_UNAVAILABLE_RETRY_AFTER)
    return response
