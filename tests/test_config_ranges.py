"""Every numeric setting has a documented range (issue 10, item 12): inf, nan,
1e308 and anything out of range are one line naming the setting and its range."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from retain.config import Range, numeric_settings
from tests.conftest import Cli, Result

README = Path(__file__).resolve().parents[1] / "README.md"


def one_error(result: Result) -> str:
    assert result.exit_code == 2, (result.stdout, result.stderr)
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
    return lines[0]


@pytest.mark.parametrize(
    ("key", "value", "problem"),
    [
        ("weights.overdue", "inf", "weights.overdue: must be from 0 to 10,000, not inf"),
        ("weights.overdue", "nan", "weights.overdue: must be from 0 to 10,000, not nan"),
        ("weights.win_back", "1e308", "weights.win_back: must be from 0 to 10,000, not 1e+308"),
        ("weights.overdue_per_day", "10000.5", "must be from 0 to 10,000, not 10000.5"),
        ("weights.overdue_day_cap", "1e308", "weights.overdue_day_cap: must be from 0 to 36,500"),
        ("rhythm.quiet_days", "366", "rhythm.quiet_days: must be from 0 to 365, not 366"),
        ("rhythm.revisit_every_days", "0", "rhythm.revisit_every_days: must be from 1 to 3,650"),
        ("rhythm.maturity_tiers", "[30, 99999]", "rhythm.maturity_tiers.1: must be from 0 to 3,650"),
        ("calls.daily_capacity", "1000000", "calls.daily_capacity: must be from 1 to 10,000"),
        ("import.principal_ceiling", "1e15", "import.principal_ceiling: must be from 1 to 1,000,000,000,000"),
        ("data.stale_after_days", "-inf", "data.stale_after_days: must be from 0 to 3,650, not -inf"),
    ],
)  # fmt: skip
def test_out_of_range_is_one_line_naming_setting_and_range(
    cli: Cli, tmp_path: Path, key: str, value: str, problem: str
) -> None:
    line = one_error(cli("config", "set", key, value))
    assert problem in line
    assert not (tmp_path / "no-config.toml").exists()


def test_a_file_with_inf_stops_every_command(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "no-config.toml").write_text("[weights]\noverdue = inf\n", "utf-8")
    assert "weights.overdue: must be from 0 to 10,000, not inf" in one_error(cli("calls"))
    zh = one_error(cli("--lang", "zh", "calls"))
    assert "weights.overdue：应在 0 到 10,000 之间，而不是 inf" in zh


def test_an_arrears_class_weight_is_bounded(cli: Cli, tmp_path: Path) -> None:
    text = "\n".join(
        f'[[arrears.classes]]\nname = "{n}"\nname_en = "{n}"\nmin_days = {lo}\n'
        + (f"max_days = {hi}\n" if hi is not None else "")
        + f"weight = {w}\n"
        for n, lo, hi, w in [("正常", 0, 0, 0), ("关注", 1, 90, 10), ("次级", 91, None, 1e308)]
    )
    (tmp_path / "no-config.toml").write_text(text, "utf-8")
    line = one_error(cli("calls"))
    assert "arrears.classes.2.weight: must be from 0 to 10,000" in line


# Rows of a table (arrears.classes, seasons) change with `config edit`, not `config set`.
SETTABLE = [
    (k, d, r)
    for k, d, r in numeric_settings()
    if ".classes." not in k and not k.startswith("seasons.")
]


@pytest.mark.parametrize(("key", "default", "bounds"), SETTABLE, ids=[k for k, _, _ in SETTABLE])
def test_each_setting_takes_its_bounds_and_nothing_beyond(
    cli: Cli, tmp_path: Path, key: str, default: object, bounds: Range
) -> None:
    low, high = bounds.low, bounds.high
    listed = isinstance(default, list)

    def value(v: float) -> str:
        text = str(int(v)) if float(v).is_integer() else str(v)
        return f"[{text}]" if listed else text

    # The principal floor may not exceed the ceiling: make room for each bound first.
    room = {
        "import.principal_ceiling": ("import.principal_floor", "0"),
        "import.principal_floor": ("import.principal_ceiling", str(int(high))),
    }
    if key in room:
        assert cli("config", "set", *room[key]).exit_code == 0
    for ok in (low, high):
        result = cli("config", "set", key, value(ok))
        assert result.exit_code == 0, (key, ok, result.stderr)
    for bad in (low - 1, high + 1):
        assert f"must be from {low:,} to {high:,}" in one_error(
            cli("config", "set", key, value(bad))
        )
    data = tomllib.loads((tmp_path / "no-config.toml").read_text("utf-8"))
    section, _, name = key.partition(".")
    assert data[section][name] in (high, [high])


def test_the_readme_lists_every_numeric_setting_with_its_range() -> None:
    text = README.read_text("utf-8")
    for key, _default, bounds in numeric_settings():
        row = re.search(rf"^\| `{re.escape(key)}` \| (.*?) \| (.*?) \|$", text, re.M)
        assert row is not None, key
        assert row.group(2) == f"{bounds.low:,} – {bounds.high:,}"


WEIGHT = "weights.overdue_per_day"


@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.floats(allow_nan=True, allow_infinity=True) | st.integers(-(10**400), 10**400))
def test_a_weight_is_accepted_exactly_when_finite_and_in_range(cli: Cli, number: float) -> None:
    text = repr(number) if isinstance(number, float) else str(number)
    text = {"nan": "nan", "inf": "inf", "-inf": "-inf"}.get(text, text)
    result = cli("config", "set", WEIGHT, text)
    fits = 0 <= number <= 10_000  # (False for nan)
    if fits:
        assert result.exit_code == 0, (text, result.stderr)
    else:
        assert f"{WEIGHT}: must be from 0 to 10,000" in one_error(result)
