"""Fresh PostgreSQL stores for the suite's PostgreSQL run (RETAIN_TEST_STORE=postgresql).

Each test gets its own database, copied from a template that has retain's schema
(``CREATE DATABASE … TEMPLATE`` copies files: far quicker than building the
schema per test), and dropped when the test ends."""

from __future__ import annotations

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


def fresh_store() -> tuple[str, Callable[[], None]]:
    """The URL of a new store with retain's schema, and how to drop it."""
    import psycopg

    if not _template_ready:
        _make_template()
    name = f"retain_t{os.getpid()}_{next(_numbers)}"
    with psycopg.connect(server_url(), autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{_TEMPLATE}"')

    def drop() -> None:
        with psycopg.connect(server_url(), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return database_url(server_url(), name), drop
