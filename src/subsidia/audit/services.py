"""Writing the audit trail. Every service that changes data calls :func:`record` inside its
transaction, so the record and the change are committed together or not at all."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

from subsidia.accounts.models import User

from .models import AuditEvent


def snapshot(obj: models.Model, fields: Iterable[str] | None = None) -> dict[str, Any]:
    """The JSON-ready values of a model instance's concrete and many-to-many fields."""
    opts = obj._meta
    data: dict[str, Any] = {}
    wanted = set(fields) if fields is not None else None
    for field in opts.concrete_fields:
        if wanted is not None and field.name not in wanted:
            continue
        if field.name in {"password"}:
            continue
        data[field.name] = field.value_from_object(obj)
    if obj.pk is not None:
        for m2m in opts.many_to_many:
            if wanted is not None and m2m.name not in wanted:
                continue
            data[m2m.name] = sorted(str(v) for v in getattr(obj, m2m.name).values_list("pk", flat=True))
    # Normalise through JSON so that dates, decimals and files compare and store the same way.
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder, default=str))


def record(
    actor: object,
    action: str,
    obj: models.Model,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    note: str = "",
) -> AuditEvent:
    """Append one event to the trail. ``actor`` is a user, or None for the system."""
    user = actor if isinstance(actor, User) and actor.is_authenticated else None
    return AuditEvent.objects.create(
        actor=user,
        actor_label=user.email if user is not None else "système",
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        object_repr=str(obj)[:300],
        before=before,
        after=after,
        note=note,
    )
