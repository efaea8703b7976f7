"""Keeping the search index up to date: one object at a time (after each change, see signals.py) or all at once
(:func:`rebuild`, also ``subsidia rebuild-search-index``).

Each entry's fields hold the Python-computed stems (see text.py); the database's full-text index is built from
those stems, so that both engines index exactly the same words:

- SQLite: the FTS5 table ``search_fts`` (rowid = entry id);
- PostgreSQL: ``vector = setweight(to_tsvector('french', title stems), 'A') || … 'B' || … 'C'`` with a GIN index.
  PostgreSQL's French configuration stems the stems once more; two words with the same Snowball stem keep the
  same lexeme, so the engine finds at least every entry the Python stems match (selectors.py keeps exactly those).
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from .models import SearchEntry
from .providers import Document, Provider, providers
from .text import stems

logger = logging.getLogger(__name__)

FTS_TABLE = "search_fts"
TABLE = SearchEntry._meta.db_table


def _entry_values(document: Document) -> dict[str, Any]:
    return {
        "title": document.title[:300], "summary": document.summary, "body": document.body,
        "slug": document.slug[:200], "parent_slug": document.parent_slug[:200], "date": document.date,
        "is_example": document.is_example, "language": "fr",
        "title_stems": " ".join(stems(document.title)), "summary_stems": " ".join(stems(document.summary)),
        "body_stems": " ".join(stems(document.body)), "indexed_at": timezone.now(),
    }


def _sync_engine(entry_ids: list[int] | None) -> None:
    """Copy the stems of these entries (all entries: None) into the database's full-text index."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            if entry_ids is None:
                cursor.execute(f"DELETE FROM {FTS_TABLE}")  # noqa: S608 - constant table names
                cursor.execute(f"INSERT INTO {FTS_TABLE} (rowid, title, summary, body) "  # noqa: S608
                               f"SELECT id, title_stems, summary_stems, body_stems FROM {TABLE}")
                return
            for entry_id in entry_ids:
                cursor.execute(f"DELETE FROM {FTS_TABLE} WHERE rowid = %s", [entry_id])  # noqa: S608
                cursor.execute(f"INSERT INTO {FTS_TABLE} (rowid, title, summary, body) "  # noqa: S608
                               f"SELECT id, title_stems, summary_stems, body_stems FROM {TABLE} WHERE id = %s",
                               [entry_id])
        elif connection.vendor == "postgresql":
            where, params = ("", []) if entry_ids is None else (" WHERE id = ANY(%s)", [list(entry_ids)])
            cursor.execute(
                f"UPDATE {TABLE} SET vector = setweight(to_tsvector('french', title_stems), 'A') "  # noqa: S608
                "|| setweight(to_tsvector('french', summary_stems), 'B') "
                "|| setweight(to_tsvector('french', body_stems), 'C')" + where, params)


def _drop_from_engine(entry_ids: list[int]) -> None:
    if connection.vendor == "sqlite" and entry_ids:
        with connection.cursor() as cursor:
            for entry_id in entry_ids:
                cursor.execute(f"DELETE FROM {FTS_TABLE} WHERE rowid = %s", [entry_id])  # noqa: S608


def remove(kind: str, object_id: int) -> None:
    """Drop one object from the index (nothing if it is not there)."""
    with transaction.atomic():
        ids = list(SearchEntry.objects.filter(kind=kind, object_id=object_id).values_list("id", flat=True))
        if ids:
            SearchEntry.objects.filter(id__in=ids).delete()
            _drop_from_engine(ids)


def index_object(kind: str, object_id: int) -> bool:
    """(Re)index one object as it is now in the database, or drop it if it is no longer public.
    True if it is in the index afterwards."""
    provider = providers()[kind]
    obj = provider.public().filter(pk=object_id).first()
    if obj is None:
        remove(kind, object_id)
        return False
    with transaction.atomic():
        entry, _created = SearchEntry.objects.update_or_create(
            kind=kind, object_id=object_id, defaults=_entry_values(provider.document(obj)))
        _sync_engine([entry.pk])
    return True


def _index_all(provider: Provider) -> list[SearchEntry]:
    return [SearchEntry(kind=provider.kind, object_id=obj.pk, **_entry_values(provider.document(obj)))
            for obj in provider.public().order_by("pk").iterator(chunk_size=500)]


def rebuild() -> int:
    """Reindex every public object from scratch; returns the number of entries."""
    with transaction.atomic():
        SearchEntry.objects.all().delete()
        count = 0
        for provider in providers().values():
            entries = _index_all(provider)
            SearchEntry.objects.bulk_create(entries, batch_size=500)
            count += len(entries)
        _sync_engine(None)
    logger.info("Search index rebuilt: %s entries", count)
    return count
