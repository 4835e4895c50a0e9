"""``retain calls``: the ranked daily call list, and ``--explain``."""

from __future__ import annotations

import sys
from typing import Annotated, Any

import typer

from retain.cli.common import handle_errors, state
from retain.cli.options import (
    FormatOption,
    LimitOption,
    OfficerOption,
    OutputFormat,
    OutputOption,
    RevealOption,
    emit,
    resolve_format,
)

HELP = """Whom to call today, and why: one row per customer, best first.

The score is a weighted sum of named terms (overdue, maturing, follow_up,
post_loan_check, revisit, win_back); weights and contact rhythms live in the
config (retain config show). Customers contacted in the last few days are left
off unless a promised follow-up has arrived or their arrears class worsened.
Ties are broken by customer id, so the list is the same for the same store
and --today.

Example:

    retain calls

    retain calls --officer 王芳 --reason maturing --limit 10

    retain calls --explain C0001

    retain calls --format ids | retain log - --channel sms --outcome reached

    retain calls --output 今日电话.xlsx
"""

TERMS = ("overdue", "maturing", "follow_up", "post_loan_check", "revisit", "win_back")

CALL_FIELDS = (
    ("rank", "int"),
    ("score", "int"),
    ("customer_id", "text"),
    ("name", "text"),
    ("phone", "text"),
    ("officer", "text"),
    ("reasons", "text"),
    ("action", "text"),
    ("days_past_due", "int"),
    ("days_left", "int"),
    ("next_on", "date"),
    ("last_contact", "text"),
    *((term, "int") for term in TERMS),
)


def reason_codes(row: dict[str, Any]) -> list[str]:
    """The terms that apply, strongest first (ties in the fixed term order)."""
    applied = [term for term in TERMS if row[term] > 0]
    return sorted(applied, key=lambda term: -row[term])


def reason_text(row: dict[str, Any], lang: str) -> str:
    from retain.i18n import t

    parts = []
    for code in reason_codes(row):
        if code == "overdue":
            parts.append(t("reason.overdue", lang, days=row["dpd"]))
        elif code == "maturing":
            key = "reason.maturing" if row["days_left"] else "reason.maturing_today"
            parts.append(t(key, lang, days=row["days_left"]))
        elif code == "follow_up":
            parts.append(t("reason.follow_up", lang, date=row["next_on"]))
        else:
            parts.append(t(f"reason.{code}", lang))
    return " · ".join(parts)


def calls(
    ctx: typer.Context,
    limit: LimitOption = None,
    officer: OfficerOption = None,
    reason: Annotated[
        list[str] | None,
        typer.Option(
            "--reason",
            help="Only customers with this reason (repeatable): " + ", ".join(TERMS) + ".",
            show_default=False,
        ),
    ] = None,
    explain: Annotated[
        str | None,
        typer.Option(
            "--explain",
            metavar="CUSTOMER_ID",
            help="Show how CUSTOMER_ID's score is made, term by term.",
            show_default=False,
        ),
    ] = None,
    reveal: RevealOption = False,
    fmt: FormatOption = OutputFormat.auto,
    output: OutputOption = None,
) -> None:
    from retain.config import load_config
    from retain.errors import UsageError
    from retain.ranking import CallFilter, ranked_calls

    st = state(ctx)
    config = load_config()
    reasons = tuple(reason or ())
    unknown = [r for r in reasons if r not in TERMS]
    if unknown:
        raise UsageError(
            key="calls.unknown_reasons", value=", ".join(unknown), accepted=", ".join(TERMS)
        )
    store = st.open_store()
    try:
        if explain is not None:
            _explain(store.conn, config, st, explain.strip(), fmt)
            return
        capacity = limit or config.calls.daily_capacity
        spec = CallFilter(officer=officer, reasons=reasons, limit=capacity)
        rows = [
            _shape(row, st.lang, reveal) for row in ranked_calls(store.conn, config, st.today, spec)
        ]
        if output is None and resolve_format(fmt) == "table":
            _render(rows, st, capacity)
        else:
            from retain.output import Field

            fields = [Field(name, kind) for name, kind in CALL_FIELDS]  # type: ignore[arg-type]
            emit(rows, fields, fmt, output, st.lang)
    finally:
        store.close()


def _shape(row: dict[str, Any], lang: str, reveal: bool) -> dict[str, Any]:
    from retain.i18n import t
    from retain.output import mask_phone

    codes = reason_codes(row)
    row["reasons"] = ",".join(codes)
    row["reason_text"] = reason_text(row, lang)
    row["action"] = t(f"action.{codes[0]}", lang) if codes else ""
    row["days_past_due"] = row["dpd"] if row["overdue"] else None
    row["days_left"] = row["days_left"] if row["maturing"] else None
    row["last_contact"] = row["last_contact_at"]
    if not reveal:
        row["phone"] = mask_phone(row["phone"]) or None
    return row


def _render(rows: list[dict[str, Any]], st: Any, capacity: int) -> None:
    from retain.cli.render import Column, fit_columns, print_table
    from retain.i18n import label, t

    lang = st.lang
    columns = [
        Column(t("col.rank", lang), "right", key=True),
        Column(t("col.score", lang), "right", key=True),
        Column(t("col.customer", lang)),
        Column(t("col.phone", lang), key=True),
        Column(t("col.officer", lang)),
        Column(t("col.reasons", lang)),
        Column(t("col.last_contact", lang)),
        Column(t("col.action", lang)),
    ]
    shown = [
        [
            str(row["rank"]),
            str(row["score"]),
            f"{row['name']} ({row['customer_id']})",
            row["phone"] or "",
            row["officer"] or "",
            row["reason_text"],
            _last_contact_text(row, lang, label),
            row["action"],
        ]
        for row in rows
    ]
    footer = [t("calls.empty", lang)] if not rows else []
    # On a narrow terminal: the last contact goes first, then the officer.
    columns, shown = fit_columns(columns, shown, [6, 4])
    print_table(
        t("calls.title", lang, today=st.today.isoformat()), columns, shown, footer_lines=footer
    )


def _last_contact_text(row: dict[str, Any], lang: str, label: Any) -> str:
    if not row.get("last_contact_at"):
        return ""
    day = str(row["last_contact_at"])[:10]
    channel = label("channel", row["last_channel"], lang)
    outcome = label("outcome", row["last_outcome"], lang)
    return f"{day} {channel}/{outcome}"


def _explain(conn: Any, config: Any, st: Any, customer_id: str, fmt: OutputFormat) -> None:
    import json

    from retain.contacts import customer
    from retain.ranking import explain

    info = customer(conn, customer_id)  # raises for an unknown id
    result = explain(conn, config, st.today, customer_id)
    lines = explanation_lines(result, config, st.lang)
    if fmt in (OutputFormat.json, OutputFormat.ndjson):
        row = result.row or {}
        payload = {
            "customer_id": customer_id,
            "score": row.get("score", 0),
            "rank": result.rank,
            "listed": result.rank is not None and result.rank <= config.calls.daily_capacity,
            "terms": [
                {"term": term, "points": row.get(term, 0), "rule": rule}
                for term, _, rule in lines["terms"]
            ],
        }
        sys.stdout.write(json.dumps(payload, ensure_ascii=False) + "\n")
        return
    from retain.cli.render import Column, print_table
    from retain.i18n import t

    lang = st.lang
    score = result.row["score"] if result.row else 0
    rows = [[t(f"term.{term}", lang), str(points), rule] for term, points, rule in lines["terms"]]
    rows.append([t("explain.total", lang), str(score), ""])
    print_table(
        t("explain.title", lang, name=info["name"], customer_id=customer_id, score=score),
        [
            Column(t("col.term", lang)),
            Column(t("col.points", lang), "right"),
            Column(t("col.rule", lang)),
        ],
        rows,
        footer_lines=[lines["verdict"]],
    )


def explanation_lines(result: Any, config: Any, lang: str) -> dict[str, Any]:
    """Each term with its points and the rule behind it, plus a verdict line."""
    from retain.days import from_day_number
    from retain.i18n import t

    row = result.row or {}
    w = config.weights
    r = config.rhythm
    terms = []
    for term in TERMS:
        points = int(row.get(term) or 0)
        if points <= 0:
            terms.append((term, 0, t("rule.none", lang)))
            continue
        if term == "overdue":
            rank, cls = config.arrears.classify(row["dpd"])
            rule = t(
                "rule.overdue",
                lang,
                base=_num(w.overdue),
                per_day=_num(w.overdue_per_day),
                days=row["dpd"],
                cap=w.overdue_day_cap,
                class_weight=cls.weight,
                cls=cls.name if lang == "zh" else cls.name_en,
            )
        elif term == "maturing":
            rule = t(
                "rule.maturing",
                lang,
                base=_num(w.maturing),
                per_day=_num(w.maturing_per_day),
                lead=r.lead_days,
                days=row["days_left"],
                opened=from_day_number(row["window_open"]).isoformat(),
            )
        elif term == "follow_up":
            late = row["today_day"] - row["next_day"]
            rule = t(
                "rule.follow_up",
                lang,
                base=_num(w.follow_up),
                per_day=_num(w.follow_up_per_day),
                late=late,
                cap=w.late_day_cap,
                date=row["next_on"],
            )
        elif term == "post_loan_check":
            rule = t(
                "rule.post_loan_check",
                lang,
                base=_num(w.post_loan_check),
                date=from_day_number(row["check_day"]).isoformat(),
                first=r.post_loan_first_days,
                every=r.post_loan_every_days,
            )
        elif term == "revisit":
            rule = t("rule.revisit", lang, base=_num(w.revisit), every=r.revisit_every_days)
        else:
            rule = t(
                "rule.win_back",
                lang,
                base=_num(w.win_back),
                date=from_day_number(row["closed_day"]).isoformat(),
                every=r.win_back_every_days,
                months=r.win_back_months,
            )
        terms.append((term, points, rule))
    if not row or row.get("score", 0) <= 0:
        verdict = t("explain.nothing", lang)
    elif row.get("quiet"):
        verdict = t("explain.quiet", lang, when=str(row["last_contact_at"])[:16], days=r.quiet_days)
    elif result.rank is not None and result.rank > config.calls.daily_capacity:
        verdict = t(
            "explain.over_capacity", lang, rank=result.rank, capacity=config.calls.daily_capacity
        )
    else:
        verdict = t("explain.rank", lang, rank=result.rank)
    return {"terms": terms, "verdict": verdict}


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def register(app: typer.Typer) -> None:
    app.command("calls", help=HELP)(handle_errors(calls))
