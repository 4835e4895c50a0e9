"""``retain … | head -1``: a reader that stops early gets its line and no noise.

When ``head`` exits, retain's next write fails with EPIPE; retain must then end
quietly (the list generators over the store's cursor included: nothing may be
left to print ``Exception ignored … closed database`` at exit). Runs the
installed ``retain`` as a whole process in a real shell pipeline, many times,
against one store of 20,000 customers and 100,000 loans built through the CLI.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import random
import shlex
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import CUSTOMER_HEADER, LOAN_HEADER, TODAY

T0 = dt.date.fromisoformat(TODAY)
CUSTOMERS = 20_000
LOANS = 100_000
FIELDS = {
    "due": "loan_id,customer_id,name,phone,officer,industry,guarantee,status,principal,balance,"
    "disbursed_on,matures_on,days_left",
    "overdue": "loan_id,customer_id,name,phone,officer,guarantee,status,principal,balance,"
    "matures_on,days_past_due,class,customer_class,last_contact,guarantors,promise_amount,"
    "promise_on,promise_status",
    "noloan": "customer_id,name,phone,officer,industry,segment,last_closed_on,days_since,loans,"
    "total_borrowed,worst_class,last_contact",
    "calls": "rank,score,customer_id,name,phone,officer,reasons,action,days_past_due,days_left,"
    "next_on,last_contact,failed_attempts,last_attempt,phone_unusable_since,overdue,maturing,"
    "follow_up,post_loan_check,revisit,win_back,recovery,collateral_expiry,broken_promise,"
    "instalment,cross_sell,stay_in_touch,birthday,prospect,season",
    "reminders": "reminder_id,date,reason,customer_id,name,phone,officer,loan_id,amount,balance,"
    "matures_on,days_past_due,days_left,period,amount_due,due_on,message",
}


def retain_command() -> list[str]:
    """The installed console script beside this Python, else ``python -m retain``."""
    script = Path(sys.executable).with_name("retain")
    if script.exists():
        return [str(script)]
    found = shutil.which("retain")
    return [found] if found else [sys.executable, "-m", "retain"]


def day(offset: int) -> str:
    return (T0 + dt.timedelta(days=offset)).isoformat()


def write_book(folder: Path) -> tuple[Path, Path]:
    """A seeded book: ~40% of loans overdue, ~20% maturing within a year, and
    every tenth customer with only closed loans (for ``noloan``)."""
    rng = random.Random(20261201)
    officers = ["王芳", "李强", "陈静", "张伟", "刘洋"]
    customers = folder / "customers.csv"
    with customers.open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(CUSTOMER_HEADER)
        for i in range(1, CUSTOMERS + 1):
            phone = f"1{rng.randint(3, 9)}{rng.randint(0, 10**9 - 1):09d}"
            out.writerow([f"C{i:05d}", f"客户{i}", phone, "", "粮油", rng.choice(officers), ""])
    loans = folder / "loans.csv"
    with loans.open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(LOAN_HEADER)
        for n in range(1, LOANS + 1):
            i = (n - 1) % CUSTOMERS + 1
            principal = rng.randint(10, 500) * 1000
            kind = "closed" if i % 10 == 0 else rng.choices(
                ("overdue", "maturing", "active", "closed"), (40, 20, 25, 15)
            )[0]  # fmt: skip
            if kind == "overdue":
                matures = rng.randint(-400, -1)
                disbursed = matures - rng.randint(90, 720)
                row = ["逾期", "", principal // 2, -matures]
            elif kind == "closed":
                matures = rng.randint(-300, 300)
                disbursed = min(matures, 0) - rng.randint(60, 720)
                row = ["结清", day(rng.randint(disbursed, 0)), 0, ""]
            else:
                matures = rng.randint(0, 365) if kind == "maturing" else rng.randint(366, 1000)
                disbursed = -rng.randint(1, 700)
                row = ["正常", "", principal, ""]
            status, closed, balance, dpd = row
            out.writerow([
                f"L{n:06d}", f"C{i:05d}", principal, day(disbursed), day(matures),
                rng.choice(("信用", "保证", "抵押", "质押")), status, closed, balance, dpd,
            ])  # fmt: skip
    return customers, loans


@pytest.fixture(scope="module")
def big_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    folder = tmp_path_factory.mktemp("pipes")
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("RETAIN_", "LC_", "LANG"))},
        "RETAIN_DB": str(folder / "store" / "retain.db"),
        "RETAIN_TODAY": TODAY,
        "RETAIN_LANG": "en",
        "RETAIN_CONFIG": str(folder / "no-config.toml"),
    }
    customers, loans = write_book(folder)
    for kind, path in (("customers", customers), ("loans", loans)):
        done = subprocess.run(
            [*retain_command(), "import", kind, str(path), "--format", "json"],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, (kind, done.stdout[-2000:], done.stderr[-2000:])
        report = json.loads(done.stdout)
        assert report["rejected"] == 0, report["rejects"][:5]
    yield env


@dataclass(frozen=True)
class Run:
    stdout: str
    stderr: str


def head_1(env: dict[str, str], args: str) -> Run:
    command = " ".join(shlex.quote(part) for part in retain_command()) + f" {args} | head -1"
    # Bytes, not text=True: universal newlines would hide CSV's CRLF.
    done = subprocess.run(command, shell=True, env=env, capture_output=True, timeout=60)
    return Run(done.stdout.decode("utf-8"), done.stderr.decode("utf-8", "replace"))


def run_many(env: dict[str, str], args: str, runs: int, check: Callable[[str], None]) -> None:
    """Run the pipeline ``runs`` times (two at a time); every run's stdout must pass
    ``check`` and its stderr (retain's and head's) must be empty."""
    with ThreadPoolExecutor(max_workers=2) as pool:
        done = list(pool.map(lambda _: head_1(env, args), range(runs)))
    for run in done:
        check(run.stdout)
    noisy = [run.stderr for run in done if run.stderr]
    assert not noisy, (
        f"`retain {args} | head -1` wrote to stderr in {len(noisy)} of {runs} runs; "
        f"first:\n{noisy[0]}"
    )


def is_exactly(expected: str) -> Callable[[str], None]:
    def check(stdout: str) -> None:
        assert stdout == expected, stdout[:500]

    return check


@pytest.mark.parametrize(
    ("args", "runs", "fields"),
    [
        ("overdue --format csv", 50, "overdue"),
        ("due --days 365 --format csv", 10, "due"),
        ("noloan --format csv", 10, "noloan"),
        ("calls --limit 100000 --format csv", 5, "calls"),
    ],
)
def test_head_1_of_a_csv_list_is_its_header_and_nothing_else(
    big_store: dict[str, str], args: str, runs: int, fields: str
) -> None:
    run_many(big_store, args, runs, is_exactly(FIELDS[fields] + "\r\n"))


def test_head_1_of_ndjson_reminders_is_one_reminder_and_nothing_else(
    big_store: dict[str, str],
) -> None:
    # One day's window (tens of thousands of reminders, far more than a pipe buffer)
    # keeps each run near 2 s; --quiet silences the documented summary line.
    def one_reminder(stdout: str) -> None:
        assert stdout.endswith("\n") and stdout.count("\n") == 1, stdout[:500]
        assert ",".join(json.loads(stdout)) == FIELDS["reminders"] + ",data_as_of"

    run_many(big_store, "export reminders --days 0 --format ndjson --quiet", 3, one_reminder)
