"""When the database is unreachable: 503 with ``Retry-After``, a plain page or the API's JSON error.

Django turns an exception into a response at every middleware layer (``convert_exception_to_response``), so an
outer middleware never sees the exception of an inner one. Hence two places, one rule (:func:`is_database_down`):

- :class:`DatabaseUnavailableMiddleware`, placed just after the security and static-files middleware and before
  the session middleware, answers 503 for an error raised by a view (``process_exception``) or reaching it;
- :func:`server_error`, the project's ``handler500``, answers 503 when the exception being handled is a
  database error: that covers the middleware layers themselves (the session loaded lazily by the second-factor
  middleware, the session saved on the way out).

The 503 page is a self-contained template rendered without a request: no context processor, no session, no
user, nothing that could query the database.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, HttpResponseServerError, JsonResponse
from django.template import loader
from django.utils.translation import gettext as _
from django.views.decorators.csrf import requires_csrf_token

from .errors import Code
from .middleware import CONTENT_SECURITY_POLICY

logger = logging.getLogger(__name__)

DATABASE_ERRORS = (OperationalError, InterfaceError)


def is_database_down(exception: BaseException | None) -> bool:
    """A database error, or one raised while handling one (a wrapped driver error counts too)."""
    seen = 0
    while exception is not None and seen < 10:
        if isinstance(exception, DATABASE_ERRORS):
            return True
        exception = exception.__cause__ or exception.__context__
        seen += 1
    return False


def service_unavailable(request: HttpRequest) -> HttpResponse:
    """The 503 answer: JSON under /api/, a plain page elsewhere; never touches the database."""
    retry_after = str(settings.SERVICE_UNAVAILABLE_RETRY_AFTER)
    message = _("Le service est momentanément indisponible. Réessayez dans quelques instants.")
    response: HttpResponse
    if request.path.startswith("/api/"):
        response = JsonResponse(
            {"errors": [{"code": Code.SERVICE_UNAVAILABLE, "message": message, "field": None}]}, status=503)
    else:
        body = loader.get_template("503.html").render({"retry_after": retry_after})
        response = HttpResponse(body, status=503, content_type="text/html; charset=utf-8")
        response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    response.headers["Retry-After"] = retry_after
    response.headers["Cache-Control"] = "no-store"
    return response


class DatabaseUnavailableMiddleware:
    """Answers 503 instead of 500 while the database is unreachable (see the module's docstring)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            return self.get_response(request)
        except DATABASE_ERRORS:  # only when exceptions propagate (DEBUG_PROPAGATE_EXCEPTIONS)
            logger.error("Database unavailable: %s %s answered 503", request.method, request.path, exc_info=True)
            return service_unavailable(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not is_database_down(exception):
            return None
        logger.error("Database unavailable: %s %s answered 503", request.method, request.path, exc_info=True)
        return service_unavailable(request)


# The 500 answers of the parts of the site that do not answer pages, by path prefix: the API registers its
# JSON one in its ``AppConfig.ready``, so that core does not import the API.
_server_errors: dict[str, Callable[[HttpRequest], HttpResponse]] = {}


def register_server_error(prefix: str, handler: Callable[[HttpRequest], HttpResponse]) -> None:
    _server_errors[prefix] = handler


@requires_csrf_token
def server_error(request: HttpRequest) -> HttpResponse:
    """``handler500``: 503 for a database error raised in a middleware, the API's JSON 500 under /api/, Django's
    plain 500 page otherwise."""
    if is_database_down(sys.exc_info()[1]):
        return service_unavailable(request)
    for prefix, handler in _server_errors.items():
        if request.path.startswith(prefix):
            return handler(request)  # the API's JSON, never a page, under /api/
    return HttpResponseServerError(loader.get_template("500.html").render())
