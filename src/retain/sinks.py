"""Files for people and other programs: written whole or not at all.

Every file goes to a temporary name in a private directory beside the target
(mode 0600 in 0700, see :mod:`retain.scratch`) and is renamed into place only
when complete, so a reader — Excel, a calendar,
an SMS gateway's pickup folder — never sees half a file, and a failed run
leaves the previous file as it was.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
import os
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import IO, Any, TextIO, cast

from retain.errors import UsageError
from retain.output import Field, guard, write_rows
from retain.scratch import PrivateDir

FILE_FORMATS = ("csv", "tsv", "json", "ndjson", "ids", "xlsx")
_WIDTH_SAMPLE = 1000  # rows an XLSX sheet's column widths are fitted to
_BY_SUFFIX = {
    ".csv": "csv",
    ".tsv": "tsv",
    ".json": "json",
    ".ndjson": "ndjson",
    ".jsonl": "ndjson",
    ".xlsx": "xlsx",
    ".ics": "ics",
    ".txt": "ids",
}


def refuse_existing(path: Path, force: bool) -> None:
    """A file the user may still need (an SMS file the gateway has not collected, a
    sheet with their notes) is never replaced unless they say ``--force``."""
    if not force and (path.exists() or path.is_symlink()):
        raise UsageError(key="output.exists", path=str(path))


def format_for(path: Path, requested: str | None, allowed: Sequence[str]) -> str:
    """The explicit --format, else the one the file name implies."""
    fmt = requested or _BY_SUFFIX.get(path.suffix.lower())
    if fmt is None or fmt not in allowed:
        raise UsageError(key="output.cannot_tell", name=path.name, formats="|".join(allowed))
    return fmt


class AtomicFile:
    """A temporary file beside ``target``; :meth:`publish` renames it into place.

    The temporary is 0600 in a private 0700 directory of its own beside the
    target (same file system, so the rename is atomic); the directory goes when
    the file is published or discarded (:mod:`retain.scratch`)."""

    def __init__(self, target: Path, *, binary: bool = False, bom: bool = False) -> None:
        self.target = target
        directory = target.parent if str(target.parent) else Path(".")
        if not directory.is_dir():
            raise UsageError(key="output.no_dir", path=str(directory))
        self._place = PrivateDir(directory)
        try:
            self.tmp = self._place.create(f"{target.name}.tmp")
            if binary:
                self.handle: IO[Any] = self.tmp.open("wb")
            else:
                encoding = "utf-8-sig" if bom else "utf-8"
                self.handle = self.tmp.open("w", encoding=encoding, newline="")
        except BaseException:
            self._place.remove()
            raise
        self.published = False

    def publish(self, *, replace: bool = True) -> Path:
        """Put the file in place. Without ``replace`` an existing file wins, even
        one created since :func:`refuse_existing` looked (a link never replaces)."""
        self.handle.flush()
        os.fsync(self.handle.fileno())
        self.handle.close()
        if replace:
            os.replace(self.tmp, self.target)
        else:
            try:
                os.link(self.tmp, self.target)
            except FileExistsError:
                raise UsageError(key="output.exists", path=str(self.target)) from None
            os.unlink(self.tmp)
        os.chmod(self.target, 0o600)
        self.published = True
        self._place.remove()
        return self.target

    def discard(self) -> None:
        """Close and remove the temporary; never fails (it runs on error paths, where
        a full disk would make closing raise again)."""
        close_quietly(self.handle)
        self._place.remove()


def close_quietly(handle: IO[Any]) -> None:
    """Close a file whose buffered data may never reach the disk (ENOSPC, EIO),
    without the "Exception ignored" noise a failing close leaves at exit."""
    if handle.closed:
        return
    try:
        handle.close()
    except OSError:
        # the buffer could not be flushed: drop it, then close the descriptor
        with contextlib.suppress(OSError, ValueError):
            os.close(handle.fileno())
        with contextlib.suppress(OSError, ValueError):
            handle.close()


@contextlib.contextmanager
def atomic_file(target: Path, *, binary: bool = False, bom: bool = False) -> Iterator[AtomicFile]:
    """Yield an :class:`AtomicFile`; publish on success, discard on any failure."""
    handle = AtomicFile(target, binary=binary, bom=bom)
    try:
        yield handle
        if not handle.published:
            handle.publish()
    finally:
        if not handle.published:
            handle.discard()


def display_width(text: str) -> int:
    """Columns a text takes in Excel's default font: CJK characters count double."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def write_xlsx(
    rows: Iterable[Mapping[str, Any]],
    fields: Sequence[Field],
    handle: IO[bytes],
    *,
    headers: Sequence[str],
    sheet_title: str = "retain",
) -> int:
    """A real spreadsheet: date cells, numeric amounts, text as text, frozen header."""
    from retain.lazy import without_heavy_modules

    with without_heavy_modules():
        from openpyxl import Workbook
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.styles import Font
        from openpyxl.utils import get_column_letter

    # A write-only sheet takes its column widths before its first row: they are
    # fitted to the first rows (a sample), so that any number of rows streams.
    stream = iter(rows)
    sample = [dict(row) for row in itertools.islice(stream, _WIDTH_SAMPLE)]
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=sheet_title[:31])
    sheet.freeze_panes = "A2"
    widths = [display_width(h) for h in headers]
    for sampled in sample:
        for index, field in enumerate(fields):
            widths[index] = max(
                widths[index], display_width(_xlsx_text(sampled[field.name], field))
            )
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = min(60, width + 2)
    bold = Font(bold=True)
    header_cells = []
    for text in headers:
        cell = WriteOnlyCell(sheet, value=text)
        cell.data_type = "s"
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    count = 0
    for row in itertools.chain(sample, stream):
        sheet.append([_xlsx_cell(sheet, row[field.name], field) for field in fields])
        count += 1
    book.save(handle)
    return count


def _xlsx_text(value: Any, field: Field) -> str:
    if value is None:
        return ""
    if field.kind == "money":
        return f"{value / 100:,.2f}"
    return str(value)


def _xlsx_cell(sheet: Any, value: Any, field: Field) -> Any:
    from openpyxl.cell import WriteOnlyCell

    if value is None:
        return None
    if field.kind == "money":
        cell = WriteOnlyCell(sheet, value=Decimal(int(value)) / 100)
        cell.number_format = "#,##0.00"
        return cell
    if field.kind == "int":
        return WriteOnlyCell(sheet, value=int(value))
    if field.kind == "date":
        day = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])
        cell = WriteOnlyCell(sheet, value=day)
        cell.number_format = "yyyy-mm-dd"
        return cell
    # Text stays text: a value like "=HYPERLINK(…)" must never become a formula.
    cell = WriteOnlyCell(sheet, value=str(value))
    cell.data_type = "s"
    return cell


@dataclass(frozen=True)
class Calendar:
    """What an ICS file needs beyond the rows: a title per event and the calendar's name."""

    summary: Callable[[Mapping[str, Any]], str]
    name: str
    lang: str


_ICS_FOLD_OCTETS = 75  # icalendar's Contentline.to_ical folds a line this long or longer
# Lines that put each case of icalendar's folding on a fold: a 2-, 3- and 4-octet
# character across the 75th octet, an escape's backslash or a caret last before
# it (icalendar moves it to the next line), exactly 74 and 75 octets, many folds.
_ICS_FOLD_PROBES = tuple(
    head + tail
    for head in ("", "a", "ab", "abc", "SUMMARY:", "DESCRIPTION:")
    for tail in (
        "x" * 73,
        "x" * 74,
        "x" * 75,
        "中" * 60,
        "é" * 90,
        "😀" * 50,
        "x" * 72 + "\\\\\\nyz" * 30,
        "x" * 71 + "^^^^" + "中" * 40,
        ("a\\,中😀é^" * 40),
    )
)
_ICS_UID, _ICS_SUMMARY, _ICS_MESSAGE = (
    "retain-uid-7f3a",
    "retain-summary-7f3a",
    "retain-message-7f3a",
)
_ICS_DAY = dt.date(1900, 1, 1)  # a sentinel day: its DTSTART and DTEND are learnt, not written


def _ics_event(
    event_cls: Any,
    alarm_cls: Any,
    uid: str,
    stamp: dt.datetime,
    day: dt.date,
    summary: str,
    message: str,
) -> Any:
    """The one event a reminder becomes, as icalendar builds it."""
    event = event_cls()
    event.add("uid", uid)
    event.add("dtstamp", stamp)
    event.add("dtstart", day)
    event.add("dtend", day + dt.timedelta(days=1))
    event.add("summary", summary)
    event.add("description", message)
    event.add("transp", "TRANSPARENT")
    alarm = alarm_cls()
    alarm.add("action", "DISPLAY")
    alarm.add("description", summary)
    alarm.add("trigger", dt.timedelta(hours=9))  # 09:00 on the day of an all-day event
    event.add_component(alarm)
    return event


class _IcsEvents:
    """An event's bytes without building it. icalendar serialises one real event
    whose varying values are sentinels: that gives the order of its lines and the
    constant ones (DTSTAMP is one instant per file). A row's varying lines are then
    made as ``Component.to_ical`` makes them: the name and parameters it wrote, the
    value through icalendar's own type (``vText`` escaping, ``vDDDTypes``), the
    line folded where its ``Contentline`` folds (see :meth:`_fold`); a day's two
    date lines once a file.
    """

    def __init__(self, stamp: dt.datetime) -> None:
        from icalendar import Alarm, Event
        from icalendar.parser import Contentline
        from icalendar.parser_tools import to_unicode
        from icalendar.prop import vDDDTypes, vText

        self._contentline, self._to_unicode = Contentline, to_unicode
        self._vtext, self._vddd = vText, vDDDTypes
        template = _ics_event(Event, Alarm, _ICS_UID, stamp, _ICS_DAY, _ICS_SUMMARY, _ICS_MESSAGE)
        raw: bytes = template.to_ical()
        ends = [
            (":" + self._text(_ICS_UID), "uid"),
            (":" + self._text(_ICS_SUMMARY), "summary"),
            (":" + self._text(_ICS_MESSAGE), "message"),
            (":" + self._date(_ICS_DAY), "start"),
            (":" + self._date(_ICS_DAY + dt.timedelta(days=1)), "end"),
        ]
        # Constant bytes (whole lines, CRLF included) or a varying line: (slot, prefix).
        parts: list[bytes | tuple[str, str]] = []
        assert raw.endswith(b"\r\n")
        for physical in raw[:-2].split(b"\r\n"):
            assert not physical.startswith((b" ", b"\t")), "a sentinel's line was folded"
            line = physical.decode("utf-8")
            slot = next(((end, name) for end, name in ends if line.endswith(end)), None)
            if slot is not None:
                parts.append((slot[1], line[: len(line) - len(slot[0]) + 1]))
                continue
            assert not any(end[1:] in line for end, _ in ends), line
            if parts and isinstance(parts[-1], bytes):
                parts[-1] += physical + b"\r\n"
            else:
                parts.append(physical + b"\r\n")
        slots = sorted(part[0] for part in parts if isinstance(part, tuple))
        assert slots == ["end", "message", "start", "summary", "summary", "uid"], slots
        self._parts = parts
        self._date_prefix = {
            part[0]: part[1]
            for part in parts
            if isinstance(part, tuple) and part[0] in ("start", "end")
        }
        self._days: dict[str, dict[str, bytes]] = {}
        # Folding is the costly part of a line; _fold_octets does it on the UTF-8
        # octets in slices, used only where it gives icalendar's own folds.
        self._fast_fold = all(
            _fold_octets(probe.encode("utf-8")) == Contentline(probe).to_ical()  # type: ignore[no-untyped-call]
            for probe in _ICS_FOLD_PROBES
        )

    def _text(self, value: str) -> str:
        """What ``Contentline.from_parts`` writes after the name for a TEXT value."""
        return self._to_unicode(self._vtext(value).to_ical())

    def _date(self, day: dt.date) -> str:
        return self._to_unicode(self._vddd(day).to_ical())

    def _fold(self, line: str) -> bytes:
        """``Contentline(line).to_ical()`` and its CRLF: a line shorter than the fold
        is its own UTF-8 (``_foldline`` breaks only where a line reaches 75 octets);
        a longer one is folded by :func:`_fold_octets` if it passed the probes."""
        raw = line.encode("utf-8")
        if len(raw) < _ICS_FOLD_OCTETS:
            return raw + b"\r\n"
        if self._fast_fold:
            return _fold_octets(raw) + b"\r\n"
        return self._contentline(line).to_ical() + b"\r\n"  # type: ignore[no-untyped-call,no-any-return]

    def _dates(self, date: str) -> dict[str, bytes]:
        day = dt.date.fromisoformat(date)
        start, end = self._date_prefix["start"], self._date_prefix["end"]
        return {
            "start": self._fold(start + self._date(day)),
            "end": self._fold(end + self._date(day + dt.timedelta(days=1))),
        }

    def to_ical(self, uid: str, date: str, summary: str, message: str) -> bytes:
        """The bytes of ``_ics_event(…).to_ical()`` for one reminder."""
        dates = self._days.get(date)
        if dates is None:
            dates = self._days[date] = self._dates(date)
        summary_text = self._text(summary)
        values = {
            "uid": self._text(uid),
            "summary": summary_text,
            "message": summary_text if message == summary else self._text(message),
        }
        folded: dict[str, bytes] = {}  # the alarm's line is often the event's
        out: list[bytes] = []
        for part in self._parts:
            if isinstance(part, bytes):
                out.append(part)
                continue
            slot, prefix = part
            if slot in dates:
                out.append(dates[slot])
                continue
            line = prefix + values[slot]
            data = folded.get(line)
            if data is None:
                data = folded[line] = self._fold(line)
            out.append(data)
        return b"".join(out)


def _fold_octets(raw: bytes) -> bytes:
    """icalendar's ``_foldline`` on a UTF-8 line, a slice at a time instead of a
    character at a time: each physical line takes whole characters up to 74 octets
    (75 with the continuation's space), and an escape's backslash or a caret that
    would end one starts the next instead."""
    chunks = []
    start = 0
    while len(raw) - start >= _ICS_FOLD_OCTETS:
        stop = start + _ICS_FOLD_OCTETS - 1
        while raw[stop] & 0xC0 == 0x80:  # inside a character: fold before it
            stop -= 1
        if raw[stop - 1] in b"\\^" and stop - 1 > start:
            stop -= 1
        chunks.append(raw[start:stop])
        start = stop
    chunks.append(raw[start:])
    return b"\r\n ".join(chunks)


def write_ics(rows: Iterable[Mapping[str, Any]], handle: IO[bytes], calendar: Calendar) -> int:
    """One all-day VEVENT per row (``reminder_id``, ``date``, ``message``): a stable
    UID, so a calendar updates instead of duplicating, and an alarm at 09:00 that day.

    Written event by event: the calendar's own lines, each event as it comes,
    then the closing line — the same bytes as serialising the whole calendar at
    once, without holding it, and without building a component per event (see
    :class:`_IcsEvents`).
    """
    from icalendar import Calendar as ICalendar

    book = ICalendar()
    book.add("prodid", "-//retain//reminders//" + calendar.lang.upper())
    book.add("version", "2.0")
    book.add("calscale", "GREGORIAN")
    book.add("x-wr-calname", calendar.name)
    whole = book.to_ical()
    end = b"END:VCALENDAR\r\n"
    assert whole.endswith(end)
    handle.write(whole[: -len(end)])
    events = _IcsEvents(dt.datetime.now(dt.UTC).replace(microsecond=0))
    count = 0
    for row in rows:
        summary = calendar.summary(row)
        handle.write(
            events.to_ical(f"{row['reminder_id']}@retain", row["date"], summary, row["message"])
        )
        count += 1
    handle.write(end)
    return count


def is_binary(fmt: str) -> bool:
    return fmt in ("xlsx", "ics")


def write_to(
    handle: IO[Any],
    fmt: str,
    rows: Iterable[Mapping[str, Any]],
    fields: Sequence[Field],
    *,
    headers: Sequence[str] | None = None,
    sheet_title: str = "retain",
    calendar: Calendar | None = None,
) -> int:
    """Rows in any output format to an open handle (bytes for xlsx and ics)."""
    if fmt == "xlsx":
        return write_xlsx(
            rows,
            fields,
            handle,
            headers=headers or [f.name for f in fields],
            sheet_title=sheet_title,
        )
    if fmt == "ics":
        assert calendar is not None, "an ICS file needs its event titles"
        return write_ics(rows, handle, calendar)
    return write_rows(fmt, rows, fields, cast(TextIO, handle), headers=headers)


def write_file(
    target: Path,
    fmt: str,
    rows: Iterable[Mapping[str, Any]],
    fields: Sequence[Field],
    *,
    headers: Sequence[str],
    sheet_title: str = "retain",
    calendar: Calendar | None = None,
    publishing: Callable[[], AbstractContextManager[object]] = contextlib.nullcontext,
    replace: bool = False,
) -> int:
    """Write rows to ``target`` atomically in a file format; returns the row count.

    The file is renamed into place inside ``publishing()`` (e.g. the transaction
    that records an export): if the rename fails, that context sees the error.
    An existing ``target`` is replaced only with ``replace``.
    """
    with atomic_file(target, binary=is_binary(fmt), bom=fmt in ("csv", "tsv")) as out:
        count = write_to(
            out.handle,
            fmt,
            rows,
            fields,
            headers=headers,
            sheet_title=sheet_title,
            calendar=calendar,
        )
        with publishing():
            out.publish(replace=replace)
    return count


__all__ = [
    "FILE_FORMATS",
    "AtomicFile",
    "Calendar",
    "atomic_file",
    "format_for",
    "guard",
    "refuse_existing",
    "write_file",
    "write_to",
]
