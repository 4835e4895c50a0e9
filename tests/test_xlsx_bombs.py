"""XLSX zip bombs (issue 10, item 8): a small workbook whose XML expands to
hundreds of megabytes is refused before it is parsed, fast, in one line naming
the limit (`import.max_xlsx_xml_mb`, `import.max_cells`); so is a zip whose
directory lies about the sizes, and a sheet with more cells than allowed."""

from __future__ import annotations

import struct
import time
import zipfile
import zlib
from pathlib import Path

import pytest
from openpyxl import Workbook

from tests.conftest import CUSTOMER_HEADER, Cli, Result

MB = 1 << 20
DATA = Path(__file__).parent / "data"
SHEET = "xl/worksheets/sheet1.xml"


def workbook(path: Path, rows: int = 1, *, text: bool = True) -> Path:
    book = Workbook()
    sheet = book.active
    sheet.append(CUSTOMER_HEADER)
    for i in range(rows):
        name = f"客户{i}" if text else "王建国"
        sheet.append([f"C{i}", name, f"138{i:08d}", "", "粮油", "王芳", ""])
    book.save(path)
    return path


def _deflate_padded(xml: bytes, pad_mb: int) -> tuple[bytes, int, int]:
    """(raw deflate stream, CRC-32, size) of ``xml`` with ``pad_mb`` MB of spaces
    before ``</sheetData>``: one compressed megabyte repeated, so building a
    600 MB sheet costs milliseconds, not a 600 MB compression."""
    head, cut, tail = xml.partition(b"</sheetData>")
    assert cut, "a sheet has sheetData"
    tail = cut + tail
    spaces = b" " * MB
    deflate = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    # a full flush empties the window, so each megabyte compresses the same
    start = deflate.compress(head) + deflate.flush(zlib.Z_FULL_FLUSH)
    block = deflate.compress(spaces) + deflate.flush(zlib.Z_FULL_FLUSH)
    end = deflate.compress(tail) + deflate.flush()
    crc = zlib.crc32(head)
    for _ in range(pad_mb):
        crc = zlib.crc32(spaces, crc)
    crc = zlib.crc32(tail, crc)
    return start + block * pad_mb + end, crc, len(head) + pad_mb * MB + len(tail)


def bomb(source: Path, target: Path, pad_mb: int, *, declare: int | None = None) -> Path:
    """A copy of the workbook ``source`` whose sheet XML holds ``pad_mb`` MB of
    padding; ``declare`` is the uncompressed size its zip headers claim."""
    members: list[tuple[str, bytes, int, int]] = []
    with zipfile.ZipFile(source) as original:
        for info in original.infolist():
            data = original.read(info.filename)
            if info.filename == SHEET:
                packed, crc, size = _deflate_padded(data, pad_mb)
            else:
                squeeze = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
                packed = squeeze.compress(data) + squeeze.flush()
                crc, size = zlib.crc32(data), len(data)
            if declare is not None and info.filename == SHEET:
                size = declare
            members.append((info.filename, packed, crc, size))
    with target.open("wb") as out:
        directory = b""
        for name, packed, crc, size in members:
            offset = out.tell()
            fields = (20, 0, 8, 0, 0x21, crc, len(packed), size, len(name.encode()), 0)
            out.write(struct.pack("<4sHHHHHIIIHH", b"PK\x03\x04", *fields))
            out.write(name.encode() + packed)
            directory += struct.pack(
                "<4sHHHHHHIIIHHHHHII", b"PK\x01\x02", 20, *fields, 0, 0, 0, 0, offset
            )
            directory += name.encode()
        start = out.tell()
        out.write(directory)
        count = len(members)
        out.write(struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, count, count, len(directory), start, 0))  # fmt: skip
    return target


def one_line(result: Result, code: int = 1) -> str:
    assert result.exit_code == code, (result.stdout, result.stderr)
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
    return lines[0]


def nothing_imported(cli: Cli) -> bool:
    if not cli.on_postgres and not cli.db.exists():
        return True
    count: int = cli.sql("SELECT count(*) FROM customers")[0][0]
    return count == 0


def test_the_bomb_is_a_valid_workbook_when_small(cli: Cli, tmp_path: Path) -> None:
    """The control: the same construction, 2 MB of padding, imports."""
    path = bomb(workbook(tmp_path / "ok.xlsx"), tmp_path / "small.xlsx", 2)
    assert path.stat().st_size < 20_000
    result = cli("import", "customers", str(path), "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert result.json()["added"] == 1


def test_a_600_mb_sheet_in_a_small_zip_stops_at_once(cli: Cli, tmp_path: Path) -> None:
    path = bomb(workbook(tmp_path / "ok.xlsx"), tmp_path / "bomb.xlsx", 600)
    assert path.stat().st_size < 1 * MB
    began = time.monotonic()
    line = one_line(cli("import", "customers", str(path)))
    assert time.monotonic() - began < 5
    assert "declares 601 MB of XML, over import.max_xlsx_xml_mb (500 MB)" in line
    assert nothing_imported(cli)


def test_a_zip_that_lies_about_its_size_stops_at_the_limit(cli: Cli, tmp_path: Path) -> None:
    cli("config", "set", "import.max_xlsx_xml_mb", "20")
    path = bomb(workbook(tmp_path / "ok.xlsx"), tmp_path / "liar.xlsx", 300, declare=1000)
    began = time.monotonic()
    line = one_line(cli("import", "customers", str(path)))
    assert time.monotonic() - began < 10
    assert "expands to more XML than the 1 MB it declares" in line
    assert "import.max_xlsx_xml_mb (20 MB)" in line
    zh = one_line(cli("--lang", "zh", "import", "customers", str(path)))
    assert "超过 import.max_xlsx_xml_mb（20 MB）" in zh


def test_the_xml_limit_is_a_setting(cli: Cli, tmp_path: Path) -> None:
    path = bomb(workbook(tmp_path / "ok.xlsx"), tmp_path / "big.xlsx", 30)
    assert cli("config", "set", "import.max_xlsx_xml_mb", "20").exit_code == 0
    assert "import.max_xlsx_xml_mb (20 MB)" in one_line(cli("import", "customers", str(path)))
    assert cli("config", "set", "import.max_xlsx_xml_mb", "40").exit_code == 0
    assert cli("import", "customers", str(path)).exit_code == 0


def test_more_shared_strings_than_cells_allowed_is_refused(cli: Cli, tmp_path: Path) -> None:
    path = workbook(tmp_path / "many.xlsx", 200)  # 200 distinct names (and ids…)
    assert cli("config", "set", "import.max_cells", "100").exit_code == 0
    line = one_line(cli("import", "customers", str(path)))
    assert "holds more than 100 cells, over import.max_cells" in line
    assert nothing_imported(cli)


def test_more_cells_than_allowed_is_refused_while_reading(cli: Cli, tmp_path: Path) -> None:
    # few distinct strings (so the shared-strings count passes), many cells
    path = workbook(tmp_path / "cells.xlsx", 60, text=False)
    assert cli("config", "set", "import.max_cells", "300").exit_code == 0
    line = one_line(cli("import", "customers", str(path)))
    assert "holds more than 300 cells, over import.max_cells" in line
    assert nothing_imported(cli)
    assert cli("config", "set", "import.max_cells", "1000").exit_code == 0
    assert cli("import", "customers", str(path)).exit_code == 0


def test_an_xls_sheet_is_bounded_by_its_cells(cli: Cli) -> None:
    assert cli("config", "set", "import.max_cells", "10").exit_code == 0
    line = one_line(cli("import", "loans", str(DATA / "ledger.xls")))
    assert "holds more than 10 cells, over import.max_cells" in line


@pytest.mark.parametrize(
    ("key", "value"), [("import.max_xlsx_xml_mb", "0"), ("import.max_cells", "inf")]
)
def test_the_limits_have_ranges(cli: Cli, key: str, value: str) -> None:
    assert f"{key}: must be from 1 to" in one_line(cli("config", "set", key, value), 2)
