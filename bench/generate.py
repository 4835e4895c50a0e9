"""Seeded, deterministic benchmark data for retain: customers.csv and loans.csv.

    python bench/generate.py --loans 1000000 --customers 200000 --out bench/out/data

Writes UTF-8 CSV with retain's English canonical headers. Same arguments, same
bytes. Rows are streamed to disk in blocks, so memory stays flat whatever N is.

Shape of the data (all relative to --today):

* customers: Chinese names, mobiles ``1[3-9]xxxxxxxxx``, 18-character 身份证号
  with a valid GB 11643 check character and a plausible birth date, an
  industry, one of 3–30 officers, a segment; a few phones/ID numbers blank.
* loans: ~70% active, 10% overdue (with days_past_due), 18% closed (with
  closed_on), 2% written_off; guarantee credit/guarantee/mortgage/pledge;
  principal as plain ``123456.00``; disbursed_on <= today < ... ; matures_on >
  disbursed_on, with ~8% of all loans maturing within 30 days of today
  (today..today+30, both inclusive); balance, rate, product.

Only the standard library is used, so any Python 3.11+ runs it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import operator
import os
import random
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

CUSTOMER_HEADER = ("customer_id", "name", "phone", "id_number", "industry", "officer", "segment")
LOAN_HEADER = (
    "loan_id",
    "customer_id",
    "principal",
    "disbursed_on",
    "matures_on",
    "guarantee",
    "status",
    "closed_on",
    "balance",
    "rate",
    "days_past_due",
    "product",
)

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
    "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华建国志红玉梅文辉鹏飞宇浩然婷雪琳晨阳佳欣怡"
    "思源子涵俊豪博文嘉诚海波春燕小龙云峰德荣金凤永胜立新淑珍玉兰瑞雯晓东秀梅宏伟丹丹亮"
)
INDUSTRIES = (
    "批发零售",
    "餐饮",
    "农副产品",
    "烟酒",
    "建材",
    "运输物流",
    "制造业",
    "种植业",
    "养殖业",
    "服装",
    "美容美发",
    "汽车维修",
    "教育培训",
    "电子产品",
    "住宿",
    "家政服务",
)
SEGMENTS = ("城镇客户", "社区居民", "个体工商户", "小微企业主", "农户", "新市民", "")
# A few real 6-digit administrative division codes (the importer does not check them).
REGIONS = (
    "110101",
    "110105",
    "120103",
    "130102",
    "210102",
    "310104",
    "310115",
    "320102",
    "320583",
    "330106",
    "330382",
    "340103",
    "350203",
    "360102",
    "370102",
    "410105",
    "420102",
    "430102",
    "440103",
    "440305",
    "500103",
    "510104",
    "610113",
)
GUARANTEES = ("credit", "guarantee", "mortgage", "pledge")
GUARANTEE_WEIGHTS = (0.40, 0.30, 0.22, 0.08)
PRODUCTS = (
    "经营贷",
    "消费贷",
    "个人住房贷款",
    "农户小额贷款",
    "创业担保贷款",
    "个体工商户贷款",
    "",
)
RATES = ("3.45", "3.85", "4.2", "4.35", "4.75", "5.22", "5.8", "6.5", "7.2", "7.8", "8.5", "9.6")
TERMS_MONTHS = (3, 6, 12, 12, 12, 12, 24, 24, 36, 36, 60)

# Status mix: cumulative thresholds on one uniform draw.
P_ACTIVE, P_OVERDUE, P_CLOSED = 0.70, 0.10, 0.18  # the rest (2%) is written_off
P_SOON = 0.08  # share of all loans maturing within 30 days of today
SOON_DAYS = 30

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"
_ID_ZERO_SUM = ord("0") * sum(ID_WEIGHTS)

BLOCK = 20_000  # rows per write


def id_check_char(first17: str) -> str:
    """GB 11643-1999 check character of the first 17 digits."""
    total = sum(map(operator.mul, first17.encode("ascii"), ID_WEIGHTS)) - _ID_ZERO_SUM
    return ID_CHECK[total % 11]


def default_officers(customers: int) -> int:
    """3–30 officers, about one per 2,000 customers."""
    return max(3, min(30, customers // 2000))


@dataclass(frozen=True)
class Spec:
    loans: int
    customers: int
    out: Path
    seed: int = 20261201
    today: dt.date = dt.date(2026, 12, 1)
    officers: int | None = None


def _names(rng: random.Random, count: int) -> list[str]:
    """``count`` distinct Chinese personal names."""
    seen: dict[str, None] = {}
    while len(seen) < count:
        size = 1 if rng.random() < 0.3 else 2
        seen[rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(size))] = None
    return list(seen)


def _check_vocabulary() -> None:
    # Rows are joined with "," without quoting: no value may need CSV quoting.
    words = [*SURNAMES, *GIVEN, *INDUSTRIES, *SEGMENTS, *PRODUCTS, *RATES, *REGIONS]
    for word in words:
        if any(ch in word for ch in ',"\r\n'):
            raise AssertionError(f"value needs CSV quoting: {word!r}")


def write_customers(spec: Spec, path: Path) -> int:
    rng = random.Random(f"{spec.seed}/customers")
    n_officers = spec.officers or default_officers(spec.customers)
    officers = _names(random.Random(f"{spec.seed}/officers"), n_officers)
    width = max(6, len(str(spec.customers)))
    rand = rng.random
    surnames, given = SURNAMES, GIVEN
    n_sur, n_given = len(surnames), len(given)
    industries, segments, regions = INDUSTRIES, SEGMENTS, REGIONS
    n_ind, n_seg, n_reg = len(industries), len(segments), len(regions)
    # Birth dates: adults aged 20..70 on today, as YYYYMMDD strings.
    first_birth = dt.date(spec.today.year - 70, 1, 1).toordinal()
    last_birth = dt.date(spec.today.year - 20, 12, 31).toordinal()
    births = [dt.date.fromordinal(o).strftime("%Y%m%d") for o in range(first_birth, last_birth + 1)]
    n_birth = len(births)
    check = id_check_char
    with path.open("w", encoding="utf-8", newline="") as fh:
        fh.write(",".join(CUSTOMER_HEADER) + "\n")
        block: list[str] = []
        for i in range(1, spec.customers + 1):
            name = surnames[int(rand() * n_sur)] + given[int(rand() * n_given)]
            if rand() < 0.7:
                name += given[int(rand() * n_given)]
            phone = ""
            if rand() >= 0.03:  # 3% without a phone
                phone = f"1{3 + int(rand() * 7)}{int(rand() * 1_000_000_000):09d}"
            if rand() < 0.02:
                idn = ""
            else:
                first17 = (
                    regions[int(rand() * n_reg)]
                    + births[int(rand() * n_birth)]
                    + f"{int(rand() * 1000):03d}"
                )
                idn = first17 + check(first17)
            block.append(
                f"C{i:0{width}d},{name},{phone},{idn},{industries[int(rand() * n_ind)]},"
                f"{officers[int(rand() * n_officers)]},{segments[int(rand() * n_seg)]}\n"
            )
            if len(block) >= BLOCK:
                fh.write("".join(block))
                block.clear()
        fh.write("".join(block))
    return spec.customers


def write_loans(spec: Spec, path: Path) -> int:
    rng = random.Random(f"{spec.seed}/loans")
    rand = rng.random
    cust_width = max(6, len(str(spec.customers)))
    loan_width = max(8, len(str(spec.loans)))
    n_cust = spec.customers
    today = spec.today.toordinal()
    # Every date used is within [today - 6000, today + 2000]: precomputed ISO text.
    base = today - 6000
    iso = [dt.date.fromordinal(o).isoformat() for o in range(base, today + 2001)]
    cum_g = []
    acc = 0.0
    for w in GUARANTEE_WEIGHTS:
        acc += w
        cum_g.append(acc)
    g_credit, g_guar, g_mort = cum_g[0], cum_g[1], cum_g[2]
    terms = [round(m * 30.44) for m in TERMS_MONTHS]
    n_terms = len(terms)
    rates, products = RATES, PRODUCTS
    n_rates, n_prod = len(rates), len(products)
    soon_span = SOON_DAYS + 1
    with path.open("w", encoding="utf-8", newline="") as fh:
        fh.write(",".join(LOAN_HEADER) + "\n")
        block: list[str] = []
        for i in range(1, spec.loans + 1):
            cust = 1 + int(rand() * n_cust)
            r = rand()
            if r < P_ACTIVE:
                status = "active"
            elif r < P_ACTIVE + P_OVERDUE:
                status = "overdue"
            elif r < P_ACTIVE + P_OVERDUE + P_CLOSED:
                status = "closed"
            else:
                status = "written_off"
            term = terms[int(rand() * n_terms)]  # >= 91 days
            # Maturity as an offset from today; disbursed = matures - term <= today.
            if rand() < P_SOON:
                offset = int(rand() * soon_span)  # 0..30
            elif status == "active":
                offset = soon_span + int(rand() * (term - soon_span))  # 31..term-1
            else:
                # overdue: up to a year past maturity; closed/written_off: up to ~4 years.
                lo = -365 if status == "overdue" else -1500
                offset = lo + int(rand() * (term - soon_span - lo))  # lo..term-32, minus gap
                if offset >= 0:
                    offset += soon_span  # skip today..today+30
            matures = today + offset
            disbursed = matures - term
            if disbursed > today:  # cannot happen with the ranges above; keep it safe
                disbursed = today
            closed_on = ""
            dpd = ""
            r = rand()
            if r < 0.5:
                principal = 10_000 + int(rand() * 290) * 1000
            elif r < 0.85:
                principal = 300_000 + int(rand() * 700) * 1000
            else:
                principal = 1_000_000 + int(rand() * 400) * 10_000
            if status == "closed":
                end = min(matures, today)
                closed_on = iso[disbursed + 1 + int(rand() * (end - disbursed)) - base]
                balance_fen = 0
            else:
                balance_fen = int(principal * 100 * (0.05 + 0.95 * rand()))
                if status == "overdue":
                    dpd = str(1 + int(rand() * rand() * 360))
            g = rand()
            guarantee = (
                "credit"
                if g < g_credit
                else "guarantee"
                if g < g_guar
                else "mortgage"
                if g < g_mort
                else "pledge"
            )
            block.append(
                f"JJ{i:0{loan_width}d},C{cust:0{cust_width}d},{principal}.00,"
                f"{iso[disbursed - base]},{iso[matures - base]},{guarantee},{status},{closed_on},"
                f"{balance_fen // 100}.{balance_fen % 100:02d},{rates[int(rand() * n_rates)]},"
                f"{dpd},{products[int(rand() * n_prod)]}\n"
            )
            if len(block) >= BLOCK:
                fh.write("".join(block))
                block.clear()
        fh.write("".join(block))
    return spec.loans


def generate(spec: Spec) -> dict[str, float]:
    """Write ``customers.csv`` and ``loans.csv`` into ``spec.out``; returns seconds per file."""
    if spec.customers < 1 and spec.loans > 0:
        raise ValueError("loans need at least one customer")
    if spec.officers is not None and spec.officers < 1:
        raise ValueError("--officers must be at least 1")
    _check_vocabulary()
    spec.out.mkdir(parents=True, exist_ok=True)
    timings: dict[str, float] = {}
    for name, writer in (("customers.csv", write_customers), ("loans.csv", write_loans)):
        final = spec.out / name
        tmp = spec.out / f".{name}.tmp"
        start = time.perf_counter()
        writer(spec, tmp)
        os.replace(tmp, final)
        timings[name] = time.perf_counter() - start
    return timings


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--loans", type=int, required=True, help="number of loans")
    parser.add_argument("--customers", type=int, required=True, help="number of customers")
    parser.add_argument("--out", type=Path, required=True, help="output directory")
    parser.add_argument("--seed", type=int, default=Spec.seed, help="random seed")
    parser.add_argument(
        "--today", type=dt.date.fromisoformat, default=Spec.today, help="YYYY-MM-DD"
    )
    parser.add_argument(
        "--officers", type=int, default=None, help="number of officers (default 3-30 by size)"
    )
    args = parser.parse_args(argv)
    if args.loans < 0 or args.customers < 0:
        parser.error("--loans and --customers must not be negative")
    spec = Spec(
        loans=args.loans,
        customers=args.customers,
        out=args.out,
        seed=args.seed,
        today=args.today,
        officers=args.officers,
    )
    try:
        timings = generate(spec)
    except ValueError as exc:
        parser.error(str(exc))
    for name, seconds in timings.items():
        print(f"wrote {spec.out / name} in {seconds:.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
