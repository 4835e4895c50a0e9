"""Properties of the call list and the reminders, on random small loan books.

Each example is a fresh store built through the real CLI (``retain import`` and
``retain log``) from a random book (see ``tests/books.py``); every property is
checked only through ``--format json`` output, never through internal functions:

(a) ``calls --limit n`` is the first n rows of the full list, for every n;
(b) ``calls --explain ID`` adds up to the listed score and gives the listed rank;
(c) ``export reminders --days D`` is the union, over the days of the window, of the
    reasons ``--today d calls`` lists, each dated the first day it is listed;

and, beside them, (a2) ``--officer``/``--reason`` pick rows out of the full list, and
(d) a shorter reminder window is the start of a longer one.

A falsifying example comes with the shell commands that rebuild its store.
"""

from __future__ import annotations

import os
import tempfile
from collections import defaultdict
from pathlib import Path
from typing import Any

from hypothesis import given, note, settings
from hypothesis import strategies as st

from tests.books import OFFICERS, Book, books, day, json_of, load_book
from tests.conftest import Cli

FULL = "100000"
TERMS = (
    "overdue", "maturing", "follow_up", "post_loan_check", "revisit", "win_back", "recovery",
    "collateral_expiry",
    "instalment",
)  # fmt: skip
PROPERTY_SETTINGS = settings(
    # A quick run by default; PROPERTY_EXAMPLES=500 hunts longer.
    max_examples=int(os.environ.get("PROPERTY_EXAMPLES", "25")),
    deadline=None,  # each example builds a store and runs the CLI dozens of times
)


def scratch() -> tempfile.TemporaryDirectory[str]:
    """A private folder per example; in memory when /dev/shm exists (no fsync cost)."""
    shm = Path("/dev/shm")
    return tempfile.TemporaryDirectory(dir=shm if shm.is_dir() else None)


def fresh(book: Book, folder: str) -> Cli:
    note("To replay by hand:\n" + book.script())
    cli = Cli(Path(folder) / "store" / "retain.db")
    load_book(cli, book, Path(folder))
    return cli


def full_list(cli: Cli, today: str | None = None) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = json_of(cli, "calls", "--limit", FULL, today=today)
    return rows


@PROPERTY_SETTINGS
@given(book=books(), when=st.integers(0, 14))
def test_a_limited_list_is_a_prefix_of_the_full_list(book: Book, when: int) -> None:
    today = day(when)
    with scratch() as folder:
        cli = fresh(book, folder)
        full = full_list(cli, today)
        assert [row["rank"] for row in full] == list(range(1, len(full) + 1))
        for n in range(1, len(full) + 2):
            limited = json_of(cli, "calls", "--limit", str(n), today=today)
            key = [(r["rank"], r["customer_id"], r["score"]) for r in limited]
            want = [(r["rank"], r["customer_id"], r["score"]) for r in full[:n]]
            assert key == want, f"--today {today} calls --limit {n}"
            assert limited == full[:n], f"--today {today} calls --limit {n}: other fields differ"


@PROPERTY_SETTINGS
@given(
    book=books(),
    when=st.integers(0, 14),
    officer=st.sampled_from(OFFICERS[:2]),
    reasons=st.lists(st.sampled_from(TERMS), min_size=1, max_size=2, unique=True),
)
def test_a2_filters_pick_rows_of_the_full_list(
    book: Book, when: int, officer: str, reasons: list[str]
) -> None:
    today = day(when)
    with scratch() as folder:
        cli = fresh(book, folder)
        full = full_list(cli, today)
        filtered = [
            ("--officer", officer, [r for r in full if r["officer"] == officer]),
            *(("--reason", term, [r for r in full if r[term] > 0]) for term in reasons),
        ]
        for option, value, want in filtered:
            got = json_of(cli, "calls", option, value, "--limit", FULL, today=today)
            drop_rank = [{**r, "rank": None} for r in got]
            assert drop_rank == [{**r, "rank": None} for r in want], (today, option, value)
            assert [r["rank"] for r in got] == list(range(1, len(got) + 1))
            for n in range(1, len(got) + 1):
                limited = json_of(cli, "calls", option, value, "--limit", str(n), today=today)
                assert limited == got[:n], f"--today {today} calls {option} {value} --limit {n}"


@PROPERTY_SETTINGS
@given(book=books(), when=st.integers(0, 14))
def test_b_explain_adds_up_to_the_listed_score_and_rank(book: Book, when: int) -> None:
    today = day(when)
    with scratch() as folder:
        cli = fresh(book, folder)
        full = full_list(cli, today)
        for row in full:
            cid = row["customer_id"]
            payload = json_of(cli, "calls", "--explain", cid, today=today)
            points = {term["term"]: term["points"] for term in payload["terms"]}
            assert sum(points.values()) == row["score"], (cid, payload, row)
            assert payload["score"] == row["score"], (cid, payload, row)
            assert payload["rank"] == row["rank"], (cid, payload, row)
            listed_terms = {term for term, pts in points.items() if pts}
            assert listed_terms == set(row["reasons"].split(",")), (cid, payload, row)
        # Customers off the list: explain gives no rank.
        for cid in sorted(set(book.customer_ids) - {row["customer_id"] for row in full}):
            payload = json_of(cli, "calls", "--explain", cid, today=today)
            assert payload["rank"] is None, (today, cid, payload)


@PROPERTY_SETTINGS
@given(book=books(), days=st.integers(0, 10))
def test_c_reminders_are_the_union_of_the_daily_call_lists(book: Book, days: int) -> None:
    with scratch() as folder:
        cli = fresh(book, folder)
        listed: dict[tuple[str, str], list[str]] = defaultdict(list)
        for offset in range(days + 1):
            for row in full_list(cli, today=day(offset)):
                for reason in row["reasons"].split(","):
                    listed[(row["customer_id"], reason)].append(day(offset))
        reminders = json_of(cli, "export", "reminders", "--days", str(days))
        ids = [reminder["reminder_id"] for reminder in reminders]
        assert len(ids) == len(set(ids)), "reminder ids repeat"
        dated: dict[tuple[str, str], list[str]] = defaultdict(list)
        for reminder in reminders:
            dated[(reminder["customer_id"], reminder["reason"])].append(reminder["date"])
        assert set(dated) == set(listed), (
            f"export reminders --days {days}: "
            f"missing {sorted(set(listed) - set(dated))}, extra {sorted(set(dated) - set(listed))}"
        )
        for pair, dates in dated.items():
            assert set(dates) <= set(listed[pair]), (pair, dates, listed[pair])
            assert min(dates) == min(listed[pair]), (pair, dates, listed[pair])
            # A second reminder for the pair only for a new episode, on another day.
            assert len(dates) == len(set(dates)), (pair, dates)


@PROPERTY_SETTINGS
@given(book=books(), short=st.integers(0, 9), extra=st.integers(1, 6))
def test_d_a_shorter_window_is_the_start_of_a_longer_one(
    book: Book, short: int, extra: int
) -> None:
    with scratch() as folder:
        cli = fresh(book, folder)
        longer = json_of(cli, "export", "reminders", "--days", str(short + extra))
        shorter = json_of(cli, "export", "reminders", "--days", str(short))
        last = day(short)
        assert shorter == [r for r in longer if r["date"] <= last], (short, extra)
