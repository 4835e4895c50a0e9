"""``retain officers`` and ``retain officer add|rename|deactivate``, through the real CLI."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import CUSTOMER_HEADER, LOAN_HEADER, Cli


def tuples(cli: Cli) -> Any:
    """A connection to this test's store (SQLite's or PostgreSQL's) whose rows are
    plain tuples, as sqlite3 gives them by default."""
    conn = cli.connect()
    conn.row_factory = None
    return conn


def make_book(cli: Cli, make_csv: Callable[..., Path]) -> Cli:
    """Four customers: three of 张伟 (two in 餐饮), one of 王芳; loans on three."""
    customers = make_csv(
        "customers.csv",
        [
            CUSTOMER_HEADER,
            ["C1", "王建国", "13812348001", "", "餐饮", "张伟", ""],
            ["C2", "李秀英", "13912348002", "", "餐饮", "张伟", ""],
            ["C3", "赵敏", "15012348003", "", "服装", "张伟", ""],
            ["C4", "孙丽", "15012348004", "", "粮油", "王芳", ""],
        ],
    )
    loans = make_csv(
        "loans.csv",
        [
            LOAN_HEADER,
            ["L1", "C1", "100000", "2025-12-06", "2026-12-06", "信用", "正常", "", "40000", ""],
            ["L2", "C2", "20000", "2025-06-01", "2027-06-01", "抵押", "逾期", "", "20000", "10"],
            ["L3", "C3", "30000", "2024-06-01", "2025-06-01", "信用", "结清", "2025-06-01", "0", ""],
            ["L4", "C4", "50000", "2025-12-04", "2027-12-04", "保证", "正常", "", "50000", ""],
        ],
    )  # fmt: skip
    for kind, path in (("customers", customers), ("loans", loans)):
        result = cli("import", kind, str(path), today="2026-11-02")
        assert result.exit_code == 0, result.stderr
    return cli


@pytest.fixture
def book(cli: Cli, make_csv: Callable[..., Path]) -> Cli:
    return make_book(cli, make_csv)


def officers_json(cli: Cli) -> dict[str, dict[str, object]]:
    result = cli("officers", "--format", "json")
    assert result.exit_code == 0, result.stderr
    return {row["officer"]: row for row in result.json()}


def test_officers_lists_names_found_in_imports_and_logs(book: Cli) -> None:
    logged = book("log", "C4", "--channel", "call", "--outcome", "reached", "--officer", " 刘洋　")
    assert logged.exit_code == 0, logged.stderr
    found = officers_json(book)
    assert set(found) == {"张伟", "王芳", "刘洋"}
    zhang = found["张伟"]
    assert zhang["customers"] == 3 and zhang["loans"] == 2  # L3 is closed
    assert zhang["balance"] == 60000.0 and zhang["officer_status"] == "active"
    assert found["刘洋"]["customers"] == 0 and found["刘洋"]["added_on"] is None
    table = book("officers", "--format", "table").stdout
    assert "张伟" in table and "60,000" in table


def test_add_matches_names_after_nfkc_and_trimming(book: Cli) -> None:
    result = book("officer", "add", "  Ｌｉ Na ")
    assert result.exit_code == 0, result.stderr
    assert "Li Na" in officers_json(book)
    again = book("officer", "add", "Li Na")
    assert again.exit_code == 0 and "already active" in again.stderr
    assert book("officer", "add", "   ").exit_code == 2


def test_deactivate_with_customers_is_refused_with_the_count(book: Cli) -> None:
    result = book("officer", "deactivate", "张伟")
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: ")
    assert "3 customer(s)" in result.stderr and "hand them over first" in result.stderr
    assert officers_json(book)["张伟"]["officer_status"] == "active"


def test_deactivate_without_customers_and_unknown(book: Cli) -> None:
    assert book("officer", "add", "刘洋").exit_code == 0
    assert book("officer", "deactivate", "刘洋").exit_code == 0
    assert officers_json(book)["刘洋"]["officer_status"] == "inactive"
    unknown = book("officer", "deactivate", "Nobody")
    assert unknown.exit_code == 1 and "no officer Nobody" in unknown.stderr
    # added again: active again
    assert book("officer", "add", "刘洋").exit_code == 0
    assert officers_json(book)["刘洋"]["officer_status"] == "active"


def test_rename_fixes_the_name_everywhere(book: Cli) -> None:
    assert book("log", "C1", "--channel", "call", "--outcome", "reached").exit_code == 0
    log = book(
        "log", "C2", "--outcome", "promised", "--next", "2026-12-05", "--amount", "3000",
        "--officer", "张伟",
    )  # fmt: skip
    assert log.exit_code == 0, log.stderr
    result = book("officer", "rename", "张伟", "张 玮")
    assert result.exit_code == 0, result.stderr
    found = officers_json(book)
    assert "张伟" not in found and found["张 玮"]["customers"] == 3
    conn = tuples(book)
    for table in ("customers", "contacts", "promises", "portfolio_snapshots", "assignments"):
        assert conn.execute(f"SELECT COUNT(*) FROM {table} WHERE officer = '张伟'").fetchone() == (
            0,
        ), table
    assert conn.execute(
        "SELECT COUNT(*) FROM portfolio_snapshots WHERE officer = '张 玮'"
    ).fetchone() == (1,)
    assert "张 玮" in book("show", "C1").stdout


def test_rename_onto_a_known_name_merges_and_snapshots_add_up(book: Cli) -> None:
    result = book("officer", "rename", "王芳", "张伟")
    assert result.exit_code == 0, result.stderr
    assert "one officer" in result.stderr
    found = officers_json(book)
    assert set(found) == {"张伟"} and found["张伟"]["customers"] == 4
    conn = tuples(book)
    rows = conn.execute("SELECT officer, customers, loans FROM portfolio_snapshots").fetchall()
    assert rows == [("张伟", 4, 3)]  # 3 + 1 customers, 2 + 1 open loans: one row a day


def test_rename_is_refused_for_an_unknown_name(book: Cli) -> None:
    result = book("officer", "rename", "Nobody", "张伟")
    assert result.exit_code == 1 and "no officer Nobody" in result.stderr
    assert book("officer", "rename", "张伟", " 张伟 ").exit_code == 2


def test_an_import_opens_one_interval_per_customer(book: Cli) -> None:
    conn = tuples(book)
    rows = conn.execute(
        "SELECT customer_id, officer, to_day, via FROM assignments ORDER BY customer_id"
    ).fetchall()
    assert rows == [
        ("C1", "张伟", None, "import"),
        ("C2", "张伟", None, "import"),
        ("C3", "张伟", None, "import"),
        ("C4", "王芳", None, "import"),
    ]


def test_the_migration_fills_officers_and_intervals_from_existing_customers() -> None:
    import sqlite_utils

    from retain.migrations import MIGRATIONS, m024_officers

    db = sqlite_utils.Database(sqlite3.connect(":memory:"))
    for step in MIGRATIONS[: MIGRATIONS.index(m024_officers)]:
        step(db)
    db.conn.executemany(
        "INSERT INTO customers (customer_id, name, officer, created_at, updated_at)"
        " VALUES (?, ?, ?, ?, ?)",
        [
            ("C1", "甲", "张伟", "2026-03-01T08:00:00Z", "2026-03-01T08:00:00Z"),
            ("C2", "乙", "张伟", "2026-01-15T08:00:00Z", "2026-01-15T08:00:00Z"),
            ("C3", "丙", None, "2026-01-15T08:00:00Z", "2026-01-15T08:00:00Z"),
        ],
    )
    m024_officers(db)
    assert db.execute("SELECT name, status, added_on FROM officers").fetchall() == [
        ("张伟", "active", "2026-01-15")
    ]
    rows = db.execute(
        "SELECT customer_id, officer, date(from_day * 86400, 'unixepoch'), to_day"
        " FROM assignments ORDER BY customer_id"
    ).fetchall()
    assert rows == [("C1", "张伟", "2026-03-01", None), ("C2", "张伟", "2026-01-15", None)]


def test_an_imported_name_is_stored_as_commands_match_it(
    cli: Cli, make_csv: Callable[..., Path]
) -> None:
    wide = make_csv(
        "customers.csv", [CUSTOMER_HEADER, ["C1", "王建国", "", "", "", " Ｌｉ　Ｎａ ", ""]]
    )
    assert cli("import", "customers", str(wide)).exit_code == 0
    assert set(officers_json(cli)) == {"Li Na"}
    assert cli("officer", "add", "张伟").exit_code == 0
    moved = cli("handover", "--from", "Ｌｉ Ｎａ", "--to", "张伟", "--all")
    assert moved.exit_code == 0, moved.stderr
