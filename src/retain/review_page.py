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
        "runoff_cliff": _cliff_line(review, lang),
        "runoff_measured": _measured_line(review, lang),
        "retention_title": t("report.retention_title", lang, month=month),
        "retention_note": t("report.retention_note", lang, month=month),
        "col_figure": t("report.col.figure", lang),
        "col_value": t("report.col.value", lang),
        "col_renewals": t("runoff.col.renewals", lang),
        "col_forecast": t("runoff.col.forecast", lang),
        "col_cumulative_gap": t("runoff.col.cumulative_gap", lang),
        "par_title": t("report.par_title", lang),
        "par_empty": t("report.par_empty", lang),
        "par_note": t("report.par_note", lang),
        "arrears_title": t("report.arrears_title", lang, day=review.book_day.isoformat()),
        "activity_title": t("report.activity_title", lang, month=month),
        "activity_none": t("report.activity_none", lang),
        "activity_note": t("report.activity_note", lang),
        "col_measure": t("activity.col.measure", lang),
        "col_done": t("report.col.done", lang),
        "col_quota": t("report.col.quota", lang),
        "col_met": t("report.col.met", lang),
        "contacts_title": t("report.contacts_title", lang, month=month),
        "contacts_line": t(
            "report.contacts_line",
            lang,
            total=review.contacts.total,
            customers=review.contacts.customers,
        ),
        "winback_title": t("report.winback_title", lang, month=month, count=review.win_back_count),
        "winback_note": t("report.winback_note", lang),
        "renew_title": t("report.renew_title_month", lang, month=review.renew_month),
        "renew_empty": t("report.renew_empty", lang),
        "renew_note": t("report.renew_note", lang),
        "footer": t("report.footer", lang),
        "total": t("overdue.total", lang),
        "col_month": t("report.col.month", lang),
        "col_loans": t("col.loans", lang),
        "col_customers": t("report.col.customers", lang),
        "col_maturing": t("report.col.maturing", lang),
        "col_remaining": t("runoff.col.remaining", lang),
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


def _cliff_line(review: Review, lang: str) -> str:
    book = review.runoff
    share = f"{book.cliff_share:.0%}"
    if book.total.cliff_month is None:
        return t("runoff.no_cliff", lang, months=len(book.total.months), share=share)
    return t("runoff.cliff", lang, month=book.total.cliff_month, share=share)


def _ratio(value: float | None, lang: str) -> str:
    return t("report.none", lang) if value is None else f"{value:.2f}"


def _measured_line(review: Review, lang: str) -> str:
    book = review.runoff
    rate = book.renewal
    if rate.rate is None:
        return t("runoff.no_history", lang, grace=book.grace_days)
    return t(
        "runoff.measured",
        lang,
        rate=_percent(rate.rate, lang),
        renewed=rate.renewed,
        closed=rate.closed,
        grace=book.grace_days,
        ratio=_ratio(rate.size_ratio, lang),
    )


RUNOFF_SHOWN = (
    "loans",
    "customers",
    "maturing",
    "remaining",
    "share",
    "renewal_rate",
    "renewal_size_ratio",
    "renewals",
    "forecast",
    "target",
    "cumulative_gap",
    "cliff",
)
RETENTION_SHOWN = (
    "active",
    "new_borrowers",
    "retention_rate",
    "dropout_rate",
    "repeat_rate",
    "noloan",
    "won_back",
)


def _retention_rows(review: Review, lang: str) -> list[tuple[str, str, str]]:
    """(element id, figure, value) of the month's retention metrics."""
    r = review.retention
    rows = [
        ("active_start", t("report.ret.active_start", lang), str(r.active_start)),
        ("active_end", t("report.ret.active_end", lang), str(r.active_end)),
        ("new_borrowers", t("report.ret.new_borrowers", lang), str(r.new_borrowers)),
        ("retention_rate", t("report.ret.retention_rate", lang), _percent(r.retention_rate, lang)),
        ("closed", t("report.ret.closed", lang), str(r.closed)),
        ("dropouts", t("report.ret.dropouts", lang), str(r.dropouts)),
        ("dropout_rate", t("report.ret.dropout_rate", lang), _percent(r.dropout_rate, lang)),
        ("closers", t("report.ret.closers", lang), str(r.closers)),
        ("repeaters", t("report.ret.repeaters", lang), str(r.repeaters)),
        ("repeat_rate", t("report.ret.repeat_rate", lang), _percent(r.repeat_rate, lang)),
        ("noloan_start", t("report.ret.noloan_start", lang), str(r.noloan_start)),
        ("noloan_end", t("report.ret.noloan_end", lang), str(r.noloan_end)),
        ("won_back", t("report.ret.won_back", lang), str(r.won_back)),
    ]
    return [(f"ret-{key}", name, value) for key, name, value in rows]


def _class_days(min_days: int, max_days: int | None, lang: str) -> str:
    if max_days is None:
        return t("overdue.range_open", lang, min=min_days)
    if max_days == min_days:
        return str(min_days)
    return t("overdue.range", lang, min=min_days, max=max_days)


def page_context(review: Review, lang: str) -> dict[str, Any]:
    """Everything the template shows, as text (numbers formatted for people)."""
    from markupsafe import Markup

    book = review.runoff
    total = book.total.balance_fen
    arrears = review.arrears
    months = book.total.months
    next_month = months[0] if months else None
    ladder = [
        {
            "month": m.month,
            "loans": m.loans,
            "customers": m.customers,
            "maturing": yuan_grouped(m.maturing_fen),
            "remaining": yuan_grouped(m.remaining_fen),
            "share": _percent(m.share, lang),
            "renewals": yuan_grouped(m.renewals_fen),
            "forecast": yuan_grouped(m.forecast_fen),
            "cumulative_gap": yuan_grouped(m.cumulative_gap_fen),
            "cliff": m.month == book.total.cliff_month,
        }
        for m in months
    ]
    cliff_index = next((i for i, m in enumerate(months) if m.month == book.total.cliff_month), None)
    runoff_chart = bar_chart(
        [m.month[2:] for m in months],
        [
            Series(t("runoff.chart.remaining", lang), [m.remaining_fen for m in months], "#2b6cb0"),
            Series(t("runoff.col.forecast", lang), [m.forecast_fen for m in months], "#38a169"),
        ],
        _axis_money(lang),
        t("report.runoff_title", lang),
        line=Series(t("runoff.chart.target", lang), [m.target_fen for m in months], "#d9822b"),
        mark=None if cliff_index is None else (cliff_index, t("report.card.cliff", lang)),
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
            "share": _percent(
                c.balance_fen / arrears.balance_fen if arrears.balance_fen else None, lang
            ),
        }
        for c in arrears.classes
    ]
    par_lines = [
        t(
            "overdue.par",
            lang,
            days=days,
            part=yuan_grouped(arrears.par_fen(days)),
            total=yuan_grouped(arrears.balance_fen),
            share=_percent(arrears.par(days), lang),
        )
        for days in (30, 90)
    ]
    cards = [
        ("card-balance", t("report.card.balance", lang), yuan_grouped(total)),
        ("card-par30", "PAR30", _percent(arrears.par(30), lang)),
        ("card-par90", "PAR90", _percent(arrears.par(90), lang)),
        ("card-contacts", t("report.card.contacts", lang), str(review.contacts.total)),
        ("card-winbacks", t("report.card.winbacks", lang), str(review.win_back_count)),
        (
            "card-maturing",
            t("report.card.maturing", lang, month=next_month.month if next_month else ""),
            yuan_grouped(next_month.maturing_fen if next_month else 0),
        ),
        (
            "card-cliff",
            t("report.card.cliff", lang),
            book.total.cliff_month or t("report.none", lang),
        ),
        (
            "card-retention",
            t("report.card.retention", lang, month=review.month),
            _percent(review.retention.retention_rate, lang),
        ),
        (
            "card-dropout",
            t("report.card.dropout", lang, month=review.month),
            _percent(review.retention.dropout_rate, lang),
        ),
    ]
    return {
        "html_lang": "zh-CN" if lang == "zh" else "en",
        "w": _words(review, lang),
        "cards": [{"id": i, "label": k, "value": v} for i, k, v in cards],
        "ladder": ladder,
        "ladder_total": {
            "loans": sum(m.loans for m in months),
            "maturing": yuan_grouped(sum(m.maturing_fen for m in months)),
        },
        "runoff_definitions": [
            t(f"runoff.def.{name}", lang, grace=book.grace_days, cliff=f"{book.cliff_share:.0%}")
            for name in RUNOFF_SHOWN
        ],
        "retention": [
            {"id": i, "name": n, "value": v} for i, n, v in _retention_rows(review, lang)
        ],
        "retention_definitions": [
            t(f"retention.def.{name}", lang, grace=book.grace_days) for name in RETENTION_SHOWN
        ],
        "runoff_chart": Markup(runoff_chart),  # noqa: S704 - built and escaped by retain.svg
        "par_chart": Markup(par_chart),  # noqa: S704
        "classes": classes,
        "arrears_total": {"count": arrears.count, "balance": yuan_grouped(arrears.balance_fen)},
        "par_lines": par_lines,
        "outcomes": [
            (label("outcome", name, lang), count)
            for name, count in review.contacts.by_outcome.items()
        ],
        "activity": _activity_rows(review, lang),
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


def _activity_rows(review: Review, lang: str) -> list[dict[str, Any]]:
    """One row per officer and quota: done, quota, ✓/✗, share and a bar (its
    width the share, up to the whole cell at the quota)."""
    if review.activity is None:
        return []
    rows = []
    for entry in review.activity.officers:
        for target in entry.targets:
            rows.append(
                {
                    "officer": entry.officer or "",
                    "measure": t(f"activity.measure.{target.measure}", lang),
                    "done": target.done,
                    "quota": target.quota,
                    "met": t("activity.met" if target.met else "activity.not_met", lang),
                    "state": "met" if target.met else "short",
                    "share": f"{target.share:.0%}",
                    "width": round(min(target.share, 1.0) * 100),
                }
            )
    return rows


def render(review: Review, lang: str) -> str:
    """The page's HTML."""
    import jinja2

    source = resources.files("retain").joinpath(TEMPLATE).read_text(encoding="utf-8")
    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
    return env.from_string(source).render(**page_context(review, lang))
