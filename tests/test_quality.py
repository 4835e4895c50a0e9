"""The code stays ruff- and mypy-clean: checked with the rest of the suite."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _tool(name: str) -> str:
    found = Path(sys.executable).parent / name
    if found.exists():
        return str(found)
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"{name} is not installed: pip install '.[test]'")
    return path


def test_ruff_clean() -> None:
    result = subprocess.run(
        [_tool("ruff"), "check", "src", "tests", "bench"], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_clean() -> None:
    result = subprocess.run([_tool("mypy")], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_core_never_imports_typer_or_rich() -> None:
    core = [p for p in (ROOT / "src" / "retain").rglob("*.py") if "cli" not in p.parts]
    offenders = [
        str(p.relative_to(ROOT))
        for p in core
        if any(
            line.strip().startswith(("import typer", "from typer", "import rich", "from rich"))
            for line in p.read_text(encoding="utf-8").splitlines()
        )
    ]
    assert offenders == []
