"""`subsidia backup DIR` and `subsidia restore DIR`: a backup restored into an empty database holds the same
rows, the same files and the same audit chain head; a damaged backup and a non-empty database are refused.
Runs on SQLite and on PostgreSQL (restored into a database of its own, created here)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from io import StringIO
from pathlib import Path
from typing import Any

import psycopg
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.db import connection, connections
from pytest_django import Settings

from subsidia.accounts.models import User
from subsidia.audit.dbroles import database_settings_from_url, temporary_connection
from subsidia.audit.models import AuditEvent
from subsidia.audit.services import record
from subsidia.audit.verification import current_head, verify_chain
from subsidia.backup.services import table_counts
from subsidia.organisations.models import Organisation
from subsidia.organisations.tests.factories import OrganisationFactory

# The backup reads committed data (pg_dump is another process; SQLite's backup API needs no open transaction).
pytestmark = pytest.mark.django_db(transaction=True)


def _admin_conninfo(dbname: str) -> str:
    s = connection.settings_dict
    return psycopg.conninfo.make_conninfo(host=s["HOST"] or "127.0.0.1", port=s["PORT"] or 5432,
                                          user=s["USER"] or "postgres", password=s["PASSWORD"] or None,
                                          dbname=dbname)


@pytest.fixture
def empty_target(tmp_path: Path) -> Iterator[str]:
    """The URL of an empty database to restore into."""
    if connection.vendor == "sqlite":
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        return
    name = f"{connection.settings_dict['NAME']}_restore"
    with psycopg.connect(_admin_conninfo("postgres"), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    s = connection.settings_dict
    yield f"postgres://{s['USER'] or 'postgres'}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{name}"
    with psycopg.connect(_admin_conninfo("postgres"), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def world(make_user: Callable[..., User]) -> dict[str, Any]:
    officer = make_user("officer")
    organisations = [OrganisationFactory.create(name=f"Association n°{n}") for n in range(3)]
    for organisation in organisations:
        record(officer, "organisation.verify", organisation, after={"verified": True})
    files = {"documents/statuts.pdf": b"%PDF-1.4 statuts", "events/photos/fête.jpg": b"\xff\xd8\xff photo"}
    for name, content in files.items():
        assert default_storage.save(name, ContentFile(content)) == name
    return {"officer": officer, "organisations": organisations, "files": files}


def run(command: str, *args: str) -> str:
    out = StringIO()
    call_command(command, *args, stdout=out)
    return out.getvalue()


def test_backup_restored_into_an_empty_database_holds_the_same_data(world: dict[str, Any], tmp_path: Path,
                                                                    empty_target: str, settings: Settings) -> None:
    backup_dir = tmp_path / "backup"
    head = current_head()
    assert head.count == 3
    output = run("backup", str(backup_dir))
    assert f"Audit chain head: record {head.last_id} hash {head.hash}" in output
    manifest = json.loads((backup_dir / "manifest.json").read_text())
    assert (manifest["audit_head"]["last_id"], manifest["audit_head"]["hash"]) == (head.last_id, head.hash)
    assert set(manifest["files"]) == set(world["files"])
    source_counts = table_counts("default")
    assert manifest["tables"] == source_counts
    source_audit = list(AuditEvent.objects.order_by("id").values_list("id", "hash", "action"))
    source_names = sorted(Organisation.objects.values_list("name", flat=True))

    settings.MEDIA_ROOT = tmp_path / "restored-media"  # an empty file storage too
    output = run("restore", str(backup_dir), "--database-url", empty_target)
    assert f"Restored audit chain head: record {head.last_id} hash {head.hash} (3 records)." in output
    assert "It matches the backup's manifest." in output

    for name, content in world["files"].items():
        assert (tmp_path / "restored-media" / name).read_bytes() == content
    with temporary_connection(database_settings_from_url(empty_target)) as alias:
        assert table_counts(alias) == source_counts
        assert sorted(Organisation.objects.using(alias).values_list("name", flat=True)) == source_names
        assert list(AuditEvent.objects.using(alias).order_by("id").values_list("id", "hash", "action")) == source_audit
        assert current_head(alias) == head
        assert verify_chain(using=alias).ok
        assert Organisation.objects.using(alias).get(pk=world["organisations"][1].pk).name == "Association n°1"


def test_restore_refuses_a_non_empty_database_unless_forced(world: dict[str, Any], tmp_path: Path,
                                                            empty_target: str) -> None:
    backup_dir = tmp_path / "backup"
    run("backup", str(backup_dir))
    run("restore", str(backup_dir), "--database-url", empty_target)
    with pytest.raises(CommandError, match="The database is not empty"):
        run("restore", str(backup_dir), "--database-url", empty_target)
    assert "It matches the backup's manifest." in run("restore", str(backup_dir), "--database-url", empty_target,
                                                      "--force")


def test_restore_checks_the_manifest_sums_before_anything(world: dict[str, Any], tmp_path: Path,
                                                          empty_target: str) -> None:
    backup_dir = tmp_path / "backup"
    run("backup", str(backup_dir))
    (backup_dir / "media" / "documents" / "statuts.pdf").write_bytes(b"%PDF-1.4 falsified")
    with pytest.raises(CommandError, match=r"media/documents/statuts.pdf: SHA-256 expected"):
        run("restore", str(backup_dir), "--database-url", empty_target)
    with temporary_connection(database_settings_from_url(empty_target)) as alias:
        assert connections[alias].introspection.table_names() == []  # nothing was restored


def test_backup_goes_into_an_empty_directory(world: dict[str, Any], tmp_path: Path) -> None:
    (tmp_path / "backup").mkdir()
    (tmp_path / "backup" / "old.txt").write_text("x")
    with pytest.raises(CommandError, match="is not empty"):
        run("backup", str(tmp_path / "backup"))
