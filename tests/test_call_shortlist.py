"""The call list's worst-arrears shortlist gives the very top of the full list.

``calls`` (with its limit) scores exactly only the customers who can still make
the list: it finds them from the loans longest past due and the follow-ups due
(``ranking._worst_arrears_shortlist``), and falls back to a pass over every
open loan when that cannot decide. The full list (``--limit 100000``) scores
everyone: on random books, days, weights and scan sizes the first n rows must be
the same, field for field.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from hypothesis import given, note, settings
from hypothesis import strategies as st

from retain import ranking
from retain.config import Config
from retain.terms import TERMS
from tests.books import BOOK_LOAN_HEADER, T0, Book, books, day, json_of
from tests.conftest import CUSTOMER_HEADER, LOAN_HEADER, Cli
from tests.test_properties import FULL, fresh, scratch

SETTINGS = settings(max_examples=int(os.environ.get("PROPERTY_EXAMPLES", "25")), deadline=None)

WEIGHTS = st.fixed_dictionaries(
    {
        "overdue": st.sampled_from((0, 50, 125)),
        "overdue_per_day": st.sampled_from((0, 0.5, 3)),
        "overdue_day_cap": st.sampled_from((0, 30, 360)),
        "maturing": st.sampled_from((0, 30, 200)),
        "maturing_per_day": st.sampled_from((0, 2)),
        "follow_up": st.sampled_from((0, 125)),
        "post_loan_check": st.sampled_from((0, 15, 80)),
        "instalment": st.sampled_from((0, 60, 200)),
    }
)


class Decisions:
    """Records what the worst-arrears shortlist decided on each call."""

    def __init__(self) -> None:
        self.made: list[int | None] = []
        self.real = ranking._worst_arrears_shortlist

    def __call__(self, *args: Any) -> list[str] | None:
        found = self.real(*args)
        self.made.append(None if found is None else len(found))
        return found


def _limited_lists_match(cli: Cli, today: str) -> None:
    full = json_of(cli, "calls", "--limit", FULL, today=today)
    for n in range(1, len(full) + 2):
        limited = json_of(cli, "calls", "--limit", str(n), today=today)
        assert limited == full[:n], f"--today {today} calls --limit {n}"


@SETTINGS
@given(
    book=books(),
    when=st.integers(0, 14),
    scan=st.integers(1, 4),
    more=st.integers(1, 4),
    weights=st.one_of(st.none(), WEIGHTS),
)
def test_the_shortlist_gives_the_top_of_the_full_list(
    book: Book, when: int, scan: int, more: int, weights: dict[str, float] | None
) -> None:
    config = Path(os.environ["RETAIN_CONFIG"])
    if weights is None:
        config.unlink(missing_ok=True)
    else:
        config.write_text(
            "[weights]\n" + "".join(f"{k} = {v}\n" for k, v in weights.items()), encoding="utf-8"
        )
    decisions = Decisions()
    # A scan of a few loans only: the second look (every loan far enough past
    # due) is taken whenever the worst loans do not settle it, among the loans
    # the scan read beyond them when they hold every such loan, else by a scan.
    with (
        scratch() as folder,
        mock.patch.object(ranking, "WORST_LOANS", scan),
        mock.patch.object(ranking, "WORST_PER_PLACE", 0),
        mock.patch.object(ranking, "WORST_MORE", more),
        mock.patch.object(ranking, "_worst_arrears_shortlist", decisions),
    ):
        cli = fresh(book, folder)
        _limited_lists_match(cli, day(when))
    note(f"weights {weights}, scan {scan} × {more}, decisions {decisions.made}")


def test_the_shortlist_decides_on_a_book_in_arrears(
    cli: Cli, make_csv: Callable[..., Path]
) -> None:
    """Many customers past due by 1 to 400 days, some maturing: the worst arrears
    settle the top 5 without the pass over every open loan, with a scan too short
    to hold every loan that can still make it."""
    customers = [CUSTOMER_HEADER]
    loans = [LOAN_HEADER]
    for i in range(60):
        cid = f"C{i:03d}"
        customers.append([cid, f"客户{i}", f"138{i:08d}", "", "粮油", "王芳", ""])
        matures = (T0 - dt.timedelta(days=(i * 7) % 400 + 1)).isoformat()
        loans.append([f"L{i}", cid, "10000", "2024-01-05", matures, "信用", "逾期", "", "", ""])
        soon = (T0 + dt.timedelta(days=i % 20)).isoformat()
        loans.append([f"M{i}", cid, "5000", "2026-01-05", soon, "抵押", "正常", "", "", ""])
    for kind, rows in (("customers", customers), ("loans", loans)):
        result = cli("import", kind, str(make_csv(f"{kind}.csv", rows)))
        assert result.exit_code == 0, result.stderr
    log = cli("log", "C000", "--outcome", "reached", "--next", "2026-11-20", "--yes")
    assert log.exit_code == 0, log.stderr
    decisions = Decisions()
    with (
        mock.patch.object(ranking, "WORST_LOANS", 6),
        mock.patch.object(ranking, "WORST_PER_PLACE", 0),
        mock.patch.object(ranking, "WORST_MORE", 1),
        mock.patch.object(ranking, "_far_behind", wraps=ranking._far_behind) as second_look,
        mock.patch.object(ranking, "_worst_arrears_shortlist", decisions),
        mock.patch.object(ranking, "_shortlist", side_effect=AssertionError("fell back")),
    ):
        top = json_of(cli, "calls", "--limit", "5")
    full = json_of(cli, "calls", "--limit", FULL)
    assert top == full[:5]
    assert decisions.made and all(n is not None and n < 60 for n in decisions.made)
    assert second_look.called


@pytest.mark.parametrize("more", [1, 3, 100])
def test_instalments_due_are_found_among_customers_beyond_the_scan(
    cli: Cli, make_csv: Callable[..., Path], more: int
) -> None:
    """Customers past due by 1 to 400 days, some with an instalment due tomorrow
    on a current loan, with weights under which an instalment counts
    for much: it lifts customers the scored scan (6 loans) did not reach into
    the top 5, so the shortlist looks their instalments up. They are beyond the
    loans the scan read too (6, 18: a second scan finds them), or among them
    (all 120 read): a shortlist that missed either, or that looked up only the
    overdue loan's instalment instead of the customer's, would lose them."""
    Path(os.environ["RETAIN_CONFIG"]).write_text(
        "[weights]\noverdue = 300\ninstalment = 200\n", encoding="utf-8"
    )
    customers = [CUSTOMER_HEADER]
    loans = [BOOK_LOAN_HEADER]
    for i in range(60):
        cid = f"C{i:03d}"
        customers.append([cid, f"客户{i}", f"138{i:08d}", "", "粮油", "王芳", ""])
        late = (i * 7) % 400 + 1
        matures = (T0 - dt.timedelta(days=late)).isoformat()
        loans.append([f"L{i}", cid, "10000", "2024-01-05", matures, "信用", "逾期", "", "", "", "", "", ""])  # fmt: skip
        # an instalment due on some of those 60 to 149 days late: too few days
        # for their overdue points alone to reach the top
        due = [day(1), "800", "3"] if i % 2 and 60 <= late < 150 else ["", "", ""]
        loans.append([f"N{i}", cid, "9000", "2026-01-05", "2027-06-05", "信用", "正常", "", "", "", *due])  # fmt: skip
    for kind, rows in (("customers", customers), ("loans", loans)):
        result = cli("import", kind, str(make_csv(f"{kind}.csv", rows)))
        assert result.exit_code == 0, result.stderr
    with (
        mock.patch.object(ranking, "WORST_LOANS", 6),
        mock.patch.object(ranking, "WORST_PER_PLACE", 0),
        mock.patch.object(ranking, "WORST_MORE", more),
        mock.patch.object(ranking, "_due_soon", wraps=ranking._due_soon) as by_instalment,
        mock.patch.object(ranking, "_shortlist", side_effect=AssertionError("fell back")),
    ):
        top = json_of(cli, "calls", "--limit", "5")
    full = json_of(cli, "calls", "--limit", FULL)
    assert top == full[:5]
    lifted = [row["customer_id"] for row in full[:5] if row["instalment"] > 0]
    assert lifted
    # looked up among the far-behind customers the exact pass did not score
    (_, _, looked_at, _, instalment_lead), _ = by_instalment.call_args
    assert instalment_lead is not None and set(lifted) <= set(looked_at)


@SETTINGS
@given(book=books(), when=st.integers(0, 14))
def test_terms_gone_past_due_give_nothing_that_far_behind(book: Book, when: int) -> None:
    """The shortlist leaves out a term's bound for customers at least its
    ``gone_past_due`` days behind: on the full list no such customer has its points."""
    Path(os.environ["RETAIN_CONFIG"]).unlink(missing_ok=True)
    config = Config()
    gone = {t.name: t.gone_past_due(config) for t in TERMS if t.gone_past_due is not None}
    assert gone  # win_back, cross_sell and season at least
    with scratch() as folder:
        cli = fresh(book, folder)
        for row in json_of(cli, "calls", "--limit", FULL, today=day(when)):
            for name, days in gone.items():
                if (row["days_past_due"] or 0) >= days:
                    assert row[name] == 0, (row["customer_id"], name)


def test_the_past_due_bound_scores_fewer_customers(cli: Cli, make_csv: Callable[..., Path]) -> None:
    """Customers past due by 1 to 400 days, some maturing, some due a post-loan
    check and a revisit: leaving the bounds of win-back, cross-sell and season
    (65 points by default with the others) out for customers behind on a loan
    scores fewer of them in full, and the top stays the full list's."""
    customers = [CUSTOMER_HEADER]
    loans = [LOAN_HEADER]
    for i in range(80):
        cid = f"C{i:03d}"
        customers.append([cid, f"客户{i}", f"138{i:08d}", "", "粮油", "王芳", ""])
        matures = (T0 - dt.timedelta(days=(i * 5) % 400 + 1)).isoformat()
        kind = "抵押" if i % 3 == 0 else "信用"
        loans.append([f"L{i}", cid, "10000", "2024-01-05", matures, kind, "逾期", "", "", ""])
        soon = (T0 + dt.timedelta(days=i % 20)).isoformat()
        loans.append([f"M{i}", cid, "5000", "2026-01-05", soon, "信用", "正常", "", "", ""])
    for kind, rows in (("customers", customers), ("loans", loans)):
        result = cli("import", kind, str(make_csv(f"{kind}.csv", rows)))
        assert result.exit_code == 0, result.stderr
    full = json_of(cli, "calls", "--limit", FULL)
    sizes = {}
    real_rest = ranking.bounded_rest
    for name, rest in (
        ("past due", real_rest),
        ("every bound", lambda config, days=0: real_rest(config)),
    ):
        decisions = Decisions()
        with (
            mock.patch.object(ranking, "WORST_LOANS", 6),
            mock.patch.object(ranking, "WORST_PER_PLACE", 0),
            mock.patch.object(ranking, "bounded_rest", rest),
            mock.patch.object(ranking, "_worst_arrears_shortlist", decisions),
            mock.patch.object(ranking, "_shortlist", side_effect=AssertionError("fell back")),
        ):
            top = json_of(cli, "calls", "--limit", "5")
        assert top == full[:5], name
        assert decisions.made and decisions.made[0] is not None
        sizes[name] = decisions.made[0]
    assert sizes["past due"] < sizes["every bound"], sizes
