"""The streamed ICS writer: the same bytes as building an icalendar event per row.

``write_ics`` serialises one real event and then writes each row's lines from
it (icalendar's escaping and folding, no component per row). The reference
below is the writer it replaced, kept here only to hold it to the same bytes.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Iterable, Mapping
from typing import IO, Any

import icalendar
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from retain import sinks
from retain.sinks import Calendar, _fold_octets, _IcsEvents, write_ics

STAMP = dt.datetime(2026, 12, 1, 18, 0, 0, tzinfo=dt.UTC)


def reference_write_ics(
    rows: Iterable[Mapping[str, Any]], handle: IO[bytes], calendar: Calendar, stamp: dt.datetime
) -> int:
    """The per-event writer (a5fd0e5's ``write_ics``), given its DTSTAMP."""
    from icalendar import Alarm, Event
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
    count = 0
    for row in rows:
        summary = calendar.summary(row)
        day = dt.date.fromisoformat(row["date"])
        event = Event()
        event.add("uid", f"{row['reminder_id']}@retain")
        event.add("dtstamp", stamp)
        event.add("dtstart", day)
        event.add("dtend", day + dt.timedelta(days=1))
        event.add("summary", summary)
        event.add("description", row["message"])
        event.add("transp", "TRANSPARENT")
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", summary)
        alarm.add("trigger", dt.timedelta(hours=9))
        event.add_component(alarm)
        handle.write(event.to_ical())
        count += 1
    handle.write(end)
    return count


def same(rows: list[dict[str, Any]], calendar: Calendar) -> bytes:
    """Both writers' output, checked equal: the reference at the fast one's DTSTAMP."""
    out = io.BytesIO()
    count = write_ics(rows, out, calendar)
    data = out.getvalue()
    stamps = set(re.findall(rb"\r\nDTSTAMP:(\d{8}T\d{6}Z)\r\n", data))
    assert len(stamps) == (1 if rows else 0)  # one instant per file
    stamp = (
        dt.datetime.strptime(stamps.pop().decode(), "%Y%m%dT%H%M%SZ").replace(tzinfo=dt.UTC)
        if stamps
        else STAMP
    )
    expected = io.BytesIO()
    assert reference_write_ics(rows, expected, calendar, stamp) == count == len(rows)
    assert data == expected.getvalue()
    return data


def customer(name: str = "提醒", lang: str = "zh") -> Calendar:
    return Calendar(lambda row: str(row["message"]), name, lang)


def officer(name: str = "retain reminders", lang: str = "en") -> Calendar:
    return Calendar(
        lambda row: f"{row['reason']}: {row['name']} ({row['customer_id']})", name, lang
    )


# Characters that matter to escaping and folding: iCalendar's specials, line
# breaks of every kind, multi-byte UTF-8 (2, 3 and 4 octets), a byte-order mark
# (icalendar decodes values with utf-8-sig), the fold's own space and tab.
SPECIAL = list(',;:\\^"\n\r\t \ufeffN') + ["\r\n", "\\N", "é", "中", "文", "😀", "𠀀", "ä"]
CHARS = [c for c in SPECIAL if len(c) == 1]
texts = st.one_of(
    st.text(alphabet=st.sampled_from(CHARS) | st.characters(blacklist_categories=["Cs"])),
    st.lists(st.sampled_from(SPECIAL + ["a", "贷款", "【本行】"]), max_size=120).map("".join),
    st.text(st.characters(blacklist_categories=["Cs"]), min_size=60, max_size=400),
)
days = st.dates(dt.date(1999, 12, 1), dt.date(2031, 1, 31)).map(dt.date.isoformat)
rows = st.lists(
    st.fixed_dictionaries(
        {
            "reminder_id": st.one_of(
                st.text(alphabet="0123456789abcdef", min_size=20, max_size=20), texts
            ),
            "date": days,
            "message": texts,
            "reason": texts,
            "name": texts,
            "customer_id": texts,
        }
    ),
    max_size=8,
)


@settings(max_examples=400, deadline=None)
@given(
    rows=rows,
    # the calendar's name comes from the translations (the header is not what changed)
    name=st.sampled_from(["retain reminders", "客户提醒", "a, b; c"]),
    lang=st.sampled_from(["zh", "en"]),
)
@example(
    rows=[
        {
            "reminder_id": "225d476e31511ce4ad63",
            "date": "2026-12-31",
            "message": "【本行】尊敬的严文华，您的贷款已逾期22天，请尽快还款，如有困难请联系客户经理朱晨立。",
            "reason": "overdue",
            "name": "严文华",
            "customer_id": "C0001",
        }
    ],
    name="retain reminders",
    lang="zh",
)
def test_the_same_bytes_as_an_event_per_row(
    rows: list[dict[str, Any]], name: str, lang: str
) -> None:
    for calendar in (customer(name, lang), officer(name, lang)):
        same(rows, calendar)


@settings(max_examples=200, deadline=None)
@given(
    head=st.text(alphabet="a中😀é", max_size=80),
    escapes=st.text(alphabet="\\;,\n^", min_size=1, max_size=6),
    tail=st.text(alphabet="a中😀\\", max_size=80),
)
def test_folding_around_escapes_and_wide_characters(head: str, escapes: str, tail: str) -> None:
    """An escape or a multi-byte character at every distance from a 75-octet fold."""
    rows = [
        {"reminder_id": "r", "date": "2026-12-31", "message": (head + escapes + tail) * k}
        for k in (1, 2, 5)
    ]
    same(rows, customer())


def test_empty_and_edge_values() -> None:
    rows = [
        {"reminder_id": "", "date": "2026-01-31", "message": ""},
        {"reminder_id": "x" * 200, "date": "2028-02-29", "message": "\ufeff" + "é" * 100},
        {"reminder_id": "a,b;c", "date": "2026-12-31", "message": "\r\n\r\r\n\\N"},
    ]
    same(rows, customer())
    same([], customer())


def test_a_day_across_month_and_year_ends_and_a_valid_calendar() -> None:
    dates = ["2026-12-31", "2027-01-01", "2027-02-28", "2028-02-29", "2026-12-31"]
    rows = [
        {"reminder_id": f"r{i}", "date": d, "message": f"还款提醒 {i}, {d}; 谢谢"}
        for i, d in enumerate(dates)
    ]
    data = same(rows, customer())
    events = list(icalendar.Calendar.from_ical(data).walk("VEVENT"))
    assert [e.decoded("dtstart").isoformat() for e in events] == dates
    assert [e.decoded("dtend") - e.decoded("dtstart") for e in events] == [dt.timedelta(days=1)] * 5
    assert [str(e["DESCRIPTION"]) for e in events] == [r["message"] for r in rows]


@settings(max_examples=1000, deadline=None)
@given(
    line=st.one_of(
        st.text(alphabet=st.sampled_from(list("ab\\^;,中😀é")), min_size=70, max_size=400),
        st.text(
            st.characters(blacklist_categories=["Cs"], blacklist_characters="\n"), max_size=400
        ),
    )
)
def test_the_octet_fold_is_icalendars_fold(line: str) -> None:
    """``_fold_octets`` folds a line where icalendar's ``Contentline`` does."""
    from icalendar.parser import Contentline

    raw = line.encode("utf-8")
    expected = Contentline(line).to_ical()  # type: ignore[no-untyped-call]
    if len(raw) >= 75:
        assert _fold_octets(raw) == expected
    else:
        assert raw == expected  # a short line is written as it is, unfolded


def test_icalendar_folds_if_the_probes_disagree(monkeypatch: pytest.MonkeyPatch) -> None:
    """Should a later icalendar fold otherwise, its own folding is used."""
    assert _IcsEvents(STAMP)._fast_fold
    monkeypatch.setattr(sinks, "_fold_octets", lambda raw: raw)
    assert not _IcsEvents(STAMP)._fast_fold
    rows = [
        {
            "reminder_id": "r",
            "date": "2026-12-31",
            "message": "【本行】尊敬的客户，" * 9 + "\\" * 80,
        }
    ]
    data = same(rows, customer())
    assert b"\r\n " in data
