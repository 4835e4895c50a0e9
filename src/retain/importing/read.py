"""Turn an input file (or stdin) into physical rows, then into records.

Everything streams: a file is read once to settle its encoding (and, for
JSON, once to collect the column names) and then row by row, so memory stays
flat however large the export is.

Row numbers are what the officer sees when opening the file in Excel: the
1-based sheet row for XLSX, the 1-based record number for CSV/TSV (a quoted
field spanning several lines is still one row, as in Excel; a blank line is a
row), and for JSON/NDJSON row 1 is the synthetic header and object *k* is row
*k* + 1.
"""

from __future__ import annotations

import codecs
import csv
import json
import re
import shutil
import struct
import sys
import unicodedata
import warnings
import zipfile
import zlib
from collections.abc import Callable, Generator, Iterable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from functools import partial
from itertools import count, islice
from operator import itemgetter
from pathlib import Path
from typing import IO, Any, NamedTuple, cast

from retain.errors import RetainError, UsageError
from retain.i18n import Joined, Text, msg, os_reason
from retain.importing.columns import (
    HEADER_SCAN_ROWS,
    KIND_FIELDS,
    HeaderLayout,
    Kind,
    Mapping,
    match_header,
    missing_required,
    missing_required_texts,
    normalise_header,
)
from retain.importing.normalise import Unusable
from retain.importing.rejects import is_rejects_header, unguard_cell
from retain.scratch import PrivateDir, temp_root

INPUT_FORMATS = ("csv", "tsv", "json", "ndjson", "xlsx", "xls")

_EXTENSIONS = {
    ".csv": "csv",
    ".tsv": "tsv",
    ".tab": "tsv",
    ".json": "json",
    ".ndjson": "ndjson",
    ".jsonl": "ndjson",
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
    ".xls": "xls",
}
_FORMAT_CHOICES = msg("error.read.formats")  # csv, tsv, json, ndjson or xlsx
_CHUNK = 1 << 20
#: Largest single CSV field accepted (a runaway quote otherwise swallows the file).
CSV_FIELD_LIMIT = 16 * 1024 * 1024
#: Largest single JSON value (one row object) accepted.
JSON_VALUE_LIMIT = 16 * 1024 * 1024
STDIN_NAME = "<stdin>"


MB = 1 << 20


@dataclass(frozen=True, slots=True)
class ReadLimits:
    """How much a workbook may expand to (``import.max_xlsx_xml_mb``,
    ``import.max_cells``): a few-megabyte zip can hold gigabytes of XML."""

    max_xml_bytes: int = 500 * MB
    max_cells: int = 5_000_000


class SourceRow(NamedTuple):
    """One physical row: its number as shown in Excel and its raw cells.

    A tuple, so that a reader can make a million of them in C
    (:func:`_source_rows`), not through a Python ``__init__`` each."""

    row_no: int
    cells: list[object]


def _source_rows(numbered: Iterable[tuple[int, list[object]]]) -> Iterator[SourceRow]:
    """(row number, cells) pairs as :class:`SourceRow`, built in C: about half a
    microsecond a row less than calling the class, on a 1,000,000-row file."""
    return map(partial(tuple.__new__, SourceRow), numbered)


@dataclass(slots=True)
class Record:
    """A data row below the header; ``values`` maps canonical field → raw cell."""

    row_no: int
    cells: list[object]
    values: dict[str, object]


@dataclass
class SkipCounter:
    """Rows below the header skipped silently; updated while records are iterated."""

    skipped: int = 0
    blank: int = 0
    totals: int = 0
    repeated_headers: int = 0


# ---------------------------------------------------------------------------
# Format and encoding


def _sniff_delimiter(path: Path) -> str:
    """``tsv`` if the first lines hold more tabs than commas, else ``csv``."""
    try:
        with path.open("rb") as fh:
            head = fh.read(64 * 1024)
    except OSError as exc:
        raise RetainError(key="read.cannot_open", name=str(path), detail=os_reason(exc)) from None
    lines = head.splitlines()[:20]
    tabs = sum(line.count(b"\t") for line in lines)
    commas = sum(line.count(b",") for line in lines)
    return "tsv" if tabs > commas else "csv"


def detect_format(path: Path | None, input_format: str | None) -> str:
    """The input format: ``input_format`` if given, else from the file extension."""
    if input_format is not None:
        fmt = input_format.strip().lower()
        if fmt == "et":
            raise UsageError(key="read.xls_format", value=input_format)
        if fmt == "jsonl":
            fmt = "ndjson"
        if fmt not in INPUT_FORMATS:
            raise UsageError(
                key="read.unknown_format", value=repr(input_format), formats=_FORMAT_CHOICES
            )
        return fmt
    if path is None:
        raise UsageError(key="read.stdin_format", formats=_FORMAT_CHOICES)
    suffix = path.suffix.lower()
    if suffix == ".txt":
        return _sniff_delimiter(path)
    detected = _EXTENSIONS.get(suffix)
    if detected is None:
        raise UsageError(key="read.unknown_extension", name=str(path), formats=_FORMAT_CHOICES)
    return detected


def _first_invalid(path: Path, encoding: str, start: int = 0) -> int | None:
    """Byte offset of the first byte not decodable as ``encoding``, or None.

    Streams the whole file through an incremental decoder; nothing is kept.
    """
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    consumed = start
    pending = 0
    with path.open("rb") as fh:
        fh.seek(start)
        while chunk := fh.read(_CHUNK):
            pending = len(decoder.getstate()[0])
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                return consumed - pending + exc.start
            consumed += len(chunk)
        pending = len(decoder.getstate()[0])
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError as exc:
            return consumed - pending + exc.start
    return None


def _byte_at(path: Path, offset: int) -> str:
    with path.open("rb") as fh:
        fh.seek(offset)
        return fh.read(1).hex().upper()


#: The legacy Chinese encodings told apart when a file is not UTF-8: mainland
#: GB18030 (a superset of GBK and GB2312) and Big5 as Windows writes it (cp950).
LEGACY_ENCODINGS = ("gb18030", "cp950")
#: How the report names an encoding.
ENCODING_NAMES = {
    "utf-8": "UTF-8",
    "utf-8-sig": "UTF-8",
    "utf-16": "UTF-16",
    "utf-16-le": "UTF-16LE",
    "utf-16-be": "UTF-16BE",
    "utf-32": "UTF-32",
    "utf-32-le": "UTF-32LE",
    "utf-32-be": "UTF-32BE",
    "gb18030": "GB18030",
    "cp950": "Big5",
}
#: Bytes of a file the detector looks at (its speed does not depend on the file's size).
DETECT_BYTES = 256 * 1024


def encoding_name(codec: str) -> str:
    return ENCODING_NAMES.get(codec, codec)


def _codec(name: str) -> str:
    """A codec the user named (``--encoding big5``), as Python knows it."""
    wanted = name.strip().lower().replace("_", "-")
    aliases = {"big5": "cp950", "gbk": "gb18030", "gb2312": "gb18030", "utf8": "utf-8"}
    wanted = aliases.get(wanted, wanted)
    try:
        return codecs.lookup(wanted).name
    except LookupError:
        raise UsageError(key="read.unknown_encoding", value=name) from None


def detect_encoding(path: Path, name: str, encoding: str | None = None) -> str:
    """A Python codec name that decodes the whole file strictly.

    ``encoding`` (``--encoding``) is checked, not guessed. Otherwise: UTF-8 with
    BOM → UTF-16 with BOM → UTF-8 → GB18030 or Big5. GB18030 decodes nearly any
    bytes, Big5 text included, so when both decode the whole file a detector
    (charset-normalizer) chooses, and when it cannot tell them apart the import
    stops (:class:`UsageError`) and asks for ``--encoding``: never mojibake.
    """
    try:
        with path.open("rb") as fh:
            head = fh.read(4)
    except OSError as exc:
        raise RetainError(key="read.cannot_open", name=name, detail=os_reason(exc)) from None
    if head.startswith(b"PK\x03\x04"):
        raise RetainError(key="read.xlsx_not_text", name=name)
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise RetainError(key="read.xls_workbook", name=name)
    if encoding is not None:
        codec = _codec(encoding)
        start = len(codecs.BOM_UTF8) if codec == "utf-8" and head.startswith(codecs.BOM_UTF8) else 0
        bad = _first_invalid(path, codec, start=start)
        if bad is not None:
            raise RetainError(
                key="read.not_encoding",
                name=name,
                encoding=encoding_name(codec),
                byte=_byte_at(path, bad),
                offset=bad,
            )
        return "utf-8-sig" if start else codec
    if head.startswith(codecs.BOM_UTF8):
        bad = _first_invalid(path, "utf-8", start=len(codecs.BOM_UTF8))
        if bad is not None:
            raise RetainError(
                key="read.bad_utf8_bom", name=name, byte=_byte_at(path, bad), offset=bad
            )
        return "utf-8-sig"
    if head in (codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE):  # before UTF-16: FF FE 00 00
        bad = _first_invalid(path, "utf-32")
        if bad is not None:
            raise RetainError(key="read.bad_utf32_bom", name=name, offset=bad)
        return "utf-32"
    if head[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        bad = _first_invalid(path, "utf-16")
        if bad is not None:
            raise RetainError(key="read.bad_utf16_bom", name=name, offset=bad)
        return "utf-16"
    # Before UTF-8: ASCII in UTF-16 ("c\0u\0…") is valid UTF-8, full of NULs.
    wide = _wide_without_bom(path)
    if wide is not None:
        raise UsageError(
            key="read.wide_no_bom", name=name, encoding=encoding_name(wide), codec=wide
        )
    bad_utf8 = _first_invalid(path, "utf-8")
    if bad_utf8 is None:
        return "utf-8"
    bad_gb = _first_invalid(path, "gb18030")
    bad_big5 = _first_invalid(path, "cp950")
    if bad_gb is None and bad_big5 is None:
        return _choose_legacy(path, name)
    if bad_gb is None:
        return "gb18030"
    if bad_big5 is None:
        return "cp950"
    raise RetainError(
        key="read.encoding",
        name=name,
        utf8_byte=_byte_at(path, bad_utf8),
        utf8_offset=bad_utf8,
        gb_byte=_byte_at(path, bad_gb),
        gb_offset=bad_gb,
        big5_byte=_byte_at(path, bad_big5),
        big5_offset=bad_big5,
    )


def _wide_without_bom(path: Path) -> str | None:
    """``utf-16-le`` … ``utf-32-be`` when the file's start looks like that encoding
    written without a byte-order mark, else None.

    The tell-tale is NUL bytes: no text in UTF-8 or GB18030 holds them, while in
    UTF-16 every ASCII character (the commas, digits and line ends of any ledger)
    has one on the same side, and in UTF-32 every character has two or three.
    The guess must also decode the sample strictly, to text without NULs.
    """
    with path.open("rb") as fh:
        sample = fh.read(64 * 1024)
    sample = sample[: len(sample) - len(sample) % 4]
    if b"\x00" not in sample:
        return None
    quarters = [sample[i::4].count(0) for i in range(4)]
    per_quarter = len(sample) // 4
    candidates: list[str] = []
    if quarters[2] == quarters[3] == per_quarter:
        candidates.append("utf-32-le")
    if quarters[0] == quarters[1] == per_quarter:
        candidates.append("utf-32-be")
    even, odd = quarters[0] + quarters[2], quarters[1] + quarters[3]
    if odd > 4 * even:
        candidates.append("utf-16-le")
    if even > 4 * odd:
        candidates.append("utf-16-be")
    for codec in candidates:
        try:
            text = codecs.getincrementaldecoder(codec)("strict").decode(sample)
        except UnicodeDecodeError:
            continue
        if "\x00" not in text:
            return codec
    return None


def _open_text(path: Path, encoding: str, newline: str | None = None) -> IO[str]:
    """The file as text, past any byte-order marks the codec leaves in: a file
    saved twice with a BOM (by two tools) starts with a second one, U+FEFF,
    which would otherwise be part of the first column's name."""
    fh = path.open(encoding=encoding, newline=newline)
    try:
        start = fh.tell()
        while fh.read(1) == "\ufeff":
            start = fh.tell()
        fh.seek(start)
    except BaseException:
        fh.close()
        raise
    return fh


def _choose_legacy(path: Path, name: str) -> str:
    """GB18030 or Big5 for a file both decode: the detector's choice, if it is sure."""
    sample = _non_ascii_lines(path)
    from charset_normalizer import from_bytes

    matches = from_bytes(sample, cp_isolation=list(LEGACY_ENCODINGS), explain=False)
    # (chaos, -coherence) of each candidate: lower is better; a candidate the
    # detector dropped is too chaotic to be the file's encoding.
    scores = {
        _canonical(match.encoding): (round(match.chaos, 3), -round(match.coherence, 3))
        for match in matches
    }
    scores = {codec: score for codec, score in scores.items() if codec in LEGACY_ENCODINGS}
    choice: str | None = None
    if len(scores) == 1:
        choice = next(iter(scores))
    elif len(scores) == 2 and scores["gb18030"] != scores["cp950"]:
        choice = "gb18030" if scores["gb18030"] < scores["cp950"] else "cp950"
    # A second opinion from the bytes, which the detector is not always sure to
    # weigh on a short file: about 40% of Big5 characters have a second byte below
    # 0xA1, while nearly every character of mainland text is in GB2312, whose
    # second bytes are all 0xA1 or above. Where the two disagree, ask.
    low, pairs = _low_trail_pairs(sample)
    if choice == "gb18030" and low * 10 <= pairs:
        return choice
    if choice == "cp950" and low > 0:
        return choice
    raise UsageError(key="read.encoding_unsure", name=name)


def _non_ascii_lines(path: Path) -> bytes:
    """Up to DETECT_BYTES of the file's lines that hold non-ASCII bytes: the only
    evidence, wherever it is (3 MB of ASCII may precede the first Chinese name)."""
    kept: list[bytes] = []
    size = 0
    with path.open("rb") as fh:
        for line in fh:
            if not line.isascii():
                kept.append(line)
                size += len(line)
                if size >= DETECT_BYTES:
                    break
    return b"".join(kept)


def _low_trail_pairs(data: bytes) -> tuple[int, int]:
    """(double-byte characters with a second byte below 0xA1, all of them) in
    bytes that decode as Big5 (so every byte from 0x81 up begins a pair)."""
    low = pairs = 0
    i, end = 0, len(data)
    while i < end:
        if data[i] >= 0x81 and i + 1 < end:
            pairs += 1
            low += data[i + 1] < 0xA1
            i += 2
        else:
            i += 1
    return low, pairs


def _canonical(encoding: str) -> str:
    try:
        codec = codecs.lookup(encoding).name
    except LookupError:
        return encoding
    return "cp950" if codec in ("big5", "cp950") else codec


# ---------------------------------------------------------------------------
# CSV / TSV


class _CsvRows:
    """A CSV/TSV file's rows, opened on first use: one :class:`SourceRow` at a
    time (an iterator), or many raw rows at once (:meth:`take`, what a reader
    of whole columns wants: no object per row)."""

    def __init__(self, path: Path, encoding: str, delimiter: str, name: str) -> None:
        self.path, self.encoding, self.delimiter, self.name = path, encoding, delimiter, name
        self.row_no = 0  # the last row handed out
        self._fh: IO[str] | None = None
        self._reader: Iterator[list[str]] | None = None
        self._line_num: Callable[[], int] = lambda: 0

    def _open(self) -> Iterator[list[str]]:
        if csv.field_size_limit() < CSV_FIELD_LIMIT:
            csv.field_size_limit(CSV_FIELD_LIMIT)
        self._fh = _open_text(self.path, self.encoding, newline="")
        # Excel shows one row per record (a quoted multi-line field stays one row)
        reader = csv.reader(self._fh, delimiter=self.delimiter, strict=False)
        self._line_num = lambda: reader.line_num
        self._reader = reader
        return reader

    def __iter__(self) -> _CsvRows:
        return self

    def __next__(self) -> SourceRow:
        reader = self._reader or self._open()
        try:
            row = next(reader)
        except csv.Error as exc:
            raise self._error(exc) from None
        self.row_no += 1
        return SourceRow(self.row_no, cast(list[object], row))

    def take(self, count: int) -> list[list[object]]:
        """The next ``count`` rows (fewer at the end), raw: the first is row
        ``row_no + 1`` as it was before the call, the others follow it."""
        reader = self._reader or self._open()
        rows: list[list[str]] = []
        append = rows.append
        try:
            for row in islice(reader, count):
                append(row)
        except csv.Error as exc:
            self.row_no += len(rows)
            raise self._error(exc) from None
        self.row_no += len(rows)
        return cast(list[list[object]], rows)

    def _error(self, exc: csv.Error) -> RetainError:
        hint: Text | str = ""
        if "field larger than field limit" in str(exc):
            hint = msg("error.read.csv_quote")
        return RetainError(
            key="read.csv",
            name=self.name,
            kind="TSV" if self.delimiter == "\t" else "CSV",
            row=self.row_no + 1,
            line=self._line_num(),
            detail=str(exc),
            hint=hint,
        )

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()


# ---------------------------------------------------------------------------
# JSON / NDJSON


class _NonFinite:
    """Stands in for NaN/Infinity, which JSON does not allow."""

    def __init__(self, text: str) -> None:
        self.text = text


def _json_int(text: str) -> int | Unusable:
    try:
        return int(text)
    except ValueError:  # more digits than Python converts (4,300): no field holds that
        return Unusable("too_large", f"{text[:20]}… ({len(text)} digits)")


def _json_decoder() -> json.JSONDecoder:
    return json.JSONDecoder(parse_constant=_NonFinite, parse_int=_json_int)


_SURROGATE = re.compile(r"[\ud800-\udfff]")


def _escaped(text: str) -> str:
    """Text that can be written as UTF-8: a lone surrogate (``"\\ud800"`` in the
    JSON) as its escape, so the rejects file shows what the file held."""
    if text.isascii() or not _SURROGATE.search(text):
        return text
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def _check_object(obj: object, number: int, line: int, name: str) -> dict[str, Any]:
    if not isinstance(obj, dict):
        where = msg("error.read.json_where", name=name, line=line, number=number)
        raise RetainError(key="read.json_not_object", where=where, found=type(obj).__name__)
    if not all(_escaped(key) is key for key in obj):
        obj = {_escaped(key): value for key, value in obj.items()}
    for key, value in obj.items():
        # Only a fault if the import reads that field: an unused one never rejects a row.
        if isinstance(value, str):
            shown = _escaped(value)
            if shown is not value:
                obj[key] = Unusable("json_surrogate", shown)
        elif isinstance(value, dict | list):
            try:
                shown = json.dumps(value, ensure_ascii=False, default=_non_finite_text)
            except RecursionError:  # decoded just below the limit, one level short here
                shown = "[…]" if isinstance(value, list) else "{…}"
            nested = "object" if isinstance(value, dict) else "array"
            obj[key] = Unusable(f"json_{nested}", _escaped(shown))
        elif isinstance(value, _NonFinite):
            obj[key] = Unusable("json_nonfinite", value.text)
    return obj


def _non_finite_text(value: object) -> str:
    return value.text if isinstance(value, _NonFinite) else str(value)


_WS = re.compile(r"[ \t\n\r]*")


class _JsonStream:
    """Incremental reader of one JSON document holding an array of objects.

    Accepts ``[{...}, ...]`` or ``{"rows": [{...}, ...], ...}`` and yields the
    row objects one by one with the line each starts on, keeping only one
    value in memory at a time.
    """

    def __init__(self, fh: IO[str], name: str) -> None:
        self.fh = fh
        self.name = name
        self.buf = ""
        self.pos = 0
        # line counting is incremental: mark_line is the line number at buf[mark]
        self.mark = 0
        self.mark_line = 1
        self.eof = False
        self.decoder = _json_decoder()

    def _fill(self, size: int = 1 << 16) -> bool:
        if self.eof:
            return False
        chunk = self.fh.read(size)
        if not chunk:
            self.eof = True
            return False
        self.mark_line = self._line_at(self.pos)
        self.mark = 0
        self.buf = self.buf[self.pos :] + chunk
        self.pos = 0
        return True

    def _line_at(self, pos: int) -> int:
        if pos < self.mark:
            return self.mark_line - self.buf.count("\n", pos, self.mark)
        self.mark_line += self.buf.count("\n", self.mark, pos)
        self.mark = pos
        return self.mark_line

    def _error(self, detail: Text | str, pos: int | None = None) -> RetainError:
        line = self._line_at(self.pos if pos is None else pos)
        return RetainError(key="read.json_invalid", name=self.name, line=line, detail=detail)

    def _peek(self) -> str:
        while True:
            match = _WS.match(self.buf, self.pos)
            assert match is not None
            self.pos = match.end()
            if self.pos < len(self.buf):
                return self.buf[self.pos]
            if not self._fill():
                return ""

    def _expect(self, chars: str) -> str:
        char = self._peek()
        if not char or char not in chars:
            what = Joined(tuple(repr(c) for c in chars), sep="sep.or")
            found = repr(char) if char else msg("error.read.json_eof")
            raise self._error(msg("error.read.json_expected", what=what, found=found))
        self.pos += 1
        return char

    def _value(self) -> tuple[object, int]:
        """Decode the value at the current position; returns it and its line."""
        self._peek()
        more = 1 << 16  # doubles on each retry, so a long value is not re-read quadratically
        while True:
            try:
                value, end = self.decoder.raw_decode(self.buf, self.pos)
            except RecursionError:
                raise self._error(msg("error.read.json_deep")) from None
            except json.JSONDecodeError as exc:
                if len(self.buf) - self.pos < JSON_VALUE_LIMIT and self._fill(more):
                    more *= 2
                    continue
                raise self._error(exc.msg, exc.pos) from None
            # a number or literal may continue in the next chunk
            if end == len(self.buf) and self._fill():
                continue
            line = self._line_at(self.pos)
            self.pos = end
            return value, line

    def _array(self) -> Iterator[tuple[object, int]]:
        self._expect("[")
        if self._peek() == "]":
            self.pos += 1
            return
        while True:
            yield self._value()
            if self._expect(",]") == "]":
                return

    def objects(self) -> Iterator[tuple[object, int]]:
        first = self._peek()
        if first == "[":
            yield from self._array()
        elif first == "{":
            self.pos += 1
            found = False
            if self._peek() == "}":
                self.pos += 1
            else:
                while True:
                    key, _ = self._value()
                    if not isinstance(key, str):
                        raise self._error(msg("error.read.json_key"))
                    self._expect(":")
                    if key == "rows" and not found:
                        found = True
                        if self._peek() != "[":
                            raise self._error(msg("error.read.json_rows_array"))
                        yield from self._array()
                    else:
                        self._value()
                    if self._expect(",}") == "}":
                        break
            if not found:
                raise RetainError(key="read.json_no_rows", name=self.name)
        elif first == "":
            return
        else:
            raise self._error(msg("error.read.json_start"))
        if self._peek():
            raise self._error(msg("error.read.json_extra"))


def _json_objects(path: Path, encoding: str, name: str) -> Iterator[dict[str, Any]]:
    with _open_text(path, encoding) as fh:
        for number, (obj, line) in enumerate(_JsonStream(fh, name).objects(), 1):
            yield _check_object(obj, number, line, name)


def _ndjson_objects(path: Path, encoding: str, name: str) -> Iterator[dict[str, Any]]:
    decoder = _json_decoder()
    number = 0
    with _open_text(path, encoding) as fh:
        for line_no, line in enumerate(fh, 1):
            text = line.strip()
            if not text:
                continue
            try:
                obj = decoder.decode(text)
            except RecursionError:
                raise RetainError(
                    key="read.json_invalid",
                    name=name,
                    line=line_no,
                    detail=msg("error.read.json_deep"),
                ) from None
            except json.JSONDecodeError as exc:
                raise RetainError(
                    key="read.ndjson_invalid",
                    name=name,
                    line=line_no,
                    detail=exc.msg,
                    column=exc.colno,
                ) from None
            number += 1
            yield _check_object(obj, number, line_no, name)


def _object_rows(
    objects: Callable[[], Iterator[dict[str, Any]]],
) -> Generator[SourceRow, None, None]:
    """Header row (union of keys, first-seen order) then one row per object.

    Makes two passes: the first collects the keys and validates every object,
    so errors surface before any row is produced.
    """
    keys: dict[str, None] = {}
    for obj in objects():
        for key in obj:
            if key not in keys:
                keys[key] = None
    if not keys:
        return
    header = list(keys)
    yield SourceRow(1, cast(list[object], list(header)))
    for number, obj in enumerate(objects(), 1):
        yield SourceRow(number + 1, [obj.get(key) for key in header])


# ---------------------------------------------------------------------------
# XLSX


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text or type(exc).__name__


class _Workbook:
    """The sheets of a workbook, each read row by row; closed by :meth:`close`."""

    names: list[str]

    def rows(self, index: int) -> Generator[SourceRow, None, None]:
        raise NotImplementedError

    def close(self) -> None:
        pass


#: Members of an XLSX zip that a reader parses as XML.
_XML_SUFFIXES = (".xml", ".rels", ".vml")
_LOCAL_HEADER = struct.Struct("<4s22xHH")  # signature … file name length, extra length
_SHARED_STRINGS = "xl/sharedStrings.xml"


def _too_big(name: str, limits: ReadLimits, found: Text) -> RetainError:
    return RetainError(
        key="read.xlsx_too_big", name=name, found=found, limit=limits.max_xml_bytes // MB
    )


def _check_xlsx(path: Path, name: str, limits: ReadLimits) -> None:
    """Refuse a workbook whose XML would expand beyond the limits, before parsing.

    First the sizes the zip directory declares, then the real ones: each XML
    member is inflated here, output counted and thrown away, stopping at the
    limit, so a member whose declared size lies costs no more than the limit.
    The shared strings are counted too (openpyxl keeps them all in memory): a
    workbook has no more distinct strings than cells.
    """
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError):
        return  # not a zip at all: openpyxl says what is wrong with it
    with archive, path.open("rb") as raw:
        members = [i for i in archive.infolist() if i.filename.lower().endswith(_XML_SUFFIXES)]
        declared = sum(i.file_size for i in members)
        if declared > limits.max_xml_bytes:
            found = msg("error.read.xlsx_declares", size=-(-declared // MB))
            raise _too_big(name, limits, found)
        total = 0
        for info in members:
            counter = _SiCounter() if info.filename == _SHARED_STRINGS else None
            total += _inflate(archive, raw, info, limits.max_xml_bytes - total, counter)
            if total > limits.max_xml_bytes:
                found = msg("error.read.xlsx_expands", size=-(-declared // MB))
                raise _too_big(name, limits, found)
            if counter is not None and counter.count > limits.max_cells:
                raise RetainError(
                    key="read.too_many_cells", name=name, limit=f"{limits.max_cells:,}"
                )


class _SiCounter:
    """Counts shared-string entries (``<si>``, any namespace prefix) in a stream."""

    _TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]{0,15}:)?si[\s>/]")

    def __init__(self) -> None:
        self.count = 0
        self.tail = b""

    def feed(self, data: bytes) -> None:
        text = self.tail + data
        seen = len(self.tail)
        # a tag wholly inside the tail was counted with the previous chunk
        self.count += sum(1 for m in self._TAG.finditer(text) if m.end() > seen)
        self.tail = text[-24:]


def _inflate(
    archive: zipfile.ZipFile,
    raw: IO[bytes],
    info: zipfile.ZipInfo,
    cap: int,
    counter: _SiCounter | None,
) -> int:
    """The real inflated size of one member, or just over ``cap`` if it is larger."""
    size = 0
    if info.compress_type == zipfile.ZIP_DEFLATED:
        raw.seek(info.header_offset)
        signature, name_len, extra_len = _LOCAL_HEADER.unpack(raw.read(_LOCAL_HEADER.size))
        if signature != b"PK\x03\x04":
            return 0  # a damaged zip: openpyxl reports it
        raw.seek(info.header_offset + _LOCAL_HEADER.size + name_len + extra_len)
        inflater = zlib.decompressobj(-zlib.MAX_WBITS)
        left = info.compress_size
        while left > 0 and not inflater.eof:
            pending = raw.read(min(left, 1 << 16))
            if not pending:
                break
            left -= len(pending)
            while pending:
                try:
                    data = inflater.decompress(pending, 1 << 20)
                except zlib.error:
                    return size  # damaged: openpyxl reports it
                size += len(data)
                if counter is not None:
                    counter.feed(data)
                if size > cap:
                    return size
                pending = inflater.unconsumed_tail
        return size
    # stored (or a method zlib does not speak): zipfile stops at the declared size
    try:
        with archive.open(info) as member:
            while data := member.read(1 << 20):
                size += len(data)
                if counter is not None:
                    counter.feed(data)
                if size > cap:
                    return size
    except (zipfile.BadZipFile, NotImplementedError, OSError, EOFError, zlib.error):
        pass
    return size


class _XlsxBook(_Workbook):
    def __init__(self, path: Path, name: str, limits: ReadLimits) -> None:
        from retain.lazy import without_heavy_modules

        with without_heavy_modules():
            import openpyxl
            from openpyxl import load_workbook

        # An XLSX file is zipped XML, and the standard library's XML parser expands
        # entities: a few-kilobyte "billion laughs" workbook could take all memory.
        # openpyxl parses with defusedxml (a dependency for this reason alone) when it
        # is installed, unless OPENPYXL_DEFUSEDXML=False; never parse a workbook without it.
        if not openpyxl.DEFUSEDXML:
            detail = (
                "openpyxl is not using defusedxml (pip install defusedxml; OPENPYXL_DEFUSEDXML)"
            )
            raise RetainError(key="read.xlsx", name=name, detail=detail)
        self.name = name
        self.limits = limits
        # A file object, not the path: openpyxl refuses paths without an .xlsx
        # extension (stdin, or --input-format xlsx on another name).
        self.handle = path.open("rb")
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                self.book = load_workbook(self.handle, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many kinds for a bad file
            self.handle.close()
            raise RetainError(key="read.xlsx", name=name, detail=_one_line(exc)) from None
        self.names = [str(sheet.title) for sheet in self.book.worksheets]

    def rows(self, index: int) -> Generator[SourceRow, None, None]:
        sheet = self.book.worksheets[index]
        cells_of = _formula_aware_rows(self.book, sheet)
        # Every row is yielded, missing ones as empty, so enumerate gives the sheet row.
        row_no = 0
        cells = 0
        while True:
            try:
                values = next(cells_of)
            except StopIteration:
                return
            except Exception as exc:
                raise RetainError(
                    key="read.xlsx_row", name=self.name, row=row_no + 1, detail=_one_line(exc)
                ) from None
            row_no += 1
            cells += len(values)
            if cells > self.limits.max_cells:
                raise RetainError(
                    key="read.too_many_cells",
                    name=self.name,
                    limit=f"{self.limits.max_cells:,}",
                )
            while values and values[-1] is None:
                values.pop()
            yield SourceRow(row_no, values)

    def close(self) -> None:
        self.book.close()
        self.handle.close()


def _formula_aware_rows(book: Any, sheet: Any) -> Iterator[list[object]]:
    """A read-only sheet's rows (saved values), with a formula that has no saved
    value as :class:`Unusable` rather than a blank cell that looks "required".

    openpyxl's read-only worksheet gives such a cell as None, so this walks the
    sheet with its parser, marking those cells (what openpyxl itself does in
    ``ReadOnlyWorksheet._cells_by_row``, less the fixed width)."""
    from openpyxl.worksheet._reader import FORMULA_TAG, WorkSheetParser

    class Parser(WorkSheetParser):  # type: ignore[misc]
        def parse_cell(self, element: Any) -> dict[str, Any]:
            cell: dict[str, Any] = super().parse_cell(element)
            if cell["value"] is None and element.find(FORMULA_TAG) is not None:
                cell["value"] = Unusable("formula_unsaved")
            return cell

    with sheet._get_source() as src:
        parser = Parser(
            src,
            sheet._shared_strings,
            data_only=True,
            epoch=book.epoch,
            date_formats=book._date_formats,
            timedelta_formats=book._timedelta_formats,
        )
        expected = 1
        for index, cells in parser.parse():
            while expected < index:  # rows missing from the XML are empty rows
                expected += 1
                yield []
            width = max((c["column"] for c in cells), default=0)
            values: list[object] = [None] * width
            for cell in cells:
                values[cell["column"] - 1] = cell["value"]
            expected += 1
            yield values


class _XlsBook(_Workbook):
    """A workbook read with python-calamine: every legacy ``.xls``, and an ``.xlsx``
    small enough and free of formulas (:func:`_calamine_suits`)."""

    def __init__(
        self, path: Path, name: str, limits: ReadLimits, error_key: str = "read.xls"
    ) -> None:
        self.name = name
        self.limits = limits
        self.error_key = error_key
        try:
            from python_calamine import CalamineWorkbook
        except ImportError:  # pragma: no cover - a dependency; only a broken install lacks it
            raise RetainError(key="read.xls_workbook", name=name) from None
        try:
            self.book = CalamineWorkbook.from_path(str(path))
        except Exception as exc:  # calamine raises its own kinds for a bad file
            raise RetainError(key=error_key, name=name, detail=_one_line(exc)) from None
        self.names = [str(n) for n in self.book.sheet_names]

    def rows(self, index: int) -> Generator[SourceRow, None, None]:
        try:
            sheet = self.book.get_sheet_by_index(index)
        except Exception as exc:
            raise RetainError(key=self.error_key, name=self.name, detail=_one_line(exc)) from None
        # Calamine holds the sheet in memory: an .xls has at most 65,536 × 256
        # cells, an .xlsx comes here only when small; the sheet's size decides.
        if sheet.height * sheet.width > self.limits.max_cells:
            raise RetainError(
                key="read.too_many_cells", name=self.name, limit=f"{self.limits.max_cells:,}"
            )
        try:
            table = sheet.to_python(skip_empty_area=False)
        except Exception as exc:
            raise RetainError(key=self.error_key, name=self.name, detail=_one_line(exc)) from None
        for row_no, values in enumerate(table, 1):
            cells: list[object] = [None if v == "" else v for v in values]
            while cells and cells[-1] is None:
                cells.pop()
            yield SourceRow(row_no, cells)

    def close(self) -> None:
        self.book.close()


# An .xlsx whose sheets and shared strings hold at most this much XML is read
# with calamine: 15x as fast as openpyxl and the same values (bench/xlsx.py), but
# it holds the whole sheet in memory (~110 MB for 60 MB of XML), so a bigger
# workbook is streamed by openpyxl within the importer's memory budget.
CALAMINE_MAX_XML_BYTES = 32 * 1024 * 1024
_FORMULA_TAGS = (b"<f>", b"<f ", b"<f/")


def _calamine_suits(path: Path) -> bool:
    """Small, and no formula cells: calamine gives a formula that has no saved
    value as a blank cell, where openpyxl lets retain say "formula not saved"."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as archive:
            parts = [
                info
                for info in archive.infolist()
                if info.filename.startswith("xl/worksheets/")
                or info.filename == "xl/sharedStrings.xml"
            ]
            if sum(info.file_size for info in parts) > CALAMINE_MAX_XML_BYTES:
                return False
            for info in parts:
                if info.filename.startswith("xl/worksheets/") and _has_formula(archive, info):
                    return False
    except (OSError, zipfile.BadZipFile, RuntimeError, ValueError, EOFError):
        return False  # openpyxl reads it, or says what is wrong with it
    return True


def _has_formula(archive: Any, info: Any) -> bool:
    tail = b""
    with archive.open(info) as member:
        while block := member.read(1 << 20):
            window = tail + block
            if any(tag in window for tag in _FORMULA_TAGS):
                return True
            tail = block[-2:]  # a tag split across two blocks
    return False


def _open_book(path: Path, name: str, fmt: str, limits: ReadLimits) -> _Workbook:
    if fmt == "xls":
        return _XlsBook(path, name, limits)
    # The zip-bomb limits hold for either reader, checked before any XML is parsed.
    _check_xlsx(path, name, limits)
    if _calamine_suits(path):
        try:
            return _XlsBook(path, name, limits, error_key="read.xlsx")
        except RetainError:
            pass  # openpyxl then reads it, or says in its words what is wrong
    return _XlsxBook(path, name, limits)


def _pick_sheet(
    book: _Workbook,
    name: str,
    sheet: str | None,
    kind: Kind | None,
    mapping: Mapping | None,
) -> int:
    """The sheet to import: the one asked for (name or 1-based number), else the
    first with a header row for ``kind``, else (no ``kind``) the first."""
    names = book.names
    if not names:
        raise RetainError(key="read.xlsx_no_sheet", name=name)
    listed = Joined(tuple(names), sep="sep.comma")
    if sheet is not None:
        wanted = sheet.strip()
        if wanted in names:
            return names.index(wanted)
        folded = [normalise_header(n) for n in names]
        if normalise_header(wanted) in folded:
            return folded.index(normalise_header(wanted))
        if wanted.isdigit() and 1 <= int(wanted) <= len(names):
            return int(wanted) - 1
        raise UsageError(key="read.no_such_sheet", sheet=sheet, name=name, sheets=listed)
    if kind is None or mapping is None:
        return 0
    for index in range(len(names)):
        rows = book.rows(index)
        try:
            for row in rows:
                layout = match_header(row.cells, kind, mapping, row_no=row.row_no)
                if not missing_required(kind, mapping, set(layout.field_index)):
                    return index
                if row.row_no >= HEADER_SCAN_ROWS:
                    break
        finally:
            rows.close()
    missing = missing_required_texts(kind, mapping, set())
    raise RetainError(
        key="read.no_sheet_header",
        name=name,
        sheets=listed,
        missing=Joined(tuple(missing), sep="sep.comma"),
    )


# ---------------------------------------------------------------------------
# Opening


def _spool_stdin(place: PrivateDir) -> Path:
    stdin = sys.stdin
    if stdin is None:
        raise RetainError(key="read.no_stdin")
    try:
        if stdin.isatty():
            raise UsageError(key="read.stdin_tty")
    except (AttributeError, ValueError):
        pass
    target = place.create("stdin")
    source = getattr(stdin, "buffer", None)
    with target.open("wb") as out:
        if source is not None:
            shutil.copyfileobj(source, out, _CHUNK)
        else:  # a text stream without a buffer (unusual): re-encode as UTF-8
            while chunk := stdin.read(_CHUNK):
                out.write(chunk.encode("utf-8", "surrogateescape"))
    return target


@dataclass
class ReadInfo:
    """What opening a file settled: its encoding (text) or sheet (workbooks)."""

    format: str = ""
    encoding: str | None = None
    sheet: str | None = None
    sheets: tuple[str, ...] = ()
    path: Path | None = None  # what is read (stdin's copy while it is open)


@contextmanager
def open_rows(
    source: Path | None,
    input_format: str | None,
    *,
    encoding: str | None = None,
    sheet: str | None = None,
    kind: Kind | None = None,
    mapping: Mapping | None = None,
    info: ReadInfo | None = None,
    limits: ReadLimits | None = None,
) -> Iterator[Iterator[SourceRow]]:
    """Open a file (``None`` = stdin, which needs ``input_format``) and yield its rows.

    Format, encoding and (for workbooks) the sheet are settled on entry, so a bad
    file fails before any row is read; ``info`` receives what was settled.
    ``encoding`` is ``--encoding`` (text files), ``sheet`` is ``--sheet`` (workbooks);
    without it the first sheet holding a header row for ``kind`` is read.
    ``limits`` bound what a workbook may expand to. Everything is closed on exit.
    """
    info = info if info is not None else ReadInfo()
    limits = limits if limits is not None else ReadLimits()
    with ExitStack() as stack:
        if source is None:
            fmt = detect_format(None, input_format)
            # a full copy of the input: 0600 in a private directory, removed on exit
            place = stack.enter_context(PrivateDir(temp_root()))
            path = _spool_stdin(place)
            name = STDIN_NAME
        else:
            path = source
            name = str(source)
            if not path.exists():
                raise RetainError(key="read.no_such_file", name=name)
            if path.is_dir():
                raise RetainError(key="read.is_dir", name=name)
            fmt = detect_format(path, input_format)
        info.format, info.path = fmt, path

        rows: Generator[SourceRow, None, None] | _CsvRows
        if fmt in ("xlsx", "xls"):
            if encoding is not None:
                raise UsageError(key="read.encoding_workbook")
            book = _open_book(path, name, fmt, limits)
            stack.callback(book.close)
            index = _pick_sheet(book, name, sheet, kind, mapping)
            info.sheet = book.names[index]
            info.sheets = tuple(book.names)
            rows = book.rows(index)
        else:
            if sheet is not None:
                raise UsageError(key="read.sheet_text")
            codec = detect_encoding(path, name, encoding)
            info.encoding = codec
            if fmt in ("csv", "tsv"):
                rows = _CsvRows(path, codec, "\t" if fmt == "tsv" else ",", name)
            elif fmt == "json":
                rows = _object_rows(lambda: _json_objects(path, codec, name))
            else:
                rows = _object_rows(lambda: _ndjson_objects(path, codec, name))
        stack.callback(rows.close)
        if fmt != "csv" and fmt != "tsv":
            # A workbook: read its first row now; JSON: run the validating first pass
            # now, so that a bad file fails on entry, before any row is handed out
            first = next(rows, None)
            rows = _prepend(first, rows)
            stack.callback(rows.close)
        yield rows


def _prepend(
    first: SourceRow | None, rest: Iterator[SourceRow]
) -> Generator[SourceRow, None, None]:
    if first is None:
        return
    yield first
    yield from rest


# ---------------------------------------------------------------------------
# Records


_DATA, _BLANK, _TOTAL = 0, 1, 2
_TOTAL_PREFIXES = ("合计", "总计", "小计")
_TOTAL_WORDS = frozenset({"total", "totals", "subtotal", "grand total", "sum"})
# first characters that may begin a total row; anything else NFKC-stable is data
_TOTAL_FIRST = frozenset("合总小tTsSgG")


def _is_total_text(text: str) -> bool:
    head = unicodedata.normalize("NFKC", text[:16]).strip()
    if head.startswith(_TOTAL_PREFIXES):
        return True
    return len(text) <= 16 and head.casefold().rstrip(":") in _TOTAL_WORDS


def _row_kind(cells: list[object]) -> int:
    """_BLANK if every cell is empty/whitespace, _TOTAL if the first non-empty cell
    starts with 合计/总计/小计 (or is just "Total"), else _DATA."""
    for cell in cells:
        if cell is None:
            continue
        if not isinstance(cell, str):
            return _DATA
        text = cell if cell and not cell[0].isspace() else cell.strip()
        if not text:
            continue
        first = text[0]
        if first not in _TOTAL_FIRST and unicodedata.is_normalized("NFKC", first):
            return _DATA
        return _TOTAL if _is_total_text(text) else _DATA
    return _BLANK


def _find_header(
    rows: Iterator[SourceRow], kind: Kind, mapping: Mapping, source_name: str
) -> HeaderLayout:
    best: HeaderLayout | None = None
    seen = 0
    for row in rows:
        seen += 1
        layout = match_header(row.cells, kind, mapping, row_no=row.row_no)
        if not missing_required(kind, mapping, set(layout.field_index)):
            return layout
        if best is None or len(layout.field_index) > len(best.field_index):
            best = layout
        if row.row_no >= HEADER_SCAN_ROWS or seen >= HEADER_SCAN_ROWS:
            break
    if best is None:
        raise RetainError(key="read.empty", name=source_name)
    missing = missing_required_texts(kind, mapping, set(best.field_index))
    if best.field_index:
        where = msg("error.read.closest", row=best.row_no)
    else:
        where = msg("error.read.no_known_columns")
    if seen >= HEADER_SCAN_ROWS:
        scanned = msg("error.read.scanned_first", count=HEADER_SCAN_ROWS)
    else:
        scanned = msg("error.read.scanned_all", count=seen)
    raise RetainError(
        key="read.no_header",
        name=source_name,
        scanned=scanned,
        missing=Joined(tuple(missing), sep="sep.comma"),
        where=where,
    )


def _trimmed(texts: list[str]) -> list[str]:
    while texts and not texts[-1]:
        texts.pop()
    return texts


# First characters that make a row data at once (_row_kind): printable ASCII
# (NFKC-stable) but for those that may begin a total row.
_PLAIN_FIRST = frozenset(chr(c) for c in range(0x21, 0x7F)).difference(_TOTAL_FIRST)


class _RecordMaker:
    """Turns one row below the header into its record, or None for a row skipped
    silently (blank, a total, a repeated header: counted); or a chunk of raw rows
    into a :class:`Batch`."""

    def __init__(
        self, layout: HeaderLayout, kind: Kind, mapping: Mapping, counter: SkipCounter
    ) -> None:
        self.counter = counter
        self.fields = tuple(layout.field_index)
        self.indexes = indexes = tuple(layout.field_index.values())
        self.width = max(indexes, default=-1) + 1
        self.getter: Callable[[list[object]], tuple[object, ...]]
        if len(indexes) >= 2:
            self.getter = cast(Callable[[list[object]], tuple[object, ...]], itemgetter(*indexes))
        else:

            def getter(cells: list[object]) -> tuple[object, ...]:
                return tuple(cells[i] for i in indexes)

            self.getter = getter
        self.defaults = {
            name: value
            for name, value in mapping.defaults.items()
            if name in KIND_FIELDS[kind] and name not in layout.field_index
        }
        # a repeated header row (concatenated exports, printed page headers)
        self.probe_index = indexes[0] if indexes else 0
        self.probe_text = layout.headers[self.probe_index] if indexes else None
        self.header_norm = _trimmed([normalise_header(h) for h in layout.headers])

    def __call__(self, row: SourceRow) -> Record | None:
        cells = row.cells
        kind_of_row = _row_kind(cells)
        if kind_of_row:
            counter = self.counter
            if kind_of_row == _BLANK:
                counter.blank += 1
            else:
                counter.totals += 1
            counter.skipped += 1
            return None
        probe_index = self.probe_index
        if (
            self.probe_text
            and len(cells) > probe_index
            and cells[probe_index] == self.probe_text
            and _trimmed([normalise_header(c) for c in cells]) == self.header_norm
        ):
            self.counter.repeated_headers += 1
            self.counter.skipped += 1
            return None
        return Record(row.row_no, cells, self.values(cells))

    def values(self, cells: list[object]) -> dict[str, object]:
        """A data row's fields → its cells (None past a short row's end), defaults added."""
        width = self.width
        if len(cells) < width:
            picked = self.getter(cells + [None] * (width - len(cells)))
        else:
            picked = self.getter(cells)
        # (zip lengths always match: one value per field)
        values: dict[str, object] = dict(zip(self.fields, picked, strict=False))
        if self.defaults:
            values.update(self.defaults)
        return values

    def batch(self, first_row_no: int, rows: list[list[object]]) -> Batch:
        """:class:`Batch` of raw text rows numbered from ``first_row_no``: when
        every row is plainly data (long enough, its first cell starting with a
        printable ASCII character that cannot begin a total, not the header
        again), its columns are the rows' own cells; else row by row."""
        probe_index, probe_text = self.probe_index, self.probe_text
        if (
            min(map(len, rows)) >= max(self.width, 1)
            and {cells[0][:1] for cells in rows} <= _PLAIN_FIRST  # type: ignore[index]
            and (not probe_text or probe_text not in [cells[probe_index] for cells in rows])
        ):
            count = len(rows)
            row_nos = list(range(first_row_no, first_row_no + count))
            by_index = list(zip(*rows, strict=False))  # (up to the shortest row: wide enough)
            columns = {f: list(by_index[i]) for f, i in zip(self.fields, self.indexes, strict=True)}
            for name, value in self.defaults.items():
                columns[name] = [value] * count
            return Batch(row_nos, rows, columns, None, self)
        made = (self(SourceRow(n, c)) for n, c in enumerate(rows, first_row_no))
        return Batch.of_records([record for record in made if record is not None])


@dataclass(slots=True)
class Batch:
    """A chunk of data rows below the header, each field's cells a column (None
    where a row lacks the field); a row's :class:`Record` made when asked for."""

    row_nos: list[int]
    cells: list[list[object]]
    columns: dict[str, list[object]]
    records: list[Record] | None
    maker: _RecordMaker | None

    @classmethod
    def of_records(cls, records: list[Record]) -> Batch:
        names = dict.fromkeys(name for record in records for name in record.values)
        columns = {name: [record.values.get(name) for record in records] for name in names}
        cells = [record.cells for record in records]
        return cls([record.row_no for record in records], cells, columns, records, None)

    def __len__(self) -> int:
        return len(self.row_nos)

    def column(self, name: str) -> list[object]:
        """The field's cells, one per row (all None when the file lacks the field)."""
        found = self.columns.get(name)
        return found if found is not None else [None] * len(self.row_nos)

    def record(self, i: int) -> Record:
        """Row ``i``'s record: what iterating the :class:`RecordReader` gives."""
        if self.records is not None:
            return self.records[i]
        assert self.maker is not None
        cells = self.cells[i]
        return Record(self.row_nos[i], cells, self.maker.values(cells))


class RecordReader:
    """The data rows below the header: iterated, their records (skipped rows
    counted); or, for a caller that can settle some rows from their raw cells
    alone (a loans re-import's unchanged rows), :attr:`rows` raw and
    :attr:`record_of` for the others, in the same order; or a chunk of rows at
    a time, as columns (:meth:`batches`)."""

    def __init__(self, rows: Iterator[SourceRow], record_of: _RecordMaker):
        self.rows = rows
        self.record_of = record_of

    def __iter__(self) -> Iterator[Record]:
        record_of = self.record_of
        for row in self.rows:
            record = record_of(row)
            if record is not None:
                yield record

    def source_chunks(self, size: int) -> Iterator[list[SourceRow]]:
        """The raw rows below the header, ``size`` at a time (the last chunk
        fewer), as :attr:`rows` gives them: a CSV's taken many at once, their
        :class:`SourceRow` s built in C (a loans re-import's million rows)."""
        rows = self.rows
        if not isinstance(rows, _CsvRows):
            while chunk := list(islice(rows, size)):
                yield chunk
            return
        for first, raw in _raw_chunks(rows, size):
            yield list(_source_rows(zip(count(first), raw, strict=False)))

    def batches(self, size: int) -> Iterator[Batch]:
        """The records, ``size`` rows of the file at a time (fewer once rows are
        skipped), as :class:`Batch` es: a CSV's rows are taken raw, many at once."""
        rows = self.rows
        if not isinstance(rows, _CsvRows):
            records = iter(self)
            while chunk := list(islice(records, size)):
                yield Batch.of_records(chunk)
            return
        for first, raw in _raw_chunks(rows, size):
            batch = self.record_of.batch(first, raw)
            if batch.row_nos:
                yield batch


def _raw_chunks(rows: _CsvRows, size: int) -> Iterator[tuple[int, list[list[object]]]]:
    """A CSV's remaining rows, ``size`` at a time, raw, each chunk with the
    number of its first row."""
    while True:
        first = rows.row_no + 1
        raw = rows.take(size)
        if not raw:
            return
        yield first, raw


def read_rows(
    rows: Iterator[SourceRow], kind: Kind, mapping: Mapping, *, source_name: str
) -> tuple[HeaderLayout, RecordReader, SkipCounter]:
    """:func:`read_records`, with the raw rows below the header at hand too."""
    rows = iter(rows)
    layout = _find_header(rows, kind, mapping, source_name)
    if is_rejects_header(layout.headers):
        # a rejects file read back: strip its formula guard, header row included
        headers = [unguard_cell(cell) for cell in layout.headers]
        layout = match_header(headers, kind, mapping, row_no=layout.row_no)
        rows = _unguarded(rows)
    counter = SkipCounter()
    return layout, RecordReader(rows, _RecordMaker(layout, kind, mapping, counter)), counter


def read_records(
    rows: Iterator[SourceRow], kind: Kind, mapping: Mapping, *, source_name: str
) -> tuple[HeaderLayout, Iterator[Record], SkipCounter]:
    """Find the header row, then stream the data rows below it as records.

    The header is the first row among the first 50 that holds every required
    field; rows above it are ignored.  Below it, blank rows, total rows
    (合计/总计/小计 …) and repeats of the header row are skipped and counted in
    the returned :class:`SkipCounter` as the iterator runs.  Mapping defaults
    fill fields the file lacks.
    """
    layout, reader, counter = read_rows(rows, kind, mapping, source_name=source_name)
    return layout, iter(reader), counter


def _unguarded(rows: Iterator[SourceRow]) -> Iterator[SourceRow]:
    """The rows of a rejects file without the formula guard on their cells."""
    for row in rows:
        yield SourceRow(row.row_no, [unguard_cell(cell) for cell in row.cells])
