"""The import progress bar: on a terminal's stderr only, never in pipes, never with --quiet.

These run the real ``retain`` with stderr on a pseudo-terminal, as a person at a
terminal would, and stdout on a pipe, as ``--format json | jq`` would.
"""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import write_csv

RETAIN = Path(sys.executable).parent / "retain"
ROWS = 9_000  # several progress updates (one per 2,000 rows)


def _loans_file(tmp_path: Path) -> Path:
    rows: list[list[object]] = [
        [
            "loan_id",
            "customer_id",
            "name",
            "phone",
            "principal",
            "disbursed_on",
            "matures_on",
            "guarantee",
            "status",
        ]
    ]
    for n in range(ROWS):
        rows.append(
            [
                f"L{n}",
                f"C{n}",
                f"客户{n}",
                f"138{n:08d}",
                "50000",
                "2026-01-05",
                "2027-01-05",
                "信用",
                "正常",
            ]
        )
    return write_csv(tmp_path / "loans.csv", rows)


def _run(tmp_path: Path, *extra: str, stderr_tty: bool, after_s: str = "0") -> tuple[str, str]:
    """(stdout, what reached stderr) of one import; stderr is a pty when ``stderr_tty``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("RETAIN_") and k != "NO_COLOR"}
    env.update(
        RETAIN_CONFIG=str(tmp_path / "no-config.toml"),
        RETAIN_PROGRESS_AFTER_S=after_s,
        TERM="xterm-256color",
        COLUMNS="100",
    )
    source = _loans_file(tmp_path)
    args = [
        str(RETAIN),
        "--db",
        str(tmp_path / "store" / "retain.db"),
        "--today",
        "2026-12-01",
        "import",
        "loans",
        str(source),
        *extra,
    ]
    if not stderr_tty:
        done = subprocess.run(args, env=env, capture_output=True, timeout=120, check=True)
        return done.stdout.decode(), done.stderr.decode()
    leader, follower = pty.openpty()
    try:
        proc = subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=follower)
        os.close(follower)
        seen = bytearray()
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # the pty closes when the child exits (EIO on Linux)
                break
            if not chunk:
                break
            seen += chunk
        assert proc.stdout is not None
        out = proc.stdout.read().decode()
        assert proc.wait(timeout=120) == 0
    finally:
        os.close(leader)
    return out, seen.decode(errors="replace")


def test_a_person_at_a_terminal_sees_the_rows_counted_on_stderr_and_stdout_stays_json(
    tmp_path: Path,
) -> None:
    out, err = _run(tmp_path, "--format", "json", stderr_tty=True)
    assert "Importing" in err
    assert "rows" in err
    assert json.loads(out)["added"] == ROWS  # nothing of the bar leaked into stdout


def test_quiet_draws_no_bar_and_no_table(tmp_path: Path) -> None:
    out, err = _run(tmp_path, "--quiet", stderr_tty=True)
    assert "Importing" not in err
    assert out == ""


def test_a_quick_import_draws_no_bar(tmp_path: Path) -> None:
    # Shorter than the delay: the bar would only flicker.
    out, err = _run(tmp_path, stderr_tty=True, after_s="600")
    assert "Importing" not in err
    assert "9,000" in out  # the summary table still says what happened


@pytest.mark.parametrize("extra", [(), ("--format", "json")])
def test_no_bar_when_stderr_is_a_pipe(tmp_path: Path, extra: tuple[str, ...]) -> None:
    out, err = _run(tmp_path, *extra, stderr_tty=False)
    assert "Importing" not in err
    assert "\x1b[" not in err + out  # no cursor control sequences in a log file
