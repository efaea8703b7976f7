"""subsidia export-audit-head: what the worker does daily (see subsidia.audit.heads), run by hand."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from subsidia.audit import heads


class Command(BaseCommand):
    help = "Export the audit chain's head to storage (and e-mail it to the auditors) now."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"Exported the audit chain's head to {heads.export_head()}.")
