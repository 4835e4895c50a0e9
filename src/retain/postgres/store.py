"""The store on a PostgreSQL server: :class:`retain.store.Store`'s face, so that
every command runs unchanged on it.

A write is one transaction, as on SQLite. READ COMMITTED with row locks is
PostgreSQL's default and suffices for what officers do at the same time (each
writes their own customers' rows); a deadlock or serialisation failure rolls the
whole write back and is reported in one line, nothing half-written."""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg

from retain.errors import RetainError
from retain.migrations import MIGRATIONS
from retain.postgres import has_password, shown
from retain.postgres.connection import PgConnection
from retain.store import DEFAULT_BUSY_TIMEOUT_S, Holder, Store, applied_steps, unknown_steps


def connect(url: str) -> PgConnection:
    """A connection to the store at ``url``: a password must come from libpq's own
    places (PGPASSWORD, ~/.pgpass, a service file), never the command line."""
    if has_password(url):
        raise RetainError(key="store.pg_password")
    try:
        return PgConnection.connect(url)
    except psycopg.Error as exc:
        detail = str(exc).strip().splitlines()[-1] if str(exc).strip() else type(exc).__name__
        raise RetainError(key="store.cannot_open", path=shown(url), detail=detail) from None


class PgStore(Store):
    """One connection to a branch store on a PostgreSQL server."""

    def __init__(  # noqa: PLR0913 - Store's signature
        self,
        url: str,
        *,
        create: bool = True,
        write: bool = True,
        memory: bool = False,
        busy_timeout_s: float = DEFAULT_BUSY_TIMEOUT_S,
        holder: Holder | None = None,
    ) -> None:
        self.url = url
        self.path = Path(shown(url))
        self.memory = False
        self.read_only = False
        self.busy_timeout_s = busy_timeout_s
        self.holder = holder or Holder()
        self.conn: Any = connect(url)
        try:
            self._check_schema()
        except BaseException:
            self.conn.close()
            raise

    def _check_schema(self) -> None:
        try:
            applied = applied_steps(self.conn)
        except sqlite3.Error as exc:
            path = shown(self.url)
            raise RetainError(key="store.cannot_use", path=path, detail=str(exc)) from None
        if not applied:
            raise RetainError(key="store.pg_not_ready", path=shown(self.url))
        unknown = unknown_steps(applied)
        if unknown:
            raise RetainError(key="store.newer", path=shown(self.url), step=unknown[-1])
        if len(applied) < len(MIGRATIONS):
            raise RetainError(key="store.pg_old", path=shown(self.url), step=applied[-1])

    @contextlib.contextmanager
    def write(self, *, references_checked: bool = False) -> Iterator[sqlite3.Connection]:
        """One transaction: all of it lands, or none of it. (``references_checked``
        is SQLite's: PostgreSQL checks its foreign keys always.)"""
        self.conn.execute("BEGIN")
        try:
            yield self.conn
        except BaseException:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    def refresh_statistics(self) -> None:
        """The planner's statistics of the tables, in the writing transaction (an
        import's rows count): without them a query right after a big import was
        planned blind (calls on 1,000,000 fresh loans: 17 s; 2 s once analysed)."""
        self.conn.execute("ANALYZE")

    def close(self) -> None:
        self.conn.close()
