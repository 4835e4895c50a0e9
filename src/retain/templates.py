"""Default reminder messages, per audience, language and reason.

``{placeholder}`` fields are filled by ``retain export reminders``; the config
may override any of them (``[export.templates.customer.zh]`` …) or add new
template sets chosen with ``--template NAME``. The default texts live in the
message catalogue (``sms.<audience>.<term>``), one per call-list term; a
customer set has only the terms that may be sent to a customer (the registry's
``customer_facing``: maturing, overdue, win_back, instalment, season). Customer texts are in the
customers' language, ``export.customer_lang``, not the operator's ``--lang``.
A season reminder to a customer uses its season's own ``message_zh`` /
``message_en`` when the config gives one.
"""

from __future__ import annotations

import functools

PLACEHOLDERS = (
    "lender", "name", "customer_id", "officer", "amount", "balance", "matures_on",
    "date", "days_left", "days_past_due", "loan_id", "reason",
    "days_left_days", "days_past_due_days", "period", "amount_due", "due_on", "season",
)  # fmt: skip
# ``{season}`` is a season reminder's season (its name in the config): empty in
# reminders of other reasons.
# ``{days_past_due_days}`` is "1 day" / "27 days" in English and "27天" in
# Chinese: a count with its unit, so an English text never reads "1 days".
# ``{period}``, ``{amount_due}`` and ``{due_on}`` are an instalment's (期数, the
# amount due, its due date): empty in reminders of other reasons.

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


class TemplateError(ValueError):
    """A template that is not literal text and ``{placeholder}`` fields only.

    ``problem`` names what was found: ``conversion`` (``{name!r}``), ``format_spec``
    (``{name:>99}``), ``attribute`` (``{lender.__class__}``, ``{name[0]}``),
    ``nested`` (a field inside a field), ``unknown`` (a name that is no
    placeholder), ``lone_open`` / ``lone_close`` (a brace that opens or closes
    nothing); ``field`` is the offending text as written.
    """

    def __init__(self, problem: str, field: str) -> None:
        super().__init__(f"{problem}: {field}")
        self.problem = problem
        self.field = field


class _Field(str):
    """A placeholder name, told apart from literal text by its type."""

    __slots__ = ()


#: A parsed template: literal text (str) and placeholder names (_Field), in order.
Segments = tuple[str | _Field, ...]


def _classify(inner: str) -> str:
    if "!" in inner:
        return "conversion"
    if ":" in inner:
        return "format_spec"
    if "." in inner or "[" in inner:
        return "attribute"
    return "unknown"


@functools.lru_cache(maxsize=256)
def parse_template(text: str) -> Segments:
    """A template as segments, or :class:`TemplateError`.

    Deliberately not ``str.format``'s grammar: it has conversions, format specs
    (``{name:>99999999}`` writes gigabytes), nested fields and attribute access
    (``{lender.__class__}``), none of which a message needs. Here a field is a
    placeholder name and nothing else, and ``{{``/``}}`` are literal braces.
    """
    segments: list[str | _Field] = []
    literal: list[str] = []
    i, end = 0, len(text)
    while i < end:
        char = text[i]
        if char == "{":
            if text.startswith("{{", i):
                literal.append("{")
                i += 2
                continue
            close = text.find("}", i + 1)
            inner_open = text.find("{", i + 1)
            if close == -1:
                raise TemplateError("lone_open", text[i : i + 20])
            if inner_open != -1 and inner_open < close:
                # the whole of the outer field: up to its own closing brace
                depth, j = 0, i
                while j < end:
                    depth += {"{": 1, "}": -1}.get(text[j], 0)
                    j += 1
                    if depth == 0:
                        break
                raise TemplateError("nested", text[i:j])
            inner = text[i + 1 : close]
            if inner not in PLACEHOLDERS:
                raise TemplateError(_classify(inner), text[i : close + 1])
            if literal:
                segments.append("".join(literal))
                literal = []
            segments.append(_Field(inner))
            i = close + 1
        elif char == "}":
            if text.startswith("}}", i):
                literal.append("}")
                i += 2
                continue
            raise TemplateError("lone_close", text[max(0, i - 15) : i + 1])
        else:
            nxt = min((p for p in (text.find("{", i), text.find("}", i)) if p != -1), default=end)
            literal.append(text[i:nxt])
            i = nxt
    if literal:
        segments.append("".join(literal))
    return tuple(segments)


@functools.lru_cache(maxsize=256)
def placeholders(text: str) -> frozenset[str]:
    """The placeholder names a (valid) template uses: an export works out only
    those for each of its reminders."""
    return frozenset(str(part) for part in parse_template(text) if isinstance(part, _Field))


def render_template(text: str, values: dict[str, str]) -> str:
    """The template with each placeholder replaced by its value, nothing more:
    the result is never longer than the literal text plus the values it quotes."""
    return _format_string(text).format_map(values)


@functools.lru_cache(maxsize=256)
def _format_string(text: str) -> str:
    """The parsed template as a ``str.format`` string: only literal text (its
    braces doubled) and bare ``{name}`` fields, so ``format_map`` does what the
    segments say and nothing more (the values are text: no spec, no conversion),
    once per message instead of a Python step per segment (an export renders
    hundreds of thousands)."""
    return "".join(
        "{" + part + "}" if isinstance(part, _Field) else part.replace("{", "{{").replace("}", "}}")
        for part in parse_template(text)
    )
