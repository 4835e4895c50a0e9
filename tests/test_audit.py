"""``retain audit``: the audit trail, filtered and masked, and its append-only guard."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import CUSTOMER_HEADER, Cli
from tests.test_officers import make_book


@pytest.fixture
def book(cli: Cli, make_csv: Callable[..., Path]) -> Cli:
    make_book(cli, make_csv)
    changed = make_csv(
        "customers-new.csv",
        [
            CUSTOMER_HEADER,
            ["C1", "王建国", "13899990001", "", "餐饮", "张伟", ""],  # new phone
            ["C4", "孙丽", "15012348004", "", "粮油", "王芳", "VIP"],  # new segment
        ],
    )
    assert cli("import", "customers", str(changed), today="2026-11-05").exit_code == 0
    assert cli("officer", "add", "李娜").exit_code == 0
    assert cli("handover", "--from", "张伟", "--to", "李娜", "--customer", "C2").exit_code == 0
    assert cli("log", "C3", "--outcome", "reached", today="2026-11-06").exit_code == 0
    assert cli("contacts", "undo").exit_code == 0
    return cli


def audit(cli: Cli, *args: str) -> list[dict[str, Any]]:
    result = cli("audit", *args, "--format", "json")
    assert result.exit_code == 0, result.stderr
    rows: list[dict[str, Any]] = result.json()
    return rows


def test_the_trail_lists_imports_handovers_and_log_corrections(book: Cli) -> None:
    rows = audit(book)
    kinds = {r["kind"] for r in rows}
    assert {"import", "handover", "log", "officer"} <= kinds
    assert rows == sorted(rows, key=lambda r: -r["change_id"])  # newest first
    phone = next(r for r in rows if r["field"] == "phone" and r["entity"] == "customers")
    assert phone["old_value"] == "138****8001" and phone["new_value"] == "138****0001"
    assert phone["file"].endswith("customers-new.csv")
    moved = next(r for r in rows if r["kind"] == "handover")
    assert (moved["entity_id"], moved["old_value"], moved["new_value"]) == ("C2", "张伟", "李娜")


def test_reveal_shows_full_numbers(book: Cli) -> None:
    phone = next(r for r in audit(book, "--reveal") if r["field"] == "phone")
    assert phone["old_value"] == "13812348001"


def test_filter_by_kind(book: Cli) -> None:
    rows = audit(book, "--kind", "handover")
    assert [(r["entity_id"], r["field"]) for r in rows] == [("C2", "officer")]
    assert {r["kind"] for r in audit(book, "--kind", "import")} == {"import"}
    log = audit(book, "--kind", "log")
    assert log and {r["entity"] for r in log} == {"contact"}


def test_filter_by_customer(book: Cli) -> None:
    assert {(r["entity"], r["field"]) for r in audit(book, "--customer", "C1")} == {
        ("customers", "phone")
    }
    assert {r["kind"] for r in audit(book, "--customer", "C2")} == {"handover"}
    c3 = audit(book, "--customer", "C3")  # the undone contact, field by field
    assert c3 and {r["entity"] for r in c3} == {"contact"}
    assert audit(book, "--customer", "C4")[0]["field"] == "segment"


def test_filter_since(book: Cli) -> None:
    book.sql(
        "INSERT INTO changes (entity, entity_id, field, old_value, new_value, recorded_at,"
        " kind, actor) VALUES ('config', 'weights', 'overdue', '10', '12',"
        " '2020-01-02T03:04:05Z', 'config', 'admin')"
    )
    everything = audit(book)
    assert any(r["kind"] == "config" for r in everything)
    recent = audit(book, "--since", "2021-01-01")
    assert len(recent) == len(everything) - 1
    assert audit(book, "--kind", "config", "--since", "2020-01-02")[0]["actor"] == "admin"


def test_the_table_shows_who_what_and_old_to_new(book: Cli) -> None:
    table = book("audit", "--kind", "handover", "--format", "table").stdout
    assert "Audit trail" in table and "C2" in table and "张伟 → 李娜" in table
    zh = book("--lang", "zh", "audit", "--format", "table").stdout
    assert "变更记录" in zh and "移交" in zh


def test_raw_update_and_delete_on_the_trail_fail(book: Cli) -> None:
    conn = book.connect()
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        conn.execute("UPDATE changes SET new_value = 'x'")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        conn.execute("DELETE FROM changes")
    conn.rollback()
    assert conn.execute("SELECT COUNT(*) FROM changes").fetchone()[0] == len(audit(book))


# `doctor` checks a SQLite store file (on PostgreSQL it points to the server's tools).
@pytest.mark.sqlite_only
def test_doctor_fails_when_the_guard_is_gone(book: Cli) -> None:
    assert "audit_trail" in book("doctor").stdout
    conn = sqlite3.connect(book.db)
    conn.execute("DROP TRIGGER changes_append_only_delete")
    conn.commit()
    result = book("doctor")
    line = next(ln for ln in result.stdout.splitlines() if "audit_trail" in ln)
    assert "fail" in line and "changes_append_only_delete" in line


def test_config_set_is_recorded_when_there_is_a_store(book: Cli) -> None:
    assert book("config", "set", "weights.overdue", "12").exit_code == 0
    rows = audit(book, "--kind", "config")
    assert [(r["entity_id"], r["new_value"]) for r in rows] == [("weights.overdue", "12.0")]
    assert rows[0]["old_value"] not in (None, "12.0")
    assert book("config", "set", "weights.overdue", "12").exit_code == 0  # no change, no row
    assert len(audit(book, "--kind", "config")) == 1


def test_config_set_without_a_store_records_nothing_and_creates_none(tmp_path: Path) -> None:
    cli = Cli(tmp_path / "none" / "retain.db")
    result = cli("config", "set", "weights.overdue", "12")
    assert result.exit_code == 0, result.stderr
    assert not cli.db.exists()
