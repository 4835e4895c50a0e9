"""Chinese for every message the core raises, matched by its English form.

The core raises plain English sentences (they also go to logs and tests); the
edge shows them in the user's language through :func:`translate`. Each entry
is an English pattern — ``{name}`` stands for a variable part — and its Chinese
text using the same names. ``tests/test_i18n.py`` checks that every literal
message in the source has an entry, so a new message cannot ship untranslated.
"""

from __future__ import annotations

import re
from functools import cache

# (English pattern, Chinese). Longer, more specific patterns first.
MESSAGES: tuple[tuple[str, str], ...] = (
    # store and files
    (
        "no store at {path}: import some data first (retain import …)",
        "没有数据库 {path}：请先导入数据（retain import …）",
    ),
    (
        "store {path} was written by a newer retain (schema step {step}); upgrade retain to use it — the store was not touched",
        "数据库 {path} 由更新版本的 retain 写入（结构版本 {step}）；请升级 retain 后再使用——数据库未被改动",
    ),
    ("cannot open store {path}: {detail}", "无法打开数据库 {path}：{detail}"),
    ("cannot use store {path}: {detail}", "无法使用数据库 {path}：{detail}"),
    ("store: {detail}", "数据库错误：{detail}"),
    (
        "unexpected {name}: {detail} (a bug in retain; RETAIN_DEBUG=1 shows details)",
        "意外错误 {name}：{detail}（retain 的缺陷；设置 RETAIN_DEBUG=1 可查看详情）",
    ),
    ("no such file: {path}", "文件不存在：{path}"),
    ("no such directory: {path}", "目录不存在：{path}"),
    ("cannot open {name}: no such file", "无法打开 {name}：文件不存在"),
    ("cannot open {name}: it is a directory", "无法打开 {name}：这是一个目录"),
    ("cannot open {name}: {detail}", "无法打开 {name}：{detail}"),
    (
        "no header row found in {name}: the file has no rows",
        "{name} 中找不到表头行：文件没有任何行",
    ),
    ("no header row found in {name}: {detail}", "{name} 中找不到表头行：{detail}"),
    (
        "{name} is neither UTF-8 nor GB18030 text: {detail}",
        "{name} 既不是 UTF-8 也不是 GB18030 编码的文本：{detail}",
    ),
    (
        "{name} is a legacy Excel .xls workbook, which is not supported: {detail}",
        "{name} 是旧版 Excel .xls 文件，不支持：请另存为 .xlsx 或 .csv",
    ),
    (
        "{name}: legacy .xls is not supported: save it as .xlsx or .csv",
        "{name}：不支持旧版 .xls：请另存为 .xlsx 或 .csv",
    ),
    (
        "{name} is an Excel workbook (.xlsx), not text: {detail}",
        "{name} 是 Excel 工作簿（.xlsx），不是文本：{detail}",
    ),
    ("cannot read {name} as XLSX: {detail}", "无法按 XLSX 读取 {name}：{detail}"),
    ("cannot read {name} as {kind}: {detail}", "无法按 {kind} 读取 {name}：{detail}"),
    ("invalid JSON in {name} at line {line}: {detail}", "{name} 第 {line} 行 JSON 无效：{detail}"),
    (
        "cannot tell the format of {name}: pass --format {formats}",
        "无法判断 {name} 的格式：请使用 --format {formats}",
    ),
    (
        "cannot tell the format of {name} from its extension: {detail}",
        "无法从扩展名判断 {name} 的格式：{detail}",
    ),
    (
        "reading standard input needs --input-format csv|tsv|json|ndjson|xlsx",
        "从标准输入读取需要 --input-format csv|tsv|json|ndjson|xlsx",
    ),
    (
        "reading from stdin needs --input-format ({formats})",
        "从标准输入读取需要 --input-format（{formats}）",
    ),
    (
        "unknown input format {value}: use one of {formats}",
        "未知的输入格式 {value}：可用 {formats}",
    ),
    (
        "no input file given: name a file or pipe data into standard input",
        "未指定输入文件：请给出文件名或通过管道输入数据",
    ),
    ("mapping file {name}: {detail}", "映射文件 {name}：{detail}"),
    # dates, contacts
    ("invalid date {value}: use {forms}", "无效日期 {value}：可用 {forms}"),
    (
        "--at {value} is after today ({today}): log what happened",
        "--at {value} 晚于今天（{today}）：只能记录已发生的联系",
    ),
    ("unknown customer id(s): {ids}; nothing was logged", "未知的客户编号：{ids}；未记录任何内容"),
    ("unknown customer id: {id}", "未知的客户编号：{id}"),
    ("unknown loan {id}; nothing was logged", "未知的借据号 {id}；未记录任何内容"),
    (
        "loan {loan} belongs to customer {customer}; nothing was logged",
        "借据 {loan} 属于客户 {customer}；未记录任何内容",
    ),
    ("no customer ids given", "未给出客户编号"),
    ("unknown channel {value}: use {accepted}", "未知的联系方式 {value}：可用 {accepted}"),
    ("unknown outcome {value}: use {accepted}", "未知的联系结果 {value}：可用 {accepted}"),
    # lists and exports
    (
        "unknown guarantee {value}; expected one of {accepted}",
        "未知的担保方式 {value}；应为 {accepted} 之一",
    ),
    (
        "unknown status {value}; expected one of {accepted}",
        "未知的贷款状态 {value}；应为 {accepted} 之一",
    ),
    ("unknown reason(s) {value}: use {accepted}", "未知的原因 {value}：可用 {accepted}"),
    ("unknown class {value}: use one of {accepted}", "未知的分类 {value}：可用 {accepted}"),
    (
        "invalid period {value}: use a number of days, or Nd, Nw, Nm (e.g. 90d, 12w, 6m)",
        "无效的时间段 {value}：请用天数，或 Nd、Nw、Nm（如 90d、12w、6m）",
    ),
    (
        "--summary prints a table or JSON: use --format table, json or ndjson",
        "--summary 只输出表格或 JSON：请用 --format table、json 或 ndjson",
    ),
    (
        "--summary prints to stdout: redirect it (> summary.json)",
        "--summary 输出到标准输出：请重定向（> summary.json）",
    ),
    (
        "unknown audience {value}: use officer or customer",
        "未知的对象 {value}：可用 officer 或 customer",
    ),
    ("unknown kind(s) {value}: use {accepted}", "未知的提醒类型 {value}：可用 {accepted}"),
    ("unknown format {value}: use {accepted}", "未知的格式 {value}：可用 {accepted}"),
    ("xlsx needs --output FILE", "xlsx 格式需要 --output 文件"),
    (
        "unknown template {value}: the config has {accepted}",
        "未知的模板 {value}：配置中有 {accepted}",
    ),
    ("template {name} has no {lang} text for {reason}", "模板 {name} 没有 {reason} 的 {lang} 文本"),
    (
        "{name} starts with a UTF-8 byte-order mark but is not valid UTF-8: {detail}",
        "{name} 以 UTF-8 字节序标记开头，但不是有效的 UTF-8：{detail}",
    ),
    (
        "{name} starts with a UTF-16 byte-order mark but is not valid UTF-16: {detail}",
        "{name} 以 UTF-16 字节序标记开头，但不是有效的 UTF-16：{detail}",
    ),
    (
        '{name}: expected a JSON array of objects or an object with a "rows" array (for one object per line pass --input-format ndjson)',
        '{name}：应为 JSON 对象数组，或含 "rows" 数组的对象（每行一个对象请用 --input-format ndjson）',
    ),
    (
        "{name} line {line} (object {number}): {detail}",
        "{name} 第 {line} 行（第 {number} 个对象）：{detail}",
    ),
    ("no input file given and there is no standard input", "未指定输入文件，也没有标准输入"),
    ("unknown {what} {value}: use {accepted}", "未知的{what} {value}：可用 {accepted}"),
    # config
    ("config {path}: invalid TOML: {detail}", "配置文件 {path}：TOML 格式错误：{detail}"),
    ("config {path}: {detail}", "配置文件 {path}：{detail}"),
    ("cannot read config {path}: {detail}", "无法读取配置文件 {path}：{detail}"),
    ("unknown config key {key} (did you mean {close}?)", "未知的配置项 {key}（是否指 {close}？）"),
    ("unknown config key {key}", "未知的配置项 {key}"),
    ("cannot start editor {editor}: {detail}", "无法启动编辑器 {editor}：{detail}"),
    (
        "editor {editor} exited with {status}; the file was kept",
        "编辑器 {editor} 退出码 {status}；文件已保留",
    ),
    # import: rejected rows
    ("duplicate id: an earlier row in this file has it", "编号重复：本文件前面的行已使用"),
    (
        "customer {id} has different details on row {row} of this file",
        "客户 {id} 在本文件第 {row} 行的资料不同",
    ),
    ("no customer {id}: import it first", "没有客户 {id}：请先导入该客户"),
    ("required (or term_months)", "必填（或填写贷款期限）"),
    ("required for a closed loan", "已结清贷款必须填写"),
    ("must be at least 1 month", "至少 1 个月"),
    ("must be after disbursed_on", "必须晚于放款日期"),
    ("before disbursed_on", "早于放款日期"),
    ("after today ({today})", "晚于今天（{today}）"),
    ("must be blank for a loan that is {status}", "{status} 状态的贷款此项必须为空"),
    ("required", "必填"),
    ("15-digit (pre-1999) ID numbers are not accepted", "不接受15位（1999年前）旧身份证号"),
    ("Excel date serial out of range", "Excel 日期序号超出范围"),
    ("ID cell holds a date (converted by Excel?)", "编号单元格是日期（可能被 Excel 转换）"),
    ("ID longer than 32 characters", "编号超过 32 个字符"),
    ("ID looks mangled by Excel into scientific notation", "编号被 Excel 变成了科学计数法"),
    ("ID number birth date is before 1900", "身份证号出生日期早于1900年"),
    ("ID number birth date is in the future", "身份证号出生日期在未来"),
    ("ID number check character is wrong", "身份证号校验位错误"),
    ("ID number contains an impossible birth date", "身份证号中的出生日期不存在"),
    (
        "ID number looks mangled by Excel into scientific notation",
        "身份证号被 Excel 变成了科学计数法",
    ),
    (
        "ambiguous day/month order; set date_order in a mapping file",
        "日/月顺序不明确；请在映射文件中设置 date_order",
    ),
    ("amount must be greater than zero", "金额必须大于零"),
    ("amount above the ceiling of {limit} 元", "金额超过上限 {limit} 元"),
    ("contains control characters", "包含控制字符"),
    ("expected 17 digits", "应为17位数字"),
    ("more than 2 decimal places (below one fen)", "超过2位小数（不足一分）"),
    ("must not be negative", "不能为负数"),
    ("negative amount", "金额为负"),
    ("not a real calendar date", "日期不存在"),
    ("not a recognised date", "无法识别的日期"),
    (
        "not a valid ID (only letters, digits, _ and - are allowed)",
        "编号无效（只允许字母、数字、_ 和 -）",
    ),
    (
        "not a valid ID number (expected 17 digits and a check character)",
        "身份证号无效（应为17位数字加校验位）",
    ),
    ("not a valid amount", "金额无效"),
    ("not a valid date", "日期无效"),
    ("not a valid mobile number", "不是有效的手机号码"),
    ("not a valid rate", "利率无效"),
    ("not a whole number", "不是整数"),
    ("not a year-first date (date_order is ymd)", "不是年份在前的日期（date_order 为 ymd）"),
    ("number too large", "数字过大"),
    ("rate above 100%", "利率超过100%"),
    ("rate has too many decimal places", "利率小数位过多"),
    ("rate must not be negative", "利率不能为负"),
    (
        "scientific notation (e.g. 1E+5) is ambiguous; format the column as text",
        "科学计数法（如 1E+5）含义不明；请把该列设为文本格式",
    ),
    ("unexpected TRUE/FALSE value", "意外的 TRUE/FALSE 值"),
    ("unreadable value", "无法读取的值"),
    ("longer than {limit} characters", "超过 {limit} 个字符"),
    (
        "alias for {value} maps to unknown {what} {target}; {detail}",
        "{value} 的映射指向未知的值 {target}；{detail}",
    ),
)


@cache
def _compiled() -> tuple[tuple[re.Pattern[str], str], ...]:
    compiled = []
    for english, chinese in MESSAGES:
        parts = re.split(r"(\{\w+\})", english)
        regex = "".join(
            f"(?P<{p[1:-1]}>.+?)" if p.startswith("{") and p.endswith("}") else re.escape(p)
            for p in parts
        )
        compiled.append((re.compile(f"^{regex}$", re.S), chinese))
    return tuple(compiled)


def translate(text: str, lang: str) -> str:
    """``text`` in ``lang``: Chinese when a pattern matches, else as it is.

    Rejected rows can carry several faults joined by "; " (each may start with
    its field, "phone: …"), so each part is tried on its own when the whole is not.
    """
    if lang != "zh" or not text:
        return text
    whole = _one(text)
    if whole is not None:
        return whole
    parts = text.split("; ")
    if len(parts) > 1:
        return "；".join(_one(p) or _field_part(p) for p in parts)
    return _field_part(text)


def _field_part(text: str) -> str:
    field, sep, rest = text.partition(": ")
    if sep:
        translated = _one(rest)
        if translated is not None:
            return f"{field}：{translated}"
    return text


def _one(text: str) -> str | None:
    for pattern, chinese in _compiled():
        match = pattern.match(text)
        if match:
            return chinese.format(**match.groupdict())
    return None
