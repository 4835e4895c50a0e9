"""Pure, fast value normalisers for import cells.

A cell arrives as ``None``, ``str``, ``int``, ``float``, ``bool`` (always invalid),
``datetime.datetime`` or ``datetime.date`` (native XLSX values). Every normaliser
either returns the normalised value or raises :class:`Invalid` with a catalogue code
(its English ``reason``, its ``message`` in either language, for the rejects file).
No other exception escapes for any cell value.

Blank (``None`` or whitespace-only after cleaning) means "absent": optional
normalisers return ``None``; required ones raise ``Invalid(code="required")``.

The hot paths (ISO dates, plain ASCII amounts, 11-digit mobiles, plain IDs) are
tried first with precompiled regexes; Unicode normalisation is only paid for
non-ASCII text. Data is never masked or shortened here (masking for display is
``retain.output.mask_phone`` / ``mask_id_number``).
"""

from __future__ import annotations

import datetime as _dt
import math
import operator
import re
import unicodedata
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Final

from retain.errors import keyed_text
from retain.i18n import CATALOGUE
from retain.rules import GUARANTEES, PRODUCTS, STATUSES

__all__ = [
    "GUARANTEES",
    "GUARANTEE_ZH",
    "STATUSES",
    "STATUS_ZH",
    "Invalid",
    "clean",
    "id_check_char",
    "norm_date",
    "norm_guarantee",
    "norm_id",
    "plain_ids",
    "norm_id_number",
    "norm_money",
    "norm_name",
    "norm_nonneg_int",
    "norm_product",
    "norm_phone",
    "norm_rate",
    "norm_status",
    "norm_officer",
    "norm_text",
    "phone_kind",
]


class Invalid(ValueError):
    """A cell value that cannot be imported.

    Raised with a catalogue code and its values (``Invalid(code="phone")`` is
    ``reject.phone``); ``reason`` is the short English sentence, ``message`` renders
    it in either language for the rejects file and the import report.
    """

    def __init__(self, reason: str = "", /, *, code: str | None = None, **params: object) -> None:
        self.message = keyed_text("reject.", reason, code, params)
        self.reason = str(self.message)
        super().__init__(self.reason)


class Unusable:
    """A cell the reader found but cannot give a value for: an XLSX formula with no
    saved value, a JSON object or array. It is only a fault if a rule reads it (an
    unused column never rejects a row); ``str()`` is how the rejects file shows it."""

    __slots__ = ("code", "shown")

    def __init__(self, code: str, shown: str = "") -> None:
        self.code = code
        self.shown = shown

    def __str__(self) -> str:
        return self.shown

    def __repr__(self) -> str:
        return f"Unusable({self.code!r}, {self.shown!r})"


DATE_ORDERS: Final = ("dmy", "mdy", "ymd")  # how a mapping file reads D/M/YYYY
# The Chinese words of each value, as the catalogue shows them.
GUARANTEE_ZH: Final[dict[str, str]] = {g: CATALOGUE[f"guarantee.{g}"][1] for g in GUARANTEES}
STATUS_ZH: Final[dict[str, str]] = {s: CATALOGUE[f"status.{s}"][1] for s in STATUSES}

# ---------------------------------------------------------------------------
# cleaning

_EXACT_FLOAT: Final = 2.0**53  # integral floats below this convert to int exactly
_ZERO_WIDTH: Final = "\u200b\ufeff"  # zero-width space, BOM: trimmed at the edges
# C0/C1 control characters (category Cc) and lone surrogates (cannot be stored).
_CONTROL_RE: Final = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
_SCI_RE: Final = re.compile(r"[0-9.]\s*[eE]\s*[+-]?\s*[0-9]")
_WS_RE: Final = re.compile(r"\s+")
# Validated ISO dates: an import repeats the same few thousand dates many times.
_ISO_SEEN: Final[set[str]] = set()
_ISO_SEEN_MAX: Final = 100_000


def _to_str(value: object) -> str:
    """The cell as text, without any normalisation (None → "")."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        raise Invalid(code="bool")
    if isinstance(value, int):
        try:
            return str(value)
        except ValueError:  # more digits than int→str conversion allows
            raise Invalid(code="too_large") from None
    if isinstance(value, float):
        if value.is_integer() and -_EXACT_FLOAT < value < _EXACT_FLOAT:
            return str(int(value))
        return repr(value)
    if isinstance(value, Unusable):
        raise Invalid(code=value.code)
    try:
        return str(value)
    except Exception:
        raise Invalid(code="unreadable") from None


def _trim(s: str) -> str:
    """Strip whitespace (incl. U+3000, U+00A0) and zero-width space / BOM at both ends."""
    if s.isascii():
        return s.strip()
    while True:
        t = s.strip().strip(_ZERO_WIDTH)
        if len(t) == len(s):
            return t
        s = t


def clean(value: object) -> str:
    """Text of a cell: str() for scalars, NFKC (full-width → half-width), trimmed.

    ``None`` gives "". Integral floats lose their ".0" (1001.0 → "1001"). A bool cell
    raises :class:`Invalid`.
    """
    s = _to_str(value)
    if s.isascii():
        return s.strip()
    return _trim(unicodedata.normalize("NFKC", s))


def _short(s: str) -> str:
    """A value quoted for a reason message (long values are cut, only in the message)."""
    return repr(s if len(s) <= 40 else s[:40] + "…")


# ---------------------------------------------------------------------------
# identifiers and text

_ID_RE: Final = re.compile(r"[A-Za-z0-9_-]{1,32}")
_SCI_NUMBER_RE: Final = re.compile(r"[+-]?[0-9]*\.?[0-9]+[eE][+-]?[0-9]+")


# A column of plain ids, one a line: norm_id of each is the cell itself.
_IDS_RE: Final = re.compile(r"(?:[A-Za-z0-9_-]{1,32}\n)*[A-Za-z0-9_-]{1,32}")


def plain_ids(cells: list[object]) -> bool:
    """Is every cell an id as :func:`norm_id` accepts it unchanged? One regex
    over the column instead of one per cell (a loans file's ids are distinct)."""
    try:
        text = "\n".join(cells)  # type: ignore[arg-type]
    except TypeError:  # a cell that is not text
        return False
    return text.count("\n") == len(cells) - 1 and _IDS_RE.fullmatch(text) is not None


def norm_id(value: object) -> str:
    """customer_id / loan_id: 1–32 of ``A-Z a-z 0-9 _ -``; required."""
    if type(value) is str and _ID_RE.fullmatch(value):
        return value
    if isinstance(value, _dt.date):
        raise Invalid(code="id_date")
    s = clean(value)
    if not s:
        raise Invalid(code="required")
    if _ID_RE.fullmatch(s):
        return s
    if _SCI_NUMBER_RE.fullmatch(s):
        raise Invalid(code="id_scientific")
    if len(s) > 32:
        raise Invalid(code="id_too_long")
    raise Invalid(code="id_invalid")


def _verbatim(value: object, limit: int) -> str:
    """Trimmed but otherwise untouched text ("" when blank)."""
    s = _trim(_to_str(value))
    if not s:
        return s
    if _CONTROL_RE.search(s):
        raise Invalid(code="control")
    if len(s) > limit:
        raise Invalid(code="too_long", limit=limit)
    return s


def norm_name(value: object) -> str:
    """Customer name: required, trimmed, otherwise verbatim (no NFKC), ≤ 64 characters."""
    s = _verbatim(value, 64)
    if not s:
        raise Invalid(code="required")
    return s


def norm_text(value: object) -> str | None:
    """Free text (industry, officer, segment, product): trimmed, verbatim, ≤ 200 chars."""
    return _verbatim(value, 200) or None


def norm_officer(value: object) -> str | None:
    """An officer's name as ``retain officer``/``handover`` match it: NFKC, trimmed
    (a full-width ``Ｌｉ Ｎａ`` from a Chinese keyboard is ``Li Na``)."""
    text = norm_text(value)
    if text is None:
        return None
    return unicodedata.normalize("NFKC", text).strip() or None


# ---------------------------------------------------------------------------
# phone and ID number

_PHONE_RE: Final = re.compile(r"1[3-9][0-9]{9}")
_PHONE_SEP_RE: Final = re.compile(r"[\s\-().\u2010-\u2015]+")
# A landline is its area code and local number: 010 and 02X take 8-digit
# numbers, the 4-digit codes 0[3-9]XX 7 or 8 digits; a local number never
# starts with 0 (long distance) or 1 (service numbers). The codes do not
# overlap, so the digits alone say where the area code ends.
_LANDLINE_RE: Final = re.compile(
    r"(0(?:10|2[0-9]))([2-9][0-9]{7})|(0[3-9][0-9]{2})([2-9][0-9]{6,7})"
)
# An extension named as one: 转801, 分机801, ext. 801, x801, #801, (转801).
_EXTENSION_RE: Final = re.compile(
    r"(.+?)[\s(]*(?:转|分机|ext\.?|x|#)\s*([0-9]{1,6})\)?", re.IGNORECASE
)
_DASH_EXTENSION_RE: Final = re.compile(r"(.+?)\s*-\s*([0-9]{1,6})")


def norm_phone(value: object) -> str | None:
    """A mainland phone; optional. A mobile → its 11 digits; a landline with its
    area code → ``AREA-NUMBER`` or ``AREA-NUMBER-EXT`` (``0371-67891234-801``).

    The hyphens keep a landline's leading 0 when a spreadsheet opens an export,
    and the kind follows from the first digit (1 mobile, 0 landline: see
    :func:`phone_kind`). A number without its area code is rejected: the
    officer's mobile may be in another city.
    """
    if type(value) is str and len(value) == 11 and _PHONE_RE.fullmatch(value):
        return value
    s = clean(value)
    if s[:1] == "'":
        s = s[1:]
    digits = _PHONE_SEP_RE.sub("", s)
    if not digits:
        return None
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("0086"):
        digits = digits[4:]
    elif len(digits) == 13 and digits.startswith("86"):
        digits = digits[2:]
    if _PHONE_RE.fullmatch(digits):
        return digits
    landline = _landline(s)
    if landline is not None:
        return landline
    raise Invalid(code="phone")


def _landline(s: str) -> str | None:
    """``AREA-NUMBER[-EXT]`` of a cleaned cell, or None."""
    named = _EXTENSION_RE.fullmatch(s)
    if named:
        main = _landline_number(named[1])
        return None if main is None else f"{main}-{named[2]}"
    # A trailing "-801" is an extension when what stands before it is a whole
    # number already ("0371-6789123-4" is 6789123 extension 4, not 67891234).
    dashed = _DASH_EXTENSION_RE.fullmatch(s)
    if dashed:
        main = _landline_number(dashed[1])
        if main is not None:
            return f"{main}-{dashed[2]}"
    return _landline_number(s)


def _landline_number(s: str) -> str | None:
    """``AREA-NUMBER`` of text holding exactly a landline, or None."""
    digits = _PHONE_SEP_RE.sub("", s)
    for country in ("+86", "0086"):
        if digits.startswith(country):
            digits = digits[len(country) :]
            if digits[:1] != "0":
                digits = "0" + digits  # dialled from abroad, the area code drops its 0
            break
    found = _LANDLINE_RE.fullmatch(digits)
    if found is None:
        return None
    area, number = (found[1], found[2]) if found[1] else (found[3], found[4])
    return f"{area}-{number}"


def phone_kind(phone: str | None) -> str | None:
    """``mobile`` or ``landline`` of a stored (normalised) phone; None without one.
    Migration m013 computes the same in SQL for ``customers.phone_kind``."""
    if not phone:
        return None
    return "mobile" if phone[0] == "1" else "landline"


_IDN_RE: Final = re.compile(r"[0-9]{17}[0-9X]")
_IDN_WEIGHTS: Final = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_IDN_CHECK: Final = "10X98765432"
_IDN_ZERO_SUM: Final = ord("0") * sum(_IDN_WEIGHTS)  # weighted sum of 17 "0" bytes
_DIGITS17_RE: Final = re.compile(r"[0-9]{17}")


def id_check_char(first17: str) -> str:
    """GB 11643-1999 check character for the first 17 digits of an ID number."""
    if not _DIGITS17_RE.fullmatch(first17):
        raise Invalid(code="digits17")
    total = sum(int(c) * w for c, w in zip(first17, _IDN_WEIGHTS, strict=True))
    return _IDN_CHECK[total % 11]


def norm_id_number(value: object, today: str) -> str | None:
    """身份证号 (18 characters, upper-case X); optional. ``today`` is ISO 'YYYY-MM-DD'.

    The birth date must be a real date in 1900-01-01..today and the check character
    must match. The region code is not validated.
    """
    if type(value) is str and len(value) == 18 and _IDN_RE.fullmatch(value):
        return _check_idn(value, today)
    s = clean(value)
    if s[:1] == "'":
        s = s[1:]
    s = _WS_RE.sub("", s).replace("x", "X")
    if not s:
        return None
    if not _IDN_RE.fullmatch(s):
        if _SCI_NUMBER_RE.fullmatch(s):
            raise Invalid(code="idn_scientific")
        if len(s) == 15 and s.isascii() and s.isdigit():
            raise Invalid(code="idn_15")
        raise Invalid(code="idn_invalid")
    return _check_idn(s, today)


def _check_idn(s: str, today: str) -> str:
    """``s`` matches ``_IDN_RE``: check the birth date and the check character."""
    birth = f"{s[6:10]}-{s[10:12]}-{s[12:14]}"
    if birth not in _ISO_SEEN and not _real_iso_date(birth):
        raise Invalid(code="idn_birth_impossible")
    if birth < "1900-01-01":
        raise Invalid(code="idn_birth_1900")
    if birth > today:
        raise Invalid(code="idn_birth_future")
    total = sum(map(operator.mul, s[:17].encode("ascii"), _IDN_WEIGHTS)) - _IDN_ZERO_SUM
    if _IDN_CHECK[total % 11] != s[17]:
        raise Invalid(code="idn_check")
    return s


# ---------------------------------------------------------------------------
# money

_FEN_SCALE: Final = (100, 10, 1)
_MONEY_RE: Final = re.compile(
    r"(?P<lp>\()?\s*(?P<s1>[-\u2212])?\s*(?:(?:¥|￥|rmb|cny|人民币)\s*)?(?P<s2>[-\u2212])?\s*"
    r"(?P<int>[0-9][0-9,]*)?(?:\.(?P<frac>[0-9]*))?\s*(?P<unit>万元|万|元)?\s*(?P<rp>\))?",
    re.IGNORECASE,
)


def _check_fen(fen: int, ceiling_fen: int, allow_zero: bool) -> int:
    if fen == 0 and not allow_zero:
        raise Invalid(code="amount_zero")
    if fen > ceiling_fen:
        yuan, cents = divmod(ceiling_fen, 100)
        raise Invalid(code="amount_ceiling", ceiling=f"{yuan:,}.{cents:02d}")
    return fen


def _digits_to_fen(ip: str, fp: str, exp: int, ceiling_fen: int, allow_zero: bool) -> int:
    """Integer part ``ip`` + fraction ``fp`` (元, times 10**exp) → fen, exactly."""
    ip = ip.lstrip("0")
    fp = fp.rstrip("0")
    if len(fp) > 2 + exp:
        raise Invalid(code="sub_fen")
    if len(ip) > 40:
        return _check_fen(ceiling_fen + 1, ceiling_fen, allow_zero)
    fen = int(ip + fp or "0") * 10 ** (2 + exp - len(fp))
    return _check_fen(fen, ceiling_fen, allow_zero)


def norm_money(
    value: object,
    *,
    wan: bool = False,
    ceiling_fen: int = 1_000_000_000,
    allow_zero: bool = False,
) -> int | None:
    """An amount in 元 → integer fen; optional.

    Accepts ``¥ ￥ RMB CNY 人民币`` prefixes, a ``元`` suffix, thousands commas, a
    ``万``/``万元`` suffix (×10,000). ``wan=True`` (a "(万元)" column) multiplies
    unit-less values by 10,000; an explicit ``元``/``万`` in the cell wins. Negative,
    zero (unless ``allow_zero``), non-numeric, scientific notation, sub-fen
    precision and values above ``ceiling_fen`` are rejected.
    """
    if type(value) is str and not wan and value.isascii():
        # fast path: plain "12,345" / "12345.6" / "12345.67" (ASCII isdigit() is 0-9 only)
        ip, dot, fp = value.partition(".")
        if "," in ip and ip[:1].isdigit():
            ip = ip.replace(",", "")
        if ip.isdigit() and len(ip) <= 13 and (not dot or (fp.isdigit() and len(fp) <= 2)):
            fen = int(ip + fp) * _FEN_SCALE[len(fp)]
            if (fen == 0 and not allow_zero) or fen > ceiling_fen:
                return _check_fen(fen, ceiling_fen, allow_zero)
            return fen
    exp = 4 if wan else 0
    if isinstance(value, bool):
        raise Invalid(code="amount_invalid")
    if isinstance(value, int):
        if value < 0:
            raise Invalid(code="amount_negative")
        return _check_fen(value * 100 * 10**exp, ceiling_fen, allow_zero)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise Invalid(code="amount_invalid")
        if value < 0:
            raise Invalid(code="amount_negative")
        text = repr(abs(value))  # shortest repr: the decimal the user sees in Excel
        if "e" in text:
            text = format(Decimal(text), "f")
        ip, _, fp = text.partition(".")
        return _digits_to_fen(ip, fp, exp, ceiling_fen, allow_zero)
    s = clean(value)
    if not s:
        return None
    m = _MONEY_RE.fullmatch(s)
    if m is None or (m["int"] is None and not m["frac"]):
        if _SCI_RE.search(s):
            raise Invalid(code="amount_scientific")
        raise Invalid(code="amount_invalid")
    if (m["lp"] is None) != (m["rp"] is None):
        raise Invalid(code="amount_invalid")
    if m["lp"] is not None or m["s1"] is not None or m["s2"] is not None:
        raise Invalid(code="amount_negative")
    unit = m["unit"]
    if unit is not None:
        exp = 0 if unit == "元" else 4
    return _digits_to_fen(
        (m["int"] or "").replace(",", ""), m["frac"] or "", exp, ceiling_fen, allow_zero
    )


# ---------------------------------------------------------------------------
# dates

_DAYS_IN_MONTH: Final = (0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
_EXCEL_EPOCH_ORDINAL: Final = _dt.date(1899, 12, 30).toordinal()
_SERIAL_MAX: Final = 2958465  # 9999-12-31
_YYYYMMDD_MIN: Final = 10000101

_ISO_RE: Final = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# Successfully parsed non-ISO text per date_order (raw cell text → ISO).
_TEXT_DATES: Final[dict[str | None, dict[str, str]]] = {k: {} for k in (None, "dmy", "mdy", "ymd")}
_TEXT_DATES_MAX: Final = 100_000
_TIME: Final = (
    r"(?:(?:\s+|T)[0-9]{1,2}:[0-9]{2}(?::[0-9]{2}(?:[.,][0-9]+)?)?"
    r"(?:\s*(?:[AaPp]\.?[Mm]\.?|Z|[+-][0-9]{2}(?::?[0-9]{2})?))?)?"
)
_YMD_RE: Final = re.compile(r"([0-9]{4})\s*([-/.])\s*([0-9]{1,2})\s*\2\s*([0-9]{1,2})" + _TIME)
_ZH_TIME: Final = r"[0-9]{1,2}\s*[:时点][0-9:时点分秒\s]*"
_ZH_RE: Final = re.compile(
    r"([0-9]{4})\s*年\s*([0-9]{1,2})\s*月\s*([0-9]{1,2})\s*"
    rf"(?:[日号](?:\s*{_ZH_TIME})?|(?:\s+{_ZH_TIME})?)"
)
_AMBIGUOUS_RE: Final = re.compile(
    r"([0-9]{1,2})\s*([-/.])\s*([0-9]{1,2})\s*\2\s*([0-9]{4})" + _TIME
)
_DIGITS8_RE: Final = re.compile(r"[0-9]{8}")
_SERIAL_TEXT_RE: Final = re.compile(r"[0-9]{5}(?:\.[0-9]+)?")


def _valid_ymd(y: int, m: int, d: int) -> bool:
    if not (1 <= y <= 9999 and 1 <= m <= 12 and d >= 1):
        return False
    if m == 2 and d == 29:
        return y % 4 == 0 and (y % 100 != 0 or y % 400 == 0)
    return d <= _DAYS_IN_MONTH[m]


def _real_iso_date(iso: str) -> bool:
    """Is ``iso`` (digits shaped ``YYYY-MM-DD``) a real date? Remembered when it is:
    a file repeats the same few thousand dates (and birth dates) many times."""
    if not _valid_ymd(int(iso[:4]), int(iso[5:7]), int(iso[8:])):
        return False
    if len(_ISO_SEEN) < _ISO_SEEN_MAX:
        _ISO_SEEN.add(iso)
    return True


def _iso(y: int, m: int, d: int) -> str:
    if not _valid_ymd(y, m, d):
        raise Invalid(code="date_impossible")
    return f"{y:04d}-{m:02d}-{d:02d}"


def _from_serial(serial: int) -> str:
    if not 1 <= serial <= _SERIAL_MAX:
        raise Invalid(code="serial_range")
    return _dt.date.fromordinal(_EXCEL_EPOCH_ORDINAL + serial).isoformat()


def _from_number(n: int) -> str:
    """A numeric cell: an Excel serial, or an 8-digit YYYYMMDD typed as a number."""
    if _YYYYMMDD_MIN <= n <= 99991231:
        return _iso(n // 10000, n // 100 % 100, n % 100)
    return _from_serial(n)


def norm_date(value: object, *, date_order: str | None = None) -> str | None:
    """A date cell → ISO 'YYYY-MM-DD'; optional.

    ``date_order`` ("dmy", "mdy" or "ymd") comes from a mapping file and decides how
    a ``D/M/YYYY``-shaped value is read; without it such values are ambiguous. A
    ``date_order`` outside those values is a programming error (``ValueError``).
    """
    if date_order is not None and date_order not in DATE_ORDERS:
        raise ValueError(f"date_order must be 'dmy', 'mdy', 'ymd' or None, not {date_order!r}")
    if isinstance(value, str):
        if value in _ISO_SEEN:
            return value
        if len(value) == 10 and _ISO_RE.fullmatch(value):
            if not _real_iso_date(value):
                raise Invalid(code="date_impossible")
            return value
        cache = _TEXT_DATES[date_order]
        found = cache.get(value)
        if found is not None:
            return found
        s = clean(value)
        if not s:
            return None
        found = _parse_text_date(s, date_order)
        if len(cache) < _TEXT_DATES_MAX:
            cache[value] = found
        return found
    if isinstance(value, _dt.datetime):
        return value.date().isoformat()
    if isinstance(value, _dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        raise Invalid(code="date_invalid")
    if isinstance(value, int):
        return _from_number(value)
    if isinstance(value, float):
        if not math.isfinite(value) or value < 0:
            raise Invalid(code="date_invalid")
        if value >= _YYYYMMDD_MIN and not value.is_integer():
            raise Invalid(code="date_invalid")
        if value >= 1e8:
            raise Invalid(code="serial_range")
        return _from_number(int(value))
    s = clean(value)
    return _parse_text_date(s, date_order) if s else None


def _parse_text_date(s: str, date_order: str | None) -> str:
    """A cleaned, non-blank text cell → ISO date."""
    m = _YMD_RE.fullmatch(s)
    if m is not None:
        return _iso(int(m[1]), int(m[3]), int(m[4]))
    m = _ZH_RE.fullmatch(s)
    if m is not None:
        return _iso(int(m[1]), int(m[2]), int(m[3]))
    if _DIGITS8_RE.fullmatch(s):
        return _iso(int(s[:4]), int(s[4:6]), int(s[6:]))
    if _SERIAL_TEXT_RE.fullmatch(s):
        return _from_serial(int(s.partition(".")[0]))
    m = _AMBIGUOUS_RE.fullmatch(s)
    if m is not None:
        if date_order == "dmy":
            return _iso(int(m[4]), int(m[3]), int(m[1]))
        if date_order == "mdy":
            return _iso(int(m[4]), int(m[1]), int(m[3]))
        if date_order == "ymd":
            raise Invalid(code="date_not_ymd")
        raise Invalid(code="date_ambiguous")
    raise Invalid(code="date_unrecognised")


# ---------------------------------------------------------------------------
# enumerations

_GUARANTEE_WORDS: Final[dict[str, str]] = {
    "信用": "credit",
    "保证": "guarantee",
    "保證": "guarantee",
    "抵押": "mortgage",
    "质押": "pledge",
    "質押": "pledge",
    "credit": "credit",
    "guarantee": "guarantee",
    "mortgage": "mortgage",
    "pledge": "pledge",
}
_GUARANTEE_SUFFIXES: Final = ("担保", "擔保", "贷款", "貸款", "贷", "貸", "loan")

_STATUS_WORDS: Final[dict[str, str]] = {
    "正常": "active",
    "逾期": "overdue",
    "已逾期": "overdue",
    "结清": "closed",
    "已结清": "closed",
    "結清": "closed",
    "已結清": "closed",
    "核销": "written_off",
    "已核销": "written_off",
    "核銷": "written_off",
    "已核銷": "written_off",
    "active": "active",
    "overdue": "overdue",
    "closed": "closed",
    "written_off": "written_off",
}
_STATUS_SEP_RE: Final = re.compile(r"[\s-]+")


def _guarantee_word(s: str) -> str | None:
    key = s.casefold()
    found = _GUARANTEE_WORDS.get(key)
    if found is not None:
        return found
    stripped = True
    while stripped:
        stripped = False
        for suffix in _GUARANTEE_SUFFIXES:
            if key.endswith(suffix) and len(key) > len(suffix):
                key = key[: -len(suffix)].rstrip()
                stripped = True
                break
    return _GUARANTEE_WORDS.get(key)


def _status_word(s: str) -> str | None:
    key = s.casefold()
    found = _STATUS_WORDS.get(key)
    if found is None and key.isascii():
        found = _STATUS_WORDS.get(_STATUS_SEP_RE.sub("_", key))
    return found


def _alias_exact(s: str, aliases: Mapping[str, str] | None) -> str | None:
    if not aliases:
        return None
    return aliases.get(s)


def _alias_folded(s: str, aliases: Mapping[str, str] | None) -> str | None:
    if not aliases:
        return None
    key = s.casefold()
    for k, v in aliases.items():
        if isinstance(k, str) and clean(k).casefold() == key:
            return v
    return None


def _choice(
    value: object, aliases: Mapping[str, str] | None, word: Callable[[str], str | None]
) -> tuple[str | None, str, str | None]:
    """The rule shared by guarantees and statuses: (canonical word or None, the
    cleaned cell, the alias target it was mapped to or None).

    An exact alias wins over the built-in words; a case-insensitive one only
    applies when the built-in words do not match. Blank raises ``required``.
    """
    s = clean(value)
    if not s:
        raise Invalid(code="required")
    target = _alias_exact(s, aliases)
    if target is None:
        found = word(s)
        if found is not None:
            return found, s, None
        target = _alias_folded(s, aliases)
        if target is None:
            return None, s, None
    return word(clean(target)), s, target


def norm_guarantee(value: object, aliases: Mapping[str, str] | None = None) -> str:
    """Guarantee type → one of :data:`GUARANTEES`; required.

    ``aliases`` (from a mapping file) maps file values to 信用/… or credit/…; an exact
    alias wins over the built-in words, a case-insensitive one only applies when the
    built-in words do not match.
    """
    if not aliases and type(value) is str:
        found = _GUARANTEE_WORDS.get(value)  # fast path: a clean built-in word
        if found is not None:
            return found
    found, s, target = _choice(value, aliases, _guarantee_word)
    if found is not None:
        return found
    if target is not None:
        raise Invalid(code="guarantee_alias", value=_short(s), target=_short(str(target)))
    raise Invalid(code="guarantee_unknown", value=_short(s))


def norm_status(value: object, aliases: Mapping[str, str] | None = None) -> str:
    """Loan status → one of :data:`STATUSES`; required. ``aliases`` as for guarantees."""
    if not aliases and type(value) is str:
        found = _STATUS_WORDS.get(value)  # fast path: a clean built-in word
        if found is not None:
            return found
    found, s, target = _choice(value, aliases, _status_word)
    if found is not None:
        return found
    if target is not None:
        raise Invalid(code="status_alias", value=_short(s), target=_short(str(target)))
    raise Invalid(code="status_unknown", value=_short(s))


_PRODUCT_WORDS: Final[dict[str, str]] = {
    **{p: p for p in PRODUCTS},
    "活期": "deposit",
    "活期存款": "deposit",
    "储蓄存款": "deposit",
    "儲蓄存款": "deposit",
    "存款": "deposit",
    "current_account": "deposit",
    "savings": "deposit",
    "savings_account": "deposit",
    "定期": "term_deposit",
    "定期存款": "term_deposit",
    "大额存单": "term_deposit",
    "大額存單": "term_deposit",
    "time_deposit": "term_deposit",
    "fixed_deposit": "term_deposit",
    "借记卡": "card",
    "借記卡": "card",
    "储蓄卡": "card",
    "儲蓄卡": "card",
    "银行卡": "card",
    "銀行卡": "card",
    "debit_card": "card",
    "信用卡": "credit_card",
    "贷记卡": "credit_card",
    "貸記卡": "credit_card",
    "理财": "wealth",
    "理財": "wealth",
    "理财产品": "wealth",
    "理財產品": "wealth",
    "基金": "wealth",
    "wealth_management": "wealth",
    "保险": "insurance",
    "保險": "insurance",
    "代理保险": "insurance",
    "代销保险": "insurance",
    "代发工资": "payroll",
    "代發工資": "payroll",
    "代发": "payroll",
    "工资代发": "payroll",
    "手机银行": "mobile_banking",
    "手機銀行": "mobile_banking",
    "mobile": "mobile_banking",
    "mobile_app": "mobile_banking",
    "其他": "other",
    "其它": "other",
}


def _product_word(s: str) -> str | None:
    key = s.casefold()
    found = _PRODUCT_WORDS.get(key)
    if found is None:
        found = _PRODUCT_WORDS.get(_STATUS_SEP_RE.sub("_", key))
    return found


def norm_product(value: object, aliases: Mapping[str, str] | None = None) -> str:
    """Product type of a holding → one of :data:`PRODUCTS`; required.

    Chinese (活期, 定期, 借记卡, 信用卡, 理财, 保险, 代发工资, 手机银行 …) and
    English words, any case, spaces or hyphens for underscores. ``aliases`` (a
    mapping file's ``[values.product_type]``) as for guarantees.
    """
    if not aliases and type(value) is str:
        found = _PRODUCT_WORDS.get(value)  # fast path: a clean built-in word
        if found is not None:
            return found
    found, s, target = _choice(value, aliases, _product_word)
    if found is not None:
        return found
    if target is not None:
        raise Invalid(code="product_alias", value=_short(s), target=_short(str(target)))
    raise Invalid(code="product_unknown", value=_short(s))


# ---------------------------------------------------------------------------
# numbers

_INT_MAX: Final = 10**18 - 1
_UINT_RE: Final = re.compile(r"([0-9]+)(?:\.0*)?")
_NEGATIVE_RE: Final = re.compile(r"[-\u2212]\s*[0-9.]+")
_RATE_RE: Final = re.compile(r"([0-9]*)(?:\.([0-9]*))?")
_RATE_MAX_DECIMALS: Final = 24


def norm_nonneg_int(value: object) -> int | None:
    """A non-negative whole number (days past due, term in months); optional."""
    if isinstance(value, bool):
        raise Invalid(code="not_whole")
    if isinstance(value, int):
        n = value
    elif isinstance(value, float):
        if not value.is_integer():  # also NaN and ±inf
            raise Invalid(code="not_whole")
        if value < 0:
            raise Invalid(code="negative")
        if value > _INT_MAX:
            raise Invalid(code="too_large")
        n = int(value)
    elif type(value) is str and value.isascii() and value.isdigit() and len(value) <= 18:
        return int(value)
    else:
        s = clean(value)
        if not s:
            return None
        m = _UINT_RE.fullmatch(s)
        if m is None:
            if _NEGATIVE_RE.fullmatch(s):
                raise Invalid(code="negative")
            raise Invalid(code="not_whole")
        digits = m.group(1).lstrip("0") or "0"
        if len(digits) > 18:
            raise Invalid(code="too_large")
        n = int(digits)
    if n < 0:
        raise Invalid(code="negative")
    if n > _INT_MAX:
        raise Invalid(code="too_large")
    return n


def norm_rate(value: object) -> str | None:
    """An interest rate in percent, 0..100 → canonical decimal string ("4.35"); optional.

    A trailing ``%`` is dropped. The value is kept as written (a fraction such as
    0.0435 from a percent-formatted XLSX cell is not rescaled).
    """
    if isinstance(value, bool):
        raise Invalid(code="rate_invalid")
    if isinstance(value, float):
        if not math.isfinite(value):
            raise Invalid(code="rate_invalid")
        if value < 0:
            raise Invalid(code="rate_negative")
        s = format(Decimal(repr(abs(value))), "f")
    elif isinstance(value, int):
        if value < 0:
            raise Invalid(code="rate_negative")
        if value > 100:
            raise Invalid(code="rate_above")
        return str(value)
    else:
        s = clean(value)
        if s.endswith("%"):
            s = s[:-1].rstrip()
        if not s:
            return None
    m = _RATE_RE.fullmatch(s)
    if m is None or not (m[1] or m[2]):
        if _NEGATIVE_RE.fullmatch(s):
            raise Invalid(code="rate_negative")
        raise Invalid(code="rate_invalid")
    ip = m[1].lstrip("0") or "0"
    fp = (m[2] or "").rstrip("0")
    if len(ip) > 3 or int(ip) > 100 or (ip == "100" and fp):
        raise Invalid(code="rate_above")
    if len(fp) > _RATE_MAX_DECIMALS:
        raise Invalid(code="rate_decimals")
    return f"{ip}.{fp}" if fp else ip
