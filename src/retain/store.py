"""Open the store: path, permissions, pragmas, migrations, transactions.

Reads go through the plain ``sqlite3`` connection so that read-only commands
never import sqlite-utils (which would pull in pandas/numpy when present).
sqlite-utils is loaded only when a migration is pending.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import sqlite3
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from retain.errors import RetainError
from retain.i18n import Text, msg, os_reason
from retain.migrations import MIGRATION_SET, MIGRATIONS
from retain.processes import pid_alive
from retain.transactions import Attempt, attempts_of

# The default of the store.busy_timeout_s setting: how long a writer waits for
# another one (a long import) before giving up with a message naming it.
DEFAULT_BUSY_TIMEOUT_S = 30.0
PRIVATE_DIR = 0o700
PRIVATE_FILE = 0o600
# PRAGMA user_version of a store migrated by this program: one per migration.
SCHEMA_VERSION = len(MIGRATIONS)
SQLITE_HEADER = b"SQLite format 3\x00"


def default_db_path() -> Path:
    from retain.paths import app_dir

    return Path(app_dir()) / "retain.db"


def resolve_db_path(option: str | None) -> Path:
    raw = option or os.environ.get("RETAIN_DB")
    return Path(raw).expanduser() if raw else default_db_path()


def resolve_db_url(option: str | None) -> str | None:
    """The PostgreSQL store ``--db``/``RETAIN_DB`` names, or None for a SQLite file."""
    from retain.postgres import is_url

    raw = option or os.environ.get("RETAIN_DB")
    return raw if raw and is_url(raw) else None


def open_store(target: Path | str, **options: Any) -> Store:
    """The store at a SQLite path or a postgresql:// URL, with ``Store``'s options."""
    from retain.postgres import is_url

    if isinstance(target, str) and is_url(target):
        from retain.postgres.store import PgStore

        return PgStore(target, **options)
    return Store(Path(target), **options)


def note_path(path: Path) -> Path:
    """The lock-holder note a writer leaves beside the store while it writes."""
    return Path(f"{path}-writer.json")


@dataclass(frozen=True)
class Holder:
    """Who writes: the command and the file it reads, for the lock-holder note."""

    command: str = ""
    file: str | None = None
    started: dt.datetime = field(default_factory=lambda: dt.datetime.now().astimezone())


@dataclass(frozen=True)
class Found:
    """What a look at an existing store file (read-only, nothing changed) saw."""

    applied: list[str]
    user_version: int
    read_only: bool


def _tighten(path: Path) -> None:
    """Take group and other bits off the store files, whatever the umask: never
    add bits (a store made read-only on purpose stays so) and never touch a file
    that is not a regular one."""
    for candidate in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        try:
            info = os.lstat(candidate)
        except FileNotFoundError:
            continue
        mode = stat.S_IMODE(info.st_mode)
        if stat.S_ISREG(info.st_mode) and mode & 0o077:
            os.chmod(candidate, mode & ~0o077)


def _writable(path: Path) -> bool:
    """Whether the store may be written: the file and its directory (SQLite makes
    -wal and -shm files there) carry a write bit and the process may write them.
    The bits count even for root: a store made 0400 on purpose is read-only."""
    for target in (path, path.parent):
        mode = os.stat(target).st_mode
        if not mode & 0o222 or not os.access(target, os.W_OK):
            return False
    return True


def _kind(mode: int) -> Text:
    if stat.S_ISDIR(mode):
        return msg("store.kind.directory")
    if stat.S_ISFIFO(mode):
        return msg("store.kind.fifo")
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return msg("store.kind.device")
    if stat.S_ISSOCK(mode):
        return msg("store.kind.socket")
    return msg("store.kind.special")


def inspect_store(path: Path) -> Found | None:
    """Look at ``path`` without changing anything: None when there is nothing there;
    refused unless it is a regular file holding retain's schema, or newer than us.

    A retain store always has a -wal beside it while in use; without one the file
    is read as immutable, which makes SQLite create no -wal/-shm beside a file that
    may belong to someone else."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise RetainError(key="store.cannot_open", path=str(path), detail=os_reason(exc)) from None
    if not stat.S_ISREG(info.st_mode):
        raise RetainError(key="store.not_a_file", path=str(path), kind=_kind(info.st_mode))
    try:
        with open(path, "rb") as handle:
            header = handle.read(len(SQLITE_HEADER))
    except OSError as exc:
        raise RetainError(key="store.cannot_open", path=str(path), detail=os_reason(exc)) from None
    if header != SQLITE_HEADER:
        raise RetainError(key="store.not_a_store", path=str(path))
    immutable = "" if Path(f"{path}-wal").exists() else "&immutable=1"
    uri = f"file:{quote(str(path.absolute()))}?mode=ro{immutable}"
    try:
        conn = sqlite3.connect(uri, uri=True, isolation_level=None)
    except sqlite3.Error as exc:
        raise RetainError(key="store.cannot_open", path=str(path), detail=str(exc)) from None
    try:
        applied = applied_steps(conn)
        user_version = int(conn.execute("PRAGMA user_version").fetchone()[0])
    except sqlite3.DatabaseError as exc:
        raise RetainError(key="store.cannot_use", path=str(path), detail=str(exc)) from None
    finally:
        conn.close()
    if not applied:
        raise RetainError(key="store.not_a_store", path=str(path))
    _check_not_newer(path, applied, user_version)
    return Found(applied, user_version, read_only=not _writable(path))


def applied_steps(conn: sqlite3.Connection) -> list[str]:
    """The schema steps recorded in a store, in order; [] when it has none (no
    retain store)."""
    has_table = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_sqlite_migrations'"
    ).fetchone()
    if not has_table:
        return []
    rows = conn.execute(
        "SELECT name FROM _sqlite_migrations WHERE migration_set = ? ORDER BY id",
        (MIGRATION_SET,),
    )
    return [str(row[0]) for row in rows]


def unknown_steps(applied: Iterable[str]) -> list[str]:
    """Steps this program does not know: the store was written by a newer retain."""
    known = {fn.__name__ for fn in MIGRATIONS}
    return [name for name in applied if name not in known]


def looks_like_sqlite(path: Path) -> bool:
    """The file starts with SQLite's header (read only; False when unreadable)."""
    try:
        with open(path, "rb") as handle:
            return handle.read(len(SQLITE_HEADER)) == SQLITE_HEADER
    except OSError:
        return False


def _check_not_newer(path: Path, applied: list[str], user_version: int) -> None:
    unknown = unknown_steps(applied)
    if unknown:
        raise RetainError(key="store.newer", path=str(path), step=unknown[-1])
    if user_version > SCHEMA_VERSION:
        raise RetainError(key="store.newer", path=str(path), step=f"#{user_version}")


def read_note(path: Path) -> dict[str, Any] | None:
    """The lock-holder note of a live writer of the store at ``path``, if any: a
    note whose process is gone (a killed writer) is stale and ignored."""
    try:
        note = json.loads(note_path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(note, dict):
        return None
    pid = note.get("pid")
    if not isinstance(pid, int) or pid == os.getpid() or not pid_alive(pid):
        return None
    return note


def busy_error(path: Path, waited_s: float) -> RetainError:
    """What to say when the store stayed locked for the whole busy timeout."""
    note = read_note(path)
    if note is None or not note.get("command"):
        # No live writer of ours said what it does (another program, or an upgrade
        # of the schema run by a reading command): the plain message.
        return RetainError(key="store.busy", path=str(path), seconds=f"{waited_s:g}")
    try:
        started = dt.datetime.fromisoformat(str(note.get("started"))).astimezone()
        at = (
            started.strftime("%H:%M")
            if started.date() == dt.date.today()
            else (started.strftime("%Y-%m-%d %H:%M"))
        )
    except ValueError:
        at = "?"
    command, file = str(note.get("command") or ""), note.get("file")
    if command == "import" and isinstance(file, str) and file:
        return RetainError(key="store.busy_import", file=file, time=at)
    return RetainError(key="store.busy_command", command=command, time=at, pid=note["pid"])


def _is_busy(exc: sqlite3.Error) -> bool:
    text = str(exc).lower()
    return "locked" in text or "busy" in text


class Store:
    """One connection to one store file, with retain's pragmas and schema.

    ``create``: make the store when nothing is at ``path`` (imports only).
    ``write``: the command writes, so a read-only store is refused; a reading
    command opens a read-only store with ``mode=ro`` (no WAL switch, no chmod, no
    migration). Anything at ``path`` that is not a retain store is refused, untouched."""

    def __init__(
        self,
        path: Path,
        *,
        create: bool = True,
        write: bool = True,
        memory: bool = False,
        busy_timeout_s: float = DEFAULT_BUSY_TIMEOUT_S,
        holder: Holder | None = None,
    ) -> None:
        """``memory``: an empty store in memory, nothing on disk (``import --dry-run``
        with no store yet); ``path`` then only names it."""
        self.path = path
        self.memory = memory
        self.busy_timeout_s = busy_timeout_s
        self.holder = holder or Holder()
        self.read_only = False
        if memory:
            self._open(":memory:")
            return
        found = inspect_store(path)
        if found is None:
            if not create:
                raise RetainError(key="store.missing", path=str(path))
            self._create()
            found = inspect_store(path)
            assert found is not None
        if found.read_only:
            if write:
                raise RetainError(key="store.read_only", path=str(path))
            if len(found.applied) < len(MIGRATIONS):
                raise RetainError(key="store.read_only_old", path=str(path))
            self.read_only = True
            self._open(f"file:{quote(str(path.absolute()))}?mode=ro", uri=True)
            return
        try:
            _tighten(path)
        except OSError as exc:
            raise RetainError(key="store.cannot_open", path=str(path), detail=str(exc)) from None
        self._open(path)
        _tighten(path)

    def _open(self, target: str | Path, *, uri: bool = False) -> None:
        try:
            self.conn = sqlite3.connect(
                target, isolation_level=None, timeout=self.busy_timeout_s, uri=uri
            )
        except (OSError, sqlite3.Error) as exc:
            raise RetainError(
                key="store.cannot_open", path=str(self.path), detail=str(exc)
            ) from None
        self.conn.row_factory = sqlite3.Row
        try:
            if self.read_only:
                self._busy_timeout()
                self.conn.execute("PRAGMA foreign_keys = ON")
            else:
                self._configure()
                self._migrate()
        except sqlite3.DatabaseError as exc:
            self.conn.close()
            if _is_busy(exc):
                raise busy_error(self.path, self.busy_timeout_s) from None
            raise RetainError(
                key="store.cannot_use", path=str(self.path), detail=str(exc)
            ) from None
        except BaseException:
            self.conn.close()
            raise

    def _create(self) -> None:
        """Make a migrated store under a temporary name, then link it into place:
        a store is never seen half made (a killed first import leaves no empty
        file that would then be refused as "not a retain store")."""
        directory = self.path.parent
        if not directory.exists():
            directory.mkdir(parents=True, exist_ok=True)
            os.chmod(directory, PRIVATE_DIR)
        temp = directory / f".{self.path.name}.new-{os.getpid()}"
        sides = (temp, Path(f"{temp}-wal"), Path(f"{temp}-shm"), Path(f"{temp}-journal"))
        try:
            for side in sides:
                with contextlib.suppress(FileNotFoundError):
                    side.unlink()
            os.close(os.open(temp, os.O_CREAT | os.O_EXCL | os.O_WRONLY, PRIVATE_FILE))
            maker = Store.__new__(Store)
            maker.path, maker.memory, maker.read_only = temp, False, False
            maker.busy_timeout_s, maker.holder = self.busy_timeout_s, self.holder
            maker._open(temp)
            maker.conn.close()
            try:
                os.link(temp, self.path)
            except FileExistsError:
                pass  # another import made it meanwhile: that one is used
            except OSError:
                # A file system without hard links: rename, unless made meanwhile.
                if not self.path.exists():
                    os.replace(temp, self.path)
        except OSError as exc:
            raise RetainError(
                key="store.cannot_open", path=str(self.path), detail=str(exc)
            ) from None
        finally:
            for side in sides:
                with contextlib.suppress(FileNotFoundError):
                    side.unlink()

    @classmethod
    def scratch(cls) -> Store:
        """An empty, migrated store in memory, gone when closed."""
        return cls(Path(":memory:"), memory=True)

    def _busy_timeout(self) -> None:
        self.conn.execute(f"PRAGMA busy_timeout = {int(self.busy_timeout_s * 1000)}")

    def _configure(self) -> None:
        self._busy_timeout()
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

    def user_version(self) -> int:
        return int(self.conn.execute("PRAGMA user_version").fetchone()[0])

    def _migrate(self) -> None:
        applied = self.applied_migrations()
        _check_not_newer(self.path, applied, self.user_version())
        if len(applied) == len(MIGRATIONS) and self.user_version() == SCHEMA_VERSION:
            return
        with self.write():
            # Re-read under the write lock: another process may have migrated.
            applied = self.applied_migrations()
            _check_not_newer(self.path, applied, self.user_version())
            if len(applied) < len(MIGRATIONS):
                from retain.lazy import without_heavy_modules

                with without_heavy_modules():
                    import sqlite_utils

                _load_migrations().apply(sqlite_utils.Database(self.conn))
            # The schema version, also where any SQLite tool (and `file`) sees it.
            self.conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    @contextlib.contextmanager
    def write(self, *, references_checked: bool = False) -> Iterator[sqlite3.Connection]:
        """One ``BEGIN IMMEDIATE … COMMIT``: all of it lands, or none of it.

        While it holds the write lock it leaves a note saying who writes, so that
        a writer that waited in vain can say what holds the store; the note goes
        before COMMIT, while the lock is still ours, so it never removes the note
        of the next writer.

        ``references_checked``: the caller writes only rows whose references it
        has looked up itself in this transaction (a schedule's loans), so SQLite's
        foreign key lookup per row is skipped (12,000,000 instalments: 3.7 s).
        The pragma is a no-op inside a transaction: it is set around it."""
        if self.read_only:
            raise RetainError(key="store.read_only", path=str(self.path))
        if references_checked:
            self.conn.execute("PRAGMA foreign_keys = OFF")
        try:
            yield from self._write()
        finally:
            if references_checked:
                self.conn.execute("PRAGMA foreign_keys = ON")

    def _write(self) -> Iterator[sqlite3.Connection]:
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            if _is_busy(exc):
                raise busy_error(self.path, self.busy_timeout_s) from None
            raise
        noted = self._leave_note()
        try:
            yield self.conn
        except BaseException:
            self._remove_note(noted)
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise
        self._remove_note(noted)
        self.conn.execute("COMMIT")

    def transactions(self) -> Iterator[Attempt]:
        """Tries of one write, for a body that may run again (:mod:`retain.transactions`):
        on a branch store a write that met another writer in a deadlock is rolled
        back whole and tried again; on SQLite, whose writers queue, it runs once."""
        return attempts_of(self.write)

    def refresh_statistics(self) -> None:
        """After a bulk write: nothing on SQLite, whose plans the queries' index
        hints fix (a PostgreSQL store analyses its tables)."""

    def _leave_note(self) -> Path | None:
        if self.memory:
            return None
        target = note_path(self.path)
        note = {
            "command": self.holder.command,
            "file": self.holder.file,
            "pid": os.getpid(),
            "started": self.holder.started.isoformat(timespec="seconds"),
        }
        temp = Path(f"{target}.{os.getpid()}")
        try:
            fd = os.open(temp, os.O_CREAT | os.O_TRUNC | os.O_WRONLY, PRIVATE_FILE)
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(note, handle, ensure_ascii=False)
            os.replace(temp, target)
        except OSError:
            # A courtesy for other writers: a full disk must not fail the write.
            with contextlib.suppress(OSError):
                temp.unlink()
            return None
        return target

    def _remove_note(self, noted: Path | None) -> None:
        if noted is not None:
            with contextlib.suppress(OSError):
                noted.unlink()

    def close(self) -> None:
        self.conn.close()
        if not self.memory and not self.read_only:
            with contextlib.suppress(OSError):
                _tighten(self.path)

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
