"""Backups of the database and the uploaded files, and their restoration.

A backup is a directory::

    manifest.json        what was saved: database file and its SHA-256, the audit chain's head, the number of
                         rows of each table, and every uploaded file with its SHA-256 and size
    database.sqlite3     SQLite: a copy made with SQLite's online backup API (a consistent snapshot)
    database.pgdump      PostgreSQL: pg_dump's custom format, of a snapshot exported by the transaction in
                         which the audit head and the row counts are read, so that all three agree
    media/...            the files of Django's default storage (filesystem or S3), under their storage names

The database is saved first and the files after: uploads are never rewritten in place (every version is
kept), so every file the saved database refers to is in the backup. manifest.json is written last; a
directory without it is an incomplete backup.

Restoring checks every SHA-256 of the manifest before touching anything, refuses a database that already
has tables (and files that differ from the backup's) unless ``force``, restores, then verifies the restored
audit chain against the head of the manifest and the row counts against the manifest's.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.files import File
from django.core.files.storage import Storage, default_storage
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.utils import timezone

from subsidia.audit import dbroles
from subsidia.audit.chain import Head
from subsidia.audit.verification import current_head, verify_chain

MANIFEST = "manifest.json"
FORMAT = 1
SQLITE_FILE = "database.sqlite3"
PG_FILE = "database.pgdump"
MEDIA_DIR = "media"
CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup or a restore that cannot be done, with the reason."""


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _utc(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def database_settings(database_url: str | None = None) -> dict[str, Any]:
    """The database to save or restore: DATABASE_URL's (as the migration role, if any), or the URL given."""
    if database_url:
        return dbroles.database_settings_from_url(database_url)
    config = dict(connections.settings[DEFAULT_DB_ALIAS])
    if config["ENGINE"].endswith("postgresql"):
        config.update(dbroles.migration_credentials() or {})
    return config


def _vendor(config: dict[str, Any]) -> str:
    engine = config["ENGINE"]
    if engine.endswith("sqlite3"):
        return "sqlite"
    if engine.endswith("postgresql"):
        return "postgresql"
    raise BackupError(f"Unsupported database engine {engine}.")


def _pg_env(config: dict[str, Any]) -> dict[str, str]:
    env = dict(os.environ)
    for variable, key in (("PGHOST", "HOST"), ("PGPORT", "PORT"), ("PGUSER", "USER"), ("PGPASSWORD", "PASSWORD"),
                          ("PGDATABASE", "NAME")):
        value = config.get(key)
        if value:
            env[variable] = str(value)
        else:
            env.pop(variable, None)
    sslmode = (config.get("OPTIONS") or {}).get("sslmode")
    if sslmode:
        env["PGSSLMODE"] = str(sslmode)
    return env


def _run(command: list[str], config: dict[str, Any]) -> None:
    executable = shutil.which(command[0])
    if executable is None:
        raise BackupError(f"{command[0]} is not installed (PostgreSQL's client tools are needed).")
    completed = subprocess.run([executable, *command[1:]], env=_pg_env(config), capture_output=True,  # noqa: S603
                               text=True, check=False)
    if completed.returncode != 0:
        raise BackupError(f"{command[0]} failed: {completed.stderr.strip() or completed.stdout.strip()}")


def table_counts(using: str) -> dict[str, int]:
    connection = connections[using]
    counts = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608 - known names
            counts[table] = int(cursor.fetchone()[0])
    return counts


def _audit_state(using: str) -> dict[str, Any]:
    verification = verify_chain(using=using)
    return {
        **current_head(using).as_dict(),
        "verified": verification.ok,
        "problem": str(verification.breaks[0]) if verification.breaks else None,
    }


def _storage_files(storage: Storage, directory: str = "") -> Iterator[str]:
    try:
        dirs, files = storage.listdir(directory)
    except (FileNotFoundError, NotADirectoryError):
        return
    for name in sorted(files):
        yield f"{directory}/{name}" if directory else name
    for sub in sorted(dirs):
        yield from _storage_files(storage, f"{directory}/{sub}" if directory else sub)


def _sqlite_readonly(path: Path) -> dict[str, Any]:
    return {"ENGINE": "django.db.backends.sqlite3", "NAME": f"file:{path}?mode=ro", "OPTIONS": {}}


# --- Backup ---------------------------------------------------------------------------------------------------


def _backup_sqlite(config: dict[str, Any], target: Path, from_default: bool) -> dict[str, Any]:
    destination = sqlite3.connect(target)
    try:
        if from_default:
            # Django's own connection: also right for a test's in-memory database.
            connection = connections[DEFAULT_DB_ALIAS]
            if connection.in_atomic_block:
                raise BackupError("A backup cannot be taken inside a transaction.")
            connection.ensure_connection()
            connection.connection.backup(destination)
        else:
            source = sqlite3.connect(f"file:{config['NAME']}?mode=ro", uri=True)
            try:
                source.backup(destination)
            finally:
                source.close()
        destination.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
    finally:
        destination.close()
    with dbroles.temporary_connection(_sqlite_readonly(target)) as alias:
        return {"audit_head": _audit_state(alias), "tables": table_counts(alias)}


def _backup_postgres(config: dict[str, Any], target: Path) -> dict[str, Any]:
    with dbroles.temporary_connection(config) as alias, transaction.atomic(using=alias):
        with connections[alias].cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
        _run(["pg_dump", "--format=custom", f"--snapshot={snapshot}", f"--file={target}"], config)
        return {"audit_head": _audit_state(alias), "tables": table_counts(alias)}


def backup(directory: Path, *, database_url: str | None = None, storage: Storage | None = None) -> dict[str, Any]:
    """Save the database and the uploaded files into ``directory`` (new or empty); return the manifest."""
    storage = storage or default_storage
    if directory.exists() and any(directory.iterdir()):
        raise BackupError(f"{directory} is not empty: a backup goes into a new or empty directory.")
    directory.mkdir(parents=True, exist_ok=True)
    config = database_settings(database_url)
    vendor = _vendor(config)
    started = timezone.now()
    database_file = directory / (SQLITE_FILE if vendor == "sqlite" else PG_FILE)
    if vendor == "sqlite":
        state = _backup_sqlite(config, database_file, from_default=database_url is None)
    else:
        state = _backup_postgres(config, database_file)
    files: dict[str, dict[str, Any]] = {}
    media = directory / MEDIA_DIR
    for name in _storage_files(storage):
        path = media / name
        path.parent.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        with storage.open(name, "rb") as source, path.open("wb") as copy:
            while chunk := source.read(CHUNK):
                digest.update(chunk)
                copy.write(chunk)
        files[name] = {"sha256": digest.hexdigest(), "size": path.stat().st_size}
    manifest = {
        "format": FORMAT,
        "created_at": _utc(started),
        "finished_at": _utc(timezone.now()),
        "database": {"vendor": vendor, "file": database_file.name, "sha256": sha256_file(database_file),
                     "size": database_file.stat().st_size},
        **state,
        "files": files,
    }
    (directory / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return manifest


# --- Restore --------------------------------------------------------------------------------------------------


@dataclass
class RestoreReport:
    audit_head: Head
    files_restored: int = 0
    files_unchanged: int = 0
    problems: list[str] = field(default_factory=list)


def read_manifest(directory: Path) -> dict[str, Any]:
    try:
        manifest = json.loads((directory / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError as error:
        raise BackupError(f"{directory} holds no {MANIFEST}: not a (complete) backup.") from error
    if manifest.get("format") != FORMAT:
        raise BackupError(f"Unknown backup format {manifest.get('format')!r}.")
    return manifest


def check_sums(directory: Path, manifest: dict[str, Any]) -> list[str]:
    """What differs from the manifest: a missing file or a wrong SHA-256."""
    wanted = {manifest["database"]["file"]: manifest["database"]["sha256"]}
    wanted.update({f"{MEDIA_DIR}/{name}": entry["sha256"] for name, entry in manifest["files"].items()})
    problems = []
    for relative, expected in sorted(wanted.items()):
        path = directory / relative
        if not path.is_file():
            problems.append(f"{relative} is missing")
        elif (found := sha256_file(path)) != expected:
            problems.append(f"{relative}: SHA-256 expected {expected}, found {found}")
    return problems


def _storage_sha256(storage: Storage, name: str) -> str:
    digest = hashlib.sha256()
    with storage.open(name, "rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _existing_tables(config: dict[str, Any]) -> list[str]:
    if _vendor(config) == "sqlite" and not Path(config["NAME"]).exists():
        return []
    with dbroles.temporary_connection(config) as alias:
        return sorted(connections[alias].introspection.table_names())


def _refuse_unrestorable(directory: Path, manifest: dict[str, Any], config: dict[str, Any], storage: Storage,
                         force: bool) -> None:
    """Refuse before anything is written: sums, vendor, target, a database or files that would be replaced."""
    problems = check_sums(directory, manifest)
    if problems:
        raise BackupError("The backup does not match its manifest: " + "; ".join(problems))
    vendor = _vendor(config)
    if vendor != manifest["database"]["vendor"]:
        raise BackupError(f"The backup is of a {manifest['database']['vendor']} database, the target is {vendor}.")
    if vendor == "sqlite" and (not config["NAME"] or str(config["NAME"]).startswith(("file:", ":memory:"))):
        raise BackupError("Restore into an SQLite database file (DATABASE_URL=sqlite:///path or --database-url).")
    tables = _existing_tables(config)
    if tables and not force:
        raise BackupError(f"The database is not empty ({len(tables)} tables, e.g. {tables[0]}): restore into an "
                          "empty database, or give --force to replace its content.")
    different = [name for name, entry in manifest["files"].items()
                 if storage.exists(name) and _storage_sha256(storage, name) != entry["sha256"]]
    if different and not force:
        raise BackupError(f"{len(different)} files in storage differ from the backup's (e.g. {different[0]}); "
                          "give --force to replace them.")


def _restore_database(directory: Path, manifest: dict[str, Any], config: dict[str, Any], *,
                      database_url: str | None, force: bool) -> None:
    database_file = directory / manifest["database"]["file"]
    if _vendor(config) == "sqlite":
        if database_url is None:
            connections[DEFAULT_DB_ALIAS].close()
        source = sqlite3.connect(f"file:{database_file}?mode=ro", uri=True)
        destination = sqlite3.connect(config["NAME"])
        try:
            source.backup(destination)
        finally:
            source.close()
            destination.close()
        return
    command = ["pg_restore", "--no-owner", "--no-acl", "--exit-on-error", "--single-transaction",
               f"--dbname={config['NAME']}"]
    if force:
        command += ["--clean", "--if-exists"]
    _run([*command, str(database_file)], config)
    runtime_role = connections.settings[DEFAULT_DB_ALIAS].get("USER") if database_url is None else None
    if runtime_role and dbroles.migration_credentials() and runtime_role != config.get("USER"):
        with dbroles.temporary_connection(config) as alias:
            dbroles.apply_runtime_grants(runtime_role, alias)


def _restore_files(directory: Path, manifest: dict[str, Any], storage: Storage, report: RestoreReport) -> None:
    for name, entry in manifest["files"].items():
        if storage.exists(name):
            if _storage_sha256(storage, name) == entry["sha256"]:
                report.files_unchanged += 1
                continue
            storage.delete(name)
        with (directory / MEDIA_DIR / name).open("rb") as handle:
            saved = storage.save(name, File(handle, name=name))
        if saved != name:
            report.problems.append(f"{name} was stored as {saved}")
        report.files_restored += 1


def _verify_restored(manifest: dict[str, Any], config: dict[str, Any], database_url: str | None,
                     report: RestoreReport) -> None:
    """The restored audit chain passes through the backup's head, and every table has the backup's rows."""
    restored = database_settings(database_url)
    if _vendor(config) == "sqlite":
        restored = _sqlite_readonly(Path(config["NAME"]))
    with dbroles.temporary_connection(restored) as alias:
        expected = Head.from_dict(manifest["audit_head"])
        verification = verify_chain(against=[expected], using=alias)
        report.audit_head = current_head(alias)
        report.problems += [f"audit chain: {brk}" for brk in verification.breaks]
        counts = table_counts(alias)
    for table, count in manifest["tables"].items():
        if counts.get(table) != count:
            report.problems.append(f"table {table}: {count} rows in the backup, {counts.get(table)} restored")


def restore(directory: Path, *, database_url: str | None = None, force: bool = False,
            storage: Storage | None = None) -> RestoreReport:
    storage = storage or default_storage
    manifest = read_manifest(directory)
    config = database_settings(database_url)
    _refuse_unrestorable(directory, manifest, config, storage, force)
    _restore_database(directory, manifest, config, database_url=database_url, force=force)
    report = RestoreReport(audit_head=Head.from_dict(manifest["audit_head"]))
    _restore_files(directory, manifest, storage, report)
    _verify_restored(manifest, config, database_url, report)
    return report
