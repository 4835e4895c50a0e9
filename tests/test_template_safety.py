"""Message templates are literal text and ``{placeholder}`` fields, nothing else:
no conversion, format spec, nesting or attribute access (issue 10, item 9).
Checked when the config is loaded; rendering quotes the values and nothing more."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from retain.templates import PLACEHOLDERS, render_template
from tests.conftest import Cli, Result

KEY = "export.templates.officer.en.maturing"


def one_error(result: Result, code: int = 2) -> str:
    assert result.exit_code == code, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
    return lines[0]


@pytest.mark.parametrize(
    ("template", "shown", "why"),
    [
        ("{name:>99999999}", "{name:>99999999}", "a format spec such as :>10"),
        ("{name!r}", "{name!r}", "a conversion such as !r"),
        ("{lender.__class__}", "{lender.__class__}", "attribute or index access"),
        ("{name[0]}", "{name[0]}", "attribute or index access"),
        (
            "{name:{lender.__class__.__init__.__globals__}}",
            "{name:{lender.__class__.__init__.__glob…",
            "a field inside a field",
        ),
        ("Dear {name", "{name", "a { that closes nowhere"),
        ("Dear name}", "Dear name}", "a } that opens nowhere"),
        ("{name:\n>9}", "{name:\\n>9}", "a format spec"),
    ],
)
def test_a_template_with_more_than_placeholders_is_refused(
    cli: Cli, tmp_path: Path, template: str, shown: str, why: str
) -> None:
    cfg = tmp_path / "no-config.toml"
    line = one_error(cli("config", "set", KEY, template))
    assert f"templates.officer.en.maturing: {shown} is not allowed ({why}" in line
    assert not cfg.exists()


def test_a_bad_template_in_the_file_stops_every_command(cli: Cli, tmp_path: Path) -> None:
    """Written by hand (or by an older retain): refused when the config is loaded."""
    cfg = tmp_path / "no-config.toml"
    cfg.write_text('[export.templates.customer.zh]\noverdue = "{name:>99999999}"\n', "utf-8")
    line = one_error(cli("calls"))
    assert "templates.customer.zh.overdue: {name:>99999999} is not allowed" in line
    zh = one_error(cli("--lang", "zh", "calls"))
    assert "不允许 {name:>99999999}（:>10 之类的格式说明）" in zh


def test_an_unknown_name_is_still_named_as_such(cli: Cli) -> None:
    line = one_error(cli("config", "set", KEY, "{nope}"))
    assert "unknown placeholder {nope}" in line


def test_doubled_braces_are_literal_in_the_message(seeded: Cli) -> None:
    template = "{{name}} {name} {{{lender}}} }}"
    assert seeded("config", "set", KEY, template).exit_code == 0
    result = seeded(
        "export", "reminders", "--kinds", "maturing", "--days", "30", "--format", "json"
    )
    assert result.exit_code == 0, result.stderr
    rows = json.loads(result.stdout)
    assert rows
    for row in rows:
        assert row["message"] == "{name} " + row["name"] + " {本行} }"


VALUES = {name: f"<{name.upper()}>" for name in PLACEHOLDERS}


def reference(template: str) -> str | None:
    """What the template says, by a different route than retain's: None if it is
    not text and ``{placeholder}`` fields only."""
    out: list[str] = []
    for token in re.findall(r"\{\{|\}\}|\{[^{}]*\}|[{}]|[^{}]+", template):
        if token in ("{{", "}}"):
            out.append(token[0])
        elif token.startswith("{") and token.endswith("}") and len(token) > 1:
            if token[1:-1] not in PLACEHOLDERS:
                return None
            out.append(VALUES[token[1:-1]])
        elif token in ("{", "}"):
            return None
        else:
            out.append(token)
    return "".join(out)


PIECES = st.sampled_from(
    ["{", "}", "{{", "}}", "!r", "!s", ":", ">9", ".", "[0]", "__class__", "0", " ", "x", "姓名"]
    + [f"{{{name}}}" for name in PLACEHOLDERS[:4]]
    + list(PLACEHOLDERS[:4])
)


@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(PIECES, max_size=8).map("".join))
def test_any_template_is_refused_at_load_or_rendered_as_written(cli: Cli, template: str) -> None:
    expected = reference(template)
    result = cli("config", "set", KEY, template)
    if expected is None:
        assert "is not allowed" in one_error(result) or "unknown placeholder" in result.stderr
        return
    assert result.exit_code == 0, result.stderr
    rendered = render_template(template, VALUES)
    assert rendered == expected
    assert len(rendered) <= len(template) + sum(len(v) for v in VALUES.values()) * template.count(
        "{"
    )


@settings(max_examples=200, deadline=None)
@given(
    st.lists(PIECES, max_size=8).map("".join),
    st.text(alphabet="{}!:.[]0a名 %", max_size=6),
)
def test_values_are_quoted_as_they_are_whatever_braces_they_hold(template: str, extra: str) -> None:
    """Rendering goes through ``str.format_map`` (speed: issue 8): a value with
    braces or format syntax in it is copied, never read as a field, and a
    template's doubled braces stay single literal ones."""
    if reference(template) is None:
        return  # refused at load: never rendered
    values = {name: f"{{{name}}}{extra}" for name in PLACEHOLDERS}
    expected: list[str] = []
    for token in re.findall(r"\{\{|\}\}|\{[^{}]*\}|[^{}]+", template):
        if token in ("{{", "}}"):
            expected.append(token[0])
        elif token.startswith("{"):
            expected.append(values[token[1:-1]])
        else:
            expected.append(token)
    assert render_template(template, values) == "".join(expected)
