"""subsidia rebuild-search-index: reindex every public object (good practices, FAQ, news, events, calls, the
directory) from scratch."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from subsidia.search import index


class Command(BaseCommand):
    help = "Rebuild the search index from the published good practices, FAQ, news, events, calls and directory."

    def handle(self, *args: Any, **options: Any) -> None:
        count = index.rebuild()
        self.stdout.write(f"Search index rebuilt: {count} entries.")
