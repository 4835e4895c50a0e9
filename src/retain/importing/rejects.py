"""The rejects file: rejected rows with their original cells, beside the input.

UTF-8 with BOM (Excel opens it), mode 0600, the file's own headers (minus any
``_`` columns of an earlier rejects file) plus ``_row``, ``_field`` and
``_reason``: fix the cells and import the file again.
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


class RejectsWriter:
    """Written to a temporary file and renamed into place only by :meth:`commit`,
    so a failed run never leaves a half-written rejects file. With
    ``enabled=False`` (a dry run) rows are counted, nothing is written.
    """

    def __init__(self, target: Path, headers: Sequence[str], *, enabled: bool) -> None:
        self.target = target
        self.enabled = enabled
        self.count = 0
        self.keep = [i for i, h in enumerate(headers) if not str(h).startswith("_")]
        self.headers = [headers[i] for i in self.keep]
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
            self._writer.writerow([*self.headers, "_row", "_field", "_reason"])
        shown = [cell_text(cells[i]) if i < len(cells) else "" for i in self.keep]
        self._writer.writerow([*shown, row_no, fault_field, reason])

    def commit(self) -> Path | None:
        """Move the rejects into place; the path, or None when no row was rejected."""
        if self._handle is None or self._tmp is None:
            return None
        self._handle.close()
        self._handle = None
        os.replace(self._tmp, self.target)
        os.chmod(self.target, 0o600)
        self._tmp = None
        return self.target


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
