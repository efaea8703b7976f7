"""PostgreSQL: the runtime role (DATABASE_URL's, apart from the migration role that owns the schema) may read
and append to the audit trail, and nothing else: no UPDATE, DELETE or TRUNCATE, no disabling or dropping of
its triggers. The role is created in the test database's cluster (trust authentication)."""

from __future__ import annotations

from collections.abc import Iterator
from io import StringIO

import psycopg
import pytest
from django.core.management import call_command
from django.db import connection, connections, transaction
from pytest_django import Settings

from subsidia.audit.chain import ADVISORY_LOCK_KEY
from subsidia.audit.dbroles import runtime_grants_sql, switch_to_migration_role, temporary_connection
from subsidia.audit.models import AuditEvent
from subsidia.audit.verification import verify_chain

pytestmark = [pytest.mark.django_db,
              pytest.mark.skipif(connection.vendor != "postgresql", reason="database roles are PostgreSQL's")]


def _conninfo(user: str | None = None) -> str:
    s = connection.settings_dict
    return psycopg.conninfo.make_conninfo(host=s["HOST"] or "127.0.0.1", port=s["PORT"] or 5432,
                                          user=user or s["USER"] or "postgres", password=s["PASSWORD"] or None,
                                          dbname=s["NAME"])


@pytest.fixture
def runtime_role() -> Iterator[str]:
    role = f"{connection.settings_dict['NAME']}_runtime"[:63]
    with psycopg.connect(_conninfo(), autocommit=True) as owner:
        owner.execute(f'DO $$ BEGIN CREATE ROLE "{role}" LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE; '
                      "EXCEPTION WHEN duplicate_object THEN NULL; END $$")
        for statement in runtime_grants_sql(role, connection.settings_dict["NAME"]):
            owner.execute(statement)
    yield role
    with psycopg.connect(_conninfo(), autocommit=True) as owner:
        owner.execute(f'DROP OWNED BY "{role}"')
        owner.execute(f'DROP ROLE "{role}"')


@pytest.mark.parametrize("statement", [
    "UPDATE audit_auditevent SET note = 'x'",
    "DELETE FROM audit_auditevent",
    "TRUNCATE audit_auditevent",
    "ALTER TABLE audit_auditevent DISABLE TRIGGER audit_event_no_change",
    "ALTER TABLE audit_auditevent DISABLE TRIGGER ALL",
    "DROP TRIGGER audit_event_no_change ON audit_auditevent",
    "DROP TRIGGER audit_event_no_truncate ON audit_auditevent",
    "DROP TABLE audit_auditevent",
    "CREATE FUNCTION public.f() RETURNS int AS 'SELECT 1' LANGUAGE sql",
    "UPDATE django_migrations SET name = name",
])
def test_runtime_role_cannot_change_the_trail_or_its_triggers(runtime_role: str, statement: str) -> None:
    with psycopg.connect(_conninfo(runtime_role), autocommit=True) as runtime, \
            pytest.raises(psycopg.errors.InsufficientPrivilege):
        runtime.execute(statement)


def test_runtime_role_reads_appends_and_works_on_the_other_tables(runtime_role: str) -> None:
    with psycopg.connect(_conninfo(runtime_role)) as runtime:  # one transaction, rolled back
        runtime.execute("SELECT pg_advisory_xact_lock(%s)", [ADVISORY_LOCK_KEY])
        runtime.execute("SELECT count(*) FROM audit_auditevent").fetchone()
        runtime.execute("UPDATE organisations_organisation SET name = name WHERE false")
        runtime.execute("DELETE FROM django_session WHERE false")
        runtime.rollback()
    # The application's own append path, as the runtime role.
    with temporary_connection({"USER": runtime_role, "PASSWORD": ""}) as alias, \
            pytest.raises(_Rollback), transaction.atomic(using=alias):
        event = AuditEvent(actor_label="système", action="test.append", object_type="t", object_id="1",
                           object_repr="r")
        event.save(using=alias)
        assert AuditEvent.objects.using(alias).get(pk=event.pk).hash == event.hash
        assert verify_chain(using=alias).ok
        raise _Rollback


class _Rollback(Exception):
    pass


def test_migrate_runs_as_the_migration_role_and_grants_the_runtime_role(runtime_role: str, settings: Settings) -> None:
    with psycopg.connect(_conninfo(), autocommit=True) as owner:
        owner.execute(f'REVOKE ALL ON TABLE audit_auditevent FROM "{runtime_role}"')
    owner_settings = connection.settings_dict
    settings.MIGRATION_DATABASE = {"NAME": owner_settings["NAME"], "USER": owner_settings["USER"] or "postgres",
                                   "PASSWORD": owner_settings["PASSWORD"], "HOST": owner_settings["HOST"],
                                   "PORT": owner_settings["PORT"]}
    with temporary_connection({"USER": runtime_role, "PASSWORD": ""}) as alias:
        assert switch_to_migration_role(alias) == runtime_role
        assert connections[alias].settings_dict["USER"] == (owner_settings["USER"] or "postgres")
        connections[alias].settings_dict["USER"] = runtime_role  # as DATABASE_URL says, for migrate to switch
        out = StringIO()
        call_command("migrate", database=alias, verbosity=1, stdout=out)
        assert f"Granted the runtime role {runtime_role}" in out.getvalue()
    with psycopg.connect(_conninfo(runtime_role), autocommit=True) as runtime:
        runtime.execute("SELECT count(*) FROM audit_auditevent")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            runtime.execute("DELETE FROM audit_auditevent")
