"""Private places for temporary files, and the leftovers of killed runs.

A temporary file holds personal data (a copy of stdin, rejected rows, an export
before its rename), so it never lies about in a shared place: each lives in a
private directory ``.retain-tmp-<pid>-<random>`` (mode 0700, the file 0600,
whatever the umask), made beside its final target so that the rename into place
stays on one file system. The directory is removed when the run ends, on every
error path too. A run killed with SIGKILL cannot do that: while a run is alive
it holds a lock on its directory, so the next run that uses the same place (and
``doctor``) can tell a dead run's leftover from a live run's work and remove it.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
import tempfile
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

from retain.processes import pid_alive

PREFIX = ".retain-tmp-"
PRIVATE_DIR = 0o700
PRIVATE_FILE = 0o600
# A directory not yet locked by its (live) maker looks dead for a moment: an
# unlocked one is a leftover only when its pid is gone or it is older than this.
_UNLOCKED_GRACE_S = 60.0
_OLD_STYLE_AGE_S = 3600.0

try:
    import fcntl
except ImportError:  # pragma: no cover - not POSIX: fall back on the pid alone
    fcntl = None  # type: ignore[assignment]


def temp_root() -> Path:
    """Where a temporary with no target of its own goes (a copy of stdin)."""
    return Path(tempfile.gettempdir())


class PrivateDir:
    """A ``.retain-tmp-*`` directory of this process, locked while it lives."""

    def __init__(self, parent: Path) -> None:
        parent = parent if str(parent) else Path(".")
        clean_temporaries([parent])
        self.path = Path(tempfile.mkdtemp(prefix=f"{PREFIX}{os.getpid()}-", dir=parent))
        self._fd: int | None = None
        try:
            os.chmod(self.path, PRIVATE_DIR)
            self._fd = os.open(self.path, os.O_RDONLY)
            if fcntl is not None:
                fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BaseException:
            self.remove()
            raise

    def create(self, name: str) -> Path:
        """An empty 0600 file in this directory (never an existing one)."""
        path = self.path / name
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, PRIVATE_FILE)
        try:
            os.fchmod(fd, PRIVATE_FILE)
        finally:
            os.close(fd)
        return path

    def remove(self) -> None:
        """Remove the directory and whatever is still in it; never fails."""
        shutil.rmtree(self.path, ignore_errors=True)
        if self._fd is not None:
            with contextlib.suppress(OSError):
                os.close(self._fd)
            self._fd = None

    def __enter__(self) -> PrivateDir:
        return self

    def __exit__(self, *exc: object) -> None:
        self.remove()


@contextlib.contextmanager
def private_dir(parent: Path) -> Iterator[PrivateDir]:
    """A :class:`PrivateDir` in ``parent``, removed on leaving, whatever happened."""
    place = PrivateDir(parent)
    try:
        yield place
    finally:
        place.remove()


def _candidates(directory: Path) -> Iterator[Path]:
    """This user's private directories in ``directory``, and what runs of retain
    up to 0.1.0 left there (an hour old at least: such a run is long dead)."""
    try:
        entries = list(os.scandir(directory))
    except OSError:
        return
    uid = os.getuid() if hasattr(os, "getuid") else None
    for entry in entries:
        with contextlib.suppress(OSError):
            info = entry.stat(follow_symlinks=False)
            if uid is not None and info.st_uid != uid:
                continue
            ours = entry.name.startswith(PREFIX) and stat.S_ISDIR(info.st_mode)
            old = time.time() - info.st_mtime > _OLD_STYLE_AGE_S and _old_style(entry, info)
            if ours or old:
                yield Path(entry.path)


def _old_style(entry: os.DirEntry[str], info: os.stat_result) -> bool:
    """A rejects temporary beside an input, or a copy of stdin in the temporary root."""
    if entry.name.startswith(".retain-rejects-") and stat.S_ISREG(info.st_mode):
        return True
    if entry.name.startswith("retain-") and stat.S_ISDIR(info.st_mode):
        return os.listdir(entry.path) in ([], ["stdin"])
    return False


def _pid_of(path: Path) -> int | None:
    head = path.name[len(PREFIX) :].split("-", 1)[0]
    return int(head) if head.isdigit() else None


def _is_leftover(path: Path) -> bool:
    """A directory no live run holds: its lock is free and its maker is gone."""
    if not path.name.startswith(PREFIX):
        return True  # an earlier version's, old enough (see _candidates)
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return False
    try:
        if fcntl is not None:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return False
            except OSError:
                pass  # a file system without locks: the pid decides
        if not pid_alive(_pid_of(path)):
            return True
        # the pid is alive: another pid namespace's dead run, or a run of ours
        # that has not locked its directory yet
        if fcntl is None:
            return False
        return time.time() - os.stat(fd).st_mtime > _UNLOCKED_GRACE_S
    finally:
        os.close(fd)


def leftover_temporaries(directories: Iterable[Path] = ()) -> list[Path]:
    """The private directories that killed runs left in ``directories`` and in the
    temporary root (for ``doctor``); each may hold personal data."""
    seen: set[Path] = set()
    found: list[Path] = []
    for directory in [*directories, temp_root()]:
        directory = directory if str(directory) else Path(".")
        key = directory.resolve()
        if key in seen:
            continue
        seen.add(key)
        found.extend(path for path in _candidates(directory) if _is_leftover(path))
    return sorted(found)


def clean_temporaries(directories: Iterable[Path] = ()) -> list[Path]:
    """Remove the leftovers :func:`leftover_temporaries` finds; the ones removed."""
    removed = []
    for path in leftover_temporaries(directories):
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            with contextlib.suppress(OSError):
                path.unlink()
        if not path.exists():
            removed.append(path)
    return removed
