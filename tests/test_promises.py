"""Promises to pay (承诺还款): ``log --amount``, judged by the loans import, the
``broken_promise`` call-list term and ``retain promises``, through the real CLI."""

from __future__ import annotations

import csv
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import LOAN_HEADER, Cli, Result

CUSTOMER_HEADER_EN = ["customer_id", "name", "phone", "id_number", "industry", "officer", "segment"]
MakeCsv = Callable[..., Path]


def ok(result: Result) -> Result:
    assert result.exit_code == 0, (result.stdout, result.stderr)
    return result


def one_error(result: Result, code: int) -> str:
    assert result.exit_code == code, (result.stdout, result.stderr)
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1, result.stderr
    assert "Traceback" not in result.stderr
    return errors[0]


def loan_rows(l1: tuple[str, str, str], l2: tuple[str, str, str]) -> list[list[str]]:
    """L1 (C1) and L2 (C2) with (status, balance, days past due); L3 (C3) current."""
    return [
        LOAN_HEADER,
        ["L1", "C1", "50000", "2025-06-01", "2027-06-01", "信用", l1[0], "", l1[1], l1[2]],
        ["L2", "C2", "50000", "2025-06-01", "2027-06-01", "信用", l2[0], "", l2[1], l2[2]],
        ["L3", "C3", "80000", "2026-01-01", "2027-12-01", "抵押", "正常", "", "60000", ""],
        ["L4", "C1", "10000", "2026-01-01", "2027-12-01", "信用", "正常", "", "9000", ""],
    ]


@pytest.fixture
def book(cli: Cli, make_csv: MakeCsv) -> Cli:
    """On 2026-12-01: C1 (L1, 10 days overdue, balance 20,000; L4 current) and C2
    (L2, 5 days overdue, balance 10,000), both 王芳's; C3 current, 李强's."""
    customers = make_csv(
        "customers.csv",
        [
            CUSTOMER_HEADER_EN,
            ["C1", "王建国", "13812348001", "", "粮油", "王芳", ""],
            ["C2", "李秀英", "13912348002", "", "烟酒", "王芳", ""],
            ["C3", "张伟", "15012348003", "", "服装", "李强", ""],
        ],
    )
    loans = make_csv("loans.csv", loan_rows(("逾期", "20000", "10"), ("逾期", "10000", "5")))
    ok(cli("import", "customers", str(customers)))
    ok(cli("import", "loans", str(loans)))
    return cli


def import_loans(
    cli: Cli,
    make_csv: MakeCsv,
    today: str,
    l1: tuple[str, str, str],
    l2: tuple[str, str, str],
    name: str = "loans2.csv",
) -> None:
    ok(cli("import", "loans", str(make_csv(name, loan_rows(l1, l2))), today=today))


def promises(cli: Cli, *args: str, today: str | None = None) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = ok(cli("promises", "--format", "json", *args, today=today)).json()
    return rows


def by_customer(rows: Sequence[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {row["customer_id"]: row for row in rows}


def promise(cli: Cli, customer: str, day: str, amount: str, *more: str) -> None:
    ok(cli("log", customer, "--outcome", "promised", "--next", day, "--amount", amount, *more))


def test_a_promise_is_recorded_with_its_loans_and_is_open(book: Cli) -> None:
    promise(book, "C1", "2026-12-05", "3000")
    (row,) = promises(book)
    assert row["customer_id"] == "C1"
    assert row["loan_ids"] == "L1"  # the overdue loan, not the current L4
    assert row["amount"] == 3000
    assert row["due_on"] == "2026-12-05"
    assert row["made_on"] == "2026-12-01"
    assert row["promise_status"] == "open"
    assert row["judged_on"] is None
    assert row["officer"] == "王芳"


def test_a_promise_on_a_named_loan_and_one_without_arrears(book: Cli) -> None:
    promise(book, "C1", "2026-12-05", "3000", "--loan", "L4")
    promise(book, "C3", "2026-12-05", "1,000.50")  # nothing overdue: the open loans
    rows = by_customer(promises(book))
    assert rows["C1"]["loan_ids"] == "L4"
    assert rows["C3"]["loan_ids"] == "L3"
    assert rows["C3"]["amount"] == 1000.5


def test_kept_by_a_lower_balance_and_broken_otherwise(book: Cli, make_csv: MakeCsv) -> None:
    promise(book, "C1", "2026-12-05", "3000")
    promise(book, "C2", "2026-12-05", "3000")
    # On the 5th itself the promise is not yet judged: its day is not over.
    import_loans(book, make_csv, "2026-12-05", ("逾期", "20000", "14"), ("逾期", "10000", "9"))
    assert {r["promise_status"] for r in promises(book, today="2026-12-05")} == {"open"}
    # C1 paid 4,000 (balance 20,000 → 16,000), C2 only 1,000: both still overdue.
    import_loans(
        book, make_csv, "2026-12-06", ("逾期", "16000", "15"), ("逾期", "9000", "10"), "l3.csv"
    )
    rows = by_customer(promises(book, today="2026-12-06"))
    assert rows["C1"]["promise_status"] == "kept"
    assert rows["C1"]["paid"] == 4000
    assert rows["C1"]["judged_on"] == "2026-12-06"
    assert rows["C2"]["promise_status"] == "broken"
    assert rows["C2"]["paid"] == 1000
    calls = ok(book("calls", "--format", "json", today="2026-12-06")).json()
    assert calls[0]["customer_id"] == "C2"
    assert calls[0]["broken_promise"] > 0
    assert calls[0]["reasons"].split(",")[0] == "broken_promise"
    table = ok(book("calls", "--format", "table", today="2026-12-06")).stdout
    assert "promise of 3,000 on 5 Dec broken" in table
    assert calls[1]["customer_id"] == "C1"
    assert calls[1]["broken_promise"] == 0
    zh = ok(book("--lang", "zh", "calls", "--format", "table", today="2026-12-06")).stdout
    assert "承诺12月5日还款3,000元未兑现" in zh


def test_kept_when_the_arrears_are_cured(book: Cli, make_csv: MakeCsv) -> None:
    promise(book, "C1", "2026-12-05", "3000")
    import_loans(book, make_csv, "2026-12-08", ("正常", "20000", "0"), ("逾期", "10000", "12"))
    (row,) = promises(book, today="2026-12-08")
    assert row["promise_status"] == "kept"
    assert row["paid"] == 0


def test_a_judged_promise_is_never_judged_again(book: Cli, make_csv: MakeCsv) -> None:
    promise(book, "C2", "2026-12-05", "3000")
    import_loans(book, make_csv, "2026-12-06", ("逾期", "20000", "15"), ("逾期", "10000", "10"))
    assert promises(book, today="2026-12-06")[0]["promise_status"] == "broken"
    # Paid later, and the same file again: the promise stays broken, judged on the 6th.
    import_loans(
        book, make_csv, "2026-12-09", ("逾期", "20000", "18"), ("逾期", "5000", "13"), "l3.csv"
    )
    import_loans(
        book, make_csv, "2026-12-09", ("逾期", "20000", "18"), ("逾期", "5000", "13"), "l3.csv"
    )
    (row,) = promises(book, today="2026-12-09")
    assert (row["promise_status"], row["judged_on"], row["paid"]) == ("broken", "2026-12-06", 0)


def test_a_dry_run_judges_nothing(book: Cli, make_csv: MakeCsv) -> None:
    promise(book, "C2", "2026-12-05", "3000")
    path = make_csv("l2.csv", loan_rows(("逾期", "20000", "15"), ("逾期", "10000", "10")))
    ok(book("import", "loans", str(path), "--dry-run", today="2026-12-06"))
    assert promises(book, today="2026-12-06")[0]["promise_status"] == "open"


def test_the_broken_promise_lasts_until_the_customer_is_contacted(
    book: Cli, make_csv: MakeCsv
) -> None:
    promise(book, "C2", "2026-12-05", "3000")
    import_loans(book, make_csv, "2026-12-06", ("逾期", "20000", "15"), ("逾期", "10000", "10"))
    explain = ok(book("calls", "--explain", "C2", "--format", "json", today="2026-12-07")).json()
    points = {t["term"]: t["points"] for t in explain["terms"]}
    assert points["broken_promise"] == 250
    assert "judged broken on 2026-12-06" in next(
        t["rule"] for t in explain["terms"] if t["term"] == "broken_promise"
    )
    ok(book("log", "C2", "--outcome", "reached", today="2026-12-07"))
    for day in ("2026-12-07", "2026-12-20"):  # in the quiet days and after: still overdue
        explain = ok(book("calls", "--explain", "C2", "--format", "json", today=day)).json()
        points = {t["term"]: t["points"] for t in explain["terms"]}
        assert points["broken_promise"] == 0
        assert points["overdue"] > 0


def test_the_broken_promise_ends_when_the_arrears_are_cured(book: Cli, make_csv: MakeCsv) -> None:
    promise(book, "C2", "2026-12-05", "3000")
    import_loans(book, make_csv, "2026-12-06", ("逾期", "20000", "15"), ("逾期", "10000", "10"))
    import_loans(
        book, make_csv, "2026-12-07", ("逾期", "20000", "16"), ("正常", "0", "0"), "l3.csv"
    )
    calls = ok(book("calls", "--format", "json", today="2026-12-07")).json()
    assert all(row["broken_promise"] == 0 for row in calls)


def test_broken_promises_are_for_the_officer_only(book: Cli, make_csv: MakeCsv) -> None:
    promise(book, "C2", "2026-12-05", "3000")
    import_loans(book, make_csv, "2026-12-06", ("逾期", "20000", "15"), ("逾期", "10000", "10"))
    officer = ok(
        book("export", "reminders", "--audience", "officer", "--format", "json", today="2026-12-06")
    ).json()
    (broken,) = [r for r in officer if r["reason"] == "broken_promise"]
    assert broken["customer_id"] == "C2"
    assert "broken promise" in broken["message"]
    customer = ok(
        book(
            "export", "reminders", "--audience", "customer", "--format", "json", today="2026-12-06"
        )
    ).json()
    assert customer  # the overdue reminders
    assert not any("promise" in r["message"] or "承诺" in r["message"] for r in customer)


def test_a_newer_promise_supersedes_an_open_one_and_undo_reopens_it(
    book: Cli, make_csv: MakeCsv
) -> None:
    promise(book, "C2", "2026-12-05", "3000")
    ok(
        book(
            "log", "C2", "--outcome", "promised", "--next", "2026-12-10", "--amount", "2000",
            today="2026-12-02",
        )
    )  # fmt: skip
    rows = {r["due_on"]: r["promise_status"] for r in promises(book, today="2026-12-02")}
    assert rows == {"2026-12-05": "superseded", "2026-12-10": "open"}
    ok(book("contacts", "undo", today="2026-12-02"))
    (row,) = promises(book, today="2026-12-02")
    assert (row["due_on"], row["promise_status"]) == ("2026-12-05", "open")
    # The old one is judged again by the next import, as if never superseded.
    import_loans(book, make_csv, "2026-12-06", ("逾期", "20000", "15"), ("逾期", "10000", "10"))
    assert promises(book, today="2026-12-06")[0]["promise_status"] == "broken"


def test_an_undone_promise_is_gone_with_its_broken_term(book: Cli, make_csv: MakeCsv) -> None:
    promise(book, "C2", "2026-12-05", "3000")
    import_loans(book, make_csv, "2026-12-06", ("逾期", "20000", "15"), ("逾期", "10000", "10"))
    ok(book("contacts", "undo", today="2026-12-06"))
    assert promises(book, today="2026-12-06") == []
    # kept in the audit trail, to put back by hand
    audit = {
        row[0]: row[1]
        for row in book.sql("SELECT field, old_value FROM changes WHERE entity = 'promise'")
    }
    assert (audit["amount_fen"], audit["status"], audit["loans"]) == ("300000", "broken", "L2")
    calls = ok(book("calls", "--format", "json", today="2026-12-06")).json()
    assert all(row["broken_promise"] == 0 for row in calls)


def test_promises_by_status_and_officer_with_the_kept_rate(book: Cli, make_csv: MakeCsv) -> None:
    promise(book, "C1", "2026-12-05", "3000")
    promise(book, "C2", "2026-12-05", "3000")
    promise(book, "C3", "2026-12-20", "500")
    import_loans(book, make_csv, "2026-12-06", ("逾期", "16000", "15"), ("逾期", "10000", "10"))
    assert [r["customer_id"] for r in promises(book, "--status", "kept", today="2026-12-06")] == [
        "C1"
    ]
    assert [r["customer_id"] for r in promises(book, "--status", "broken", today="2026-12-06")] == [
        "C2"
    ]
    assert [r["customer_id"] for r in promises(book, "--status", "open", today="2026-12-06")] == [
        "C3"
    ]
    mine = promises(book, "--officer", "王芳", today="2026-12-06")
    assert {r["customer_id"] for r in mine} == {"C1", "C2"}
    assert {r["officer_kept_rate"] for r in mine} == {0.5}
    theirs = promises(book, "--officer", "李强", today="2026-12-06")
    assert theirs[0]["officer_kept_rate"] is None  # nothing judged yet
    table = ok(book("promises", "--format", "table", today="2026-12-06")).stdout
    assert "王芳: kept 1 of 2 judged (50%)" in table
    assert "李强: no promise judged yet" in table
    zh = ok(book("--lang", "zh", "promises", "--format", "table", today="2026-12-06")).stdout
    assert "王芳：已判定 2 笔，兑现 1 笔（50%）" in zh


@pytest.mark.sqlite_only  # a fresh SQLite store file per example, beside the fixture's
@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(fates=st.lists(st.booleans(), min_size=1, max_size=6))
def test_the_kept_rate_is_kept_over_judged(cli: Cli, make_csv: MakeCsv, fates: list[bool]) -> None:
    """n customers each promise 1,000; those meant to keep it pay 1,000."""
    cli = Cli(Path(tempfile.mkdtemp(dir=cli.db.parent.parent)) / "store.db")  # a fresh store each
    n = len(fates)
    customers = [CUSTOMER_HEADER_EN] + [
        [f"K{i}", f"客户{i}", f"1381234{8000 + i}", "", "", "王芳", ""] for i in range(n)
    ]

    def loans(paid: list[bool]) -> list[list[str]]:
        return [LOAN_HEADER] + [
            [f"LK{i}", f"K{i}", "50000", "2025-06-01", "2027-06-01", "信用", "逾期", "",
             "9000" if p else "10000", "5"]
            for i, p in enumerate(paid)
        ]  # fmt: skip

    ok(cli("import", "customers", str(make_csv("k.csv", customers))))
    ok(cli("import", "loans", str(make_csv("kl.csv", loans([False] * n)))))
    for i in range(n):
        promise(cli, f"K{i}", "2026-12-03", "1000")
    ok(cli("import", "loans", str(make_csv("kl2.csv", loans(fates))), today="2026-12-04"))
    rows = promises(cli, today="2026-12-04")
    assert sum(r["promise_status"] == "kept" for r in rows) == sum(fates)
    assert {r["officer_kept_rate"] for r in rows} == {sum(fates) / n}


def test_overdue_shows_the_latest_promise_per_loan(book: Cli, make_csv: MakeCsv) -> None:
    promise(book, "C2", "2026-12-05", "3000")
    import_loans(book, make_csv, "2026-12-06", ("逾期", "20000", "15"), ("逾期", "10000", "10"))
    table = ok(book("overdue", "--format", "table", today="2026-12-06")).stdout
    assert "3,000 on 5 Dec · broken" in table
    rows = {
        r["loan_id"]: r for r in ok(book("overdue", "--format", "json", today="2026-12-06")).json()
    }
    assert (rows["L2"]["promise_amount"], rows["L2"]["promise_on"]) == (3000, "2026-12-05")
    assert rows["L2"]["promise_status"] == "broken"
    assert rows["L1"]["promise_status"] is None
    zh = ok(book("--lang", "zh", "overdue", "--format", "table", today="2026-12-06")).stdout
    assert "12月5日还3,000元 · 未兑现" in zh


def test_history_and_show_list_each_promise_and_its_fate(book: Cli, make_csv: MakeCsv) -> None:
    promise(book, "C2", "2026-12-05", "3000")
    ok(book("log", "C2", "--outcome", "reached", today="2026-12-03"))
    import_loans(book, make_csv, "2026-12-06", ("逾期", "20000", "15"), ("逾期", "10000", "10"))
    contacts = ok(book("history", "C2", "--format", "json", today="2026-12-06")).json()
    promised = [c for c in contacts if c["outcome"] == "promised"]
    assert (promised[0]["promise_amount"], promised[0]["promise_status"]) == (3000, "broken")
    assert promised[0]["promise_judged_on"] == "2026-12-06"
    other = [c for c in contacts if c["outcome"] == "reached"]
    assert other[0]["promise_amount"] is None
    history = ok(book("history", "C2", today="2026-12-06")).stdout
    assert "3,000 on 5 Dec · broken" in history
    card = ok(book("show", "C2", today="2026-12-06")).stdout
    assert "3,000 on 5 Dec · broken" in card
    assert "promise of 3,000 on 5 Dec broken" in card  # today's reasons


@pytest.mark.parametrize(
    ("args", "code", "words"),
    [
        (["--outcome", "reached", "--next", "2026-12-05", "--amount", "3000"], 2, "--amount"),
        (["--outcome", "promised", "--amount", "3000"], 2, "--next"),
        (["--outcome", "promised", "--next", "2026-12-05", "--amount", "abc"], 2, "--amount"),
        (["--outcome", "promised", "--next", "2026-12-05", "--amount", "-5"], 2, "--amount"),
        (["--outcome", "promised", "--next", "2026-12-05", "--amount", "0"], 2, "--amount"),
        (["--outcome", "promised", "--next", "2026-11-20", "--amount", "10"], 2, "before"),
        (
            ["--outcome", "promised", "--next", "2026-12-05", "--amount", "10", "--loan", "L2"],
            1,
            "L2",
        ),
    ],
)
def test_bad_promises_are_refused_in_one_line(
    book: Cli, args: list[str], code: int, words: str
) -> None:
    line = one_error(book("log", "C1", *args), code)
    assert words in line
    assert promises(book) == []


def test_a_promise_needs_an_open_loan(book: Cli, make_csv: MakeCsv) -> None:
    customers = make_csv(
        "c9.csv", [CUSTOMER_HEADER_EN, ["C9", "赵六", "13812348009", "", "", "", ""]]
    )
    ok(book("import", "customers", str(customers)))
    line = one_error(
        book("log", "C9", "--outcome", "promised", "--next", "+3d", "--amount", "100"), 1
    )
    assert "no open loan" in line
    assert ok(book("history", "C9", "--format", "json")).json() == []


def test_promises_help_has_an_example(cli: Cli) -> None:
    assert "Example" in ok(cli("promises", "--help")).stdout


def test_promises_rejects_an_unknown_status(book: Cli) -> None:
    one_error(book("promises", "--status", "maybe"), 2)


def test_a_promises_file_for_people_speaks_chinese_under_zh(
    book: Cli, make_csv: MakeCsv, tmp_path: Path
) -> None:
    promise(book, "C2", "2026-12-05", "3000")
    import_loans(book, make_csv, "2026-12-06", ("逾期", "20000", "15"), ("逾期", "10000", "10"))
    target = tmp_path / "promises.csv"
    ok(book("--lang", "zh", "promises", "--output", str(target), today="2026-12-06"))
    rows = list(csv.reader(target.read_text(encoding="utf-8-sig").splitlines()))
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in header) for header in rows[0]), rows[0]
    assert dict(zip(rows[0], rows[1], strict=True))["承诺状态"] == "未兑现"
    overdue = tmp_path / "overdue.csv"
    ok(book("--lang", "zh", "overdue", "--output", str(overdue), today="2026-12-06"))
    rows = list(csv.reader(overdue.read_text(encoding="utf-8-sig").splitlines()))
    assert "未兑现" in {dict(zip(rows[0], r, strict=True))["承诺状态"] for r in rows[1:]}
