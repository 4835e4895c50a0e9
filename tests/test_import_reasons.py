"""Reasons that say what to do, JSON that tolerates what it does not use, limits
on nonsense, and customers a customers file rejected (issue 9, items 4, 6, 8, 9)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from tests.conftest import CUSTOMER_HEADER, Cli

LOANS = ["借据编号", "客户编号", "客户名称", "贷款金额(元)", "放款日期", "到期日期", "担保方式", "贷款状态"]  # fmt: skip
PLAIN = ["借据编号", "客户编号", "贷款金额(元)", "放款日期", "到期日期", "担保方式", "贷款状态"]


def loan(loan_id: str, customer: str, *, name: str | None = None, principal: str = "5000",
         disbursed: str = "2026-01-05", matures: str = "2027-01-05") -> list[str]:  # fmt: skip
    head = [loan_id, customer] + ([name] if name is not None else [])
    return [*head, principal, disbursed, matures, "信用", "正常"]


def rejects(cli: Cli, path: Path) -> list[dict[str, object]]:
    result = cli("import", "loans", str(path), "--format", "json")
    assert result.exit_code in (0, 3), result.stderr
    return list(result.json()["rejects"])


def test_unknown_customer_says_to_import_customers(cli: Cli, make_csv: Callable[..., Path]) -> None:
    plain = make_csv("a.csv", [PLAIN, loan("L1", "C1099")])
    assert rejects(cli, plain)[0]["reason"] == (
        "customer C1099 does not exist; import customers first or add customer columns"
    )
    with_names = make_csv("b.csv", [LOANS, loan("L1", "C1099", name="")])
    assert rejects(cli, with_names)[0] == {
        "row": 2,
        "field": "customer_id",
        "reason": "customer C1099 does not exist; import customers first or fill in its name",
    }


def test_blank_name_in_a_loans_file_keeps_the_existing_customer(
    cli: Cli, make_csv: Callable[..., Path]
) -> None:
    path = make_csv("a.csv", [LOANS, loan("L1", "C1", name="王建国"), loan("L2", "C1", name="")])
    result = cli("import", "loans", str(path), "--format", "json")
    assert result.exit_code == 0, result.stdout
    assert result.json()["added"] == 2


def test_repeated_id_names_the_first_row(cli: Cli, make_csv: Callable[..., Path]) -> None:
    rows = (
        [LOANS]
        + [loan(f"L{i}", "C1", name="王") for i in range(1, 12)]
        + [loan("L3", "C1", name="王")]
    )
    got = rejects(cli, make_csv("a.csv", rows))
    assert got == [{"row": 13, "field": "loan_id", "reason": "same loan_id as row 4"}]
    zh = cli("--lang", "zh", "import", "loans", str(make_csv("b.csv", rows)))
    assert "与第 4 行的借据号相同" in zh.stderr


def test_two_bad_dates_name_each_field_once(cli: Cli, make_csv: Callable[..., Path]) -> None:
    path = make_csv(
        "a.csv", [LOANS, loan("L1", "C1", name="王", disbursed="2026-13-01", matures="2026-02-30")]
    )
    result = cli("import", "loans", str(path))
    assert result.exit_code == 3
    line = result.stderr.splitlines()[0]
    assert (
        line
        == "row 2: disbursed_on: not a real calendar date; matures_on: not a real calendar date"
    )


def test_earliest_date_and_principal_floor(
    cli: Cli, make_csv: Callable[..., Path], tmp_path: Path
) -> None:
    path = make_csv(
        "a.csv",
        [
            LOANS,
            loan("L1", "C1", name="王", disbursed="1900-01-05"),
            loan("L2", "C1", name="王", principal="0.01"),
            loan("L3", "C1", name="王", principal="100"),
            loan("L4", "C1", name="王", disbursed="1990-01-01"),
        ],
    )
    got = rejects(cli, path)
    assert [(r["row"], r["field"]) for r in got] == [(2, "disbursed_on"), (3, "principal")]
    assert "before 1990-01-01 (import.earliest_date)" in str(got[0]["reason"])
    assert "below the floor of 100 yuan (import.principal_floor)" in str(got[1]["reason"])
    config = tmp_path / "config.toml"
    config.write_text(
        "[import]\nearliest_date = 1850-01-01\nprincipal_floor = 0\n", encoding="utf-8"
    )
    result = cli(
        "import", "loans", str(path), "--format", "json", env={"RETAIN_CONFIG": str(config)}
    )
    assert result.exit_code == 0, result.stdout


def test_json_unused_nested_fields_and_missing_keys(cli: Cli, tmp_path: Path) -> None:
    rows = [
        {"customer_id": "C1", "name": "王建国", "meta": {"source": "core", "tags": [1, 2]}},
        {"customer_id": "C2", "name": "李强", "phone": "13912348002", "history": [1, 2]},
        {"name": "张三", "customer_id": "C3", "score": float("nan")},
        {"customer_id": "C4", "name": {"first": "四"}},
    ]
    path = tmp_path / "c.json"
    path.write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
    result = cli("import", "customers", str(path), "--format", "json")
    assert result.exit_code == 3, result.stderr
    assert result.json()["added"] == 3
    assert result.json()["rejects"] == [
        {"row": 5, "field": "name", "reason": "a JSON object, not a value"}
    ]
    phones = [tuple(r) for r in cli.sql("SELECT customer_id, phone FROM customers ORDER BY 1")]
    assert phones == [("C1", None), ("C2", "13912348002"), ("C3", None)]


def test_loans_file_creating_a_rejected_customer_says_so(
    cli: Cli, make_csv: Callable[..., Path]
) -> None:
    customers = make_csv(
        "客户.csv",
        [CUSTOMER_HEADER, ["C7", "王五", "13812348001", "110105194912310021", "", "李经理", ""]],
    )
    assert cli("import", "customers", str(customers)).exit_code == 3  # bad check character
    header = LOANS + ["客户经理"]
    path = make_csv(
        "贷款.csv",
        [
            header,
            [*loan("L1", "C7", name="王五"), "李经理"],
            [*loan("L2", "C7", name="王五"), "李经理"],
        ],
    )
    result = cli("import", "loans", str(path), "--format", "json")
    assert result.exit_code == 0, result.stdout
    notes = result.json()["notes"]
    assert len(notes) == 1 and notes[0]["row"] == 2
    assert "customer C7 was created from this file (officer included)" in notes[0]["note"]
    assert "row 2 of 客户.csv was rejected (id_number)" in notes[0]["note"]
    assert "客户.rejects.csv" in notes[0]["note"]
    assert [tuple(r) for r in cli.sql("SELECT officer FROM customers")] == [("李经理",)]
    # imported again: the customer exists now, no note
    assert cli("import", "loans", str(path), "--format", "json").json()["notes"] == []
