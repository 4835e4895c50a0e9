"""A digest of a loans row's raw cells, so that a re-import skips unchanged rows.

Most of a daily re-import is rows the store already holds as they are. Each
accepted loan keeps ``row_digest`` (migration m032): a digest of its row's raw
cells and of everything that decides what those cells become (the file's
columns, the validation rules and settings, the columns written, the schema,
the validators' own code), with the day number of the "today" it was checked
on. A row whose digest matches is the row that was accepted before, read the
same way: validating it again would give the same record, and comparing that
with the store would find nothing to change. So it is counted unchanged
without either.

Why the day is kept apart: a row's rules depend on today only through "not
after today" (a disbursement or closing day), so a row accepted on one day is
accepted on any later day, but not necessarily on an earlier one (``--today``
going back). The stored value is ``<digest>/<day>``; a match needs the same
digest and a day on or before today (:meth:`ImportWriter.row_digests` reads
only those).

What the digest cannot see is kept right by the store: anything else that
writes a loan (a schedule import, undo, a later command) clears its digest
(the trigger of m032), and any migration changes the schema part of the
context, so every digest of an older schema is stale.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Mapping, Sequence
from decimal import Decimal
from itertools import repeat
from pathlib import Path

from retain.days import day_number
from retain.importing.read import SourceRow
from retain.importing.validate import Rules

DIGEST_VERSION = 1  # bump when what a digest covers changes
# Cell types whose repr is their value, whichever reader gave them.
_PLAIN = frozenset({str, int, float, bool, type(None), dt.date, dt.datetime, dt.time, Decimal})


def _code_print() -> bytes:
    """The validators' and the writer's source: a changed rule changes every digest."""
    here = Path(__file__).resolve().parent
    digest = hashlib.blake2b(digest_size=16)
    for name in ("read.py", "columns.py", "normalise.py", "validate.py", "upsert.py", "digest.py"):
        try:
            digest.update((here / name).read_bytes())
        except OSError:  # not a plain file (a zipped install): the version still counts
            digest.update(name.encode())
    return digest.digest()


def _sorted(mapping: Mapping[str, str] | None) -> tuple[tuple[str, str], ...] | None:
    return None if mapping is None else tuple(sorted(mapping.items()))


class RowDigests:
    """The digests of one file's rows, under one context (its rules and columns)."""

    def __init__(
        self, rules: Rules, written: tuple[str, ...], schema: int, layout: object = None
    ) -> None:
        """``layout``: how the file's cells become fields (its columns, the
        mapping's defaults): a row's digest covers its physical cells."""
        from retain import __version__

        context = (
            DIGEST_VERSION,
            __version__,
            _code_print(),
            schema,
            written,
            layout,
            tuple(sorted(rules.present)),
            tuple(sorted(rules.wan_fields)),
            rules.ceiling_fen,
            rules.floor_fen,
            rules.earliest.isoformat(),
            rules.date_order,
            _sorted(rules.guarantee_aliases),
            _sorted(rules.status_aliases),
            _sorted(rules.product_aliases),
        )
        self._base = hashlib.blake2b(repr(context).encode(), digest_size=16)
        self._text_base = self._base.copy()  # of()'s text form: "s" + the joined cells
        self._text_base.update(b"s")
        day = day_number(rules.today)
        assert day is not None
        self.day = day
        self.suffix = f"/{day}"

    def of(self, cells: Sequence[object]) -> str:
        """The digest of one row's raw cells, as hex."""
        digest = self._base.copy()
        try:
            # Text cells (a CSV's): joined, which is one-to-one while no cell
            # holds the separator (counted: else the general form below).
            text = "\x1f".join(cells)  # type: ignore[arg-type]
            if text.count("\x1f") != len(cells) - 1:
                raise TypeError
            data = "s" + text
        except TypeError:  # a workbook's numbers and dates, blank cells, a separator
            if not all(type(cell) in _PLAIN for cell in cells):
                # A cell without a faithful repr (an unusable cell's shows its
                # address): a digest no other row has, so the row is checked.
                return secrets.token_hex(16)
            data = "r" + repr(tuple(cells))
        digest.update(data.encode("utf-8", "surrogatepass"))
        return digest.hexdigest()

    def of_rows(self, rows: Sequence[SourceRow]) -> list[str]:
        """:meth:`of` of each row's cells: a daily re-import digests a million
        rows. A chunk of plain text rows (a CSV's) is checked once for the
        separator and digested in one tight loop; any other chunk row by row."""
        cells_of = [row.cells for row in rows]
        try:
            texts = list(map("\x1f".join, cells_of))  # type: ignore[arg-type]
        except TypeError:  # a workbook's numbers and dates, blank cells
            return [self.of(cells) for cells in cells_of]
        separators = sum(map(str.count, texts, repeat("\x1f")))
        if separators != sum(map(len, cells_of)) - len(cells_of):
            return [self.of(cells) for cells in cells_of]  # a cell holds the separator
        copy = self._text_base.copy
        digests: list[str] = []
        append = digests.append
        try:
            for text in texts:
                digest = copy()
                digest.update(text.encode())
                append(digest.hexdigest())
        except UnicodeEncodeError:  # a lone surrogate (a JSON file's): as of() encodes it
            return [self.of(cells) for cells in cells_of]
        return digests

    def stamp(self, hexdigest: str) -> str:
        """The stored value: the digest and the day it was checked on."""
        return hexdigest + self.suffix
