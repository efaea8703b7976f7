"""Conditional writes: the ``ETag`` and ``If-Match`` of the API's versioned resources, against lost updates.

A versioned resource is one the services guard with an optimistic-locking ``version`` (see
:mod:`subsidia.core.versions`). Each answers its ``ETag`` on GET and after a write: a strong tag naming the
resource and its version, e.g. ``"application-12-v3"``. It changes whenever the version does; parts of an
answer computed from other records (reviews, payments, documents' list) may change under the same tag.

A write of such a resource (PATCH, PUT, or a step of its workflow) must say which version it was based on,
with ``If-Match: <the ETag>`` or, as the pages' forms do, ``version`` in the body:

* neither (or ``If-Match: *``, which names no version): **428** ``precondition_required``, nothing changes;
* an ``If-Match`` that is not the current ETag (an older version, another resource's tag, a weak or
  malformed tag): **412** ``precondition_failed``, nothing changes;
* an outdated ``version`` in the body: **409** ``stale_version``, as before;
* both: ``If-Match`` is checked first, then the body's ``version`` must be the current one too (else 409).

The check comes after authentication, the role check (401/403) and the lookup (404), before the service's
own rules. Two writers holding the same ETag cannot both succeed: the service locks the row and checks the
version again, and the second writer, whose ``If-Match`` no longer matches, gets 412 (whatever the service
found wrong under its lock: once the version has moved, the write was based on an outdated copy).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.http import parse_etags

from subsidia.core.errors import Code, RuleViolation
from subsidia.core.versions import check_version

from .errors import ApiError
from .schemas import ErrorOut

# The answers of a conditional write, for each write operation's ``response=``.
PRECONDITION_ERRORS: dict[int, Any] = {412: ErrorOut, 428: ErrorOut}

_ETAG_HEADER = {"ETag": {"description": "the resource's entity tag, to send back in `If-Match` on a write",
                         "schema": {"type": "string"}}}


def etag(obj: Any) -> str:
    """The strong entity tag of a versioned model instance: its kind, primary key and version."""
    return f'"{obj._meta.model_name}-{obj.pk}-v{obj.version}"'


def set_etag(response: HttpResponse, obj: Any) -> None:
    """Put ``obj``'s ETag on an operation's answer (``response`` is django-ninja's temporal response)."""
    response["ETag"] = etag(obj)


def _precondition_required() -> ApiError:
    return ApiError(428, Code.PRECONDITION_REQUIRED,
                    "Précisez la version modifiée : l'en-tête If-Match avec l'ETag lu (GET), ou « version » dans "
                    "le corps. Sans elle, vous pourriez écraser la modification de quelqu'un d'autre.", "If-Match")


def _precondition_failed(current: str) -> ApiError:
    return ApiError(412, Code.PRECONDITION_FAILED,
                    f"La ressource a été modifiée entre-temps (ETag actuel {current}) : relisez-la, rien n'a été "
                    "enregistré.", "If-Match")


def _matches(header: str, current: str) -> bool:
    """Strong comparison (RFC 9110, 13.1.1): a weak tag never matches."""
    return any(tag == current for tag in parse_etags(header) if not tag.startswith("W/"))


@contextmanager
def conditional_write(request: HttpRequest, obj: Any, body_version: int | None) -> Iterator[int]:
    """Check the write's precondition against ``obj`` (as read, unlocked) and give the version to pass to the
    service as ``expected_version``::

        with conditional_write(request, call, payload.version) as version:
            services.update_call(user, call, data, expected_version=version)

    Raises 428 or 412 (:class:`ApiError`) as the module describes. When the precondition came from
    ``If-Match`` and the service refuses the write (under its lock) after someone else changed the version,
    the answer is 412 too."""
    header = (request.headers.get("If-Match") or "").strip()
    if not header or header == "*":
        if body_version is None:
            raise _precondition_required()
        yield body_version
        return
    current = etag(obj)
    if not _matches(header, current):
        raise _precondition_failed(current)
    check_version(obj, body_version)  # both given: the body's version must be current too (409)
    try:
        yield obj.version
    except RuleViolation as exc:
        now = type(obj)._default_manager.filter(pk=obj.pk).values_list("version", flat=True).first()
        if now != obj.version:
            raise _precondition_failed(current) from exc
        raise


def etag_doc(status: int = 200) -> dict[str, Any]:
    """``openapi_extra`` of a read of a versioned resource: the answer's ETag header."""
    return {"responses": {status: {"headers": dict(_ETAG_HEADER)}}}


def conditional_doc(status: int = 200, tag_of: str = "") -> dict[str, Any]:
    """``openapi_extra`` of a conditional write: the ``If-Match`` header it takes, and the ETag it answers
    (``tag_of`` names the resource whose tag it is when it is not the operation's own, e.g. the application
    after its decision)."""
    header = {"ETag": {**_ETAG_HEADER["ETag"], "description": f"the new entity tag of {tag_of}"}} if tag_of \
        else dict(_ETAG_HEADER)
    return {
        "parameters": [{
            "in": "header", "name": "If-Match", "required": False, "schema": {"type": "string"},
            "description": "the ETag read (GET) of the resource written; needed unless `version` is in the body. "
                           "None: 428 `precondition_required`; not the current one: 412 `precondition_failed`.",
        }],
        "responses": {status: {"headers": header}},
    }
