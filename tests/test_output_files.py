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
    english_codes |= {"maturing", "follow_up", "post_loan_check", "revisit", "win_back", "recovery"}
    english_codes |= {"collateral_expiry", "broken_promise", "instalment"}
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


@pytest.mark.parametrize("command", LISTS, ids=lambda c: c[0])
def test_an_existing_output_file_is_never_replaced_without_force(
    seeded: Cli, tmp_path: Path, command: tuple[str, ...]
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    target = out / "list.csv"
    target.write_text("my notes\n", encoding="utf-8")
    refused = seeded(*command, "--output", str(target))
    assert refused.exit_code == 2
    assert refused.stderr.count("\n") == 1 and refused.stderr.startswith("Error: ")
    assert str(target) in refused.stderr and "--force" in refused.stderr
    assert target.read_text(encoding="utf-8") == "my notes\n"
    assert [p.name for p in out.iterdir()] == ["list.csv"]  # no temporary left
    forced = seeded(*command, "--output", str(target), "--force")
    assert forced.exit_code == 0, forced.stderr
    header = target.read_text(encoding="utf-8-sig").splitlines()[0]
    assert "customer_id" in header.split(",")


def test_a_second_sms_run_never_empties_the_first_file(seeded: Cli, tmp_path: Path) -> None:
    """The --help example run twice: the second run must neither replace the file the
    gateway has not collected yet nor claim reminders it did not write."""
    sms = tmp_path / "sms.csv"
    args = ("export", "reminders", "--days", "0", "--audience", "customer", "--new-only")
    first = seeded(*args, "--output", str(sms))
    assert first.exit_code == 0, first.stderr
    sent = sms.read_bytes()
    assert len(sent.decode("utf-8-sig").splitlines()) > 1  # a header and real rows
    later = "2026-12-02"
    again = seeded(*args, "--output", str(sms), today=later)
    assert again.exit_code == 2 and "--force" in again.stderr
    assert sms.read_bytes() == sent
    # The refused run recorded nothing: tomorrow's new reminders still go out.
    other = tmp_path / "sms-2.csv"
    expected = seeded(*args[:-1], "--format", "json", today=later).json()
    fresh = seeded(*args, "--output", str(other), today=later)
    assert fresh.exit_code == 0, fresh.stderr
    rows = list(csv.reader(other.read_text(encoding="utf-8-sig").splitlines()))[1:]
    first_ids = {r[0] for r in list(csv.reader(sent.decode("utf-8-sig").splitlines()))[1:]}
    assert rows and {r[0] for r in rows} == {r["reminder_id"] for r in expected} - first_ids
