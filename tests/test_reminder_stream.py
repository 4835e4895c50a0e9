"""The streaming reminders: the same reminders as the obvious algorithm, as they come.

``retain.reminders.upcoming`` scores everyone on the first day and afterwards only
the customers woken on a day (a tier opening, a loan falling due, a rhythm
running out …). ``tests/reference_reminders.py`` keeps the obvious algorithm
(the whole call list, every day of the window); on random books, windows,
reasons and officers the two must give the very same reminders, in the same order.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import inspect
import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

from retain import reminders
from retain.config import load_config
from retain.days import day_number
from retain.reminders import KINDS, upcoming
from retain.store import open_store
from retain.terms import CUSTOMER_FACING
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
    wanted = tuple(kinds)
    with _random_book_store(data) as conn:
        today = T0 + dt.timedelta(days=start)
        config = load_config()
        expected = reference_upcoming(conn, config, today, days, kinds=wanted, officer=officer)
        got = list(upcoming(conn, config, today, days, kinds=wanted, officer=officer))
    assert got == expected, (today, days, wanted, officer)


@STREAM_SETTINGS
@given(
    data=st.data(),
    days=st.one_of(st.integers(0, 10), st.integers(11, 100)),
    start=st.integers(0, 5),
    kinds=st.one_of(
        st.just(KINDS),
        st.just(CUSTOMER_FACING),
        st.lists(st.sampled_from(KINDS), min_size=1, unique=True),
    ),
)
def test_the_pruned_wake_days_change_no_reminder(
    data: st.DataObject, days: int, start: int, kinds: list[str]
) -> None:
    """The wake days ``reminders._wake_sql`` leaves out (win-back for customers
    with an open loan, class edges of customers not contacted lately) give the
    very same reminders as all of them."""
    wanted = tuple(kinds)
    with _random_book_store(data) as conn:
        today = T0 + dt.timedelta(days=start)
        config = load_config()
        pruned = list(upcoming(conn, config, today, days, kinds=wanted))
        with _unpruned():
            every = list(upcoming(conn, config, today, days, kinds=wanted))
    assert pruned == every, (today, days, wanted)


@contextlib.contextmanager
def _random_book_store(data: st.DataObject) -> Iterator[Any]:
    """A store loaded with a random book (and its later contacts): its connection."""
    book = data.draw(books().flatmap(later_contacts))
    with scratch() as folder:
        note("To replay by hand:\n" + book.script())
        cli = Cli(Path(folder) / "store" / "retain.db")
        load_book(cli, book, Path(folder))
        with open_store(cli.db, create=False) as store:
            yield store.conn


@contextlib.contextmanager
def _unpruned() -> Iterator[None]:
    saved = reminders._PRUNE
    reminders._PRUNE = False
    try:
        yield
    finally:
        reminders._PRUNE = saved


def _wake_pairs(cli: Cli, kinds: tuple[str, ...], days: int = 30) -> set[tuple[str, int]]:
    config = load_config()
    with open_store(cli.db, create=False) as store:
        first = day_number(T0)
        assert first is not None
        sql, params = reminders._wake_sql(store.conn, config, first + 1, first + days, kinds)
        return {(str(row[0]), int(row[1])) for row in store.conn.execute(sql, params)}


def test_win_back_wakes_only_customers_without_an_open_loan(
    cli: Cli, make_csv: Callable[..., Path]
) -> None:
    """The pruning is not vacuous: a close wakes its customer for win-back only
    when no loan of theirs is open (and still does then)."""
    customers = [CUSTOMER_HEADER]
    loans = [LOAN_HEADER]
    for cid in ("C1", "C2"):
        customers.append([cid, f"客户{cid}", "13800000001", "", "粮油", "王芳", ""])
        closed = (T0 - dt.timedelta(days=2)).isoformat()
        loans.append([f"{cid}a", cid, "10000", "2025-01-05", "2026-11-20", "信用", "结清",
                      closed, "", ""])  # fmt: skip
    # C1 still has a loan open, maturing long after the window.
    loans.append(["C1b", "C1", "10000", "2026-01-05", "2028-01-05", "信用", "正常", "", "", ""])
    assert cli("import", "customers", str(make_csv("c.csv", customers))).exit_code == 0
    assert cli("import", "loans", str(make_csv("l.csv", loans))).exit_code == 0
    pruned = {cid for cid, _ in _wake_pairs(cli, ("win_back",))}
    with _unpruned():
        every = {cid for cid, _ in _wake_pairs(cli, ("win_back",))}
    assert every == {"C1", "C2"}
    assert pruned == {"C2"}


def test_a_class_edge_in_the_quiet_days_lists_the_customer_that_day(
    cli: Cli, make_csv: Callable[..., Path], tmp_path: Path
) -> None:
    """Six quiet days. Contacted today at 87 days past due: listed again in four
    days at 91 (a worse class ends the quiet days; a day no contact rhythm
    wakes), not when the quiet days run out. Contacted four days ago at 86: listed
    tomorrow at 91 (the first contact whose quiet days reach a later day of the
    window). Contacted five days ago: quiet today, listed tomorrow (its quiet
    days end before any later day: its class edges need no wake day)."""
    customers = [CUSTOMER_HEADER]
    loans = [LOAN_HEADER]
    for cid, ago in (("C1", 87), ("C2", 87), ("C3", 90)):
        matured = (T0 - dt.timedelta(days=ago)).isoformat()
        customers.append([cid, f"客户{cid}", "13800000001", "", "粮油", "王芳", ""])
        loans.append([f"L{cid}", cid, "10000", "2025-01-05", matured, "信用", "逾期", "", "", ""])
    assert cli("import", "customers", str(make_csv("c.csv", customers))).exit_code == 0
    assert cli("import", "loans", str(make_csv("l.csv", loans))).exit_code == 0
    for cid, ago in (("C1", 0), ("C2", 5), ("C3", 4)):
        at = T0 - dt.timedelta(days=ago)
        args = ("log", cid, "--channel", "call", "--outcome", "reached", "--at", at.isoformat())
        assert cli(*args, "--yes").exit_code == 0
    path = tmp_path / "quiet.toml"
    path.write_text("[rhythm]\nquiet_days = 6\n", encoding="utf-8")
    config = load_config(path)
    with open_store(cli.db, create=False) as store:
        found = list(upcoming(store.conn, config, T0, 10, kinds=("overdue",)))
        with _unpruned():
            every = list(upcoming(store.conn, config, T0, 10, kinds=("overdue",)))
        expected = reference_upcoming(store.conn, config, T0, 10, kinds=("overdue",))
    assert found == every == expected
    assert [(r.customer_id, r.date, r.days_past_due) for r in found] == [
        ("C2", T0 + dt.timedelta(days=1), 88),
        ("C3", T0 + dt.timedelta(days=1), 91),
        ("C1", T0 + dt.timedelta(days=4), 91),
    ]


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
