"""subsidia restore DIR [--force] [--database-url URL]: restore a backup made by ``subsidia backup``.

Checks the SHA-256 sums of the manifest first; refuses a database that has tables, and stored files that
differ from the backup's, unless --force; then restores the database and the files and reports the restored
audit chain's head, verified against the backup's. Exits with status 1 on any problem.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from subsidia.backup import services


class Command(BaseCommand):
    help = "Restore the database and the uploaded files from a backup directory DIR."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory", metavar="DIR")
        parser.add_argument("--force", action="store_true",
                            help="replace the content of a database that is not empty, and differing files")
        parser.add_argument("--database-url", help="restore into this database instead of DATABASE_URL's")

    def handle(self, *args: Any, **options: Any) -> None:
        directory = Path(options["directory"])
        try:
            report = services.restore(directory, database_url=options["database_url"], force=options["force"])
        except services.BackupError as error:
            raise CommandError(str(error)) from error
        head = report.audit_head
        self.stdout.write(f"Restored the database and {report.files_restored} files "
                          f"({report.files_unchanged} already present) from {directory}.")
        self.stdout.write(f"Restored audit chain head: record {head.last_id} hash {head.hash} ({head.count} records).")
        if report.problems:
            raise CommandError("The restored data differs from the backup: " + "; ".join(report.problems))
        self.stdout.write("It matches the backup's manifest.")
