"""Every API error answers ``{"errors": [{"code", "message", "field"}]}``: 4xx for the caller's mistakes, 500
(logged) for ours, and never an HTML page under ``/api/``: an unknown path answers 404 (:func:`page_not_found`,
the project's ``handler404``), a method the path does not serve 405 (:func:`install_fallbacks`), an exception
in a view 500 (or 503 while the database is down), one in a middleware too (:func:`server_error`, called by
the project's ``handler500``)."""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.views import defaults
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from subsidia.core.availability import is_database_down, service_unavailable
from subsidia.core.errors import Code, RuleViolation

logger = logging.getLogger("django.request")

API_PREFIX = "/api/"


def _body(code: Code, message: str) -> dict[str, Any]:
    return {"errors": [{"code": code, "message": message, "field": None}]}


def server_error(request: HttpRequest) -> HttpResponse:
    """The JSON 500 of an exception nobody handled under ``/api/`` (the view's error is logged where raised)."""
    return JsonResponse(_body(Code.SERVER_ERROR, "Erreur interne ; elle a été signalée."), status=500)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponseBase:
    """``handler404``: JSON under ``/api/``, Django's page elsewhere."""
    if request.path.startswith(API_PREFIX):
        return JsonResponse(_body(Code.NOT_FOUND, "Ressource introuvable."), status=404)
    return defaults.page_not_found(request, exception)


def install_fallbacks(api: NinjaAPI) -> None:
    """A method a path does not serve answers a JSON 405 with ``Allow`` (ninja's answer is plain text). Call it
    once every router is added."""
    for bound_router in api._get_bound_routers():  # the path views that serve the requests
        for path_view in bound_router.path_operations.values():
            methods = sorted({m for operation in path_view.operations for m in operation.methods})

            def not_allowed(methods: list[str] = methods) -> HttpResponse:
                response = JsonResponse(_body(Code.METHOD_NOT_ALLOWED, "Méthode non admise ; admises : "
                                              + ", ".join(methods) + "."), status=405)
                response["Allow"] = ", ".join(methods)
                return response

            path_view._not_allowed = not_allowed  # type: ignore[method-assign]


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, field: str | None = None) -> None:
        self.status = status
        self.errors = [{"code": code, "message": message, "field": field}]
        super().__init__(message)


def _field_of(loc: list[Any]) -> str | None:
    # ninja locations look like ["body", "payload", "legal_form"] or ["query", "page"].
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "form", "file", "payload")]
    return ".".join(parts) or None


def install(api: NinjaAPI) -> None:
    def respond(request: HttpRequest, status: int, errors: list[dict[str, Any]]) -> HttpResponse:
        return api.create_response(request, {"errors": errors}, status=status)

    @api.exception_handler(ApiError)
    def api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
        return respond(request, exc.status, exc.errors)

    @api.exception_handler(RuleViolation)
    def rule_violation(request: HttpRequest, exc: RuleViolation) -> HttpResponse:
        return respond(request, exc.status_code, [v.as_dict() for v in exc.violations])

    @api.exception_handler(NinjaValidationError)
    def validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        errors = []
        for error in exc.errors:
            kind = error.get("type", "invalid")
            errors.append({
                "code": Code.REQUIRED if kind == "missing" else Code.INVALID,
                "message": error.get("msg", "Valeur invalide."),
                "field": _field_of(list(error.get("loc", []))),
            })
        return respond(request, 422, errors)

    @api.exception_handler(AuthenticationError)
    def authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return respond(request, 401, [{"code": Code.AUTHENTICATION_REQUIRED, "message": "Authentification requise.",
                                       "field": None}])

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return respond(request, 404, [{"code": Code.NOT_FOUND, "message": "Ressource introuvable.", "field": None}])

    @api.exception_handler(DjangoPermissionDenied)
    def forbidden(request: HttpRequest, exc: DjangoPermissionDenied) -> HttpResponse:
        return respond(request, 403, [{"code": Code.FORBIDDEN, "message": "Accès refusé.", "field": None}])

    @api.exception_handler(Exception)
    def unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
        if is_database_down(exc):
            logger.error("Database unavailable: %s %s answered 503", request.method, request.path, exc_info=exc)
            return service_unavailable(request)
        logger.error("Internal Server Error: %s %s", request.method, request.path, exc_info=exc,
                     extra={"status_code": 500, "request": request})
        return server_error(request)

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        return respond(request, exc.status_code, [{"code": Code.HTTP_ERROR, "message": str(exc), "field": None}])
