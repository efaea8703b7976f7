"""Django's ``migrate``, run as the migration role when MIGRATION_DATABASE_URL is set (see audit.dbroles).

It then grants the runtime role (DATABASE_URL's user) its privileges on the tables as they now are: SELECT
and INSERT only on the audit trail.
"""

from __future__ import annotations

from typing import Any

from django.core.management.commands import migrate

from subsidia.audit import dbroles


class Command(migrate.Command):
    def execute(self, *args: Any, **options: Any) -> Any:
        database = options.get("database") or "default"
        runtime_role = dbroles.switch_to_migration_role(database)
        result = super().execute(*args, **options)
        if runtime_role and not options.get("plan"):
            dbroles.apply_runtime_grants(runtime_role, database)
            if options.get("verbosity", 1) >= 1:
                self.stdout.write(f"Granted the runtime role {runtime_role} its privileges "
                                  "(SELECT and INSERT only on the audit trail).")
        return result
