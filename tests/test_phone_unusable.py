"""空号: a phone logged as a wrong number is unusable until a different one arrives."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

from tests.conftest import Cli
from tests.test_log import EN_CUSTOMER_HEADER, book, ok  # noqa: F401  (fixture)


def unusable_since(cli: Cli, customer_id: str) -> str | None:
    with sqlite3.connect(cli.db) as conn:
        row = conn.execute(
            "SELECT phone_unusable_since FROM customers WHERE customer_id = ?", (customer_id,)
        ).fetchone()
    return row[0]


def reimport(cli: Cli, make_csv: Callable[..., Path], phone: str) -> None:
    path = make_csv(
        "again.csv",
        [EN_CUSTOMER_HEADER, ["C2", "李秀英", phone, "", "烟酒", "李强", ""]],
    )
    ok(cli("import", "customers", str(path)))


def test_wrong_number_marks_the_phone_from_that_day(book: Cli) -> None:
    ok(book("log", "C2", "--outcome", "空号", "--at", "2026-11-30 09:00"))
    assert unusable_since(book, "C2") == "2026-11-30"
    assert unusable_since(book, "C1") is None
    # A second wrong-number call keeps the first day it was found dead.
    ok(book("log", "C2", "--outcome", "wrong_number", "--at", "2026-12-01 09:00"))
    assert unusable_since(book, "C2") == "2026-11-30"


def test_the_same_phone_reimported_stays_unusable(
    book: Cli, make_csv: Callable[..., Path]
) -> None:
    ok(book("log", "C2", "--outcome", "wrong_number"))
    reimport(book, make_csv, "13912348002")
    assert unusable_since(book, "C2") is not None


def test_a_different_phone_makes_it_usable_again(
    book: Cli, make_csv: Callable[..., Path]
) -> None:
    ok(book("log", "C2", "--outcome", "wrong_number"))
    reimport(book, make_csv, "13912349999")
    assert unusable_since(book, "C2") is None
