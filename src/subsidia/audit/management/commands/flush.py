"""Django's ``flush``, which empties every table, the audit trail included.

On PostgreSQL the trail refuses TRUNCATE (a BEFORE TRUNCATE trigger) unless the session says
``subsidia.allow_audit_truncate = on``: this command says so for the time of the flush, so that tests which
commit (``transaction=True``) and a developer's reset keep working. It is no way around the protection for
the application: the runtime database role has no TRUNCATE privilege, and the owner could drop the trigger.
On SQLite, whose flush is a DELETE, the append-only triggers are dropped for the time of the flush and created
again from their stored definition.
"""

from __future__ import annotations

from typing import Any

from django.core.management.commands import flush
from django.db import DEFAULT_DB_ALIAS, connections

from subsidia.audit.models import AuditEvent


class Command(flush.Command):
    def handle(self, **options: Any) -> None:
        connection = connections[options.get("database") or DEFAULT_DB_ALIAS]
        if connection.vendor == "sqlite":
            self._flush_sqlite(connection, options)
            return
        if connection.vendor != "postgresql":
            super().handle(**options)
            return
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('subsidia.allow_audit_truncate', 'on', false)")
        try:
            super().handle(**options)
        finally:
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config('subsidia.allow_audit_truncate', '', false)")

    def _flush_sqlite(self, connection: Any, options: dict[str, Any]) -> None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s",
                           [AuditEvent._meta.db_table])
            triggers = cursor.fetchall()
            for name, _sql in triggers:
                cursor.execute(f"DROP TRIGGER {connection.ops.quote_name(name)}")
        try:
            super().handle(**options)
        finally:
            with connection.cursor() as cursor:
                for _name, sql in triggers:
                    cursor.execute(sql)
