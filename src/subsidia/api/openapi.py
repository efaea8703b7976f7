"""What the OpenAPI schema says of every operation, from the rules the API enforces in one place.

- Who may call: an operation whose policy is public (``api_access(PUBLIC)``) lists the empty security
  requirement ``{}`` beside the bearer token, so that a client (or a fuzzer) knows it answers anonymous callers.
- Which error codes exist: the ``code`` of an error is one of the registered enums' values
  (:func:`subsidia.core.errors.all_codes`, every app's ``errors`` module imported first), listed as the enum of
  ``ErrorItem.code``.
- What may go wrong: the structured errors every operation can answer, as :mod:`subsidia.api.errors` sends
  them: 400 (a body that cannot be parsed), 401 (a bad or expired token, on any operation; no credentials on a
  signed-in one), 403 (a role the operation is not for), 404 (a path id the caller may not see), 422 (an input
  out of bounds), 429 (a write beyond the rate limit), 503 (the database is unreachable). An operation's own
  ``response={...}`` is kept as declared.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.urls import reverse
from django.utils.module_loading import autodiscover_modules
from ninja import NinjaAPI

from subsidia.core.access import policy_of
from subsidia.core.errors import all_codes

WRITE_METHODS = {"post", "put", "patch", "delete"}
DESCRIPTIONS = {
    400: "A request body that cannot be read (not JSON, not a form)",
    401: "Authentication required, or a bad token", 403: "Forbidden for the caller's role",
    404: "Not found, or not visible to the caller", 422: "Invalid input", 429: "Too many writes; see Retry-After",
    503: "Service unavailable; see Retry-After",
}


def _policies(api: NinjaAPI) -> dict[tuple[str, str], Any]:
    """The access policy of every operation, by (method, path as in the schema)."""
    policies = {}
    for bound_router in api._get_bound_routers():
        prefix = bound_router.prefix.strip("/")
        for path, path_view in bound_router.path_operations.items():
            full = "/".join(p for p in (prefix, path.strip("/")) if p)
            for operation in path_view.operations:
                for method in operation.methods:
                    policies[(method.lower(), "/" + full)] = policy_of(operation.view_func)
    return policies


def _error_response() -> dict[str, Any]:
    return {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}}}


def _list_error_codes(schema: dict[str, Any]) -> None:
    autodiscover_modules("errors")  # each app's error codes register when its errors module is imported
    item = schema.get("components", {}).get("schemas", {}).get("ErrorItem")
    if item is not None:
        item["properties"]["code"]["enum"] = all_codes()


def complete(api: NinjaAPI, schema: dict[str, Any], prefix: str) -> dict[str, Any]:
    policies = _policies(api)
    _list_error_codes(schema)
    for path, operations in schema.get("paths", {}).items():
        relative = path[len(prefix):] if path.startswith(prefix) else path
        for method, operation in operations.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            policy = policies.get((method, "/" + relative.strip("/")))
            public = policy is not None and not policy.login_required
            security = operation.get("security")
            if public and security and {} not in security:
                operation["security"] = [*security, {}]
            statuses = {401, 422, 503}
            if not public:
                statuses.add(403)
            if "{" in path:
                statuses.add(404)
            if method in WRITE_METHODS:
                statuses.add(429)
            if "requestBody" in operation:
                statuses.add(400)
            responses = operation.setdefault("responses", {})
            for status in sorted(statuses):
                if status not in responses and str(status) not in responses:
                    responses[status] = {"description": DESCRIPTIONS[status], **_error_response()}
    return schema


def install(api: NinjaAPI) -> None:
    """Complete the schema ninja generates (call once every router is added)."""
    generate: Callable[..., Any] = api.get_openapi_schema

    def get_openapi_schema(*args: Any, **kwargs: Any) -> Any:
        schema = generate(*args, **kwargs)
        return complete(api, schema, reverse(f"{api.urls_namespace}:api-root").rstrip("/"))

    api.get_openapi_schema = get_openapi_schema  # type: ignore[method-assign]
