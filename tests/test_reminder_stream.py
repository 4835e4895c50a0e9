"""The streaming reminders: the same reminders as the obvious algorithm, as they come.

``retain.reminders.upcoming`` scores everyone on the first day and afterwards only
the customers woken on a day (a tier opening, a loan falling due, a rhythm
running out …). ``tests/reference_reminders.py`` keeps the obvious algorithm
(the whole call list, every day of the window); on random books, windows,
reasons and officers the two must give the very same reminders, in the same order.
"""

from __future__ import annotations

import csv
import datetime as dt
import inspect
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

from retain.config import load_config
from retain.reminders import KINDS, upcoming
from retain.store import open_store
from tests.books import OFFICERS, T0, Book, books, load_book
from tests.conftest import CUSTOMER_HEADER, LOAN_HEADER, Cli
from tests.reference_reminders import reference_upcoming
from tests.test_properties import scratch

STREAM_SETTINGS = settings(
    max_examples=int(os.environ.get("PROPERTY_EXAMPLES", "40")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


@st.composite
def later_contacts(draw: st.DrawFn, book: Book) -> Book:
    """More contacts: old ones whose rhythms (revisit, win-back, recovery, a refusal's
    pause) run out in the window, and what customers said (attempts, refusals, promises)."""
    for _ in range(draw(st.integers(0, 4))):
        cid = draw(st.sampled_from(book.customer_ids))
        at = draw(
            st.sampled_from(
                (-3, -2, -28, -29, -57, -58, -59, -60, -87, -88, -89, -90, -175, -178, -180)
            )
        )
        when = (T0 + dt.timedelta(days=at)).isoformat()
        outcome = draw(
            st.sampled_from(("reached", "no_answer", "wrong_number", "declined", "promised"))
        )
        args = [cid, "--channel", "visit", "--outcome", outcome, "--at", when, "--yes"]
        if draw(st.booleans()):
            args += ["--next", (T0 + dt.timedelta(days=draw(st.integers(1, 40)))).isoformat()]
        book.contacts.append(args)
    return book


@STREAM_SETTINGS
@given(
    data=st.data(),
    days=st.one_of(st.integers(0, 10), st.integers(11, 100)),
    start=st.integers(0, 5),
    kinds=st.one_of(st.just(KINDS), st.lists(st.sampled_from(KINDS), min_size=1, unique=True)),
    officer=st.one_of(st.none(), st.sampled_from(OFFICERS[:2])),
)
def test_the_stream_is_the_reference(
    data: st.DataObject, days: int, start: int, kinds: list[str], officer: str | None
) -> None:
    book = data.draw(books().flatmap(later_contacts))
    with scratch() as folder:
        note("To replay by hand:\n" + book.script())
        cli = Cli(Path(folder) / "store" / "retain.db")
        load_book(cli, book, Path(folder))
        today = T0 + dt.timedelta(days=start)
        config = load_config()
        with open_store(cli.db, create=False) as store:
            wanted = tuple(kinds)
            expected = reference_upcoming(
                store.conn, config, today, days, kinds=wanted, officer=officer
            )
            got = list(upcoming(store.conn, config, today, days, kinds=wanted, officer=officer))
        assert got == expected, (today, days, wanted, officer)


def test_upcoming_is_a_generator_that_leaves_no_tables_behind(seeded: Cli) -> None:
    config = load_config()
    with open_store(seeded.db, create=False) as store:
        found = upcoming(store.conn, config, T0, 30)
        assert inspect.isgenerator(found)
        first = next(found)
        assert first.date == T0
        found.close()  # abandoned half-way: its scratch tables go
        rest = list(upcoming(store.conn, config, T0, 30))
        assert rest[0] == first
        temporaries = (
            "SELECT relname FROM pg_class WHERE relnamespace = pg_my_temp_schema()"
            " AND relkind = 'r'"
            if seeded.on_postgres
            else "SELECT name FROM sqlite_temp_master"
        )
        tables = store.conn.execute(temporaries).fetchall()
        assert tables == []


# ---------------------------------------------------------------------------
# Files written as the reminders come: more rows than any batch


@pytest.fixture
def big(cli: Cli, make_csv: Callable[..., Path]) -> Cli:
    """1,300 customers, each with a loan maturing in the window and some overdue."""
    customers = [CUSTOMER_HEADER]
    loans = [LOAN_HEADER]
    for i in range(1300):
        cid = f"C{i:05d}"
        customers.append([cid, f"客户{i}", f"138{i:08d}", "", "粮油", "王芳", ""])
        matures = (T0 + dt.timedelta(days=i % 20)).isoformat()
        loans.append([f"L{i}", cid, "10000", "2026-01-05", matures, "信用", "正常", "", "", ""])
        if i % 3 == 0:
            loans.append(
                [f"M{i}", cid, "5000", "2025-01-05", "2026-10-01", "信用", "逾期", "", "", "61"]
            )
    assert cli("import", "customers", str(make_csv("c.csv", customers))).exit_code == 0
    assert cli("import", "loans", str(make_csv("l.csv", loans))).exit_code == 0
    return cli


def _ledger(cli: Cli) -> list[tuple[Any, ...]]:
    with open_store(cli.db, create=False) as store:
        return [
            tuple(row)
            for row in store.conn.execute(
                "SELECT reminder_id, customer_id, reason, due_on FROM exported_reminders"
                " ORDER BY rowid"
            )
        ]


def test_a_big_new_only_export_records_every_row_once(big: Cli, tmp_path: Path) -> None:
    out = tmp_path / "sms.csv"
    args = ("export", "reminders", "--days", "30", "--audience", "customer", "--new-only")
    result = big(*args, "-o", str(out))
    assert result.exit_code == 0, result.stderr
    with out.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) > 1300
    assert f"Exported {len(rows)} " in result.stderr
    ledger = _ledger(big)
    assert [entry[0] for entry in ledger] == [row["reminder_id"] for row in rows]
    again = big(*args, "-o", str(tmp_path / "again.csv"))
    assert again.exit_code == 0 and "Exported 0 " in again.stderr


def test_a_crash_half_way_leaves_neither_file_nor_ledger(
    big: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from retain import exports

    def broken(*args: Any, **kwargs: Any) -> str:
        calls.append(1)
        if len(calls) > 700:  # after more than one ledger batch has been staged
            raise OSError("disk full")
        return real(*args, **kwargs)

    calls: list[int] = []
    real = exports.message
    monkeypatch.setattr(exports, "message", broken)
    out = tmp_path / "out"
    out.mkdir()
    result = big(
        "export", "reminders", "--days", "30", "--audience", "customer", "--new-only",
        "-o", str(out / "sms.csv"),
    )  # fmt: skip
    assert result.exit_code != 0
    assert list(out.iterdir()) == []
    assert _ledger(big) == []


def test_a_big_calendar_is_one_valid_calendar_with_stable_ids(big: Cli, tmp_path: Path) -> None:
    import icalendar

    ics = tmp_path / "r.ics"
    csv_out = tmp_path / "r.csv"
    assert big("export", "reminders", "--days", "30", "-o", str(ics)).exit_code == 0
    assert big("export", "reminders", "--days", "30", "-o", str(csv_out)).exit_code == 0
    data = ics.read_bytes()
    calendar = icalendar.Calendar.from_ical(data)
    assert data.count(b"BEGIN:VCALENDAR") == 1 and data.endswith(b"END:VCALENDAR\r\n")
    uids = [str(event["uid"]) for event in calendar.walk("VEVENT")]
    with csv_out.open(encoding="utf-8-sig", newline="") as handle:
        ids = [row["reminder_id"] for row in csv.DictReader(handle)]
    assert uids == [f"{i}@retain" for i in ids]
    assert len(set(uids)) == len(uids) > 1300
    assert str(calendar["x-wr-calname"])


def test_a_big_workbook_has_every_row(big: Cli, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    out = tmp_path / "r.xlsx"
    json_out = big("export", "reminders", "--days", "30", "--format", "json")
    assert big("export", "reminders", "--days", "30", "-o", str(out)).exit_code == 0
    sheet = load_workbook(out, read_only=True).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) - 1 == len(json.loads(json_out.stdout)) > 1300
