"""`retain retention`: client retention, dropout, repeat borrowing and win-backs per period."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import CUSTOMER_HEADER, LOAN_HEADER, Cli, Result

# A borrower is active on day d when disbursed ≤ d < closed (a written-off loan
# without a close day ends at its maturity). Today is 2026-12-01, grace 60 days.
#   A  A1 2026-01-01, open                                  active throughout
#   B  B1 2025-10-01 → closed 2026-09-15; B2 2026-10-01 open  renewed 16 days later; back in Oct
#   C  C1 2025-09-01 → closed 2026-09-20, nothing since      a dropout in Sep
#   D  D1 2026-10-10 open: first loan ever                   new in Oct
#   E  E1 2025-06-01 → closed 2026-11-20                     undecided on 2026-12-01
#   F  F1 2025-01-01 written off, matured 2026-01-01          no-loan throughout
#   G  G1 2025-02-01 → closed 2026-02-01; G2 2026-03-01 open  a repeat borrower
#   H  H1 2026-08-01 and H2 2026-08-15, both open             two loans, never closed
# Officers: A–D 王芳, E–H 李强.
CUSTOMERS = [CUSTOMER_HEADER] + [
    [c, f"客户{c}", f"1381234800{i}", "", "", "王芳" if c in "ABCD" else "李强", ""]
    for i, c in enumerate("ABCDEFGH")
]
LOANS = [
    LOAN_HEADER,
    ["A1", "A", "10000", "2026-01-01", "2027-01-01", "信用", "正常", "", "", ""],
    ["B1", "B", "10000", "2025-10-01", "2026-10-01", "信用", "结清", "2026-09-15", "0", ""],
    ["B2", "B", "10000", "2026-10-01", "2027-10-01", "信用", "正常", "", "", ""],
    ["C1", "C", "10000", "2025-09-01", "2026-09-01", "信用", "结清", "2026-09-20", "0", ""],
    ["D1", "D", "10000", "2026-10-10", "2027-10-10", "信用", "正常", "", "", ""],
    ["E1", "E", "10000", "2025-06-01", "2026-12-01", "信用", "结清", "2026-11-20", "0", ""],
    ["F1", "F", "10000", "2025-01-01", "2026-01-01", "信用", "核销", "", "10000", "300"],
    ["G1", "G", "10000", "2025-02-01", "2026-02-01", "信用", "结清", "2026-02-01", "0", ""],
    ["G2", "G", "10000", "2026-03-01", "2027-03-01", "信用", "正常", "", "", ""],
    ["H1", "H", "10000", "2026-08-01", "2027-08-01", "信用", "正常", "", "", ""],
    ["H2", "H", "10000", "2026-08-15", "2027-08-15", "信用", "正常", "", "", ""],
]  # fmt: skip


def ok(result: Result) -> Result:
    assert result.exit_code == 0, result.stderr
    return result


@pytest.fixture
def book(cli: Cli, make_csv: Callable[..., Path]) -> Cli:
    ok(cli("import", "customers", str(make_csv("c.csv", CUSTOMERS))))
    ok(cli("import", "loans", str(make_csv("l.csv", LOANS))))
    return cli


def periods(cli: Cli, *args: str, today: str | None = None) -> dict[str, dict[str, Any]]:
    result = ok(cli("retention", *args, "--format", "json", today=today))
    return {p["period"]: p for p in result.json()["periods"] if p["officer"] is None}


MONTHS = ("--from", "2026-09-01", "--to", "2026-11-30")


def test_borrowers_at_start_and_end_and_the_retention_rate(book: Cli) -> None:
    found = periods(book, *MONTHS)
    assert list(found) == ["2026-09", "2026-10", "2026-11"]
    sep, oct_, nov = found["2026-09"], found["2026-10"], found["2026-11"]
    # Aug 31: A, B, C, E, G, H = 6. Sep 30: A, E, G, H = 4 (B and C closed). New: none.
    # Retention = (4 − 0) ÷ 6.
    assert (sep["active_start"], sep["active_end"], sep["new_borrowers"]) == (6, 4, 0)
    assert sep["retention_rate"] == 0.6667
    # Oct 31: A, B (back), D (new), E, G, H = 6; retention = (6 − 1) ÷ 4.
    assert (oct_["active_start"], oct_["active_end"], oct_["new_borrowers"]) == (4, 6, 1)
    assert oct_["retention_rate"] == 1.25
    # Nov 30: E closed on the 20th: 5; retention = 5 ÷ 6.
    assert (nov["active_start"], nov["active_end"], nov["new_borrowers"]) == (6, 5, 0)
    assert nov["retention_rate"] == 0.8333


def test_dropouts_count_decided_closes_only(book: Cli) -> None:
    found = periods(book, *MONTHS)
    # Sep: B closed and renewed 16 days later, C closed with nothing since: 1 ÷ 2.
    assert (found["2026-09"]["closed"], found["2026-09"]["dropouts"]) == (2, 1)
    assert found["2026-09"]["dropout_rate"] == 0.5
    assert found["2026-10"]["closed"] == 0 and found["2026-10"]["dropout_rate"] is None
    # Nov: E closed on 2026-11-20, 11 days ago: not decided yet.
    assert found["2026-11"]["closed"] == 0
    # On 2027-02-01 its 60 days are over without a new loan: a dropout.
    later = periods(book, *MONTHS, today="2027-02-01")
    assert (later["2026-11"]["closed"], later["2026-11"]["dropouts"]) == (1, 1)


def test_repeat_borrowing_counts_clients_by_the_periods_end(book: Cli) -> None:
    found = periods(book, *MONTHS)
    # By Sep 30, closed at least one loan: B, C, G; of them two loans or more: G.
    assert (found["2026-09"]["closers"], found["2026-09"]["repeaters"]) == (3, 1)
    assert found["2026-09"]["repeat_rate"] == 0.3333
    # By Oct 31 B has its second loan: 2 ÷ 3. By Nov 30 E has closed too: 2 ÷ 4.
    # H has two loans but never closed one: in neither count.
    assert (found["2026-10"]["closers"], found["2026-10"]["repeaters"]) == (3, 2)
    assert (found["2026-11"]["closers"], found["2026-11"]["repeaters"]) == (4, 2)
    assert found["2026-11"]["repeat_rate"] == 0.5


def test_noloan_customers_and_win_backs(book: Cli) -> None:
    found = periods(book, *MONTHS)
    # Borrowed before but no active loan: Aug 31 F; Sep 30 F, B, C; Oct 31 F, C;
    # Nov 30 F, C, E. B came back (B2) in October.
    assert [(p["noloan_start"], p["noloan_end"], p["won_back"]) for p in found.values()] == [
        (1, 3, 0),
        (3, 2, 1),
        (2, 3, 0),
    ]


def test_quarters_across_a_period_boundary(book: Cli) -> None:
    found = periods(book, "--period", "quarter", "--from", "2026-07-01", "--to", "2026-11-30")
    q3, q4 = found["2026-Q3"], found["2026-Q4"]
    assert (q3["start"], q3["end"], q4["start"], q4["end"]) == (
        "2026-07-01", "2026-09-30", "2026-10-01", "2026-11-30",
    )  # fmt: skip
    # Jun 30: A, B, C, E, G = 5 (H's first loan is Aug 1: new in Q3). Sep 30: A, E, G, H.
    # Retention = (4 − 1) ÷ 5 = 0.6. Q4: 4 → A, B, D, G, H = 5, D new: (5 − 1) ÷ 4 = 1.
    assert (q3["active_start"], q3["active_end"], q3["new_borrowers"]) == (5, 4, 1)
    assert q3["retention_rate"] == 0.6
    assert (q4["active_start"], q4["active_end"], q4["new_borrowers"]) == (4, 5, 1)
    assert q4["retention_rate"] == 1.0
    assert (q3["dropouts"], q3["closed"], q4["won_back"]) == (1, 2, 1)
    assert (q3["noloan_start"], q3["noloan_end"], q4["noloan_end"]) == (1, 3, 3)


def test_years_and_the_default_range(book: Cli) -> None:
    years = periods(book, "--period", "year")
    assert list(years) == ["2024", "2025", "2026"]
    assert years["2026"]["end"] == "2026-12-01"  # the last period ends today
    months = periods(book)
    assert len(months) == 12 and list(months)[-1] == "2026-12"


def test_by_officer(book: Cli) -> None:
    result = ok(book("retention", *MONTHS, "--by", "officer", "--format", "json"))
    rows = {(p["officer"], p["period"]): p for p in result.json()["periods"]}
    # 王芳 (A–D) in Sep: A, B, C → A; B renewed, C dropped: retention 1 ÷ 3, dropout 1 ÷ 2.
    wang = rows[("王芳", "2026-09")]
    assert (wang["active_start"], wang["active_end"], wang["dropouts"], wang["closed"]) == (
        3, 1, 1, 2,
    )  # fmt: skip
    # 李强 (E–H): E, G, H at both ends.
    li = rows[("李强", "2026-09")]
    assert (li["active_start"], li["active_end"], li["retention_rate"]) == (3, 3, 1.0)


def test_every_format_and_the_definitions(book: Cli) -> None:
    payload = ok(book("retention", *MONTHS, "--format", "json")).json()
    assert payload["period"] == "month" and payload["from"] == "2026-09-01"
    assert (
        "(borrowers at end − new borrowers) ÷ borrowers at start"
        in (payload["definitions"]["retention_rate"])
    )
    tsv = ok(book("retention", *MONTHS, "--format", "tsv")).stdout.splitlines()
    assert tsv[0].split("\t")[:4] == ["period", "start", "end", "officer"]
    assert tsv[1].split("\t")[4:8] == ["6", "4", "0", "0.6667"]
    rows = list(csv.DictReader(io.StringIO(ok(book("retention", *MONTHS, "-f", "csv")).stdout)))
    assert [r["won_back"] for r in rows] == ["0", "1", "0"]
    lines = ok(book("retention", *MONTHS, "--format", "ndjson")).stdout.splitlines()
    assert len(lines) == 3 and '"dropout_rate": null' in lines[1]
    table = ok(book("retention", *MONTHS, env={"RETAIN_TTY": "1", "NO_COLOR": "1"})).stdout
    assert "Retention" in table and "Definitions:" in table and "66.7%" in table
    zh = ok(book("retention", *MONTHS, env={"RETAIN_TTY": "1", "RETAIN_LANG": "zh"})).stdout
    assert "留存率" in zh and "无贷户" in zh


def test_bad_ranges_are_one_line_errors(book: Cli) -> None:
    result = book("retention", "--from", "2026-10-01", "--to", "2026-09-01")
    assert result.exit_code == 2 and result.stderr.startswith("Error: --from 2026-10-01")
    assert book("retention", "--period", "week").exit_code == 2
    assert book("retention", "--from", "someday").exit_code == 2
