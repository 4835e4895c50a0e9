"""``retain db copy``: every row of one store into an empty other one, SQLite or
PostgreSQL in either direction, verified before it is committed.

The destination is written in one transaction. Before COMMIT each table is read
back on both sides through a query that renders every row in one canonical text
(NULL, integer and text told apart, text length-prefixed), hashed here in
primary-key order: a count or a checksum that differs rolls everything back.

Rows stream (a cursor on SQLite, COPY on PostgreSQL): memory does not grow with
the store. This module imports psycopg only when a side is a PostgreSQL store;
it is imported only by ``retain db copy``."""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import os
import sqlite3
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from retain.errors import RetainError
from retain.migrations import MIGRATION_SET, MIGRATIONS
from retain.postgres import is_url, shown

# Rows per executemany into SQLite: big enough to amortise the call, small
# enough that a batch of the widest table stays a few megabytes.
_SQLITE_BATCH = 5000
_SQLITE_CACHE_KIB = 64 * 1024
_STEPS = [step.__name__ for step in MIGRATIONS]


@dataclass(frozen=True)
class Column:
    name: str
    integer: bool  # BIGINT on PostgreSQL; SQLite's values carry their own type


@dataclass(frozen=True)
class Plan:
    """One table as it is copied: the columns both stores have (``rowid`` where
    both keep SQLite's insertion order), the order rows are read in, and the
    order they are hashed in (the primary key; every column without one)."""

    table: str
    columns: tuple[Column, ...]
    read_order: tuple[str, ...]
    key: tuple[str, ...]


@dataclass(frozen=True)
class TableCheck:
    table: str
    source_rows: int
    rows: int
    source_sha: str
    sha: str

    @property
    def ok(self) -> bool:
        return self.source_rows == self.rows and self.source_sha == self.sha


@dataclass(frozen=True)
class CopyResult:
    checks: list[TableCheck]
    seconds: float

    @property
    def ok(self) -> bool:
        return all(check.ok for check in self.checks)

    @property
    def rows(self) -> int:
        return sum(check.rows for check in self.checks)


def quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


class Side(Protocol):
    """One store as the copy sees it."""

    label: str

    def steps(self) -> list[str]: ...
    def tables(self) -> list[str]: ...
    def columns(self, table: str) -> list[Column]: ...
    def keeps_rowid(self, table: str) -> bool: ...
    def primary_key(self, table: str) -> list[str]: ...
    def parents(self, table: str) -> set[str]: ...
    def read(self, plan: Plan) -> Iterator[Sequence[Any]]: ...
    def write(self, plan: Plan, rows: Iterable[Sequence[Any]]) -> None: ...
    def canonical(self, plan: Plan) -> Iterator[str]: ...
    def has_rows(self, table: str) -> bool: ...
    def begin_read(self) -> None: ...
    def begin_write(self, tables: Sequence[str]) -> None: ...
    def after_write(self, plans: Sequence[Plan]) -> None: ...
    def commit(self) -> None: ...
    def close(self, *, failed: bool) -> None: ...


def _order_by(names: Iterable[str]) -> str:
    # NULLS FIRST: SQLite's order of NULLs, spelt out for PostgreSQL (NULLS LAST).
    return ", ".join(f"{quoted(name)} NULLS FIRST" for name in names)


class SqliteSide:
    """A SQLite store file: read through plain sqlite3, created as an import would."""

    def __init__(self, path: Path, *, destination: bool) -> None:
        from retain.store import Store, inspect_store

        self.path = path
        self.label = str(path)
        self.created = False
        found = inspect_store(path)
        if found is None:
            if not destination:
                raise RetainError(key="store.missing", path=str(path))
            self.created = True
        elif found.applied != _STEPS:
            raise RetainError(key="copy.steps", path=str(path), step=found.applied[-1])
        self.store = Store(path, create=destination, write=destination)
        self.conn = self.store.conn

    def steps(self) -> list[str]:
        rows = self.conn.execute(
            "SELECT name FROM _sqlite_migrations WHERE migration_set = ? ORDER BY id",
            (MIGRATION_SET,),
        )
        return [str(row[0]) for row in rows]

    def tables(self) -> list[str]:
        rows = self.conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'"
            " AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND name <> '_sqlite_migrations'"
        )
        return sorted(str(row[0]) for row in rows)

    def _info(self, table: str) -> list[Any]:
        return list(self.conn.execute(f"PRAGMA table_xinfo({quoted(table)})"))

    def columns(self, table: str) -> list[Column]:
        # hidden 0: an ordinary column; 2 and 3 are generated ones (never written).
        return [
            Column(str(row["name"]), str(row["type"]).upper().startswith("INT"))
            for row in self._info(table)
            if row["hidden"] == 0
        ]

    def keeps_rowid(self, table: str) -> bool:
        """A rowid table whose rowid is not a declared INTEGER PRIMARY KEY."""
        try:
            self.conn.execute(f"SELECT rowid FROM {quoted(table)} LIMIT 0")
        except sqlite3.OperationalError:
            return False  # WITHOUT ROWID
        key = [row for row in self._info(table) if row["pk"]]
        return not (len(key) == 1 and str(key[0]["type"]).upper() == "INTEGER")

    def primary_key(self, table: str) -> list[str]:
        key = sorted((row["pk"], str(row["name"])) for row in self._info(table) if row["pk"])
        return [name for _, name in key]

    def parents(self, table: str) -> set[str]:
        rows = self.conn.execute(f"PRAGMA foreign_key_list({quoted(table)})")
        return {str(row["table"]) for row in rows}

    def read(self, plan: Plan) -> Iterator[Sequence[Any]]:
        names = ", ".join(quoted(c.name) for c in plan.columns)
        cursor = self.conn.cursor()
        cursor.row_factory = None
        yield from cursor.execute(
            f"SELECT {names} FROM {quoted(plan.table)} ORDER BY {_order_by(plan.read_order)}"
        )

    def write(self, plan: Plan, rows: Iterable[Sequence[Any]]) -> None:
        names = ", ".join(quoted(c.name) for c in plan.columns)
        marks = ", ".join("?" for _ in plan.columns)
        sql = f"INSERT INTO {quoted(plan.table)} ({names}) VALUES ({marks})"
        iterator = iter(rows)
        while batch := list(itertools.islice(iterator, _SQLITE_BATCH)):
            self.conn.executemany(sql, batch)

    def canonical(self, plan: Plan) -> Iterator[str]:
        parts = []
        for column in plan.columns:
            c = quoted(column.name)
            parts.append(
                f"CASE WHEN {c} IS NULL THEN 'N'"
                f" WHEN typeof({c}) = 'integer' THEN 'i' || {c}"
                f" WHEN typeof({c}) = 'text' THEN 's' || length({c}) || ':' || {c}"
                f" ELSE typeof({c}) || ':' || quote({c}) END"
            )
        text = " || '|' || ".join(parts)
        cursor = self.conn.cursor()
        cursor.row_factory = None
        rows = cursor.execute(
            f"SELECT {text} FROM {quoted(plan.table)} ORDER BY {_order_by(plan.key)}"
        )
        for (row,) in rows:
            yield str(row)

    def has_rows(self, table: str) -> bool:
        return self.conn.execute(f"SELECT 1 FROM {quoted(table)} LIMIT 1").fetchone() is not None

    def begin_read(self) -> None:
        # One read transaction: every table from the same snapshot (WAL).
        self.conn.execute("BEGIN")

    def begin_write(self, tables: Sequence[str]) -> None:
        # The whole copy is one transaction: with SQLite's 2 MB default cache it
        # spills to the WAL again and again as the indexes grow (7.5 GB written
        # for the 480 MB bench store). A bounded 64 MB cache spills far less.
        self.conn.execute(f"PRAGMA cache_size = -{_SQLITE_CACHE_KIB}")
        self.conn.execute("BEGIN IMMEDIATE")

    def after_write(self, plans: Sequence[Plan]) -> None:
        """Nothing: SQLite gives a new row max(rowid) + 1 by itself."""

    def commit(self) -> None:
        self.conn.execute("COMMIT")

    def close(self, *, failed: bool) -> None:
        if self.conn.in_transaction:
            self.conn.execute("ROLLBACK")
        self.store.close()
        if failed and self.created:
            # The empty store this copy made: nothing of the copy is left behind.
            for side in ("", "-wal", "-shm", "-journal"):
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(f"{self.path}{side}")


class PgSide:
    """A PostgreSQL store, through the psycopg connection under retain's adapter."""

    def __init__(self, url: str, *, destination: bool) -> None:
        from retain.postgres import schema
        from retain.postgres.store import connect

        self.label = shown(url)
        self.wrapper = connect(url)
        self.raw = self.wrapper.raw
        self.destination = destination
        try:
            if not schema.is_initialised(self.raw):
                raise RetainError(key="store.pg_not_ready", path=self.label)
            applied = self.steps()
            if applied != _STEPS:
                raise RetainError(
                    key="copy.steps", path=self.label, step=applied[-1] if applied else "-"
                )
        except BaseException:
            self.raw.close()
            raise

    def _rows(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        return list(self.raw.execute(sql.encode(), params).fetchall())

    def steps(self) -> list[str]:
        rows = self._rows(
            "SELECT name FROM _sqlite_migrations WHERE migration_set = %s ORDER BY id",
            (MIGRATION_SET,),
        )
        return [str(row[0]) for row in rows]

    def tables(self) -> list[str]:
        rows = self._rows(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
            " AND tablename <> '_sqlite_migrations'"
        )
        return sorted(str(row[0]) for row in rows)

    def _declared(self, table: str) -> list[Column]:
        rows = self._rows(
            "SELECT column_name, data_type FROM information_schema.columns"
            " WHERE table_schema = current_schema() AND table_name = %s"
            " AND is_generated = 'NEVER' ORDER BY ordinal_position",
            (table,),
        )
        return [
            Column(str(name), str(kind) in ("bigint", "integer", "smallint")) for name, kind in rows
        ]

    def columns(self, table: str) -> list[Column]:
        return [c for c in self._declared(table) if c.name != "rowid"]

    def keeps_rowid(self, table: str) -> bool:
        return any(c.name == "rowid" for c in self._declared(table))

    def primary_key(self, table: str) -> list[str]:
        rows = self._rows(
            "SELECT a.attname FROM pg_index x"
            " JOIN LATERAL unnest(x.indkey) WITH ORDINALITY AS k(attnum, n) ON true"
            " JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = k.attnum"
            " WHERE x.indrelid = to_regclass(quote_ident(%s)) AND x.indisprimary ORDER BY k.n",
            (table,),
        )
        return [str(row[0]) for row in rows]

    def parents(self, table: str) -> set[str]:
        rows = self._rows(
            "SELECT confrelid::regclass::text FROM pg_constraint"
            " WHERE conrelid = to_regclass(quote_ident(%s)) AND contype = 'f'",
            (table,),
        )
        return {str(row[0]).strip('"') for row in rows}

    def _types(self, plan: Plan) -> list[str]:
        return ["int8" if c.integer else "text" for c in plan.columns]

    def read(self, plan: Plan) -> Iterator[Sequence[Any]]:
        names = ", ".join(quoted(c.name) for c in plan.columns)
        sql = (
            f"COPY (SELECT {names} FROM {quoted(plan.table)}"
            f" ORDER BY {_order_by(plan.read_order)}) TO STDOUT (FORMAT BINARY)"
        )
        with self.raw.cursor() as cursor, cursor.copy(sql.encode()) as copy:
            copy.set_types(self._types(plan))
            yield from copy.rows()

    def write(self, plan: Plan, rows: Iterable[Sequence[Any]]) -> None:
        names = ", ".join(quoted(c.name) for c in plan.columns)
        # COPY writes identity columns as given (what OVERRIDING SYSTEM VALUE does
        # for an INSERT): ids and loans'/guarantors' rowid stay as in the source.
        sql = f"COPY {quoted(plan.table)} ({names}) FROM STDIN (FORMAT BINARY)"
        with self.raw.cursor() as cursor, cursor.copy(sql.encode()) as copy:
            copy.set_types(self._types(plan))
            for row in rows:
                copy.write_row(row)

    def canonical(self, plan: Plan) -> Iterator[str]:
        parts = []
        for column in plan.columns:
            c = quoted(column.name)
            if column.integer:
                parts.append(f"CASE WHEN {c} IS NULL THEN 'N' ELSE 'i' || {c}::text END")
            else:
                parts.append(
                    f"CASE WHEN {c} IS NULL THEN 'N' ELSE 's' || length({c}) || ':' || {c} END"
                )
        text = " || '|' || ".join(parts)
        sql = (
            f"COPY (SELECT {text} FROM {quoted(plan.table)}"
            f" ORDER BY {_order_by(plan.key)}) TO STDOUT (FORMAT BINARY)"
        )
        with self.raw.cursor() as cursor, cursor.copy(sql.encode()) as copy:
            copy.set_types(["text"])
            for (row,) in copy.rows():
                yield str(row)

    def has_rows(self, table: str) -> bool:
        return bool(self._rows(f"SELECT 1 FROM {quoted(table)} LIMIT 1"))

    def begin_read(self) -> None:
        # One snapshot for every table, whatever officers write meanwhile.
        self.raw.execute(b"BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")

    def begin_write(self, tables: Sequence[str]) -> None:
        self.raw.execute(b"BEGIN")
        # No one writes the tables while they are checked empty and filled;
        # readers are not held up.
        names = ", ".join(quoted(table) for table in tables)
        self.raw.execute(f"LOCK TABLE {names} IN EXCLUSIVE MODE".encode())

    def after_write(self, plans: Sequence[Plan]) -> None:
        """Each identity's next value past the highest copied one, so that the next
        row gets max + 1 as on SQLite."""
        for plan in plans:
            rows = self._rows(
                "SELECT column_name FROM information_schema.columns"
                " WHERE table_schema = current_schema() AND table_name = %s"
                " AND is_identity = 'YES'",
                (plan.table,),
            )
            for (column,) in rows:
                c = quoted(str(column))
                self.raw.execute(
                    (
                        f"SELECT setval(pg_get_serial_sequence(%s, %s),"
                        f" COALESCE(max({c}), 0) + 1, false) FROM {quoted(plan.table)}"
                    ).encode(),
                    (quoted(plan.table), str(column)),
                )

    def commit(self) -> None:
        self.raw.execute(b"COMMIT")

    def close(self, *, failed: bool) -> None:
        with contextlib.suppress(Exception):
            if self.wrapper.in_transaction:
                self.raw.execute(b"ROLLBACK")
        self.raw.close()


def open_side(target: str, *, destination: bool) -> Side:
    if is_url(target):
        return PgSide(target, destination=destination)
    return SqliteSide(Path(target).expanduser(), destination=destination)


def same_target(source: str, destination: str) -> bool:
    if is_url(source) or is_url(destination):
        # The whole URL: two servers may hold databases of the same name.
        return source == destination
    left, right = Path(source).expanduser(), Path(destination).expanduser()
    try:
        return left.resolve() == right.resolve() or (
            right.exists() and os.path.samefile(left, right)
        )
    except OSError:
        return False


def _plans(source: Side, destination: Side) -> list[Plan]:
    tables = source.tables()
    if tables != destination.tables():
        missing = sorted(set(tables) ^ set(destination.tables()))
        raise RetainError(key="copy.schema", table=", ".join(missing))
    plans: dict[str, Plan] = {}
    for table in tables:
        columns = source.columns(table)
        theirs = {c.name: c for c in destination.columns(table)}
        if {c.name for c in columns} != set(theirs):
            raise RetainError(key="copy.schema", table=table)
        # A column's kind is the PostgreSQL side's: it decides COPY's types and the
        # checksum's text (SQLite's values carry their own type).
        pg = source if isinstance(source, PgSide) else destination
        kinds = {c.name: c.integer for c in pg.columns(table)}
        columns = [Column(c.name, kinds[c.name]) for c in columns]
        key = source.primary_key(table) or [c.name for c in columns]
        read_order = key
        if source.keeps_rowid(table) and destination.keeps_rowid(table):
            columns = [Column("rowid", True), *columns]
            read_order = ["rowid"]
        plans[table] = Plan(table, tuple(columns), tuple(read_order), tuple(key))
    return [plans[table] for table in _fk_order(tables, source, destination)]


def _fk_order(tables: list[str], source: Side, destination: Side) -> list[str]:
    """Parents before children (Kahn's order; by name among equals)."""
    parents = {t: (source.parents(t) | destination.parents(t)) & set(tables) - {t} for t in tables}
    ordered: list[str] = []
    while len(ordered) < len(tables):
        ready = [t for t in tables if t not in ordered and parents[t] <= set(ordered)]
        if not ready:
            raise RetainError(
                key="copy.schema", table=", ".join(sorted(set(tables) - set(ordered)))
            )
        ordered.extend(ready)
    return ordered


def checksum(side: Side, plan: Plan) -> tuple[int, str]:
    digest = hashlib.sha256()
    count = 0
    for text in side.canonical(plan):
        digest.update(text.encode("utf-8"))
        digest.update(b"\n")
        count += 1
    return count, digest.hexdigest()


def copy_store(source_target: str, destination_target: str) -> CopyResult:
    """Copy every row of ``source_target`` into the empty ``destination_target``,
    verify and commit; on any difference or failure nothing is written and a
    :class:`RetainError` says which table."""
    if same_target(source_target, destination_target):
        raise RetainError(key="copy.same")
    try:
        return _copy(source_target, destination_target)
    except _database_errors() as exc:
        # Outside a table's copy and check (a connection lost, a lock refused).
        raise RetainError(key="store", detail=_first_line(exc)) from None


def _copy(source_target: str, destination_target: str) -> CopyResult:
    started = time.monotonic()
    source = open_side(source_target, destination=False)
    failed = True
    try:
        destination = open_side(destination_target, destination=True)
        try:
            plans = _plans(source, destination)
            source.begin_read()
            destination.begin_write([plan.table for plan in plans])
            for plan in plans:
                if destination.has_rows(plan.table):
                    raise RetainError(
                        key="copy.not_empty", path=destination.label, table=plan.table
                    )
            for plan in plans:
                with _about(plan.table):
                    destination.write(plan, source.read(plan))
            destination.after_write(plans)
            checks = []
            for plan in plans:
                with _about(plan.table):
                    source_rows, source_sha = checksum(source, plan)
                    rows, sha = checksum(destination, plan)
                checks.append(TableCheck(plan.table, source_rows, rows, source_sha, sha))
            result = CopyResult(checks, time.monotonic() - started)
            if result.ok:
                destination.commit()
                failed = False
            return result
        finally:
            destination.close(failed=failed)
    finally:
        source.close(failed=False)


def _database_errors() -> tuple[type[Exception], ...]:
    import sys

    psycopg = sys.modules.get("psycopg")
    return (sqlite3.Error,) if psycopg is None else (sqlite3.Error, psycopg.Error)


def _first_line(exc: Exception) -> str:
    """The error's first line: PostgreSQL's DETAIL lines quote row values (a phone)."""
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


@contextlib.contextmanager
def _about(table: str) -> Iterator[None]:
    """A database error while copying or checking ``table``, as one line naming it."""
    try:
        yield
    except _database_errors() as exc:
        raise RetainError(key="copy.failed", table=table, detail=_first_line(exc)) from None
