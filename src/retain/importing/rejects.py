"""The rejects file: rejected rows with their original cells, beside the input.

UTF-8 with BOM (Excel opens it), mode 0600, the file's own headers (minus any
``_`` columns of an earlier rejects file) plus ``_source``, ``_row``, ``_field``
and ``_reason``: fix the cells and import the file again.

A rejects file is never overwritten (the user may have fixed cells in it): the
default name is ``<stem>.rejects.csv``, else ``<stem>.rejects.2.csv`` and so
on. Re-importing a rejects file keeps each row's ``_source`` and ``_row``, so a
rejects-of-rejects file still points at the line of the user's own export.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from _csv import Writer


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
    """Written to a temporary file and renamed into place only by :meth:`commit`,
    so a failed run never leaves a half-written rejects file. With
    ``enabled=False`` (a dry run) rows are counted, nothing is written.
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
        self._tmp: Path | None = None
        self._handle: TextIO | None = None
        self._writer: Writer | None = None

    def __enter__(self) -> RejectsWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None
        if self._tmp is not None and self._tmp.exists():
            self._tmp.unlink()

    def add(self, row_no: int, cells: Sequence[object], fault_field: str, reason: str) -> None:
        self.count += 1
        if not self.enabled:
            return
        if self._writer is None:
            directory = self.target.parent if str(self.target.parent) else Path(".")
            fd, tmp = tempfile.mkstemp(prefix=".retain-rejects-", dir=directory)
            os.fchmod(fd, 0o600)
            self._tmp = Path(tmp)
            self._handle = os.fdopen(fd, "w", encoding="utf-8-sig", newline="")
            self._writer = csv.writer(self._handle)
            self._writer.writerow([*self.headers, "_source", "_row", "_field", "_reason"])
        shown = [cell_text(cells[i]) if i < len(cells) else "" for i in self.keep]
        source = self.source_name
        row: object = row_no
        # A row of an earlier rejects file points at the user's own export: keep that.
        if 0 <= self._row_at < len(cells) and cell_text(cells[self._row_at]).strip():
            row = cell_text(cells[self._row_at]).strip()
            if 0 <= self._source_at < len(cells) and cell_text(cells[self._source_at]).strip():
                source = cell_text(cells[self._source_at]).strip()
        self._writer.writerow([*shown, source, row, fault_field, reason])

    def planned(self) -> Path:
        """The name :meth:`commit` will most likely give the file."""
        if self.replace:
            return self.target
        n = 1
        while numbered(self.target, n).exists():
            n += 1
        return numbered(self.target, n)

    def commit(self) -> Path | None:
        """Move the rejects into place; the path, or None when no row was rejected."""
        if self._handle is None or self._tmp is None:
            return None
        self._handle.close()
        self._handle = None
        tmp = self._tmp
        if self.replace:
            os.replace(tmp, self.target)
            placed = self.target
        else:
            placed = _link_free(tmp, self.target)
            if tmp.exists():
                tmp.unlink()
        os.chmod(placed, 0o600)
        self._tmp = None
        return placed


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
