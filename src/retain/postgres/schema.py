"""The schema of a PostgreSQL store, step by step like SQLite's.

One ordered list of named steps serves both stores (``retain.migrations``).
``schema.sql`` is the PostgreSQL form of every step up to :data:`BASELINE_LAST`;
each later step needs its PostgreSQL form in :data:`UPGRADES` (tests check
that none is missing). A store records the names of the steps it has in
``_sqlite_migrations`` on both kinds, so the version reads the same and a store
from a newer retain is refused by the same check."""

from __future__ import annotations

from importlib.resources import files
from typing import Any

from retain.migrations import MIGRATION_SET, MIGRATIONS

# The last SQLite step that schema.sql stands for.
BASELINE_LAST = "m034_runoff_maturity_covers_balance"
# The PostgreSQL form of each step after the baseline, by the step's name.
UPGRADES: dict[str, str] = {
    "m035_instalments_written_by_import": """
        ALTER TABLE instalments ADD COLUMN import_id BIGINT REFERENCES imports (import_id);
        UPDATE instalments SET import_id = (SELECT MAX(m.import_id) FROM imports m
            WHERE m.kind = 'schedule' AND m.started_at <= instalments.updated_at);
        ALTER TABLE instalments DROP COLUMN created_at, DROP COLUMN updated_at;
    """,
}


def baseline_steps() -> list[str]:
    names = [step.__name__ for step in MIGRATIONS]
    return names[: names.index(BASELINE_LAST) + 1]


def schema_sql() -> str:
    return files("retain.postgres").joinpath("schema.sql").read_text(encoding="utf-8")


def is_initialised(raw: Any) -> bool:
    """Whether the database behind the psycopg connection ``raw`` has retain's schema."""
    row = raw.execute("SELECT to_regclass('_sqlite_migrations') IS NOT NULL").fetchone()
    return bool(row and row[0])


def apply(raw: Any) -> None:
    """Create the schema in the database behind the psycopg connection ``raw``, in
    the caller's transaction: the baseline, then every later step."""
    raw.execute(schema_sql())
    _record(raw, baseline_steps())
    upgrade(raw)


def upgrade(raw: Any) -> list[str]:
    """Apply the steps the store lacks, in order, in the caller's transaction;
    their names."""
    applied = {
        row[0]
        for row in raw.execute(
            "SELECT name FROM _sqlite_migrations WHERE migration_set = %s", (MIGRATION_SET,)
        )
    }
    missing = [step.__name__ for step in MIGRATIONS if step.__name__ not in applied]
    for name in missing:
        raw.execute(UPGRADES[name])
        _record(raw, [name])
    return missing


def _record(raw: Any, names: list[str]) -> None:
    with raw.cursor() as cursor:
        cursor.executemany(
            "INSERT INTO _sqlite_migrations (migration_set, name, applied_at)"
            " VALUES (%s, %s, to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US'))",
            [(MIGRATION_SET, name) for name in names],
        )
