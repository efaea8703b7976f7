"""The hash chain (see subsidia.audit.chain): every record gets prev_hash and hash, computed here for the
records written before; and PostgreSQL now refuses TRUNCATE of the trail too.

On SQLite, adding a column rebuilds the table, which drops its triggers: they are created again at the end.
"""

from django.db import migrations, models

from subsidia.audit.chain import GENESIS, HASHED_FIELDS, compute_hash, lock_chain

SQLITE_TRIGGERS = [
    "DROP TRIGGER IF EXISTS audit_event_no_update;",
    "DROP TRIGGER IF EXISTS audit_event_no_delete;",
    """CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_auditevent
       BEGIN SELECT RAISE(ABORT, 'audit trail is append-only'); END;""",
    """CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_auditevent
       BEGIN SELECT RAISE(ABORT, 'audit trail is append-only'); END;""",
]
SQLITE_DROP = ["DROP TRIGGER IF EXISTS audit_event_no_update;", "DROP TRIGGER IF EXISTS audit_event_no_delete;"]

# TRUNCATE is refused as well. The one exception is Django's `flush` (tests that commit, a developer's reset),
# which says so with the session setting subsidia.allow_audit_truncate (see audit/management/commands/flush.py):
# the owner of the table can drop the trigger anyway, and the runtime role has no TRUNCATE privilege at all.
POSTGRES_TRIGGERS = [
    "ALTER TABLE audit_auditevent ENABLE TRIGGER audit_event_no_change;",
    """CREATE OR REPLACE FUNCTION audit_event_refuse_truncate() RETURNS trigger AS $$
       BEGIN
         IF coalesce(current_setting('subsidia.allow_audit_truncate', true), '') = 'on' THEN RETURN NULL; END IF;
         RAISE EXCEPTION 'audit trail is append-only';
       END; $$ LANGUAGE plpgsql;""",
    "DROP TRIGGER IF EXISTS audit_event_no_truncate ON audit_auditevent;",
    """CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_auditevent
       FOR EACH STATEMENT EXECUTE FUNCTION audit_event_refuse_truncate();""",
]
POSTGRES_DROP = [
    "DROP TRIGGER IF EXISTS audit_event_no_truncate ON audit_auditevent;",
    "DROP FUNCTION IF EXISTS audit_event_refuse_truncate();",
]


def _execute(schema_editor, statements):
    for statement in statements:
        schema_editor.execute(statement)


def compute_existing_hashes(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    alias = schema_editor.connection.alias
    if vendor == "sqlite":
        _execute(schema_editor, SQLITE_DROP)
    elif vendor == "postgresql":
        schema_editor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER audit_event_no_change;")
    lock_chain(alias)
    AuditEvent = apps.get_model("audit", "AuditEvent")
    prev_hash = GENESIS
    for row in AuditEvent.objects.using(alias).order_by("id").values(*HASHED_FIELDS).iterator(chunk_size=2000):
        digest = compute_hash(row, prev_hash)
        AuditEvent.objects.using(alias).filter(pk=row["id"]).update(prev_hash=prev_hash, hash=digest)
        prev_hash = digest


def create_triggers(apps, schema_editor):
    _execute(schema_editor, {"sqlite": SQLITE_TRIGGERS, "postgresql": POSTGRES_TRIGGERS}.get(
        schema_editor.connection.vendor, []))


def drop_new_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        _execute(schema_editor, POSTGRES_DROP)


def restore_old_triggers(apps, schema_editor):
    # Last step of unapplying: the triggers of 0002, which SQLite's table rebuilds dropped.
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        _execute(schema_editor, SQLITE_TRIGGERS)
    elif vendor == "postgresql":
        schema_editor.execute("ALTER TABLE audit_auditevent ENABLE TRIGGER audit_event_no_change;")


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_append_only_triggers")]

    operations = [
        migrations.RunPython(migrations.RunPython.noop, restore_old_triggers, elidable=False),
        migrations.AddField(
            model_name="auditevent",
            name="prev_hash",
            field=models.CharField(default="", editable=False, max_length=64, verbose_name="empreinte précédente"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="auditevent",
            name="hash",
            field=models.CharField(default="", editable=False, max_length=64, verbose_name="empreinte"),
            preserve_default=False,
        ),
        migrations.RunPython(compute_existing_hashes, migrations.RunPython.noop, elidable=False),
        migrations.AlterField(
            model_name="auditevent",
            name="hash",
            field=models.CharField(editable=False, max_length=64, unique=True, verbose_name="empreinte"),
        ),
        migrations.RunPython(create_triggers, drop_new_triggers, elidable=False),
    ]
