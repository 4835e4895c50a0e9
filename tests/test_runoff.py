"""`retain runoff`: the maturity ladder, measured renewals, the gap and the cliff."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import uuid
from collections import defaultdict
from collections.abc import Callable
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import CUSTOMER_HEADER, LOAN_HEADER, Cli, Result

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")

# Today is 2026-12-01 (tests/conftest.py). Balance today = 60,000 + 50,000 +
# 80,000 + 10,000 + 40,000 = 240,000 yuan.
#
# Closes of the last 12 months (after 2025-12-01), grace 60 days:
#   C1 H1 50,000 closed 2026-03-01, L1 100,000 disbursed 2026-03-10: renewed
#   C2 H2 50,000 closed 2026-05-01, L2 disbursed 2026-08-01 (92 days): not renewed
#   C3 H3 100,000 closed 2026-06-01, L3 80,000 disbursed the same day: renewed
#      (L4 was disbursed before the close: not a renewal)
#   C4 H4 closed 2026-11-15, 16 days ago, nothing yet: undecided, left out
#   C5 H5 written off: not a close;  C6 H6 closed 2025-11-01: older than 12 months
# Renewal rate = 2 ÷ 3; size ratio = (100,000 + 80,000) ÷ (50,000 + 100,000) = 1.2;
# rate × ratio = 0.8.  王芳 (C1, C2): 1 ÷ 2 × 2.0 = 1.0;  李强 (C3): 1 ÷ 1 × 0.8 = 0.8.
BOOK_CUSTOMERS = [
    CUSTOMER_HEADER,
    ["C1", "王建国", "13812348001", "", "粮油", "王芳", ""],
    ["C2", "李秀英", "13912348002", "", "烟酒", "王芳", ""],
    ["C3", "张伟", "15012348003", "", "粮油", "李强", ""],
    ["C4", "赵敏", "15012348004", "", "汽修汽配", "李强", ""],
    ["C5", "钱多", "15012348005", "", "物流运输", "王芳", ""],
    ["C6", "孙丽", "15012348006", "", "物流运输", "王芳", ""],
]
BOOK_LOANS = [
    LOAN_HEADER,
    ["L1", "C1", "100000", "2026-03-10", "2026-12-20", "信用", "正常", "", "60000", ""],
    ["L2", "C2", "50000", "2026-08-01", "2027-01-15", "保证", "正常", "", "", ""],
    ["L3", "C3", "80000", "2026-06-01", "2027-02-10", "抵押", "正常", "", "80000", ""],
    ["L4", "C3", "20000", "2026-02-01", "2027-01-31", "信用", "正常", "", "10000", ""],
    ["L5", "C4", "40000", "2026-06-01", "2028-06-01", "信用", "正常", "", "40000", ""],
    ["H1", "C1", "50000", "2025-03-01", "2026-03-01", "信用", "结清", "2026-03-01", "0", ""],
    ["H2", "C2", "50000", "2025-05-01", "2026-05-01", "保证", "结清", "2026-05-01", "0", ""],
    ["H3", "C3", "100000", "2025-06-01", "2026-06-01", "抵押", "结清", "2026-06-01", "0", ""],
    ["H4", "C4", "30000", "2025-11-15", "2026-11-15", "信用", "结清", "2026-11-15", "0", ""],
    ["H5", "C5", "30000", "2025-01-01", "2026-01-01", "信用", "核销", "", "30000", "200"],
    ["H6", "C6", "30000", "2024-11-01", "2025-11-01", "信用", "结清", "2025-11-01", "0", ""],
]  # fmt: skip


def ok(result: Result) -> Result:
    assert result.exit_code == 0, result.stderr
    return result


@pytest.fixture
def book(cli: Cli, make_csv: Callable[..., Path]) -> Cli:
    ok(cli("import", "customers", str(make_csv("c.csv", BOOK_CUSTOMERS))))
    ok(cli("import", "loans", str(make_csv("l.csv", BOOK_LOANS))))
    return cli


def runoff(cli: Cli, *args: str, env: dict[str, str] | None = None) -> dict[str, Any]:
    result = ok(cli("runoff", "--months", "3", *args, "--format", "json", env=env))
    payload: dict[str, Any] = result.json()
    return payload


def total_months(payload: dict[str, Any]) -> list[dict[str, Any]]:
    return [m for m in payload["months"] if m["group"] is None]


def test_the_ladder_of_a_hand_computed_book(book: Cli) -> None:
    payload = runoff(book)
    assert payload["balance"] == 240000.00
    assert payload["renewal_rate"] == 0.6667
    assert payload["renewal_size_ratio"] == 1.2
    months = total_months(payload)
    assert [m["month"] for m in months] == ["2026-12", "2027-01", "2027-02"]
    # 2026-12: L1's balance 60,000 matures; 240,000 − 60,000 = 180,000 left (75%);
    #   renewals 0.8 × 60,000 = 48,000; forecast 228,000; gap 240,000 − 228,000 = 12,000.
    # 2027-01: L2 (no balance: principal 50,000) + L4 10,000 = 60,000, two customers;
    #   remaining 120,000 (50%); forecast 120,000 + 0.8 × 120,000 = 216,000; cum. gap 24,000.
    # 2027-02: L3 80,000; remaining 40,000 (1/6); forecast 40,000 + 0.8 × 200,000 = 200,000.
    expected = [
        (1, 1, 60000, 180000, 0.75, 48000, 228000, 12000, 12000),
        (2, 2, 60000, 120000, 0.5, 48000, 216000, 12000, 24000),
        (1, 1, 80000, 40000, 0.1667, 64000, 200000, 16000, 40000),
    ]
    for month, row in zip(months, expected, strict=True):
        loans, people, maturing, remaining, share, renewals, forecast, gap, cumulative = row
        assert month["loans"] == loans and month["customers"] == people
        assert month["maturing"] == maturing and month["remaining"] == remaining
        assert month["share"] == share and month["renewals"] == renewals
        assert month["forecast"] == forecast and month["target"] == 240000
        assert month["gap"] == gap and month["cumulative_gap"] == cumulative
    # 0.8 × 240,000 = 192,000: the forecast never falls below it in 3 months.
    assert payload["cliff_month"] is None
    assert not any(m["below_cliff"] for m in months)


def test_renewals_are_measured_per_officer(book: Cli) -> None:
    renewals = {r["officer"]: r for r in runoff(book)["renewals"]}
    assert renewals["王芳"] == {
        "officer": "王芳", "closed": 2, "renewed": 1, "rate": 0.5, "size_ratio": 2.0,
    }  # fmt: skip
    assert renewals["李强"] == {
        "officer": "李强", "closed": 1, "renewed": 1, "rate": 1.0, "size_ratio": 0.8,
    }  # fmt: skip


def test_a_close_still_in_its_grace_days_counts_once_decided(book: Cli) -> None:
    """C4 closed 2026-11-15; on 2027-01-15 its 60 days are over with no new loan:
    李强 then has 1 renewed of 2 closes."""
    result = ok(book("runoff", "--format", "json", today="2027-01-15"))
    renewals = {r["officer"]: r for r in result.json()["renewals"]}
    assert (renewals["李强"]["closed"], renewals["李强"]["renewed"]) == (2, 1)


def test_the_grace_days_come_from_the_config(book: Cli, tmp_path: Path) -> None:
    """With 100 grace days C2's new loan 92 days after the close is a renewal too:
    3 of 3, size ratio (100,000 + 50,000 + 80,000) ÷ 200,000 = 1.15."""
    config = tmp_path / "config.toml"
    config.write_text("[retention]\nrenewal_grace_days = 100\n", encoding="utf-8")
    payload = runoff(book, env={"RETAIN_CONFIG": str(config)})
    assert payload["renewal_rate"] == 1.0 and payload["renewal_size_ratio"] == 1.15
    assert payload["renewal_grace_days"] == 100


@pytest.mark.parametrize(
    ("share", "cliff"),
    [
        # 0.9 × 240,000 = 216,000: January's forecast is 216,000, not below; February's is.
        ("0.9", "2027-02"),
        # 0.95 × 240,000 = 228,000: December's 228,000 is not below, January's 216,000 is.
        ("0.95", "2027-01"),
        ("0.5", None),
    ],
)
def test_the_cliff_is_the_first_month_below_the_share(
    book: Cli, tmp_path: Path, share: str, cliff: str | None
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(f"[retention]\ncliff_share = {share}\n", encoding="utf-8")
    payload = runoff(book, env={"RETAIN_CONFIG": str(config)})
    assert payload["cliff_month"] == cliff
    below = [m["month"] for m in total_months(payload) if m["below_cliff"]]
    assert (below[0] if below else None) == cliff


def test_a_target_balance_adds_its_distance_to_the_first_gap(book: Cli) -> None:
    """Target 300,000: 60,000 short today; December's cumulative gap 300,000 − 228,000
    = 72,000, of which 72,000 − 60,000 = 12,000 in December."""
    payload = runoff(book, "--target-balance", "300000")
    assert payload["target_balance"] == 300000.00
    first, second, _ = total_months(payload)
    assert (first["cumulative_gap"], first["gap"]) == (72000, 12000)
    assert (second["cumulative_gap"], second["gap"]) == (84000, 12000)


def test_by_officer_uses_each_officers_own_rate(book: Cli) -> None:
    """王芳: balance 110,000, rate × ratio 1.0: every maturing yuan comes back.
    李强: balance 130,000, 0.8: January L4 10,000 → forecast 120,000 + 8,000 = 128,000;
    February L3 80,000 → 40,000 + 0.8 × 90,000 = 112,000 (cum. gap 18,000)."""
    payload = runoff(book, "--by", "officer")
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for month in payload["months"]:
        if month["group"] is not None:
            groups[month["group"]].append(month)
    assert [m["forecast"] for m in groups["王芳"]] == [110000, 110000, 110000]
    assert [m["remaining"] for m in groups["王芳"]] == [50000, 0, 0]
    assert [m["forecast"] for m in groups["李强"]] == [130000, 128000, 112000]
    assert [m["cumulative_gap"] for m in groups["李强"]] == [0, 2000, 18000]
    # The total is the whole book, at the whole book's rate.
    assert [m["forecast"] for m in total_months(payload)] == [228000, 216000, 200000]


def test_by_guarantee_splits_the_months(book: Cli) -> None:
    payload = runoff(book, "--by", "guarantee")
    january = {m["group"]: m for m in payload["months"] if m["month"] == "2027-01"}
    assert january["guarantee"]["maturing"] == 50000  # L2
    assert january["credit"]["maturing"] == 10000  # L4
    assert january[None]["maturing"] == 60000


def test_officer_narrows_the_book_and_the_rate(book: Cli) -> None:
    payload = runoff(book, "--officer", "李强")
    assert payload["officer"] == "李强" and payload["balance"] == 130000.00
    assert payload["renewal_rate"] == 1.0 and payload["renewal_size_ratio"] == 0.8
    assert [m["maturing"] for m in total_months(payload)] == [0, 10000, 80000]


def test_a_schedule_matures_by_its_unpaid_principal(book: Cli) -> None:
    """L3 gets a schedule: 2026-12-10 principal 30,000 + interest 500, 3,000 paid
    (interest first: 2,500 of principal paid, 27,500 unpaid); 2027-01-10 30,000;
    2027-02-10 20,000; a paid one in November stays out. L3 no longer matures
    whole in February."""
    rows = [
        ("L3", 1, "2026-11-10", 20000, 500, 20500),
        ("L3", 2, "2026-12-10", 30000, 500, 3000),
        ("L3", 3, "2027-01-10", 30000, 500, None),
        ("L3", 4, "2027-02-10", 20000, 500, None),
    ]
    with closing(book.connect()) as conn:
        for loan, period, due, principal, interest, paid in rows:
            day = (dt.date.fromisoformat(due) - dt.date(1970, 1, 1)).days
            conn.execute(
                "INSERT INTO instalments (loan_id, period, due_on, due_day, principal_fen,"
                " interest_fen, paid_fen) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (loan, period, due, day, principal * 100, interest * 100,
                 None if paid is None else paid * 100),
            )  # fmt: skip
    months = total_months(runoff(book))
    assert [m["maturing"] for m in months] == [60000 + 27500, 60000 + 30000, 20000]
    # L3 still reaches maturity in February: a loan and its borrower are counted there.
    assert [m["loans"] for m in months] == [1, 2, 1]


def test_every_format(book: Cli, tmp_path: Path) -> None:
    tsv = ok(book("runoff", "--months", "2", "--format", "tsv")).stdout
    assert tsv.splitlines()[0].split("\t")[:3] == ["group", "month", "loans"]
    assert tsv.splitlines()[1].split("\t")[1:7] == [
        "2026-12", "1", "1", "60000.00", "180000.00", "0.7500",
    ]  # fmt: skip
    rows = list(csv.DictReader(io.StringIO(ok(book("runoff", "--format", "csv")).stdout)))
    assert len(rows) == 12 and rows[0]["below_cliff"] == "false"
    lines = ok(book("runoff", "--months", "2", "--format", "ndjson")).stdout.splitlines()
    assert len(lines) == 2 and '"share": 0.7500' in lines[0]
    payload = runoff(book)
    assert set(payload["definitions"]) >= {"renewal_rate", "forecast", "gap", "cliff"}
    assert "÷" in payload["definitions"]["renewal_rate"]
    target = tmp_path / "ladder.json"
    ok(book("runoff", "--months", "3", "--output", str(target)))
    assert '"cliff_month": null' in target.read_text(encoding="utf-8")
    again = book("runoff", "--output", str(target))
    assert again.exit_code == 2 and "Error:" in again.stderr
    ok(book("runoff", "--output", str(target), "--force", "--format", "csv"))
    assert target.read_text(encoding="utf-8-sig").startswith("group,month")


def test_the_table_has_definitions_and_a_chart_without_colour(book: Cli) -> None:
    result = ok(book("runoff", "--months", "3", env={"RETAIN_TTY": "1", "NO_COLOR": "1"}))
    assert "\x1b[" not in result.stdout
    assert "Definitions:" in result.stdout and "forecast = remaining" in result.stdout
    assert "Renewal rate 66.7% (2 of 3 customers" in result.stdout
    bars = [line for line in result.stdout.splitlines() if line.startswith("2027-02  ")]
    assert bars and "█" in bars[0] and "▒" in bars[0] and "┃" in bars[0]


def test_the_chinese_table_lines_up(book: Cli) -> None:
    from rich.cells import cell_len

    result = ok(book("runoff", "--months", "3", env={"RETAIN_TTY": "1", "RETAIN_LANG": "zh"}))
    text = ANSI.sub("", result.stdout)
    assert "续贷率" in text and "口径：" in text
    bars = [line for line in text.splitlines() if re.match(r"^20\d\d-\d\d  [█▒ ┃]", line)]
    assert len(bars) == 3
    assert len({cell_len(line) for line in bars}) == 1  # the value column lines up


def test_a_bad_by_is_a_usage_error(book: Cli) -> None:
    result = book("runoff", "--by", "branch")
    assert result.exit_code == 2 and "Traceback" not in result.stderr


# ---------------------------------------------------------------------------
# The ladder's months add up to the loans maturing in them (any book)

loan_strategy = st.tuples(
    st.integers(min_value=0, max_value=4),  # customer
    st.integers(min_value=-30, max_value=500),  # maturity, days from today
    st.integers(min_value=1, max_value=500),  # balance, hundreds of yuan
    st.booleans(),  # open (else closed)
    st.sampled_from(["信用", "保证", "抵押", "质押"]),
)


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(loans=st.lists(loan_strategy, min_size=1, max_size=12))
def test_month_totals_are_the_loans_maturing_in_them(
    tmp_path: Path, make_csv: Callable[..., Path], loans: list[tuple[int, int, int, bool, str]]
) -> None:
    cli = Cli(tmp_path / uuid.uuid4().hex / "retain.db")  # a fresh store per example
    today = dt.date(2026, 12, 1)
    rows: list[list[object]] = [LOAN_HEADER]
    expected: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    people: dict[str, set[int]] = defaultdict(set)
    balance = 0
    for index, (customer, days, hundreds, is_open, guarantee) in enumerate(loans):
        matures = today + dt.timedelta(days=days)
        status, closed = ("正常", "") if is_open else ("结清", "2026-06-01")
        rows.append(
            [f"P{index}", f"C{customer}", hundreds * 100, "2025-01-01", matures.isoformat(),
             guarantee, status, closed, hundreds * 100 if is_open else 0, ""]
        )  # fmt: skip
        if is_open:
            balance += hundreds * 100
            if days >= 0 and matures < dt.date(2027, 12, 1):
                month = matures.strftime("%Y-%m")
                expected[month][0] += 1
                expected[month][1] += hundreds * 100
                people[month].add(customer)
    customers = [CUSTOMER_HEADER] + [
        [f"C{i}", f"客户{i}", f"1381234800{i}", "", "", "王芳", ""] for i in range(5)
    ]
    ok(cli("import", "customers", str(make_csv("hc.csv", customers))))
    ok(cli("import", "loans", str(make_csv("hl.csv", rows))))
    payload = runoff_all(cli)
    months = total_months(payload)
    assert payload["balance"] == balance
    remaining = balance
    for month in months:
        loans_count, maturing = expected.get(month["month"], [0, 0])
        assert (month["loans"], month["maturing"]) == (loans_count, maturing)
        assert month["customers"] == len(people.get(month["month"], set()))
        remaining -= maturing
        assert month["remaining"] == remaining
    by = [m for m in runoff_all(cli, "--by", "guarantee")["months"] if m["group"] is not None]
    for month in months:
        split = [m for m in by if m["month"] == month["month"]]
        assert sum(m["maturing"] for m in split) == month["maturing"]
        assert sum(m["loans"] for m in split) == month["loans"]


def runoff_all(cli: Cli, *args: str) -> dict[str, Any]:
    result = ok(cli("runoff", *args, "--format", "json"))
    payload: dict[str, Any] = result.json()
    return payload
