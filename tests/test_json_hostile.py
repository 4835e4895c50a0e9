"""Crafted JSON imports (issue 10, item 10): deep nesting, a 5,000-digit number,
a lone surrogate, huge strings. Each is a row rejection with a reason or a
one-line file error, never "unexpected … (a bug in retain)"."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import Cli, Result

KEYS = ["客户编号", "客户名称", "手机号码"]


def row(**values: str) -> str:
    """A JSON object with a valid customer, some of its values given as raw JSON."""
    fields = {"客户编号": '"C1"', "客户名称": '"王建国"', "手机号码": '"13812348001"', **values}
    return "{" + ", ".join(f"{json.dumps(k)}: {v}" for k, v in fields.items()) + "}"


def document(fmt: str, *objects: str) -> str:
    return "[" + ", ".join(objects) + "]" if fmt == "json" else "\n".join(objects) + "\n"


def no_bug(result: Result) -> None:
    assert "a bug in retain" not in result.stderr and "Traceback" not in result.stderr
    assert "Error: unexpected" not in result.stderr


def file_error(result: Result) -> str:
    no_bug(result)
    assert result.exit_code == 1, result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
    return lines[0]


def rejected(cli: Cli, path: Path) -> list[dict[str, str]]:
    """Import ``path``; the rows of the report's rejections, each with its reason."""
    result = cli("import", "customers", str(path), "--format", "json")
    no_bug(result)
    assert result.exit_code == 3, result.stderr  # some rows rejected, the good ones in
    report = result.json()
    assert report["added"] == 1
    rejects = Path(report["rejects_file"])
    with rejects.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == report["rejected"]
    return [{**r, **j} for r, j in zip(rows, report["rejects"], strict=True)]


@pytest.mark.parametrize("fmt", ["json", "ndjson"])
def test_deep_nesting_is_one_line_naming_the_line(cli: Cli, tmp_path: Path, fmt: str) -> None:
    deep = "[" * 100_000 + "]" * 100_000
    path = tmp_path / f"deep.{fmt}"
    path.write_text(document(fmt, row(), row(客户编号=deep)), encoding="utf-8")
    line = file_error(cli("import", "customers", str(path)))
    assert "line 2" in line if fmt == "ndjson" else "line 1" in line
    assert "nested more than about 1,000 levels deep" in line


def test_a_whole_document_nested_deep_is_one_line(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "deep.json"
    path.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    assert "nested more than" in file_error(cli("import", "customers", str(path)))


@pytest.mark.parametrize("fmt", ["json", "ndjson"])
def test_a_5000_digit_number_is_a_rejection(cli: Cli, tmp_path: Path, fmt: str) -> None:
    path = tmp_path / f"big.{fmt}"
    path.write_text(
        document(fmt, row(客户编号='"C2"', 手机号码="9" * 5000), row()), encoding="utf-8"
    )
    [reject] = rejected(cli, path)
    assert reject["reason"] == "number too large" and reject["field"] == "phone"
    assert reject["手机号码"] == "9" * 20 + "… (5000 digits)"


@pytest.mark.parametrize("fmt", ["json", "ndjson"])
def test_a_lone_surrogate_is_a_rejection_shown_as_written(
    cli: Cli, tmp_path: Path, fmt: str
) -> None:
    path = tmp_path / f"sur.{fmt}"
    path.write_text(
        document(fmt, row(客户编号='"C2"', 客户名称=r'"王\ud800"'), row()), encoding="utf-8"
    )
    [reject] = rejected(cli, path)
    assert reject["field"] == "name" and "lone surrogate" in reject["reason"]
    assert reject["客户名称"] == "王\\ud800"


def test_a_lone_surrogate_in_an_unused_column_or_key_rejects_nothing(
    cli: Cli, tmp_path: Path
) -> None:
    path = tmp_path / "sur.json"
    path.write_text(document("json", row(备注=r'"\udfff"', **{"\ud800": '"x"'})), "utf-8")
    result = cli("import", "customers", str(path), "--format", "json")
    no_bug(result)
    assert result.exit_code == 0 and result.json()["added"] == 1


def test_a_huge_string_is_a_rejection(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "huge.json"
    path.write_text(
        document("json", row(客户编号='"C2"', 客户名称=json.dumps("王" * 5_000_000)), row()),
        encoding="utf-8",
    )
    result = cli("import", "customers", str(path), "--format", "json")
    no_bug(result)
    assert result.exit_code == 3 and result.json()["added"] == 1
    [reject] = result.json()["rejects"]
    assert reject["field"] == "name" and "longer than" in reject["reason"]


# Odd values, keys and raw text, put together at random.
ODD_VALUES = st.sampled_from(
    [
        "9" * 5000, "-" + "9" * 4301, "1e400", "-1e400", "1" + "0" * 400 + ".5", "NaN",
        "Infinity", "-0", "true", "null", r'"\ud800"', r'"\udc00\ud800"', r'"\u0000"',
        '"' + "王" * 2_000 + '"', "[" * 2000 + "]" * 2000, '{"a": ' * 1500 + "1" + "}" * 1500,
        "[1, [2, {\"a\": NaN}]]", '"=HYPERLINK(\\"x\\")"', '""', "0.1", "13812348001",
    ]
)  # fmt: skip
ODD_KEYS = st.sampled_from([*KEYS, "", r"\ud800", "身份证号", "a" * 1000])
OBJECT = st.dictionaries(ODD_KEYS, ODD_VALUES, max_size=4).map(
    lambda d: "{" + ", ".join(f'"{k}": {v}' for k, v in d.items()) + "}"
)
RAW = st.sampled_from(["", ",", "[", "]", "{", "}", ":", '"', "\\", "\ufeff", "\x00", " "])


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    fmt=st.sampled_from(["json", "ndjson"]),
    objects=st.lists(st.one_of(OBJECT, st.builds(row)), min_size=1, max_size=4),
    noise=st.lists(st.tuples(st.integers(0, 10**6), RAW), max_size=2),
)
def test_odd_json_is_rejected_with_a_reason_or_one_line(
    cli: Cli, tmp_path: Path, fmt: str, objects: list[str], noise: list[tuple[int, str]]
) -> None:
    text = document(fmt, *objects)
    for where, extra in noise:
        at = where % (len(text) + 1)
        text = text[:at] + extra + text[at:]
    path = tmp_path / f"odd.{fmt}"
    path.write_text(text, encoding="utf-8")
    result = cli(
        "import", "customers", str(path), "--format", "json", "--rejects", str(tmp_path / "r.csv")
    )
    no_bug(result)
    if result.exit_code in (0, 3):
        report = result.json()
        assert all(r["reason"] for r in report["rejects"])
    else:
        assert result.exit_code in (1, 2), result.stderr
        assert [line for line in result.stderr.splitlines() if line.startswith("Error: ")]
