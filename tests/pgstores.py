"""Fresh PostgreSQL stores for the suite's PostgreSQL run (RETAIN_TEST_STORE=postgresql).

Each test gets its own database, copied from a template that has retain's schema
(``CREATE DATABASE … TEMPLATE`` copies files: far quicker than building the
schema per test), and dropped when the test ends."""

from __future__ import annotations

import atexit
import itertools
import os
from collections.abc import Callable
from urllib.parse import urlsplit, urlunsplit

_TEMPLATE = f"retain_tpl_{os.getpid()}"
_numbers = itertools.count(1)
_template_ready = False


def server_url() -> str:
    url = os.environ.get("RETAIN_TEST_PG")
    if not url:
        try:
            from tests.pgserver import admin_url  # type: ignore[import-not-found]
        except ImportError:
            admin_url = None
        url = admin_url() if admin_url is not None else None
    if not url:
        raise RuntimeError("RETAIN_TEST_STORE=postgresql needs a server: set RETAIN_TEST_PG")
    return url


def database_url(server: str, name: str) -> str:
    parts = urlsplit(server)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, ""))


def _make_template() -> None:
    global _template_ready
    import psycopg

    from retain.postgres import schema

    with psycopg.connect(server_url(), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{_TEMPLATE}" WITH (FORCE)')
        admin.execute(
            f"CREATE DATABASE \"{_TEMPLATE}\" TEMPLATE template0 ENCODING 'UTF8'"
            " LC_COLLATE 'C' LC_CTYPE 'C'"
        )
    template = database_url(server_url(), _TEMPLATE)
    with psycopg.connect(template, autocommit=True) as conn, conn.transaction():
        schema.apply(conn)
    _template_ready = True


_store_url: str | None = None


def _drop(*names: str) -> None:
    import psycopg

    try:
        with psycopg.connect(server_url(), autocommit=True) as admin:
            for name in names:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    except psycopg.Error:
        pass  # the server went first (a throw-away cluster stopped at exit)


def fresh_store() -> tuple[str, Callable[[], None]]:
    """The URL of an empty store with retain's schema, and what to do after the
    test. Tests run one at a time, so one database serves them all, emptied
    before each (TRUNCATE … RESTART IDENTITY: ids start at 1 as in a new SQLite
    store); a fresh database per test cost 0.6 s each."""
    global _store_url
    import psycopg

    if _store_url is None:
        if not _template_ready:
            _make_template()
        name = f"retain_t{os.getpid()}"
        with psycopg.connect(server_url(), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{_TEMPLATE}"')
        _store_url = database_url(server_url(), name)
        atexit.register(_drop, name, _TEMPLATE)
    with psycopg.connect(_store_url, autocommit=True) as conn:
        tables = [
            row[0]
            for row in conn.execute(
                "SELECT quote_ident(tablename) FROM pg_tables"
                " WHERE schemaname = current_schema() AND tablename <> '_sqlite_migrations'"
            )
        ]
        conn.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")
    return _store_url, lambda: None
