"""Temporary files never leak personal data (issue 10, item 7): they live 0600 in
private 0700 directories, go away on every error path (Ctrl-C, SIGTERM
included), and what a SIGKILL'ed run left is removed by the next run."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from retain.scratch import PREFIX, PrivateDir, clean_temporaries, leftover_temporaries
from retain.sinks import atomic_file
from tests.conftest import TODAY, Cli, write_csv

HEADER = ["customer_id", "name", "phone"]


def dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def fake_leftover(directory: Path) -> Path:
    """What a killed run leaves: its private directory with a full phone inside."""
    left = directory / f"{PREFIX}{dead_pid()}-abcd1234"
    left.mkdir(mode=0o700)
    (left / "sms.csv.tmp").write_text("13812348001,王建国\n", encoding="utf-8")
    return left


def everything_under(path: Path) -> list[Path]:
    return [path, *path.rglob("*")]


def private(path: Path) -> bool:
    """Nobody but the owner can read it, or anything under it."""
    return all(stat.S_IMODE(p.lstat().st_mode) & 0o077 == 0 for p in everything_under(path))


def test_an_export_leaves_only_its_file(seeded: Cli, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    target = out / "due.csv"
    assert seeded("due", "--days", "30", "--output", str(target)).exit_code == 0
    assert os.listdir(out) == ["due.csv"]
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


def test_a_failed_export_leaves_nothing(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError), atomic_file(tmp_path / "sms.csv") as out:
        out.handle.write("13812348001,王建国\n")
        assert private(out.tmp.parent)
        raise RuntimeError("the query failed")
    assert os.listdir(tmp_path) == []


def test_a_killed_runs_leftover_is_listed_and_cleaned_by_the_next_export(
    seeded: Cli, tmp_path: Path
) -> None:
    out = tmp_path / "sms"
    out.mkdir()
    left = fake_leftover(out)
    assert leftover_temporaries([out]) == [left]
    assert seeded("due", "--days", "30", "--output", str(out / "due.csv")).exit_code == 0
    assert os.listdir(out) == ["due.csv"]
    assert leftover_temporaries([out]) == []


def test_a_live_runs_directory_is_neither_listed_nor_cleaned(tmp_path: Path) -> None:
    with PrivateDir(tmp_path) as live:
        assert stat.S_IMODE(live.path.stat().st_mode) == 0o700
        made = live.create("x.tmp")
        assert stat.S_IMODE(made.stat().st_mode) == 0o600
        assert leftover_temporaries([tmp_path]) == []
        assert clean_temporaries([tmp_path]) == []
        # another process sees it alive too (its lock is held)
        probe = subprocess.run(
            [
                sys.executable,
                "-c",
                "import sys; from pathlib import Path; from retain.scratch import "
                "leftover_temporaries as f; print(len(f([Path(sys.argv[1])])))",
                str(tmp_path),
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        assert probe.stdout.strip() == "0"
        assert live.path.exists()
    assert not live.path.exists()


def test_an_import_cleans_what_a_killed_import_left_beside_its_input(
    cli: Cli, make_csv: Callable[..., Path], tmp_path: Path
) -> None:
    left = fake_leftover(tmp_path)
    path = make_csv("c.csv", [HEADER, ["C1", "王建国", "13812348001"]])
    assert cli("import", "customers", str(path)).exit_code == 0
    assert not left.exists()


def test_a_dry_run_leaves_leftovers_alone(
    cli: Cli, make_csv: Callable[..., Path], tmp_path: Path
) -> None:
    left = fake_leftover(tmp_path)
    path = make_csv("c.csv", [HEADER, ["C1", "王建国", "13812348001"]])
    assert cli("import", "customers", str(path), "--dry-run").exit_code == 0
    assert left.exists()


# -- real processes, killed mid-import -----------------------------------------


def big_input(directory: Path, rows: int = 60_000) -> Path:
    """Customers, every other one with a bad phone: a long import with rejects."""
    lines: list[list[object]] = [list(HEADER)]
    for n in range(rows):
        phone = f"138{n:08d}" if n % 2 else "12345"
        lines.append([f"C{n}", f"客户{n}", phone])
    return write_csv(directory / "big.csv", lines)


def start_import(tmp_path: Path, source: Path) -> tuple[subprocess.Popen[bytes], Path]:
    """``retain import customers -`` reading ``source`` on stdin, in its directory,
    with its own temporary root; returns the process and that root."""
    scratch = tmp_path / "tmp"
    scratch.mkdir(exist_ok=True)
    env = {**os.environ, "TMPDIR": str(scratch), "RETAIN_LANG": "en", "RETAIN_TTY": "0"}
    db = tmp_path / "store" / "retain.db"
    with source.open("rb") as stdin:
        process = subprocess.Popen(
            [sys.executable, "-m", "retain", "--db", str(db), "--today", TODAY]
            + ["import", "customers", "-", "--input-format", "csv"],
            stdin=stdin,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=source.parent,
            env=env,
        )
    return process, scratch


def wait_for_temporaries(process: subprocess.Popen[bytes], source: Path, scratch: Path) -> None:
    """Until the copy of stdin and the rejects temporary both exist."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        copies = list(scratch.glob(f"{PREFIX}*/stdin"))
        rejects = list(source.parent.glob(f"{PREFIX}*/rejects.csv"))
        if copies and rejects and rejects[0].stat().st_size > 0:
            return
        if process.poll() is not None:
            pytest.fail(f"the import ended first: {process.stderr.read()!r}")  # type: ignore[union-attr]
        time.sleep(0.005)
    pytest.fail("no temporaries appeared")


def leftovers(source: Path, scratch: Path) -> list[Path]:
    return [*source.parent.glob(f"{PREFIX}*"), *scratch.glob(f"{PREFIX}*")]


def test_a_sigkilled_import_leaves_only_private_files_and_the_next_run_removes_them(
    tmp_path: Path,
) -> None:
    work = tmp_path / "work"
    work.mkdir()
    source = big_input(work)
    process, scratch = start_import(tmp_path, source)
    wait_for_temporaries(process, source, scratch)
    process.kill()
    process.wait()
    left = leftovers(source, scratch)
    assert len(left) == 2  # the copy of stdin, the rejects so far
    assert all(private(path) for path in left)
    assert sorted(leftover_temporaries([work, scratch])) == sorted(left)
    assert not list(work.glob("*.rejects*.csv"))

    small = write_csv(work / "small.csv", [HEADER, ["C1", "王建国", "13812348001"]])
    env = {**os.environ, "TMPDIR": str(scratch), "RETAIN_LANG": "en"}
    done = subprocess.run(
        [sys.executable, "-m", "retain", "--db", str(tmp_path / "store" / "retain.db")]
        + ["--today", TODAY, "import", "customers", str(small)],
        capture_output=True,
        env=env,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert leftovers(source, scratch) == []


@pytest.mark.parametrize(
    ("signum", "code", "said"),
    [(signal.SIGINT, 130, ""), (signal.SIGTERM, 143, "Terminated")],
)
def test_an_interrupted_import_leaves_nothing(
    tmp_path: Path, signum: int, code: int, said: str
) -> None:
    work = tmp_path / "work"
    work.mkdir()
    source = big_input(work)
    process, scratch = start_import(tmp_path, source)
    wait_for_temporaries(process, source, scratch)
    process.send_signal(signum)
    _, err = process.communicate(timeout=60)
    assert process.returncode == code
    assert err.decode().strip() == said
    assert "Traceback" not in err.decode()
    assert leftovers(source, scratch) == []
    assert not list(work.glob("*.rejects*.csv"))


def test_what_earlier_versions_left_is_cleaned_once_it_is_an_hour_old(
    cli: Cli, make_csv: Callable[..., Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "tmp"
    root.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(root))
    beside = tmp_path / ".retain-rejects-k2j4h1"
    beside.write_text("C2,李强,13812348001\n", encoding="utf-8")
    spool = root / "retain-abc123"
    spool.mkdir()
    (spool / "stdin").write_text("C2,李强,13812348001\n", encoding="utf-8")
    fresh = tmp_path / ".retain-rejects-running"
    fresh.write_text("", encoding="utf-8")
    hour_ago = time.time() - 3700
    for path in (beside, spool / "stdin", spool):
        os.utime(path, (hour_ago, hour_ago))
    assert sorted(leftover_temporaries([tmp_path])) == sorted([beside, spool])
    path = make_csv("c.csv", [HEADER, ["C1", "王建国", "13812348001"]])
    assert cli("import", "customers", str(path)).exit_code == 0
    assert not beside.exists() and not spool.exists()
    assert fresh.exists()  # perhaps an earlier version's import still running
