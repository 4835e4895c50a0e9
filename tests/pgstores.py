"""The store of the suite's PostgreSQL run: the ``cli`` fixture's postgresql half.

Tests run one at a time, so one database with retain's schema serves them all,
emptied before each test (TRUNCATE … RESTART IDENTITY: ids start at 1 as in a
new SQLite store). A fresh database per test cost 0.6 s each."""

from __future__ import annotations

import atexit
import os
from collections.abc import Callable
from urllib.parse import urlsplit, urlunsplit

_store_url: str | None = None


def server_url() -> str:
    """A superuser URL of the test server: RETAIN_TEST_PG, else the throw-away
    cluster of tests/pgserver.py; RuntimeError when there is none."""
    url = os.environ.get("RETAIN_TEST_PG")
    if not url:
        from tests.pgserver import admin_url, reason

        url = admin_url()
        if url is None:
            raise RuntimeError(f"no PostgreSQL server for the tests: {reason()}")
    return url


def database_url(server: str, name: str) -> str:
    parts = urlsplit(server)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, ""))


def _drop(name: str) -> None:
    import psycopg

    try:
        with psycopg.connect(server_url(), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    except psycopg.Error:
        pass  # the server went first (a throw-away cluster stopped at exit)


def _make_store() -> str:
    import psycopg

    from retain.postgres import schema

    name = f"retain_t{os.getpid()}"
    with psycopg.connect(server_url(), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(
            f"CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING 'UTF8'"
            " LC_COLLATE 'C' LC_CTYPE 'C'"
        )
    atexit.register(_drop, name)
    url = database_url(server_url(), name)
    with psycopg.connect(url, autocommit=True) as conn, conn.transaction():
        schema.apply(conn)
    return url


def fresh_store() -> tuple[str, Callable[[], None]]:
    """The URL of an empty store with retain's schema, and what to do after the test."""
    global _store_url

    if _store_url is None:
        _store_url = _make_store()
    empty_store(_store_url)
    return _store_url, lambda: None


def empty_store(url: str) -> None:
    """Every row of the store at ``url`` gone, its ids starting at 1 again as in a
    new store (the schema and the applied steps stay)."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        tables = [
            row[0]
            for row in conn.execute(
                "SELECT quote_ident(tablename) FROM pg_tables"
                " WHERE schemaname = current_schema() AND tablename <> '_sqlite_migrations'"
            )
        ]
        conn.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")
