"""The command line as a whole: help, version, the installed executable, no heavy imports,
and one clean ``Error:`` line for bad input."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from retain.cli import app

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
BIN = Path(sys.executable).parent
RETAIN = BIN / "retain"
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
TODAY = "2026-12-01"


def command_paths() -> list[tuple[str, ...]]:
    """Every command and group registered on the app, found by walking Click's tree."""
    root = typer.main.get_command(app)
    found: list[tuple[str, ...]] = []

    def walk(cmd: Any, path: tuple[str, ...]) -> None:
        # Typer may bring its own Click: recognise a group by its sub-commands.
        subs = getattr(cmd, "commands", None)
        if subs:
            for name, sub in subs.items():
                if getattr(sub, "hidden", False):
                    continue
                found.append((*path, name))
                walk(sub, (*path, name))

    walk(root, ())
    return found


COMMANDS = command_paths()


def help_params() -> list[object]:
    return [pytest.param(path, id=" ".join(path)) for path in COMMANDS]


def env_for(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("RETAIN_") and key not in ("LC_ALL", "LANG", "NO_COLOR")
    }
    env.update(
        {
            "HOME": str(tmp_path / "home"),
            "XDG_CONFIG_HOME": str(tmp_path / "home" / ".config"),
            "XDG_DATA_HOME": str(tmp_path / "home" / ".local" / "share"),
            "RETAIN_CONFIG": str(tmp_path / "no-config.toml"),
            "RETAIN_LANG": "en",
            "TMPDIR": str(tmp_path),
            "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        }
    )
    env.update(extra)
    return env


def retain(
    tmp_path: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(RETAIN), *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env or env_for(tmp_path),
        cwd=tmp_path,
        timeout=120,
    )


def assert_one_error_line(proc: subprocess.CompletedProcess[str], code: int) -> str:
    assert proc.returncode == code, (proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stderr and "Traceback" not in proc.stdout
    errors = [line for line in proc.stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1, proc.stderr
    return errors[0]


# ---------------------------------------------------------------------------
# Help and version


def test_discovery_finds_the_known_commands() -> None:
    for path in [("due",), ("import",), ("import", "customers"), ("import", "loans")]:
        assert path in COMMANDS


def test_top_level_help_has_examples() -> None:
    result = CliRunner().invoke(app, ["--help"])
    assert result.exit_code == 0
    assert "Example" in result.stdout
    for name in ("due", "import"):
        assert name in result.stdout


@pytest.mark.parametrize("path", help_params())
def test_every_command_help_has_examples(path: tuple[str, ...]) -> None:
    result = CliRunner().invoke(app, [*path, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.stdout
    assert "Example" in result.stdout


@pytest.mark.parametrize("path", [("due",), ("import", "customers"), ("import", "loans")])
def test_named_commands_help_has_examples(path: tuple[str, ...]) -> None:
    result = CliRunner().invoke(app, [*path, "--help"])
    assert result.exit_code == 0
    assert "Example" in result.stdout
    assert f"retain {' '.join(path)}" in result.stdout


def installed_version() -> str:
    """The version pip installed from pyproject.toml: the one `--version` must show."""
    from importlib.metadata import version

    return version("retain")


def test_version_is_the_installed_package_version() -> None:
    result = CliRunner().invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.stdout.strip() == f"retain {installed_version()}"
    assert re.fullmatch(r"\d+\.\d+\.\d+\S*", installed_version())


def test_python_dash_m(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "retain", "--help"],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env_for(tmp_path),
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert "Example" in proc.stdout
    assert "due" in proc.stdout
    proc = subprocess.run(
        [sys.executable, "-m", "retain", "--version"],
        capture_output=True,
        text=True,
        env=env_for(tmp_path),
        timeout=120,
    )
    assert proc.stdout.strip() == f"retain {installed_version()}"


# ---------------------------------------------------------------------------
# The installed executable


def test_installed_executable_exists() -> None:
    assert RETAIN.is_file() and os.access(RETAIN, os.X_OK)


def test_installed_retain_imports_examples_and_lists_due(tmp_path: Path) -> None:
    db = str(tmp_path / "store" / "retain.db")
    for kind in ("customers", "loans"):
        proc = retain(
            tmp_path, "--db", db, "--today", TODAY, "import", kind, str(EXAMPLES / f"{kind}.csv")
        )
        assert proc.returncode == 0, proc.stderr
        assert "Traceback" not in proc.stderr
    proc = retain(tmp_path, "--db", db, "--today", TODAY, "due", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    rows = json.loads(proc.stdout)
    assert rows
    for row in rows:
        assert TODAY <= row["matures_on"] <= "2026-12-31"
        assert row["status"] in ("active", "overdue")
        assert "****" in row["phone"]
    assert [row["matures_on"] for row in rows] == sorted(row["matures_on"] for row in rows)


def test_installed_retain_auto_is_tsv_in_a_pipe(tmp_path: Path) -> None:
    db = str(tmp_path / "retain.db")
    for kind in ("customers", "loans"):
        retain(
            tmp_path, "--db", db, "--today", TODAY, "import", kind, str(EXAMPLES / f"{kind}.csv")
        )
    proc = retain(tmp_path, "--db", db, "--today", TODAY, "due")
    assert proc.returncode == 0
    assert proc.stdout.startswith("loan_id\tcustomer_id\tname\t")
    assert "\x1b" not in proc.stdout
    table = retain(tmp_path, "--db", db, "--today", TODAY, "due", "--format", "table")
    assert table.returncode == 0
    assert "Loans maturing" in table.stdout
    assert "\x1b" not in table.stdout


def test_demo_script(tmp_path: Path) -> None:
    proc = subprocess.run(
        ["sh", str(EXAMPLES / "demo.sh")],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env_for(tmp_path, COLUMNS="160"),  # a wide terminal
        cwd=tmp_path,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    text = ANSI.sub("", proc.stdout)
    assert "Loans maturing 2026-12-01 – 2026-12-31 (30 days)" in text
    assert "Principal" in text and "Matures" in text
    assert re.search(r"^\s*2026-12-01\s+0\s+JJ20260001\s", text, re.MULTILINE), text
    assert re.search(r"\d{3}\*{4}\d{4}", text)  # phones masked
    assert re.search(r"^\d+ loans, principal [\d,]+\.\d\d yuan$", text, re.MULTILINE)
    assert "demo store:" in proc.stderr
    assert "Traceback" not in proc.stderr


# ---------------------------------------------------------------------------
# No pandas, no numpy


FAKE = """import os
with open(os.environ["RETAIN_TEST_MARKER"], "a", encoding="utf-8") as handle:
    handle.write(__name__ + "\\n")
"""


@pytest.fixture
def fake_heavy(tmp_path: Path) -> tuple[dict[str, str], Path]:
    fakes = tmp_path / "fakes"
    for name in ("pandas", "numpy"):
        (fakes / name).mkdir(parents=True)
        (fakes / name / "__init__.py").write_text(FAKE, encoding="utf-8")
    marker = tmp_path / "imported.txt"
    env = env_for(
        tmp_path,
        PYTHONPATH=os.pathsep.join([str(fakes), os.environ.get("PYTHONPATH", "")]).rstrip(
            os.pathsep
        ),
        RETAIN_TEST_MARKER=str(marker),
    )
    return env, marker


def test_fake_heavy_modules_would_be_detected(
    tmp_path: Path, fake_heavy: tuple[dict[str, str], Path]
) -> None:
    env, marker = fake_heavy
    proc = subprocess.run(
        [sys.executable, "-c", "import pandas, numpy"], env=env, capture_output=True, timeout=60
    )
    assert proc.returncode == 0, proc.stderr
    assert marker.read_text(encoding="utf-8").split() == ["pandas", "numpy"]


def test_no_command_imports_pandas_or_numpy(
    tmp_path: Path, fake_heavy: tuple[dict[str, str], Path]
) -> None:
    env, marker = fake_heavy
    db = str(tmp_path / "store" / "retain.db")
    runs = [
        ("--help",),
        ("--db", db, "--today", TODAY, "import", "customers", str(EXAMPLES / "customers.csv")),
        ("--db", db, "--today", TODAY, "import", "loans", str(EXAMPLES / "loans.csv")),
        ("--db", db, "--today", TODAY, "due", "--format", "csv"),
        ("--db", db, "--today", TODAY, "due", "--format", "json"),
        ("--db", db, "--today", TODAY, "due", "--format", "table"),
        ("--db", db, "--today", TODAY, "calls", "--format", "csv"),
        ("--db", db, "--today", TODAY, "calls", "--explain", "C0001"),
        ("--db", db, "--today", TODAY, "overdue", "--format", "csv"),
        ("--db", db, "--today", TODAY, "overdue", "--summary", "--format", "json"),
        ("--db", db, "--today", TODAY, "noloan", "--limit", "100", "--format", "csv"),
        ("--db", db, "--today", TODAY, "show", "C0001"),
        ("--db", db, "--today", TODAY, "log", "C0001", "--channel", "sms"),
        ("--db", db, "--today", TODAY, "history", "C0001"),
        ("--db", db, "--today", TODAY, "export", "reminders", "--format", "ics"),
        ("--db", db, "--today", TODAY, "due", "--output", str(tmp_path / "due.xlsx")),
        ("config", "show"),
        ("due", "--help"),
    ]
    for args in runs:
        proc = retain(tmp_path, *args, env=env)
        assert proc.returncode == 0, (args, proc.stderr)
        assert not marker.exists(), (args, marker.read_text(encoding="utf-8"))
    assert (
        "loan_id,customer_id"
        in retain(tmp_path, "--db", db, "--today", TODAY, "due", "--format", "csv", env=env).stdout
    )


# ---------------------------------------------------------------------------
# Bad input


def test_missing_import_file(tmp_path: Path) -> None:
    db = str(tmp_path / "retain.db")
    for kind in ("customers", "loans"):
        proc = retain(tmp_path, "--db", db, "import", kind, str(tmp_path / "nope.csv"))
        line = assert_one_error_line(proc, 2)
        assert "nope.csv" in line
        assert proc.stderr.strip() == line
        assert proc.stdout == ""


@pytest.mark.parametrize(
    "args",
    [
        ("due", "--format", "json"),
        ("due",),
        ("import", "customers", str(EXAMPLES / "customers.csv")),
    ],
)
def test_corrupt_store(tmp_path: Path, args: tuple[str, ...]) -> None:
    db = tmp_path / "retain.db"
    garbage = bytes((i * 37 + 11) % 256 for i in range(8192))
    db.write_bytes(garbage)
    proc = retain(tmp_path, "--db", str(db), "--today", TODAY, *args)
    line = assert_one_error_line(proc, 1)
    assert proc.stderr.strip() == line
    assert str(db) in line
    assert proc.stdout == ""
    assert db.read_bytes() == garbage


@pytest.mark.parametrize(
    "args",
    [
        ("due", "--bogus"),
        ("--bogus", "due"),
        ("import", "loans", "--no-such-flag", "x.csv"),
        ("due", "--format", "xml"),
        ("due", "--sort", "random"),
        ("due", "--days", "-1"),
        ("due", "--limit", "0"),
    ],
)
def test_usage_errors(tmp_path: Path, args: tuple[str, ...]) -> None:
    proc = retain(tmp_path, "--db", str(tmp_path / "retain.db"), *args)
    assert_one_error_line(proc, 2)
    assert proc.stdout == ""


def test_bad_today_subprocess(tmp_path: Path) -> None:
    proc = retain(tmp_path, "--db", str(tmp_path / "retain.db"), "--today", "soonish", "due")
    line = assert_one_error_line(proc, 2)
    assert proc.stderr.strip() == line
    assert "soonish" in line
