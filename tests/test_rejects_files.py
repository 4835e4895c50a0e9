"""Rejects files are never overwritten, and a rejects-of-rejects file still
points at the row of the user's own export (issue 9, item 1); a dry run writes
nothing anywhere (item 5)."""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import CUSTOMER_HEADER, Cli


def read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def bad_customers(make_csv: Callable[..., Path], name: str = "客户.csv") -> Path:
    return make_csv(
        name,
        [
            CUSTOMER_HEADER,
            ["C1", "王建国", "13812348001", "", "", "", ""],
            ["C2", "李强", "12345", "", "", "", ""],
        ],
    )


def test_existing_rejects_file_is_kept_and_the_next_number_used(
    cli: Cli, make_csv: Callable[..., Path]
) -> None:
    path = bad_customers(make_csv)
    first = path.with_name("客户.rejects.csv")
    assert cli("import", "customers", str(path)).exit_code == 3
    first.write_text("hand-fixed\n", encoding="utf-8")  # the officer edited it
    result = cli("import", "customers", str(path))
    assert result.exit_code == 3
    assert first.read_text(encoding="utf-8") == "hand-fixed\n"
    second = path.with_name("客户.rejects.2.csv")
    assert f"{first} already exists and was left as it is" in result.stderr
    assert f"Rejected rows written to {second}" in result.stderr
    assert read(second)[0]["_row"] == "3"
    result = cli("import", "customers", str(path), "--format", "json")
    assert result.json()["rejects_file"] == str(path.with_name("客户.rejects.3.csv"))


def test_xlsx_and_csv_of_the_same_stem_do_not_clobber_each_other(
    cli: Cli, make_csv: Callable[..., Path], tmp_path: Path
) -> None:
    import openpyxl

    csv_path = bad_customers(make_csv, "台账.csv")
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(CUSTOMER_HEADER)
    ws.append(["C9", "赵六", "999", None, None, None, None])
    xlsx = tmp_path / "台账.xlsx"
    wb.save(xlsx)
    assert cli("import", "customers", str(csv_path)).exit_code == 3
    assert cli("import", "customers", str(xlsx)).exit_code == 3
    assert read(tmp_path / "台账.rejects.csv")[0]["客户编号"] == "C2"
    assert read(tmp_path / "台账.rejects.2.csv")[0]["客户编号"] == "C9"


def test_explicit_rejects_path_is_written_exactly(
    cli: Cli, make_csv: Callable[..., Path], tmp_path: Path
) -> None:
    path = bad_customers(make_csv)
    target = tmp_path / "fix-me.csv"
    target.write_text("old\n", encoding="utf-8")
    assert cli("import", "customers", str(path), "--rejects", str(target)).exit_code == 3
    assert read(target)[0]["客户编号"] == "C2"


def test_rejects_of_rejects_keep_the_original_row_and_source(
    cli: Cli, make_csv: Callable[..., Path]
) -> None:
    path = make_csv(
        "daily.csv",
        [
            CUSTOMER_HEADER,
            ["C1", "王建国", "13812348001", "", "", "", ""],
            ["C2", "李强", "12345", "", "", "", ""],
            ["C3", "张三", "6789", "", "", "", ""],
        ],
    )
    assert cli("import", "customers", str(path)).exit_code == 3
    rejects = path.with_name("daily.rejects.csv")
    rows = read(rejects)
    assert [(r["_source"], r["_row"]) for r in rows] == [("daily.csv", "3"), ("daily.csv", "4")]
    # fix C2 only, import the rejects file: C3 is rejected again
    text = rejects.read_text(encoding="utf-8-sig").replace("12345", "13912348002")
    rejects.write_text(text, encoding="utf-8-sig")
    result = cli("import", "customers", str(rejects), "--format", "json")
    assert result.exit_code == 3
    assert result.json()["added"] == 1
    again = read(Path(result.json()["rejects_file"]))
    assert [(r["客户编号"], r["_source"], r["_row"]) for r in again] == [("C3", "daily.csv", "4")]
    assert list(again[0])[-4:] == ["_source", "_row", "_field", "_reason"]


# About the SQLite file: a dry run must not create the store's file or folder; a
# PostgreSQL store is a database made beforehand, there is no file to create.
@pytest.mark.sqlite_only
def test_dry_run_without_a_store_creates_nothing(cli: Cli, make_csv: Callable[..., Path]) -> None:
    path = bad_customers(make_csv)
    result = cli("import", "customers", str(path), "--dry-run", "--format", "json")
    assert result.exit_code == 3
    assert (result.json()["added"], result.json()["rejected"]) == (1, 1)
    assert not cli.db.exists()
    assert not cli.db.parent.exists()
    assert sorted(p.name for p in path.parent.iterdir()) == ["客户.csv"]
