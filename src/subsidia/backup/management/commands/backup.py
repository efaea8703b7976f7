"""subsidia backup DIR [--database-url URL]: save the database and the uploaded files into DIR (see
subsidia.backup.services): SQLite through its online backup API, PostgreSQL through pg_dump (custom format),
the files of the default storage with their SHA-256 sums, and manifest.json with the audit chain's head."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from subsidia.backup import services


class Command(BaseCommand):
    help = "Back up the database and the uploaded files into a new or empty directory DIR."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory", metavar="DIR")
        parser.add_argument("--database-url", help="save this database instead of DATABASE_URL's")

    def handle(self, *args: Any, **options: Any) -> None:
        directory = Path(options["directory"])
        try:
            manifest = services.backup(directory, database_url=options["database_url"])
        except services.BackupError as error:
            raise CommandError(str(error)) from error
        head = manifest["audit_head"]
        self.stdout.write(f"Backed up the {manifest['database']['vendor']} database "
                          f"({sum(manifest['tables'].values())} rows in {len(manifest['tables'])} tables) and "
                          f"{len(manifest['files'])} files into {directory}.")
        self.stdout.write(f"Audit chain head: record {head['last_id']} hash {head['hash']} ({head['count']} records).")
        if not head["verified"]:
            self.stderr.write(f"Warning: the audit chain is broken at {head['problem']}")
