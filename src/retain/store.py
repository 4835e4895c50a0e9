"""Open the store: path, permissions, pragmas, migrations, transactions.

Reads go through the plain ``sqlite3`` connection so that read-only commands
never import sqlite-utils (which would pull in pandas/numpy when present).
sqlite-utils is loaded only when a migration is pending.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from retain.errors import RetainError
from retain.migrations import MIGRATION_SET, MIGRATIONS

BUSY_TIMEOUT_MS = 10_000
PRIVATE_DIR = 0o700
PRIVATE_FILE = 0o600


def default_db_path() -> Path:
    import click

    return Path(click.get_app_dir("retain")) / "retain.db"


def resolve_db_path(option: str | None) -> Path:
    raw = option or os.environ.get("RETAIN_DB")
    return Path(raw).expanduser() if raw else default_db_path()


def _make_private(path: Path) -> None:
    """Create the directory 0700 and the store files 0600, whatever the umask."""
    directory = path.parent
    created = not directory.exists()
    directory.mkdir(parents=True, exist_ok=True)
    if created:
        os.chmod(directory, PRIVATE_DIR)
    if not path.exists():
        fd = os.open(path, os.O_CREAT | os.O_WRONLY, PRIVATE_FILE)
        os.close(fd)
    for candidate in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        with contextlib.suppress(FileNotFoundError):
            if stat.S_IMODE(candidate.stat().st_mode) != PRIVATE_FILE:
                os.chmod(candidate, PRIVATE_FILE)


class Store:
    """One connection to one store file, with retain's pragmas and schema."""

    def __init__(self, path: Path, *, create: bool = True, memory: bool = False) -> None:
        """``memory``: an empty store in memory, nothing on disk (``import --dry-run``
        with no store yet); ``path`` then only names it."""
        self.path = path
        self.memory = memory
        if not create and not memory and not path.exists():
            raise RetainError(key="store.missing", path=str(path))
        try:
            if not memory:
                _make_private(path)
            self.conn = sqlite3.connect(
                ":memory:" if memory else path,
                isolation_level=None,
                timeout=BUSY_TIMEOUT_MS / 1000,
            )
        except (OSError, sqlite3.Error) as exc:
            raise RetainError(key="store.cannot_open", path=str(path), detail=str(exc)) from None
        self.conn.row_factory = sqlite3.Row
        try:
            self._configure()
            self._migrate()
        except sqlite3.DatabaseError as exc:
            self.conn.close()
            raise RetainError(key="store.cannot_use", path=str(path), detail=str(exc)) from None
        except BaseException:
            self.conn.close()
            raise
        if not memory:
            _make_private(path)

    @classmethod
    def scratch(cls) -> Store:
        """An empty, migrated store in memory, gone when closed."""
        return cls(Path(":memory:"), memory=True)

    def _configure(self) -> None:
        self.conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        self.conn.execute("PRAGMA journal_mode = WAL")
        self.conn.execute("PRAGMA synchronous = FULL")
        self.conn.execute("PRAGMA foreign_keys = ON")

    def applied_migrations(self) -> list[str]:
        exists = self.conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_sqlite_migrations'"
        ).fetchone()
        if not exists:
            return []
        rows = self.conn.execute(
            "SELECT name FROM _sqlite_migrations WHERE migration_set = ? ORDER BY id",
            (MIGRATION_SET,),
        ).fetchall()
        return [row[0] for row in rows]

    def _check_not_newer(self, applied: list[str]) -> None:
        known = {fn.__name__ for fn in MIGRATIONS}
        unknown = [name for name in applied if name not in known]
        if unknown:
            raise RetainError(key="store.newer", path=str(self.path), step=unknown[-1])

    def _migrate(self) -> None:
        applied = self.applied_migrations()
        self._check_not_newer(applied)
        if len(applied) == len(MIGRATIONS):
            return
        migrations = _load_migrations()
        from retain.lazy import without_heavy_modules

        with without_heavy_modules():
            import sqlite_utils

        db = sqlite_utils.Database(self.conn)
        with self.write():
            # Re-read under the write lock: another process may have migrated.
            applied = self.applied_migrations()
            self._check_not_newer(applied)
            if len(applied) < len(MIGRATIONS):
                migrations.apply(db)

    @contextlib.contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """One ``BEGIN IMMEDIATE … COMMIT``: all of it lands, or none of it."""
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
        except BaseException:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    def close(self) -> None:
        self.conn.close()
        if not self.memory:
            _make_private(self.path)

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def _load_migrations() -> Any:
    """Import sqlite-utils with pandas/numpy hidden: we need neither."""
    from retain.lazy import without_heavy_modules

    with without_heavy_modules():
        from sqlite_utils.migrations import Migrations
    migrations = Migrations(MIGRATION_SET)
    for step in MIGRATIONS:
        migrations()(step)
    return migrations
