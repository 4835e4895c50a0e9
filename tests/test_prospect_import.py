"""``retain import prospects``: sign-up sheets and partners' lists, under the import contract."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Cli, Result, valid_id_number
from tests.test_log import book as book  # a fixture

ID_A = valid_id_number("11010519800101002")
ZH_HEADER = ["姓名", "联系电话", "身份证号", "所属行业", "来源渠道", "推荐人", "客户经理", "需求金额(万元)", "来源"]  # fmt: skip
EN_HEADER = ["name", "phone", "id_number", "industry", "channel", "referrer", "officer", "need", "source"]  # fmt: skip


def prospects(cli: Cli) -> dict[str, dict[str, Any]]:
    result = cli("prospect", "list", "--format", "json", "--reveal")
    assert result.exit_code == 0, result.stderr
    return {row["name"]: row for row in result.json()}


def imported(result: Result, code: int = 0) -> dict[str, Any]:
    assert result.exit_code == code, (result.stdout, result.stderr)
    report: dict[str, Any] = json.loads(result.stdout)
    return report


def run(cli: Cli, path: Path, *args: str) -> Result:
    return cli("import", "prospects", str(path), "--format", "json", *args)


def test_a_chinese_sign_up_sheet(cli: Cli, book: Cli, make_csv: Callable[..., Path]) -> None:
    sheet = make_csv(
        "商会报名表.csv",
        [
            ZH_HEADER,
            ["张三", "138-1234-5678", ID_A, "粮油", "点", "C1", "王芳", "30", "商会年会"],
            ["李四", "13900000001", "", "", "圈层", "", "", "", ""],
            ["王五", "", "", "", "", "", "", "", ""],
        ],
    )
    report = imported(run(cli, sheet, "--as-of", "2026-11-28"))
    assert (report["added"], report["rejected"], report["unchanged"]) == (3, 0, 0)
    rows = prospects(cli)
    assert rows["张三"]["phone"] == "13812345678" and rows["张三"]["referrer"] == "C1"
    assert rows["张三"]["need"] == 300000.0 and rows["张三"]["channel"] == "referral"
    assert rows["张三"]["officer"] == "王芳" and rows["张三"]["source"] == "商会年会"
    assert rows["李四"]["channel"] == "circle" and rows["王五"]["channel"] == "other"
    assert {r["entered_on"] for r in rows.values()} == {"2026-11-28"}
    vias = [tuple(r) for r in cli.sql("SELECT DISTINCT via, stage FROM prospect_stages")]
    imports = tuple(cli.sql("SELECT COUNT(DISTINCT import_id) FROM prospects")[0])
    assert vias == [("import", "new")] and imports == (1,)


@pytest.mark.parametrize(("typed", "channel"), [("supply_chain", "supply_chain"), ("面", "alliance"), ("walk-in", "walk_in"), ("自然到访", "walk_in")])  # fmt: skip
def test_an_english_partner_list(
    cli: Cli, make_csv: Callable[..., Path], typed: str, channel: str
) -> None:
    sheet = make_csv(
        "partners.csv",
        [EN_HEADER, ["Zhao Liu", "0371-67891234", "", "", typed, "", "", "50000", "dealer"]],
    )
    imported(run(cli, sheet))
    row = prospects(cli)["Zhao Liu"]
    assert (row["channel"], row["phone"], row["need"]) == (channel, "0371-67891234", 50000.0)


def test_duplicates_in_the_file_and_in_the_store_are_reported_not_imported(
    cli: Cli, book: Cli, make_csv: Callable[..., Path]
) -> None:
    assert cli("prospect", "add", "老潜客", "--phone", "13700000009").exit_code == 0
    sheet = make_csv(
        "sheet.csv",
        [
            EN_HEADER,
            ["张三", "13812345678", "", "", "", "", "", "", ""],
            ["张三 again", "138 1234 5678", "", "", "", "", "", "", ""],  # row 2's phone
            ["李四", "13900000001", ID_A, "", "", "", "", "", ""],
            ["李四 again", "13900000002", ID_A.lower(), "", "", "", "", "", ""],  # row 4's ID
            ["王建国", "13812348001", "", "", "", "", "", "", ""],  # customer C1
            ["老潜客", "13700000009", "", "", "", "", "", "", ""],  # prospect P1
        ],
    )
    result = run(cli, sheet)
    report = imported(result, 3)
    assert (report["added"], report["rejected"], report["unchanged"]) == (2, 2, 2)
    assert [(r["row"], r["field"]) for r in report["rejects"]] == [(3, "phone"), (5, "id_number")]
    assert "the same person as row 2 (same phone)" in report["rejects"][0]["reason"]
    notes = {n["row"]: n["note"] for n in report["notes"]}
    assert "already a customer: C1" in notes[6] and "already a prospect: P1" in notes[7]
    assert sorted(prospects(cli)) == ["张三", "李四", "老潜客"]
    with (tmp := sheet.with_name("sheet.rejects.csv")).open(encoding="utf-8-sig") as handle:
        rejected = list(csv.DictReader(handle))
    assert [r["_row"] for r in rejected] == ["3", "5"] and tmp.exists()


def test_re_importing_the_same_file_changes_nothing(
    cli: Cli, make_csv: Callable[..., Path]
) -> None:
    sheet = make_csv(
        "sheet.csv",
        [
            EN_HEADER,
            ["张三", "13812345678", "", "", "点", "", "", "", ""],
            ["李四", "", ID_A, "", "线", "", "", "", ""],
        ],
    )
    imported(run(cli, sheet, "--as-of", "2026-11-20"))
    before = prospects(cli)
    again = imported(run(cli, sheet))
    assert (again["added"], again["unchanged"], again["rejected"]) == (0, 2, 0)
    assert prospects(cli) == before
    assert tuple(cli.sql("SELECT COUNT(*) FROM prospect_stages")[0]) == (2,)


def test_bad_rows_are_rejected_and_the_good_ones_committed(
    cli: Cli, make_csv: Callable[..., Path]
) -> None:
    sheet = make_csv(
        "sheet.csv",
        [
            EN_HEADER,
            ["", "13812345678", "", "", "", "", "", "", ""],
            ["李四", "12", "", "", "", "", "", "", ""],
            ["王五", "", "", "", "朋友", "", "", "", ""],
            ["赵六", "", "", "", "", "P9", "", "", ""],
            ["钱七", "", "", "", "", "", "", "-3", ""],
            ["孙八", "", "", "", "", "", "", "", ""],
        ],
    )
    report = imported(run(cli, sheet), 3)
    assert [(r["row"], r["field"]) for r in report["rejects"]] == [
        (2, "name"), (3, "phone"), (4, "channel"), (5, "referrer"), (6, "need"),
    ]  # fmt: skip
    assert list(prospects(cli)) == ["孙八"]


def test_stdin_dry_run_and_chinese_reasons(cli: Cli) -> None:
    text = "姓名,手机号码,渠道\n张三,13812345678,转介绍\n李四,12,圈\n"
    dry = cli("import", "prospects", "-", "--input-format", "csv", "--dry-run", "--format", "json", input=text)  # fmt: skip
    assert imported(dry, 3)["added"] == 1
    assert cli("import", "prospects", "-", "--input-format", "csv", input=text).exit_code == 3
    assert list(prospects(cli)) == ["张三"]
    zh = cli(
        "--lang", "zh", "import", "prospects", "-", "--input-format", "csv", input=text
    )  # fmt: skip
    assert "已是潜在客户：P1" in zh.stderr


def test_a_file_without_a_name_column_is_refused(cli: Cli, make_csv: Callable[..., Path]) -> None:
    sheet = make_csv("sheet.csv", [["phone", "channel"], ["13812345678", "点"]])
    result = cli("import", "prospects", str(sheet))
    assert result.exit_code == 1 and "lack required column(s) name" in result.stderr
