"""Operations on the store as a file: ``doctor``'s checks, ``backup`` and ``restore``.

Nothing here goes through :class:`retain.store.Store`: opening a store that way
migrates and chmods it, and the point of these is to look at a store (or a
backup) as it is. Every connection is opened without ``create`` (``mode=rw`` /
``mode=ro`` URIs), so a wrong path never becomes a new empty store.

Each check reports only counts, modes, sizes, days and schema step names: never a
row's values, so ``doctor``'s output can be pasted into a support ticket.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import sqlite3
import stat
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from retain.errors import RetainError, UsageError
from retain.i18n import Msg, msg
from retain.migrations import AUDIT_TRIGGERS, MIGRATIONS
from retain.store import (
    DEFAULT_BUSY_TIMEOUT_S,
    PRIVATE_DIR,
    PRIVATE_FILE,
    looks_like_sqlite,
    unknown_steps,
)
from retain.store import (
    applied_steps as store_steps,
)

Status = Literal["ok", "warn", "fail"]

# A WAL file this big means checkpoints are not keeping up (a reader that never
# ends, a crashed writer): reads slow down and the disk fills. Ordinary days
# stay far below it; SQLite's own auto-checkpoint aims at about 4 MB.
WAL_WARN_BYTES = 64 * 1024 * 1024
BACKUP_DIR = "backups"
BACKUP_NAME = re.compile(r"^retain-(\d{8}-\d{6})(?:-(\d+))?\.db$")
# Temporaries of a backup or restore that was killed half-way (see doctor).
OWN_TEMP_PREFIXES = (".retain-backup-", ".retain-restore-")
BUSY_TIMEOUT_S = DEFAULT_BUSY_TIMEOUT_S


@dataclass(frozen=True)
class Check:
    """One line of ``doctor``: a stable name, its verdict and what it saw."""

    name: str
    status: Status
    detail: Msg


@dataclass(frozen=True)
class Report:
    checks: list[Check] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(c.status != "fail" for c in self.checks)


# --- connections ---------------------------------------------------------------


def _uri(path: Path, mode: str) -> str:
    return f"{path.absolute().as_uri()}?mode={mode}"


def _connect(path: Path, mode: str = "rw") -> sqlite3.Connection:
    """A connection that never creates ``path``."""
    conn = sqlite3.connect(_uri(path, mode), uri=True, isolation_level=None, timeout=BUSY_TIMEOUT_S)
    conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
    return conn


def applied_steps(conn: sqlite3.Connection) -> list[str] | None:
    """The schema steps recorded in the store; None when it is no retain store."""
    return store_steps(conn) or None


def integrity_problems(conn: sqlite3.Connection) -> list[str]:
    """``PRAGMA integrity_check``'s complaints (none when it says ok)."""
    rows = [str(row[0]) for row in conn.execute("PRAGMA integrity_check(20)").fetchall()]
    return [] if rows == ["ok"] else rows


# --- doctor --------------------------------------------------------------------


def check_temporaries(paths: Iterable[Path]) -> Check:
    """Leftover temporaries of killed runs: warned about, counted, never named
    (a temporary's name may carry an input file's name)."""
    found = list(paths)
    if not found:
        return Check("temporaries", "ok", msg("doctor.temporaries.ok"))
    places = sorted({str(p.parent) for p in found})
    return Check(
        "temporaries",
        "warn",
        msg("doctor.temporaries.found", count=len(found), places=", ".join(places)),
    )


def own_temporaries(store: Path) -> list[Path]:
    """Temporaries a killed ``backup``/``restore`` left beside the store or in
    its backups directory."""
    found: list[Path] = []
    for directory in (store.parent, store.parent / BACKUP_DIR):
        with contextlib.suppress(OSError):
            found += [p for p in directory.iterdir() if p.name.startswith(OWN_TEMP_PREFIXES)]
    return sorted(found)


def leftover_temporaries(store: Path) -> list[Path]:
    """Every leftover temporary ``doctor`` reports: a killed backup's or restore's,
    and a killed import's or export's private directories beside the store and in
    the temporary root (:mod:`retain.scratch`; beside an input or an output
    elsewhere, the next import or export there cleans them)."""
    from retain.scratch import leftover_temporaries as scratch_leftovers

    return own_temporaries(store) + scratch_leftovers([store.parent])


def _mode_checks(store: Path) -> Check:
    """Store files 0600, directory 0700: readable by others is a fail, any other
    difference a warning."""
    exposed: list[str] = []
    loose: list[str] = []
    for candidate in (store, Path(f"{store}-wal"), Path(f"{store}-shm")):
        try:
            mode = stat.S_IMODE(candidate.stat().st_mode)
        except FileNotFoundError:
            continue
        shown = f"{candidate.name} {mode:04o}"
        if mode & 0o077:
            exposed.append(shown)
        elif mode != PRIVATE_FILE:
            loose.append(shown)
    dir_mode = stat.S_IMODE(store.parent.stat().st_mode)
    if dir_mode != PRIVATE_DIR:
        loose.append(f"{store.parent.name or store.parent}/ {dir_mode:04o}")
    if exposed:
        return Check("modes", "fail", msg("doctor.modes.exposed", files=", ".join(exposed + loose)))
    if loose:
        return Check("modes", "warn", msg("doctor.modes.loose", files=", ".join(loose)))
    return Check("modes", "ok", msg("doctor.modes.ok"))


def _wal_check(store: Path) -> Check:
    try:
        size = Path(f"{store}-wal").stat().st_size
    except FileNotFoundError:
        size = 0
    mib = round(size / (1024 * 1024), 1)
    limit = WAL_WARN_BYTES // (1024 * 1024)
    if size > WAL_WARN_BYTES:
        return Check("wal", "warn", msg("doctor.wal.big", size=mib, limit=limit))
    return Check("wal", "ok", msg("doctor.wal.ok", size=mib, limit=limit))


def _schema_check(applied: list[str]) -> Check:
    unknown = unknown_steps(applied)
    if unknown:
        return Check("schema", "fail", msg("doctor.schema.newer", step=unknown[-1]))
    behind = len(MIGRATIONS) - len(applied)
    if behind:
        return Check("schema", "warn", msg("doctor.schema.behind", steps=behind))
    return Check("schema", "ok", msg("doctor.schema.ok", step=applied[-1], count=len(applied)))


def _audit_check(conn: sqlite3.Connection, applied: list[str]) -> Check:
    rows = conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'changes'"
    ).fetchall()
    missing = [name for name in AUDIT_TRIGGERS if name not in {str(r[0]) for r in rows}]
    if not missing:
        return Check("audit_trail", "ok", msg("doctor.audit.ok"))
    if "m014_ops_audit_append_only" not in applied:
        # An older store: the next command that opens it adds the guard.
        return Check("audit_trail", "warn", msg("doctor.audit.pending"))
    return Check("audit_trail", "fail", msg("doctor.audit.missing", names=", ".join(missing)))


def _data_check(
    conn: sqlite3.Connection, today: dt.date, stale_after_days: Callable[[], int]
) -> Check:
    from retain.queries import loans_as_of

    as_of = loans_as_of(conn)
    if as_of is None:
        return Check("data_age", "warn", msg("doctor.data.none"))
    days = (today - as_of).days
    try:
        limit = stale_after_days()
    except RetainError as exc:
        return Check("data_age", "warn", msg("doctor.data.no_config", detail=exc.message))
    if days > limit:
        return Check(
            "data_age",
            "warn",
            msg("doctor.data.stale", day=as_of.isoformat(), days=days, limit=limit),
        )
    return Check(
        "data_age", "ok", msg("doctor.data.ok", day=as_of.isoformat(), days=days, limit=limit)
    )


def diagnose(
    store: Path,
    today: dt.date,
    stale_after_days: Callable[[], int],
    temporaries: Iterable[Path] | None = None,
) -> Report:
    """Every check of ``doctor``, in order. The store is read, never changed
    (no migration, no chmod); a store that cannot be read fails the first check
    and the checks that need its contents are left out."""
    checks: list[Check] = []
    if not store.exists():
        return Report([Check("store", "fail", msg("doctor.store.missing"))])
    if not store.is_file() or not looks_like_sqlite(store):
        return Report([Check("store", "fail", msg("doctor.store.not_sqlite"))])
    checks.append(_mode_checks(store))
    checks.append(_wal_check(store))
    temps = leftover_temporaries(store) if temporaries is None else list(temporaries)
    checks.append(check_temporaries(temps))
    try:
        conn = _connect(store)
    except sqlite3.Error as exc:
        checks.insert(0, Check("store", "fail", msg("doctor.store.unreadable", detail=str(exc))))
        return Report(checks)
    try:
        size = round(store.stat().st_size / (1024 * 1024), 1)
        head = [Check("store", "ok", msg("doctor.store.ok", size=size))]
        checks[:0] = head + _content_checks(conn, today, stale_after_days)
    finally:
        conn.close()
    return Report(checks)


def _content_checks(
    conn: sqlite3.Connection, today: dt.date, stale_after_days: Callable[[], int]
) -> list[Check]:
    checks: list[Check] = []
    try:
        problems = integrity_problems(conn)
    except sqlite3.DatabaseError as exc:
        return [Check("integrity", "fail", msg("doctor.integrity.failed", detail=str(exc)))]
    if problems:
        checks.append(
            Check(
                "integrity",
                "fail",
                msg("doctor.integrity.failed", detail=f"{len(problems)}: {problems[0]}"),
            )
        )
    else:
        checks.append(Check("integrity", "ok", msg("doctor.integrity.ok")))
    try:
        violations = conn.execute("PRAGMA foreign_key_check").fetchall()
        applied = applied_steps(conn)
    except sqlite3.DatabaseError as exc:
        checks.append(
            Check("foreign_keys", "fail", msg("doctor.store.unreadable", detail=str(exc)))
        )
        return checks
    if violations:
        tables = ", ".join(sorted({str(row[0]) for row in violations}))
        checks.append(
            Check(
                "foreign_keys",
                "fail",
                msg("doctor.fk.broken", count=len(violations), tables=tables),
            )
        )
    else:
        checks.append(Check("foreign_keys", "ok", msg("doctor.fk.ok")))
    if applied is None:
        checks.append(Check("schema", "fail", msg("doctor.schema.not_retain")))
        return checks
    checks.append(_schema_check(applied))
    checks.append(_audit_check(conn, applied))
    checks.append(_data_check(conn, today, stale_after_days))
    return checks


# --- backup --------------------------------------------------------------------


@dataclass(frozen=True)
class BackupResult:
    path: Path
    size: int
    removed: list[Path]


def _private_dir(directory: Path) -> None:
    """Create ``directory`` (0700 whatever the umask) when it does not exist."""
    if not directory.exists():
        directory.mkdir(parents=True, exist_ok=True)
        os.chmod(directory, PRIVATE_DIR)


def _timestamped(directory: Path, now: dt.datetime) -> Path:
    stem = f"retain-{now:%Y%m%d-%H%M%S}"
    candidate = directory / f"{stem}.db"
    n = 0
    while candidate.exists() or candidate.is_symlink():
        n += 1
        candidate = directory / f"{stem}-{n}.db"
    return candidate


def _open_source(store: Path) -> sqlite3.Connection:
    """The live store, read through SQLite (WAL content included); refused
    unless it is a retain store."""
    if not store.exists():
        raise RetainError(key="store.missing", path=str(store))
    if not store.is_file() or not looks_like_sqlite(store):
        raise RetainError(key="ops.not_a_store", path=str(store))
    try:
        conn = _connect(store)
        steps = applied_steps(conn)
    except sqlite3.DatabaseError as exc:
        raise RetainError(key="store.cannot_use", path=str(store), detail=str(exc)) from None
    if steps is None:
        conn.close()
        raise RetainError(key="ops.not_a_store", path=str(store))
    return conn


@contextlib.contextmanager
def _temporary(directory: Path, prefix: str) -> Iterator[Path]:
    """An empty 0600 file in ``directory``, removed unless it was moved away."""
    fd, name = tempfile.mkstemp(prefix=prefix, suffix=".tmp", dir=directory)
    os.fchmod(fd, PRIVATE_FILE)
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
    finally:
        for leftover in (tmp, Path(f"{tmp}-journal"), Path(f"{tmp}-wal"), Path(f"{tmp}-shm")):
            with contextlib.suppress(FileNotFoundError):
                leftover.unlink()


def _copy_into(source: sqlite3.Connection, tmp: Path, journal_mode: str) -> None:
    """SQLite's online backup of ``source`` into ``tmp``, checked, then fsynced.

    One backup step copies every page inside one read transaction: a consistent
    snapshot, while other processes keep writing (WAL readers do not block them)."""
    dest = sqlite3.connect(tmp, isolation_level=None)
    try:
        source.backup(dest)
        dest.execute(f"PRAGMA journal_mode = {journal_mode}")
        problems = integrity_problems(dest)
    finally:
        dest.close()
    if problems:
        raise RetainError(key="ops.copy_corrupt", detail=problems[0])
    fd = os.open(tmp, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(directory: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def backup(
    store: Path,
    target: Path | None,
    *,
    now: dt.datetime,
    force: bool = False,
    keep: int | None = None,
) -> BackupResult:
    """Copy the live store to ``target`` (default: a timestamped file in the
    store's ``backups/``; a directory: a timestamped file in it), mode 0600.

    The copy is complete and checked before it gets its name: a killed backup
    leaves at most a ``.retain-backup-*.tmp`` (reported by ``doctor``). An
    existing ``target`` is replaced only with ``force``. ``keep``: afterwards,
    the newest ``keep`` timestamped backups of that directory stay, older ones
    are deleted."""
    if target is None:
        directory = store.parent / BACKUP_DIR
        named: Path | None = None
    elif target.is_dir():
        directory, named = target, None
    else:
        directory, named = target.parent, target
        if _same_file(target, store):
            raise UsageError(key="ops.same_file", path=str(target))
        if not force and (target.exists() or target.is_symlink()):
            raise UsageError(key="output.exists", path=str(target))
    source = _open_source(store)
    try:
        _private_dir(directory)
        with _temporary(directory, ".retain-backup-") as tmp:
            _copy_into(source, tmp, "DELETE")
            final = named or _timestamped(directory, now)
            if force:
                os.replace(tmp, final)
            else:
                # A link never replaces: a file created since the check above wins.
                try:
                    os.link(tmp, final)
                except FileExistsError:
                    raise UsageError(key="output.exists", path=str(final)) from None
        _fsync_dir(directory)
    finally:
        source.close()
    removed = rotate(directory, keep) if keep is not None else []
    return BackupResult(final, final.stat().st_size, removed)


def _is_foreign(path: Path) -> bool:
    """Clearly not a retain store: no regular file, not SQLite, or SQLite without
    retain's schema. A store too damaged to tell is not foreign: replacing it is
    what restore is for."""
    if not path.is_file() or not looks_like_sqlite(path):
        return True
    try:
        with contextlib.closing(_connect(path)) as conn:
            return applied_steps(conn) is None
    except sqlite3.DatabaseError:
        return False


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.samefile(b)
    except OSError:
        return False


def backups_in(directory: Path) -> list[Path]:
    """The timestamped backups ``retain backup`` made in ``directory``, oldest first."""

    def order(path: Path) -> tuple[str, int]:
        match = BACKUP_NAME.match(path.name)
        assert match is not None
        return match.group(1), int(match.group(2) or 0)

    found = [p for p in directory.iterdir() if BACKUP_NAME.match(p.name) and p.is_file()]
    return sorted(found, key=order)


def rotate(directory: Path, keep: int) -> list[Path]:
    """Delete all but the newest ``keep`` timestamped backups; the deleted ones."""
    found = backups_in(directory)
    old = found[: max(len(found) - keep, 0)]
    for path in old:
        path.unlink()
    return old


# --- restore -------------------------------------------------------------------


@dataclass(frozen=True)
class RestoreResult:
    store: Path
    kept: Path | None
    step: str


@dataclass
class Verified:
    """A backup copied beside the store and checked, ready to be put in place."""

    tmp: Path
    step: str


@contextlib.contextmanager
def verified_copy(backup_file: Path, store: Path) -> Iterator[Verified]:
    """Copy ``backup_file`` into a private temporary beside ``store`` and check
    the copy: a SQLite file, integrity ok, a retain store, its schema not newer
    than this program. Refused with one error otherwise, nothing changed."""
    if not backup_file.is_file():
        raise UsageError(key="ops.no_backup", path=str(backup_file))
    if _same_file(backup_file, store):
        raise UsageError(key="ops.same_file", path=str(backup_file))
    if (store.exists() or store.is_symlink()) and _is_foreign(store):
        # Only a retain store is ever replaced: a wrong --db names someone else's file.
        raise RetainError(key="ops.not_a_store", path=str(store))
    if not looks_like_sqlite(backup_file):
        raise RetainError(key="ops.not_a_store", path=str(backup_file))
    _private_dir(store.parent)
    with _temporary(store.parent, ".retain-restore-") as tmp:
        try:
            # Read-only: a backup on a USB stick or in a read-only dir still restores.
            source = _connect(backup_file, "ro")
            try:
                steps = applied_steps(source)
                if steps is None:
                    raise RetainError(key="ops.not_a_store", path=str(backup_file))
                unknown = unknown_steps(steps)
                if unknown:
                    raise RetainError(key="ops.newer", path=str(backup_file), step=unknown[-1])
                _copy_into(source, tmp, "WAL")
            finally:
                source.close()
        except sqlite3.DatabaseError as exc:
            raise RetainError(
                key="ops.unreadable", path=str(backup_file), detail=str(exc)
            ) from None
        yield Verified(tmp, steps[-1])


def _leave_wal(conn: sqlite3.Connection, *, wait_s: float = BUSY_TIMEOUT_S) -> None:
    """Checkpoint the store into its main file and leave WAL mode, so that the
    main file alone is the whole store. SQLite refuses at once (no busy wait)
    while any other connection is open, hence the retries, between the short
    runs of other retain processes."""
    deadline = time.monotonic() + wait_s
    while True:
        try:
            row = conn.execute("PRAGMA journal_mode = DELETE").fetchone()
        except sqlite3.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.02)
            continue
        if str(row[0]).lower() == "delete":
            return
        raise sqlite3.OperationalError(f"journal mode stayed {row[0]}")


def _unused(path: Path) -> Path:
    """``path``, or ``path-1``, ``path-2`` … : a name no file has yet."""
    candidate, n = path, 0
    while candidate.exists() or candidate.is_symlink():
        n += 1
        candidate = path.with_name(f"{path.name}-{n}")
    return candidate


def _keep(store: Path, kept: Path) -> None:
    """``kept`` names the store's current file too: a hard link where the file
    system has them, else a copy."""
    try:
        os.link(store, kept)
    except OSError:
        import shutil

        shutil.copyfile(store, kept)
        os.chmod(kept, PRIVATE_FILE)


def _keep_companions(store: Path, kept: Path) -> None:
    """Move a damaged store's -wal beside its kept name and drop its -shm, so
    that neither is ever applied to the restored file."""
    with contextlib.suppress(FileNotFoundError):
        os.replace(f"{store}-wal", f"{kept}-wal")
    with contextlib.suppress(FileNotFoundError):
        os.unlink(f"{store}-shm")


def _lock_whole(conn: sqlite3.Connection) -> None:
    """Out of WAL mode and under an exclusive lock: no reader, no writer, the
    main file the whole store. A retain run that opens the store in between
    switches it back to WAL; then again."""
    for _ in range(100):
        _leave_wal(conn)
        conn.execute("BEGIN EXCLUSIVE")
        if str(conn.execute("PRAGMA journal_mode").fetchone()[0]).lower() == "delete":
            return
        conn.execute("ROLLBACK")
    raise sqlite3.OperationalError("the store kept returning to WAL mode")


def put_in_place(verified: Verified, store: Path, *, now: dt.datetime) -> RestoreResult:
    """Swap the verified copy in for ``store``, atomically; the current store is
    kept beside it as ``<name>.before-restore-YYYYmmdd-HHMMSS``.

    The current store is first brought back to one self-contained file and
    locked: its WAL is checkpointed away (``journal_mode=DELETE``, which waits
    until no other connection is open) and an exclusive lock keeps readers and
    writers out until the swap. The kept name is a hard link to the old file
    (a copy where links are not supported), so the store's name never points
    at nothing, not even for an instant."""
    kept: Path | None = None
    old: sqlite3.Connection | None = None
    try:
        if store.exists():
            kept = _unused(store.with_name(f"{store.name}.before-restore-{now:%Y%m%d-%H%M%S}"))
            old = _connect(store)
            try:
                _lock_whole(old)
            except sqlite3.OperationalError:
                raise
            except sqlite3.DatabaseError:
                # Too damaged to checkpoint: its companions go with it, by name.
                old.close()
                old = None
                _keep_companions(store, kept)
            _keep(store, kept)
        os.replace(verified.tmp, store)
        os.chmod(store, PRIVATE_FILE)
        _fsync_dir(store.parent)
    except sqlite3.OperationalError as exc:
        raise RetainError(key="ops.store_busy", path=str(store), detail=str(exc)) from None
    finally:
        if old is not None:
            # Its transaction was on the old file (now only the kept name): nothing to keep.
            with contextlib.suppress(sqlite3.Error):
                old.execute("ROLLBACK")
            old.close()
    # No -wal/-shm of the old file is left to be applied to the new one: leaving
    # WAL mode removed them, before anyone could open the new file.
    return RestoreResult(store, kept, verified.step)
