"""Search index for verdicts, per database (reviews/search.py queries it).

PostgreSQL: a GIN index on the same `to_tsvector('simple', ...)` expression the search builds.
SQLite: an FTS5 table over summary and explanation (external content), filled now and kept in
step by triggers; nothing on a SQLite built without FTS5 (the search falls back to LIKE).
The article and claim indexes, and pg_trgm, are in claims/migrations/0008_search.py.
"""

from typing import Any

from django.db import migrations
from django.db.utils import OperationalError

TABLE, SOURCE, COLUMNS = "search_verdict", "reviews_verdict", ["summary", "explanation"]


def fts_statements() -> list[str]:
    """The FTS5 table, filled, and the triggers that keep it in step with the verdicts."""
    names = ", ".join(COLUMNS)
    new = ", ".join(f"new.{column}" for column in COLUMNS)
    old = ", ".join(f"old.{column}" for column in COLUMNS)
    insert = f"INSERT INTO {TABLE}(rowid, {names}) VALUES (new.id, {new});"
    delete = f"INSERT INTO {TABLE}({TABLE}, rowid, {names}) VALUES ('delete', old.id, {old});"
    return [
        # Diacritics kept, as PostgreSQL's `simple` configuration keeps them.
        f"CREATE VIRTUAL TABLE {TABLE} USING fts5({names}, content='{SOURCE}', "
        "content_rowid='id', tokenize = 'unicode61 remove_diacritics 0')",
        f"INSERT INTO {TABLE}({TABLE}) VALUES ('rebuild')",
        f"CREATE TRIGGER {TABLE}_ai AFTER INSERT ON {SOURCE} BEGIN {insert} END",
        f"CREATE TRIGGER {TABLE}_ad AFTER DELETE ON {SOURCE} BEGIN {delete} END",
        f"CREATE TRIGGER {TABLE}_au AFTER UPDATE OF {names} ON {SOURCE} "
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


def forwards(apps: Any, schema_editor: Any) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS verdict_search_document ON reviews_verdict USING gin "
            "((to_tsvector('simple'::regconfig, COALESCE(summary, '') || ' ' "
            "|| COALESCE(explanation, ''))))"
        )
    elif vendor == "sqlite" and fts5_available(schema_editor):
        for sql in fts_statements():
            schema_editor.execute(sql)


def backwards(apps: Any, schema_editor: Any) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS verdict_search_document")
    elif vendor == "sqlite":
        for suffix in ("ai", "ad", "au"):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {TABLE}_{suffix}")
        schema_editor.execute(f"DROP TABLE IF EXISTS {TABLE}")


class Migration(migrations.Migration):
    dependencies = [("reviews", "0008_sources_snapshots_leases")]

    operations = [migrations.RunPython(forwards, backwards)]
