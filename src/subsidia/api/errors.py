"""Every API error answers ``{"errors": [{"code", "message", "field"}]}`` with a 4xx status."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from subsidia.core.errors import RuleViolation


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, field: str | None = None):
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
                "code": "required" if kind == "missing" else "invalid",
                "message": error.get("msg", "Valeur invalide."),
                "field": _field_of(list(error.get("loc", []))),
            })
        return respond(request, 422, errors)

    @api.exception_handler(AuthenticationError)
    def authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return respond(request, 401, [{"code": "authentication_required", "message": "Authentification requise.",
                                       "field": None}])

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return respond(request, 404, [{"code": "not_found", "message": "Ressource introuvable.", "field": None}])

    @api.exception_handler(DjangoPermissionDenied)
    def forbidden(request: HttpRequest, exc: DjangoPermissionDenied) -> HttpResponse:
        return respond(request, 403, [{"code": "forbidden", "message": "Accès refusé.", "field": None}])

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        return respond(request, exc.status_code, [{"code": "http_error", "message": str(exc), "field": None}])
