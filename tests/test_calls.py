"""``retain calls``: the ranked daily call list, rule by rule, through the real CLI.

Every scenario is a small hand-built loan book imported from CSV files with a
fixed ``--today``; expected scores are computed here from the default weights:

- overdue: 125 + 0.5 × days past due (at most 360) + class weight
  (关注 10, 次级 20, 可疑 30, 损失 40)
- maturing: 30 + 2 × (30 − days left)
- follow_up: 125 + 1 × days late (at most 30)
- post_loan_check 15, revisit 12, win_back 10

each term rounded to an integer (half up).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import CUSTOMER_HEADER, LOAN_HEADER, Cli, Result

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
T0 = dt.date(2026, 12, 1)  # a Tuesday; the Cli fixture's default --today
TERMS = (
    "overdue", "maturing", "follow_up", "post_loan_check", "revisit", "win_back", "recovery",
    "collateral_expiry",
    "broken_promise",
    "instalment",
    "cross_sell",
    "stay_in_touch", "birthday",
    "prospect",
    "season",
)  # fmt: skip
CALL_FIELDS = [
    "rank", "score", "customer_id", "name", "phone", "officer", "reasons", "action",
    "days_past_due", "days_left", "next_on", "last_contact", "failed_attempts", "last_attempt",
    "phone_unusable_since", *TERMS,
]  # fmt: skip
EN_CUSTOMER_HEADER = ["customer_id", "name", "phone", "id_number", "industry", "officer", "segment"]
EN_LOAN_HEADER = [
    "loan_id", "customer_id", "principal", "disbursed_on", "matures_on", "guarantee", "status",
    "closed_on", "balance", "days_past_due",
]  # fmt: skip

POST, REVISIT, WIN_BACK = 15, 12, 10


# -- expected points, from the default weights ------------------------------------


def half_up(value: float) -> int:
    return math.floor(value + 0.5)


def class_weight(dpd: int) -> int:
    if dpd <= 0:
        return 0
    if dpd <= 90:
        return 10  # 关注
    if dpd <= 180:
        return 20  # 次级
    if dpd <= 360:
        return 30  # 可疑
    return 40  # 损失


def overdue_pts(dpd: int) -> int:
    return half_up(125 + 0.5 * min(dpd, 360) + class_weight(dpd))


def maturing_pts(days_left: int) -> int:
    return half_up(30 + 2 * (30 - days_left))


def follow_up_pts(late: int) -> int:
    return half_up(125 + 1 * min(late, 30))


# -- building a loan book --------------------------------------------------------


def day(offset: int, base: dt.date = T0) -> str:
    return (base + dt.timedelta(days=offset)).isoformat()


def cust(cid: str, name: str = "", phone: str = "", officer: str = "王芳") -> list[object]:
    return [cid, name or f"客户{cid}", phone, "", "粮油", officer, ""]


def loan(
    loan_id: str,
    customer: str,
    disbursed: str,
    matures: str,
    guarantee: str = "信用",
    status: str = "正常",
    closed: str = "",
    dpd: object = "",
) -> list[object]:
    return [loan_id, customer, "50000", disbursed, matures, guarantee, status, closed, "", dpd]


_loads = {"n": 0}


def load(
    cli: Cli,
    make_csv: Callable[..., Path],
    customers: Sequence[Sequence[object]],
    loans: Sequence[Sequence[object]] = (),
    *,
    today: str | None = None,
    english: bool = False,
) -> Cli:
    _loads["n"] += 1
    n = _loads["n"]
    if customers:
        header = EN_CUSTOMER_HEADER if english else CUSTOMER_HEADER
        path = make_csv(f"customers{n}.csv", [header, *customers])
        result = cli("import", "customers", str(path), "--format", "json", today=today)
        assert result.exit_code == 0, (result.stdout, result.stderr)
    if loans:
        header = EN_LOAN_HEADER if english else LOAN_HEADER
        path = make_csv(f"loans{n}.csv", [header, *loans])
        result = cli("import", "loans", str(path), "--format", "json", today=today)
        assert result.exit_code == 0, (result.stdout, result.stderr)
    return cli


def calls(cli: Cli, *args: str, today: str | None = None, env: Any = None) -> list[dict[str, Any]]:
    result = cli("calls", "--format", "json", *args, today=today, env=env)
    assert result.exit_code == 0, result.stderr
    rows: list[dict[str, Any]] = result.json()
    return rows


def ids(rows: list[dict[str, Any]]) -> list[str]:
    return [row["customer_id"] for row in rows]


def row_of(rows: list[dict[str, Any]], customer_id: str) -> dict[str, Any]:
    found = [row for row in rows if row["customer_id"] == customer_id]
    assert len(found) == 1, (customer_id, ids(rows))
    return found[0]


def terms_of(row: dict[str, Any]) -> dict[str, int]:
    return {term: row[term] for term in TERMS if row[term]}


def explain(cli: Cli, customer_id: str, today: str | None = None, env: Any = None) -> Any:
    result = cli("calls", "--explain", customer_id, "--format", "json", today=today, env=env)
    assert result.exit_code == 0, result.stderr
    return result.json()


def explain_terms(payload: Any) -> dict[str, int]:
    return {t["term"]: t["points"] for t in payload["terms"] if t["points"]}


def log(cli: Cli, *args: str, today: str | None = None, input: str | None = None) -> Result:
    result = cli("log", *args, today=today, input=input)
    assert result.exit_code == 0, result.stderr
    return result


def table(cli: Cli, *args: str, today: str | None = None, env: Any = None) -> str:
    result = cli(*args, today=today, env={"RETAIN_TTY": "1", "COLUMNS": "220", **(env or {})})
    assert result.exit_code == 0, result.stderr
    return ANSI.sub("", result.stdout)


def error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("Error:")]


def write_config(tmp_path: Path, text: str) -> dict[str, str]:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return {"RETAIN_CONFIG": str(path)}


# ---------------------------------------------------------------------------
# Output shape


def test_json_rows_carry_every_documented_field(cli: Cli, make_csv: Callable[..., Path]) -> None:
    load(cli, make_csv, [cust("C1")], [loan("L1", "C1", day(-5), day(10))], english=True)
    rows = calls(cli)
    assert list(rows[0]) == [*CALL_FIELDS, "data_as_of"]
    assert rows[0]["rank"] == 1


# ---------------------------------------------------------------------------
# Maturity tiers 30/15/7/1


def test_loan_maturing_in_10_days_is_listed_with_the_maturing_term(
    cli: Cli, make_csv: Callable[..., Path]
) -> None:
    # Disbursed 5 days ago: no post-loan check yet, so maturing is the only term.
    load(cli, make_csv, [cust("C1")], [loan("L1", "C1", day(-5), day(10))])
    rows = calls(cli)
    assert ids(rows) == ["C1"]
    assert terms_of(rows[0]) == {"maturing": maturing_pts(10)} == {"maturing": 70}
    assert rows[0]["score"] == 70
    assert rows[0]["reasons"] == "maturing"
    assert rows[0]["days_left"] == 10
    assert rows[0]["days_past_due"] is None


def test_contact_in_a_maturity_window_clears_it_until_the_next_window(
    cli: Cli, make_csv: Callable[..., Path]
) -> None:
    # Matures 2026-12-15: 14 days left on T0 (the 15-day window), the 7-day
    # window opens on 12-08. First post-loan check only on 12-11.
    load(cli, make_csv, [cust("C1")], [loan("L1", "C1", day(-5), day(14))])
    assert terms_of(calls(cli)[0]) == {"maturing": maturing_pts(14)}

    log(cli, "C1", "--channel", "call", "--outcome", "reached", "--at", f"{day(0)} 10:00")
    assert calls(cli) == []  # gone the same day
    assert calls(cli, today=day(2)) == []  # still gone 2 days later
    # 8 days left: beyond the quiet days, same 15-day window, contacted within it.
    assert calls(cli, today=day(6)) == []
    assert explain(cli, "C1", today=day(6))["terms"][1] == {
        "term": "maturing",
        "points": 0,
        "rule": "does not apply today",
    }
    # 7 days left: a new window opened, so the customer is back.
    rows = calls(cli, today=day(7))
    assert ids(rows) == ["C1"]
    assert terms_of(rows[0]) == {"maturing": maturing_pts(7)} == {"maturing": 76}


@pytest.mark.parametrize(
    ("contact_left", "still_gone_left", "back_left"),
    [(30, 16, 15), (14, 8, 7), (6, 2, 1)],
    ids=["30-day", "15-day", "7-day"],
)
def test_each_maturity_tier_is_one_call(
    cli: Cli,
    make_csv: Callable[..., Path],
    contact_left: int,
    still_gone_left: int,
    back_left: int,
) -> None:
    matures = T0 + dt.timedelta(days=contact_left)
    load(cli, make_csv, [cust("C1")], [loan("L1", "C1", day(-200), matures.isoformat())])
    when = {left: day(-left, matures) for left in (contact_left, still_gone_left, back_left)}
    assert row_of(calls(cli, "--reason", "maturing"), "C1")["maturing"] == maturing_pts(
        contact_left
    )
    log(cli, "C1", "--at", f"{when[contact_left]} 09:30")
    gone = explain(cli, "C1", today=when[still_gone_left])
    assert "maturing" not in explain_terms(gone)
    assert calls(cli, "--reason", "maturing", today=when[still_gone_left]) == []
    back = calls(cli, "--reason", "maturing", today=when[back_left])
    assert ids(back) == ["C1"]
    assert back[0]["maturing"] == maturing_pts(back_left)
    assert back[0]["days_left"] == back_left


def test_loan_maturing_beyond_30_days_has_no_maturing_term(
    cli: Cli, make_csv: Callable[..., Path]
) -> None:
    load(cli, make_csv, [cust("C1"), cust("C2")], [
        loan("L1", "C1", day(-5), day(31)),
        loan("L2", "C2", day(-5), day(30)),
    ])  # fmt: skip
    rows = calls(cli)
    assert ids(rows) == ["C2"]
    assert rows[0]["maturing"] == maturing_pts(30) == 30


# ---------------------------------------------------------------------------
# Overdue


def test_overdue_from_imported_days_past_due_grows_with_days_and_class(
    cli: Cli, make_csv: Callable[..., Path]
) -> None:
    dpds = {"D001": 1, "D030": 30, "D090": 90, "D091": 91, "D180": 180, "D181": 181,
            "D360": 360, "D361": 361, "D500": 500}  # fmt: skip
    load(
        cli,
        make_csv,
        [cust(cid) for cid in dpds],
        # Maturity long past: the imported days past due win over today − maturity.
        [loan(f"L{cid}", cid, "2024-01-01", "2025-01-01", status="逾期", dpd=d)
         for cid, d in dpds.items()],
    )  # fmt: skip
    rows = calls(cli, "--limit", "50")
    for cid, dpd in dpds.items():
        row = row_of(rows, cid)
        assert row["overdue"] == overdue_pts(dpd), cid
        assert row["days_past_due"] == dpd
        # First imported long after disbursement: no post-loan check is due yet.
        assert row["score"] == overdue_pts(dpd)
    assert [row_of(rows, c)["overdue"] for c in ("D090", "D091")] == [180, 191]
    assert [row_of(rows, c)["overdue"] for c in ("D360", "D361", "D500")] == [335, 345, 345]
    # Worse arrears, higher on the list (equal scores by customer id).
    assert ids(rows) == sorted(dpds, key=lambda c: (-overdue_pts(dpds[c]), c))


def test_overdue_from_maturity_when_days_past_due_absent(
    cli: Cli, make_csv: Callable[..., Path]
) -> None:
    load(cli, make_csv, [cust("C1"), cust("C2")], [
        loan("L1", "C1", "2025-11-04", day(-27), status="逾期"),  # 27 days past maturity
        loan("L2", "C2", "2025-11-04", day(-5), status="正常"),  # still "active", but late
    ])  # fmt: skip
    rows = calls(cli)
    assert (row_of(rows, "C1")["days_past_due"], row_of(rows, "C1")["overdue"]) == (27, 149)
    assert row_of(rows, "C2")["overdue"] == overdue_pts(5)
    # The days (and the class) grow with today.
    later = calls(cli, today=day(4))
    assert row_of(later, "C1")["days_past_due"] == 31
    assert row_of(later, "C1")["overdue"] == overdue_pts(31)
    substandard = calls(cli, today=day(70))  # 97 days past due: 次级
    assert row_of(substandard, "C1")["overdue"] == overdue_pts(97) == 194


# ---------------------------------------------------------------------------
# Follow-up


def test_follow_up_date_reached_lists_even_within_quiet_days(
    cli: Cli, make_csv: Callable[..., Path]
) -> None:
    load(cli, make_csv, [cust("C1")])  # no loan at all: only the promise matters
    log(cli, "C1", "--outcome", "promised", "--next", "tomorrow", "--at", f"{day(0)} 10:00")
    assert calls(cli) == []
    rows = calls(cli, today=day(1))  # one day after the contact: quiet, but promised
    assert ids(rows) == ["C1"]
    assert terms_of(rows[0]) == {"follow_up": 125}
    assert rows[0]["reasons"] == "follow_up"
    assert rows[0]["next_on"] == day(1)
    assert row_of(calls(cli, today=day(4)), "C1")["follow_up"] == follow_up_pts(3) == 128
    assert row_of(calls(cli, today=day(60)), "C1")["follow_up"] == follow_up_pts(59) == 155


def test_no_follow_up_term_before_the_date(cli: Cli, make_csv: Callable[..., Path]) -> None:
    load(cli, make_csv, [cust("C1")], [loan("L1", "C1", day(-3), day(300))])
    log(cli, "C1", "--next", "+5d", "--at", f"{day(0)} 10:00")
    # Day 4: past the quiet days, the promise not yet due.
    assert calls(cli, today=day(4)) == []
    assert explain(cli, "C1", today=day(4))["score"] == 0
    rows = calls(cli, today=day(5))
    assert terms_of(rows[0]) == {"follow_up": 125}


# ---------------------------------------------------------------------------
# Post-loan check


def test_post_loan_check_15_days_after_disbursement_then_every_90(
    cli: Cli, make_csv: Callable[..., Path]
) -> None:
    disbursed = T0 - dt.timedelta(days=10)
    load(cli, make_csv, [cust("C1")], [loan("L1", "C1", disbursed.isoformat(), day(400))])
    assert calls(cli) == []  # 10 days after disbursement
    assert "post_loan_check" not in explain_terms(explain(cli, "C1"))
    first = day(15, disbursed)
    rows = calls(cli, today=first)
    assert ids(rows) == ["C1"]
    assert terms_of(rows[0]) == {"post_loan_check": POST}
    assert rows[0]["reasons"] == "post_loan_check"

    log(cli, "C1", "--channel", "visit", "--at", f"{first} 15:00", today=first)
    assert calls(cli, today=day(19, disbursed)) == []  # cleared by the visit
    assert calls(cli, today=day(104, disbursed)) == []
    again = calls(cli, today=day(105, disbursed))  # 90 days after the first
    assert terms_of(again[0]) == {"post_loan_check": POST}


def test_contact_long_before_the_check_fell_due_does_not_clear_it(
    cli: Cli, make_csv: Callable[..., Path]
) -> None:
    disbursed = T0 - dt.timedelta(days=10)
    load(cli, make_csv, [cust("C1")], [loan("L1", "C1", disbursed.isoformat(), day(400))])
    # Eight days before the check of day 5: too early to count (7 days).
    log(cli, "C1", "--at", f"{day(-3)} 10:00")
    rows = calls(cli, today=day(5))
    assert terms_of(rows[0]) == {"post_loan_check": POST}


# ---------------------------------------------------------------------------
# Secured loans: return visits


def test_secured_loans_get_a_revisit_every_90_days_credit_never(
    cli: Cli, make_csv: Callable[..., Path]
) -> None:
    load(cli, make_csv, [cust(c) for c in ("M90", "P89", "P90", "X90", "G90")], [
        loan("LM", "M90", day(-90), day(600), "抵押"),
        loan("LP1", "P89", day(-89), day(600), "质押"),
        loan("LP2", "P90", day(-90), day(600), "质押"),
        loan("LX", "X90", day(-90), day(600), "信用"),
        loan("LG", "G90", day(-90), day(600), "保证"),
    ])  # fmt: skip
    rows = calls(cli)
    revisit = {row["customer_id"]: row["revisit"] for row in rows}
    assert revisit == {"M90": REVISIT, "P90": REVISIT, "P89": 0, "X90": 0, "G90": 0}
    # Every one of them also has its post-loan check due (no contact yet).
    assert row_of(rows, "M90")["score"] == REVISIT + POST == 27
    assert row_of(rows, "X90")["score"] == POST
    assert ids(rows) == ["M90", "P90", "G90", "P89", "X90"]
    assert row_of(calls(cli, today=day(1)), "P89")["revisit"] == REVISIT
    assert row_of(calls(cli, today=day(400)), "X90")["revisit"] == 0


def test_revisit_counts_from_the_last_contact_of_any_channel(
    cli: Cli, make_csv: Callable[..., Path]
) -> None:
    load(cli, make_csv, [cust("C1")], [loan("L1", "C1", "2026-06-01", "2028-06-01", "抵押")])
    assert calls(cli, "--reason", "revisit")[0]["revisit"] == REVISIT
    log(cli, "C1", "--channel", "短信", "--outcome", "已接通", "--at", f"{day(0)} 11:00")
    assert "revisit" not in explain_terms(explain(cli, "C1", today=day(10)))
    assert calls(cli, "--reason", "revisit", today=day(89)) == []
    rows = calls(cli, "--reason", "revisit", today=day(90))
    assert ids(rows) == ["C1"]
    assert rows[0]["revisit"] == REVISIT


# ---------------------------------------------------------------------------
# No-loan customers: win back


def test_win_back_every_60_days_after_the_last_close(
    cli: Cli, make_csv: Callable[..., Path]
) -> None:
    load(cli, make_csv, [cust("C1")], [
        loan("L1", "C1", "2025-11-01", "2026-11-01", status="结清", closed=day(-30)),
    ])  # fmt: skip
    rows = calls(cli)
    assert terms_of(rows[0]) == {"win_back": WIN_BACK}
    assert rows[0]["reasons"] == "win_back"
    log(cli, "C1", "--channel", "wechat", "--at", f"{day(0)} 16:00")
    assert calls(cli, today=day(5)) == []
    assert calls(cli, today=day(59)) == []
    assert terms_of(calls(cli, today=day(60))[0]) == {"win_back": WIN_BACK}


def test_win_back_only_during_the_first_12_months(cli: Cli, make_csv: Callable[..., Path]) -> None:
    load(cli, make_csv, [cust("C1")], [
        loan("L1", "C1", "2024-12-15", "2025-12-15", status="结清", closed="2025-12-15"),
    ])  # fmt: skip
    assert ids(calls(cli)) == ["C1"]
    assert ids(calls(cli, today="2026-12-15")) == ["C1"]  # 12 months to the day
    assert calls(cli, today="2026-12-16") == []
    assert explain(cli, "C1", today="2026-12-16")["score"] == 0


def test_no_win_back_for_written_off_or_substandard_history(
    cli: Cli, make_csv: Callable[..., Path]
) -> None:
    def closed_loan(loan_id: str, customer: str, dpd: object = "") -> list[object]:
        return loan(loan_id, customer, "2025-11-01", "2026-11-01", "信用", "结清", day(-20), dpd)

    load(cli, make_csv, [cust(c) for c in ("OK", "W", "S91", "M90")], [
        closed_loan("L1", "OK"),
        closed_loan("L2", "W"),
        loan("L3", "W", "2024-01-01", "2025-01-01", status="核销", closed="2025-06-01"),
        closed_loan("L4", "S91", dpd=91),  # once 次级
        closed_loan("L5", "M90", dpd=90),  # at worst 关注
    ])  # fmt: skip
    rows = calls(cli)
    # W is listed for recovery of its written-off loan (账销案存), never to win back.
    assert ids(rows) == ["M90", "OK", "W"]
    assert all(terms_of(row) == {"win_back": WIN_BACK} for row in rows[:2])
    assert terms_of(rows[2]) == {"recovery": 5}
    assert explain(cli, "S91")["score"] == 0


def test_customer_with_an_open_loan_gets_no_win_back(
    cli: Cli, make_csv: Callable[..., Path]
) -> None:
    load(cli, make_csv, [cust("C1")], [
        loan("L1", "C1", "2025-11-01", "2026-11-01", status="结清", closed=day(-20)),
        loan("L2", "C1", day(-3), day(300)),
    ])  # fmt: skip
    assert calls(cli) == []


# ---------------------------------------------------------------------------
# Stay in touch: from the last logged contact, never from being listed


def test_being_listed_changes_nothing(cli: Cli, make_csv: Callable[..., Path]) -> None:
    load(cli, make_csv, [cust("C1"), cust("C2")], [
        loan("L1", "C1", "2026-06-01", "2028-06-01", "抵押"),
        loan("L2", "C2", day(-5), day(12)),
    ])  # fmt: skip
    first = cli("calls", "--format", "tsv")
    cli("calls", "--explain", "C1")
    cli("calls", "--format", "ids")
    second = cli("calls", "--format", "tsv")
    assert first.stdout == second.stdout
    assert first.stdout.count("\n") == 3
    # Days later, still listed: no contact was logged by listing.
    assert ids(calls(cli, today=day(4))) == ["C2", "C1"]
    assert cli.sql("SELECT COUNT(*) FROM contacts")[0][0] == 0


def test_a_backdated_contact_does_not_move_the_clock(
    cli: Cli, make_csv: Callable[..., Path]
) -> None:
    load(cli, make_csv, [cust("C1")], [loan("L1", "C1", "2026-06-01", "2028-06-01", "抵押")])
    log(cli, "C1", "--channel", "sms", "--at", "2026-11-30 10:00")
    log(cli, "C1", "--channel", "visit", "--at", "2026-08-01 10:00")  # entered late
    row = row_of(calls(cli, "--reason", "revisit", today="2027-02-28"), "C1")
    assert row["last_contact"] == "2026-11-30 10:00:00"
    assert calls(cli, "--reason", "revisit", today="2027-02-27") == []


# ---------------------------------------------------------------------------
# Quiet days


def test_customer_contacted_in_the_last_3_days_is_left_off(
    cli: Cli, make_csv: Callable[..., Path]
) -> None:
    load(cli, make_csv, [cust("C1"), cust("C2")], [
        loan("L1", "C1", "2025-01-01", "2026-01-01", status="逾期", dpd=30),
        loan("L2", "C2", "2025-01-01", "2026-01-01", status="逾期", dpd=10),
    ])  # fmt: skip
    log(cli, "C1", "--outcome", "reached", "--at", f"{day(0)} 10:00")
    for offset in (0, 1, 2):
        assert ids(calls(cli, today=day(offset))) == ["C2"], offset
    rows = calls(cli, today=day(3))
    assert ids(rows) == ["C1", "C2"]
    # The overdue term stays, and the imported days past due have aged three
    # days since the import (no check: the loans were first imported long after
    # their disbursement).
    assert terms_of(rows[0]) == {"overdue": overdue_pts(33)}
    assert terms_of(rows[1]) == {"overdue": overdue_pts(13)}


def test_worse_arrears_class_since_the_contact_breaks_the_quiet(
    cli: Cli, make_csv: Callable[..., Path]
) -> None:
    customers = [cust("C1"), cust("C2")]
    load(cli, make_csv, customers, [
        loan("L1", "C1", "2025-01-01", "2026-01-01", status="逾期", dpd=89),
        loan("L2", "C2", "2025-01-01", "2026-01-01", status="逾期", dpd=89),
    ])  # fmt: skip
    log(cli, "C1", "C2", "--at", f"{day(0)} 10:00")
    assert calls(cli) == []
    # Next day's export: C1 went to 92 days (次级), C2 only to 90 (still 关注).
    load(cli, make_csv, [], [
        loan("L1", "C1", "2025-01-01", "2026-01-01", status="逾期", dpd=92),
        loan("L2", "C2", "2025-01-01", "2026-01-01", status="逾期", dpd=90),
    ], today=day(1))  # fmt: skip
    rows = calls(cli, today=day(1))
    assert ids(rows) == ["C1"]
    assert terms_of(rows[0]) == {"overdue": overdue_pts(92)}
    assert explain(cli, "C2", today=day(1))["rank"] is None


def test_class_worsening_by_the_passing_days_also_breaks_the_quiet(
    cli: Cli, make_csv: Callable[..., Path]
) -> None:
    # No days past due imported: 89 days past maturity today, 91 in two days.
    load(cli, make_csv, [cust("C1")], [loan("L1", "C1", "2025-01-01", day(-89), status="逾期")])
    log(cli, "C1", "--at", f"{day(0)} 10:00")
    assert calls(cli, today=day(1)) == []  # 90 days: still 关注
    rows = calls(cli, today=day(2))
    assert ids(rows) == ["C1"]
    assert rows[0]["overdue"] == overdue_pts(91)


# ---------------------------------------------------------------------------
# One row per customer, reasons merged


def one_customer_two_reasons(cli: Cli, make_csv: Callable[..., Path]) -> None:
    load(cli, make_csv, [cust("C1", "王建国", "13812348001")], [
        loan("L1", "C1", day(-75), "2026-10-01", status="逾期", dpd=60),
        loan("L2", "C1", "2025-12-04", day(3)),
        loan("L3", "C1", "2025-12-10", day(9)),
    ])  # fmt: skip


def test_one_row_per_customer_with_all_reasons(cli: Cli, make_csv: Callable[..., Path]) -> None:
    one_customer_two_reasons(cli, make_csv)
    rows = calls(cli)
    assert ids(rows) == ["C1"]
    row = rows[0]
    assert terms_of(row) == {"overdue": 165, "maturing": maturing_pts(3), "post_loan_check": POST}
    assert row["score"] == 165 + 84 + 15
    assert row["reasons"] == "overdue,maturing,post_loan_check"  # strongest first
    assert (row["days_past_due"], row["days_left"]) == (60, 3)
    assert row["action"] == "call about repayment"


@pytest.mark.parametrize(
    ("lang", "reasons", "header"),
    [
        ("en", "overdue 60d · matures in 3d · post-loan check", "Calls for 2026-12-01"),
        ("zh", "逾期 60天 · 到期 3天 · 贷后检查", "2026-12-01 待联系客户"),
    ],
)
def test_table_shows_reasons_in_words(
    cli: Cli, make_csv: Callable[..., Path], lang: str, reasons: str, header: str
) -> None:
    one_customer_two_reasons(cli, make_csv)
    text = table(cli, "--lang", lang, "calls")
    assert header in text
    assert reasons in text
    assert "王建国 (C1)" in text
    assert "138****8001" in text and "13812348001" not in text


def test_reason_text_puts_the_stronger_reason_first(
    cli: Cli, make_csv: Callable[..., Path], tmp_path: Path
) -> None:
    load(cli, make_csv, [cust("C1")], [
        loan("L1", "C1", day(-40), day(-27), status="逾期", dpd=27),
        loan("L2", "C1", day(-10), day(3)),
    ])  # fmt: skip
    row = calls(cli)[0]
    assert (row["overdue"], row["maturing"]) == (149, 84)
    assert row["reasons"] == "overdue,maturing,post_loan_check"
    assert "overdue 27d · matures in 3d · post-loan check" in table(cli, "calls")
    # Weighted the other way, maturing is the stronger reason and comes first.
    env = write_config(tmp_path, "[weights]\noverdue = 50\n")
    assert calls(cli, env=env)[0]["reasons"] == "maturing,overdue,post_loan_check"
    assert "到期 3天 · 逾期 27天 · 贷后检查" in table(cli, "--lang", "zh", "calls", env=env)


# ---------------------------------------------------------------------------
# Options: --limit, capacity, --officer, --reason, --format ids, --reveal


def five_customers(cli: Cli, make_csv: Callable[..., Path]) -> None:
    load(
        cli,
        make_csv,
        [cust("A", phone="13800000001", officer="王芳"), cust("B", phone="13900000002", officer="李强"),
         cust("C", officer="王芳"), cust("D", officer="李强"), cust("E", officer="陈静")],
        [loan("LA", "A", "2025-01-01", "2026-01-01", status="逾期", dpd=100),  # 190
         loan("LB", "B", day(-5), day(2)),                                      # 86
         loan("LC", "C", day(-5), day(20)),                                     # 50
         loan("LD", "D", day(-90), "2028-06-01", "抵押"),                       # 12 + 15
         loan("LE", "E", "2025-01-01", "2026-01-01", status="结清", closed=day(-10))],  # 10
    )  # fmt: skip


def test_ranked_by_score(cli: Cli, make_csv: Callable[..., Path]) -> None:
    five_customers(cli, make_csv)
    rows = calls(cli)
    assert [(r["customer_id"], r["score"]) for r in rows] == [
        ("A", overdue_pts(100)),
        ("B", maturing_pts(2)),
        ("C", maturing_pts(20)),
        ("D", REVISIT + POST),
        ("E", WIN_BACK),
    ]
    assert [r["rank"] for r in rows] == [1, 2, 3, 4, 5]


def test_limit_and_daily_capacity_from_config(
    cli: Cli, make_csv: Callable[..., Path], tmp_path: Path
) -> None:
    five_customers(cli, make_csv)
    assert ids(calls(cli, "--limit", "2")) == ["A", "B"]
    env = write_config(tmp_path, "[calls]\ndaily_capacity = 2\n")
    assert ids(calls(cli, env=env)) == ["A", "B"]
    assert ids(calls(cli, "--limit", "4", env=env)) == ["A", "B", "C", "D"]
    assert len(table(cli, "calls", env=env).split("客户")) - 1 == 2


def test_default_capacity_is_20(cli: Cli, make_csv: Callable[..., Path]) -> None:
    customers = [cust(f"C{i:02d}") for i in range(25)]
    loans = [loan(f"L{i:02d}", f"C{i:02d}", day(-5), day(i + 1)) for i in range(25)]
    load(cli, make_csv, customers, loans)
    rows = calls(cli)
    assert ids(rows) == [f"C{i:02d}" for i in range(20)]


def test_officer_filter(cli: Cli, make_csv: Callable[..., Path]) -> None:
    five_customers(cli, make_csv)
    rows = calls(cli, "--officer", "李强")
    assert ids(rows) == ["B", "D"]
    assert [r["rank"] for r in rows] == [1, 2]
    assert calls(cli, "--officer", "nobody") == []


def test_reason_filter_is_repeatable(cli: Cli, make_csv: Callable[..., Path]) -> None:
    five_customers(cli, make_csv)
    assert ids(calls(cli, "--reason", "maturing")) == ["B", "C"]
    assert ids(calls(cli, "--reason", "maturing", "--reason", "win_back")) == ["B", "C", "E"]
    assert ids(calls(cli, "--reason", "post_loan_check")) == ["D"]
    bad = cli("calls", "--reason", "anniversary")  # (birthday is a term since issue 14)
    assert bad.exit_code == 2
    assert len(error_lines(bad.stderr)) == 1 and "anniversary" in bad.stderr


def test_format_ids_feeds_log(cli: Cli, make_csv: Callable[..., Path]) -> None:
    five_customers(cli, make_csv)
    listed = cli("calls", "--format", "ids", "--limit", "2")
    assert listed.stdout == "A\nB\n"
    log(cli, "-", "--channel", "sms", "--outcome", "reached", input=listed.stdout)
    assert ids(calls(cli)) == ["C", "D", "E"]
    logged = [tuple(r) for r in cli.sql("SELECT customer_id, channel FROM contacts ORDER BY 1")]
    assert logged == [("A", "sms"), ("B", "sms")]


def test_phones_masked_unless_reveal(cli: Cli, make_csv: Callable[..., Path]) -> None:
    five_customers(cli, make_csv)
    assert row_of(calls(cli), "A")["phone"] == "138****0001"
    assert row_of(calls(cli, "--reveal"), "A")["phone"] == "13800000001"
    assert row_of(calls(cli), "C")["phone"] is None  # no phone on file
    tsv = cli("calls", "--format", "tsv").stdout
    assert "138****0001" in tsv and "13800000001" not in tsv
    assert "13900000002" in table(cli, "calls", "--reveal")
    assert "13900000002" not in table(cli, "calls")


# ---------------------------------------------------------------------------
# Determinism


def test_same_output_twice_and_ties_by_customer_id(cli: Cli, make_csv: Callable[..., Path]) -> None:
    # Identical customers, C2 listed first in the file.
    load(cli, make_csv, [cust("C2"), cust("C1")], [
        loan("L2", "C2", day(-5), day(10)),
        loan("L1", "C1", day(-5), day(10)),
    ])  # fmt: skip
    rows = calls(cli)
    assert [(r["rank"], r["customer_id"], r["score"]) for r in rows] == [
        (1, "C1", 70),
        (2, "C2", 70),
    ]
    assert ids(calls(cli, "--limit", "1")) == ["C1"]
    for fmt in ("tsv", "json", "csv", "ids"):
        assert cli("calls", "--format", fmt).stdout == cli("calls", "--format", fmt).stdout
    assert explain(cli, "C2")["rank"] == 2


# ---------------------------------------------------------------------------
# --explain


def test_explain_terms_add_up_to_the_listed_score(cli: Cli, make_csv: Callable[..., Path]) -> None:
    import_examples(cli)
    rows = calls(cli, "--limit", "200")
    assert len(rows) > 20
    for row in rows:
        payload = explain(cli, row["customer_id"])
        assert [t["term"] for t in payload["terms"]] == list(TERMS)
        assert sum(t["points"] for t in payload["terms"]) == payload["score"] == row["score"]
        assert {t["term"]: t["points"] for t in payload["terms"]} == {t: row[t] for t in TERMS}
        assert payload["rank"] == row["rank"]
        assert payload["listed"] is (row["rank"] <= 20)


def test_explain_table_shows_each_rule_and_the_rank(
    cli: Cli, make_csv: Callable[..., Path]
) -> None:
    one_customer_two_reasons(cli, make_csv)
    text = table(cli, "calls", "--explain", "C1")
    assert "Why 王建国 (C1) scores 264" in text
    assert "125 + 0.5 × 60 days past due (at most 360) + 10 for class special mention" in text
    assert (
        "30 + 2 × (30 − 3 days left); a maturity reminder window opened 2026-11-27"
        " with no contact since"
    ) in text
    assert "does not apply today" in text
    assert re.search(r"total\s+264", text)
    assert "On today's list at rank 1." in text
    zh = table(cli, "--lang", "zh", "calls", "--explain", "C1")
    assert "王建国（C1）得分 264 的构成" in zh
    assert "分类“关注”加10" in zh
    assert "在今日名单中排第 1 位。" in zh


def test_explain_json_rules(cli: Cli, make_csv: Callable[..., Path]) -> None:
    one_customer_two_reasons(cli, make_csv)
    payload = explain(cli, "C1")
    assert payload["customer_id"] == "C1"
    assert (payload["score"], payload["rank"], payload["listed"]) == (264, 1, True)
    assert explain_terms(payload) == {"overdue": 165, "maturing": 84, "post_loan_check": POST}


def test_explain_says_why_a_quiet_customer_is_left_off(
    cli: Cli, make_csv: Callable[..., Path]
) -> None:
    one_customer_two_reasons(cli, make_csv)
    log(cli, "C1", "--at", f"{day(0)} 10:00")
    payload = explain(cli, "C1", today=day(1))
    assert payload["rank"] is None and payload["listed"] is False
    assert payload["score"] == overdue_pts(61)  # aged a day; the contact cleared the rest
    text = table(cli, "calls", "--explain", "C1", today=day(1))
    assert "Left off today: contacted 2026-12-01 10:00, within the last 3 days." in text
    zh = table(cli, "--lang", "zh", "calls", "--explain", "C1", today=day(1))
    assert "今日不列入：2026-12-01 10:00 已联系（3天内）。" in zh


def test_explain_beyond_capacity_and_nothing_due(
    cli: Cli, make_csv: Callable[..., Path], tmp_path: Path
) -> None:
    five_customers(cli, make_csv)
    load(cli, make_csv, [cust("Z")])
    env = write_config(tmp_path, "[calls]\ndaily_capacity = 2\n")
    payload = explain(cli, "C", env=env)
    assert (payload["rank"], payload["listed"]) == (3, False)
    assert "Rank 3 is beyond today's capacity of 2." in table(
        cli, "calls", "--explain", "C", env=env
    )
    assert "Not on today's list: no rule applies today." in table(cli, "calls", "--explain", "Z")
    assert explain(cli, "Z") == {
        "customer_id": "Z",
        "score": 0,
        "rank": None,
        "listed": False,
        "action": None,
        "failed_attempts": 0,
        "phone_unusable_since": None,
        "notes": [],
        "data_as_of": "2026-12-01",
        "terms": [{"term": t, "points": 0, "rule": "does not apply today"} for t in TERMS],
    }


def test_explain_unknown_customer_is_an_error(cli: Cli, make_csv: Callable[..., Path]) -> None:
    five_customers(cli, make_csv)
    result = cli("calls", "--explain", "NOPE")
    assert result.exit_code == 1
    assert error_lines(result.stderr) == ["Error: unknown customer id: NOPE"]
    assert result.stdout == ""


# ---------------------------------------------------------------------------
# Config weights


def test_weights_from_config_change_the_scores(
    cli: Cli, make_csv: Callable[..., Path], tmp_path: Path
) -> None:
    five_customers(cli, make_csv)
    env = write_config(tmp_path, "[weights]\nmaturing = 200\nwin_back = 99\n")
    rows = calls(cli, env=env)
    assert [(r["customer_id"], r["score"]) for r in rows] == [
        ("B", 200 + 2 * 28),
        ("C", 200 + 2 * 10),
        ("A", overdue_pts(100)),
        ("E", 99),
        ("D", REVISIT + POST),
    ]
    payload = explain(cli, "B", env=env)
    assert payload["terms"][1]["rule"].startswith("200 + 2 × (30 − 2 days left)")
    assert sum(t["points"] for t in payload["terms"]) == 256


# ---------------------------------------------------------------------------
# A day's work on the bundled examples (the README's own lines, run as written,
# are in tests/test_docs.py)


def import_examples(cli: Cli) -> None:
    for kind in ("customers", "loans"):
        result = cli("import", kind, str(EXAMPLES / f"{kind}.csv"))
        assert result.exit_code == 0, result.stderr


def test_examples_day_log_the_top_customer_and_the_others_move_up(cli: Cli) -> None:
    import_examples(cli)
    before = calls(cli, "--limit", "200")
    top = before[0]["customer_id"]
    log(cli, top, "--channel", "电话", "--outcome", "承诺还款", "--next", "+2d")
    after = calls(cli, "--limit", "200")
    assert top not in ids(after)
    assert [(r["customer_id"], r["score"]) for r in after] == [
        (r["customer_id"], r["score"]) for r in before[1:]
    ]
    assert [r["rank"] for r in after] == list(range(1, len(after) + 1))
    # The default list (capacity 20) gains the 21st.
    assert ids(calls(cli)) == ids(before[1:21])


def test_examples_day_pipe_three_and_they_return_with_the_follow_up(cli: Cli) -> None:
    import_examples(cli)
    before = calls(cli, "--limit", "5")
    three = cli("calls", "--format", "ids", "--limit", "3").stdout
    assert three.splitlines() == ids(before)[:3]
    log(cli, "-", "--channel", "call", "--outcome", "promised", "--next", "+2d", input=three)
    after = calls(cli, "--limit", "5")
    assert not set(three.splitlines()) & set(ids(after))
    assert ids(after)[:2] == ids(before)[3:5]
    back = calls(cli, "--limit", "5", today="2026-12-03")
    for cid in three.splitlines():
        row = row_of(back, cid)
        assert row["follow_up"] == 125
        assert row["next_on"] == "2026-12-03"
        assert "follow_up" in row["reasons"].split(",")
    assert "follow-up due 2026-12-03" in table(cli, "calls", "--limit", "5", today="2026-12-03")


def test_explain_rules_for_the_other_terms(cli: Cli, make_csv: Callable[..., Path]) -> None:
    load(cli, make_csv, [cust("S"), cust("W"), cust("F")], [
        loan("LS", "S", day(-90), "2028-06-01", "抵押"),
        loan("LW", "W", "2025-01-01", "2026-01-01", status="结清", closed=day(-10)),
    ])  # fmt: skip
    log(cli, "F", "--next", "2026-11-28", "--at", "2026-11-20 10:00")
    rules = {t["term"]: t["rule"] for t in explain(cli, "S")["terms"] if t["points"]}
    assert rules == {
        "post_loan_check": "15: check due since 2026-09-17 (15 days after disbursement,"
        " then every 90; a contact up to 7 days before counts)",
        "revisit": "12: secured loan, no contact for 90+ days",
    }
    rules = {t["term"]: t["rule"] for t in explain(cli, "W")["terms"] if t["points"]}
    assert rules == {
        "win_back": "10: last loan closed 2026-11-21; contact every 60 days for 12 months;"
        " a refusal pauses it 180 days"
    }
    payload = explain(cli, "F")
    assert payload["score"] == follow_up_pts(3) == 128
    rules = {t["term"]: t["rule"] for t in payload["terms"] if t["points"]}
    assert rules == {"follow_up": "125 + 1 × 3 days late (at most 30); promised for 2026-11-28"}


def test_loan_maturing_today(cli: Cli, make_csv: Callable[..., Path]) -> None:
    load(cli, make_csv, [cust("C1")], [loan("L1", "C1", day(-5), day(0))])
    row = calls(cli)[0]
    assert (row["maturing"], row["days_left"]) == (maturing_pts(0), 0) == (90, 0)
    assert "matures today" in table(cli, "calls")
    assert "今日到期" in table(cli, "--lang", "zh", "calls")


def test_empty_list_says_so(cli: Cli, make_csv: Callable[..., Path]) -> None:
    load(cli, make_csv, [cust("C1")], [loan("L1", "C1", day(-5), day(200))])
    assert calls(cli) == []
    assert cli("calls", "--format", "ids").stdout == ""
    assert "Nobody needs a call today." in table(cli, "calls")
    assert "今天没有需要联系的客户。" in table(cli, "--lang", "zh", "calls")


def test_second_loan_entering_its_own_window_is_listed(
    cli: Cli, make_csv: Callable[..., Path]
) -> None:
    # A matures in 6 days, B in 16 (its 30-day window). Contact today covers both windows.
    load(cli, make_csv, [cust("C1")], [
        loan("A", "C1", day(-5), day(6)),
        loan("B", "C1", day(-5), day(16)),
    ])  # fmt: skip
    log(cli, "C1", "--at", f"{day(0)} 10:00")
    # Day 4 (past the quiet days): A is still in its 7-day window, contacted within it;
    # B entered its 15-day window on day 1 and nobody has called about it since.
    rows = calls(cli, "--reason", "maturing", today=day(4))
    assert ids(rows) == ["C1"]
    assert rows[0]["maturing"] == maturing_pts(12)
