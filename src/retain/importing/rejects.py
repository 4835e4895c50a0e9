"""The rejects file: rejected rows with their original cells, beside the input.

UTF-8 with BOM (Excel opens it), mode 0600, the file's own headers (minus any
``_`` columns of an earlier rejects file) plus ``_source``, ``_row``, ``_field``
and ``_reason``: fix the cells and import the file again.

A rejects file is never overwritten (the user may have fixed cells in it): the
default name is ``<stem>.rejects.csv``, else ``<stem>.rejects.2.csv`` and so
on. Re-importing a rejects file keeps each row's ``_source`` and ``_row``, so a
rejects-of-rejects file still points at the line of the user's own export.

Every cell is formula-guarded like all CSV output (a leading ``'``), reversibly:
reading a rejects file back strips the guard, so a cell survives the round trip
exactly (:func:`guard_cell`, :func:`unguard_cell`).
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import errno
import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from retain.errors import RetainError
from retain.i18n import os_reason
from retain.output import FORMULA_STARTS
from retain.scratch import PrivateDir
from retain.sinks import close_quietly

if TYPE_CHECKING:
    from _csv import Writer


REJECTS_COLUMNS = frozenset({"_source", "_row", "_field", "_reason"})
GUARDED_STARTS = (*FORMULA_STARTS, "'")


def default_rejects_path(source: Path | None) -> Path:
    """``<input stem>.rejects.csv`` beside the input (``stdin.rejects.csv`` for stdin)."""
    if source is None:
        return Path("stdin.rejects.csv")
    return source.with_name(f"{source.stem}.rejects.csv")


def numbered(path: Path, n: int) -> Path:
    """``x.rejects.csv`` → ``x.rejects.<n>.csv`` (n ≥ 2); n = 1 is the path itself."""
    if n == 1:
        return path
    return path.with_name(f"{path.stem}.{n}{path.suffix}")


class RejectsWriter:
    """Written to a temporary file (0600, in a private directory beside the target)
    and put in place by :meth:`publish` inside the import's transaction, just
    before its COMMIT: a rejects file that cannot be written (full disk, no such
    directory) rolls the import back, so "exit 1" always means nothing was
    committed. If the COMMIT then fails, leaving the block undoes the publishing;
    :meth:`settle` after the COMMIT makes it final. With ``enabled=False`` (a
    dry run) rows are counted, nothing is written.
    """

    def __init__(
        self,
        target: Path,
        headers: Sequence[str],
        *,
        enabled: bool,
        source_name: str = "",
        replace: bool = False,
    ) -> None:
        """``target``: the first name to try; ``replace``: write exactly there (an
        explicit ``--rejects``), else the first free numbered name.
        ``source_name``: the ``_source`` of rows that do not carry their own."""
        self.target = target
        self.enabled = enabled
        self.replace = replace
        self.count = 0
        self.keep = [i for i, h in enumerate(headers) if not str(h).startswith("_")]
        self.headers = [headers[i] for i in self.keep]
        names = [str(h).strip() for h in headers]
        self._row_at = names.index("_row") if "_row" in names else -1
        self._source_at = names.index("_source") if "_source" in names else -1
        self.source_name = source_name
        self._place: PrivateDir | None = None
        self._tmp: Path | None = None
        self._handle: TextIO | None = None
        self._writer: Writer | None = None
        self._placed: Path | None = None
        self._previous: Path | None = None  # the replaced file, until settled

    def __enter__(self) -> RejectsWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._handle is not None:
            close_quietly(self._handle)
            self._handle = None
        if self._placed is not None:
            # published, but the COMMIT never happened: take it back
            with contextlib.suppress(OSError):
                self._placed.unlink()
            if self._previous is not None:
                with contextlib.suppress(OSError):
                    os.replace(self._previous, self._placed)
            self._placed = None
        if self._place is not None:
            self._place.remove()
            self._place = None

    def _failed(self, exc: OSError) -> RetainError:
        return RetainError(
            key="rejects.cannot_write", path=str(self.planned()), reason=os_reason(exc)
        )

    def add(self, row_no: int, cells: Sequence[object], fault_field: str, reason: str) -> None:
        self.count += 1
        if not self.enabled:
            return
        try:
            self._add(row_no, cells, fault_field, reason)
        except OSError as exc:
            raise self._failed(exc) from None

    def _add(self, row_no: int, cells: Sequence[object], fault_field: str, reason: str) -> None:
        if self._writer is None:
            directory = self.target.parent if str(self.target.parent) else Path(".")
            self._place = PrivateDir(directory)
            self._tmp = self._place.create("rejects.csv")
            self._handle = self._tmp.open("w", encoding="utf-8-sig", newline="")
            self._writer = csv.writer(self._handle)
            self._writer.writerow(
                [guard_cell(h) for h in (*self.headers, "_source", "_row", "_field", "_reason")]
            )
        shown = [cell_text(cells[i]) if i < len(cells) else "" for i in self.keep]
        source = self.source_name
        row: object = row_no
        # A row of an earlier rejects file points at the user's own export: keep that.
        if 0 <= self._row_at < len(cells) and cell_text(cells[self._row_at]).strip():
            row = cell_text(cells[self._row_at]).strip()
            if 0 <= self._source_at < len(cells) and cell_text(cells[self._source_at]).strip():
                source = cell_text(cells[self._source_at]).strip()
        self._writer.writerow(
            [guard_cell(str(cell)) for cell in (*shown, source, row, fault_field, reason)]
        )

    def planned(self) -> Path:
        """The name :meth:`publish` will most likely give the file."""
        if self.replace:
            return self.target
        n = 1
        while numbered(self.target, n).exists():
            n += 1
        return numbered(self.target, n)

    def publish(self) -> Path | None:
        """Put the rejects in place (inside the transaction, before COMMIT); the
        path, or None when no row was rejected. Raises :class:`RetainError`
        naming the path when the file cannot be written."""
        if self._handle is None or self._tmp is None or self._place is None:
            return None
        try:
            handle, self._handle = self._handle, None
            try:
                _fault("rejects")
                handle.flush()
                os.fsync(handle.fileno())
            finally:
                close_quietly(handle)
            if self.replace:
                if self.target.is_dir() and not self.target.is_symlink():
                    raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR))
                if self.target.exists() or self.target.is_symlink():
                    self._previous = self._place.path / "previous"
                    os.rename(self.target, self._previous)
                    self._placed = self.target  # from here on, leaving undoes it
                os.replace(self._tmp, self.target)
                placed = self.target
            else:
                placed = _link_free(self._tmp, self.target)
            self._placed = placed
            os.chmod(placed, 0o600)
        except OSError as exc:
            raise self._failed(exc) from None
        return placed

    def settle(self) -> Path | None:
        """After the COMMIT: the published file stays; the temporaries go."""
        placed, self._placed = self._placed, None
        if self._place is not None:
            self._place.remove()
            self._place = None
        return placed


def _fault(point: str) -> None:
    """A test-only fault hook: ``RETAIN_TEST_ENOSPC=rejects`` makes writing the
    rejects file fail as a full disk would (see CONTRIBUTING.md)."""
    if point in os.environ.get("RETAIN_TEST_ENOSPC", "").split(","):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def guard_cell(text: str) -> str:
    """The formula guard of CSV output, made reversible: a leading ``'`` is added to
    a cell a spreadsheet would run (``=HYPERLINK(…)``) and to one that already
    starts with ``'``, so :func:`unguard_cell` gives back exactly the original."""
    if text.startswith(GUARDED_STARTS):
        return "'" + text
    return text


def unguard_cell(value: object) -> object:
    """A cell of a rejects file read back: one leading ``'`` removed (the guard)."""
    if isinstance(value, str) and value.startswith("'"):
        return value[1:]
    return value


def is_rejects_header(cells: Sequence[object]) -> bool:
    """Whether a header row is a rejects file's (it ends in its ``_`` columns)."""
    names = {str(cell).strip() for cell in cells if isinstance(cell, str)}
    return names >= REJECTS_COLUMNS


def _link_free(tmp: Path, target: Path) -> Path:
    """Give ``tmp`` the first free numbered name of ``target``; a hard link fails
    rather than replace a file, so a rejects file appearing meanwhile is safe too."""
    n = 1
    while True:
        candidate = numbered(target, n)
        try:
            os.link(tmp, candidate)
        except FileExistsError:
            n += 1
            continue
        except OSError:
            # no hard links here (some network or FAT file systems): check, then rename
            if candidate.exists():
                n += 1
                continue
            os.rename(tmp, candidate)
            return candidate
        return candidate


def cell_text(value: object) -> str:
    """A raw cell as the user typed it: native dates ISO, whole floats without ".0"."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
