"""Search indexes for articles and claims, per database (reviews/search.py queries them).

PostgreSQL: the pg_trgm extension; a stored generated `search_document` tsvector column on
articles (title, outlet, body) with a GIN index; a GIN index on the claim text's
`to_tsvector('simple', ...)`, the very expression the search builds (another would leave it
unused); GIN trigram indexes on the title and the outlet for fuzzy names.

SQLite: FTS5 tables over the same columns (external content: the text is not stored twice),
filled now and kept in step by triggers. A SQLite built without FTS5 gets nothing and the search
falls back to LIKE. Other databases get nothing.
"""

from typing import Any

from django.db import migrations
from django.db.utils import OperationalError

# Keep in step with reviews/search.py (BODY_INDEXED_CHARS, TS_CONFIG).
POSTGRES_FORWARDS = [
    # Not django.contrib.postgres's TrigramExtension: its reverse queries pg_extension on any
    # database, so unapplying this migration failed on SQLite. The extension stays on the way
    # back (other schemas may use it); pg_trgm is a trusted extension since PostgreSQL 13.
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    # Stored, not an expression index: ranking thousands of hits would parse every body again
    # (seconds), and the planner underrates that cost. Django's model does not know the
    # column; reviews/search.py reads it by name.
    "ALTER TABLE claims_article ADD COLUMN IF NOT EXISTS search_document tsvector "
    "GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, COALESCE(title, '') || ' ' "
    "|| COALESCE(outlet, '') || ' ' || COALESCE(LEFT(body, 250000), ''))) STORED",
    "CREATE INDEX IF NOT EXISTS article_search_document ON claims_article "
    "USING gin (search_document)",
    "CREATE INDEX IF NOT EXISTS claim_search_document ON claims_claim USING gin "
    "((to_tsvector('simple'::regconfig, COALESCE(text, ''))))",
    "CREATE INDEX IF NOT EXISTS article_title_trgm ON claims_article "
    "USING gin (title gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS article_outlet_trgm ON claims_article "
    "USING gin (outlet gin_trgm_ops)",
]
POSTGRES_BACKWARDS = [
    "DROP INDEX IF EXISTS article_search_document",
    "ALTER TABLE claims_article DROP COLUMN IF EXISTS search_document",
    "DROP INDEX IF EXISTS claim_search_document",
    "DROP INDEX IF EXISTS article_title_trgm",
    "DROP INDEX IF EXISTS article_outlet_trgm",
]

# Diacritics kept, as PostgreSQL's `simple` configuration keeps them: "café" is not "cafe".
TOKENIZE = "tokenize = 'unicode61 remove_diacritics 0'"


def fts_statements(table: str, source: str, columns: list[str]) -> list[str]:
    """An external-content FTS5 table over `source`, filled, and the triggers that keep it so."""
    names = ", ".join(columns)
    new = ", ".join(f"new.{column}" for column in columns)
    old = ", ".join(f"old.{column}" for column in columns)
    insert = f"INSERT INTO {table}(rowid, {names}) VALUES (new.id, {new});"
    delete = f"INSERT INTO {table}({table}, rowid, {names}) VALUES ('delete', old.id, {old});"
    return [
        f"CREATE VIRTUAL TABLE {table} USING fts5({names}, content='{source}', "
        f"content_rowid='id', {TOKENIZE})",
        f"INSERT INTO {table}({table}) VALUES ('rebuild')",
        f"CREATE TRIGGER {table}_ai AFTER INSERT ON {source} BEGIN {insert} END",
        f"CREATE TRIGGER {table}_ad AFTER DELETE ON {source} BEGIN {delete} END",
        f"CREATE TRIGGER {table}_au AFTER UPDATE OF {names} ON {source} "
        f"BEGIN {delete} {insert} END",
    ]


def fts5_available(schema_editor: Any) -> bool:
    """Whether this SQLite has FTS5 (a build without it fails to create the table)."""
    with schema_editor.connection.cursor() as cursor:
        try:
            cursor.execute("CREATE VIRTUAL TABLE temp.fc_fts5_probe USING fts5(x)")
        except OperationalError:
            return False
        cursor.execute("DROP TABLE temp.fc_fts5_probe")
    return True


SQLITE_TABLES = {
    "search_article": ("claims_article", ["title", "outlet", "body"]),
    "search_claim": ("claims_claim", ["text"]),
}


def forwards(apps: Any, schema_editor: Any) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        for sql in POSTGRES_FORWARDS:
            schema_editor.execute(sql)
    elif vendor == "sqlite" and fts5_available(schema_editor):
        for table, (source, columns) in SQLITE_TABLES.items():
            for sql in fts_statements(table, source, columns):
                schema_editor.execute(sql)


def backwards(apps: Any, schema_editor: Any) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        for sql in POSTGRES_BACKWARDS:
            schema_editor.execute(sql)
    elif vendor == "sqlite":
        for table in SQLITE_TABLES:
            for suffix in ("ai", "ad", "au"):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_{suffix}")
            schema_editor.execute(f"DROP TABLE IF EXISTS {table}")


class Migration(migrations.Migration):
    dependencies = [("claims", "0007_article_revisions")]

    operations = [migrations.RunPython(forwards, backwards)]
