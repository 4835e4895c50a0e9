"""``retain report``: the monthly review page, its figures, its privacy, and a real browser."""

from __future__ import annotations

import json
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import zlib
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path

import pytest

from tests.conftest import CUSTOMER_HEADER, LOAN_HEADER, Cli, valid_id_number

ID_C1 = valid_id_number("11010519760306240")
ID_C2 = valid_id_number("33038219680113236")
PHONES = ("13812348001", "13912348002", "15012348003", "15112348004")

CUSTOMERS = [
    CUSTOMER_HEADER,
    ["C1", "王建国", PHONES[0], ID_C1, "粮油", "王芳", ""],
    # A name with markup: the page must show it as text.
    ["C2", "李<b>秀英</b>", PHONES[1], ID_C2, "烟酒", "李强", ""],
    ["C3", "张伟", PHONES[2], "", "服装", "王芳", ""],
    ["C4", "赵敏", PHONES[3], "", "餐饮", "王芳", ""],
]
# As of 2026-12-01; the review is of 2026-11.
LOANS = [
    LOAN_HEADER,
    ["L1", "C1", "100000", "2025-12-06", "2026-12-06", "信用", "正常", "", "40000", ""],
    # 40 days past due, matured in October: arrears, not on the ladder.
    ["L2", "C1", "20000", "2025-06-01", "2026-10-22", "抵押", "逾期", "", "20000", "40"],
    # No balance in the file: the principal counts.
    ["L4", "C2", "50000", "2025-12-04", "2026-12-04", "保证", "正常", "", "", ""],
    ["L5", "C3", "80000", "2026-02-15", "2027-02-15", "质押", "正常", "", "60000", ""],
    # C3's earlier loan, closed 2026-01-20 and renewed by L5 26 days later: a measured renewal.
    ["L6", "C3", "80000", "2025-07-20", "2026-01-20", "质押", "结清", "2026-01-20", "0", ""],
    # C4 paid off in June and borrowed again on 2026-11-10: a win-back in November.
    ["L7", "C4", "25000", "2025-06-01", "2026-06-01", "信用", "结清", "2026-06-01", "0", ""],
    ["L8", "C4", "30000", "2026-11-10", "2027-11-10", "信用", "正常", "", "30000", ""],
]  # fmt: skip


@pytest.fixture
def book(cli: Cli, make_csv: Callable[..., Path]) -> Cli:
    for kind, rows in (("customers", CUSTOMERS), ("loans", LOANS)):
        result = cli("import", kind, str(make_csv(f"{kind}.csv", rows)))
        assert result.exit_code == 0, result.stderr
    for customer, channel, outcome, at in (
        ("C1", "call", "reached", "2026-11-20 10:00"),
        ("C2", "sms", "reached", "2026-11-25 09:00"),
        ("C1", "call", "no_answer", "2026-11-26 15:00"),
        ("C2", "call", "renewing", "2026-12-01 09:00"),  # December: not in the review
    ):
        logged = cli("log", customer, "--channel", channel, "--outcome", outcome, "--at", at)
        assert logged.exit_code == 0, logged.stderr
    return cli


class _Text(HTMLParser):
    """The page's visible text, one cell or line per entry, by element id too."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.by_id: dict[str, str] = {}
        self._id: str | None = None
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("style", "title", "svg"):
            self._skip += 1
        self._id = dict(attrs).get("id")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("style", "title", "svg"):
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        text = data.strip()
        if text and not self._skip:
            self.parts.append(text)
            if self._id:
                self.by_id[self._id] = text


def page_text(html: str) -> _Text:
    parser = _Text()
    parser.feed(html)
    return parser


def make_page(cli: Cli, path: Path, *args: str) -> str:
    result = cli("report", "--month", "2026-11", "--output", str(path), *args)
    assert result.exit_code == 0, result.stderr
    return path.read_text(encoding="utf-8")


def rows_after(parts: list[str], first: str, width: int) -> list[str]:
    at = parts.index(first)
    return parts[at : at + width]


def test_the_page_holds_the_hand_computed_figures(book: Cli, tmp_path: Path) -> None:
    text = page_text(make_page(book, tmp_path / "review.html"))
    cards = text.by_id
    # Open balance: L1 40,000 + L2 20,000 + L4 50,000 + L5 60,000 + L8 30,000 = 200,000.
    assert cards["card-balance"] == "200,000.00"
    # PAR30: L2 (40 days) 20,000 ÷ 200,000 = 10.00%; nothing beyond 90 days.
    assert (cards["card-par30"], cards["card-par90"]) == ("10.00%", "0.00%")
    # November: 3 contacts and attempts (the December one is not counted); 1 win-back (C4).
    assert (cards["card-contacts"], cards["card-winbacks"]) == ("3", "1")
    # Renewals measured over the 12 months to 2026-12-01 (grace 60 days): C3's L6
    # closed 2026-01-20, renewed by L5 on 2026-02-15 (26 days); C4's L7 closed
    # 2026-06-01, next loan 162 days later: not renewed. Rate 1 ÷ 2 = 50%, size
    # ratio L5 80,000 ÷ L6 80,000 = 1.00, so renewals = 0.5 × maturing.
    assert text.by_id["runoff-measured"].startswith("Renewal rate 50.00% (1 of 2 customers")
    # Ladder, the months of retain runoff (the first from today, 2026-12-01):
    # December L1 + L4 = 90,000, remaining 200,000 − 90,000 = 110,000 = 55.00%;
    # renewals 0.5 × 90,000 = 45,000; forecast 110,000 + 45,000 = 155,000;
    # cumulative gap 200,000 − 155,000 = 45,000. 155,000 < 80% × 200,000 = 160,000:
    # December is the cliff. February L5 60,000 → 50,000 (25.00%), forecast
    # 50,000 + 0.5 × 150,000 = 125,000, gap 75,000; November 2027 L8 30,000 →
    # 20,000 (10.00%), forecast 20,000 + 0.5 × 180,000 = 110,000, gap 90,000.
    # L2, already past maturity, stays in the balance.
    assert cards["card-maturing"] == "90,000.00"
    assert cards["card-cliff"] == "2026-12"
    parts = text.parts
    assert parts[parts.index("Cum. gap") + 1 :][:9] == [
        "2026-12", "2", "2", "90,000.00", "110,000.00", "55.00%", "45,000.00", "155,000.00",
        "45,000.00",
    ]  # fmt: skip
    assert rows_after(parts, "2027-01", 9) == [
        "2027-01", "0", "0", "0.00", "110,000.00", "55.00%", "0.00", "155,000.00", "45,000.00",
    ]  # fmt: skip
    assert rows_after(parts, "2027-02", 9) == [
        "2027-02", "1", "1", "60,000.00", "50,000.00", "25.00%", "30,000.00", "125,000.00",
        "75,000.00",
    ]  # fmt: skip
    assert rows_after(parts, "2027-11", 9) == [
        "2027-11", "1", "1", "30,000.00", "20,000.00", "10.00%", "15,000.00", "110,000.00",
        "90,000.00",
    ]  # fmt: skip
    assert "The cliff: 2026-12, the first month whose forecast is below 80% of today's balance" in (
        parts
    )
    # Retention in November (clients): borrowers at the end of 2026-10-31 C1 C2 C3 = 3;
    # at the end of 2026-11-30 C1 C2 C3 C4 = 4; no first loan in November, so
    # retention = (4 − 0) ÷ 3 = 133.33% (C4 came back). No loan closed in November:
    # dropout rate n/a. Closed a loan by then: C3, C4; both have two loans: 100.00%.
    # No-loan customers: C4 at start (1), none at end (0); won back: C4 (1).
    retention = {k.removeprefix("ret-"): v for k, v in cards.items() if k.startswith("ret-")}
    assert retention == {
        "active_start": "3", "active_end": "4", "new_borrowers": "0",
        "retention_rate": "133.33%", "closed": "0", "dropouts": "0", "dropout_rate": "n/a",
        "closers": "2", "repeaters": "2", "repeat_rate": "100.00%",
        "noloan_start": "1", "noloan_end": "0", "won_back": "1",
    }  # fmt: skip
    assert (cards["card-retention"], cards["card-dropout"]) == ("133.33%", "n/a")
    assert "retention rate = (borrowers at end − new borrowers) ÷ borrowers at start" in parts
    # The ladder's total is the sum of the loans maturing in its months: L1 L4 L5 L8.
    assert rows_after(parts, "Total", 3) == ["Total", "4", "180,000.00"]
    # Arrears by class: 4 normal loans (180,000), L2 in special mention (20,000, 10.00%).
    assert rows_after(parts, "special mention", 5) == [
        "special mention",
        "1–90",
        "1",
        "20,000.00",
        "10.00%",
    ]
    # Renewals in December, most balance first: C2 50,000 then C1 40,000.
    at = parts.index("Top customers to renew in 2026-12")
    renew = parts[at:]
    assert renew.index("C2") < renew.index("C1")
    assert "50,000.00" in renew and "40,000.00" in renew
    # The win-back: C4's L8, after the loan closed on 2026-06-01.
    assert rows_after(parts, "C4", 8)[4:] == ["L8", "30,000.00", "2026-11-10", "2026-06-01"]


def _money(value: float) -> str:
    return f"{value:,.2f}"


def _share(value: float | None) -> str:
    return "n/a" if value is None else f"{value * 100:.2f}%"


@pytest.mark.parametrize("officer", [None, "王芳", "李强"])
def test_the_runoff_figures_are_retain_runoffs(
    book: Cli, tmp_path: Path, officer: str | None
) -> None:
    scope = () if officer is None else ("--officer", officer)
    text = page_text(make_page(book, tmp_path / "review.html", *scope))
    shown = book("runoff", "--format", "json", *scope)
    assert shown.exit_code == 0, shown.stderr
    runoff = json.loads(shown.stdout)
    parts = text.parts
    at = parts.index("Cum. gap") + 1
    rows = [parts[at + 9 * i : at + 9 * (i + 1)] for i in range(len(runoff["months"]))]
    assert rows == [
        [
            m["month"], str(m["loans"]), str(m["customers"]), _money(m["maturing"]),
            _money(m["remaining"]), _share(m["share"]), _money(m["renewals"]),
            _money(m["forecast"]), _money(m["cumulative_gap"]),
        ]
        for m in runoff["months"]
    ]  # fmt: skip
    assert parts[at + 9 * len(rows)] == "Total"
    assert text.by_id["card-balance"] == _money(runoff["balance"])
    assert text.by_id["card-cliff"] == (runoff["cliff_month"] or "n/a")
    rate = runoff["renewal_rate"]
    measured = text.by_id["runoff-measured"]
    assert (rate is None) == measured.startswith("No loan closed")
    if rate is not None:
        assert measured.startswith(f"Renewal rate {rate * 100:.2f}%")
    # The chart: remaining and forecast bars, the target's dashed line, the cliff framed.
    html = (tmp_path / "review.html").read_text(encoding="utf-8")
    chart = html[html.index('<section id="runoff">') : html.index('<section id="retention">')]
    assert "Forecast" in chart and "target" in chart and 'stroke-dasharray="6 4"' in chart
    assert ('stroke="#c53030"' in chart) == (runoff["cliff_month"] is not None)


@pytest.mark.parametrize("officer", [None, "王芳", "李强", "nobody"])
def test_the_retention_figures_are_retain_retentions(
    book: Cli, tmp_path: Path, officer: str | None
) -> None:
    scope = () if officer is None else ("--officer", officer)
    cards = page_text(make_page(book, tmp_path / "review.html", *scope)).by_id
    by = () if officer is None else ("--by", "officer")
    shown = book(
        "retention", "--period", "month", "--from", "2026-11-01", "--to", "2026-11-30",
        "--format", "json", *by,
    )  # fmt: skip
    assert shown.exit_code == 0, shown.stderr
    periods = [p for p in json.loads(shown.stdout)["periods"] if p["officer"] == officer]
    zero = dict.fromkeys(("active_start", "active_end", "new_borrowers", "closed", "dropouts",
        "closers", "repeaters", "noloan_start", "noloan_end", "won_back"), 0)  # fmt: skip
    month = (
        periods[0]
        if periods
        else {**zero, "retention_rate": None, "dropout_rate": None, "repeat_rate": None}
    )  # an officer with no customers: all zero, as nothing to count
    for name, value in month.items():
        if name in ("period", "start", "end", "officer"):
            continue
        expected = _share(value) if name.endswith("_rate") else str(value)
        assert cards[f"ret-{name}"] == expected, name


def test_no_full_phone_no_id_number_and_names_are_escaped(book: Cli, tmp_path: Path) -> None:
    html = make_page(book, tmp_path / "review.html")
    for phone in PHONES:
        assert phone not in html
    for id_number in (ID_C1, ID_C2):
        assert id_number not in html and id_number[-6:] not in html
    assert "139****8002" in html  # C2, a renewal: masked
    assert "<b>秀英</b>" not in html and "李&lt;b&gt;秀英&lt;/b&gt;" in html
    # Self-contained: nothing fetched, nothing run.
    assert "<script" not in html.lower()
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)
    assert "@page" in html and "A4" in html


def test_one_officer_and_chinese(book: Cli, tmp_path: Path) -> None:
    html = make_page(book, tmp_path / "王芳.html", "--officer", "王芳")
    cards = page_text(html).by_id
    # 王芳: C1 C3 C4 → L1 40,000 + L2 20,000 + L5 60,000 + L8 30,000 = 150,000.
    assert cards["card-balance"] == "150,000.00"
    zh = book("--lang", "zh", "report", "--month", "2026-11", "-o", str(tmp_path / "zh.html"))
    assert zh.exit_code == 0, zh.stderr
    page = (tmp_path / "zh.html").read_text(encoding="utf-8")
    assert '<html lang="zh-CN">' in page and "2026-11 月度回顾" in page and "业绩断层" in page


def test_the_par_trend_is_drawn_from_the_snapshots(
    cli: Cli, make_csv: Callable[..., Path], tmp_path: Path
) -> None:
    cli("import", "customers", str(make_csv("c.csv", CUSTOMERS)), today="2026-11-02")
    for today in ("2026-11-02", "2026-11-16", "2026-12-01"):
        cli("import", "loans", str(make_csv(f"{today}.csv", LOANS)), today=today)
    html = make_page(cli, tmp_path / "review.html")
    # Three weeks, two series: a line through three dots each.
    par = html[html.index('<section id="par">') : html.index('<section id="arrears">')]
    assert par.count("<polyline") == 2 and par.count("<circle") == 6
    assert ">11-02<" in html and ">12-01<" in html


def test_bad_month_existing_file_and_force(book: Cli, tmp_path: Path) -> None:
    for month in ("2026-13", "11/2026", "2027-01"):  # 2027-01: after today's month
        result = book("report", "--month", month, "-o", str(tmp_path / "x.html"))
        assert result.exit_code == 2, month
        assert result.stderr.startswith("Error: --month") and "Traceback" not in result.stderr
    target = tmp_path / "review.html"
    target.write_text("mine", encoding="utf-8")
    refused = book("report", "--month", "2026-11", "-o", str(target))
    assert refused.exit_code == 2 and target.read_text(encoding="utf-8") == "mine"
    make_page(book, target, "--force")
    assert target.stat().st_mode & 0o777 == 0o600


def test_help_does_not_import_jinja2() -> None:
    code = (
        "import sys\n"
        "from retain.cli import main\n"
        "sys.argv = ['retain', 'report', '--help']\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print('jinja2' in sys.modules, 'retain.review' in sys.modules, file=sys.stderr)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, "RETAIN_LANG": "en"},
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stderr.split() == ["False", "False"]
    assert "retain report --month 2026-11" in done.stdout


# ---------------------------------------------------------------------------
# A real browser: headless Chromium (the Debian package; .ci/run installs it)

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
needs_chromium = pytest.mark.skipif(
    not os.access(CHROMIUM, os.X_OK),
    reason="no headless Chromium here (apt-get install -y chromium; .ci/run installs it as root)",
)


def chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    profile = tmp_path / "chromium-profile"
    profile.mkdir(exist_ok=True)
    # Its singleton socket lives in TMPDIR and must fit a socket path (108 bytes):
    # the test's own temporary root is too deep.
    short = tempfile.mkdtemp(prefix="retain-chromium-", dir="/tmp")
    try:
        return _run_chromium(profile, Path(short), args)
    finally:
        shutil.rmtree(short, ignore_errors=True)


def _run_chromium(
    profile: Path, tmp: Path, args: tuple[str, ...]
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
            "--no-first-run", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", f"--user-data-dir={profile}", *args,
        ],
        capture_output=True,
        text=True,
        timeout=180,
        env={**os.environ, "HOME": str(tmp), "TMPDIR": str(tmp)},
    )  # fmt: skip


def png_pixels(data: bytes) -> tuple[int, int, int, bytes]:
    """A tiny PNG reader (8-bit RGB/RGBA, not interlaced): width, height, channels, pixels."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    at, idat = 8, b""
    width = height = channels = 0
    while at < len(data):
        (length,) = struct.unpack(">I", data[at : at + 4])
        kind, body = data[at + 4 : at + 8], data[at + 8 : at + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", body)
            assert depth == 8 and interlace == 0 and colour in (2, 6)
            channels = 3 if colour == 2 else 4
        elif kind == b"IDAT":
            idat += body
        at += 12 + length
    raw = zlib.decompress(idat)
    stride = width * channels
    out = bytearray()
    previous = bytearray(stride)
    for y in range(height):
        start = y * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1 : start + 1 + stride])
        for i in range(stride):
            left = line[i - channels] if i >= channels else 0
            up = previous[i]
            if kind == 1:
                line[i] = (line[i] + left) & 0xFF
            elif kind == 2:
                line[i] = (line[i] + up) & 0xFF
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 0xFF
            elif kind == 4:
                corner = previous[i - channels] if i >= channels else 0
                p = left + up - corner
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                pick = left if pa <= pb and pa <= pc else up if pb <= pc else corner
                line[i] = (line[i] + pick) & 0xFF
        out += line
        previous = line
    return width, height, channels, bytes(out)


def test_the_png_reader_reads_what_zlib_wrote() -> None:
    # 2 × 2 RGB, rows with filter 0 and 2 (up): red, white / red+1, white.
    rows = b"\x00" + bytes([255, 0, 0, 255, 255, 255]) + b"\x02" + bytes([1, 0, 0, 0, 0, 0])

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + b"\0\0\0\0"

    png = (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )
    assert png_pixels(png) == (2, 2, 3, bytes([255, 0, 0, 255, 255, 255, 0, 0, 0, 255, 255, 255]))


@needs_chromium
def test_the_page_renders_in_headless_chromium(book: Cli, tmp_path: Path) -> None:
    page = tmp_path / "review.html"
    make_page(book, page)
    url = page.as_uri()
    dom = chromium(tmp_path, "--dump-dom", url)
    assert dom.returncode == 0, dom.stderr[-2000:]
    text = page_text(dom.stdout)
    # The main figures as the browser built the page.
    assert text.by_id["card-balance"] == "200,000.00"
    assert text.by_id["card-par30"] == "10.00%"
    assert "Runoff: what matures in the next 12 months" in text.parts
    assert "110,000.00" in text.parts and "Top customers to renew in 2026-12" in text.parts
    assert text.by_id["card-cliff"] == "2026-12" and text.by_id["ret-retention_rate"] == "133.33%"

    shot = tmp_path / "review.png"
    done = chromium(tmp_path, f"--screenshot={shot}", "--window-size=800,1000", url)
    assert done.returncode == 0 and shot.exists(), done.stderr[-2000:]
    width, height, channels, pixels = png_pixels(shot.read_bytes())
    assert (width, height) == (800, 1000)
    # Not blank: a white page has one grey level; this one has text, cards and bars.
    grey = [sum(pixels[i : i + 3]) // 3 for i in range(0, len(pixels), channels * 7)]
    mean = sum(grey) / len(grey)
    variance = sum((g - mean) ** 2 for g in grey) / len(grey)
    assert variance > 100, variance
    assert len(set(grey)) > 20
    # Some of the chart's blue (#2b6cb0) is on screen.
    assert bytes([0x2B, 0x6C, 0xB0]) in pixels

    pdf = tmp_path / "review.pdf"
    printed = chromium(tmp_path, f"--print-to-pdf={pdf}", "--no-pdf-header-footer", url)
    assert printed.returncode == 0 and pdf.exists(), printed.stderr[-2000:]
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF")
    # A4 (595 × 842 points) from the page's @page rule, on one or more pages.
    boxes = re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", data)
    assert boxes and all(abs(float(w) - 595.3) < 1 and abs(float(h) - 841.9) < 1 for w, h in boxes)


def test_the_examples_review_script_writes_the_page(tmp_path: Path) -> None:
    """examples/review.sh, as the README gives it (examples/review.png is its page)."""
    script = Path(__file__).resolve().parents[1] / "examples" / "review.sh"
    env = {k: v for k, v in os.environ.items() if not k.startswith("RETAIN_")}
    env.update(
        PATH=os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")]),
        RETAIN_CONFIG=str(tmp_path / "none.toml"),
        RETAIN_LANG="en",
        TMPDIR=str(tmp_path),
    )
    done = subprocess.run(
        ["sh", str(script), "review.html"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    cards = page_text((tmp_path / "review.html").read_text(encoding="utf-8")).by_id
    assert cards["card-balance"] == "3,981,000.00" and cards["card-contacts"] == "3"
