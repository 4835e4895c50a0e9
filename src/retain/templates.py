"""Default reminder messages, per audience, language and reason.

``{placeholder}`` fields are filled by ``retain export reminders``; the config
may override any of them (``[export.templates.customer.zh]`` …) or add new
template sets chosen with ``--template NAME``. The default texts live in the
message catalogue (``sms.<audience>.<term>``), one per call-list term; a
customer set has only the terms that may be sent to a customer (the registry's
``customer_facing``: maturing, overdue, win_back). Customer texts are in the
customers' language, ``export.customer_lang``, not the operator's ``--lang``.
"""

from __future__ import annotations

PLACEHOLDERS = (
    "lender", "name", "customer_id", "officer", "amount", "balance", "matures_on",
    "date", "days_left", "days_past_due", "loan_id", "reason",
    "days_left_days", "days_past_due_days",
)  # fmt: skip
# ``{days_past_due_days}`` is "1 day" / "27 days" in English and "27天" in
# Chinese: a count with its unit, so an English text never reads "1 days".

AUDIENCES = ("officer", "customer")


def default_templates() -> dict[str, dict[str, dict[str, str]]]:
    from retain.i18n import CATALOGUE
    from retain.terms import TERMS

    sets: dict[str, dict[str, dict[str, str]]] = {}
    for audience in AUDIENCES:
        names = [t.name for t in TERMS if audience == "officer" or t.customer_facing]
        texts = {name: CATALOGUE[f"sms.{audience}.{name}"] for name in names}
        sets[audience] = {
            "zh": {name: zh for name, (_, zh) in texts.items()},
            "en": {name: en for name, (en, _) in texts.items()},
        }
    return sets
