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
    "col.days": ("Days", "天数"),
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
    "due.title": (
        "Loans maturing {start} – {end} ({days} days)",
        "{start} 至 {end} 到期贷款（{days}天）",
    ),
    "due.summary": (
        "{count} loans, principal {total} yuan",
        "共 {count} 笔，贷款金额合计 {total} 元",
    ),
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
    "error.prefix": ("Error: ", "错误："),
    # --- overdue (retain overdue) ---
    "overdue.title": ("Overdue loans on {today}", "{today} 逾期贷款"),
    "overdue.title_officer": (
        "Overdue loans on {today} — {officer}",
        "{today} 逾期贷款 — {officer}",
    ),
    "overdue.col.dpd": ("DPD", "逾期天数"),
    "overdue.col.customer_class": ("Borrower class", "客户分类"),
    "overdue.col.outstanding": ("Outstanding", "贷款余额"),
    "overdue.col.loans": ("Loans", "笔数"),
    "overdue.col.share": ("Share", "占比"),
    "overdue.col.range": ("Days past due", "逾期天数"),
    "overdue.range": ("{min}–{max}", "{min}–{max}"),
    "overdue.range_open": ("{min}+", "{min}及以上"),
    "overdue.total": ("Total", "合计"),
    "overdue.summary": (
        "{count} overdue loans, outstanding {total} yuan",
        "逾期贷款 {count} 笔，余额合计 {total} 元",
    ),
    "overdue.empty": ("No overdue loans.", "没有逾期贷款。"),
    "overdue.fallback": (
        "* no balance in the store: the principal is shown and counted",
        "* 无贷款余额数据：显示并按贷款金额计",
    ),
    "overdue.book_title": ("Open loans by class on {today}", "{today} 在贷贷款按分类"),
    "overdue.book_title_officer": (
        "Open loans by class on {today} — {officer}",
        "{today} 在贷贷款按分类 — {officer}",
    ),
    "overdue.par": (
        "PAR{days} = balance of loans more than {days} days past due ÷ balance of all open loans = {part} ÷ {total} = {share}",
        "PAR{days} = 逾期{days}天以上贷款余额 ÷ 全部在贷余额 = {part} ÷ {total} = {share}",
    ),
    "overdue.balance_note": (
        "Balance = the loan's balance, or its principal where the store has no balance; open = status active or overdue.",
        "余额 = 贷款余额，无余额数据时按贷款金额计；在贷 = 状态为正常或逾期。",
    ),
    "overdue.definition": (
        "PAR30/PAR90 = balance of open loans more than 30/90 days past due ÷ balance of all open (active or overdue) loans; balance = the loan's balance, or its principal when the store has none",
        "PAR30/PAR90 = 逾期30/90天以上在贷余额 ÷ 全部在贷（正常或逾期）余额；余额 = 贷款余额，无余额数据时按贷款金额计",
    ),
    "overdue.not_available": ("n/a (no open loans)", "无（没有在贷贷款）"),
    # --- noloan (retain noloan) ---
    "noloan.title": ("Customers with no open loan on {today}", "{today} 无贷户"),
    "noloan.title_officer": (
        "Customers with no open loan on {today} — {officer}",
        "{today} 无贷户 — {officer}",
    ),
    "noloan.col.last_closed": ("Last closed", "最近结清"),
    "noloan.col.days_since": ("Days", "天数"),
    "noloan.col.loans": ("Loans", "笔数"),
    "noloan.col.total_borrowed": ("Borrowed", "累计贷款"),
    "noloan.col.worst_class": ("Worst class", "最差分类"),
    "noloan.never": ("never borrowed", "未曾贷款"),
    "noloan.summary": ("{count} customers", "共 {count} 户"),
    "noloan.truncated": (
        "Showing the first {limit}; use --limit N or --format csv for more.",
        "仅显示前 {limit} 户；使用 --limit N 或 --format csv 查看更多。",
    ),
    "noloan.empty": ("No customers without an open loan match.", "没有符合条件的无贷户。"),
    "noloan.bad_left_out": (
        "Left out: customers with a written-off loan or a worst class of {cls} or beyond (--include-bad shows them).",
        "未列出：有核销贷款或历史最差分类达到{cls}及以下的客户（使用 --include-bad 显示）。",
    ),
    # --- config (retain config) ---
    # --- export ---
    "export.done": (
        "Exported {count} reminder(s) to {target}.",
        "已导出 {count} 条提醒到 {target}。",
    ),
    "export.calendar": ("retain reminders", "客户提醒"),
    "export.sheet": ("Reminders", "提醒"),
    "col.reminder_id": ("Reminder ID", "提醒编号"),
    "col.date": ("Date", "日期"),
    "col.reason": ("Reason", "原因"),
    "col.amount": ("Amount", "金额"),
    "col.message": ("Message", "短信内容"),
    # --- calls, log, show, history ---
    "calls.title": ("Calls for {today}", "{today} 待联系客户"),
    "calls.summary": (
        "{count} customers listed of {total} due; capacity {capacity}",
        "今日待联系 {total} 户，列出 {count} 户；每日容量 {capacity}",
    ),
    "calls.empty": ("Nobody needs a call today.", "今天没有需要联系的客户。"),
    "col.rank": ("#", "序号"),
    "col.score": ("Score", "分数"),
    "col.customer": ("Customer", "客户"),
    "col.reasons": ("Reasons", "原因"),
    "col.last_contact": ("Last contact", "上次联系"),
    "col.action": ("Suggested action", "建议行动"),
    "col.next_on": ("Next follow-up", "下次跟进"),
    "col.class": ("Class", "分类"),
    "col.days_past_due": ("Days past due", "逾期天数"),
    "col.closed_on": ("Closed", "结清日期"),
    "col.at": ("When", "时间"),
    "col.channel": ("Channel", "方式"),
    "col.outcome": ("Outcome", "结果"),
    "col.note": ("Note", "备注"),
    "col.term": ("Term", "项目"),
    "col.points": ("Points", "分值"),
    "col.rule": ("Rule", "规则"),
    "reason.overdue": ("overdue {days}d", "逾期 {days}天"),
    "reason.maturing": ("matures in {days}d", "到期 {days}天"),
    "reason.maturing_today": ("matures today", "今日到期"),
    "reason.follow_up": ("follow-up due {date}", "约定跟进 {date}"),
    "reason.post_loan_check": ("post-loan check", "贷后检查"),
    "reason.revisit": ("return visit", "回访"),
    "reason.win_back": ("win back", "无贷户维护"),
    "term.overdue": ("overdue", "逾期"),
    "term.maturing": ("maturing", "到期"),
    "term.follow_up": ("follow-up", "约定跟进"),
    "term.post_loan_check": ("post-loan check", "贷后检查"),
    "term.revisit": ("return visit", "回访"),
    "term.win_back": ("win back", "无贷户维护"),
    "action.overdue": ("call about repayment", "电话催收，了解还款安排"),
    "action.maturing": ("arrange renewal or repayment", "联系续贷或还款安排"),
    "action.follow_up": ("call back as promised", "按约回电跟进"),
    "action.post_loan_check": ("post-loan check visit", "贷后检查"),
    "action.revisit": ("return visit (secured loan)", "抵质押客户上门回访"),
    "action.win_back": ("invite back; offer products", "邀请再贷，推荐产品"),
    "rule.overdue": (
        "{base} + {per_day} × {days} days past due (at most {cap}) + {class_weight} for class {cls}",
        "{base} + {per_day} × 逾期{days}天（最多计{cap}天）+ 分类“{cls}”加{class_weight}",
    ),
    "rule.maturing": (
        "{base} + {per_day} × ({lead} − {days} days left); a maturity reminder window opened {opened} with no contact since",
        "{base} + {per_day} × （{lead} − 剩余{days}天）；{opened} 进入到期提醒窗口后未联系",
    ),
    "rule.follow_up": (
        "{base} + {per_day} × {late} days late (at most {cap}); promised for {date}",
        "{base} + {per_day} × 逾约{late}天（最多计{cap}天）；约定日期 {date}",
    ),
    "rule.post_loan_check": (
        "{base}: check due since {date} ({first} days after disbursement, then every {every})",
        "{base}：{date} 起应做贷后检查（放款后{first}天，此后每{every}天）",
    ),
    "rule.revisit": (
        "{base}: secured loan, no contact for {every}+ days",
        "{base}：抵质押贷款，{every}天以上未联系",
    ),
    "rule.win_back": (
        "{base}: last loan closed {date}; contact every {every} days for {months} months",
        "{base}：上笔贷款 {date} 结清；{months}个月内每{every}天联系一次",
    ),
    "rule.none": ("does not apply today", "今日不适用"),
    "explain.title": (
        "Why {name} ({customer_id}) scores {score}",
        "{name}（{customer_id}）得分 {score} 的构成",
    ),
    "explain.total": ("total", "合计"),
    "explain.rank": ("On today's list at rank {rank}.", "在今日名单中排第 {rank} 位。"),
    "explain.over_capacity": (
        "Rank {rank} is beyond today's capacity of {capacity}.",
        "排第 {rank} 位，超出今日容量 {capacity}。",
    ),
    "explain.quiet": (
        "Left off today: contacted {when}, within the last {days} days.",
        "今日不列入：{when} 已联系（{days}天内）。",
    ),
    "explain.nothing": (
        "Not on today's list: no rule applies today.",
        "不在今日名单：今日没有适用的联系规则。",
    ),
    "log.done": ("Logged {count} contact(s).", "已记录 {count} 次联系。"),
    "show.title": ("Customer {customer_id}", "客户 {customer_id}"),
    "show.loans": ("Loans", "贷款"),
    "show.timeline": ("Contacts", "联系记录"),
    "show.no_contacts": ("No contacts logged yet.", "尚无联系记录。"),
    "show.next": ("Next follow-up: {date}", "下次跟进：{date}"),
    "show.today": ("Today's list", "今日名单"),
    "field.segment": ("Segment", "客户分层"),
    "field.industry": ("Industry", "行业"),
    "field.id_number": ("ID number", "身份证号"),
    "field.class": ("Worst class", "最差分类"),
    "channel.call": ("call", "电话"),
    "channel.visit": ("visit", "上门"),
    "channel.sms": ("SMS", "短信"),
    "channel.wechat": ("WeChat", "微信"),
    "channel.other": ("other", "其他"),
    "outcome.reached": ("reached", "已接通"),
    "outcome.no_answer": ("no answer", "未接通"),
    "outcome.renewing": ("renewing", "同意续贷"),
    "outcome.repaying": ("repaying", "还款中"),
    "outcome.promised": ("promised", "承诺还款"),
    "outcome.declined": ("declined", "拒绝"),
    "outcome.wrong_number": ("wrong number", "空号"),
    "outcome.other": ("other", "其他"),
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
