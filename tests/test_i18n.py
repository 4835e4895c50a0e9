"""One catalogue, two languages: nothing user-facing ships in one language only."""

from __future__ import annotations

import ast
import re
import string
from collections.abc import Callable
from pathlib import Path

import pytest

from retain.activity import MEASURES
from retain.arrears import class_rank
from retain.audit import KINDS as AUDIT_KINDS
from retain.cli.portfolio import RETENTION_DEFINITIONS, RUNOFF_DEFINITIONS
from retain.config import ArrearsConfig, parse_config
from retain.contacts import CHANNELS, OUTCOMES
from retain.errors import RetainError, UsageError
from retain.groups import KINDS as GROUP_KINDS
from retain.i18n import CATALOGUE, Joined, Msg, from_english, msg, t
from retain.importing.columns import ALL_FIELDS
from retain.importing.normalise import Invalid, norm_phone, norm_status
from retain.officers import STATUSES as OFFICER_STATUSES
from retain.pipeline import CHANNELS as PROSPECT_CHANNELS
from retain.pipeline import LOST_REASONS
from retain.pipeline import STAGES as PROSPECT_STAGES
from retain.promises import STATUSES as PROMISE_STATUSES
from retain.rules import GUARANTEES, PRODUCTS, STATUSES
from retain.snapshots import METRICS
from retain.terms import CUSTOMER_FACING, TERM_NAMES
from tests.conftest import CUSTOMER_HEADER, LOAN_HEADER, Cli, Result

SRC = Path(__file__).resolve().parents[1] / "src" / "retain"
CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
# Files allowed to raise without a catalogue key (none: every message has one).
KEYLESS_OWNERS: set[str] = set()


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("key", sorted(CATALOGUE))
def test_every_key_has_both_languages_with_the_same_placeholders(key: str) -> None:
    en, zh = CATALOGUE[key]
    assert en.strip() and zh.strip()
    assert placeholders(en) == placeholders(zh)


def test_error_and_reject_texts_are_english_and_chinese() -> None:
    """English error texts carry no Chinese except accepted values (信用/保证 …);
    every Chinese text has Chinese in it."""
    data = re.compile(
        r"信用/保证/抵押/质押|正常/逾期/结清/核销|活期/定期/借记卡/信用卡/理财/保险/代发工资/手机银行/其他"
    )
    for key, (en, zh) in CATALOGUE.items():
        if key.startswith(("error.", "reject.", "os.", "import.field.")):
            assert not CJK.search(data.sub("", en)), key
            assert CJK.search(zh), key


# --- every key used in the code exists -----------------------------------------


def _sources() -> list[tuple[Path, ast.Module]]:
    return [(p, ast.parse(p.read_text(encoding="utf-8"))) for p in sorted(SRC.rglob("*.py"))]


def _prefix(call: ast.Call) -> str | None:
    """The catalogue prefix a call's key= / code= argument is looked up under."""
    name = getattr(call.func, "id", getattr(call.func, "attr", ""))
    if name in ("RetainError", "UsageError", "ConfigValueError"):
        return "error."
    if name == "Invalid":
        return "reject."
    return None


def _dynamic(node: ast.JoinedStr) -> str:
    return "".join(str(v.value) if isinstance(v, ast.Constant) else "{}" for v in node.values)


# Keys built at run time (f-strings), with every value they are built from.
DYNAMIC: dict[str, set[str]] = {
    "term.{}": {f"term.{x}" for x in TERM_NAMES},
    "reason.{}": {f"reason.{x}" for x in TERM_NAMES},
    "action.{}": {f"action.{x}" for x in TERM_NAMES},
    "rule.{}": {f"rule.{x}" for x in TERM_NAMES},
    "sms.{}.{}": {f"sms.officer.{x}" for x in TERM_NAMES}
    | {f"sms.customer.{x}" for x in CUSTOMER_FACING},
    "channel.{}": {f"channel.{c}" for c in CHANNELS},
    "group.kind.{}": {f"group.kind.{k}" for k in GROUP_KINDS},
    "trend.metric.{}": {f"trend.metric.{m}" for m in METRICS},
    "activity.measure.{}": {f"activity.measure.{m}" for m in MEASURES},
    "pipeline.channel.{}": {f"pipeline.channel.{c}" for c in PROSPECT_CHANNELS},
    "pipeline.stage.{}": {f"pipeline.stage.{s}" for s in PROSPECT_STAGES},
    "pipeline.lost.{}": {f"pipeline.lost.{r}" for r in LOST_REASONS},
    "audience.{}": {"audience.officer", "audience.customer"},
    "outcome.{}": {f"outcome.{o}" for o in OUTCOMES},
    "kind.{}": {
        f"kind.{k}"
        for k in ("customers", "loans", "schedule", "guarantors", "prospects", "holdings")
    },
    "import.note_prospect_{}": {
        "import.note_prospect_customer",
        "import.note_prospect_prospect",
    },
    "product.{}": {f"product.{p}" for p in PRODUCTS},
    "explain.prospect_{}": {"explain.prospect_lost", "explain.prospect_disbursed"},
    "coverage.col.{}": {
        f"coverage.col.{c}"
        for c in (
            "by_industry",
            "by_officer",
            "customers",
            "p0",
            "p1",
            "p2",
            "p3",
            "average",
            "aum",
            "good",
            "gaps",
            "customer_id",
            "name",
            "officer",
            "industry",
            "held",
            "suggested",
            "peers",
        )
    },
    "schedule.{}": {f"schedule.{s}" for s in ("paid", "late", "unpaid", "overdue")},
    "promise.status.{}": {f"promise.status.{s}" for s in PROMISE_STATUSES},
    "import.{}": {f"import.{c}" for c in ("added", "updated", "unchanged", "rejected", "skipped")},
    "import.field.{}": {f"import.field.{f}" for f in ALL_FIELDS},
    "status.{}": {f"status.{s}" for s in STATUSES},
    "guarantee.{}": {f"guarantee.{g}" for g in GUARANTEES},
    "error.log.unknown_{}": {"error.log.unknown_channel", "error.log.unknown_outcome"},
    "error.prospect.unknown_{}": {
        f"error.prospect.unknown_{w}" for w in ("channel", "stage", "reason")
    },
    "error.prospect.exists_{}": {
        "error.prospect.exists_customer",
        "error.prospect.exists_prospect",
    },
    "error.config.template_why.{}": {
        f"error.config.template_why.{p}"
        for p in ("conversion", "format_spec", "attribute", "nested", "lone_open", "lone_close")
    },
    "runoff.def.{}": {f"runoff.def.{n}" for n in RUNOFF_DEFINITIONS},
    "retention.def.{}": {f"retention.def.{n}" for n in RETENTION_DEFINITIONS},
    "via.{}": {"via.import", "via.handover"},
    "officers.status.{}": {f"officers.status.{s}" for s in OFFICER_STATUSES},
    "audit.kind.{}": {f"audit.kind.{k}" for k in AUDIT_KINDS},
    "error.tier_rule.{}": {
        f"error.tier_rule.{p}"
        for p in (
            "unexpected",
            "unclosed_string",
            "ended",
            "expected",
            "trailing",
            "bad_number",
            "unknown_fact",
            "mismatch",
            "text_order",
            "bare_fact",
            "list_literal",
        )
    },
    "db.init.{}": {"db.init.created", "db.init.set_up", "db.init.unchanged"},
    "db.role.{}": {"db.role.officer", "db.role.manager"},
    "error.read.json_nested_{}": {
        "error.read.json_nested_object",
        "error.read.json_nested_array",
    },
}


# Dynamic keys the code looks up only when present ("… if key in CATALOGUE else …").
OPTIONAL = {"col.{}", "os.{}"}


def _used_keys() -> tuple[set[str], set[str]]:
    """Literal keys used in src/retain, and the dynamic patterns met."""
    used: set[str] = set()
    patterns: set[str] = set()

    def add(node: ast.AST, prefix: str = "") -> None:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            used.add(prefix + node.value)
        elif isinstance(node, ast.JoinedStr):
            patterns.add(prefix + _dynamic(node))

    for _, tree in _sources():
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                name = getattr(node.func, "id", getattr(node.func, "attr", ""))
                if name in ("t", "msg", "Msg") and node.args:
                    add(node.args[0])
                prefix = _prefix(node)
                for kw in node.keywords:
                    if kw.arg == "sep" and name == "Joined":
                        add(kw.value)
                    if prefix and kw.arg in ("key", "code"):
                        add(kw.value, "reject." if kw.arg == "code" else prefix)
            elif (
                isinstance(node, ast.Subscript)
                and isinstance(node.value, ast.Name)
                and node.value.id == "CATALOGUE"
            ):
                add(node.slice)
    return used, patterns


def test_every_key_used_in_the_code_exists() -> None:
    used, patterns = _used_keys()
    unknown_patterns = sorted(p for p in patterns - OPTIONAL if p not in DYNAMIC and "{}" in p)
    assert unknown_patterns == [], "add the values of these dynamic keys to DYNAMIC"
    for pattern in patterns:
        used |= DYNAMIC.get(pattern, set())
    missing = sorted(k for k in used if k not in CATALOGUE)
    assert missing == []
    assert len(used) > 250  # the scan sees the code


def test_every_error_the_core_raises_has_a_key() -> None:
    """A RetainError/UsageError/Invalid raised with a plain string would show in English
    only; outside the files another engineer owns, every raise site names a key."""
    keyless = []
    for path, tree in _sources():
        if path.relative_to(SRC).as_posix() in KEYLESS_OWNERS:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and _prefix(node) and node.args:
                keyless.append(f"{path.relative_to(SRC)}:{node.lineno}")
    assert keyless == []


@pytest.mark.parametrize(
    "text",
    [
        "unknown config key weights.x (did you mean weights.overdue?)",
        "unknown config key nope",
        "config /tmp/c.toml: weights is not a table",
        "cannot start editor 'vi': No such file or directory",
        "editor 'vi' exited with 1; the file was kept",
    ],
)
def test_keyless_messages_of_the_config_commands_still_show_in_chinese(text: str) -> None:
    assert from_english(text, "en") == text
    assert CJK.search(from_english(text, "zh"))


# --- the core raises keys; str() is English, render() either language ----------


def test_an_error_is_english_text_and_renders_chinese() -> None:
    exc = RetainError(key="store.missing", path="/x/r.db")
    assert str(exc) == "no store at /x/r.db: import some data first (retain import …)"
    assert exc.render("zh") == "没有数据库 /x/r.db：请先导入数据（retain import …）"
    assert RetainError("plain").render("zh") == "plain"


def test_nested_texts_render_in_the_same_language() -> None:
    where = msg("error.mapping.where", path="m.toml")
    exc = UsageError(key="mapping.no_file", where=where)
    assert str(exc) == "mapping file m.toml: no such file"
    assert exc.render("zh") == "映射文件 m.toml：文件不存在"
    both = Joined((msg("reject.phone"), msg("reject.required")))
    assert str(both) == "not a valid mobile or landline number (with area code); required"
    assert both.render("zh") == "不是有效的手机或固定电话号码（固定电话需带区号）；必填"


def test_rejection_reasons_keep_their_english_and_render_chinese() -> None:
    with pytest.raises(Invalid) as info:
        norm_phone("123")
    assert (
        info.value.reason
        == "not a valid mobile or landline number (with area code)"
        == str(info.value)
    )
    assert info.value.message.render("zh") == "不是有效的手机或固定电话号码（固定电话需带区号）"
    with pytest.raises(Invalid) as info:
        norm_status("maybe")
    assert "正常/逾期/结清/核销 or active" in info.value.reason
    assert info.value.message.render("zh").startswith("未知的贷款状态 'maybe'")


def test_config_problems_render_chinese() -> None:
    with pytest.raises(UsageError) as info:
        parse_config({"weights": {"overdue": -1}, "rhythm": {"maturity_tiers": []}}, "c.toml")
    english = str(info.value)
    assert english.startswith("config c.toml: ")
    assert "weights.overdue: must be from 0 to 10,000, not -1" in english
    zh = info.value.render("zh")
    assert "weights.overdue：应在 0 到 10,000 之间，而不是 -1" in zh
    assert "maturity_tiers 必须是非空的天数列表" in zh
    with pytest.raises(UsageError) as info:
        class_rank(ArrearsConfig(), "nope")
    assert info.value.render("zh").startswith("未知的分类 'nope'")


def test_t_renders_nested_values_and_escaped_braces() -> None:
    assert t("import.progress_rows", "zh") == "{task.completed:,} 行"
    assert t("error.option", "zh", option="--x", reason=Msg("reject.required")) == "--x：必填"


# --- through the real CLI --------------------------------------------------------


def _both(cli: Cli, *args: str, env: dict[str, str] | None = None) -> tuple[Result, Result]:
    """The same command under zh and under en."""
    zh = cli(*args, env={**(env or {}), "RETAIN_LANG": "zh"})
    en = cli(*args, env={**(env or {}), "RETAIN_LANG": "en"})
    return zh, en


@pytest.mark.parametrize(
    ("args", "zh_text", "en_text", "code"),
    [
        (("calls",), "Error: 没有数据库", "Error: no store at", 1),
        (
            ("--today", "bad", "calls"),
            "Error: 无效日期 'bad'：可用 YYYY-MM-DD、今天",
            "Error: invalid date",
            2,
        ),
        (
            ("import", "customers", "nope.csv"),
            "Error: 文件不存在：nope.csv",
            "Error: no such file",
            2,
        ),
    ],
)
def test_errors_follow_the_language(
    tmp_path: Path, args: tuple[str, ...], zh_text: str, en_text: str, code: int
) -> None:
    cli = Cli(tmp_path / "missing" / "r.db")
    zh, en = _both(cli, *args)
    assert zh.stderr.startswith(zh_text) and zh.stderr.count("\n") == 1
    assert en.stderr.startswith(en_text) and not CJK.search(en.stderr)
    assert zh.exit_code == en.exit_code == code


def test_unknown_customer_in_log_is_chinese(seeded: Cli) -> None:
    zh, en = _both(seeded, "log", "C404")
    assert zh.exit_code == en.exit_code == 1
    assert zh.stderr == "Error: 未知的客户编号：C404；未记录任何内容\n"
    assert en.stderr == "Error: unknown customer id(s): C404; nothing was logged\n"


# Accepted values named in English messages: data, not untranslated text.
ACCEPTED = re.compile(
    r"电话/上门/短信/微信/其他|已接通/未接通/同意续贷/还款/承诺还款/拒绝/空号/其他|正常/normal, 关注/special mention, 次级/substandard, "
    r"可疑/doubtful, 损失/loss|信用/保证/抵押/质押|房子"
)


@pytest.mark.parametrize(
    ("args", "zh_text"),
    [
        (("log", "C1", "--channel", "fax"), "未知的联系方式 'fax'：可用 call/"),
        (("log", "C1", "--outcome", "maybe"), "未知的联系结果 'maybe'"),
        (("log", "C1", "--loan", "L404"), "未知的借据号 L404；未记录任何内容"),
        (("log", "C1", "--at", "2030-01-01"), "--at 2030-01-01 晚于今天（2026-12-01）"),
        (("log", "C1", "--next", "someday"), "无效日期 'someday'"),
        (("show", "C404"), "未知的客户编号：C404"),
        (("history", "C404"), "未知的客户编号：C404"),
        (("calls", "--reason", "nope"), "未知的原因 nope"),
        (("calls", "--explain", "C404"), "未知的客户编号：C404"),
        (("overdue", "--class", "nope"), "未知的分类 'nope'"),
        (("overdue", "--summary", "--format", "csv"), "--summary 只输出表格或 JSON"),
        (("noloan", "--closed-within", "soon"), "无效的时间段 'soon'"),
        (("due", "--guarantee", "房子"), "--guarantee：未知的担保方式 '房子'"),
        (("due", "--min-amount", "lots"), "--min-amount：金额无效"),
        (("export", "reminders", "--audience", "boss"), "未知的对象 'boss'"),
        (("export", "reminders", "--kinds", "x"), "未知的提醒类型 x"),
        (("export", "reminders", "--format", "xlsx"), "xlsx 格式需要 --output 文件"),
        (("export", "reminders", "-o", "/nonexistent/dir/r.csv"), "目录不存在：/nonexistent/dir"),
    ],
)
def test_more_errors_are_chinese(seeded: Cli, args: tuple[str, ...], zh_text: str) -> None:
    zh, en = _both(seeded, *args)
    assert zh.stderr.startswith("Error: ") and zh_text in zh.stderr, zh.stderr
    assert zh.stderr.count("\n") == 1
    assert en.stderr.startswith("Error: ") and en.stderr.count("\n") == 1
    assert not CJK.search(ACCEPTED.sub("", en.stderr)), en.stderr
    assert zh.exit_code == en.exit_code != 0


def test_a_bad_mapping_file_is_chinese(cli: Cli, tmp_path: Path) -> None:
    mapping = tmp_path / "m.toml"
    mapping.write_text("[colums]\nname = 'x'\n", encoding="utf-8")
    data = tmp_path / "c.csv"
    data.write_text("customer_id,name\nC1,A\n", encoding="utf-8")
    zh, en = _both(cli, "import", "customers", str(data), "--map", str(mapping))
    assert f"Error: 映射文件 {mapping}：未知的表：[colums]（是否指 [columns]？）" in zh.stderr
    assert "unknown table(s): [colums] (did you mean [columns]?)" in en.stderr
    assert zh.exit_code == en.exit_code == 2


def test_a_file_without_a_header_is_chinese(cli: Cli, tmp_path: Path) -> None:
    data = tmp_path / "c.csv"
    data.write_text("a,b\n1,2\n", encoding="utf-8")
    zh, en = _both(cli, "import", "loans", str(data))
    assert "中找不到表头行：全部 2 行都缺少必填列" in zh.stderr
    assert " 或 term_months" in zh.stderr and "（完全没有可识别的列名" in zh.stderr
    assert "its 2 row(s) lack required column(s)" in en.stderr
    assert " or term_months" in en.stderr


def test_rejected_rows_are_reported_in_the_language(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text(
        "customer_id,name,phone,id_number\nC1,张三,123,\nC2,李四,456,110105194912310021\n",
        encoding="utf-8",
    )
    rejects = tmp_path / "c.rejects.csv"
    zh = cli("import", "customers", str(path), env={"RETAIN_LANG": "zh"})
    assert zh.exit_code == 3
    assert "第 2 行，手机号码：不是有效的手机或固定电话号码（固定电话需带区号）" in zh.stderr
    assert (
        "第 3 行：手机号码：不是有效的手机或固定电话号码（固定电话需带区号）；身份证号："
        in zh.stderr
    )  # each field once
    assert "被拒绝的行已写入" in zh.stderr
    text = rejects.read_text(encoding="utf-8-sig")
    assert (
        "不是有效的手机或固定电话号码（固定电话需带区号）" in text
        and "手机号码：不是有效的手机或固定电话号码（固定电话需带区号）；身份证号：" in text
    )
    assert (
        ",phone,不是有效的手机或固定电话号码（固定电话需带区号）" in text
    )  # the _field column stays the field name

    en = cli("import", "customers", str(path), env={"RETAIN_LANG": "en"})
    assert "row 2, phone: not a valid mobile or landline number (with area code)" in en.stderr
    assert (
        "row 3: phone: not a valid mobile or landline number (with area code); id_number: "
        in en.stderr
    )
    assert not CJK.search(en.stderr.replace("张三", "").replace("李四", ""))
    # the first rejects file is kept: this run's is the next number
    text = rejects.with_name("c.rejects.2.csv").read_text(encoding="utf-8-sig")
    assert not CJK.search(text.replace("张三", "").replace("李四", ""))
    assert "phone: not a valid mobile or landline number (with area code); id_number: " in text


def test_rejected_loans_are_reported_in_the_language(
    cli: Cli, make_csv: Callable[..., Path], tmp_path: Path
) -> None:
    path = make_csv(
        "loans.csv",
        [
            [*LOAN_HEADER, "客户名称"],
            ["L1", "C1", "abc", "2026-01-01", "2027-01-01", "信用", "正常", "", "", "", "甲"],
            ["L2", "C2", "1000", "2026-13-01", "2027-01-01", "信用", "正常", "", "", "", "乙"],
            ["L3", "C3", "1000", "2026-01-01", "2027-01-01", "信用", "结清", "", "", "", "丙"],
            ["L4", "C4", "1000", "2026-01-01", "2027-01-01", "房子", "正常", "", "", "", "丁"],
        ],
    )
    zh = cli("import", "loans", str(path), env={"RETAIN_LANG": "zh"})
    assert zh.exit_code == 3
    assert "第 2 行，贷款金额：金额无效" in zh.stderr
    assert "第 3 行，放款日期：日期不存在" in zh.stderr
    assert "第 4 行，结清日期：已结清贷款必须填写" in zh.stderr
    assert "第 5 行，担保方式：未知的担保方式 '房子'" in zh.stderr
    reasons = (tmp_path / "loans.rejects.csv").read_text(encoding="utf-8-sig")
    assert "金额无效" in reasons and "日期不存在" in reasons

    en = cli("import", "loans", str(path), env={"RETAIN_LANG": "en"})
    assert "row 2, principal: not a valid amount" in en.stderr
    assert "row 3, disbursed_on: not a real calendar date" in en.stderr
    assert "row 4, closed_on: required for a closed loan" in en.stderr
    assert "row 5, guarantee: unknown guarantee '房子'" in en.stderr


def test_the_json_report_keeps_english_reasons(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text("customer_id,name,phone\nC1,张三,123\n", encoding="utf-8")
    result = cli("import", "customers", str(path), "--format", "json", env={"RETAIN_LANG": "zh"})
    assert result.json()["rejects"] == [
        {
            "row": 2,
            "field": "phone",
            "reason": "not a valid mobile or landline number (with area code)",
        }
    ]


def test_the_locale_chooses_chinese(seeded: Cli, tmp_path: Path) -> None:
    table = {"RETAIN_LANG": "", "RETAIN_TTY": "1", "NO_COLOR": "1"}
    for locale in ({"LANG": "zh_CN.UTF-8"}, {"LC_ALL": "zh_CN.UTF-8", "LANG": "C"}):
        result = seeded("due", "--format", "table", env={**table, **locale})
        assert "到期贷款" in result.stdout
    english = seeded("due", "--format", "table", env={**table, "LANG": "en_US.UTF-8"})
    assert "Loans maturing" in english.stdout
    # --lang wins over the locale; the locale also picks the language of errors
    forced = seeded(
        "--lang", "en", "due", "--format", "table", env={**table, "LANG": "zh_CN.UTF-8"}
    )
    assert "Loans maturing" in forced.stdout
    missing = Cli(tmp_path / "none" / "r.db")
    error = missing("calls", env={"RETAIN_LANG": "", "LC_ALL": "zh_CN.UTF-8"})
    assert error.stderr.startswith("Error: 没有数据库")


@pytest.fixture
def book(cli: Cli, make_csv: Callable[..., Path]) -> Cli:
    """One customer with a maturing and an overdue loan, one with no open loan."""
    customers = make_csv(
        "customers.csv",
        [
            CUSTOMER_HEADER,
            ["C1", "王建国", "13812348001", "", "粮油", "王芳", ""],
            ["C9", "赵六", "", "", "", "", ""],
        ],
    )
    loans = make_csv(
        "loans.csv",
        [
            LOAN_HEADER,
            ["L1", "C1", "100000", "2025-12-01", "2026-12-01", "信用", "正常", "", "40000", ""],
            ["L4", "C1", "20000", "2025-06-01", "2026-11-30", "信用", "逾期", "", "20000", "1"],
            ["L5", "C9", "30000", "2025-06-01", "2026-12-10", "质押", "结清", "2026-11-01", "0", ""],
        ],
    )  # fmt: skip
    assert cli("import", "customers", str(customers)).exit_code == 0
    assert cli("import", "loans", str(loans)).exit_code == 0
    return cli


@pytest.mark.parametrize(
    ("command", "zh_parts", "en_parts"),
    [
        (
            ("due",),
            ["2026-12-01 至 2026-12-31 到期贷款（30天）", "借据号", "客户名称", "贷款金额",
             "担保方式", "信用", "正常", "共 1 笔，贷款金额合计 100,000.00 元"],
            ["Loans maturing 2026-12-01 – 2026-12-31 (30 days)", "Loan", "Principal",
             "credit", "active", "1 loans, principal 100,000.00 yuan"],
        ),
        (
            ("calls",),
            ["2026-12-01 待联系客户", "序号", "分数", "原因", "建议行动", "逾期 1天 · 今日到期",
             "无贷户维护", "邀请再贷，推荐产品"],
            ["Calls for 2026-12-01", "Score", "Reasons", "Suggested action",
             "overdue 1d · matures today", "win back", "invite back; offer products"],
        ),
        (
            ("overdue",),
            ["2026-12-01 逾期贷款", "逾期天数", "客户分类", "关注", "逾期贷款 1 笔，余额合计",
             "在贷贷款按分类", "合计", "PAR30 = 逾期30天以上贷款余额"],
            ["Overdue loans on 2026-12-01", "DPD", "Borrower class", "special mention",
             "1 overdue loans, outstanding", "Open loans by class", "Total", "PAR30 = balance"],
        ),
        (
            ("noloan",),
            ["2026-12-01 无贷户", "最近结清", "累计贷款", "最差分类", "共 1 户", "未列出："],
            ["Customers with no open loan on 2026-12-01", "Last closed", "Borrowed",
             "Worst class", "1 customers", "Left out:"],
        ),
    ],
)  # fmt: skip
def test_list_titles_headers_and_summaries_follow_the_language(
    book: Cli, command: tuple[str, ...], zh_parts: list[str], en_parts: list[str]
) -> None:
    env = {"RETAIN_TTY": "1", "NO_COLOR": "1", "COLUMNS": "240"}
    zh, en = _both(book, *command, "--format", "table", env=env)
    for part in zh_parts:
        assert part in zh.stdout, part
    for part in en_parts:
        assert part in en.stdout, part
    assert not CJK.search(re.sub("王建国|赵六|王芳", "", en.stdout)), en.stdout


@pytest.mark.parametrize(
    "args", [("--no-such-option",), ("due", "--days", "many"), ("due", "--nope")]
)
def test_click_usage_errors_still_exit_2(seeded: Cli, args: tuple[str, ...]) -> None:
    zh, en = _both(seeded, *args)
    assert zh.exit_code == en.exit_code == 2
