"""The streaming reminders: the same reminders as the obvious algorithm, as they come.

``retain.reminders.upcoming`` scores everyone on the first day and afterwards only
the customers woken on a day (a tier opening, a loan falling due, a rhythm
running out …). ``tests/reference_reminders.py`` keeps the obvious algorithm
(the whole call list, every day of the window); on random books, windows,
reasons and officers the two must give the very same reminders, in the same order.
"""

from __future__ import annotations

import datetime as dt
import inspect
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

from retain.config import load_config
from retain.reminders import KINDS, upcoming
from retain.store import Store
from tests.books import OFFICERS, T0, Book, books, load_book
from tests.conftest import Cli
from tests.reference_reminders import reference_upcoming
from tests.test_properties import scratch

STREAM_SETTINGS = settings(
    max_examples=int(os.environ.get("PROPERTY_EXAMPLES", "40")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


@st.composite
def later_contacts(draw: st.DrawFn, book: Book) -> Book:
    """More contacts: old ones whose rhythms (revisit, win-back) run out in the window."""
    for _ in range(draw(st.integers(0, 3))):
        cid = draw(st.sampled_from(book.customer_ids))
        at = draw(st.sampled_from((-3, -2, -57, -58, -59, -60, -87, -88, -89, -90)))
        when = (T0 + dt.timedelta(days=at)).isoformat()
        args = [cid, "--channel", "visit", "--outcome", "reached", "--at", when]
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
        with Store(cli.db, create=False) as store:
            wanted = tuple(kinds)
            expected = reference_upcoming(
                store.conn, config, today, days, kinds=wanted, officer=officer
            )
            got = list(upcoming(store.conn, config, today, days, kinds=wanted, officer=officer))
        assert got == expected, (today, days, wanted, officer)


def test_upcoming_is_a_generator_that_leaves_no_tables_behind(seeded: Cli) -> None:
    config = load_config()
    with Store(seeded.db, create=False) as store:
        found = upcoming(store.conn, config, T0, 30)
        assert inspect.isgenerator(found)
        first = next(found)
        assert first.date == T0
        found.close()  # abandoned half-way: its scratch tables go
        rest = list(upcoming(store.conn, config, T0, 30))
        assert rest[0] == first
        tables = store.conn.execute("SELECT name FROM sqlite_temp_master").fetchall()
        assert tables == []
