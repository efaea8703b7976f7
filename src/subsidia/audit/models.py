"""An append-only trail of who did what, when, to which object, with the values before and after.

Append-only is enforced three times: the model refuses to save an existing row or delete one, the
queryset refuses bulk update and delete, and database triggers (see the migrations) refuse UPDATE,
DELETE and (PostgreSQL) TRUNCATE statements that bypass the ORM.

Those refusals stop mistakes and a runtime database role that only has SELECT and INSERT on the table
(see ``audit.dbroles``); they do not stop the table's owner. What the owner changes is made evident by the
hash chain (``audit.chain``): every record carries the hash of its content and of the record before it.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connections, models, router, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import chain


class AppendOnlyError(Exception):
    """An attempt to change or remove an audit record."""


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyError("Audit events cannot be changed.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("Audit events cannot be deleted.")

    def bulk_update(self, *args: Any, **kwargs: Any) -> int:
        raise AppendOnlyError("Audit events cannot be changed.")

    def bulk_create(self, objs: Any, *args: Any, **kwargs: Any) -> list[AuditEvent]:
        # Each record is chained to the one before it: appended one at a time, in order.
        objs = list(objs)
        with transaction.atomic(using=self.db):
            for obj in objs:
                obj.save(using=self.db)
        return objs


class AuditEvent(models.Model):
    occurred_at = models.DateTimeField(_("date"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("auteur"),
    )
    # A copy of the actor's e-mail at the time, so the trail reads the same after an account changes.
    actor_label = models.CharField(_("auteur (au moment des faits)"), max_length=254)
    action = models.CharField(_("action"), max_length=100, db_index=True)
    object_type = models.CharField(_("type d'objet"), max_length=100, db_index=True)
    object_id = models.CharField(_("identifiant de l'objet"), max_length=64, db_index=True)
    object_repr = models.CharField(_("objet"), max_length=300)
    before = models.JSONField(_("avant"), null=True, blank=True, encoder=DjangoJSONEncoder)
    after = models.JSONField(_("après"), null=True, blank=True, encoder=DjangoJSONEncoder)
    note = models.TextField(_("note"), blank=True)
    # The hash chain (see audit.chain): the previous record's hash, and this record's.
    prev_hash = models.CharField(_("empreinte précédente"), max_length=64, editable=False)
    hash = models.CharField(_("empreinte"), max_length=64, unique=True, editable=False)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("événement d'audit")
        verbose_name_plural = _("événements d'audit")
        ordering = ["-occurred_at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object_idx")]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.object_repr}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not self._state.adding:
            raise AppendOnlyError("Audit events cannot be changed.")
        using = kwargs.get("using") or router.db_for_write(type(self), instance=self)
        kwargs["using"] = using
        kwargs["force_insert"] = True
        with transaction.atomic(using=using):
            self._chain(using)
            super().save(*args, **kwargs)

    def _chain(self, using: str) -> None:
        """Take the chain's lock (held until commit), then link this record to the current head."""
        chain.lock_chain(using)
        last = type(self).objects.using(using).order_by("-id").values_list("id", "hash").first()
        self.prev_hash = last[1] if last else chain.GENESIS
        self.id = _next_id(using, last[0] if last else 0)
        if self.occurred_at is None:
            self.occurred_at = timezone.now()
        self.before = chain.normalise_json(self.before)
        self.after = chain.normalise_json(self.after)
        self.hash = chain.compute_hash({name: getattr(self, name) for name in chain.HASHED_FIELDS}, self.prev_hash)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("Audit events cannot be deleted.")

    @property
    def changes(self) -> list[tuple[str, Any, Any]]:
        """The fields whose value differs between before and after, for display."""
        before, after = self.before or {}, self.after or {}
        keys = sorted(set(before) | set(after))
        return [(k, before.get(k), after.get(k)) for k in keys if before.get(k) != after.get(k)]


def _next_id(using: str, last_id: int) -> int:
    """The id of the record being appended, known before the INSERT because the hash covers it."""
    connection = connections[using]
    table = AuditEvent._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id'))", [table])
            return int(cursor.fetchone()[0])
        if connection.vendor == "sqlite":
            # AUTOINCREMENT never reuses an id, even of a row removed behind the triggers' back.
            cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
            row = cursor.fetchone()
            return max(last_id, int(row[0]) if row else 0) + 1
    return last_id + 1
