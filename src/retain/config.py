"""The user's TOML config: every tunable default in one place.

A missing file means defaults. ``RETAIN_CONFIG`` overrides the path. Invalid
values are reported naming the key (``weights.overdue_per_day: …``).
"""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal, get_args, get_origin

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from retain.errors import ConfigValueError, UsageError
from retain.i18n import CATALOGUE, Joined, Msg, Text, Verbatim, msg, os_reason
from retain.paths import config_path as config_path  # where it always was
from retain.rules import GUARANTEES
from retain.templates import PLACEHOLDERS, TemplateError, default_templates, parse_template

#: Upper bounds of numeric settings. Each is far beyond any sensible value and
#: far below what would overflow a date, a day number or a 64-bit score: with
#: every weight at its bound the call-list terms still add up exactly.
DAYS_MAX = 3650  # ten years: any rhythm, pause or quiet period
AGE_MAX = 36_500  # a hundred years: arrears class limits, day caps
POINTS_MAX = 10_000  # call-list points of one term (or per day)
YUAN_MAX = 1_000_000_000_000  # a trillion yuan: principal limits


class _Section(BaseModel):
    # allow_inf_nan: TOML has inf and nan; a weight of inf would saturate every score.
    model_config = ConfigDict(
        extra="forbid", populate_by_name=True, validate_assignment=True, allow_inf_nan=False
    )


class ImportConfig(_Section):
    principal_ceiling: int = Field(
        10_000_000, gt=0, le=YUAN_MAX, description="largest principal, in yuan"
    )
    principal_floor: int = Field(
        100,
        ge=0,
        le=YUAN_MAX,
        description="smallest principal, in yuan (less is a typo, not a loan)",
    )
    earliest_date: dt.date = Field(
        dt.date(1990, 1, 1), description="loan dates before this are rejected as nonsense"
    )
    max_xlsx_xml_mb: int = Field(
        500,
        ge=1,
        le=100_000,
        description="an XLSX workbook may expand to at most this many MB of XML "
        "(a zip bomb is refused before it is parsed)",
    )
    max_cells: int = Field(
        5_000_000,
        ge=1,
        le=1_000_000_000,
        description="a sheet (or an XLSX file's shared strings) may hold at most this many cells",
    )

    @property
    def principal_ceiling_fen(self) -> int:
        return self.principal_ceiling * 100

    @property
    def principal_floor_fen(self) -> int:
        return self.principal_floor * 100

    @model_validator(mode="after")
    def _floor_below_ceiling(self) -> ImportConfig:
        if self.principal_floor > self.principal_ceiling:
            raise ConfigValueError(
                key="config.floor_ceiling",
                floor=self.principal_floor,
                ceiling=self.principal_ceiling,
            )
        return self


class DataConfig(_Section):
    stale_after_days: int = Field(
        3,
        ge=0,
        le=DAYS_MAX,
        description="warn when the newest loans import is more than this many days old; "
        "customer reminders are then refused (export --allow-stale)",
    )


class StoreConfig(_Section):
    busy_timeout_s: float = Field(
        30,
        ge=0.1,
        le=3600,
        description="how long a writing command waits, in seconds, while another one "
        "(a long import) writes the store, before giving up saying what holds it (0.1-3600)",
    )


class RetentionConfig(_Section):
    renewal_grace_days: int = Field(
        60,
        ge=0,
        le=DAYS_MAX,
        description="a new loan within this many days of a close counts as a renewal "
        "(runoff, retention)",
    )
    cliff_share: float = Field(
        0.8,
        ge=0,
        le=1,
        description="runoff names the first month whose forecast balance is below this "
        "share of today's balance 'the cliff'",
    )


QUOTA_MAX = 10_000  # per week or month: far beyond what one officer can do
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


class OfficerQuota(_Section):
    """One officer's own targets; a target left out is the [quota] default."""

    name: str = Field(min_length=1, description="the officer, as the store spells the name")
    visits_per_week: int | None = Field(
        None, ge=0, le=QUOTA_MAX, description="this officer's visits per week"
    )
    calls_per_week: int | None = Field(
        None, ge=0, le=QUOTA_MAX, description="this officer's calls per week"
    )
    new_customers_per_month: int | None = Field(
        None, ge=0, le=QUOTA_MAX, description="this officer's new customers per month"
    )
    prospects_per_week: int | None = Field(
        None, ge=0, le=QUOTA_MAX, description="this officer's new prospects per week"
    )

    @field_validator("name")
    @classmethod
    def _normal_name(cls, value: str) -> str:
        import unicodedata

        return unicodedata.normalize("NFKC", value).strip()


class QuotaConfig(_Section):
    visits_per_week: int = Field(
        0, ge=0, le=QUOTA_MAX, description="visits each officer should log a week; 0: none"
    )
    calls_per_week: int = Field(
        0, ge=0, le=QUOTA_MAX, description="calls each officer should log a week; 0: none"
    )
    new_customers_per_month: int = Field(
        0, ge=0, le=QUOTA_MAX, description="first loans to new customers a month; 0: none"
    )
    prospects_per_week: int = Field(
        0, ge=0, le=QUOTA_MAX, description="new prospects each officer should enter a week; 0: none"
    )
    week_starts: Literal[
        "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"
    ] = Field(
        "monday",
        description="the first day of an activity week (monday: ISO weeks; another day "
        "starts week W on that day on or before the ISO week's Monday)",
    )
    officers: list[OfficerQuota] = Field(
        default_factory=list,
        description="per-officer targets, one [[quota.officers]] table each (name = ...)",
    )

    @model_validator(mode="after")
    def _one_row_per_officer(self) -> QuotaConfig:
        names = [row.name for row in self.officers]
        repeated = sorted({n for n in names if names.count(n) > 1})
        if repeated:
            raise ConfigValueError(key="config.quota_repeat", names=", ".join(repeated))
        return self

    def targets(self, officer: str | None) -> dict[str, int]:
        """The officer's targets by measure (0: none), their own row over the defaults."""
        own = next((row for row in self.officers if row.name == officer), None)
        found = {}
        for name in (
            "visits_per_week",
            "calls_per_week",
            "new_customers_per_month",
            "prospects_per_week",
        ):
            value = getattr(own, name) if own is not None else None
            found[name] = int(getattr(self, name) if value is None else value)
        return found


class ArrearsClass(_Section):
    """One row of the arrears table: days past due from min_days to max_days."""

    name: str = Field(min_length=1, description="the class name in Chinese")
    name_en: str = Field(min_length=1, description="the class name in English")
    min_days: int = Field(ge=0, le=AGE_MAX, description="first day past due in this class")
    max_days: int | None = Field(
        default=None, ge=0, le=AGE_MAX, description="none = no upper bound"
    )
    weight: int = Field(0, ge=0, le=POINTS_MAX, description="extra call-list points for this class")

    @model_validator(mode="after")
    def _ordered(self) -> ArrearsClass:
        if self.max_days is not None and self.max_days < self.min_days:
            raise ConfigValueError(key="config.class_order", max=self.max_days, min=self.min_days)
        return self


def _five_categories() -> list[ArrearsClass]:
    return [
        ArrearsClass(name="正常", name_en="normal", min_days=0, max_days=0, weight=0),
        ArrearsClass(name="关注", name_en="special mention", min_days=1, max_days=90, weight=10),
        ArrearsClass(name="次级", name_en="substandard", min_days=91, max_days=180, weight=20),
        ArrearsClass(name="可疑", name_en="doubtful", min_days=181, max_days=360, weight=30),
        ArrearsClass(name="损失", name_en="loss", min_days=361, max_days=None, weight=40),
    ]


class ArrearsConfig(_Section):
    classes: list[ArrearsClass] = Field(
        default_factory=_five_categories,
        description="the arrears table: name, name_en, min_days, max_days (omit: no limit), "
        "weight; ranges start at 0 and follow each other",
    )
    bad_from: str = Field(
        "次级", description="no-loan customers whose worst class reached this are excluded"
    )

    @model_validator(mode="after")
    def _contiguous(self) -> ArrearsConfig:
        if not self.classes:
            raise ConfigValueError(key="config.no_class")
        expected = 0
        for entry in self.classes:
            if entry.min_days != expected:
                raise ConfigValueError(
                    key="config.class_gap",
                    name=entry.name,
                    start=entry.min_days,
                    expected=expected,
                )
            if entry.max_days is None:
                expected = -1
                break
            expected = entry.max_days + 1
        if expected != -1 or self.classes[-1].max_days is not None:
            raise ConfigValueError(key="config.open_ended")
        if self.bad_from not in {c.name for c in self.classes} | {c.name_en for c in self.classes}:
            raise ConfigValueError(key="config.bad_from", value=repr(self.bad_from))
        return self

    def rank_of(self, name: str) -> int:
        for rank, entry in enumerate(self.classes):
            if name in (entry.name, entry.name_en):
                return rank
        raise KeyError(name)

    def classify(self, days: int) -> tuple[int, ArrearsClass]:
        for rank, entry in enumerate(self.classes):
            if entry.max_days is None or days <= entry.max_days:
                return rank, entry
        return len(self.classes) - 1, self.classes[-1]


class RhythmConfig(_Section):
    maturity_tiers: list[Annotated[int, Field(ge=0, le=DAYS_MAX)]] = Field(
        default_factory=lambda: [30, 15, 7, 1],
        description="call once in each window before maturity (days)",
    )
    secured_guarantees: list[str] = Field(
        default_factory=lambda: ["mortgage", "pledge"],
        description="guarantee types whose borrowers get return visits",
    )
    revisit_every_days: int = Field(
        90, gt=0, le=DAYS_MAX, description="return visit to secured borrowers"
    )
    post_loan_first_days: int = Field(
        15, ge=0, le=DAYS_MAX, description="first check after disbursement"
    )
    post_loan_every_days: int = Field(90, gt=0, le=DAYS_MAX, description="then a check this often")
    post_loan_early_days: int = Field(
        7, ge=0, le=DAYS_MAX, description="a contact this many days before a check satisfies it"
    )
    win_back_every_days: int = Field(60, gt=0, le=DAYS_MAX, description="win-back contact rhythm")
    win_back_months: int = Field(
        12, gt=0, le=120, description="…during this long after the last close"
    )
    recovery_every_days: int = Field(
        30, gt=0, le=DAYS_MAX, description="contact customers with a written-off loan this often"
    )
    quiet_days: int = Field(3, ge=0, le=365, description="leave off anyone contacted this recently")
    visit_after_failed_calls: int = Field(
        3, gt=0, le=100, description="suggest a visit after this many unanswered attempts"
    )
    declined_pause_days: int = Field(
        180, ge=0, le=DAYS_MAX, description="no win-back for this long after the customer declined"
    )
    guarantor_after_days: int = Field(
        30,
        ge=0,
        le=DAYS_MAX,
        description="an overdue loan's suggested action names its guarantor from this many days",
    )
    collateral_lead_days: int = Field(
        30,
        ge=0,
        le=DAYS_MAX,
        description="remind the officer this many days before collateral insurance or a"
        " certificate expires",
    )
    instalment_lead_days: int = Field(
        3,
        ge=0,
        le=365,
        description="list a customer this many days before an instalment falls due (0: that day)",
    )
    prospect_first_contact_days: int = Field(
        2,
        ge=0,
        le=DAYS_MAX,
        description="list a new prospect not contacted this many days after its entry",
    )

    birthday_greetings: bool = Field(
        False,
        description="list customers on their birthday (from the ID number) and allow a "
        "greeting SMS (the birthday reason); off by default",
    )

    @model_validator(mode="after")
    def _tiers(self) -> RhythmConfig:
        if not self.maturity_tiers or any(t < 0 for t in self.maturity_tiers):
            raise ConfigValueError(key="config.tiers")
        if len(set(self.maturity_tiers)) != len(self.maturity_tiers):
            raise ConfigValueError(key="config.tiers_repeat")
        bad = set(self.secured_guarantees) - set(GUARANTEES)
        if bad:
            raise ConfigValueError(key="config.secured", values=str(sorted(bad)))
        return self

    @property
    def lead_days(self) -> int:
        return max(self.maturity_tiers)


class WeightsBase(_Section):
    """Call-list points: score = sum of the terms that apply (see `calls --explain`).

    Its fields are the settings of the terms in :mod:`retain.terms`; the model
    is built from that registry below, so a new term brings its own weights.
    """

    def value(self, name: str) -> float:
        return float(getattr(self, name))

    def sql_params(self) -> dict[str, float]:
        """Every weight as the ``:w_<name>`` parameter the terms' SQL reads."""
        return {f"w_{name}": getattr(self, name) for name in type(self).model_fields}


def _weights_model() -> type[WeightsBase]:
    from pydantic import create_model

    from retain.terms import settings

    fields: dict[str, Any] = {
        s.name: (
            int if s.integer else float,
            Field(
                s.default,
                ge=0,
                le=AGE_MAX if s.integer else POINTS_MAX,
                description=s.description,
            ),
        )
        for s in settings()
    }
    return create_model(
        "WeightsConfig", __base__=WeightsBase, __doc__=WeightsBase.__doc__, **fields
    )


if TYPE_CHECKING:
    WeightsConfig = WeightsBase
else:
    WeightsConfig = _weights_model()


class CallsConfig(_Section):
    daily_capacity: int = Field(20, gt=0, le=10_000, description="default length of `retain calls`")


def _customer_facing() -> tuple[str, ...]:
    from retain.terms import CUSTOMER_FACING

    return CUSTOMER_FACING


class ExportConfig(_Section):
    lender: str = Field("本行", min_length=1, description="{lender} in messages: your institution")
    templates: dict[str, dict[str, dict[str, str]]] = Field(
        default_factory=default_templates,
        description="message templates: templates.NAME.LANG.REASON, {placeholder} syntax",
    )
    customer_lang: Literal["zh", "en"] = Field(
        "zh", description="language of customer SMS (independent of --lang): zh or en"
    )
    customer_quiet_days: int = Field(
        7,
        ge=0,
        le=365,
        description="never text a customer the same reason again within this many days",
    )
    send_on: Literal["working_days", "any_day"] = Field(
        "working_days",
        description="customer SMS only on China's working days (public holidays "
        "and make-up workdays counted) or on any_day",
    )
    customer_reasons: list[str] = Field(
        default_factory=lambda: list(_customer_facing()),
        description="the reasons that may be texted to customers, at first the "
        "customer-facing ones; add e.g. recovery only if your lender allows it",
    )

    def may_text(self, reason: str) -> bool:
        """Whether a reminder of this reason may go to a customer."""
        return reason in self.customer_reasons

    @field_validator("templates", mode="before")
    @classmethod
    def _over_defaults(cls, value: Any) -> Any:
        """A user's templates add to or override the defaults, never wipe them."""
        if not isinstance(value, dict):
            return value
        merged = default_templates()
        for name, by_lang in value.items():
            if not isinstance(by_lang, dict):
                merged[name] = by_lang
                continue
            target = merged.setdefault(name, {})
            for lang, by_reason in by_lang.items():
                if isinstance(by_reason, dict) and isinstance(target.get(lang), dict):
                    target[lang] = {**target[lang], **by_reason}
                else:
                    target[lang] = by_reason
        return merged

    @model_validator(mode="after")
    def _placeholders(self) -> ExportConfig:
        from retain.terms import TERM_NAMES as known

        unknown = [r for r in self.customer_reasons if r not in known]
        if unknown:
            raise ConfigValueError(
                key="config.template_reason",
                where="customer_reasons",
                accepted=", ".join(known),
            )

        from retain.terms import CUSTOMER_FACING, TERM_NAMES

        # A customer set holds only what may be sent to a customer: the reasons
        # allowed, and the customer-facing terms' own texts (a config written
        # before a new such term lists its reasons without it).
        customer = [
            *self.customer_reasons,
            *(r for r in CUSTOMER_FACING if r not in self.customer_reasons),
        ]
        for name, by_lang in self.templates.items():
            reasons = customer if name == "customer" else TERM_NAMES
            for lang, by_reason in by_lang.items():
                if lang not in ("en", "zh"):
                    raise ConfigValueError(key="config.template_lang", name=name, lang=lang)
                for reason, text in by_reason.items():
                    where = f"templates.{name}.{lang}.{reason}"
                    if reason not in reasons:
                        raise ConfigValueError(
                            key="config.template_reason",
                            where=where,
                            accepted=", ".join(reasons),
                        )
                    try:
                        parse_template(text)
                    except TemplateError as exc:
                        raise _template_error(where, exc) from None
        return self


def _template_error(where: str, exc: TemplateError) -> ConfigValueError:
    if exc.problem == "unknown":
        return ConfigValueError(
            key="config.template_placeholder",
            where=where,
            name=exc.field[1:-1],
            accepted=", ".join("{" + p + "}" for p in PLACEHOLDERS),
        )
    # One line whatever the template holds: a newline in it is shown as \n.
    shown = exc.field.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r")
    if len(shown) > 40:
        shown = shown[:39] + "…"
    return ConfigValueError(
        key="config.template_field",
        where=where,
        field=shown,
        why=msg(f"error.config.template_why.{exc.problem}"),
    )


class CoverageConfig(_Section):
    peer_share: float = Field(
        0.5,
        ge=0,
        le=0.99,
        description="a good customer lacking a product held by more than this share of "
        "their peer group (industry) has a cross-sell gap (retain coverage, calls)",
    )


class TierRule(_Section):
    """One customer tier (客户分层): the first rule whose ``when`` holds wins."""

    name: str = Field(min_length=1, max_length=40, description="the tier's short name, e.g. A")
    name_zh: str = Field("", max_length=40, description="its Chinese name, e.g. 核心客户")
    when: str = Field(
        min_length=1,
        max_length=2000,
        description="the rule over the customer facts (README, Tiers), e.g. "
        "loans_count >= 2 and worst_class == '正常'",
    )
    contact_every_days: int | None = Field(
        default=None,
        ge=1,
        le=DAYS_MAX,
        description="contact this tier at least this often (the stay_in_touch term); "
        "omit: no rhythm",
    )
    good: bool = Field(
        False,
        description="counts as a good customer (优质客户) in `retain tiers`; when no tier "
        "says so, the first tier is the good one",
    )

    @field_validator("when")
    @classmethod
    def _parses(cls, value: str) -> str:
        from retain.tier_rules import RuleError, parse
        from retain.tiers import fact_kinds

        try:
            parse(value, fact_kinds())
        except RuleError as exc:
            raise ConfigValueError(
                key="config.tier_rule",
                problem=Msg(f"error.tier_rule.{exc.problem}", dict(exc.values)),
                column=exc.column,
            ) from None
        return value


class SeasonConfig(_Section):
    """One row of the seasons table: an industry or a group needs money before a date."""

    name: str = Field(min_length=1, description="the campaign's name")
    industry: str | None = Field(
        default=None, description="customers whose industry contains this (or: group)"
    )
    group: str | None = Field(default=None, description="or: the members of this group")
    date: str = Field(
        description="MM-DD or a festival (spring festival, mid-autumn, dragon boat), "
        "then an offset in days: spring festival -45"
    )
    lead_days: int = Field(
        30, ge=0, le=DAYS_MAX, description="days before the date when calls and reminders start"
    )
    message_zh: str = Field("", description="the customer reminder's text in Chinese")
    message_en: str = Field("", description="the customer reminder's text in English")

    @model_validator(mode="after")
    def _valid(self) -> SeasonConfig:
        from retain.seasons import parse_season_date

        if (self.industry is None) == (self.group is None):
            raise ConfigValueError(key="config.season_who", name=self.name)
        try:
            parse_season_date(self.date)
        except ValueError:
            raise ConfigValueError(
                key="config.season_date", name=self.name, value=self.date
            ) from None
        from retain.templates import TemplateError, parse_template

        for text in (self.message_zh, self.message_en):
            try:
                parse_template(text)
            except TemplateError as error:
                raise ConfigValueError(
                    key="config.season_message",
                    name=self.name,
                    value=error.field,
                    problem=error.problem,
                ) from None
        return self


def _example_seasons() -> list[SeasonConfig]:
    # Examples to edit: the industries of a typical county branch's book.
    # Signed first (【lender】), as every customer text: SMS gateways require it.
    stock = "【{lender}】尊敬的{name}，旺季将至，如需备货资金，请联系客户经理{officer}。"
    stock_en = (
        "[{lender}] Dear {name}, your busy season is coming: if you need money for stock,"
        " call {officer}."
    )
    return [
        SeasonConfig(
            name="烟酒春节备货", industry="烟酒", date="春节 -30", lead_days=30,
            message_zh=stock, message_en=stock_en,
        ),
        SeasonConfig(
            name="烟酒中秋备货", industry="烟酒", date="中秋 -30", lead_days=30,
            message_zh=stock, message_en=stock_en,
        ),
        SeasonConfig(
            name="农资春耕", industry="农资", date="03-01", lead_days=45,
            message_zh=stock, message_en=stock_en,
        ),
        SeasonConfig(
            name="服装春节备货", industry="服装", date="春节 -45", lead_days=30,
            message_zh=stock, message_en=stock_en,
        ),
        SeasonConfig(
            name="服装秋冬换季", industry="服装", date="09-01", lead_days=30,
            message_zh=stock, message_en=stock_en,
        ),
        SeasonConfig(
            name="学生用品开学", industry="学生用品", date="09-01 -20", lead_days=30,
            message_zh=stock, message_en=stock_en,
        ),
    ]  # fmt: skip


class Config(_Section):
    import_: ImportConfig = Field(
        default_factory=ImportConfig, alias="import", description="checks when importing ledgers"
    )
    data: DataConfig = Field(
        default_factory=DataConfig, description="how old the imported loan data may be"
    )
    arrears: ArrearsConfig = Field(
        default_factory=ArrearsConfig, description="loan classes by days past due (五级分类)"
    )
    rhythm: RhythmConfig = Field(
        default_factory=RhythmConfig, description="when each customer is due a contact"
    )
    weights: WeightsConfig = Field(
        default_factory=WeightsConfig,
        description="call-list points: score = sum of the terms that apply (calls --explain)",
    )
    calls: CallsConfig = Field(default_factory=CallsConfig, description="the daily call list")
    export: ExportConfig = Field(
        default_factory=ExportConfig, description="reminder messages (retain export)"
    )
    store: StoreConfig = Field(
        default_factory=StoreConfig, description="the store file shared by several commands"
    )
    retention: RetentionConfig = Field(
        default_factory=RetentionConfig,
        description="renewals and the runoff cliff (retain runoff, retain retention)",
    )
    quota: QuotaConfig = Field(
        default_factory=QuotaConfig,
        description="officers' weekly and monthly targets (retain activity)",
    )
    coverage: CoverageConfig = Field(
        default_factory=CoverageConfig,
        description="product coverage and cross-sell gaps (retain coverage)",
    )
    tiers: list[TierRule] = Field(
        default_factory=list,
        description="customer tiers, tried in order, the first match wins: "
        "name, name_zh, when, contact_every_days, good (README, Tiers)",
    )
    seasons: list[SeasonConfig] = Field(
        default_factory=_example_seasons,
        description="seasonal needs (retain season); the defaults are EXAMPLES to edit",
    )

    @model_validator(mode="after")
    def _tier_names(self) -> Config:
        from retain.tier_rules import literals_of, parse
        from retain.tiers import WORST_CLASS, fact_kinds

        seen: set[str] = set()
        names = [c.name for c in self.arrears.classes]
        known = {*names, *(c.name_en for c in self.arrears.classes)}
        for index, rule in enumerate(self.tiers):
            if rule.name in seen:
                raise ConfigValueError(key="config.tier_repeat", name=rule.name)
            seen.add(rule.name)
            # A misspelt class would silently never match: refuse it.
            for value in literals_of(parse(rule.when, fact_kinds()), WORST_CLASS):
                if value not in known:
                    raise ConfigValueError(
                        key="config.tier_class",
                        where=f"tiers.{index}.when",
                        value=str(value),
                        known=", ".join(names),
                    )
        return self


@dataclass(frozen=True)
class Range:
    """The values a numeric setting accepts, both ends included."""

    low: float
    high: float

    def text(self) -> str:
        return f"{_number(self.low)} – {_number(self.high)}"


def _number(value: object) -> str:
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        value = int(value)
    return f"{value:,}" if isinstance(value, int | float) else str(value)


def _range_of(metadata: list[Any], integer: bool) -> Range | None:
    low: float | None = None
    high: float | None = None
    for bound in metadata:
        if getattr(bound, "ge", None) is not None:
            low = bound.ge
        elif getattr(bound, "gt", None) is not None:
            low = bound.gt + 1 if integer else bound.gt  # (no float setting has gt)
        if getattr(bound, "le", None) is not None:
            high = bound.le
    return Range(low, high) if low is not None and high is not None else None


def _model(annotation: Any) -> type[BaseModel] | None:
    return (
        annotation if isinstance(annotation, type) and issubclass(annotation, BaseModel) else None
    )


def _scalar_range(annotation: Any, metadata: list[Any]) -> Range | None:
    """The range of a number setting (``int``, ``float``, ``int | None``, an
    ``Annotated`` list element), or None for anything else."""
    if get_origin(annotation) is Annotated:
        base, *extra = get_args(annotation)
        inner = [m for e in extra for m in getattr(e, "metadata", [e])]
        return _scalar_range(base, [*metadata, *inner])
    kinds = set(get_args(annotation)) - {type(None)} or {annotation}
    if kinds == {int}:
        return _range_of(metadata, integer=True)
    if kinds == {float}:
        return _range_of(metadata, integer=False)
    return None


def numeric_settings() -> list[tuple[str, object, Range]]:
    """Every numeric setting: its dotted key (a column of a table as
    ``arrears.classes.weight``, each item of a list by the list's key), its
    default (None where it has none) and its range; for the README's table."""
    found: list[tuple[str, object, Range]] = []

    def walk(model: type[BaseModel], prefix: str) -> None:
        for name, info in model.model_fields.items():
            key = prefix + (info.alias or name)
            annotation = info.annotation
            if get_origin(annotation) is list:
                annotation = get_args(annotation)[0]
            sub = _model(annotation)
            if sub is not None:
                walk(sub, key + ".")
                continue
            found_range = _scalar_range(annotation, list(info.metadata))
            if found_range is not None:
                default = (
                    None if info.is_required() else info.get_default(call_default_factory=True)
                )
                found.append((key, default, found_range))

    walk(Config, "")
    return found


def setting_range(loc: tuple[int | str, ...]) -> Range | None:
    """The range of the setting at a pydantic error location, if it is a number."""
    model: type[BaseModel] | None = Config
    annotation: Any = None
    metadata: list[Any] = []
    for part in loc:
        if isinstance(part, int):
            if get_origin(annotation) is not list:
                return None
            annotation, metadata = get_args(annotation)[0], []
            model = _model(annotation)
            continue
        if model is None:
            return None
        info = next((f for n, f in model.model_fields.items() if part in (n, f.alias)), None)
        if info is None:
            return None
        annotation, metadata = info.annotation, list(info.metadata)
        model = _model(annotation)
    return _scalar_range(annotation, metadata)


_BOUND_ERRORS = frozenset(
    {
        "greater_than",
        "greater_than_equal",
        "less_than",
        "less_than_equal",
        "finite_number",
        "int_from_float",
        "int_parsing_size",
    }
)


def _problem(error: Any) -> Text:
    """What pydantic found wrong, with Chinese for our own checks and its common ones."""
    english = str(error["msg"]).removeprefix("Value error, ")
    found = (error.get("ctx") or {}).get("error")
    if isinstance(found, ConfigValueError):
        return found.message
    # (an integer too large for a float is a "float_type" error)
    too_big = error["type"] == "float_type" and isinstance(error["input"], int)
    if error["type"] in _BOUND_ERRORS or too_big:
        bounds = setting_range(tuple(error["loc"]))
        if bounds is not None:
            return msg(
                "error.config.range",
                value=str(error["input"]),
                low=_number(bounds.low),
                high=_number(bounds.high),
            )
    key = f"error.pydantic.{error['type']}"
    if key in CATALOGUE:
        shown = Msg(key, dict(error.get("ctx") or {}))
        try:
            if shown.render("en") == english:  # the catalogue words it as pydantic does
                return shown
        except (KeyError, IndexError, ValueError):
            pass
    return Verbatim(english)


def _describe(error: Any) -> Text:
    where = ".".join(str(part) for part in error["loc"])
    problem = _problem(error)
    return msg("error.config.problem", where=where, problem=problem) if where else problem


def parse_config(data: dict[str, Any], source: str) -> Config:
    try:
        return Config.model_validate(data)
    except ValidationError as exc:
        problems = Joined(tuple(_describe(e) for e in exc.errors()))
        raise UsageError(key="config.invalid", path=source, problems=problems) from None


def read_config_data(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise UsageError(key="config.unreadable", path=str(path), detail=os_reason(exc)) from None
    except UnicodeDecodeError as exc:
        # e.g. saved as GBK by Notepad: TOML files are UTF-8.
        detail = f"not UTF-8 text (byte {exc.start}); save it as UTF-8"
        raise UsageError(key="config.toml", path=str(path), detail=detail) from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(key="config.toml", path=str(path), detail=str(exc)) from None


def load_config(path: Path | None = None) -> Config:
    path = path or config_path()
    return parse_config(read_config_data(path), str(path))
