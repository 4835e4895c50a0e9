"""Every user-facing string, in English and Chinese, in one catalogue.

Machine formats (CSV/TSV/JSON field names) stay English; tables, titles,
summaries and messages go through :func:`t`.
"""

from __future__ import annotations

import os

LANGS = ("en", "zh")

CATALOGUE: dict[str, tuple[str, str]] = {
    # column headers
    "col.loan_id": ("Loan", "借据号"),
    "col.customer_id": ("Customer ID", "客户编号"),
    "col.name": ("Name", "客户名称"),
    "col.phone": ("Phone", "手机号码"),
    "col.id_number": ("ID number", "身份证号"),
    "col.officer": ("Officer", "客户经理"),
    "col.industry": ("Industry", "行业"),
    "col.segment": ("Segment", "客户分层"),
    "col.guarantee": ("Guarantee", "担保方式"),
    "col.status": ("Status", "状态"),
    "col.principal": ("Principal", "贷款金额"),
    "col.balance": ("Balance", "贷款余额"),
    "col.disbursed_on": ("Disbursed", "放款日期"),
    "col.matures_on": ("Matures", "到期日期"),
    "col.days_left": ("Days left", "剩余天数"),
    # enum values
    "guarantee.credit": ("credit", "信用"),
    "guarantee.guarantee": ("guarantee", "保证"),
    "guarantee.mortgage": ("mortgage", "抵押"),
    "guarantee.pledge": ("pledge", "质押"),
    "status.active": ("active", "正常"),
    "status.overdue": ("overdue", "逾期"),
    "status.closed": ("closed", "结清"),
    "status.written_off": ("written off", "核销"),
    # due
    "due.title": ("Loans maturing {start} – {end} ({days} days)", "{start} 至 {end} 到期贷款（{days}天）"),
    "due.summary": ("{count} loans, principal {total} yuan", "共 {count} 笔，贷款金额合计 {total} 元"),
    "due.empty": ("No loans mature in the next {days} days.", "未来{days}天内没有到期贷款。"),
    "list.more": (
        "… {more} more not shown (use --limit or --format csv)",
        "……另有 {more} 条未显示（使用 --limit 或 --format csv）",
    ),
    # import
    "import.title": ("Import of {file} ({kind})", "导入 {file}（{kind}）"),
    "import.dry_run": ("dry run: nothing was written", "试运行：未写入任何数据"),
    "import.added": ("added", "新增"),
    "import.updated": ("updated", "更新"),
    "import.unchanged": ("unchanged", "未变"),
    "import.rejected": ("rejected", "拒绝"),
    "import.skipped": ("skipped", "跳过"),
    "import.rejects_file": ("Rejected rows written to {path}", "被拒绝的行已写入 {path}"),
    "import.reject_line": ("row {row}, {field}: {reason}", "第 {row} 行，{field}：{reason}"),
    "import.more_rejects": ("… and {more} more rejected rows", "……另有 {more} 行被拒绝"),
    "import.progress": ("Importing", "正在导入"),
    "import.customers": (
        "customers from this file: {added} added, {updated} updated",
        "本文件中的客户：新增 {added}，更新 {updated}",
    ),
    "kind.customers": ("customers", "客户"),
    "kind.loans": ("loans", "贷款"),
    # errors
    "error": ("Error", "错误"),
}


def detect_lang(option: str | None = None) -> str:
    """``--lang`` wins, then ``RETAIN_LANG``, then the locale (``zh_*`` → zh)."""
    for raw in (option, os.environ.get("RETAIN_LANG")):
        if raw:
            lang = raw.strip().lower()[:2]
            if lang in LANGS:
                return lang
    locale = os.environ.get("LC_ALL") or os.environ.get("LC_MESSAGES") or os.environ.get("LANG")
    return "zh" if locale and locale.lower().startswith("zh") else "en"


def t(key: str, lang: str, **values: object) -> str:
    en, zh = CATALOGUE[key]
    text = zh if lang == "zh" else en
    return text.format(**values) if values else text


def label(prefix: str, value: str | None, lang: str) -> str:
    """Localised label of an enum value, or the value itself when unknown."""
    if value is None:
        return ""
    entry = CATALOGUE.get(f"{prefix}.{value}")
    if entry is None:
        return value
    return entry[1] if lang == "zh" else entry[0]
