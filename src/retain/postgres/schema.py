"""The schema of a PostgreSQL store: ``schema.sql`` applied in one transaction,
with every SQLite schema step it stands for recorded in ``_sqlite_migrations``,
so that the store's version reads as on SQLite (and a newer store is refused by
the same check)."""

from __future__ import annotations

from importlib.resources import files
from typing import Any

from retain.migrations import MIGRATION_SET, MIGRATIONS


def schema_sql() -> str:
    return files("retain.postgres").joinpath("schema.sql").read_text(encoding="utf-8")


def is_initialised(raw: Any) -> bool:
    """Whether the database behind the psycopg connection ``raw`` has retain's schema."""
    row = raw.execute("SELECT to_regclass('_sqlite_migrations') IS NOT NULL").fetchone()
    return bool(row and row[0])


def apply(raw: Any) -> None:
    """Create the schema in the database behind the psycopg connection ``raw``, in
    the caller's transaction."""
    raw.execute(schema_sql())
    with raw.cursor() as cursor:
        cursor.executemany(
            "INSERT INTO _sqlite_migrations (migration_set, name, applied_at)"
            " VALUES (%s, %s, to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US'))",
            [(MIGRATION_SET, step.__name__) for step in MIGRATIONS],
        )
