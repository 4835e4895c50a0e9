"""``retain export reminders``: files for cron, SMS gateways, calendars and Excel.

Every format is read back with an independent reader (csv, openpyxl, json,
icalendar) and checked field by field against the other formats and the store.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import re
import stat
import subprocess
import sys
import tomllib
import unicodedata
import zipfile
from collections import Counter
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import icalendar
import openpyxl
import pytest

from retain.i18n import t
from retain.terms import TERM_NAMES
from tests.conftest import CUSTOMER_HEADER, LOAN_HEADER, Cli, Result, valid_id_number

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
CRON = EXAMPLES / "cron"
SCRIPT = CRON / "morning-reminders.sh"
RETAIN = Path(sys.executable).parent / "retain"
TODAY = dt.date(2026, 12, 1)
BOM = b"\xef\xbb\xbf"

OFFICER_FIELDS = [
    "reminder_id", "date", "reason", "customer_id", "name", "phone", "officer", "loan_id",
    "amount", "balance", "matures_on", "days_past_due", "days_left", "period", "amount_due",
    "due_on", "message",
]  # fmt: skip
CUSTOMER_FIELDS = ["reminder_id", "date", "name", "phone", "message"]
MONEY = {"amount", "balance", "amount_due"}
INTS = {"days_past_due", "days_left", "period"}
DATES = {"date", "matures_on", "due_on"}
ZH_HEADERS = {
    "reminder_id": "提醒编号",
    "date": "日期",
    "reason": "原因",
    "customer_id": "客户编号",
    "name": "客户名称",
    "phone": "手机号码",
    "officer": "客户经理",
    "loan_id": "借据号",
    "amount": "金额",
    "balance": "贷款余额",
    "matures_on": "到期日期",
    "days_past_due": "逾期天数",
    "days_left": "剩余天数",
    "period": "期数",
    "amount_due": "应还金额",
    "due_on": "应还日期",
    "message": "短信内容",
}
ZH_LABELS = {
    "maturing": "到期",
    "overdue": "逾期",
    "follow_up": "约定跟进",
    "post_loan_check": "贷后检查",
    "revisit": "回访",
    "win_back": "无贷户维护",
    "recovery": "核销追偿",
    "collateral_expiry": "抵押物到期",
    "season": "季节性需求",
}
FORMULA_STARTS = ("=", "+", "-", "@", "＝", "＋", "－", "＠")
HYPERLINK = '=HYPERLINK("http://x","y")'
PUNCTUATED = "张三,李四;王五"
# Hostile or awkward names, each with a loan maturing 2026-12-05 (4 days out).
EXTRA_NAMES = {
    "C0901": HYPERLINK,
    "C0902": PUNCTUATED,
    "C0903": "+加号",
    "C0904": "-减号",
    "C0905": "@at",
    "C0906": "＝全角等号",
    "C0907": "＋全角加号",
    "C0908": "－全角减号",
    "C0909": "＠全角at",
}


# ---------------------------------------------------------------------------
# Helpers


def example_id_numbers() -> list[str]:
    with (EXAMPLES / "customers.csv").open(encoding="utf-8-sig", newline="") as handle:
        found = [row["身份证号"] for row in csv.DictReader(handle) if row["身份证号"]]
    assert len(found) > 10
    return found


def build_examples(cli: Cli, make_csv: Callable[..., Path], *, extras: bool = True) -> Cli:
    """The bundled example data (imported as of 2026-12-01), plus awkward names."""
    for kind in ("customers", "loans"):
        result = cli("import", kind, str(EXAMPLES / f"{kind}.csv"))
        assert result.exit_code == 0, result.stderr
    if extras:
        customers = [CUSTOMER_HEADER]
        loans = [LOAN_HEADER]
        for index, (cid, name) in enumerate(EXTRA_NAMES.items()):
            idn = valid_id_number(f"11010519800101{index + 1:02d}1")
            customers.append([cid, name, f"138000009{index + 1:02d}", idn, "粮油", "王芳", ""])
            loans.append(
                [
                    f"X{cid}",
                    cid,
                    "12,345.67",
                    "2025-12-05",
                    "2026-12-05",
                    "信用",
                    "正常",
                    "",
                    "",
                    "",
                ]
            )
        assert cli("import", "customers", str(make_csv("extra-c.csv", customers))).exit_code == 0
        assert cli("import", "loans", str(make_csv("extra-l.csv", loans))).exit_code == 0
    return cli


@pytest.fixture
def examples(cli: Cli, make_csv: Callable[..., Path]) -> Cli:
    return build_examples(cli, make_csv)


def export(cli: Cli, *args: str, lang: str = "en", **kwargs: Any) -> Result:
    return cli("--lang", lang, "export", "reminders", *args, **kwargs)


def ok(result: Result) -> Result:
    assert result.exit_code == 0, result.stderr
    return result


def json_rows(cli: Cli, *args: str, lang: str = "en", **kwargs: Any) -> list[dict[str, Any]]:
    result = ok(export(cli, *args, "--format", "json", "--quiet", lang=lang, **kwargs))
    rows = json.loads(result.stdout, parse_float=Decimal)
    assert isinstance(rows, list)
    return rows


def read_csv(path: Path) -> tuple[list[str], list[list[str]]]:
    raw = path.read_bytes()
    assert raw.startswith(BOM)
    records = list(csv.reader(io.StringIO(raw[3:].decode("utf-8"), newline="")))
    return records[0], records[1:]


def read_ics(path: Path) -> list[Any]:
    calendar = icalendar.Calendar.from_ical(path.read_bytes())
    return list(calendar.walk("VEVENT"))


def guarded(text: str) -> str:
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def store_rows(cli: Cli, sql: str, *params: Any) -> list[Any]:
    return cli.sql(sql, params)


def masked(phone: str) -> str:
    return phone[:3] + "****" + phone[-4:]


def yuan(fen: int) -> Decimal:
    return Decimal(fen) / 100


def leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.endswith(".tmp"))


# ---------------------------------------------------------------------------
# The "Done when": one cron-style run, four formats, read back independently


@pytest.fixture
def week(examples: Cli, tmp_path: Path) -> dict[str, Any]:
    """--days 7 for officers under --lang zh, written as CSV, XLSX, JSON, NDJSON and ICS."""
    out = tmp_path / "out"
    out.mkdir()
    paths = {}
    for fmt in ("csv", "xlsx", "json", "ndjson", "ics"):
        paths[fmt] = out / f"本周提醒.{fmt}"
        result = ok(export(examples, "--days", "7", "--output", str(paths[fmt]), lang="zh"))
        assert result.stdout == ""
        assert "已导出 " in result.stderr and str(paths[fmt]) in result.stderr
    rows = json.loads(paths["json"].read_text(encoding="utf-8"), parse_float=Decimal)
    return {"cli": examples, "out": out, "paths": paths, "rows": rows}


def test_json_rows_match_the_store(week: dict[str, Any]) -> None:
    rows, cli = week["rows"], week["cli"]
    assert len(rows) > 50
    assert all(list(row) == [*OFFICER_FIELDS, "data_as_of"] for row in rows)
    assert len({row["reminder_id"] for row in rows}) == len(rows)
    customers = {r["customer_id"]: r for r in store_rows(cli, "SELECT * FROM customers")}
    loans = {r["loan_id"]: r for r in store_rows(cli, "SELECT * FROM loans")}
    reasons = Counter()
    for row in rows:
        reasons[row["reason"]] += 1
        day = dt.date.fromisoformat(row["date"])
        assert TODAY <= day <= TODAY + dt.timedelta(days=7)
        customer = customers[row["customer_id"]]
        assert row["name"] == customer["name"]
        assert row["officer"] == customer["officer"]
        assert row["phone"] == masked(customer["phone"])
        if row["loan_id"] is None:
            # Only a season concerns a customer who never borrowed (by industry).
            assert row["reason"] == "season" and row["amount"] is None
        else:
            loan = loans[row["loan_id"]]
            assert loan["customer_id"] == row["customer_id"]
            assert row["amount"] == yuan(loan["principal_fen"])
            assert row["matures_on"] == loan["matures_on"]
            if loan["balance_fen"] is None:
                assert row["balance"] is None
            else:
                assert row["balance"] == yuan(loan["balance_fen"])
        if row["reason"] == "maturing":
            matures = dt.date.fromisoformat(row["matures_on"])
            assert (matures - day).days == row["days_left"] >= 0
            assert row["days_past_due"] is None
        else:
            assert row["days_left"] is None
        if row["reason"] == "overdue":
            assert row["days_past_due"] >= 1
        else:
            assert row["days_past_due"] is None
        assert row["name"] in row["message"] and row["customer_id"] in row["message"]
    assert {"maturing", "overdue", "post_loan_check", "win_back"} <= set(reasons)
    # Rows come soonest first.
    assert [r["date"] for r in rows] == sorted(r["date"] for r in rows)


def test_csv_equals_json_field_by_field(week: dict[str, Any]) -> None:
    rows = week["rows"]
    header, records = read_csv(week["paths"]["csv"])
    assert header == [ZH_HEADERS[f] for f in OFFICER_FIELDS]
    assert len(records) == len(rows)
    for record, row in zip(records, rows, strict=True):
        assert len(record) == len(OFFICER_FIELDS)
        for name, cell in zip(OFFICER_FIELDS, record, strict=True):
            value = row[name]
            if value is None:
                assert cell == "", (name, row)
            elif name in MONEY:
                assert re.fullmatch(r"\d+\.\d\d", cell)
                assert Decimal(cell) == value
            elif name in INTS:
                assert int(cell) == value
            elif name in DATES:
                assert cell == value
            elif name == "reason":  # a file for people says 逾期, JSON says overdue
                assert cell == t(f"term.{value}", "zh"), (name, row)
            else:
                assert cell == guarded(value), (name, row)


def test_ndjson_equals_json(week: dict[str, Any]) -> None:
    lines = week["paths"]["ndjson"].read_text(encoding="utf-8").splitlines()
    assert [json.loads(line, parse_float=Decimal) for line in lines] == week["rows"]


def test_xlsx_cells_are_typed_and_match_json(week: dict[str, Any]) -> None:
    rows = week["rows"]
    book = openpyxl.load_workbook(week["paths"]["xlsx"])
    sheet = book.worksheets[0]
    assert len(book.worksheets) == 1
    assert sheet.freeze_panes == "A2"
    all_rows = list(sheet.iter_rows())
    header = [cell.value for cell in all_rows[0]]
    assert header == [ZH_HEADERS[f] for f in OFFICER_FIELDS]
    assert all(cell.data_type == "s" for cell in all_rows[0])
    assert len(all_rows) - 1 == len(rows)
    shown: dict[int, list[str]] = {i: [h] for i, h in enumerate(header)}
    for cells, row in zip(all_rows[1:], rows, strict=True):
        for index, (name, cell) in enumerate(zip(OFFICER_FIELDS, cells, strict=True)):
            value = row[name]
            if value is None:
                assert cell.value is None, (name, row)
                continue
            if name in DATES:
                assert isinstance(cell.value, dt.datetime), (name, cell.value)
                assert cell.value.date().isoformat() == value
                assert "yy" in cell.number_format
                shown[index].append(value)
            elif name in MONEY:
                assert isinstance(cell.value, int | float) and not isinstance(cell.value, bool)
                assert Decimal(str(cell.value)) == value
                assert cell.number_format == "#,##0.00"
                shown[index].append(f"{value:,.2f}")
            elif name in INTS:
                assert cell.value == value and isinstance(cell.value, int)
                shown[index].append(str(value))
            else:
                # Text stays text, exactly: no guard, no formula; reasons in words.
                if name == "reason":
                    value = t(f"term.{value}", "zh")
                assert cell.data_type == "s", (name, cell.value)
                assert isinstance(cell.value, str) and cell.value == value
                shown[index].append(value)
    # Columns are wide enough for what they show, CJK counting double (capped at 60).
    letters = "ABCDEFGHIJKLMNOPQ"
    for index, texts in shown.items():
        needed = max(width(t) for t in texts)
        assert sheet.column_dimensions[letters[index]].width >= min(needed, 60), header[index]
    name_col = letters[OFFICER_FIELDS.index("name")]
    assert sheet.column_dimensions[name_col].width >= width(PUNCTUATED)


def test_xlsx_formula_lookalikes_stay_strings(week: dict[str, Any]) -> None:
    sheet = openpyxl.load_workbook(week["paths"]["xlsx"]).worksheets[0]
    names = {}
    for cells in sheet.iter_rows(min_row=2):
        cell = cells[OFFICER_FIELDS.index("name")]
        names[cells[OFFICER_FIELDS.index("customer_id")].value] = cell
    for cid, name in EXTRA_NAMES.items():
        assert names[cid].value == name
        assert names[cid].data_type == "s"
    with zipfile.ZipFile(week["paths"]["xlsx"]) as archive:
        sheets = [n for n in archive.namelist() if n.startswith("xl/worksheets/")]
        for member in sheets:
            assert b"<f>" not in archive.read(member) and b"<f " not in archive.read(member)


def test_ics_matches_json(week: dict[str, Any]) -> None:
    rows = week["rows"]
    events = read_ics(week["paths"]["ics"])
    assert len(events) == len(rows)
    by_uid = {str(event["UID"]): event for event in events}
    assert len(by_uid) == len(events)
    for row in rows:
        event = by_uid[row["reminder_id"] + "@retain"]
        start = event.decoded("DTSTART")
        assert type(start) is dt.date
        assert start.isoformat() == row["date"]
        assert event.decoded("DTEND") == start + dt.timedelta(days=1)
        assert str(event["DESCRIPTION"]) == row["message"]
        summary = str(event["SUMMARY"])
        assert summary.startswith(ZH_LABELS[row["reason"]])
        assert row["name"] in summary and row["customer_id"] in summary
        alarms = event.walk("VALARM")
        assert len(alarms) == 1
        assert alarms[0].decoded("TRIGGER") == dt.timedelta(hours=9)
        assert str(alarms[0]["ACTION"]) == "DISPLAY"
    punctuated = next(r for r in rows if r["name"] == PUNCTUATED)
    event = by_uid[punctuated["reminder_id"] + "@retain"]
    assert PUNCTUATED in str(event["SUMMARY"])
    raw = week["paths"]["ics"].read_bytes()
    assert "张三\\,李四\\;王五".encode() in raw.replace(b"\r\n ", b"")


def test_ics_uids_are_stable_across_runs(week: dict[str, Any]) -> None:
    again = week["out"] / "again.ics"
    ok(export(week["cli"], "--days", "7", "--output", str(again), lang="zh"))
    first = [str(e["UID"]) for e in read_ics(week["paths"]["ics"])]
    second = [str(e["UID"]) for e in read_ics(again)]
    assert first == second


@pytest.mark.parametrize("audience", ["customer", "officer"])
def test_ics_folds_at_75_octets_without_splitting_characters(
    examples: Cli, tmp_path: Path, audience: str
) -> None:
    target = tmp_path / "r.ics"
    ok(export(examples, "--days", "7", "--audience", audience, "-o", str(target), lang="zh"))
    raw = target.read_bytes()
    assert raw.endswith(b"\r\n")
    lines = raw.split(b"\r\n")[:-1]
    assert all(len(line) <= 75 for line in lines), max(lines, key=len)
    for line in lines:
        line.decode("utf-8")  # each physical line is whole UTF-8 on its own
    assert any(line.startswith(b" ") for line in lines), "expected long lines to fold"
    events = read_ics(target)
    rows = json_rows(examples, "--days", "7", "--audience", audience, lang="zh")
    assert [str(e["DESCRIPTION"]) for e in events] == [r["message"] for r in rows]
    if audience == "customer":
        assert [str(e["SUMMARY"]) for e in events] == [r["message"] for r in rows]
        assert any(len(r["message"].encode()) > 75 for r in rows)


def test_ics_english_summary(examples: Cli, tmp_path: Path) -> None:
    target = tmp_path / "r.ics"
    ok(export(examples, "--days", "0", "--kinds", "maturing", "-o", str(target)))
    events = read_ics(target)
    assert events and all(str(e["SUMMARY"]).startswith("maturing: ") for e in events)
    assert all("maturing" in str(e["DESCRIPTION"]) for e in events)


# ---------------------------------------------------------------------------
# --new-only: the export ledger, per audience


def test_new_only_exports_each_reminder_once_per_audience(examples: Cli, tmp_path: Path) -> None:
    def count(audience: str, *extra: str) -> int:
        target = tmp_path / f"{audience}-{len(list(tmp_path.iterdir()))}.csv"
        result = ok(
            export(examples, "--days", "7", "--audience", audience, "-o", str(target), *extra)
        )
        header, records = read_csv(target)
        assert f"Exported {len(records)} reminder(s) to {target}." in result.stderr
        return len(records)

    total = count("customer")
    assert total > 0
    assert count("customer", "--new-only") == total
    assert count("customer", "--new-only") == 0
    assert count("customer") == total  # without --new-only: everything again
    officers = count("officer")
    assert officers >= total  # customers get only some reasons, one a day
    assert count("officer", "--new-only") == officers  # the ledger is per audience
    assert count("officer", "--new-only") == 0
    assert count("customer", "--new-only") == 0
    runs = store_rows(examples, "SELECT audience, reminders FROM export_runs ORDER BY export_id")
    assert [tuple(r) for r in runs] == [
        ("customer", total),
        ("customer", 0),
        ("officer", officers),
        ("officer", 0),
        ("customer", 0),
    ]


def test_new_only_on_stdout_and_with_a_wider_window(examples: Cli) -> None:
    today = json_rows(examples, "--days", "0", "--new-only")
    assert today
    assert json_rows(examples, "--days", "0", "--new-only") == []
    week = json_rows(examples, "--days", "7", "--new-only")
    every = json_rows(examples, "--days", "7")
    assert {r["reminder_id"] for r in week} == {r["reminder_id"] for r in every} - {
        r["reminder_id"] for r in today
    }


def test_a_failed_publish_records_nothing(examples: Cli, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "sms.csv").mkdir()  # the rename onto a directory fails after writing
    result = export(
        examples, "--days", "0", "--new-only", "--audience", "customer", "--force",
        "-o", str(out / "sms.csv"),
    )  # fmt: skip
    assert result.exit_code == 1
    assert result.stderr.startswith("Error:")
    assert leftovers(out) == []
    assert (out / "sms.csv").is_dir() and not any((out / "sms.csv").iterdir())
    assert store_rows(examples, "SELECT * FROM exported_reminders") == []
    again = ok(
        export(
            examples,
            "--days",
            "0",
            "--new-only",
            "--audience",
            "customer",
            "-o",
            str(out / "x.csv"),
        )
    )
    assert "Exported 0 " not in again.stderr
    assert len(read_csv(out / "x.csv")[1]) > 0


# ---------------------------------------------------------------------------
# Audiences and privacy


def test_customer_audience_has_full_phones_and_only_its_fields(examples: Cli) -> None:
    rows = json_rows(examples, "--days", "7", "--audience", "customer")
    assert rows
    phones = {r["customer_id"]: r["phone"] for r in store_rows(examples, "SELECT * FROM customers")}
    officer_rows = {r["reminder_id"]: r for r in json_rows(examples, "--days", "7")}
    for row in rows:
        full = officer_rows[row["reminder_id"]]
        assert list(row) == CUSTOMER_FIELDS
        assert row["phone"] == phones[full["customer_id"]]
        assert re.fullmatch(r"1\d{10}", row["phone"])
        assert row["name"] == full["name"]
        # Moved off the weekend (tests/test_sending.py): back, or forward if overdue.
        assert row["date"] <= full["date"] or full["reason"] == "overdue"


def test_customer_csv_has_localised_headers(examples: Cli, tmp_path: Path) -> None:
    target = tmp_path / "sms.csv"
    ok(export(examples, "--days", "0", "--audience", "customer", "-o", str(target), lang="zh"))
    header, records = read_csv(target)
    assert header == ["提醒编号", "日期", "客户名称", "手机号码", "短信内容"]
    assert records and all(len(r) == 5 for r in records)
    english = tmp_path / "sms-en.csv"
    ok(export(examples, "--days", "0", "--audience", "customer", "-o", str(english)))
    assert read_csv(english)[0] == CUSTOMER_FIELDS
    text = target.read_text(encoding="utf-8-sig")
    for forbidden in ("score", "分数", "customer_id", "客户编号", "身份证"):
        assert forbidden not in text


def test_officer_phones_masked_unless_reveal(examples: Cli) -> None:
    phones = {r["customer_id"]: r["phone"] for r in store_rows(examples, "SELECT * FROM customers")}
    hidden = json_rows(examples, "--days", "7")
    shown = json_rows(examples, "--days", "7", "--reveal")
    for row in hidden:
        assert row["phone"] == masked(phones[row["customer_id"]])
        assert re.fullmatch(r"1\d\d\*{4}\d{4}", row["phone"])
    for row in shown:
        assert row["phone"] == phones[row["customer_id"]]


@pytest.mark.parametrize("audience", ["officer", "customer"])
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_id_numbers_never_appear(examples: Cli, tmp_path: Path, audience: str, lang: str) -> None:
    ids = example_id_numbers() + [
        r["id_number"]
        for r in store_rows(examples, "SELECT id_number FROM customers")
        if r["id_number"]
    ]
    needles = {i.encode() for i in ids} | {i[:17].encode() for i in ids}
    blobs: dict[str, bytes] = {}
    for fmt in ("csv", "xlsx", "json", "ndjson", "ics"):
        target = tmp_path / f"r-{audience}-{lang}.{fmt}"
        ok(
            export(
                examples,
                "--days",
                "30",
                "--audience",
                audience,
                "--reveal",
                "-o",
                str(target),
                lang=lang,
            )
        )
        blobs[fmt] = target.read_bytes()
    with zipfile.ZipFile(io.BytesIO(blobs.pop("xlsx"))) as archive:
        for member in archive.namelist():
            blobs["xlsx:" + member] = archive.read(member)
    blobs["stdout"] = ok(
        export(examples, "--days", "30", "--audience", audience, "--reveal", lang=lang)
    ).stdout.encode()
    for where, blob in blobs.items():
        leaked = [n.decode() for n in needles if n in blob]
        assert leaked == [], where


# ---------------------------------------------------------------------------
# CSV for Excel, and on stdout


def test_csv_file_for_excel(week: dict[str, Any]) -> None:
    raw = week["paths"]["csv"].read_bytes()
    assert raw.startswith(BOM) and not raw.startswith(BOM + BOM)
    assert raw.endswith(b"\r\n")
    assert raw.count(b"\n") == raw.count(b"\r\n")  # RFC 4180 line breaks
    text = raw[3:].decode("utf-8")
    assert '"\'=HYPERLINK(""http://x"",""y"")"' in text  # quoted, quotes doubled
    assert f'"{PUNCTUATED}"' in text
    header, records = read_csv(week["paths"]["csv"])
    name_at = header.index("客户名称")
    names = {r[header.index("客户编号")]: r[name_at] for r in records}
    for cid, name in EXTRA_NAMES.items():
        expected = "'" + name if name[0] in "=+-@＝＋－＠" else name
        assert names[cid] == expected
    assert names["C0001"] == "李秀英"


def test_csv_on_stdout_has_field_names_and_no_bom(examples: Cli) -> None:
    result = ok(export(examples, "--days", "0", lang="zh"))
    assert not result.stdout.startswith("\ufeff")
    records = list(csv.reader(io.StringIO(result.stdout)))
    assert records[0] == OFFICER_FIELDS
    assert len(records) > 1
    customer = ok(export(examples, "--days", "0", "--audience", "customer", lang="zh"))
    assert customer.stdout.splitlines()[0] == ",".join(CUSTOMER_FIELDS)


def test_formula_guard_applies_to_templated_messages(examples: Cli, tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(
        '[export.templates.customer.zh]\nmaturing = "=1+1 {name}"\n', encoding="utf-8"
    )
    target = tmp_path / "sms.csv"
    env = {"RETAIN_CONFIG": str(config)}
    ok(
        export(
            examples,
            "--days",
            "0",
            "--kinds",
            "maturing",
            "--audience",
            "customer",
            "-o",
            str(target),
            lang="zh",
            env=env,
        )
    )
    _, records = read_csv(target)
    assert records and all(r[4].startswith("'=1+1 ") for r in records)
    xlsx = tmp_path / "sms.xlsx"
    ok(
        export(
            examples,
            "--days",
            "0",
            "--kinds",
            "maturing",
            "--audience",
            "customer",
            "-o",
            str(xlsx),
            lang="zh",
            env=env,
        )
    )
    cells = [row[4] for row in openpyxl.load_workbook(xlsx).worksheets[0].iter_rows(min_row=2)]
    assert cells and all(c.data_type == "s" and c.value.startswith("=1+1 ") for c in cells)


# ---------------------------------------------------------------------------
# Files: mode 0600, atomic, untouched by failures


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json", "ndjson", "ics"])
def test_files_are_private_and_leave_no_temp(examples: Cli, tmp_path: Path, fmt: str) -> None:
    out = tmp_path / "out"
    out.mkdir()
    target = out / f"r.{fmt}"
    target.write_text("old", encoding="utf-8")
    target.chmod(0o644)
    refused = export(examples, "--days", "1", "-o", str(target))
    assert refused.exit_code == 2 and target.read_bytes() == b"old"
    ok(export(examples, "--days", "1", "-o", str(target), "--force"))
    assert mode(target) == 0o600
    assert target.read_bytes() != b"old"
    assert sorted(p.name for p in out.iterdir()) == [target.name]


def test_format_flag_wins_over_extension(examples: Cli, tmp_path: Path) -> None:
    target = tmp_path / "r.txt"
    ok(export(examples, "--days", "0", "--format", "json", "-o", str(target)))
    assert json.loads(target.read_text(encoding="utf-8"))


def test_output_into_missing_directory(examples: Cli, tmp_path: Path) -> None:
    missing = tmp_path / "nope" / "r.csv"
    result = export(examples, "--days", "0", "-o", str(missing))
    assert result.exit_code == 2
    assert result.stderr.startswith("Error:")
    assert not (tmp_path / "nope").exists()


@pytest.mark.parametrize(
    "args",
    [
        ("--template", "nope"),
        ("--kinds", "bogus"),
        ("--audience", "boss"),
        ("--format", "pdf"),
    ],
)
def test_failing_run_leaves_existing_file_untouched(
    examples: Cli, tmp_path: Path, args: tuple[str, ...]
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    target = out / "r.csv"
    target.write_text("precious", encoding="utf-8")
    target.chmod(0o644)
    result = export(examples, "--days", "7", "--new-only", "-o", str(target), *args)
    assert result.exit_code == 2
    assert result.stderr.startswith("Error:")
    assert target.read_text(encoding="utf-8") == "precious"
    assert mode(target) == 0o644
    assert sorted(p.name for p in out.iterdir()) == ["r.csv"]
    assert store_rows(examples, "SELECT * FROM export_runs") == []


def test_bad_config_leaves_existing_file_untouched(examples: Cli, tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(
        '[export.templates.customer.zh]\nmaturing = "{name} {foo}"\n', encoding="utf-8"
    )
    target = tmp_path / "r.csv"
    target.write_text("precious", encoding="utf-8")
    result = export(examples, "-o", str(target), "--force", env={"RETAIN_CONFIG": str(config)})
    assert result.exit_code == 2
    assert result.stderr.startswith("Error:")
    assert "{foo}" in result.stderr and "templates.customer.zh.maturing" in result.stderr
    assert target.read_text(encoding="utf-8") == "precious"
    assert leftovers(tmp_path) == []


# ---------------------------------------------------------------------------
# Exit codes and the summary


@pytest.mark.parametrize(
    "args",
    [
        ("--kinds", "bogus"),
        ("--kinds", "maturing,nope"),
        ("--kinds", ","),
        ("--audience", "boss"),
        ("--format", "pdf"),
        ("--format", "xlsx"),  # xlsx needs a file
        ("--output", "r.pdf"),
        ("--format", "tsv", "--output", "r.csv"),
        ("--template", "nope"),
    ],
)
def test_usage_errors_exit_2(
    examples: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: tuple[str, ...]
) -> None:
    monkeypatch.chdir(tmp_path)
    before = sorted(p.name for p in tmp_path.iterdir())
    result = export(examples, *args)
    assert result.exit_code == 2, result.stderr
    assert result.stderr.startswith("Error:")
    assert result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def test_negative_days_is_a_usage_error(examples: Cli) -> None:
    assert export(examples, "--days", "-1").exit_code == 2


def test_zero_reminders_exit_0(examples: Cli, tmp_path: Path) -> None:
    result = ok(export(examples, "--days", "3", "--kinds", "follow_up"))
    assert result.stdout.splitlines() == [",".join(OFFICER_FIELDS)]
    assert "Exported 0 reminder(s) to stdout." in result.stderr
    assert json_rows(examples, "--kinds", "follow_up") == []
    ics = tmp_path / "empty.ics"
    ok(export(examples, "--kinds", "follow_up", "-o", str(ics)))
    assert read_ics(ics) == [] and mode(ics) == 0o600
    xlsx = tmp_path / "empty.xlsx"
    ok(export(examples, "--kinds", "follow_up", "-o", str(xlsx), lang="zh"))
    sheet = openpyxl.load_workbook(xlsx).worksheets[0]
    assert [[c.value for c in row] for row in sheet.iter_rows()] == [
        [ZH_HEADERS[f] for f in OFFICER_FIELDS]
    ]
    # A store that does not exist is an error, not an empty export (a typo in
    # RETAIN_DB must not silently replace a calendar with an empty one).
    missing = Cli(tmp_path / "empty" / "r.db")
    refused = export(missing, "--new-only", "--format", "json")
    assert refused.exit_code == 1 and refused.stderr.startswith("Error: no store at")
    assert not (tmp_path / "empty" / "r.db").exists()


def test_quiet(examples: Cli, tmp_path: Path) -> None:
    loud = ok(export(examples, "--days", "0", "-o", str(tmp_path / "a.csv")))
    assert loud.stderr.startswith("Exported ")
    quiet = ok(export(examples, "--days", "0", "-o", str(tmp_path / "b.csv"), "--quiet"))
    assert quiet.stderr == ""
    assert ok(export(examples, "--days", "0", "-q")).stderr == ""


def test_officer_filter(examples: Cli) -> None:
    everyone = json_rows(examples, "--days", "7")
    mine = json_rows(examples, "--days", "7", "--officer", "王芳")
    assert mine and len(mine) < len(everyone)
    assert mine == [r for r in everyone if r["officer"] == "王芳"]


def test_kinds_filter(examples: Cli) -> None:
    everyone = json_rows(examples, "--days", "7")
    some = json_rows(examples, "--days", "7", "--kinds", "maturing, win_back")
    assert some == [r for r in everyone if r["reason"] in ("maturing", "win_back")]


# ---------------------------------------------------------------------------
# Templates and the config


def test_default_customer_template_zh(examples: Cli) -> None:
    rows = json_rows(examples, "--days", "0", "--audience", "customer", lang="zh")
    officer_rows = {r["reminder_id"]: r for r in json_rows(examples, "--days", "0", lang="zh")}
    loans = {r["loan_id"]: r for r in store_rows(examples, "SELECT * FROM loans")}
    maturing = 0
    for row in rows:
        full = officer_rows[row["reminder_id"]]
        assert row["message"].startswith(f"【本行】尊敬的{row['name']}，")
        if full["reason"] == "maturing":
            maturing += 1
            amount = f"{loans[full['loan_id']]['principal_fen'] / 100:,.2f}"
            assert row["message"] == (
                f"【本行】尊敬的{row['name']}，您的贷款{amount}元将于{full['matures_on']}到期，"
                f"如需续贷请联系客户经理{full['officer']}。"
            )
    assert maturing > 0
    # Customers' texts are in export.customer_lang (zh), whatever the operator's --lang.
    english = json_rows(examples, "--days", "0", "--audience", "customer")
    assert [r["message"] for r in english] == [r["message"] for r in rows]


def test_config_lender_and_custom_template(examples: Cli, tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(
        '[export]\nlender = "XX农商银行"\n\n'
        '[export.templates.customer.zh]\nmaturing = "{name}您好，{matures_on}到期"\n',
        encoding="utf-8",
    )
    env = {"RETAIN_CONFIG": str(config)}
    rows = json_rows(examples, "--days", "0", "--audience", "customer", lang="zh", env=env)
    officer_rows = {
        r["reminder_id"]: r for r in json_rows(examples, "--days", "0", lang="zh", env=env)
    }
    reasons = set()
    for row in rows:
        full = officer_rows[row["reminder_id"]]
        reasons.add(full["reason"])
        if full["reason"] == "maturing":
            assert row["message"] == f"{row['name']}您好，{full['matures_on']}到期"
        else:
            assert row["message"].startswith(f"【XX农商银行】尊敬的{row['name']}，")
    assert "maturing" in reasons and len(reasons) > 1


def test_a_customer_text_naming_a_loan_gets_it_whatever_the_reason(
    examples: Cli, tmp_path: Path
) -> None:
    """A customer export looks up only the loans its texts name (the default
    overdue text names none); a text that names one gets the officer's loan."""
    config = tmp_path / "config.toml"
    config.write_text(
        "[export.templates.customer.zh]\n"
        'overdue = "{name}|{loan_id}|{amount}|{balance}|{matures_on}"\n',
        encoding="utf-8",
    )
    env = {"RETAIN_CONFIG": str(config)}
    args = ("--days", "7")
    rows = json_rows(examples, *args, "--audience", "customer", lang="zh", env=env)
    officer_rows = {r["reminder_id"]: r for r in json_rows(examples, *args, lang="zh", env=env)}
    loans = {r["loan_id"]: r for r in store_rows(examples, "SELECT * FROM loans")}
    overdue = [r for r in rows if officer_rows[r["reminder_id"]]["reason"] == "overdue"]
    assert overdue
    for row in overdue:
        full = officer_rows[row["reminder_id"]]
        loan = loans[full["loan_id"]]
        balance = loan["balance_fen"] if loan["balance_fen"] is not None else loan["principal_fen"]
        assert row["message"] == (
            f"{row['name']}|{full['loan_id']}|{loan['principal_fen'] / 100:,.2f}"
            f"|{balance / 100:,.2f}|{full['matures_on']}"
        )


def test_named_template_set(examples: Cli, tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(
        '[export.templates.sms.zh]\nmaturing = "短信:{name}:{days_left}"\n', encoding="utf-8"
    )
    env = {"RETAIN_CONFIG": str(config)}
    rows = json_rows(
        examples,
        "--days",
        "0",
        "--kinds",
        "maturing",
        "--audience",
        "customer",
        "--template",
        "sms",
        lang="zh",
        env=env,
    )
    full = json_rows(examples, "--days", "0", "--kinds", "maturing", lang="zh", env=env)
    assert rows and [r["message"] for r in rows] == [
        f"短信:{r['name']}:{r['days_left']}" for r in full
    ]


def test_custom_customer_template_set_never_falls_back_to_officer_text(
    examples: Cli, tmp_path: Path
) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[export.templates.sms.zh]\nmaturing = "短信:{name}"\n', encoding="utf-8")
    env = {"RETAIN_CONFIG": str(config)}
    rows = json_rows(
        examples,
        "--days",
        "0",
        "--kinds",
        "overdue",
        "--audience",
        "customer",
        "--template",
        "sms",
        lang="zh",
        env=env,
    )
    assert rows
    for row in rows:
        assert "催收" not in row["message"]
        assert row["message"].startswith("【本行】尊敬的")


def test_unknown_placeholder_in_config(examples: Cli, tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(
        '[export.templates.customer.zh]\nmaturing = "{name}您好，{due}到期"\n', encoding="utf-8"
    )
    result = export(examples, "--days", "0", env={"RETAIN_CONFIG": str(config)})
    assert result.exit_code == 2
    assert result.stderr.startswith("Error:")
    assert "{due}" in result.stderr
    assert result.stdout == ""


# ---------------------------------------------------------------------------
# Reminders follow the call-list rules


def calls_pairs(cli: Cli, today: str | None = None) -> set[tuple[str, str]]:
    result = cli("calls", "--format", "json", "--limit", "100000", today=today)
    assert result.exit_code == 0, result.stderr
    terms = TERM_NAMES
    return {(row["customer_id"], t) for row in result.json() for t in terms if row[t] > 0}


def test_days_0_equals_the_call_list(examples: Cli) -> None:
    rows = json_rows(examples, "--days", "0")
    pairs = {(r["customer_id"], r["reason"]) for r in rows}
    assert pairs == calls_pairs(examples)
    assert len(pairs) == len(rows)
    assert {r["date"] for r in rows} == {TODAY.isoformat()}
    # …and on another day, after contacts.
    ok(examples("log", "C0003", "C0022", "C0023", "--channel", "call", "--outcome", "reached"))
    later = "2026-12-20"
    rows = json_rows(examples, "--days", "0", today=later)
    assert {(r["customer_id"], r["reason"]) for r in rows} == calls_pairs(examples, later)


def test_each_day_of_the_window_follows_the_call_list(examples: Cli) -> None:
    """A reminder dated D exists for (customer, reason) only if `calls` lists it on D, and
    every pair `calls` lists on some day of the window is covered by a reminder."""
    rows = json_rows(examples, "--days", "7")
    listed: set[tuple[str, str]] = set()
    for offset in range(8):
        day = (TODAY + dt.timedelta(days=offset)).isoformat()
        pairs = calls_pairs(examples, day)
        listed |= pairs
        assert {(r["customer_id"], r["reason"]) for r in rows if r["date"] == day} <= pairs
    assert {(r["customer_id"], r["reason"]) for r in rows} == listed


@pytest.fixture
def maturing_10(cli: Cli, make_csv: Callable[..., Path]) -> Cli:
    customers = make_csv(
        "c.csv", [CUSTOMER_HEADER, ["M1", "马丽", "13700000001", "", "粮油", "王芳", ""]]
    )
    loans = make_csv(
        "l.csv",
        [
            LOAN_HEADER,
            ["LM1", "M1", "88000", "2026-11-20", "2026-12-11", "信用", "正常", "", "", ""],
        ],
    )
    assert cli("import", "customers", str(customers)).exit_code == 0
    assert cli("import", "loans", str(loans)).exit_code == 0
    return cli


def test_maturing_in_10_days_follows_the_tiers(maturing_10: Cli) -> None:
    today = json_rows(maturing_10, "--days", "0")
    assert [(r["date"], r["reason"], r["days_left"]) for r in today] == [
        ("2026-12-01", "maturing", 10)
    ]
    week = json_rows(maturing_10, "--days", "7", "--kinds", "maturing")
    assert [(r["date"], r["days_left"]) for r in week] == [("2026-12-01", 10), ("2026-12-04", 7)]
    assert week[0]["reminder_id"] == today[0]["reminder_id"]
    assert week[1]["reminder_id"] != week[0]["reminder_id"]
    month = json_rows(maturing_10, "--days", "30", "--kinds", "maturing")
    assert [(r["date"], r["days_left"]) for r in month] == [
        ("2026-12-01", 10),
        ("2026-12-04", 7),
        ("2026-12-10", 1),
    ]
    # The same episode keeps its id on the following days.
    tomorrow = json_rows(maturing_10, "--days", "0", today="2026-12-02")
    assert [(r["reminder_id"], r["days_left"]) for r in tomorrow] == [(today[0]["reminder_id"], 9)]


def test_daily_cron_sends_each_maturity_window_once(maturing_10: Cli, tmp_path: Path) -> None:
    # Every window, not only one a week (export.customer_quiet_days: tests/test_sending.py).
    config = tmp_path / "quiet-0.toml"
    config.write_text("[export]\ncustomer_quiet_days = 0\n", encoding="utf-8")
    sent = []
    for offset in range(12):
        day = (TODAY + dt.timedelta(days=offset)).isoformat()
        rows = json_rows(
            maturing_10,
            "--days",
            "0",
            "--new-only",
            "--audience",
            "customer",
            "--kinds",
            "maturing",
            "--allow-stale",  # the rule under test, on the day-0 import
            today=day,
            env={"RETAIN_CONFIG": str(config)},
        )
        sent += [(day, r["date"]) for r in rows]
    assert sent == [
        ("2026-12-01", "2026-12-01"),
        ("2026-12-04", "2026-12-04"),
        ("2026-12-10", "2026-12-10"),
    ]


def test_logging_a_contact_removes_todays_reminder(examples: Cli) -> None:
    before = json_rows(examples, "--days", "0")
    assert any(r["customer_id"] == "C0003" for r in before)
    assert any(r["customer_id"] == "C0016" for r in before)
    ok(examples("log", "C0003", "--channel", "call", "--outcome", "reached"))
    ok(
        examples(
            "log", "C0016", "--channel", "call", "--outcome", "promised", "--next", "2026-12-03"
        )
    )
    after = json_rows(examples, "--days", "0")
    assert not any(r["customer_id"] in ("C0003", "C0016") for r in after)
    others = [r for r in before if r["customer_id"] not in ("C0003", "C0016")]
    assert after == others
    week = json_rows(examples, "--days", "7")
    follow = [r for r in week if r["customer_id"] == "C0016" and r["reason"] == "follow_up"]
    assert [r["date"] for r in follow] == ["2026-12-03"]
    assert not any(
        r["customer_id"] in ("C0003", "C0016") and r["date"] == "2026-12-01" for r in week
    )


# ---------------------------------------------------------------------------
# Real bugs, pinned


def test_overdue_spell_is_on_the_call_list_every_day(examples: Cli) -> None:
    """The precondition of the next test: C0022 (imported 逾期天数 400) is overdue on both days."""
    assert ("C0022", "overdue") in calls_pairs(examples)
    assert ("C0022", "overdue") in calls_pairs(examples, "2026-12-02")


def test_overdue_with_imported_days_past_due_is_one_reminder(examples: Cli) -> None:
    week = json_rows(examples, "--days", "7", "--kinds", "overdue")
    per_customer = Counter(r["customer_id"] for r in week if r["customer_id"] == "C0022")
    assert per_customer == {"C0022": 1}
    first = json_rows(
        examples, "--days", "0", "--new-only", "--kinds", "overdue", "--audience", "customer"
    )
    assert any(r["name"] == "谢志强" for r in first)
    second = json_rows(
        examples,
        "--days",
        "0",
        "--new-only",
        "--kinds",
        "overdue",
        "--audience",
        "customer",
        today="2026-12-02",
    )
    assert not any(r["name"] == "谢志强" for r in second)


def test_revisit_is_one_reminder_per_episode(examples: Cli) -> None:
    week = json_rows(examples, "--days", "7", "--kinds", "revisit")
    assert week
    counts = Counter(r["customer_id"] for r in week)
    assert set(counts.values()) == {1}, counts
    first = {r["reminder_id"] for r in json_rows(examples, "--days", "0", "--kinds", "revisit")}
    second = {
        r["reminder_id"]
        for r in json_rows(examples, "--days", "0", "--kinds", "revisit", today="2026-12-02")
    }
    assert first == second


def test_win_back_recurs_on_the_call_list_after_a_contact(examples: Cli) -> None:
    """The precondition of the next test."""
    assert ("C0023", "win_back") in calls_pairs(examples)
    ok(examples("log", "C0023", "--channel", "call", "--outcome", "reached"))
    assert ("C0023", "win_back") not in calls_pairs(examples)
    assert ("C0023", "win_back") in calls_pairs(examples, "2027-01-30")  # 60 days later


def test_win_back_due_again_is_a_new_reminder(examples: Cli) -> None:
    name = store_rows(examples, "SELECT name FROM customers WHERE customer_id = 'C0023'")[0]["name"]
    first = json_rows(
        examples, "--days", "0", "--new-only", "--kinds", "win_back", "--audience", "customer"
    )
    assert any(r["name"] == name for r in first)
    ok(examples("log", "C0023", "--channel", "call", "--outcome", "reached"))
    later = json_rows(
        examples,
        "--days",
        "0",
        "--new-only",
        "--kinds",
        "win_back",
        "--audience",
        "customer",
        "--allow-stale",  # the rule under test, on the day-0 import
        today="2027-01-30",
    )
    assert any(r["name"] == name for r in later)


def test_icalendar_is_a_declared_dependency() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    names = [
        re.split(r"[<>=!~\[; ]", dep, maxsplit=1)[0].lower() for dep in project["dependencies"]
    ]
    assert "icalendar" in names


# ---------------------------------------------------------------------------
# examples/cron


def test_crontab_example_is_commented() -> None:
    lines = (CRON / "crontab").read_text(encoding="utf-8").splitlines()
    assert all(not line.strip() or line.lstrip().startswith("#") for line in lines)
    entries = [
        line for line in lines if "morning-reminders.sh" in line and re.match(r"#\s*\d", line)
    ]
    assert entries, "expected a commented crontab entry"
    assert re.match(r"#\s*30\s+6\s+\*\s+\*\s+\*\s", entries[0])


def test_cron_script_is_executable_posix_sh() -> None:
    assert os.access(SCRIPT, os.X_OK)
    text = SCRIPT.read_text(encoding="utf-8")
    assert text.startswith("#!/bin/sh\n")
    assert "set -eu" in text
    assert subprocess.run(["sh", "-n", str(SCRIPT)], capture_output=True).returncode == 0


def script_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    drop = ("RETAIN_DB", "RETAIN_TODAY", "RETAIN_LANG", "RETAIN_BIN", "OUT_DIR")
    env = {k: v for k, v in os.environ.items() if k not in drop}  # keeps RETAIN_CONFIG
    env.update(HOME=str(tmp_path / "home"), RETAIN_BIN=str(RETAIN))
    env.update(extra)
    return env


def run_script(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["sh", str(SCRIPT)], env=env, capture_output=True, text=True, encoding="utf-8", timeout=300
    )


LOG_LINE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d{4} morning-reminders: ")


@pytest.fixture
def live_store(tmp_path: Path, make_csv: Callable[..., Path]) -> Path:
    """A store whose data is relative to the real clock: `--today tomorrow` sees a loan
    maturing 10 days after tomorrow (the 15-day window) and nothing else."""
    real = dt.date.today()
    cli = Cli(tmp_path / "live" / "retain.db", today=real.isoformat())
    matures = real + dt.timedelta(days=11)
    idn = valid_id_number("11010519800101123")
    customers = make_csv(
        "live-c.csv", [CUSTOMER_HEADER, ["L1", "=SUM(1)", "13900000001", idn, "粮油", "王芳", ""]]
    )
    loans = make_csv(
        "live-l.csv",
        [
            LOAN_HEADER,
            [
                "LL1",
                "L1",
                "66000",
                (real - dt.timedelta(days=5)).isoformat(),
                matures.isoformat(),
                "信用",
                "正常",
                "",
                "",
                "",
            ],
        ],
    )
    assert cli("import", "customers", str(customers)).exit_code == 0
    assert cli("import", "loans", str(loans)).exit_code == 0
    return cli.db


def test_cron_script_exports_tomorrow_once(tmp_path: Path, live_store: Path) -> None:
    out = tmp_path / "retain-out" / "sms"
    env = script_env(tmp_path, RETAIN_DB=str(live_store), OUT_DIR=str(out))
    first = run_script(env)
    assert first.returncode == 0, first.stderr
    assert first.stdout == ""
    log = first.stderr.splitlines()
    assert log and all(LOG_LINE.match(line) for line in log), log
    assert mode(out) == 0o700
    tomorrow = dt.date.today() + dt.timedelta(days=1)
    sms = out / f"sms-{tomorrow.isoformat()}.csv"
    assert sms.exists(), sorted(p.name for p in out.iterdir())
    assert mode(sms) == 0o600
    raw = sms.read_bytes()
    assert raw.startswith(BOM + "提醒编号,日期,客户名称,手机号码,短信内容\r\n".encode())
    header, records = read_csv(sms)
    assert len(records) == 1
    reminder_id, day, name, phone, message = records[0]
    assert (day, name, phone) == (tomorrow.isoformat(), "'=SUM(1)", "13900000001")
    assert message.startswith("【本行】尊敬的=SUM(1)，您的贷款66,000.00元将于")
    assert any(f"已导出 1 条提醒到 {sms}" in line for line in log)
    ics = out / "officer-week.ics"
    assert mode(ics) == 0o600
    events = read_ics(ics)
    # The week from tomorrow: the 15-day window (tomorrow) and the 7-day one (3 days later).
    assert [e.decoded("DTSTART") for e in events] == [tomorrow, tomorrow + dt.timedelta(days=3)]
    assert str(events[0]["UID"]) == f"{reminder_id}@retain"
    uids = [str(e["UID"]) for e in events]
    assert leftovers(out) == []

    second = run_script(env)
    assert second.returncode == 0, second.stderr
    assert sms.read_bytes() == raw  # never overwrites the earlier file
    again = out / f"sms-{tomorrow.isoformat()}.2.csv"
    assert again.read_bytes() == BOM + "提醒编号,日期,客户名称,手机号码,短信内容\r\n".encode()
    assert mode(again) == 0o600
    assert any("已导出 0 条提醒" in line for line in second.stderr.splitlines())
    assert [str(e["UID"]) for e in read_ics(ics)] == uids  # stable: the calendar updates


def test_cron_script_defaults_out_dir_to_home(tmp_path: Path, live_store: Path) -> None:
    result = run_script(script_env(tmp_path, RETAIN_DB=str(live_store), RETAIN_LANG="en"))
    assert result.returncode == 0, result.stderr
    out = tmp_path / "home" / "retain-out"
    assert mode(out) == 0o700
    header, records = read_csv(next(out.glob("sms-*.csv")))
    assert header == CUSTOMER_FIELDS  # English: the field names
    assert records[0][4].startswith("【本行】尊敬的")  # export.customer_lang, not RETAIN_LANG


def test_cron_script_fails_when_retain_fails(tmp_path: Path) -> None:
    fake = tmp_path / "fake-retain"
    fake.write_text("#!/bin/sh\necho 'Error: store is locked' >&2\nexit 3\n", encoding="utf-8")
    fake.chmod(0o755)
    out = tmp_path / "out"
    result = run_script(script_env(tmp_path, RETAIN_BIN=str(fake), OUT_DIR=str(out)))
    assert result.returncode == 3
    assert "FAILED (exit 3)" in result.stderr and "store is locked" in result.stderr
    assert all(LOG_LINE.match(line) for line in result.stderr.splitlines())
    assert not (out / "officer-week.ics").exists()


def test_cron_script_refuses_a_missing_store(tmp_path: Path) -> None:
    out = tmp_path / "out"
    missing = tmp_path / "typo.db"
    result = run_script(script_env(tmp_path, RETAIN_DB=str(missing), OUT_DIR=str(out)))
    assert result.returncode != 0
    assert "no store" in result.stderr
    assert not missing.exists()
    assert not out.exists() or list(out.iterdir()) == []
