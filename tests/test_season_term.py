"""The ``season`` call-list term and reminder reason (issue 14 section 3): during
a season's lead window its customers are on the call list and get a reminder,
once per window, on days scripted with ``--today``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.conftest import Cli
from tests.test_seasons import SEASONS, book, config

__all__ = ["book"]  # the fixture, re-used

# 烟酒春节备货: 春节 2027 (2027-02-06) - 30 = 2027-01-07, window opens 2026-12-18.
# C1 (烟酒批发) has a loan maturing 2026-12-20: the maturity reminder serves it.
# C2 (烟酒) has a loan maturing 2027-06-01: the season's customer.
# C3 (烟酒) is past due: no offer. C4 (服装) is no 烟酒.


def _calls(cli: Cli, env: dict[str, str], today: str) -> dict[str, Any]:
    result = cli("calls", "--format", "json", env=env, today=today)
    assert result.exit_code == 0, result.stderr
    return {row["customer_id"]: row for row in result.json()}


def _season(rows: dict[str, Any], customer_id: str) -> int:
    points: int = rows.get(customer_id, {}).get("season", 0)
    return points


def _reminders(cli: Cli, env: dict[str, str], today: str, *more: str) -> list[dict[str, Any]]:
    result = cli(
        "export", "reminders", "--format", "json", "--days", "0", *more, env=env, today=today
    )
    assert result.exit_code == 0, result.stderr
    rows: list[dict[str, Any]] = result.json()
    return rows


def _season_ids(rows: list[dict[str, Any]]) -> list[str]:
    return [row["customer_id"] for row in rows if row["reason"] == "season"]


def test_before_during_and_after_the_window(book: Cli, tmp_path: Path) -> None:
    env = config(tmp_path, SEASONS)
    before = _calls(book, env, "2026-12-17")
    assert all(row["season"] == 0 for row in before.values())
    assert _season_ids(_reminders(book, env, "2026-12-17")) == []

    first = _calls(book, env, "2026-12-18")
    assert first["C2"]["season"] == 20
    assert _season(first, "C3") == 0  # past due
    assert _season(first, "C4") == 0  # another industry
    assert first["C1"]["season"] == 0 and first["C1"]["maturing"] > 0
    # A season is an offer: below a maturity reminder.
    order = list(first)
    assert order.index("C1") < order.index("C2")

    sent = _reminders(book, env, "2026-12-18", "--new-only")
    assert _season_ids(sent) == ["C2"]
    season = next(row for row in sent if row["reason"] == "season")
    assert season["date"] == "2026-12-18"
    # The next day: the same episode, not sent again, though still on the list.
    assert _calls(book, env, "2026-12-19")["C2"]["season"] == 20
    assert _season_ids(_reminders(book, env, "2026-12-19", "--new-only")) == []
    again = _reminders(book, env, "2026-12-19")
    assert [r["reminder_id"] for r in again if r["reason"] == "season"] == [season["reminder_id"]]

    # The last day of the window, then the day after the season's date.
    assert _calls(book, env, "2027-01-07")["C2"]["season"] == 20
    after = _calls(book, env, "2027-01-08")
    assert _season(after, "C2") == 0
    assert _season_ids(_reminders(book, env, "2027-01-08")) == []


def test_a_week_ahead_finds_the_window_opening(book: Cli, tmp_path: Path) -> None:
    env = config(tmp_path, SEASONS)
    result = book(
        "export", "reminders", "--format", "json", "--days", "7", env=env, today="2026-12-15"
    )
    assert result.exit_code == 0, result.stderr
    rows = [r for r in result.json() if r["reason"] == "season"]
    assert [(r["customer_id"], r["date"]) for r in rows] == [("C2", "2026-12-18")]


def test_a_contact_in_the_window_settles_it(book: Cli, tmp_path: Path) -> None:
    env = config(tmp_path, SEASONS)
    logged = book("log", "C2", "--channel", "phone", "--outcome", "reached", env=env,
                  today="2026-12-20")  # fmt: skip
    assert logged.exit_code == 0, logged.stderr
    later = _calls(book, env, "2027-01-02")
    assert _season(later, "C2") == 0


def test_group_season_and_explain(book: Cli, tmp_path: Path) -> None:
    env = config(tmp_path, SEASONS)
    assert book("group", "add", "东门市场").exit_code == 0
    assert book("group", "join", "东门市场", "C4").exit_code == 0
    # 市场秋季: 10-01, lead 10 days: opens 2027-09-21.
    assert _season(_calls(book, env, "2027-09-20"), "C4") == 0
    assert _calls(book, env, "2027-09-21")["C4"]["season"] == 20
    explained = book("calls", "--explain", "C4", env=env, today="2027-09-21")
    assert explained.exit_code == 0, explained.stderr
    assert "市场秋季" in explained.stdout and "2027-10-01" in explained.stdout


def test_season_messages(book: Cli, tmp_path: Path) -> None:
    env = config(tmp_path, SEASONS)
    customer = _reminders(book, env, "2026-12-18", "--audience", "customer", "--allow-stale")
    # The season's own message, in the customers' language (Chinese by default).
    assert [r["message"] for r in customer if r["name"] == "李秀英"] == ["李秀英您好，春节将至。"]
    officer = _reminders(book, env, "2026-12-18")
    text = next(r["message"] for r in officer if r["reason"] == "season")
    assert "烟酒春节备货" in text and "C2" in text
    # Without a message of its own, the default customer text.
    plain = config(tmp_path, SEASONS.replace('message_zh = "{name}您好，春节将至。"\n', ""))
    default = _reminders(book, plain, "2026-12-18", "--audience", "customer", "--allow-stale")
    assert [r["message"] for r in default if r["name"] == "李秀英"] == [
        "【本行】尊敬的李秀英，旺季将至，如需备货资金，客户经理李强乐意为您服务。"
    ]


def test_a_bad_season_message_is_refused_at_load(book: Cli, tmp_path: Path) -> None:
    env = config(tmp_path, SEASONS.replace("{name}您好", "{nom}您好"))
    result = book("calls", env=env)
    assert result.exit_code == 2
    assert "烟酒春节备货" in result.stderr and "{nom}" in result.stderr


def test_a_season_text_moved_off_a_weekend_keeps_its_season(book: Cli, tmp_path: Path) -> None:
    """With texts sent on working days, a window opening on Saturday 2026-12-19
    is texted on Friday: still the season's own message, and the officer's
    line still names the season (it once lost both on the move)."""
    body = '[export]\nsend_on = "working_days"\n' + SEASONS.replace(
        "lead_days = 20", "lead_days = 19"
    )
    env = config(tmp_path, body)
    customer = _reminders(book, env, "2026-12-18", "--days", "1", "--audience", "customer",
                          "--allow-stale")  # fmt: skip
    assert [(r["date"], r["message"]) for r in customer if r["name"] == "李秀英"] == [
        ("2026-12-18", "李秀英您好，春节将至。")
    ]
    officer = _reminders(book, env, "2026-12-18", "--days", "1")
    moved = [r for r in officer if r["reason"] == "season"]
    assert [r["date"] for r in moved] == ["2026-12-19"]  # an officer's line is not moved
    assert "烟酒春节备货" in moved[0]["message"]
