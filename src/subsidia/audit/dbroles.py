"""Two PostgreSQL roles: one that owns the schema and migrates it, one the application runs as.

The triggers that refuse UPDATE, DELETE and TRUNCATE of the audit trail do not stop the owner of the table
(it may disable or drop them). So in production the application connects as a *runtime* role
(``DATABASE_URL``) that owns nothing, and the schema belongs to a *migration* role
(``MIGRATION_DATABASE_URL``, same database): ``subsidia migrate``, ``backup`` and ``restore`` connect as the
migration role, and ``migrate`` ends by granting the runtime role what it needs — SELECT, INSERT, UPDATE,
DELETE on the application's tables, but only SELECT and INSERT on the audit trail and SELECT on
``django_migrations``. The runtime role can then neither change nor remove an audit record, nor disable or
drop a trigger (only an owner can). ``scripts/db-roles.sql`` creates the two roles.

Without ``MIGRATION_DATABASE_URL`` (and on SQLite, which has no roles) everything runs as the one role, and
the hash chain with its exported heads is what makes tampering evident.
"""

from __future__ import annotations

import copy
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import environ
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.utils import load_backend

APPEND_ONLY_TABLES = ("audit_auditevent",)
READ_ONLY_TABLES = ("django_migrations",)
CREDENTIALS = ("USER", "PASSWORD", "HOST", "PORT")


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def runtime_grants_sql(role: str, database: str, *, schema: str = "public",
                       quote: Callable[[str], str] = _quote) -> list[str]:
    """The statements, run by the owner of the tables, that give ``role`` the runtime privileges."""
    r, s = quote(role), quote(schema)
    statements = [
        f"GRANT CONNECT ON DATABASE {quote(database)} TO {r}",
        f"GRANT USAGE ON SCHEMA {s} TO {r}",
        f"REVOKE CREATE ON SCHEMA {s} FROM {r}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {s} TO {r}",
        f"REVOKE TRUNCATE, REFERENCES, TRIGGER ON ALL TABLES IN SCHEMA {s} FROM {r}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {s} TO {r}",
        # Tables created by later migrations (of the role running this) get the same privileges.
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA {s} GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {r}",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA {s} GRANT USAGE, SELECT ON SEQUENCES TO {r}",
    ]
    for table in APPEND_ONLY_TABLES:
        statements += [f"REVOKE ALL ON TABLE {s}.{quote(table)} FROM {r}",
                       f"GRANT SELECT, INSERT ON TABLE {s}.{quote(table)} TO {r}"]
    for table in READ_ONLY_TABLES:
        statements += [f"REVOKE ALL ON TABLE {s}.{quote(table)} FROM {r}",
                       f"GRANT SELECT ON TABLE {s}.{quote(table)} TO {r}"]
    return statements


def apply_runtime_grants(role: str, using: str = DEFAULT_DB_ALIAS) -> list[str]:
    connection = connections[using]
    statements = runtime_grants_sql(role, connection.settings_dict["NAME"], quote=connection.ops.quote_name)
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
    return statements


def migration_credentials() -> dict[str, Any] | None:
    """USER, PASSWORD, HOST and PORT of MIGRATION_DATABASE_URL, or None when it is not set."""
    configured = getattr(settings, "MIGRATION_DATABASE", None)
    if not configured:
        return None
    return {key: configured.get(key, "") for key in CREDENTIALS}


def switch_to_migration_role(using: str = DEFAULT_DB_ALIAS) -> str | None:
    """Make this process connect as the migration role; return the runtime role to grant, if any.

    Only the credentials change: the database name stays (a test run migrates its own test database)."""
    credentials = migration_credentials()
    connection = connections[using]
    if credentials is None or connection.vendor != "postgresql":
        return None
    runtime_role = connection.settings_dict.get("USER") or None
    connection.close()
    connection.settings_dict.update(credentials)
    return runtime_role if runtime_role and runtime_role != credentials["USER"] else None


def database_settings_from_url(url: str) -> dict[str, Any]:
    return dict(environ.Env.db_url_config(url))


@contextmanager
def temporary_connection(overrides: dict[str, Any] | None = None, base: str = DEFAULT_DB_ALIAS) -> Iterator[str]:
    """A connection alias to another database (or as another role), closed and forgotten afterwards."""
    alias = f"subsidia_tmp_{uuid.uuid4().hex[:8]}"
    config = copy.deepcopy(connections.settings[base])
    if overrides:
        if overrides.get("ENGINE", config["ENGINE"]) != config["ENGINE"]:
            config = {key: value for key, value in config.items() if key in {"TIME_ZONE", "TEST", "ATOMIC_REQUESTS",
                                                                            "AUTOCOMMIT", "CONN_HEALTH_CHECKS"}}
            config.setdefault("OPTIONS", {})
        config.update(overrides)
    config["CONN_MAX_AGE"] = 0
    for key, default in (("OPTIONS", {}), ("USER", ""), ("PASSWORD", ""), ("HOST", ""), ("PORT", ""),
                         ("TIME_ZONE", None), ("ATOMIC_REQUESTS", False), ("AUTOCOMMIT", True),
                         ("CONN_HEALTH_CHECKS", False), ("TEST", {})):
        config.setdefault(key, default)
    # Not registered in settings.DATABASES: an ad hoc connection (which Django's test cases also allow).
    connections[alias] = load_backend(config["ENGINE"]).DatabaseWrapper(config, alias)
    try:
        yield alias
    finally:
        try:
            connections[alias].close()
        finally:
            del connections[alias]
