"""XLSX is XML: a workbook with an entity-expansion bomb fails cleanly, and retain
refuses to parse XLSX at all if openpyxl is not using defusedxml."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook

from tests.conftest import CUSTOMER_HEADER, Cli

# "Billion laughs": ten levels of ten references, 10^9 copies of "lol" if expanded.
BOMB_DOCTYPE = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n'
    + "".join(
        f' <!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">\n'
        for i in range(1, 10)
    )
    + "]>\n"
)


def workbook(path: Path, *, formula: bool = False) -> Path:
    book = Workbook()
    sheet = book.active
    sheet.append(CUSTOMER_HEADER)
    sheet.append(["C1", "王建国", "13812348001", "", "粮油", "王芳", ""])
    if formula:  # a workbook with a formula is read by openpyxl, not calamine
        book.create_sheet("说明").append(["=1+1"])
    book.save(path)
    return path


def with_bomb(source: Path, target: Path, member: str) -> Path:
    """A copy of ``source`` whose ``member`` declares the entities and uses the last."""
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == member:
                text = data.decode("utf-8")
                body = text[text.index("?>") + 2 :].lstrip() if text.startswith("<?xml") else text
                # The entity in the first text the parser reaches: a cell, a name.
                body = body.replace("王建国", "&lol9;", 1).replace(
                    'name="Sheet"', 'name="&lol9;"', 1
                )
                data = (BOMB_DOCTYPE + body).encode("utf-8")
            zout.writestr(item, data)
    return target


def run_retain(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The whole program in its own process, so a parser that expands the bomb is
    caught by the timeout (and its memory dies with the process)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("RETAIN_")}
    env.update(
        RETAIN_DB=str(tmp_path / "store" / "retain.db"),
        RETAIN_CONFIG=str(tmp_path / "no-config.toml"),
        RETAIN_LANG="en",
        RETAIN_TODAY="2026-12-01",
    )
    return subprocess.run(
        [sys.executable, "-m", "retain", *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        timeout=60,
    )


def test_a_plain_workbook_imports(tmp_path: Path) -> None:
    """The control: the same workbook without the bomb is read."""
    result = run_retain(tmp_path, "import", "customers", str(workbook(tmp_path / "ok.xlsx")))
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("formula", [False, True], ids=["calamine", "openpyxl"])
@pytest.mark.parametrize("member", ["xl/worksheets/sheet1.xml", "xl/workbook.xml"])
def test_an_entity_bomb_fails_cleanly(tmp_path: Path, member: str, formula: bool) -> None:
    plain = workbook(tmp_path / "plain.xlsx", formula=formula)
    with zipfile.ZipFile(plain) as z:
        if member not in z.namelist():
            pytest.fail(f"{member} is not in openpyxl's workbook: pick another part")
    bomb = with_bomb(plain, tmp_path / "bomb.xlsx", member)
    with zipfile.ZipFile(bomb) as z:
        assert "&lol9;" in z.read(member).decode("utf-8"), "the bomb was not planted"
    result = run_retain(tmp_path, "import", "customers", str(bomb))
    assert result.returncode in (1, 2), result.stderr
    assert result.stderr.startswith("Error: "), result.stderr
    assert result.stderr.count("\n") == 1, result.stderr  # one line, no traceback
    assert "bomb.xlsx" in result.stderr


def test_no_workbook_is_parsed_without_defusedxml(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import openpyxl

    monkeypatch.setattr(openpyxl, "DEFUSEDXML", False)
    result = cli("import", "customers", str(workbook(tmp_path / "ok.xlsx", formula=True)))
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: ") and "defusedxml" in result.stderr
    assert result.stderr.count("\n") == 1
