"""UTF-16 without a byte-order mark, UTF-32 with or without one, a doubled BOM:
read correctly or named as the encoding problem they are, never "no header row"
(issue 10, item 13)."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from tests.conftest import CUSTOMER_HEADER, Cli, Result

TEXT = ",".join(CUSTOMER_HEADER) + "\nC1,王建国,13812348001,,粮油,王芳,\nC2,李强,13912348002,,,,\n"


def names(cli: Cli) -> list[str]:
    return [r[0] for r in cli.sql("SELECT name FROM customers ORDER BY customer_id")]


def imported(cli: Cli, path: Path, *args: str) -> Result:
    result = cli("import", "customers", str(path), "--format", "json", *args)
    assert result.exit_code == 0, result.stderr
    assert names(cli) == ["王建国", "李强"]
    return result


def one_error(result: Result, code: int) -> str:
    assert result.exit_code == code, (result.stdout, result.stderr)
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
    assert "no header row" not in lines[0]
    return lines[0]


@pytest.mark.parametrize(
    ("codec", "shown"), [("utf-32", "UTF-32"), ("utf-32-be", "UTF-32"), ("utf-32-le", "UTF-32")]
)
def test_utf32_with_a_bom_is_read(cli: Cli, tmp_path: Path, codec: str, shown: str) -> None:
    path = tmp_path / "c.csv"
    data = TEXT.encode(codec)
    if codec != "utf-32":  # Python's utf-32 writes the BOM itself
        data = (codecs.BOM_UTF32_BE if codec.endswith("be") else codecs.BOM_UTF32_LE) + data
    path.write_bytes(data)
    assert imported(cli, path).json()["encoding"] == shown


@pytest.mark.parametrize(
    ("codec", "looks_like"),
    [
        ("utf-16-le", "UTF-16LE"),
        ("utf-16-be", "UTF-16BE"),
        ("utf-32-le", "UTF-32LE"),
        ("utf-32-be", "UTF-32BE"),
    ],
)
def test_no_bom_is_named_and_its_encoding_option_reads_it(
    cli: Cli, tmp_path: Path, codec: str, looks_like: str
) -> None:
    path = tmp_path / "c.csv"
    path.write_bytes(TEXT.encode(codec))
    line = one_error(cli("import", "customers", str(path)), 2)
    assert f"looks like {looks_like} without a byte-order mark" in line
    assert f"save it as UTF-8 or pass --encoding {codec}" in line
    result = imported(cli, path, "--encoding", codec)
    assert result.json()["encoding"] == looks_like


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be", "utf-32-le"])
def test_ascii_text_without_bom_is_named_too(cli: Cli, tmp_path: Path, codec: str) -> None:
    """ASCII in UTF-16 is valid UTF-8 (every other byte a NUL): still named."""
    path = tmp_path / "c.csv"
    path.write_bytes("customer_id,name\nC1,Wang Jianguo\n".encode(codec))
    assert "without a byte-order mark" in one_error(cli("import", "customers", str(path)), 2)


def test_the_chinese_message(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_bytes(TEXT.encode("utf-16-le"))
    line = one_error(cli("--lang", "zh", "import", "customers", str(path)), 2)
    assert "像是没有字节序标记的 UTF-16LE" in line and "--encoding utf-16-le" in line


UTF16 = TEXT.encode("utf-16")  # its BOM, then the text in the machine's order
UTF16_TWICE = UTF16[:2] + UTF16[:2] + UTF16[2:]


@pytest.mark.parametrize(
    "data",
    [
        codecs.BOM_UTF8 + codecs.BOM_UTF8 + TEXT.encode("utf-8"),
        codecs.BOM_UTF8 * 3 + TEXT.encode("utf-8"),
        UTF16_TWICE,
    ],
    ids=["utf8-twice", "utf8-thrice", "utf16-twice"],
)
def test_a_doubled_bom_is_read(cli: Cli, tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "c.csv"
    path.write_bytes(data)
    imported(cli, path)


@pytest.mark.parametrize("fmt", ["json", "ndjson"])
def test_a_doubled_bom_before_json(cli: Cli, tmp_path: Path, fmt: str) -> None:
    rows = ['{"客户编号": "C1", "客户名称": "王建国"}', '{"客户编号": "C2", "客户名称": "李强"}']
    body = "[" + ",".join(rows) + "]" if fmt == "json" else "\n".join(rows)
    path = tmp_path / f"c.{fmt}"
    path.write_bytes(codecs.BOM_UTF8 * 2 + body.encode("utf-8"))
    imported(cli, path)
