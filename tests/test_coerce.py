"""retain.cli.coerce: option values coerced without pydantic give what Typer's
own coercion gives, value for value and error for error, for every parameter
of the command tree."""

from __future__ import annotations

import enum
from pathlib import Path
from typing import Any

import pytest

# A Typer without this module (before 0.2x) coerces without pydantic: nothing to compare.
pytest.importorskip("typer._coercion")

import typer.core  # noqa: E402
import typer.main  # noqa: E402
from typer import _click  # noqa: E402

from retain.cli import app, coerce  # noqa: E402

SAMPLES: tuple[Any, ...] = (
    "", "x", "0", "1", "-1", "2", "30", "007", "+5", " 5", "5_0", "5.0", "1e3", "٣",
    "366", "367", "99999999999999999999", "-0", "csv", "CSV", "Json", "table", "auto",
    "industry", "officer", "tier", "zh", "2026-12-01", "a//b/", "~/x.csv", "-", "é",
    0, 1, 5, 400, -3, True, False, 1.5, b"csv", ("a", "b"), ["csv"], (), [],
)  # fmt: skip


def outcome(runtime: Any, value: Any, param: Any, ctx: Any) -> tuple[Any, ...]:
    try:
        got = runtime.coerce(value, param=param, ctx=ctx)
    except Exception as exc:  # noqa: BLE001 - the error is what is compared
        return ("error", type(exc).__name__, str(exc))
    return ("value", type(got).__name__, got)


def tree_params() -> list[tuple[str, Any, Any]]:
    """(command path, command, parameter) for every Typer parameter of the tree."""
    found = []

    def walk(command: Any, path: str) -> None:
        for param in command.params:
            if isinstance(param, typer.core._TyperParameter):
                found.append((path, command, param))
        for name, sub in getattr(command, "commands", {}).items():
            walk(sub, f"{path} {name}")

    walk(typer.main.get_command(app), "retain")
    return found


def test_installed_on_this_typer() -> None:
    build = typer.core.build_runtime_param  # type: ignore[attr-defined]
    assert getattr(build, "_retain_fast", False), "Typer's coercion is not the fast one"
    assert coerce.install()  # a second install changes nothing


def test_every_parameter_coerces_as_typer_does(tmp_path: Path) -> None:
    typer_build = typer.core.build_runtime_param.typer_build  # type: ignore[attr-defined]
    build = typer.core.build_runtime_param  # type: ignore[attr-defined]
    (tmp_path / "a-file.csv").write_text("x\n", encoding="utf-8")
    (tmp_path / "a-dir").mkdir()
    local = (str(tmp_path / "a-file.csv"), str(tmp_path / "a-dir"), str(tmp_path / "nothing"))
    fast_kinds = 0
    checked = 0
    for path, command, param in tree_params():
        descriptor = param.type_descriptor
        ctx = _click.Context(command, info_name=path.split()[-1])
        fast, slow = build(descriptor), typer_build(descriptor)
        if type(fast) is not type(slow):
            fast_kinds += 1
        values = [*SAMPLES, *local, param.default]
        annotation = descriptor.annotation
        if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
            values += [*annotation, *(m.value for m in annotation)]
            values += [m.value.upper() for m in annotation]
        for value in values:
            if isinstance(value, str) and value and (param.multiple or param.nargs == -1):
                value = (value,)
            want = outcome(slow, value, param, ctx)
            assert outcome(fast, value, param, ctx) == want, (path, param.name, value)
            checked += 1
    assert fast_kinds > 200 and checked > 10_000  # the whole tree, the fast path taken


@pytest.mark.parametrize(
    ("annotation", "takes"),
    [(str, True), (int, True), (bool, True), (Path, True), (list[str], True),
     (float, False), (tuple[int, int], False)],
)  # fmt: skip
def test_which_annotations_are_fast(annotation: Any, takes: bool) -> None:
    from typer.models import OptionInfo

    assert (coerce.coercion_for(annotation, OptionInfo()) is not None) is takes


def test_a_parser_or_clamp_stays_typers() -> None:
    from typer.models import OptionInfo

    assert coerce.coercion_for(str, OptionInfo(parser=str.upper)) is None
    assert coerce.coercion_for(int, OptionInfo(min=1, max=5, clamp=True)) is None
