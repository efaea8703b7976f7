"""subsidia grant-runtime-role [ROLE] [--print]: give the runtime database role its privileges (PostgreSQL).

ROLE defaults to DATABASE_URL's user. Runs as the migration role (MIGRATION_DATABASE_URL) when it is set.
``migrate`` does this by itself; this command is for a restore, or to print the SQL for a DBA.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections

from subsidia.audit import dbroles


class Command(BaseCommand):
    help = "Grant the runtime PostgreSQL role SELECT/INSERT/UPDATE/DELETE, and only SELECT/INSERT on the audit trail."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("role", nargs="?", help="the runtime role (default: DATABASE_URL's user)")
        parser.add_argument("--print", action="store_true", help="print the SQL instead of running it")
        parser.add_argument("--database", default="default")

    def handle(self, *args: Any, **options: Any) -> None:
        database = options["database"]
        connection = connections[database]
        role = options["role"] or connection.settings_dict.get("USER")
        if connection.vendor != "postgresql":
            raise CommandError("Database roles are a PostgreSQL feature; SQLite has none.")
        if not role:
            raise CommandError("Name the runtime role (DATABASE_URL has no user).")
        if options["print"]:
            for statement in dbroles.runtime_grants_sql(role, connection.settings_dict["NAME"]):
                self.stdout.write(statement + ";")
            return
        dbroles.switch_to_migration_role(database)
        dbroles.apply_runtime_grants(role, database)
        self.stdout.write(f"Granted the runtime role {role} its privileges.")
