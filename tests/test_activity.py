"""``retain activity``: officers' weeks and months against their quotas, through the real CLI."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from retain.activity import parse_week, week_of
from retain.config import WEEKDAYS
from retain.days import day_number
from tests.conftest import LOAN_HEADER, Cli, Result

CUSTOMER_HEADER_EN = ["customer_id", "name", "phone", "id_number", "industry", "officer", "segment"]
MakeCsv = Callable[..., Path]

QUOTAS = """
[quota]
visits_per_week = 3
calls_per_week = 4
prospects_per_week = 1
new_customers_per_month = 1

[[quota.officers]]
name = "李强"
visits_per_week = 1
calls_per_week = 2
"""


def ok(result: Result) -> Result:
    assert result.exit_code == 0, (result.stdout, result.stderr)
    return result


def one_error(result: Result, code: int) -> str:
    assert result.exit_code == code, (result.stdout, result.stderr)
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1, result.stderr
    assert "Traceback" not in result.stderr
    return errors[0]


def use_config(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, text: str) -> None:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    monkeypatch.setenv("RETAIN_CONFIG", str(path))


def customers(cli: Cli, make_csv: MakeCsv, rows: list[list[str]]) -> None:
    path = make_csv("customers.csv", [CUSTOMER_HEADER_EN, *rows])
    ok(cli("import", "customers", str(path)))


def log(cli: Cli, customer: str, at: str, *args: str) -> None:
    ok(cli("log", customer, "--at", f"{at} 10:00", *args))


def by_officer(payload: dict[str, Any]) -> dict[str | None, dict[str, Any]]:
    return {row["officer"]: row for row in payload["officers"]}


def targets(row: dict[str, Any]) -> dict[str, tuple[int, int, bool]]:
    return {t["measure"]: (t["done"], t["quota"], t["met"]) for t in row["targets"]}


def add_prospect(cli: Cli, officer: str, entered: str) -> None:
    """A prospect as the prospects commands (another branch) will store it."""
    with closing(cli.connect()) as conn:
        conn.execute(
            "INSERT INTO prospects (name, channel, officer, stage_day, entered_on, entered_day,"
            " created_at, updated_at) VALUES ('某', 'walk_in', ?, ?, ?, ?, 'x', 'x')",
            (officer, day_number(entered), entered, day_number(entered)),
        )


# ---------------------------------------------------------------------------
# A hand-built week: 2026-W48, 2026-11-23 (Mon) – 2026-11-29 (Sun)


def week_loans(stage: int) -> list[list[str]]:
    """The loans file as the ledger gave it on 2026-11-20 (stage 0), 11-25 (1), 12-01 (2)."""
    rows = [
        LOAN_HEADER,
        # C1 (王芳): promised 500 on 11-20, paid 1,000 by 11-25: kept.
        ["L1", "C1", "50000", "2025-06-01", "2027-06-01", "信用", "逾期", "",
         "20000" if stage == 0 else "19000", "10"],
        # C2 (王芳): promised, paid nothing: broken; matures 11-25, contacted before.
        ["L2", "C2", "50000", "2025-06-01", "2026-11-25", "信用", "逾期", "", "10000", "5"],
        # C3 (李强): closed out in January.
        ["L3", "C3", "30000", "2025-01-10", "2026-01-10", "信用", "结清", "2026-01-10", "0", ""],
        # C5 (李强): matures 11-26 with no contact before: a due contact missed.
        ["L6", "C5", "20000", "2025-11-26", "2026-11-26", "信用", "正常", "", "20000", ""],
        # C1: matures 11-27, contacted 11-20 and 11-23.
        ["L7", "C1", "10000", "2025-11-27", "2026-11-27", "信用", "正常", "", "10000", ""],
        # C1: closed 11-01 ...
        ["L11", "C1", "5000", "2025-11-01", "2026-11-01", "信用", "结清", "2026-11-01", "0", ""],
    ]  # fmt: skip
    if stage >= 1:
        rows += [
            # ... renewed 11-24 (within the 60 grace days).
            ["L12", "C1", "8000", "2026-11-24", "2027-11-24", "信用", "正常", "", "8000", ""],
            # C4 (王芳): a first loan.
            ["L13", "C4", "9000", "2026-11-24", "2027-11-24", "信用", "正常", "", "9000", ""],
        ]  # fmt: skip
    if stage >= 2:
        # C3 borrows again, ten months after the last close: a win-back.
        rows.append(
            ["L14", "C3", "30000", "2026-11-26", "2027-11-26", "信用", "正常", "", "30000", ""]
        )
    return rows


@pytest.fixture
def week(cli: Cli, make_csv: MakeCsv, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Cli:
    use_config(monkeypatch, tmp_path, QUOTAS)
    customers(
        cli,
        make_csv,
        [
            ["C1", "王建国", "13812348001", "", "", "王芳", ""],
            ["C2", "李秀英", "13912348002", "", "", "王芳", ""],
            ["C3", "张伟", "15012348003", "", "", "李强", ""],
            ["C4", "赵六", "13712349004", "", "", "王芳", ""],
            ["C5", "钱七", "13612348005", "", "", "李强", ""],
        ],
    )
    for stage, today in enumerate(("2026-11-20", "2026-11-25", "2026-12-01")):
        if stage == 1:  # the promises, made on 11-20 for 11-24
            for customer in ("C1", "C2"):
                promise = ("--outcome", "promised", "--next", "2026-11-24", "--amount", "500")
                ok(cli("log", customer, *promise, "--officer", "王芳", today="2026-11-20"))
        path = make_csv(f"loans{stage}.csv", week_loans(stage))
        ok(cli("import", "loans", str(path), today=today))
    # 王芳: three visits (one found nobody), two calls (one unanswered).
    log(cli, "C1", "2026-11-23", "-c", "visit", "--officer", "王芳")
    log(cli, "C2", "2026-11-24", "-c", "visit", "--officer", "王芳")
    log(cli, "C4", "2026-11-25", "-c", "visit", "--outcome", "no_answer", "--officer", "王芳")
    log(cli, "C1", "2026-11-26", "-c", "call", "--officer", "王芳")
    log(cli, "C2", "2026-11-27", "-c", "call", "--outcome", "no_answer", "--officer", "王芳")
    # 李强: a visit, a call logged without --officer (his customer's), a call to 王芳's C1.
    log(cli, "C3", "2026-11-24", "-c", "visit", "--officer", "李强")
    log(cli, "C5", "2026-11-28", "-c", "call")
    log(cli, "C1", "2026-11-29", "-c", "call", "--officer", "李强")
    # Outside the week on both sides.
    log(cli, "C1", "2026-11-22", "-c", "visit", "--officer", "王芳")
    log(cli, "C1", "2026-11-30", "-c", "visit", "--officer", "王芳")
    add_prospect(cli, "王芳", "2026-11-23")
    add_prospect(cli, "王芳", "2026-11-30")
    return cli


def test_a_week_counts_each_officers_work_against_the_quotas(week: Cli) -> None:
    payload = ok(week("activity", "--week", "2026-W48", "--format", "json")).json()
    assert (payload["period"], payload["from"], payload["to"]) == (
        "2026-W48",
        "2026-11-23",
        "2026-11-29",
    )
    rows = by_officer(payload)
    wang, li = rows["王芳"], rows["李强"]
    assert (wang["contacts"], wang["visits"], wang["calls"], wang["customers_reached"]) == (
        5,
        3,
        2,
        2,
    )
    assert wang["by_channel"]["visit"] == 3 and wang["by_outcome"]["no_answer"] == 2
    assert (wang["new_prospects"], wang["new_customers"], wang["renewals"]) == (1, 1, 1)
    assert (wang["promises_kept"], wang["promises_broken"], wang["win_backs"]) == (1, 1, 0)
    assert targets(wang) == {
        "calls": (2, 4, False),
        "visits": (3, 3, True),
        "new_prospects": (1, 1, True),
    }  # a monthly quota (new customers) is not judged on a week
    assert [t["share"] for t in wang["targets"]] == [0.5, 1.0, 1.0]
    # Credited to whoever made the contact; without --officer, the customer's officer.
    assert (li["contacts"], li["visits"], li["calls"], li["customers_reached"]) == (3, 1, 2, 3)
    assert (li["win_backs"], li["renewals"], li["new_customers"]) == (1, 0, 0)
    assert targets(li) == {
        "calls": (2, 2, True),
        "visits": (1, 1, True),
        "new_prospects": (0, 1, False),
    }
    # L6 matured on 11-26 and C5 was called only after: missed. L2 and L7 were contacted.
    assert payload["missed"] == [
        {
            "officer": "李强",
            "customer_id": "C5",
            "name": "钱七",
            "loan_id": "L6",
            "matures_on": "2026-11-26",
            "last_contact_on": None,
        }
    ]
    assert (li["missed"], wang["missed"]) == (1, 0)


def test_the_table_marks_quotas_met_and_missed_with_a_bar_per_officer(week: Cli) -> None:
    shown = ok(week("activity", "--week", "2026-W48", "--format", "table")).stdout
    assert "Activity 2026-W48 (2026-11-23 – 2026-11-29)" in " ".join(shown.split())
    assert "2/4 ✗ 50%" in shown and "3/3 ✓ 100%" in shown and "0/1 ✗ 0%" in shown
    assert "王芳: against quota" in shown
    assert "█" * 10 + "░" * 10 + "  2/4 ✗ 50%" in shown
    assert "By channel: call 2, visit 3" in shown
    assert "C5" in shown and "L6" in shown  # the missed contact
    zh = ok(week("--lang", "zh", "activity", "--week", "2026-W48", "--format", "table")).stdout
    assert "王芳：指标完成情况" in zh and "应联系而未联系" in zh


def test_one_officer_and_csv(week: Cli) -> None:
    payload = ok(
        week("activity", "--week", "2026-W48", "--officer", " 李强 ", "--format", "json")
    ).json()
    assert [r["officer"] for r in payload["officers"]] == ["李强"]
    assert [m["customer_id"] for m in payload["missed"]] == ["C5"]
    rows = ok(week("activity", "--week", "2026-W48", "--format", "csv")).stdout.splitlines()
    assert rows[0].startswith("officer,contacts,customers_reached,calls,visits,")
    assert rows[0].endswith(",calls_quota,visits_quota,new_prospects_quota,new_customers_quota")
    assert "李强,3,3,2,1,0,0,0,0,1,0,0,1,2,1,1," in rows


def test_a_month_scales_the_weekly_quotas_and_judges_the_monthly_one(week: Cli) -> None:
    payload = ok(week("activity", "--month", "2026-11", "--format", "json")).json()
    assert (payload["from"], payload["to"], payload["kind"]) == (
        "2026-11-01",
        "2026-11-30",
        "month",
    )
    wang = by_officer(payload)["王芳"]
    # 3 visits a week over 30 days: 3 × 30/7 = 12.9 → 13; new customers: 1 a month.
    assert targets(wang)["visits"] == (wang["visits"], 13, False)
    assert targets(wang)["new_customers"] == (1, 1, True)
    assert wang["visits"] == 5  # 11-22 and 11-30 count in the month
    # the week's 5, the visits of 11-22 and 11-30, the promises of 11-20
    assert wang["contacts"] == 9


def test_the_default_is_the_current_week(week: Cli) -> None:
    payload = ok(week("activity", "--format", "json", today="2026-11-29")).json()
    assert payload["period"] == "2026-W48"
    assert ok(week("activity", "--format", "json")).json()["period"] == "2026-W49"


# ---------------------------------------------------------------------------
# ISO weeks: 2026 has 53, 2025 has 52; weeks across New Year


def log_on(cli: Cli, customer: str, at: str, *args: str, today: str) -> None:
    ok(cli("log", customer, "--at", f"{at} 10:00", *args, today=today))


def visits(cli: Cli, *args: str, today: str = "2027-01-06") -> tuple[str, str, str, int]:
    payload = ok(cli("activity", *args, "--format", "json", today=today)).json()
    wang = by_officer(payload)["王芳"]
    return payload["period"], payload["from"], payload["to"], wang["visits"]


def test_week_53_and_a_week_across_new_year(
    cli: Cli, make_csv: MakeCsv, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    use_config(monkeypatch, tmp_path, "[quota]\nvisits_per_week = 2\n")
    customers(cli, make_csv, [["C1", "王建国", "13812348001", "", "", "王芳", ""]])
    for day in ("2026-12-27", "2026-12-28", "2027-01-03", "2027-01-04"):
        log_on(cli, "C1", day, "-c", "visit", today="2027-01-06")
    assert visits(cli, "--week", "2026-W53") == ("2026-W53", "2026-12-28", "2027-01-03", 2)
    assert visits(cli, "--week", "2027-W01") == ("2027-W01", "2027-01-04", "2027-01-10", 1)
    assert visits(cli, "--week", "2026-w52") == ("2026-W52", "2026-12-21", "2026-12-27", 1)
    # The current week on New Year's Day 2027 is 2026's 53rd.
    assert visits(cli, today="2027-01-01")[:3] == ("2026-W53", "2026-12-28", "2027-01-03")
    # 2026-W01 began in 2025.
    assert visits(cli, "--week", "2026-W01")[1:3] == ("2025-12-29", "2026-01-04")
    # Weeks started on Sunday: week 53 runs from the Sunday before its Monday.
    use_config(monkeypatch, tmp_path, '[quota]\nvisits_per_week = 2\nweek_starts = "sunday"\n')
    assert visits(cli, "--week", "2026-W53") == ("2026-W53", "2026-12-27", "2027-01-02", 2)
    assert visits(cli, today="2027-01-03")[:3] == ("2027-W01", "2027-01-03", "2027-01-09")


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("--week", "2025-W53"), "2025 has 52 ISO weeks"),
        (("--week", "2026-W54"), "2026 has 53 ISO weeks"),
        (("--week", "2026-W00"), "2026 has 53 ISO weeks"),
        (("--week", "48"), "YYYY-Www"),
        (("--month", "2026-13"), "YYYY-MM"),
        (("--week", "2026-W48", "--month", "2026-11"), "not both"),
        (("--streak", "--month", "2026-11"), "--streak counts weeks"),
    ],
)
def test_a_week_that_does_not_exist_is_a_usage_error(
    cli: Cli, args: tuple[str, ...], says: str
) -> None:
    assert says in one_error(cli("activity", *args), 2)


@given(
    day=st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2100, 12, 31)),
    start=st.sampled_from(WEEKDAYS),
)
def test_every_day_is_in_the_week_its_label_names(day: dt.date, start: str) -> None:
    window = week_of(day, start)
    assert window.first <= day <= window.last and window.days == 7
    assert window.first.weekday() == WEEKDAYS.index(start)
    assert parse_week(window.label, start) == window


# ---------------------------------------------------------------------------
# Streaks


def test_streak_counts_consecutive_weeks_at_the_visit_quota(
    cli: Cli, make_csv: MakeCsv, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    use_config(
        monkeypatch,
        tmp_path,
        '[quota]\nvisits_per_week = 2\n\n[[quota.officers]]\nname = "李强"\nvisits_per_week = 0\n',
    )
    customers(
        cli,
        make_csv,
        [
            ["C1", "王建国", "13812348001", "", "", "王芳", ""],
            ["C2", "李秀英", "13912348002", "", "", "张伟", ""],
            ["C3", "张三", "13912348003", "", "", "李强", ""],
        ],
    )
    today = "2026-11-25"  # a Wednesday of 2026-W48
    # 王芳: W44 one visit, W45-W47 two or more, W48 one so far.
    for day in ("2026-10-27", "2026-11-02", "2026-11-03", "2026-11-09", "2026-11-13",
                "2026-11-16", "2026-11-17", "2026-11-18", "2026-11-23"):  # fmt: skip
        log_on(cli, "C1", day, "-c", "visit", "--outcome", "no_answer", today=today)
    # 张伟: a call is not a visit.
    log_on(cli, "C2", "2026-11-17", "-c", "call", today=today)
    rows = ok(cli("activity", "--streak", "--format", "json", today=today)).json()
    assert rows == [
        {"officer": "张伟", "visits_quota": 2, "weeks": 0, "this_week_met": False, "since": None},
        {
            "officer": "王芳",
            "visits_quota": 2,
            "weeks": 3,
            "this_week_met": False,
            "since": "2026-W45",
        },
    ]  # fmt: skip  (李强 has no visit quota)
    log_on(cli, "C1", "2026-11-25", "-c", "visit", today=today)
    rows = ok(cli("activity", "--streak", "--format", "json", today=today)).json()
    assert (rows[1]["weeks"], rows[1]["this_week_met"]) == (4, True)
    # Up to an earlier week: W46 and W45.
    rows = ok(cli("activity", "--streak", "--week", "2026-W46", "--format", "json")).json()
    assert (rows[1]["weeks"], rows[1]["since"]) == (2, "2026-W45")
    shown = ok(cli("activity", "--streak", "--format", "table", today=today)).stdout
    assert "Visit streaks" in shown and "2026-W45" in shown


def test_no_quota_no_streak_and_a_hint(cli: Cli, make_csv: MakeCsv) -> None:
    customers(cli, make_csv, [["C1", "王建国", "13812348001", "", "", "王芳", ""]])
    shown = ok(cli("activity", "--streak", "--format", "table")).stdout
    assert "No officer has a visit quota" in shown
    shown = ok(cli("activity", "--format", "table")).stdout
    assert "No quotas set" in shown


def test_an_officer_listed_twice_in_the_quotas_is_refused(
    cli: Cli, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    twice = '[[quota.officers]]\nname = "王芳"\n\n[[quota.officers]]\nname = " 王芳"\n'
    use_config(monkeypatch, tmp_path, twice)
    assert "王芳 more than once" in one_error(cli("activity"), 2)


# ---------------------------------------------------------------------------
# The counts add up, whatever the log holds


CONTACT = st.tuples(
    st.integers(0, 20),  # day, from 2026-11-16
    st.sampled_from(["C1", "C2", "C3"]),
    st.sampled_from(["call", "visit", "sms", "wechat", "other"]),
    st.sampled_from(["reached", "no_answer", "wrong_number", "promised", "declined"]),
    st.sampled_from([None, "王芳", "李强"]),
)


@settings(max_examples=40, deadline=None)
@given(contacts=st.lists(CONTACT, max_size=40), week=st.sampled_from(["2026-W47", "2026-W48"]))
def test_the_counts_are_the_log_recounted(
    contacts: list[tuple[int, str, str, str, str | None]], week: str
) -> None:
    from retain.activity import activity
    from retain.config import QuotaConfig
    from retain.store import Store

    owner = {"C1": "王芳", "C2": "王芳", "C3": "李强"}
    store = Store.scratch()
    conn = store.conn
    for cid, name in owner.items():
        conn.execute(
            "INSERT INTO customers (customer_id, name, officer, created_at, updated_at)"
            " VALUES (?, ?, ?, 'x', 'x')",
            (cid, cid, name),
        )
    first = dt.date(2026, 11, 16)
    for n, (offset, cid, channel, outcome, officer) in enumerate(contacts):
        day = first + dt.timedelta(days=offset)
        conn.execute(
            "INSERT INTO contacts (contact_id, customer_id, at, at_day, channel, outcome,"
            " officer, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'x')",
            (n + 1, cid, f"{day} 10:00:00", day_number(day), channel, outcome, officer),
        )
    window = parse_week(week)
    found = activity(
        conn, window, dt.date(2026, 12, 1), QuotaConfig(visits_per_week=2),
        lead_days=30, grace_days=60,
    )  # fmt: skip
    store.close()
    expected: dict[str, dict[str, Any]] = {}
    for offset, cid, channel, outcome, officer in contacts:
        if not window.first <= first + dt.timedelta(days=offset) <= window.last:
            continue
        who = officer or owner[cid]
        entry = expected.setdefault(who, {"contacts": 0, "visits": 0, "calls": 0, "reached": set()})
        entry["contacts"] += 1
        entry["visits"] += channel == "visit"
        entry["calls"] += channel == "call"
        if outcome not in ("no_answer", "wrong_number"):
            entry["reached"].add(cid)
    for row in found.officers:
        assert row.officer is not None
        want = expected.get(row.officer, {"contacts": 0, "visits": 0, "calls": 0, "reached": set()})
        counts = row.counts
        assert (counts["contacts"], counts["visits"], counts["calls"]) == (
            want["contacts"], want["visits"], want["calls"],
        )  # fmt: skip
        assert counts["customers_reached"] == len(want["reached"])
        assert sum(row.by_channel.values()) == sum(row.by_outcome.values()) == counts["contacts"]
        assert [(t.measure, t.done, t.quota) for t in row.targets] == [
            ("visits", want["visits"], 2)
        ]
    assert {r.officer for r in found.officers} == {"王芳", "李强"}


def test_the_monthly_review_shows_the_month_against_the_quotas(week: Cli, tmp_path: Path) -> None:
    page = tmp_path / "review.html"
    ok(week("report", "--month", "2026-11", "--output", str(page)))
    html = page.read_text(encoding="utf-8")
    section = html[html.index('<section id="activity">') : html.index('<section id="contacts">')]
    assert "Activity in 2026-11 against quotas" in section
    # 王芳's visits: 5 of 13 (3 a week over 30 days), short: a red bar 38% wide.
    row = section[section.index("<td>王芳</td><td>Visits</td>") :].split("</tr>")[0]
    assert '<td class="n">5</td>' in row and '<td class="n">13</td>' in row
    assert "✗" in row and 'class="qbar short" style="width: 38%"' in row
    row = section[section.index("<td>王芳</td><td>New customers</td>") :].split("</tr>")[0]
    assert "✓" in row and 'style="width: 100%"' in row


def test_the_monthly_review_without_quotas_says_so(
    cli: Cli, make_csv: MakeCsv, tmp_path: Path
) -> None:
    customers(cli, make_csv, [["C1", "王建国", "13812348001", "", "", "王芳", ""]])
    page = tmp_path / "review.html"
    ok(cli("--lang", "zh", "report", "--month", "2026-11", "--output", str(page)))
    assert "未设置指标" in page.read_text(encoding="utf-8")
