"""The database's own full-text index beside the search entries (not a model field, since it differs by engine):

- SQLite: an FTS5 table ``search_fts`` (rowid = entry id) over the stems of the title, the summary and the body;
- PostgreSQL: a ``vector`` tsvector column, ``setweight(to_tsvector('french', …), 'A'|'B'|'C')`` of the same
  three fields, with a GIN index.

Both are filled by :mod:`subsidia.search.index`."""

from django.db import migrations

FTS_TABLE = "search_fts"


def create(apps, schema_editor):  # type: ignore[no-untyped-def]
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute(
            f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5(title, summary, body, "
            "tokenize = 'unicode61 remove_diacritics 0')"
        )
    elif vendor == "postgresql":
        schema_editor.execute("ALTER TABLE search_searchentry ADD COLUMN IF NOT EXISTS vector tsvector")
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS search_entry_vector_gin ON search_searchentry USING gin (vector)"
        )


def drop(apps, schema_editor):  # type: ignore[no-untyped-def]
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute(f"DROP TABLE IF EXISTS {FTS_TABLE}")
    elif vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS search_entry_vector_gin")
        schema_editor.execute("ALTER TABLE search_searchentry DROP COLUMN IF EXISTS vector")


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]

    operations = [migrations.RunPython(create, drop)]
