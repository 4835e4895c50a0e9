"""A week of an officer's mornings, with the real cron script run twice a day.

Monday 28 September to Sunday 4 October 2026: three working days, then the
National Day holiday (1–7 October; 中秋 was Friday 25th). Every morning the
cron script (`examples/cron/morning-reminders.sh`) exports the next day's
customer SMS, at 06:30 and again at 18:00; the officer imports the core
system's export on working days and logs calls. What the customers said, the
calendar and the data's age decide who gets a text:

- 王建国  matures Fri 2 Oct, in the holiday            → one maturity text
- 李秀英  matures Thu 8 Oct; two calls, no answer       → a maturity text all the same
- 吴芳    matures Thu 8 Oct; reached on Monday          → only the next window's text
- 张伟    repaid in August; declined (拒绝) on Saturday → no win-back text
- 赵敏    repaid in August, never called since          → a win-back text
- 钱多多  overdue; 空号 logged on Sunday                → nothing: the number is dead
- 孙丽    overdue; promised to pay by Wed 30 Sep        → nothing before the promise,
                                                          then nothing in the holiday
- 周杰    overdue, nobody called                        → one overdue text
- 郑爽    matures Tue 29; repaid that morning           → one text, the day before
"""

from __future__ import annotations

import csv
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import CUSTOMER_HEADER, LOAN_HEADER, Cli, Result
from tests.test_export import read_ics, run_script, script_env

CUSTOMERS = [
    ("A", "王建国", "13812348001"),
    ("B", "李秀英", "13912348002"),
    ("B2", "吴芳", "13912348012"),
    ("C", "张伟", "15012348003"),
    ("D", "赵敏", "15112348004"),
    ("E", "钱多多", "15212348005"),
    ("F", "孙丽", "15312348006"),
    ("G", "周杰", "15412348007"),
    ("H", "郑爽", "15512348008"),
]


def loan(loan_id: str, cid: str, matures: str, *, dpd: str = "", closed: str = "") -> list[str]:
    status = "结清" if closed else "逾期" if dpd else "正常"
    return [loan_id, cid, "50000", "2026-06-01", matures, "信用", status, closed, "", dpd]


def ledger(as_of: str) -> list[list[str]]:
    """The core system's loans export as of a day: days past due grow with it,
    and 郑爽's loan is repaid from Tuesday on."""
    age = {"2026-09-25": 0, "2026-09-28": 3, "2026-09-29": 4, "2026-09-30": 5}[as_of]
    h_repaid = as_of >= "2026-09-29"
    return [
        LOAN_HEADER,
        loan("LA", "A", "2026-10-02"),
        loan("LB", "B", "2026-10-08"),
        loan("LB2", "B2", "2026-10-08"),
        loan("LC", "C", "2026-08-31", closed="2026-08-31"),
        loan("LD", "D", "2026-08-31", closed="2026-08-31"),
        loan("LE", "E", "2026-09-14", dpd=str(11 + age)),
        loan("LF", "F", "2026-09-19", dpd=str(6 + age)),
        loan("LG", "G", "2026-09-20", dpd=str(5 + age)),
        loan("LH", "H", "2026-09-29", closed="2026-09-29" if h_repaid else ""),
    ]


def ok(result: Result) -> Result:
    assert result.exit_code == 0, (result.stdout, result.stderr)
    return result


class Office:
    """The officer's store and imports: ``load(file_day, import_day)`` imports the
    core system's export of ``file_day`` (``--as-of`` when made on an earlier day)
    and keeps what each import reported."""

    def __init__(self, cli: Cli, make_csv: Callable[..., Path]) -> None:
        self.cli = cli
        self.make_csv = make_csv
        self.imports: list[tuple[str, str, int, int]] = []  # day, file's day, added, updated

    def load(self, file_day: str, import_day: str) -> None:
        path = self.make_csv(f"loans-{file_day}.csv", ledger(file_day))
        args = ["import", "loans", str(path), "--format", "json"]
        if file_day != import_day:
            args += ["--as-of", file_day]
        report = ok(self.cli(*args, today=import_day)).json()
        self.imports.append((import_day, file_day, report["added"], report["updated"]))

    def log(self, day: str, *args: str) -> None:
        ok(self.cli("log", *args, today=day))


@pytest.fixture
def office(cli: Cli, make_csv: Callable[..., Path]) -> Office:
    """The store as built on Friday 25th from that day's export, and what the
    customers said over the weekend."""
    people = [[cid, name, phone, "", "粮油", "王芳", ""] for cid, name, phone in CUSTOMERS]
    customers = make_csv("c.csv", [CUSTOMER_HEADER, *people])
    ok(cli("import", "customers", str(customers), today="2026-09-25"))
    office = Office(cli, make_csv)
    office.load("2026-09-25", "2026-09-25")
    office.log("2026-09-26", "C", "--outcome", "declined", "--at", "2026-09-26 10:00")
    office.log("2026-09-27", "E", "--outcome", "wrong_number", "--at", "2026-09-27 10:00")
    office.log("2026-09-27", "F", "--outcome", "promised", "--next", "2026-09-30", "--at", "2026-09-27 11:00")  # fmt: skip
    return office


def sent_in(path: Path) -> list[tuple[str, str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    kinds = (("逾期", "overdue"), ("到期", "maturing"), ("感谢", "win_back"))
    found = []
    for row in rows:
        kind = next(name for word, name in kinds if word in row["短信内容"])
        found.append((row["日期"], row["客户名称"], kind))
    return found


def test_a_week_of_cron_runs_sends_exactly_what_a_careful_officer_would(
    office: Office, tmp_path: Path
) -> None:
    cli, load = office.cli, office.load
    out = tmp_path / "out"
    env = script_env(tmp_path, RETAIN_DB=str(cli.db), OUT_DIR=str(out))

    def cron(send_day: str) -> subprocess.CompletedProcess[str]:
        return run_script({**env, "SEND_DAY": send_day})

    def files(send_day: str) -> list[Path]:
        """The day's SMS files in the order the runs wrote them: sms-DAY.csv, .2.csv …"""
        made = out.glob(f"sms-{send_day}*.csv")
        return sorted(made, key=lambda p: int(p.suffixes[0][1:]) if len(p.suffixes) > 1 else 1)

    texts: list[tuple[str, str, str]] = []
    stale_days: list[str] = []
    week = ["2026-09-28", "2026-09-29", "2026-09-30", "2026-10-01", "2026-10-02", "2026-10-03", "2026-10-04"]  # fmt: skip
    for day, send_day in zip(week, [*week[1:], "2026-10-05"], strict=True):
        if day == "2026-09-28":
            # Monday, 06:00: no new export yet; Friday's file again, as of Friday.
            load("2026-09-25", day)
        elif day in ("2026-09-29", "2026-09-30"):
            load(day, day)  # that morning's export
        first = cron(send_day)  # 06:30
        if day == "2026-09-28":
            # Friday's data is 4 days old for Tuesday's texts: nothing goes out.
            assert first.returncode == 1, first.stderr
            assert (
                "the loan data is as of 2026-09-25" in first.stderr
                or "贷款数据截至 2026-09-25" in first.stderr
            )
            assert files(send_day) == []
            load(day, day)  # 09:00: Monday's export arrives
            office.log(day, "B", "--outcome", "no_answer", "--at", f"{day} 10:00")
            office.log(day, "B", "--outcome", "no_answer", "--at", f"{day} 15:00")
            office.log(day, "B2", "--outcome", "reached", "--at", f"{day} 10:00")
        second = cron(send_day)  # 18:00
        if first.returncode == 1 and second.returncode == 1:
            stale_days.append(send_day)
            assert files(send_day) == []
            continue
        assert second.returncode == 0, second.stderr
        made = files(send_day)
        batches = [sent_in(path) for path in made]
        if day != "2026-09-28":
            assert len(made) == 2 and batches[1] == [], (send_day, batches)  # twice: once
        for batch in batches:
            assert all(date == send_day for date, _, _ in batch)
            texts += batch

    assert texts == [
        # Tue 29: the maturity windows open; 李秀英's calls went unanswered, so her
        # text goes (吴芳 was reached); 赵敏's win-back, 周杰's overdue; 郑爽 matures
        # that day (repaid that morning, after the file was made). Not 张伟 (declined),
        # 钱多多 (空号) or 孙丽 (promised to pay by Wednesday).
        # (A file is sorted by date, reason — overdue first — and customer id.)
        ("2026-09-29", "周杰", "overdue"),
        ("2026-09-29", "王建国", "maturing"),
        ("2026-09-29", "李秀英", "maturing"),
        ("2026-09-29", "郑爽", "maturing"),
        ("2026-09-29", "赵敏", "win_back"),
        # Wed 30: the 7-day windows of 8 Oct open in the holiday, so they go out on
        # the last working day before it; 李秀英 had a maturity text within the week.
        # 王建国's 1-day window (1 Oct) likewise. 孙丽's promise holds through today.
        ("2026-09-30", "吴芳", "maturing"),
        # 郑爽 repaid on Tuesday: a thank-you (win-back) the next working day.
        ("2026-09-30", "郑爽", "win_back"),
        # Thu 1 – Sat 3: holidays. 孙丽's overdue text waits for Thu 8 Oct, the next
        # working day; nothing else is due.
    ]
    # Sun 4 and Mon 5: the data (as of Wed 30) is more than 3 days old: refused,
    # nothing written, nothing recorded: after the next import they go out.
    assert stale_days == ["2026-10-04", "2026-10-05"]
    # Re-importing Friday's file on Monday changed nothing (as of Friday).
    assert office.imports[1] == ("2026-09-28", "2026-09-25", 0, 0)
    # The officers' calendar still has every reminder, customer rules or not.
    events = read_ics(out / "officer-week.ics")
    assert events  # the last successful run's week
