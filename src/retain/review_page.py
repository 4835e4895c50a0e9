"""The monthly review as one self-contained HTML page (``retain report``).

Jinja2 fills ``review.html.j2`` with autoescape on: customer names and every
other stored text are escaped. The charts are inline SVG (:mod:`retain.svg`),
marked safe after their own escaping. Phones are masked; ID numbers are never
read. Jinja2 is imported here, when a page is made, never at start-up.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import resources
from typing import Any

from retain.i18n import label, t
from retain.output import mask_phone, yuan_grouped
from retain.review import Review
from retain.svg import Series, bar_chart, line_chart

TEMPLATE = "review.html.j2"


def _percent(share: float | None, lang: str) -> str:
    return t("report.none", lang) if share is None else f"{share * 100:.2f}%"


def _axis_money(lang: str) -> Callable[[float], str]:
    """Axis labels from fen, short enough for the chart's margin: 万 in zh, k in en."""

    def shown(value: float) -> str:
        if not value:
            return "0"
        if lang == "zh":
            return f"{value / 1_000_000:,.1f}万"
        return f"{value / 100_000:,.0f}k"

    return shown


def _words(review: Review, lang: str) -> dict[str, str]:
    month = review.month
    officer = review.officer
    first_month = review.ladder[0].month if review.ladder else month
    title = t("report.title", lang, month=month)
    if officer is not None:
        title = t("report.title_officer", lang, title=title, officer=officer)
    return {
        "title": title,
        "subtitle": t(
            "report.subtitle",
            lang,
            today=review.today.isoformat(),
            day=review.data_as_of or t("report.none", lang),
        ),
        "runoff_title": t("report.runoff_title", lang),
        "runoff_note": t("report.runoff_note", lang),
        "par_title": t("report.par_title", lang),
        "par_empty": t("report.par_empty", lang),
        "par_note": t("report.par_note", lang),
        "arrears_title": t("report.arrears_title", lang, day=review.book_day.isoformat()),
        "contacts_title": t("report.contacts_title", lang, month=month),
        "contacts_line": t(
            "report.contacts_line",
            lang,
            total=review.contacts.total,
            customers=review.contacts.customers,
        ),
        "winback_title": t("report.winback_title", lang, month=month, count=review.win_back_count),
        "winback_note": t("report.winback_note", lang),
        "renew_title": t("report.renew_title_month", lang, month=first_month),
        "renew_empty": t("report.renew_empty", lang),
        "renew_note": t("report.renew_note", lang),
        "footer": t("report.footer", lang),
        "total": t("overdue.total", lang),
        "col_month": t("report.col.month", lang),
        "col_loans": t("col.loans", lang),
        "col_customers": t("report.col.customers", lang),
        "col_maturing": t("report.col.maturing", lang),
        "col_remaining": t("report.col.remaining", lang),
        "col_share": t("report.col.share", lang),
        "col_class": t("col.class", lang),
        "col_days": t("col.days", lang),
        "col_balance": t("col.balance", lang),
        "col_outcome": t("report.col.outcome", lang),
        "col_count": t("report.col.count", lang),
        "col_customer": t("col.customer_id", lang),
        "col_name": t("col.name", lang),
        "col_phone": t("col.phone", lang),
        "col_officer": t("col.officer", lang),
        "col_loan": t("col.loan_id", lang),
        "col_principal": t("col.principal", lang),
        "col_disbursed": t("col.disbursed_on", lang),
        "col_last_closed": t("col.last_closed_on", lang),
        "col_first_maturity": t("col.matures_on", lang),
        "col_last_contact": t("col.last_contact", lang),
    }


def _class_days(min_days: int, max_days: int | None, lang: str) -> str:
    if max_days is None:
        return t("overdue.range_open", lang, min=min_days)
    if max_days == min_days:
        return str(min_days)
    return t("overdue.range", lang, min=min_days, max=max_days)


def page_context(review: Review, lang: str) -> dict[str, Any]:
    """Everything the template shows, as text (numbers formatted for people)."""
    from markupsafe import Markup

    total = review.open_balance_fen
    book = review.arrears
    next_month = review.ladder[0] if review.ladder else None
    ladder = [
        {
            "month": m.month,
            "loans": m.loans,
            "customers": m.customers,
            "maturing": yuan_grouped(m.maturing_fen),
            "remaining": yuan_grouped(m.remaining_fen),
            "share": _percent(m.remaining_fen / total if total else None, lang),
        }
        for m in review.ladder
    ]
    runoff_chart = bar_chart(
        [m.month[2:] for m in review.ladder],
        [
            Series(
                t("report.col.maturing", lang), [m.maturing_fen for m in review.ladder], "#d9822b"
            ),
            Series(
                t("report.col.remaining", lang), [m.remaining_fen for m in review.ladder], "#2b6cb0"
            ),
        ],
        _axis_money(lang),
        t("report.runoff_title", lang),
    )
    par_chart = ""
    if review.par_trend:
        par_chart = line_chart(
            [s.day.strftime("%m-%d") for s in review.par_trend],
            [
                Series("PAR30", [s.par(30) for s in review.par_trend], "#d9822b"),
                Series("PAR90", [s.par(90) for s in review.par_trend], "#c53030"),
            ],
            lambda v: f"{v * 100:.1f}%",
            t("report.par_title", lang),
        )
    classes = [
        {
            "name": c.name if lang == "zh" else c.name_en,
            "days": _class_days(c.min_days, c.max_days, lang),
            "count": c.count,
            "balance": yuan_grouped(c.balance_fen),
            "share": _percent(c.balance_fen / book.balance_fen if book.balance_fen else None, lang),
        }
        for c in book.classes
    ]
    par_lines = [
        t(
            "overdue.par",
            lang,
            days=days,
            part=yuan_grouped(book.par_fen(days)),
            total=yuan_grouped(book.balance_fen),
            share=_percent(book.par(days), lang),
        )
        for days in (30, 90)
    ]
    cards = [
        ("card-balance", t("report.card.balance", lang), yuan_grouped(total)),
        ("card-par30", "PAR30", _percent(book.par(30), lang)),
        ("card-par90", "PAR90", _percent(book.par(90), lang)),
        ("card-contacts", t("report.card.contacts", lang), str(review.contacts.total)),
        ("card-winbacks", t("report.card.winbacks", lang), str(review.win_back_count)),
        (
            "card-maturing",
            t("report.card.maturing", lang, month=next_month.month if next_month else ""),
            yuan_grouped(next_month.maturing_fen if next_month else 0),
        ),
    ]
    return {
        "html_lang": "zh-CN" if lang == "zh" else "en",
        "w": _words(review, lang),
        "cards": [{"id": i, "label": k, "value": v} for i, k, v in cards],
        "ladder": ladder,
        "ladder_total": {
            "loans": sum(m.loans for m in review.ladder),
            "maturing": yuan_grouped(sum(m.maturing_fen for m in review.ladder)),
        },
        "runoff_chart": Markup(runoff_chart),  # noqa: S704 - built and escaped by retain.svg
        "par_chart": Markup(par_chart),  # noqa: S704
        "classes": classes,
        "arrears_total": {"count": book.count, "balance": yuan_grouped(book.balance_fen)},
        "par_lines": par_lines,
        "outcomes": [
            (label("outcome", name, lang), count)
            for name, count in review.contacts.by_outcome.items()
        ],
        "win_backs": [
            {
                "customer_id": w.customer_id,
                "name": w.name,
                "phone": mask_phone(w.phone),
                "officer": w.officer or "",
                "loan_id": w.loan_id,
                "principal": yuan_grouped(w.principal_fen),
                "disbursed_on": w.disbursed_on,
                "last_closed_on": w.last_closed_on or "",
            }
            for w in review.win_backs
        ],
        "renewals": [
            {
                "customer_id": r.customer_id,
                "name": r.name,
                "phone": mask_phone(r.phone),
                "officer": r.officer or "",
                "loans": r.loans,
                "maturing": yuan_grouped(r.maturing_fen),
                "first_maturity": r.first_maturity,
                "last_contact": (r.last_contact or "")[:10],
            }
            for r in review.renewals
        ],
    }


def render(review: Review, lang: str) -> str:
    """The page's HTML."""
    import jinja2

    source = resources.files("retain").joinpath(TEMPLATE).read_text(encoding="utf-8")
    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
    return env.from_string(source).render(**page_context(review, lang))
