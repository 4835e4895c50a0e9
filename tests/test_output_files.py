"""--output FILE on every list command: atomic, private, Excel-ready."""

from __future__ import annotations

import csv
import json
import stat
from pathlib import Path

import openpyxl
import pytest

from tests.conftest import Cli

LISTS = [("due",), ("calls",), ("overdue",), ("noloan",)]


@pytest.mark.parametrize("command", LISTS, ids=lambda c: c[0])
def test_csv_file_has_bom_private_mode_and_chinese_headers(
    seeded: Cli, tmp_path: Path, command: tuple[str, ...]
) -> None:
    target = tmp_path / "out.csv"
    result = seeded(*command, "--output", str(target), env={"RETAIN_LANG": "zh"})
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    header = next(csv.reader(raw.decode("utf-8-sig").splitlines()))
    assert any("\u4e00" <= ch <= "\u9fff" for ch in "".join(header))
    english = tmp_path / "en.csv"
    assert seeded(*command, "--output", str(english)).exit_code == 0
    en_header = next(csv.reader(english.read_text(encoding="utf-8-sig").splitlines()))
    assert "customer_id" in en_header
    assert len(en_header) == len(header)


@pytest.mark.parametrize("command", LISTS, ids=lambda c: c[0])
def test_xlsx_and_json_files(seeded: Cli, tmp_path: Path, command: tuple[str, ...]) -> None:
    as_json = seeded(*command, "--format", "json").json()
    xlsx = tmp_path / "out.xlsx"
    assert seeded(*command, "--output", str(xlsx)).exit_code == 0
    sheet = openpyxl.load_workbook(xlsx).worksheets[0]
    assert sheet.freeze_panes == "A2"
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == len(as_json) + 1
    json_file = tmp_path / "out.json"
    assert seeded(*command, "--output", str(json_file)).exit_code == 0
    assert json.loads(json_file.read_text(encoding="utf-8")) == as_json


def test_formula_text_stays_text_in_xlsx(seeded: Cli, tmp_path: Path) -> None:
    xlsx = tmp_path / "due.xlsx"
    assert seeded("due", "--days", "31", "--output", str(xlsx)).exit_code == 0
    sheet = openpyxl.load_workbook(xlsx).worksheets[0]
    cells = [c for row in sheet.iter_rows() for c in row if c.value == "=cmd|' /C calc'!A0"]
    assert cells and all(c.data_type == "s" for c in cells)


def test_a_failing_output_leaves_nothing(seeded: Cli, tmp_path: Path) -> None:
    target = tmp_path / "missing-dir" / "due.csv"
    result = seeded("due", "--output", str(target))
    assert result.exit_code == 2 and result.stderr.startswith("Error: ")
    assert not target.parent.exists()
    unknown = seeded("due", "--output", str(tmp_path / "due.weird"))
    assert unknown.exit_code == 2
    assert list(tmp_path.glob(".due*")) == []


def _cjk(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


@pytest.mark.parametrize("command", LISTS, ids=lambda c: c[0])
@pytest.mark.parametrize("suffix", ["csv", "xlsx"])
def test_files_for_people_speak_chinese_under_zh(
    seeded: Cli, tmp_path: Path, command: tuple[str, ...], suffix: str
) -> None:
    """Every header is Chinese, and codes are words: 信用 not credit, 到期 not maturing."""
    target = tmp_path / f"out.{suffix}"
    extra = ("--days", "31") if command == ("due",) else ()
    written = seeded(*command, *extra, "--output", str(target), env={"RETAIN_LANG": "zh"})
    assert written.exit_code == 0, written.stderr
    if suffix == "csv":
        rows = list(csv.reader(target.read_text(encoding="utf-8-sig").splitlines()))
    else:
        sheet = openpyxl.load_workbook(target).worksheets[0]
        rows = [["" if v is None else str(v) for v in r] for r in sheet.iter_rows(values_only=True)]
    header, body = rows[0], rows[1:]
    assert all(_cjk(h) for h in header), header
    machine = seeded(*command, *extra, "--format", "json").json()
    assert len(body) == len(machine)
    assert body or command == ("noloan",)  # the seeded book has no no-loan customer
    english_codes = {"credit", "guarantee", "mortgage", "pledge", "active", "overdue", "closed"}
    english_codes |= {"maturing", "follow_up", "post_loan_check", "revisit", "win_back"}
    for row, record in zip(body, machine, strict=True):
        cells = dict(zip(header, row, strict=True))
        for cell in cells.values():
            assert not set(cell.split("、")) & english_codes, cells
        if "guarantee" in record:
            assert cells["担保方式"] in {"信用", "保证", "抵押", "质押"}
        if "reasons" in record:
            assert _cjk(cells["原因"]) and len(cells["原因"].split("、")) == len(
                record["reasons"].split(",")
            )
        if "class" in record:
            assert _cjk(cells["分类"])
