"""The port through which core's machinery writes the audit trail without importing the audit app.

The audit app registers its writer when Django starts (``AuditConfig.ready``); core's workflow engine calls
:func:`record`. Core stays at the bottom of the layers, and no change goes unaudited: with no writer
registered, :func:`record` raises instead of skipping the record."""

from __future__ import annotations

from typing import Any, Protocol

from django.core.exceptions import ImproperlyConfigured
from django.db import models


class Recorder(Protocol):
    def __call__(self, actor: object, action: str, obj: models.Model, *, before: dict[str, Any] | None = None,
                 after: dict[str, Any] | None = None, note: str = "") -> object: ...


class Snapshotter(Protocol):
    def __call__(self, obj: models.Model, fields: Any = None) -> dict[str, Any]: ...


_writer: tuple[Recorder, Snapshotter] | None = None


def register(recorder: Recorder, snapshotter: Snapshotter) -> None:
    global _writer
    _writer = (recorder, snapshotter)


def _registered() -> tuple[Recorder, Snapshotter]:
    if _writer is None:
        raise ImproperlyConfigured("No audit writer is registered: add subsidia.audit to INSTALLED_APPS.")
    return _writer


def record(actor: object, action: str, obj: models.Model, *, before: dict[str, Any] | None = None,
           after: dict[str, Any] | None = None, note: str = "") -> object:
    """Append one event to the audit trail, in the caller's transaction."""
    return _registered()[0](actor, action, obj, before=before, after=after, note=note)


def snapshot(obj: models.Model, fields: Any = None) -> dict[str, Any]:
    """The JSON-ready values of ``obj``'s fields (all, or those named), as the audit trail stores them."""
    return _registered()[1](obj, fields)
