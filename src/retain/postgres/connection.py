"""A PostgreSQL connection that the store's code can use as it uses sqlite3's.

The core passes one ``sqlite3.Connection`` about and runs SQLite SQL on it. A
PostgreSQL store hands it this object instead: the same methods (``execute``,
``executemany``, ``cursor``, ``in_transaction``), rows that read by index and by
name like ``sqlite3.Row``, values of SQLite's types (a comparison is 0/1, a sum
an ``int``), and errors of sqlite3's classes, so that ``except
sqlite3.IntegrityError`` means the same on both stores. The SQL is translated by
:mod:`retain.postgres.translate`; a few PRAGMAs are answered here.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

import psycopg
from psycopg import pq
from psycopg.adapt import Dumper, Loader

from retain.postgres.translate import translate
from retain.transactions import WriteConflict


class Row(tuple[Any, ...]):
    """A row that reads like ``sqlite3.Row``: by position, by name, ``keys()``."""

    _names: dict[str, int]

    def __new__(cls, values: Sequence[Any], names: dict[str, int]) -> Row:
        row = super().__new__(cls, values)
        row._names = names
        return row

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, str):
            return tuple.__getitem__(self, self._names[key])
        return tuple.__getitem__(self, key)

    def keys(self) -> list[str]:
        return list(self._names)


class _NumericLoader(Loader):
    """numeric as SQLite gives it: an int when whole (a SUM of integers), else a float."""

    def load(self, data: Any) -> int | float:
        text = bytes(data).decode()
        if "." in text or "e" in text or "E" in text or "N" in text:
            return float(text)
        return int(text)


class _BoolLoader(Loader):
    """A truth value as SQLite gives it: 0 or 1."""

    def load(self, data: Any) -> int:
        return 1 if bytes(data) == b"t" else 0


# A list of values spelled as a list of placeholders (``IN (?,?,…)``, ``IN (:c0,
# :c1, …)``): one array parameter instead, so that the statement's text does not
# change with the list's length (one translation, not one per length: a
# 2,000-mark list took sqlglot a second).
_MARK_LIST = re.compile(r"\bIN\s*\(\s*\?(?:\s*,\s*\?)+\s*\)", re.IGNORECASE)
_NAME_LIST = re.compile(r"\bIN\s*\(\s*:(\w+)(?:\s*,\s*:\w+)+\s*\)", re.IGNORECASE)
_NAME = re.compile(r":(\w+)")


def _element_function(values: Sequence[Any]) -> str:
    """schema.sql's function that unnests an array of these values' type: the
    server must know it (a bare UNNEST of an untyped parameter is ambiguous)."""
    if all(isinstance(v, int) for v in values if v is not None):
        return "retain_each_integer"
    return "retain_each_text"


def _packed(sql: str, params: Any) -> tuple[str, Any]:
    """``sql`` with each list of placeholders made one array parameter."""
    if "IN" not in sql.upper():
        return sql, params
    if isinstance(params, Mapping):
        lists = list(_NAME_LIST.finditer(sql))
        if not lists:
            return sql, params
        params = dict(params)
        for match in reversed(lists):
            names = _NAME.findall(match.group())
            key = f"{names[0]}__list"
            params[key] = [params[name] for name in names]
            each = _element_function(params[key])
            sql = f"{sql[: match.start()]}IN (SELECT {each}(:{key})){sql[match.end() :]}"
        return sql, params
    lists = list(_MARK_LIST.finditer(sql))
    if not lists:
        return sql, params
    values = list(params)
    for match in reversed(lists):
        first, count = sql.count("?", 0, match.start()), match.group().count("?")
        listed = values[first : first + count]
        values[first : first + count] = [listed]
        each = _element_function(listed)
        sql = f"{sql[: match.start()]}IN (SELECT {each}(?)){sql[match.end() :]}"
    return sql, values


class _BoolAsIntDumper(Dumper):
    """A Python bool parameter as sqlite3 binds it: the integer 0 or 1."""

    oid = psycopg.postgres.types["int8"].oid

    def dump(self, obj: Any) -> bytes:
        return b"1" if obj else b"0"


def _bools_as_integers(adapters: Any) -> None:
    """``flag = 1`` with a bool for ``flag`` works on SQLite, where True is 1;
    bound as PostgreSQL's boolean it meets no ``=`` with an integer."""
    adapters.register_dumper(bool, _BoolAsIntDumper)


# serialization_failure, deadlock_detected
CONFLICT_STATES = frozenset({"40001", "40P01"})

_PRAGMA = re.compile(r"^\s*PRAGMA\s+(\w+)\s*(?:\(\s*(\w+)\s*\)|=\s*(\S+))?\s*;?\s*$", re.I)


def _sqlite_error(exc: psycopg.Error) -> sqlite3.Error:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    if exc.sqlstate in CONFLICT_STATES:
        # Rolled back whole by the server: safe to run again (retain.transactions).
        return WriteConflict(text)
    if isinstance(exc, psycopg.errors.RaiseException):
        # A trigger's refusal (RAISE EXCEPTION in schema.sql) is SQLite's RAISE(ABORT),
        # which sqlite3 raises as an IntegrityError (a constraint failed).
        return sqlite3.IntegrityError(text)
    if isinstance(exc, psycopg.IntegrityError):
        return sqlite3.IntegrityError(text)
    if isinstance(exc, psycopg.OperationalError):
        return sqlite3.OperationalError(text)
    return sqlite3.DatabaseError(text)


class Cursor:
    """sqlite3.Cursor's face over a psycopg cursor."""

    def __init__(self, conn: PgConnection) -> None:
        self._conn = conn
        self._cursor = conn.raw.cursor()
        self.row_factory: Any = conn.row_factory
        self.lastrowid: int | None = None
        self._rows: list[tuple[Any, ...]] | None = None
        self._names: dict[str, int] = {}

    @property
    def description(self) -> Any:
        return self._cursor.description

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount

    def execute(self, sql: str, params: Any = ()) -> Cursor:
        self.lastrowid, self._rows = None, None
        answered = self._conn.pragma(sql)
        if answered is not None:
            names, rows = answered
            self._names = {name: i for i, name in enumerate(names)}
            self._rows = rows
            return self
        sql, params = _packed(sql, params)
        done = translate(sql)
        try:
            self._cursor.execute(done.sql.encode(), _ordered(done.keys, params), prepare=False)
        except psycopg.Error as exc:
            raise _sqlite_error(exc) from None
        if done.returning is not None:
            row = self._cursor.fetchone()
            self.lastrowid = int(row[0]) if row else None
            self._rows = []
        self._take_names()
        return self

    def executemany(self, sql: str, seq: Iterable[Any]) -> Cursor:
        done = translate(sql)
        self.lastrowid, self._rows = None, None
        rows = (_ordered(done.keys, params) for params in seq)
        text = done.sql
        if done.returning is not None:
            text = text[: text.rindex(" RETURNING ")]
        try:
            self._cursor.executemany(text.encode(), rows)
        except psycopg.Error as exc:
            raise _sqlite_error(exc) from None
        self._take_names()
        return self

    def _take_names(self) -> None:
        described = self._cursor.description
        self._names = {d.name: i for i, d in enumerate(described)} if described else {}

    def _shape(self, row: tuple[Any, ...]) -> Any:
        if self.row_factory is None:
            return row
        return Row(row, self._names)

    def fetchone(self) -> Any:
        if self._rows is not None:
            return self._shape(self._rows.pop(0)) if self._rows else None
        try:
            row = self._cursor.fetchone() if self._cursor.description else None
        except psycopg.Error as exc:
            raise _sqlite_error(exc) from None
        return None if row is None else self._shape(row)

    def fetchall(self) -> list[Any]:
        if self._rows is not None:
            rows, self._rows = self._rows, []
        else:
            rows = self._cursor.fetchall() if self._cursor.description else []
        if self.row_factory is None:
            return list(rows)
        names = self._names
        return [Row(row, names) for row in rows]

    def fetchmany(self, size: int = 1) -> list[Any]:
        if self._rows is not None:
            rows, self._rows = self._rows[:size], self._rows[size:]
        else:
            rows = self._cursor.fetchmany(size) if self._cursor.description else []
        return [self._shape(row) for row in rows]

    def __iter__(self) -> Iterator[Any]:
        while True:
            batch = self.fetchmany(2000)
            if not batch:
                return
            yield from batch

    def close(self) -> None:
        self._cursor.close()


def _ordered(keys: tuple[int | str, ...], params: Any) -> Sequence[Any]:
    if not keys:
        return ()
    if isinstance(params, Mapping):
        return [params[key] for key in keys]
    if all(isinstance(key, int) for key in keys) and list(keys) == list(range(len(keys))):
        return params  # type: ignore[no-any-return]
    return [params[key] for key in keys]


class PgConnection:
    """sqlite3.Connection's face over one psycopg connection in autocommit mode:
    the store's code says BEGIN and COMMIT itself, as it does on SQLite."""

    def __init__(self, raw: psycopg.Connection[Any]) -> None:
        self.raw = raw
        self.row_factory: Any = sqlite3.Row
        adapters = raw.adapters
        adapters.register_loader("numeric", _NumericLoader)
        adapters.register_loader("bool", _BoolLoader)
        _bools_as_integers(adapters)

    @classmethod
    def connect(cls, url: str) -> PgConnection:
        return cls(psycopg.connect(url, autocommit=True))

    @property
    def in_transaction(self) -> bool:
        return self.raw.info.transaction_status != pq.TransactionStatus.IDLE

    def cursor(self) -> Cursor:
        return Cursor(self)

    def execute(self, sql: str, params: Any = ()) -> Cursor:
        return Cursor(self).execute(sql, params)

    def executemany(self, sql: str, seq: Iterable[Any]) -> Cursor:
        return Cursor(self).executemany(sql, seq)

    def executescript(self, script: str) -> None:
        for statement in (part.strip() for part in script.split(";")):
            if statement:
                self.execute(statement)

    def commit(self) -> None:
        if self.in_transaction:
            self.raw.execute("COMMIT")

    def rollback(self) -> None:
        if self.in_transaction:
            self.raw.execute("ROLLBACK")

    def close(self) -> None:
        self.raw.close()

    def __enter__(self) -> PgConnection:
        return self

    def __exit__(self, kind: object, *rest: object) -> None:
        """As sqlite3's: commit what is open, or roll it back on an error."""
        if self.in_transaction:
            self.raw.execute("ROLLBACK" if kind is not None else "COMMIT")

    def pragma(self, sql: str) -> tuple[list[str], list[tuple[Any, ...]]] | None:
        """SQLite's PRAGMAs the code uses, answered for PostgreSQL; None for SQL."""
        match = _PRAGMA.match(sql)
        if match is None:
            return None
        name, argument, value = match.group(1).lower(), match.group(2), match.group(3)
        if name == "user_version" and value is None:
            row = self.raw.execute("SELECT count(*) FROM _sqlite_migrations").fetchone()
            return ["user_version"], [(int(row[0]) if row else 0,)]
        if name == "table_info" and argument:
            rows = self.raw.execute(
                "SELECT ordinal_position - 1, column_name, upper(data_type),"
                " (is_nullable = 'NO')::int, column_default, 0"
                " FROM information_schema.columns"
                " WHERE table_schema = current_schema() AND table_name = %s"
                " ORDER BY ordinal_position",
                (argument,),
            ).fetchall()
            return ["cid", "name", "type", "notnull", "dflt_value", "pk"], list(rows)
        if name == "integrity_check":
            return ["integrity_check"], [("ok",)]
        if name == "foreign_key_check":
            return ["table", "rowid", "parent", "fkid"], []
        if name == "journal_mode":
            return ["journal_mode"], [("postgresql",)]
        # Settings of SQLite's engine (busy_timeout, cache_size, foreign_keys …):
        # PostgreSQL has its own, and enforces foreign keys always.
        return [name], []
