"""The fast paths of a loans import keep its contract: a fresh load into an empty
loans table (indexes built at the end) and remembered cell checks."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.conftest import Cli

CUSTOMER_HEADER = ["customer_id", "name", "phone", "officer"]
LOAN_HEADER = [
    "loan_id", "customer_id", "principal", "disbursed_on", "matures_on", "guarantee", "status",
]  # fmt: skip


def loan_indexes(cli: Cli) -> dict[str, str]:
    return {
        r[0]: r[1]
        for r in cli.sql(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'loans'"
            " AND sql IS NOT NULL"
        )
    }


def imported(cli: Cli, kind: str, path: Path, *extra: str) -> dict[str, Any]:
    result = cli("import", kind, str(path), "--format", "json", *extra)
    assert result.exit_code in (0, 3), result.stderr  # 3: some rows rejected
    report: dict[str, Any] = result.json()
    return report


def with_customers(cli: Cli, make_csv: Callable[..., Path]) -> dict[str, str]:
    customers = make_csv(
        "customers.csv",
        [CUSTOMER_HEADER, ["C1", "王建国", "13812348001", "王芳"], ["C2", "李秀英", "", "李强"]],
    )
    imported(cli, "customers", customers)
    return loan_indexes(cli)


def test_fresh_load_builds_the_same_indexes_and_reimport_is_unchanged(
    cli: Cli, make_csv: Callable[..., Path]
) -> None:
    before = with_customers(cli, make_csv)
    assert len(before) >= 3
    rows = [
        [f"L{i}", f"C{1 + i % 2}", "50000", "2026-01-05", "2026-12-05", "信用", "正常"]
        for i in range(1, 40)
    ]
    loans = make_csv("loans.csv", [LOAN_HEADER, *rows])
    first = imported(cli, "loans", loans)
    assert (first["added"], first["unchanged"], first["rejected"]) == (39, 0, 0)
    assert loan_indexes(cli) == before
    assert [tuple(r) for r in cli.sql("PRAGMA integrity_check")] == [("ok",)]
    again = imported(cli, "loans", loans)
    assert (again["added"], again["updated"], again["unchanged"]) == (0, 0, 39)
    due = cli("due", "--days", "10", "--format", "csv")
    assert due.stdout.count("\n") == 40  # header + every loan


def test_fresh_load_still_rejects_repeated_ids_and_unknown_customers(
    cli: Cli, make_csv: Callable[..., Path]
) -> None:
    with_customers(cli, make_csv)
    loans = make_csv(
        "loans.csv",
        [
            LOAN_HEADER,
            ["L1", "C1", "50000", "2026-01-05", "2026-12-05", "信用", "正常"],
            ["L1", "C2", "60000", "2026-01-05", "2026-12-05", "信用", "正常"],
            ["L2", "C9", "60000", "2026-01-05", "2026-12-05", "信用", "正常"],
        ],
    )
    report = imported(cli, "loans", loans)
    assert (report["added"], report["rejected"]) == (1, 2)
    reasons = {r["row"]: r["reason"] for r in report["rejects"]}
    assert "row 2" in reasons[3]
    assert "C9" in reasons[4]


def test_dry_run_into_an_empty_loans_table_stores_nothing_and_keeps_indexes(
    cli: Cli, make_csv: Callable[..., Path]
) -> None:
    before = with_customers(cli, make_csv)
    loans = make_csv(
        "loans.csv",
        [LOAN_HEADER, ["L1", "C1", "50000", "2026-01-05", "2026-12-05", "信用", "正常"]],
    )
    report = imported(cli, "loans", loans, "--dry-run")
    assert report["added"] == 1
    assert loan_indexes(cli) == before
    assert [tuple(r) for r in cli.sql("SELECT count(*) FROM loans")] == [(0,)]


def test_a_repeated_faulty_cell_is_rejected_on_every_row(
    cli: Cli, make_csv: Callable[..., Path]
) -> None:
    """Checks remember accepted cells only: the same bad date fails each time."""
    with_customers(cli, make_csv)
    loans = make_csv(
        "loans.csv",
        [
            LOAN_HEADER,
            ["L1", "C1", "50000", "2026-13-45", "2026-12-05", "信用", "正常"],
            ["L2", "C1", "50000", "2026-01-05", "2026-12-05", "信用", "正常"],
            ["L3", "C2", "50000", "2026-13-45", "2026-12-05", "信用", "正常"],
            ["L4", "C2", "50000", "2026-01-05", "2026-12-05", "信用", "正常"],
        ],
    )
    report = imported(cli, "loans", loans)
    assert (report["added"], report["rejected"]) == (2, 2)
    faults = [(r["row"], r["field"], r["reason"]) for r in report["rejects"]]
    assert [f[:2] for f in faults] == [(2, "disbursed_on"), (4, "disbursed_on")]
    assert faults[0][2] == faults[1][2]
