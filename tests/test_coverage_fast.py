"""``retain coverage`` counts each customer's open products in one pass.

The core folds a customer's open holdings into one counter per product (a
6-bit counter under a guard bit, 7 bits of one integer each) and reads the
products held from the guard bits that adding 63 to every counter sets; a
customer with 64 or more open holdings could carry a counter into its guard
bit or the next product's, so theirs are counted again exactly. A customer's
loans are read in customer order without their closed day: only a customer
whose loans are all closed is asked for a close within the win-back window. On random books
the groups and the whole gap list must be what the definitions give, worked out
here in plain Python.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, note, settings
from hypothesis import strategies as st

from tests.conftest import CUSTOMER_HEADER, LOAN_HEADER, Cli
from tests.test_properties import scratch

SETTINGS = settings(max_examples=int(os.environ.get("PROPERTY_EXAMPLES", "25")), deadline=None)
HOLDINGS_HEADER = ["客户编号", "产品类型", "余额", "开户日期", "销户日期"]
PRODUCT_NAMES = {
    "deposit": "活期",
    "term_deposit": "定期",
    "card": "借记卡",
    "credit_card": "信用卡",
    "wealth": "理财",
}
# A loan of each kind, and whether it makes its customer good (True), bad
# (False) or neither (None) on 2026-12-01 (win-back window: 12 months).
LOANS = {
    "active": (["100000", "2026-01-01", "2027-01-01", "信用", "正常", "", "", ""], True),
    "overdue": (["100000", "2025-06-01", "2026-10-22", "信用", "逾期", "", "", "40"], False),
    "written_off": (["100000", "2025-01-01", "2026-01-01", "信用", "核销", "", "", ""], False),
    "closed_recently": (
        ["100000", "2025-06-01", "2026-06-01", "信用", "结清", "2026-06-01", "0", ""],
        True,
    ),
    "closed_long_ago": (
        ["100000", "2023-06-01", "2024-06-01", "信用", "结清", "2024-06-01", "0", ""],
        None,
    ),
}
INDUSTRIES = ("粮油", "烟酒", "")
OFFICERS = ("王芳", "李强", "")


def _import(cli: Cli, folder: Path, kind: str, rows: list[list[str]]) -> None:
    import csv

    path = folder / f"{kind}.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    result = cli("import", kind, str(path))
    assert result.exit_code == 0, result.stderr


def _coverage(cli: Cli, *args: str) -> dict[str, Any]:
    result = cli("coverage", "--format", "json", *args)
    assert result.exit_code == 0, result.stderr
    found: dict[str, Any] = result.json()
    return found


def test_a_customer_with_128_open_deposits_holds_deposits_not_a_term_deposit(
    cli: Cli, make_csv: Callable[..., Path]
) -> None:
    # 128 deposits would carry the deposit counter into the term deposit's: C1
    # holds a deposit and wealth (no gap); C3 lacks the deposit 2 of 3 hold.
    customers = make_csv(
        "customers.csv",
        [CUSTOMER_HEADER]
        + [[f"C{i}", f"客户{i}", f"1381234800{i}", "", "粮油", "王芳", ""] for i in (1, 2, 3)],
    )
    loans = make_csv(
        "loans.csv",
        [LOAN_HEADER] + [[f"L{i}", f"C{i}", *LOANS["active"][0]] for i in (1, 2, 3)],
    )
    first = dt.date(2020, 1, 1)
    deposits = [
        ["C1", "活期", "1", (first + dt.timedelta(days=i)).isoformat(), ""] for i in range(128)
    ]
    holdings = make_csv(
        "holdings.csv",
        [HOLDINGS_HEADER, *deposits]
        + [["C1", "理财", "", "2021-01-01", ""], ["C2", "活期", "5", "2020-01-01", ""]]
        + [["C2", "理财", "", "2021-01-01", ""], ["C3", "理财", "", "2021-01-01", ""]],
    )
    for kind, path in (("customers", customers), ("loans", loans), ("holdings", holdings)):
        result = cli("import", kind, str(path))
        assert result.exit_code == 0, result.stderr
    found = _coverage(cli)
    total = found["groups"][0]
    assert (total["products_1"], total["products_2"], total["aum"]) == (1, 2, 133.0)
    assert found["gaps_total"] == 1
    assert [(g["customer_id"], g["held"], g["suggested"]) for g in found["gaps"]] == [
        ("C3", "wealth", "deposit")
    ]
    result = cli("coverage", "--gaps", "--format", "csv")
    assert result.stdout.splitlines()[1:] == [
        "C3,客户3,王芳,粮油,wealth,0.00,deposit,0.6667,deposit"
    ]


@pytest.mark.parametrize("deposits", [63, 64, 65])
def test_a_customer_with_64_or_so_open_deposits_holds_deposits_and_nothing_else(
    cli: Cli, make_csv: Callable[..., Path], deposits: int
) -> None:
    # 63 deposits fill the deposit's 6-bit counter; from 65, adding 63 carries
    # past its guard bit into the term deposit's counter: the deposit would be
    # lost and, were it counted, a term deposit found, unless counted again.
    # C1 and C2 hold deposits, C3 only wealth: C3 lacks the deposit 2 of 3
    # hold, nobody lacks a term deposit (C1 would, were it held by 2).
    customers = make_csv(
        "customers.csv",
        [CUSTOMER_HEADER]
        + [[f"C{i}", f"客户{i}", f"1381234800{i}", "", "粮油", "王芳", ""] for i in (1, 2, 3)],
    )
    loans = make_csv(
        "loans.csv",
        [LOAN_HEADER] + [[f"L{i}", f"C{i}", *LOANS["active"][0]] for i in (1, 2, 3)],
    )
    first = dt.date(2020, 1, 1)
    holdings = make_csv(
        "holdings.csv",
        [HOLDINGS_HEADER]
        + [["C1", "活期", "1", (first + dt.timedelta(days=i)).isoformat(), ""]
           for i in range(deposits)]
        + [["C2", "活期", "5", "2020-01-01", ""], ["C2", "定期", "5", "2020-01-01", ""]]
        + [["C3", "理财", "", "2021-01-01", ""]],
    )  # fmt: skip
    for kind, path in (("customers", customers), ("loans", loans), ("holdings", holdings)):
        result = cli("import", kind, str(path))
        assert result.exit_code == 0, result.stderr
    found = _coverage(cli)
    total = found["groups"][0]
    assert (total["products_1"], total["products_2"]) == (2, 1)
    assert total["aum"] == deposits + 10
    assert [(g["customer_id"], g["held"], g["missing"]) for g in found["gaps"]] == [
        ("C3", "wealth", "deposit")
    ]


def test_a_customer_whose_loans_are_all_closed_is_good_only_with_a_recent_close(
    cli: Cli, make_csv: Callable[..., Path]
) -> None:
    # Only customers with no open loan are asked for a close in the window:
    # C1 closed recently (good), C2 long ago (not), C3 both (good), C4 closed
    # recently but has a loan written off (not), C5 closed long ago but has a
    # loan on the book (good), C6 closed recently and is 40 days overdue (not).
    books = {
        "C1": ["closed_recently"],
        "C2": ["closed_long_ago"],
        "C3": ["closed_long_ago", "closed_recently"],
        "C4": ["closed_recently", "written_off"],
        "C5": ["closed_long_ago", "active"],
        "C6": ["closed_recently", "overdue"],
        "C7": [],
    }
    customers = make_csv(
        "customers.csv",
        [CUSTOMER_HEADER]
        + [[cid, f"客户{cid}", f"138123480{i + 10}", "", "粮油", "王芳", ""]
           for i, cid in enumerate(books)],
    )  # fmt: skip
    loans = make_csv(
        "loans.csv",
        [LOAN_HEADER]
        + [[f"L{cid}-{j}", cid, *LOANS[kind][0]]
           for cid, kinds in books.items() for j, kind in enumerate(kinds)],
    )  # fmt: skip
    # Every other customer holds a deposit, so the good ones lacking it are gaps.
    holdings = make_csv(
        "holdings.csv",
        [HOLDINGS_HEADER] + [[f"D{i}", "活期", "1", "2020-01-01", ""] for i in range(8)],
    )
    extra = make_csv(
        "more.csv",
        [CUSTOMER_HEADER]
        + [[f"D{i}", f"存户{i}", f"139123480{i + 10}", "", "粮油", "王芳", ""] for i in range(8)],
    )
    for kind, path in (
        ("customers", customers), ("customers", extra), ("loans", loans), ("holdings", holdings)
    ):  # fmt: skip
        result = cli("import", kind, str(path))
        assert result.exit_code == 0, result.stderr
    found = _coverage(cli)
    assert found["groups"][0]["good"] == 3
    assert [g["customer_id"] for g in found["gaps"]] == ["C1", "C3", "C5"]


CUSTOMER = st.tuples(
    st.sampled_from(INDUSTRIES),
    st.sampled_from(OFFICERS),
    st.lists(st.sampled_from(sorted(LOANS)), max_size=2),
)
HOLDING = st.tuples(
    st.integers(0, 7),  # the customer (modulo their number)
    st.sampled_from(sorted(PRODUCT_NAMES)),
    st.one_of(st.none(), st.integers(0, 90_000)),  # balance, fen
    st.booleans(),  # closed
)


def _expected(
    customers: list[tuple[str, str, list[str]]],
    holdings: list[tuple[int, str, int | None, bool]],
    by: str,
) -> tuple[dict[str | None, list[Any]], list[tuple[str, str, str, str]]]:
    """Groups (customers, p0, p1, p2, p3+, aum fen, good, gaps) and the gaps
    (id, held, suggested, missing) in order, straight from the definitions."""
    ids = [f"C{i + 1}" for i in range(len(customers))]
    held: dict[str, set[str]] = {cid: set() for cid in ids}
    aum = dict.fromkeys(ids, 0)
    for who, product, balance, closed in holdings:
        cid = ids[who % len(ids)]
        if not closed:
            held[cid].add(product)
            if product != "credit_card":
                aum[cid] += balance or 0
    industry = {cid: c[0] or None for cid, c in zip(ids, customers, strict=True)}
    good = {}
    for cid, (_, _, kinds) in zip(ids, customers, strict=True):
        marks = [LOANS[kind][1] for kind in kinds]
        good[cid] = True in marks and False not in marks
    need: dict[str, list[tuple[str, float]]] = {}
    for name in {i for i in industry.values() if i is not None}:
        members = [cid for cid in ids if industry[cid] == name]
        for product in PRODUCT_NAMES:
            holders = sum(1 for cid in members if product in held[cid])
            if holders > len(members) * 0.5:
                need.setdefault(name, []).append((product, holders / len(members)))
    for products in need.values():
        products.sort(key=lambda ps: (-ps[1], ps[0]))
    lacking = {}
    for cid in ids:
        own = industry[cid]
        if good[cid] and own is not None:
            missing = [(p, s) for p, s in need.get(own, []) if p not in held[cid]]
            if missing:
                lacking[cid] = missing
    groups: dict[str | None, list[Any]] = {}
    for cid, (ind, officer, _) in zip(ids, customers, strict=True):
        key = (ind if by == "industry" else officer) or None
        row = groups.setdefault(key, [0] * 8)
        row[0] += 1
        row[1 + min(len(held[cid]), 3)] += 1
        row[5] += aum[cid]
        row[6] += good[cid]
        row[7] += cid in lacking
    order = sorted(lacking, key=lambda cid: (-lacking[cid][0][1], cid))
    gaps = [
        (
            cid,
            ",".join(p for p in ("deposit", "term_deposit", "card", "credit_card", "wealth")
                     if p in held[cid]),
            lacking[cid][0][0],
            ",".join(p for p, _ in lacking[cid]),
        )
        for cid in order
    ]  # fmt: skip
    return groups, gaps


@SETTINGS
@given(
    customers=st.lists(CUSTOMER, min_size=1, max_size=8),
    holdings=st.lists(HOLDING, max_size=24),
    by=st.sampled_from(("industry", "officer")),
)
def test_the_groups_and_gaps_are_what_the_definitions_give(
    customers: list[tuple[str, str, list[str]]],
    holdings: list[tuple[int, str, int | None, bool]],
    by: str,
) -> None:
    with scratch() as folder:
        cli = Cli(Path(folder) / "store" / "retain.db")
        rows = [
            [f"C{i + 1}", f"客户{i + 1}", f"138123480{i + 10}", "", industry, officer, ""]
            for i, (industry, officer, _) in enumerate(customers)
        ]
        _import(cli, Path(folder), "customers", [CUSTOMER_HEADER, *rows])
        loans = [
            [f"L{i + 1}-{j}", f"C{i + 1}", *LOANS[kind][0]]
            for i, (_, _, kinds) in enumerate(customers)
            for j, kind in enumerate(kinds)
        ]
        if loans:
            _import(cli, Path(folder), "loans", [LOAN_HEADER, *loans])
        first = dt.date(2020, 1, 1)
        lines = [
            [
                f"C{who % len(customers) + 1}",
                PRODUCT_NAMES[product],
                "" if balance is None else f"{balance / 100:.2f}",
                (first + dt.timedelta(days=n)).isoformat(),
                "2026-01-01" if closed else "",
            ]
            for n, (who, product, balance, closed) in enumerate(holdings)
        ]
        if lines:
            _import(cli, Path(folder), "holdings", [HOLDINGS_HEADER, *lines])
        note(f"customers={customers!r} holdings={holdings!r}")
        found = _coverage(cli, "--by", by)
    groups, gaps = _expected(customers, holdings, by)
    got = {
        g["group"]: [
            g["customers"], g["products_0"], g["products_1"], g["products_2"],
            g["products_3_plus"], round(g["aum"] * 100), g["good"], g["gaps"],
        ]
        for g in found["groups"][1:]
    }  # fmt: skip
    assert got == groups
    assert found["gaps_total"] == len(gaps)
    assert [
        (g["customer_id"], g["held"], g["suggested"], g["missing"]) for g in found["gaps"]
    ] == gaps


def test_the_json_gaps_are_the_ndjson_rows_byte_for_byte(
    cli: Cli, make_csv: Callable[..., Path]
) -> None:
    # The JSON's gaps are assembled by hand (fast); the ndjson rows by the
    # shared encoder: names with quotes and backslashes, a blank officer.
    people = [("C1", 'A "Wang"', "王芳"), ("C2", "B\\Li", ""), ("C3", "陈 😀", "李强")]
    customers = make_csv(
        "customers.csv",
        [CUSTOMER_HEADER]
        + [[cid, name, f"1381234800{i}", "", "粮油", officer, ""]
           for i, (cid, name, officer) in enumerate(people)]
        + [[f"C{i}", f"客户{i}", f"1381234800{i}", "", "粮油", "王芳", ""] for i in (4, 5)],
    )  # fmt: skip
    loans = make_csv(
        "loans.csv",
        [LOAN_HEADER] + [[f"L{i}", f"C{i}", *LOANS["active"][0]] for i in (1, 2, 3, 4, 5)],
    )
    holdings = make_csv(
        "holdings.csv",
        [HOLDINGS_HEADER]
        + [
            [cid, product, "12.5", "2020-01-01", ""]
            for cid in ("C4", "C5")
            for product in ("活期", "理财")
        ]
        + [["C3", "活期", "", "2020-01-01", ""], ["C2", "理财", "0.07", "2020-01-01", ""]],
    )
    for kind, path in (("customers", customers), ("loans", loans), ("holdings", holdings)):
        result = cli("import", kind, str(path))
        assert result.exit_code == 0, result.stderr
    whole = cli("coverage", "--format", "json")
    rows = cli("coverage", "--gaps", "--format", "ndjson")
    assert whole.exit_code == 0 and rows.exit_code == 0, whole.stderr + rows.stderr
    listed = whole.stdout.split('"gaps": [\n', 1)[1].rsplit("\n  ]", 1)[0]
    objects = [line.strip().removesuffix(",") for line in listed.splitlines()]
    assert len(objects) == 3
    assert objects == rows.stdout.splitlines()
