"""Trigram indexes over the name vocabulary: FTS5 on SQLite, pg_trgm on PostgreSQL.

The search asks them only when no spelling is found through the phonetic keys (two or more
typos). On SQLite the FTS5 table is kept in step with tracing_nametoken by triggers; on
PostgreSQL a GIN index serves the % operator. pg_trgm is a trusted extension (PostgreSQL 13+),
so the database owner may create it.
"""

from django.db import migrations

SQLITE_UP = [
    "CREATE VIRTUAL TABLE tracing_nametoken_fts USING fts5("
    "text, content='tracing_nametoken', content_rowid='id', tokenize='trigram')",
    "CREATE TRIGGER tracing_nametoken_fts_insert AFTER INSERT ON tracing_nametoken BEGIN "
    "INSERT INTO tracing_nametoken_fts(rowid, text) VALUES (new.id, new.text); END",
    "CREATE TRIGGER tracing_nametoken_fts_delete AFTER DELETE ON tracing_nametoken BEGIN "
    "INSERT INTO tracing_nametoken_fts(tracing_nametoken_fts, rowid, text) "
    "VALUES ('delete', old.id, old.text); END",
    "INSERT INTO tracing_nametoken_fts(tracing_nametoken_fts) VALUES ('rebuild')",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS tracing_nametoken_fts_insert",
    "DROP TRIGGER IF EXISTS tracing_nametoken_fts_delete",
    "DROP TABLE IF EXISTS tracing_nametoken_fts",
]
POSTGRES_UP = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS tracing_nametoken_trgm ON tracing_nametoken "
    "USING gin (text gin_trgm_ops)",
]
POSTGRES_DOWN = ["DROP INDEX IF EXISTS tracing_nametoken_trgm"]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for sql in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("tracing", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_UP, "postgresql": POSTGRES_UP}),
            _run({"sqlite": SQLITE_DOWN, "postgresql": POSTGRES_DOWN}),
        )
    ]
