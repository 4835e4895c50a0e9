"""The PostgreSQL schema (src/retain/postgres/schema.sql) stays the SQLite schema's
twin: the same tables, columns in the same order, indexes and triggers by name,
and every SQLite schema step recorded, so that a new step cannot be added to one
store and forgotten on the other."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from retain.migrations import MIGRATIONS
from retain.store import Store

# SQLite's own bookkeeping, and PostgreSQL's additions that SQLite has implicitly
# (rowid) or that only a branch store needs (officer_logins: db init's roles).
SQLITE_ONLY = {"sqlite_sequence", "sqlite_stat1"}
POSTGRES_ONLY_COLUMNS = {
    ("loans", "rowid"),
    ("guarantors", "rowid"),
    ("exported_reminders", "rowid"),
}
POSTGRES_ONLY_TABLES = {"officer_logins"}


def _sqlite_schema(tmp_path: Path) -> tuple[dict[str, list[str]], set[str], set[str]]:
    path = tmp_path / "s.db"
    Store(path).close()
    conn = sqlite3.connect(path)
    tables = {
        name: [row[1] for row in conn.execute(f'PRAGMA table_xinfo("{name}")')]
        for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        if name not in SQLITE_ONLY
    }
    indexes = {
        name
        for (name,) in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
        )
    }
    triggers = {
        name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
    }
    conn.close()
    return tables, indexes, triggers


def test_postgres_schema_is_sqlites_twin(pg_admin_url: str, tmp_path: Path) -> None:
    import psycopg

    from tests.pgstores import fresh_store

    tables, indexes, triggers = _sqlite_schema(tmp_path)
    url, _ = fresh_store()
    with psycopg.connect(url) as conn:
        columns: dict[str, list[str]] = {}
        for table, column in conn.execute(
            "SELECT table_name, column_name FROM information_schema.columns"
            " WHERE table_schema = current_schema() AND table_name IN"
            " (SELECT tablename FROM pg_tables WHERE schemaname = current_schema())"
            " ORDER BY table_name, ordinal_position"
        ):
            if (table, column) not in POSTGRES_ONLY_COLUMNS and table not in POSTGRES_ONLY_TABLES:
                columns.setdefault(table, []).append(column)
        pg_indexes = {
            row[0]
            for row in conn.execute(
                "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()"
            )
        }
        pg_triggers = {
            row[0] for row in conn.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
        }
        steps = [row[0] for row in conn.execute("SELECT name FROM _sqlite_migrations ORDER BY id")]
    assert columns == tables
    assert indexes <= pg_indexes, sorted(indexes - pg_indexes)
    assert triggers <= pg_triggers, sorted(triggers - pg_triggers)
    assert steps == [step.__name__ for step in MIGRATIONS]


def test_every_schema_step_has_a_postgresql_form() -> None:
    """A new SQLite step (migrations.py) needs its PostgreSQL form in
    retain.postgres.schema.UPGRADES: the branch stores upgrade by it."""
    from retain.postgres.schema import UPGRADES, baseline_steps

    names = [step.__name__ for step in MIGRATIONS]
    later = names[len(baseline_steps()) :]
    assert sorted(UPGRADES) == sorted(later)
    assert baseline_steps() == names[: len(baseline_steps())]
