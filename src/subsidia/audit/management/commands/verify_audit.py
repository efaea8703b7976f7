"""subsidia verify-audit [--against HEAD_FILE ...] [--against-latest]: recompute the audit trail's hash chain.

Reports the first broken link (record id, expected vs found) and exits with status 1; with ``--against``, also
checks that the chain passes through an exported head (a file written by the daily export, on disk or in
Django's storage), which catches a chain rewritten consistently from its first record. Missing or disabled
append-only triggers are reported too.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from subsidia.audit import heads
from subsidia.audit.chain import Head
from subsidia.audit.verification import trigger_problems, verify_chain


class Command(BaseCommand):
    help = "Verify the audit trail's hash chain, optionally against exported heads; exit 1 on a broken link."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--against", action="append", default=[], metavar="HEAD_FILE",
                            help="an exported head (file path or storage name); may be repeated")
        parser.add_argument("--against-latest", action="store_true",
                            help="also check against the latest head exported to storage")
        parser.add_argument("--database", default="default", help="database alias")

    def handle(self, *args: Any, **options: Any) -> None:
        against: list[tuple[str, Head]] = []
        for name in options["against"]:
            try:
                against.append((name, heads.read_head(name)))
            except (OSError, ValueError) as error:
                raise CommandError(f"Cannot read the exported head {name}: {error}") from error
        if options["against_latest"]:
            latest = heads.latest_exported_head()
            if latest is None:
                raise CommandError(f"No exported head in storage ({heads.head_dir()}/).")
            against.append(latest)
        result = verify_chain(against=[head for _name, head in against], using=options["database"])
        problems = [f"Audit chain broken at {brk}" for brk in result.breaks]
        problems += [f"Append-only protection: {problem}" for problem in trigger_problems(options["database"])]
        if problems:
            raise CommandError("\n".join(problems))
        head = result.head
        self.stdout.write(f"Audit chain intact: {head.count} records, head record {head.last_id} hash {head.hash}.")
        for name, exported in against:
            self.stdout.write(f"Passes through the exported head {name} (record {exported.last_id}).")
