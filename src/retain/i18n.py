"""Every user-facing string, in English and Chinese, in one catalogue.

Machine formats (CSV/TSV/JSON field names) stay English; tables, titles,
summaries and messages go through :func:`t`.
"""

from __future__ import annotations

import os
import re
import string
from dataclasses import dataclass, field
from functools import cache

LANGS = ("en", "zh")

CATALOGUE: dict[str, tuple[str, str]] = {
    # groups (类群)
    "group.kind.market": ("market", "市场"),
    "group.kind.association": ("association", "协会"),
    "group.kind.supply_chain": ("supply chain", "供应链"),
    "group.kind.village": ("village", "村"),
    "group.kind.employer": ("employer", "单位"),
    "group.kind.other": ("other", "其他"),
    "group.added": ("Group {name} ({kind}) added.", "已新建类群 {name}（{kind}）。"),
    "group.joined": (
        "{count} joined ({already} already members).",
        "新加入 {count} 个（{already} 个原已在群内）。",
    ),
    "group.left": ("{count} left the group.", "{count} 个已移出类群。"),
    "group.col.name": ("Group", "类群"),
    "group.col.kind": ("Kind", "类型"),
    "group.col.customers": ("Customers", "客户数"),
    "group.col.prospects": ("Prospects", "潜在客户数"),
    "group.col.member": ("Member", "成员"),
    "group.col.arrears": ("Past due", "逾期余额"),
    "group.col.stage": ("Stage", "阶段"),
    "group.col.joined_on": ("Joined", "加入日期"),
    "group.list_title": ("Groups", "类群"),
    "group.list_empty": (
        "No groups yet: retain group add NAME.",
        "尚无类群：retain group add 名称。",
    ),
    "group.show_title": ("Group {name} ({kind})", "类群 {name}（{kind}）"),
    "group.show_summary": (
        "{customers} customers, balance {balance} yuan, past due {arrears} yuan;"
        " {prospects} prospects",
        "客户 {customers} 户，贷款余额 {balance} 元，逾期余额 {arrears} 元；潜在客户 {prospects} 个",
    ),
    "group.imported": (
        "Groups: {joined} customers joined; new groups (kind other): {created}",
        "类群：{joined} 位客户加入；新建类群（类型\u201c其他\u201d）：{created}",
    ),
    "error.config.season_who": (
        "season {name}: give one of industry or group",
        "季节 {name}：industry 与 group 须且只须给一个",
    ),
    "error.config.season_date": (
        "season {name}: date {value} is not MM-DD or a festival with an offset"
        " (spring festival -45)",
        "季节 {name}：日期 {value} 不是 MM-DD，也不是带偏移的春节/中秋/端午（如 春节 -45）",
    ),
    "error.config.season_message": (
        "season {name}: message {value} is not a valid template ({problem})",
        "季节 {name}：短信模板 {value} 无效（{problem}）",
    ),
    "season.title": (
        "Seasonal campaigns from {today}, {weeks} weeks ahead",
        "{today} 起 {weeks} 周内的季节性营销",
    ),
    "season.col.season": ("Season", "季节"),
    "season.col.date": ("Date", "日期"),
    "season.col.matures": ("Matures (before the season?)", "到期（早于该季？）"),
    "season.col.room": ("Top-up room", "可增额度"),
    "season.yes": ("before", "早于"),
    "season.summary": ("{campaigns} campaigns, {count} rows", "共 {campaigns} 个活动，{count} 行"),
    "season.none": (
        "No season in the next {weeks} weeks ([[seasons]] in the config).",
        "未来 {weeks} 周没有季节性活动（见设置中的 [[seasons]]）。",
    ),
    "error.group.empty_name": ("a group needs a name", "类群名称不能为空"),
    "error.group.bad_kind": (
        "unknown group kind {value}: use {kinds}",
        "未知的类群类型 {value}：可用 {kinds}",
    ),
    "error.group.exists": ("group {name} exists already", "类群 {name} 已存在"),
    "error.group.unknown": (
        "no group {name} (retain group list)",
        "没有类群 {name}（见 retain group list）",
    ),
    "error.group.unknown_member": (
        "{id} is neither a customer nor a prospect: nothing was changed",
        "{id} 既不是客户也不是潜在客户：未做任何更改",
    ),
    "error.group.no_members": ("no ids given", "未提供编号"),
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
    "col.customer_class": ("Borrower class", "客户分类"),
    "col.last_closed_on": ("Last closed", "最近结清日期"),
    "col.days_since": ("Days since", "结清天数"),
    "col.loans": ("Loans", "贷款笔数"),
    "col.total_borrowed": ("Borrowed", "累计贷款金额"),
    "col.worst_class": ("Worst class", "最差分类"),
    "col.term_points": ("{term} points", "{term}得分"),
    "col.birthday": ("Birthday", "生日"),
    "col.data_as_of": ("Data as of", "数据截至"),
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
    "due.instalments_title": (
        "Instalments and maturities due {start} – {end} ({days} days)",
        "{start} 至 {end} 应还分期及到期贷款（{days}天）",
    ),
    "due.instalments_summary": (
        "{count} due, {total} yuan still owed",
        "共 {count} 笔，尚欠合计 {total} 元",
    ),
    "due.instalments_empty": (
        "No instalments or loans fall due in the next {days} days.",
        "未来{days}天内没有应还分期或到期贷款。",
    ),
    "due.maturity": ("maturity", "到期"),
    "col.due_on": ("Due", "应还日期"),
    "col.paid_on": ("Paid on", "实还日期"),
    "col.paid": ("Paid", "实还金额"),
    "col.state": ("State", "状态"),
    "show.schedule": ("Schedule of {loan_id}", "{loan_id} 还款计划"),
    "schedule.paid": ("paid", "已还"),
    "schedule.late": ("paid late", "逾期后还"),
    "schedule.unpaid": ("unpaid", "未还"),
    "schedule.overdue": ("overdue", "逾期未还"),
    "col.period": ("Period", "期数"),
    "col.amount_due": ("Amount due", "应还金额"),
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
    "import.reject_line_many": ("row {row}: {reason}", "第 {row} 行：{reason}"),
    "import.more_rejects": ("… and {more} more rejected rows", "……另有 {more} 行被拒绝"),
    "import.progress": ("Importing", "正在导入"),
    "import.progress_rows": ("{{task.completed:,}} rows", "{{task.completed:,}} 行"),
    "import.customers": (
        "customers from this file: {added} added, {updated} updated",
        "本文件中的客户：新增 {added}，更新 {updated}",
    ),
    "kind.customers": ("customers", "客户"),
    "kind.loans": ("loans", "贷款"),
    "kind.schedule": ("repayment schedule", "还款计划"),
    "kind.guarantors": ("guarantors", "担保人"),
    "kind.prospects": ("prospects", "潜在客户"),
    "kind.holdings": ("holdings", "产品持有"),
    "product.deposit": ("deposit", "活期"),
    "product.term_deposit": ("term deposit", "定期"),
    "product.card": ("debit card", "借记卡"),
    "product.credit_card": ("credit card", "信用卡"),
    "product.wealth": ("wealth product", "理财"),
    "product.insurance": ("insurance", "保险"),
    "product.payroll": ("payroll", "代发工资"),
    "product.mobile_banking": ("mobile banking", "手机银行"),
    "product.other": ("other", "其他"),
    "error.coverage.no_tiers": (
        "customer tiers are not configured: add [[tiers]] rules to the config"
        " (README, Tiers), or use --by industry or --by officer",
        "尚未配置客户分层：请在配置中加上 [[tiers]] 规则（见 README 的 Tiers 一节），"
        "或用 --by industry 或 --by officer",
    ),
    "coverage.title": ("Product coverage on {date}", "{date} 产品覆盖度"),
    "coverage.total": ("all customers", "全部客户"),
    "coverage.none": ("(none)", "（未填）"),
    "coverage.col.by_industry": ("Industry", "行业"),
    "coverage.col.by_officer": ("Officer", "客户经理"),
    "coverage.col.by_tier": ("Tier", "分层"),
    "coverage.col.customers": ("Customers", "客户数"),
    "coverage.col.p0": ("0 products", "0 个产品"),
    "coverage.col.p1": ("1", "1 个"),
    "coverage.col.p2": ("2", "2 个"),
    "coverage.col.p3": ("3+", "3 个以上"),
    "coverage.col.average": ("Average", "人均"),
    "coverage.col.aum": ("AUM", "金融资产"),
    "coverage.col.good": ("Good", "优质客户"),
    "coverage.col.gaps": ("Gaps", "缺口"),
    "coverage.col.customer_id": ("Customer", "客户编号"),
    "coverage.col.name": ("Name", "姓名"),
    "coverage.col.officer": ("Officer", "客户经理"),
    "coverage.col.industry": ("Industry", "行业"),
    "coverage.col.held": ("Holds", "已持有"),
    "coverage.col.suggested": ("Suggest", "建议产品"),
    "coverage.col.peers": ("Peers holding", "同业持有率"),
    "coverage.gaps_title": (
        "Cross-sell gaps: {count} good customers",
        "交叉营销缺口：{count} 位优质客户",
    ),
    "coverage.gaps_footer": (
        "a gap: a good customer lacking a product more than {share} of their industry hold",
        "缺口：优质客户缺少同行业超过 {share} 的客户持有的产品",
    ),
    "coverage.more": (
        "showing {shown} of {total} (--limit)",
        "显示 {total} 位中的 {shown} 位（--limit）",
    ),
    "coverage.no_gaps": (
        "No cross-sell gaps: no good customer lacks a product more than {share} of their industry hold.",
        "没有交叉营销缺口：没有优质客户缺少同行业超过 {share} 的客户持有的产品。",
    ),
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
    "overdue.since": (
        "Since the snapshot of {day}: balance {balance} yuan, PAR30 {par30}, PAR90 {par90}",
        "与 {day} 的快照相比：余额 {balance} 元，PAR30 {par30}，PAR90 {par90}",
    ),
    "overdue.no_previous": (
        "No earlier snapshot to compare with (each loans import records one).",
        "没有更早的快照可比较（每次导入贷款都会记录一份）。",
    ),
    "overdue.points": ("{sign}{points} pp", "{sign}{points} 个百分点"),
    # --- trend (retain trend) ---
    "trend.title": (
        "Book by week, {weeks} weeks to {today} — {metric}",
        "截至 {today} 的 {weeks} 周在贷走势 — {metric}",
    ),
    "trend.title_officer": ("{title} — {officer}", "{title} — {officer}"),
    "trend.col.week": ("Week", "周"),
    "trend.col.day": ("Snapshot", "快照日"),
    "trend.col.customers": ("Customers", "客户数"),
    "trend.col.loans": ("Loans", "在贷笔数"),
    "trend.col.overdue": ("Overdue", "逾期余额"),
    "trend.col.noloan": ("No loan", "无贷户"),
    "trend.metric.balance": ("balance", "在贷余额"),
    "trend.metric.par30": ("PAR30", "PAR30"),
    "trend.metric.par90": ("PAR90", "PAR90"),
    "trend.metric.overdue": ("overdue balance", "逾期余额"),
    "trend.metric.customers": ("customers", "客户数"),
    "trend.metric.loans": ("open loans", "在贷笔数"),
    "trend.metric.noloan": ("no-loan customers", "无贷户数"),
    "trend.none": ("n/a", "无"),
    "trend.empty": (
        "No snapshots in these weeks: each loans import records one.",
        "这几周没有快照：每次导入贷款都会记录一份。",
    ),
    "trend.spark": ("{metric}: {first} {spark} {last}", "{metric}：{first} {spark} {last}"),
    "trend.definition": (
        "One row per week: its latest snapshot (taken by each loans import, as of its as-of day). Overdue = balance of open loans past due or imported as overdue; PAR30/PAR90 = balance more than 30/90 days past due ÷ balance; no loan = customers with no open loan.",
        "每周一行：该周最后一份快照（每次导入贷款时按其数据日期记录）。逾期余额 = 已逾期或以逾期状态导入的在贷余额；PAR30/PAR90 = 逾期30/90天以上余额 ÷ 在贷余额；无贷户 = 没有在贷贷款的客户。",
    ),
    # --- activity (retain activity: officers against their quotas) ---
    "activity.title": (
        "Activity {period} ({first} – {last})",
        "{period} 工作量（{first} 至 {last}）",
    ),
    "activity.title_officer": ("{title} — {officer}", "{title} — {officer}"),
    "activity.no_officer": ("(no officer)", "（无客户经理）"),
    "activity.measure.contacts": ("Contacts", "联系次数"),
    "activity.measure.customers_reached": ("Reached", "联系到的客户"),
    "activity.measure.calls": ("Calls", "电话"),
    "activity.measure.visits": ("Visits", "上门"),
    "activity.measure.new_prospects": ("New prospects", "新潜在客户"),
    "activity.measure.prospects_converted": ("Converted", "转化放款"),
    "activity.measure.new_customers": ("New customers", "新客户"),
    "activity.measure.renewals": ("Renewals", "续贷"),
    "activity.measure.win_backs": ("Win-backs", "挽回"),
    "activity.measure.promises_kept": ("Promises kept", "承诺兑现"),
    "activity.measure.promises_broken": ("Promises broken", "承诺违约"),
    "activity.measure.missed": ("Missed", "漏联系"),
    "activity.met": ("✓", "✓"),
    "activity.not_met": ("✗", "✗"),
    "activity.against": (
        "{done}/{quota} {mark} {share}",
        "{done}/{quota} {mark} {share}",
    ),
    "activity.channels": ("By channel: {items}", "按方式：{items}"),
    "activity.outcomes": ("By outcome: {items}", "按结果：{items}"),
    "activity.nothing": ("nothing logged", "没有记录"),
    "activity.chart": ("{officer}: against quota", "{officer}：指标完成情况"),
    "activity.no_quota": (
        "No quotas set: [quota] in the config (retain config edit).",
        "未设置指标：见设置中的 [quota]（retain config edit）。",
    ),
    "activity.missed_title": (
        "Due contacts not made: loans that matured with no contact in the {lead} days before",
        "应联系而未联系：到期前 {lead} 天内没有联系的到期贷款",
    ),
    "activity.missed_none": (
        "No due contact was missed: every loan that matured had a contact in the {lead} days before.",
        "没有漏联系：每笔到期贷款在到期前 {lead} 天内都有联系。",
    ),
    "activity.missed_more": (
        "… and {count} more (--format json lists them all)",
        "……另有 {count} 笔（--format json 列出全部）",
    ),
    "activity.col.measure": ("Measure", "指标"),
    "activity.col.matured": ("Matured", "到期日"),
    "activity.col.last_contact": ("Last contact", "最近联系"),
    "activity.definition": (
        "Calls and visits count every one logged (unanswered ones too); reached = customers with a real contact; new customers = first loans; renewal = a loan within {grace} days of a close; win-back = a loan to a customer with no loan for longer; weekly quotas scale to a month by days/7.",
        "电话和上门按登记次数计（含未接通）；联系到的客户 = 有实际联系的客户数；新客户 = 首笔贷款；续贷 = 结清后 {grace} 天内的新贷款；挽回 = 结清超过该天数且无在贷的客户再次借款；按月统计时周指标按天数/7 折算。",
    ),
    "activity.streak_title": (
        "Visit streaks: consecutive weeks at quota, up to {period}",
        "上门连续达标：截至 {period} 连续达到指标的周数",
    ),
    "activity.col.quota": ("Visits/week", "每周上门指标"),
    "activity.col.weeks": ("Weeks", "连续周数"),
    "activity.col.since": ("Since", "起始周"),
    "activity.col.this_week": ("This week", "本周"),
    "activity.streak_none": (
        "No officer has a visit quota: quota.visits_per_week in the config.",
        "没有客户经理设置上门指标：见设置中的 quota.visits_per_week。",
    ),
    "activity.streak_note": (
        "A week still running counts once its quota is met; until then the streak ends the week before.",
        "本周达标后才计入；未达标前连续周数截至上一周。",
    ),
    "error.activity.bad_week": (
        "--week {value}: write an ISO week as YYYY-Www, e.g. 2026-W48",
        "--week {value}：ISO 周请写作 YYYY-Www，例如 2026-W48",
    ),
    "error.activity.no_such_week": (
        "--week {value}: {year} has {weeks} ISO weeks",
        "--week {value}：{year} 年只有 {weeks} 个 ISO 周",
    ),
    "error.activity.bad_month": (
        "--month {value}: write a month as YYYY-MM, e.g. 2026-11",
        "--month {value}：月份请写作 YYYY-MM，例如 2026-11",
    ),
    "error.activity.week_and_month": (
        "give --week or --month, not both",
        "--week 与 --month 只能给一个",
    ),
    "error.activity.streak_month": (
        "--streak counts weeks: give --week (the last week) or nothing, not --month",
        "--streak 按周计算：可给 --week（截至哪一周）或不给，不能用 --month",
    ),
    "error.config.quota_repeat": (
        "quota.officers lists {names} more than once",
        "quota.officers 中 {names} 出现了不止一次",
    ),
    # --- pipeline (retain pipeline: prospects by channel and officer) ---
    "pipeline.title": ("Prospecting pipeline, {window}", "获客漏斗，{window}"),
    "pipeline.window": ("entered {start} – {end}", "{start} 至 {end} 录入"),
    "pipeline.window_all": ("entered up to {end}", "截至 {end} 录入"),
    "pipeline.none": ("—", "—"),
    "pipeline.total": ("Total", "合计"),
    "pipeline.empty": ("No prospects entered in this window.", "该期间没有录入潜在客户。"),
    "pipeline.col.channel": ("Channel", "渠道"),
    "pipeline.col.entered": ("Entered", "录入"),
    "pipeline.col.lost": ("Lost", "流失"),
    "pipeline.col.conversion": ("Conversion", "转化率"),
    "pipeline.col.median_days": ("Median days", "放款天数中位数"),
    "pipeline.col.disbursed_amount": ("Disbursed", "放款金额"),
    "pipeline.channel.referral": ("referral", "转介绍"),
    "pipeline.channel.supply_chain": ("supply chain", "供应链"),
    "pipeline.channel.circle": ("circle", "圈层"),
    "pipeline.channel.alliance": ("alliance", "联盟"),
    "pipeline.channel.walk_in": ("walk-in", "自然到访"),
    "pipeline.channel.other": ("other", "其他"),
    "pipeline.stage.new": ("New", "新录入"),
    "pipeline.stage.contacted": ("Contacted", "已联系"),
    "pipeline.stage.applied": ("Applied", "已申请"),
    "pipeline.stage.approved": ("Approved", "已审批"),
    "pipeline.stage.disbursed": ("Disbursed", "已放款"),
    "pipeline.lost.no_need": ("no need", "无需求"),
    "pipeline.lost.rate": ("rate", "利率"),
    "pipeline.lost.declined_by_us": ("declined by us", "我方拒绝"),
    "pipeline.lost.competitor": ("competitor", "同业竞争"),
    "pipeline.lost.unreachable": ("unreachable", "联系不上"),
    "pipeline.lost.other": ("other", "其他"),
    "pipeline.funnel": ("Funnel (share of the prospects entered):", "漏斗（占录入人数的比例）："),
    "pipeline.lost_part": ("{reason} {count}", "{reason} {count}"),
    "pipeline.lost_line": ("Lost: {count} ({reasons})", "流失：{count}（{reasons}）"),
    "pipeline.definition": (
        "Reached a stage = that stage or a later one is in its history (lost ones count where they got to). Conversion = disbursed ÷ entered. Disbursed = principal of the linked customer's loans disbursed on or after the prospect's entry; balance = what the open ones owe today.",
        "到达某阶段 = 阶段记录中有该阶段或其后的阶段（流失的按其到达的阶段计）。转化率 = 已放款 ÷ 录入。放款金额 = 关联客户在录入当天及之后发放的贷款本金；余额 = 其中在贷贷款今天的余额。",
    ),
    "error.pipeline.range": (
        "--from {start} is after --to {end}",
        "--from {start} 晚于 --to {end}",
    ),
    # --- referrals (retain referrals, and the show card's line) ---
    "referrals.forgotten": ("(forgotten)", "（已删除个人信息）"),
    "referrals.lost": ("lost: {reason}", "流失：{reason}"),
    "referrals.became": ("now customer {customer_id}", "已成为客户 {customer_id}"),
    "referrals.money": (
        "disbursed {disbursed}, balance {balance}",
        "放款 {disbursed}，余额 {balance}",
    ),
    "referrals.need": ("needs {need}", "需求 {need}"),
    "referrals.none": ("No referrals yet.", "还没有转介绍。"),
    "referrals.summary": (
        "{count} referred in all ({direct} directly), {converted} converted, balance {balance}",
        "共转介绍 {count} 人（直接 {direct} 人），已放款 {converted} 人，余额 {balance}",
    ),
    "referrals.top_title": ("Top referrers", "转介绍排行"),
    "referrals.col.referred": ("Referred", "介绍人数"),
    "referrals.col.converted": ("Converted", "已放款"),
    "referrals.no_referrers": ("No customer has referred anyone yet.", "还没有客户转介绍过别人。"),
    "show.referrals": ("Referrals", "转介绍"),
    "show.referrals_value": (
        "{referred} referred, {converted} converted, balance {balance}",
        "介绍 {referred} 人，已放款 {converted} 人，余额 {balance}",
    ),
    # --- report (retain report: the monthly review page) ---
    "report.title": ("Monthly review {month}", "{month} 月度回顾"),
    "report.title_officer": ("{title} — {officer}", "{title} — {officer}"),
    "report.subtitle": (
        "Made on {today} by retain; loan data as of {day}. Phones are masked; no ID numbers.",
        "retain 于 {today} 生成；贷款数据截至 {day}。手机号已隐藏，不含身份证号。",
    ),
    "report.none": ("n/a", "无"),
    "report.card.balance": ("Open balance", "在贷余额"),
    "report.card.contacts": ("Contacts this month", "本月联系"),
    "report.card.winbacks": ("Win-backs this month", "本月挽回"),
    "report.card.maturing": ("Maturing in {month}", "{month} 到期"),
    "report.runoff_title": (
        "Runoff: what matures in the next 12 months",
        "业绩断层：未来 12 个月到期情况",
    ),
    "report.runoff_note": (
        "The same figures as retain runoff on the same day (its months: the first one starts today). Definitions:",
        "与同一天的 retain runoff 数字一致（月份同它：第一个月从今天算起）。口径：",
    ),
    "report.card.cliff": ("The cliff", "业绩断层"),
    "report.card.retention": ("Retention rate {month}", "{month} 留存率"),
    "report.card.dropout": ("Dropout rate {month}", "{month} 流失率"),
    "report.retention_title": ("Retention in {month}", "{month} 客户留存"),
    "report.retention_note": (
        "The same figures as retain retention --period month for {month} (customers are counted, not loans). Definitions:",
        "与 retain retention --period month 的 {month} 数字一致（按客户计，不按贷款计）。口径：",
    ),
    "report.col.figure": ("Figure", "指标"),
    "report.col.value": ("Value", "数值"),
    "report.ret.active_start": ("Borrowers at start", "期初借款户"),
    "report.ret.active_end": ("Borrowers at end", "期末借款户"),
    "report.ret.new_borrowers": ("New borrowers", "新增借款户"),
    "report.ret.retention_rate": ("Retention rate", "留存率"),
    "report.ret.closed": ("Customers whose loan closed", "贷款结清的客户"),
    "report.ret.dropouts": ("… of them dropped out", "其中流失"),
    "report.ret.dropout_rate": ("Dropout rate", "流失率"),
    "report.ret.closers": ("Customers who closed a loan, to date", "截至期末结清过贷款的客户"),
    "report.ret.repeaters": ("… of them with two or more loans", "其中有两笔及以上贷款"),
    "report.ret.repeat_rate": ("Repeat-borrowing rate", "复贷率"),
    "report.ret.noloan_start": ("No-loan customers (无贷户) at start", "期初无贷户"),
    "report.ret.noloan_end": ("No-loan customers (无贷户) at end", "期末无贷户"),
    "report.ret.won_back": ("Won back", "挽回"),
    "report.par_title": ("Portfolio at risk, week by week", "风险贷款（PAR）周走势"),
    "report.par_empty": (
        "No snapshots in these 12 months yet: each loans import records one.",
        "这 12 个月还没有快照：每次导入贷款都会记录一份。",
    ),
    "report.par_note": (
        "The latest snapshot of each week in the 12 months to today; PAR30/PAR90 = balance more than 30/90 days past due ÷ open balance.",
        "截至今天 12 个月内每周最后一份快照；PAR30/PAR90 = 逾期 30/90 天以上余额 ÷ 在贷余额。",
    ),
    "report.arrears_title": ("Arrears by class on {day}", "{day} 五级分类"),
    "report.renew_title_month": (
        "Top customers to renew in {month}",
        "{month} 重点续贷客户",
    ),
    "report.activity_title": (
        "Activity in {month} against quotas",
        "{month} 工作量与指标",
    ),
    "report.activity_none": (
        "No quotas set: [quota] in the config.",
        "未设置指标：见设置中的 [quota]。",
    ),
    "report.activity_note": (
        "The figures of retain activity --month: weekly quotas scaled by days/7; calls and visits count every one logged.",
        "与 retain activity --month 相同：周指标按天数/7 折算；电话和上门按登记次数计。",
    ),
    "report.col.done": ("Done", "完成"),
    "report.col.quota": ("Quota", "指标"),
    "report.col.met": ("Met", "达标"),
    "report.contacts_title": ("Contacts in {month}", "{month} 联系情况"),
    "report.contacts_line": (
        "{total} contacts and attempts with {customers} customers.",
        "共联系（含未接通）{total} 次，涉及 {customers} 位客户。",
    ),
    "report.winback_title": ("Win-backs in {month}: {count}", "{month} 挽回客户：{count} 位"),
    "report.winback_note": (
        "A win-back is a loan disbursed in the month to a customer who had borrowed before and had no open loan on the day before it.",
        "挽回 = 当月放款给以前借过款、且放款前一天没有在贷贷款的客户。",
    ),
    "report.renew_empty": ("No loans mature that month.", "该月没有到期贷款。"),
    "report.renew_note": (
        "Customers whose open loans mature in the month after the review (today's month for an older review), most balance first (at most 10); customers with an open loan at or beyond arrears.bad_from are left out.",
        "回顾月份的下一个月（较早的月份则为本月）有在贷贷款到期的客户，按到期余额从大到小（最多 10 位）；有贷款达到 arrears.bad_from 分类的客户不列出。",
    ),
    "report.footer": (
        "Made by retain report. Figures are read from the local store; the PAR trend from the snapshots each loans import records.",
        "由 retain report 生成。数据来自本地数据库；PAR 走势来自每次导入贷款时记录的快照。",
    ),
    "report.col.month": ("Month", "月份"),
    "report.col.customers": ("Customers", "客户数"),
    "report.col.maturing": ("Maturing", "到期余额"),
    "report.col.share": ("Share", "占比"),
    "report.col.outcome": ("Outcome", "联系结果"),
    "report.col.count": ("Count", "次数"),
    "report.written": ("Wrote {path}", "已写入 {path}"),
    "error.report.month": (
        "--month {value}: give a month as YYYY-MM (2026-11), not after today's month",
        "--month {value}：请写成 YYYY-MM（如 2026-11），且不晚于本月",
    ),
    # --- noloan (retain noloan) ---
    # runoff
    "runoff.title": (
        "Runoff from {today}: balance today {balance} yuan",
        "{today} 起的到期阶梯：今日余额 {balance} 元",
    ),
    "runoff.title_officer": (
        "Runoff of {officer} from {today}: balance today {balance} yuan",
        "{officer} {today} 起的到期阶梯：今日余额 {balance} 元",
    ),
    "runoff.group_title": (
        "{group}: balance today {balance} yuan",
        "{group}：今日余额 {balance} 元",
    ),
    "birthdays.title": (
        "Birthdays from {today}, {days} days ahead",
        "{today} 起 {days} 天内过生日的客户",
    ),
    "birthdays.count": ("{count} customers", "共 {count} 位客户"),
    "tiers.title": ("Customer tiers on {today}", "客户分层（{today}）"),
    "tiers.none": ("(no tier)", "（未分层）"),
    "tiers.no_rules": (
        "No tiers are configured: add [[tiers]] rules to the config (README, Tiers).",
        "尚未配置客户分层：请在配置文件中添加 [[tiers]] 规则（见 README 的 Tiers 一节）。",
    ),
    "tiers.col.tier": ("Tier", "分层"),
    "tiers.col.customers": ("Customers", "客户数"),
    "tiers.col.share": ("Share", "占比"),
    "tiers.col.balance": ("Balance", "贷款余额"),
    "tiers.col.every": ("Contact every (days)", "联系周期（天）"),
    "tiers.good_title": (
        "Share of good customers (tier {tiers}) per industry:",
        "各行业优质客户占比（分层 {tiers}）：",
    ),
    "tiers.good_line": ("{good} of {customers}", "{customers} 户中 {good} 户"),
    "runoff.no_group": ("(none)", "（未填）"),
    "runoff.col.month": ("Month", "月份"),
    "runoff.col.loans": ("Loans", "到期笔数"),
    "runoff.col.customers": ("Customers", "到期户数"),
    "runoff.col.maturing": ("Maturing", "到期余额"),
    "runoff.col.remaining": ("Remaining", "月末剩余"),
    "runoff.col.share": ("Share", "占今日"),
    "runoff.col.renewals": ("Renewals", "预计续贷"),
    "runoff.col.forecast": ("Forecast", "预测余额"),
    "runoff.col.gap": ("Gap", "当月缺口"),
    "runoff.col.cumulative_gap": ("Cum. gap", "累计缺口"),
    "runoff.col.closed": ("Closed", "结清户数"),
    "runoff.col.renewed": ("Renewed", "续贷户数"),
    "runoff.col.rate": ("Rate", "续贷率"),
    "runoff.col.size_ratio": ("Size ratio", "金额比"),
    "runoff.cliff_mark": ("◀ the cliff", "◀ 断层"),
    "runoff.target": ("Target balance: {target} yuan", "目标余额：{target} 元"),
    "runoff.cliff": (
        "The cliff: {month}, the first month whose forecast is below {share} of today's balance",
        "断层：{month}，预测余额首次低于今日余额的 {share}",
    ),
    "runoff.no_cliff": (
        "No cliff in the next {months} months: the forecast stays at or above {share} of today's balance",
        "未来 {months} 个月没有断层：预测余额不低于今日余额的 {share}",
    ),
    "runoff.measured": (
        "Renewal rate {rate} ({renewed} of {closed} customers whose loan closed in the last 12 months took a new loan within {grace} days); size ratio {ratio}",
        "续贷率 {rate}（最近 12 个月贷款结清的 {closed} 户中，{renewed} 户在 {grace} 天内获得新贷款）；续贷金额比 {ratio}",
    ),
    "runoff.no_history": (
        "No loan closed in the last 12 months (grace {grace} days): no renewals are expected",
        "最近 12 个月没有结清的贷款（宽限 {grace} 天）：不预计续贷",
    ),
    "runoff.renewals_title": ("Renewals measured per officer", "各客户经理的续贷情况"),
    "runoff.definitions": ("Definitions:", "口径："),
    "runoff.chart_title": ("Balance by month-end", "各月末余额"),
    "runoff.chart.remaining": ("remaining if nothing is renewed", "不续贷时剩余"),
    "runoff.chart.renewals": ("expected renewals", "预计续贷"),
    "runoff.chart.target": ("target", "目标"),
    "runoff.def.loans": (
        "loans = open loans whose maturity date falls in the month (the first month starts today)",
        "到期笔数 = 到期日在该月的在贷贷款笔数（第一个月从今天算起）",
    ),
    "runoff.def.customers": (
        "customers = their borrowers, each counted once",
        "到期户数 = 这些贷款的借款人，每户只计一次",
    ),
    "runoff.def.maturing": (
        "maturing = unpaid principal of the instalments due in the month (loans with a schedule) + balance of the other loans maturing in the month",
        "到期余额 = 当月应还各期未还本金（有还款计划的贷款）+ 其他当月到期贷款的余额",
    ),
    "runoff.def.remaining": (
        "remaining = today's balance − maturing of this and earlier months (nothing renewed)",
        "月末剩余 = 今日余额 − 本月及之前各月到期余额（不续贷）",
    ),
    "runoff.def.share": ("share = remaining ÷ today's balance", "占今日 = 月末剩余 ÷ 今日余额"),
    "runoff.def.renewal_rate": (
        "renewal rate = customers whose loan closed in the last 12 months and who took a new loan within {grace} days ÷ customers whose loan closed (written-off excluded; a close still within its {grace} days without a new loan is not counted yet)",
        "续贷率 = 最近 12 个月贷款结清且 {grace} 天内获得新贷款的客户 ÷ 贷款结清的客户（不含核销；结清未满 {grace} 天且尚无新贷款的暂不计入）",
    ),
    "runoff.def.renewal_size_ratio": (
        "size ratio = principal of the renewing loans ÷ principal of the loans they renewed",
        "续贷金额比 = 续贷新贷款的金额合计 ÷ 被续贷的原贷款金额合计",
    ),
    "runoff.def.renewals": (
        "renewals = renewal rate × size ratio × maturing (each officer's own figures in a per-officer ladder)",
        "预计续贷 = 续贷率 × 续贷金额比 × 到期余额（按客户经理分列时用各自的数字）",
    ),
    "runoff.def.forecast": (
        "forecast = remaining + renewals of this and earlier months",
        "预测余额 = 月末剩余 + 本月及之前各月的预计续贷",
    ),
    "runoff.def.target": (
        "target = --target-balance, else today's balance",
        "目标余额 = --target-balance，未指定时为今日余额",
    ),
    "runoff.def.cumulative_gap": (
        "cumulative gap = max(0, target − forecast): new lending needed by the month's end",
        "累计缺口 = max(0, 目标余额 − 预测余额)：到月末需要的新增放款",
    ),
    "runoff.def.gap": (
        "gap = cumulative gap − the previous month's (before the first month: max(0, target − today's balance)): new lending needed in the month",
        "当月缺口 = 累计缺口 − 上月累计缺口（第一个月之前为 max(0, 目标余额 − 今日余额)）：当月需要的新增放款",
    ),
    "runoff.def.cliff": (
        "the cliff = the first month whose forecast < {cliff} × today's balance (retention.cliff_share)",
        "断层 = 预测余额首次 < 今日余额 × {cliff} 的月份（retention.cliff_share）",
    ),
    # retention
    "retention.title": ("Client retention (as of {today})", "客户留存（截至 {today}）"),
    "retention.title_officer": ("Client retention: {officer}", "客户留存：{officer}"),
    "retention.col.period": ("Period", "期间"),
    "retention.col.active_start": ("Borrowers at start", "期初借款户"),
    "retention.col.active_end": ("at end", "期末借款户"),
    "retention.col.new": ("New", "新增借款户"),
    "retention.col.retention": ("Retention", "留存率"),
    "retention.col.dropouts": ("Dropped/closed", "流失/结清"),
    "retention.col.dropout_rate": ("Dropout", "流失率"),
    "retention.col.repeaters": ("Repeat/closers", "复贷/结清过"),
    "retention.col.repeat_rate": ("Repeat", "复贷率"),
    "retention.col.noloan_start": ("No-loan at start", "期初无贷户"),
    "retention.col.noloan_end": ("at end", "期末无贷户"),
    "retention.col.won_back": ("Won back", "挽回"),
    "retention.def.active": (
        "borrowers = customers with an active loan (disbursed, not yet closed); at start = at the end of the day before the period, at end = at the end of its last day",
        "借款户 = 有在贷贷款（已发放、未结清）的客户；期初 = 期间前一天结束时，期末 = 期间最后一天结束时",
    ),
    "retention.def.new_borrowers": (
        "new borrowers = customers whose first loan ever was disbursed in the period",
        "新增借款户 = 首笔贷款在本期发放的客户",
    ),
    "retention.def.retention_rate": (
        "retention rate = (borrowers at end − new borrowers) ÷ borrowers at start",
        "留存率 = (期末借款户 − 新增借款户) ÷ 期初借款户",
    ),
    "retention.def.dropout_rate": (
        "dropout rate = customers whose loan closed in the period with no new loan within {grace} days of their last close in it ÷ customers whose loan closed in the period (written-off excluded; a close still within its {grace} days without a new loan is not counted yet)",
        "流失率 = 本期有贷款结清、且本期最后一次结清后 {grace} 天内没有新贷款的客户 ÷ 本期有贷款结清的客户（不含核销；结清未满 {grace} 天且尚无新贷款的暂不计入）",
    ),
    "retention.def.repeat_rate": (
        "repeat-borrowing rate = customers with two or more loans ÷ customers who closed at least one loan, both by the period's end",
        "复贷率 = 截至期末有两笔及以上贷款的客户 ÷ 截至期末至少结清过一笔贷款的客户",
    ),
    "retention.def.noloan": (
        "no-loan customers (无贷户) = customers who have borrowed before but have no active loan, at start and at end",
        "无贷户 = 曾经借款、但期初（期末）没有在贷贷款的客户",
    ),
    "retention.def.won_back": (
        "won back = customers who took a new loan in the period after a time with no active loan",
        "挽回 = 在一段时间没有在贷贷款之后、于本期获得新贷款的客户",
    ),
    "error.retention.range": (
        "--from {start} is after --to {end}",
        "--from {start} 晚于 --to {end}",
    ),
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
    "config.created": (
        "Created {path} with every setting and its default",
        "已创建 {path}，包含全部设置及其默认值",
    ),
    "config.set": ("{name} = {value} in {path}", "已设置 {name} = {value}（{path}）"),
    "config.valid": ("{path}: the settings are valid", "{path}：设置有效"),
    "error.config.floor_ceiling": (
        "import.principal_floor ({floor}) is above import.principal_ceiling ({ceiling})",
        "import.principal_floor（{floor}）高于 import.principal_ceiling（{ceiling}）",
    ),
    "error.config.group": (
        "{name} is a group of settings: set one of its keys, e.g. {example}",
        "{name} 是一组设置：请设置其中的一项，例如 {example}",
    ),
    "error.config.rows": (
        "{name} is a table of rows: change it with `retain config edit`",
        "{name} 是多行的表：请用 `retain config edit` 修改",
    ),
    "error.config.not_written": (
        "cannot write {name} into {path}: change it with `retain config edit`",
        "无法将 {name} 写入 {path}：请用 `retain config edit` 修改",
    ),
    "error.editor.invalid": (
        "cannot run the editor command {editor}: check VISUAL or EDITOR",
        "无法运行编辑器命令 {editor}：请检查 VISUAL 或 EDITOR",
    ),
    # --- errors ---
    # RetainError(key="x.y", …) shows "error.x.y"; normalise.Invalid(code="z") and the
    # importer's row checks show "reject.z". The English text is also str(exc).
    "error.store.missing": (
        "no store at {path}: import some data first (retain import …)",
        "没有数据库 {path}：请先导入数据（retain import …）",
    ),
    "error.store.cannot_open": (
        "cannot open store {path}: {detail}",
        "无法打开数据库 {path}：{detail}",
    ),
    "error.store.cannot_use": (
        "cannot use store {path}: {detail}",
        "无法使用数据库 {path}：{detail}",
    ),
    "error.store.newer": (
        "store {path} was written by a newer retain (schema step {step}); upgrade retain to use it — the store was not touched",
        "数据库 {path} 由更新版本的 retain 写入（结构版本 {step}）；请升级 retain 后再使用——数据库未被改动",
    ),
    "error.store": ("store: {detail}", "数据库错误：{detail}"),
    "error.store.pg_password": (
        "a password in the store URL would show in the process list and the shell history: put it in PGPASSWORD, ~/.pgpass or a service file",
        "数据库 URL 中的密码会出现在进程列表和命令历史中：请放在 PGPASSWORD、~/.pgpass 或服务文件中",
    ),
    "error.store.pg_not_ready": (
        "{path} has no retain schema: the branch owner runs `retain db init {path}` first",
        "{path} 中没有 retain 的数据库结构：请分行管理员先运行 `retain db init {path}`",
    ),
    "error.store.pg_old": (
        "{path} has schema step {step} of an older retain: the branch owner runs `retain db init {path}` to upgrade it",
        "{path} 的数据库结构（{step}）来自较旧的 retain：请分行管理员运行 `retain db init {path}` 升级",
    ),
    "error.store.pg_file_only": (
        "{command} works on a SQLite store file; for a PostgreSQL store use the server's own tools (pg_dump, pg_restore, amcheck)",
        "{command} 只用于 SQLite 数据库文件；PostgreSQL 数据库请使用服务器自带的工具（pg_dump、pg_restore、amcheck）",
    ),
    # retain db (a branch's PostgreSQL store)
    "error.db.sqlite_store": (
        "retain db {command} is for a PostgreSQL store (postgresql://…); {path} is a SQLite store",
        "retain db {command} 只用于 PostgreSQL 数据库（postgresql://…）；{path} 是 SQLite 数据库",
    ),
    "error.db.collation": (
        "{path} sorts text by collation {collation} (character type {ctype}), not byte by byte as retain needs: create the database with `createdb -T template0 -E UTF8 --lc-collate=C --lc-ctype=C retain`",
        "{path} 按排序规则 {collation}（字符类型 {ctype}）排序文本，retain 需要按字节排序：请用 `createdb -T template0 -E UTF8 --lc-collate=C --lc-ctype=C retain` 建库",
    ),
    "error.db.not_owner": (
        "retain db {command} is for the store's owner ({owner}) or a superuser, not {login}",
        "retain db {command} 只能由数据库所有者（{owner}）或超级用户运行，{login} 不是",
    ),
    "error.db.createrole": (
        "cannot create the roles retain_officer and retain_manager: the owner's login needs CREATEROLE (or a superuser runs `retain db init` once)",
        "无法创建角色 retain_officer 和 retain_manager：所有者的登录名需要 CREATEROLE 权限（或由超级用户先运行一次 `retain db init`）",
    ),
    "error.db.upgrade_unavailable": (
        "{path} has schema step {step} of an older retain; upgrading a PostgreSQL store is not available yet: nothing was changed",
        "{path} 的数据库结构（{step}）来自较旧的 retain；PostgreSQL 数据库的升级尚未提供：未做任何改动",
    ),
    "error.db.no_access": (
        "{path} has no retain roles yet: the owner runs `retain db init {path}` first",
        "{path} 尚未设置 retain 角色：请所有者先运行 `retain db init {path}`",
    ),
    "error.db.no_login": (
        "there is no login {login} on the server: create it first (CREATE ROLE {login} LOGIN)",
        "服务器上没有登录名 {login}：请先创建（CREATE ROLE {login} LOGIN）",
    ),
    "error.db.grant_owner": (
        "{login} owns the store or is a superuser and sees every row whatever its role: give the officer a login of their own",
        "{login} 是数据库所有者或超级用户，无论角色如何都能看到全部数据：请为客户经理建立单独的登录名",
    ),
    "error.db.grant_choose": (
        "give one of --officer NAME or --manager",
        "--officer 姓名 与 --manager 须且只须给一个",
    ),
    "db.init.created": (
        "Created retain's schema in {path}, with the roles retain_officer and retain_manager and row-level security. Next: retain db grant LOGIN --officer NAME",
        "已在 {path} 中建立 retain 的数据库结构，以及角色 retain_officer、retain_manager 和行级安全策略。下一步：retain db grant 登录名 --officer 姓名",
    ),
    "db.init.set_up": (
        "Set up the roles retain_officer and retain_manager and row-level security in {path} (its schema was already there).",
        "已在 {path} 中设置角色 retain_officer、retain_manager 和行级安全策略（数据库结构原已存在）。",
    ),
    "db.init.unchanged": (
        "{path} is already set up: nothing changed.",
        "{path} 已设置好：未做任何改动。",
    ),
    "db.grant.officer": (
        "{login} now sees officer {officer}'s customers and prospects.",
        "{login} 现在可以查看客户经理 {officer} 的客户和潜在客户。",
    ),
    "db.grant.officer_already": (
        "{login} already was officer {officer}'s login: nothing changed.",
        "{login} 原已是客户经理 {officer} 的登录名：未做任何改动。",
    ),
    "db.grant.manager": (
        "{login} is now a manager's login: every row.",
        "{login} 现在是主管的登录名：可查看全部数据。",
    ),
    "db.grant.manager_already": (
        "{login} already was a manager's login: nothing changed.",
        "{login} 原已是主管的登录名：未做任何改动。",
    ),
    "db.revoked": (
        "{login} no longer sees any row of the store.",
        "{login} 已不能查看数据库中的任何数据。",
    ),
    "db.revoke_none": (
        "{login} had no role in this store: nothing changed.",
        "{login} 在此数据库中没有角色：未做任何改动。",
    ),
    "db.roles.title": ("Logins", "登录名"),
    "db.roles.col.login": ("Login", "登录名"),
    "db.roles.col.role": ("Role", "角色"),
    "db.roles.dropped": ("(dropped on the server)", "（已在服务器上删除）"),
    "db.roles.empty": (
        "No logins yet: retain db grant LOGIN --officer NAME.",
        "尚无登录名：retain db grant 登录名 --officer 姓名。",
    ),
    "db.role.officer": ("officer", "客户经理"),
    "db.role.manager": ("manager", "主管"),
    "error.copy.same": (
        "--from and --to name the same store: nothing to copy",
        "--from 和 --to 是同一个数据库：无需复制",
    ),
    "error.copy.steps": (
        "{path} is at schema step {step}, not this retain's: open it with this retain first (any command upgrades a SQLite store; `retain db init` a PostgreSQL one) — nothing was written",
        "{path} 的数据库结构（{step}）与本版 retain 不同：请先用本版 retain 打开它（SQLite 数据库运行任一命令即可升级；PostgreSQL 数据库运行 `retain db init`）——未写入任何内容",
    ),
    "error.copy.schema": (
        "the two stores' tables differ ({table}): nothing was written",
        "两个数据库的表结构不同（{table}）：未写入任何内容",
    ),
    "error.copy.not_empty": (
        "{path} is not empty (table {table} has rows): db copy writes only into an empty store — nothing was written",
        "{path} 不是空数据库（表 {table} 中已有数据）：db copy 只写入空数据库——未写入任何内容",
    ),
    "error.copy.failed": (
        "copying table {table} failed: {detail} — nothing was written",
        "复制表 {table} 失败：{detail}——未写入任何内容",
    ),
    "error.copy.mismatch": (
        "the copy of table {table} differs from its source (rows or checksum): rolled back, nothing was written",
        "表 {table} 的副本与源数据不一致（行数或校验和）：已回滚，未写入任何内容",
    ),
    "error.store.not_a_store": (
        "{path} is not a retain store: nothing was changed (give --db a store made by `retain import`)",
        "{path} 不是 retain 数据库：未做任何改动（--db 请指向由 `retain import` 建立的数据库）",
    ),
    "store.kind.directory": ("directory", "目录"),
    "store.kind.fifo": ("FIFO (named pipe)", "命名管道"),
    "store.kind.device": ("device", "设备文件"),
    "store.kind.socket": ("socket", "套接字"),
    "store.kind.special": ("special file", "特殊文件"),
    "error.store.not_a_file": (
        "{path} is a {kind}, not a retain store: nothing was changed",
        "{path} 是{kind}，不是 retain 数据库：未做任何改动",
    ),
    "error.store.read_only": (
        "store {path} is read-only: reading commands work, this one writes; make the file and its directory writable to use it",
        "数据库 {path} 为只读：查询类命令可用，此命令需要写入；请为该文件及其目录开放写权限后再用",
    ),
    "error.store.read_only_old": (
        "store {path} is read-only and was written by an older retain: it must be upgraded once with write access (e.g. run any command on a writable copy)",
        "数据库 {path} 为只读，且由较旧版本的 retain 写入：需在可写状态下升级一次（例如在可写副本上运行任一命令）",
    ),
    "error.store.busy": (
        "store {path} is being written by another program (waited {seconds} s); try again when it finishes (store.busy_timeout_s sets the wait)",
        "数据库 {path} 正被其他程序写入（已等待 {seconds} 秒）；请等它完成后再试（等待时长由 store.busy_timeout_s 设置）",
    ),
    "error.store.busy_import": (
        "an import of {file} started {time} is writing; try again when it finishes",
        "{time} 开始的 {file} 导入正在写入；请等它完成后再试",
    ),
    "error.store.busy_command": (
        "`retain {command}` started {time} (process {pid}) is writing; try again when it finishes",
        "{time} 开始的 `retain {command}`（进程 {pid}）正在写入；请等它完成后再试",
    ),
    "error.store.conflict": (
        "this write met another writer's at the same moment and was rolled back ({detail}; tries: {attempts}); nothing was written: run it again",
        "此次写入与他人的写入同时发生而被回滚（{detail}；已尝试 {attempts} 次）；未写入任何内容：请重新运行",
    ),
    "error.unexpected": (
        "unexpected {name}: {detail} (a bug in retain; RETAIN_DEBUG=1 shows details)",
        "意外错误 {name}：{detail}（retain 的缺陷；设置 RETAIN_DEBUG=1 可查看详情）",
    ),
    "error.os": ("{reason}: {path}", "{reason}：{path}"),
    "error.interrupted": ("Interrupted", "已中断"),
    "error.terminated": ("Terminated", "已终止"),
    "error.rejects.cannot_write": (
        "cannot write the rejects file {path}: {reason}; nothing was imported",
        "无法写入拒绝行文件 {path}：{reason}；未导入任何数据",
    ),
    "error.none": ("(none)", "（无）"),
    "os.ENOENT": ("No such file or directory", "文件或目录不存在"),
    "os.EACCES": ("Permission denied", "没有权限"),
    "os.EPERM": ("Operation not permitted", "不允许的操作"),
    "os.EISDIR": ("Is a directory", "这是一个目录"),
    "os.ENOTDIR": ("Not a directory", "不是目录"),
    "os.ENOSPC": ("No space left on device", "磁盘空间不足"),
    "os.EROFS": ("Read-only file system", "只读文件系统"),
    "os.EEXIST": ("File exists", "文件已存在"),
    "sep.semicolon": ("; ", "；"),
    "sep.comma": (", ", "、"),
    "sep.or": (" or ", " 或 "),
    "sep.dot": (" · ", " · "),
    # options and dates
    "error.option": ("{option}: {reason}", "{option}：{reason}"),
    "error.lang.unknown": (
        "unknown language {value} in {source}: use en or zh",
        "{source} 中的语言 {value} 无效：可用 en 或 zh",
    ),
    "error.date.invalid": ("invalid date {value}: use {forms}", "无效日期 {value}：可用 {forms}"),
    "error.date.forms": (
        "YYYY-MM-DD, today, tomorrow, yesterday, +3d, -1w, +2m or next monday",
        "YYYY-MM-DD、今天、明天、昨天、+3d、-1w、+2m 或 下周一",
    ),
    "error.period.invalid": (
        "invalid period {value}: use a number of days, or Nd, Nw, Nm (e.g. 90d, 12w, 6m)",
        "无效的时间段 {value}：请用天数，或 Nd、Nw、Nm（如 90d、12w、6m）",
    ),
    "class.written_off": ("written off", "已核销"),
    "error.class.unknown": (
        "unknown class {value}: use one of {choices}",
        "未知的分类 {value}：可用 {choices}",
    ),
    "error.calls.unknown_reasons": (
        "unknown reason(s) {value}: use {accepted}",
        "未知的原因 {value}：可用 {accepted}",
    ),
    "error.summary.stdout": (
        "--summary prints to stdout: redirect it (> summary.json)",
        "--summary 输出到标准输出：请重定向（> summary.json）",
    ),
    "error.summary.format": (
        "--summary prints a table or JSON: use --format table, json or ndjson",
        "--summary 只输出表格或 JSON：请用 --format table、json 或 ndjson",
    ),
    # contacts (retain log / show / history)
    "error.log.no_ids": ("no customer ids given", "未给出客户编号"),
    "error.log.unknown_customers": (
        "unknown customer id(s): {ids}; nothing was logged",
        "未知的客户编号：{ids}；未记录任何内容",
    ),
    "error.log.unknown_loan": (
        "unknown loan {loan}; nothing was logged",
        "未知的借据号 {loan}；未记录任何内容",
    ),
    "error.log.loan_owner": (
        "loan {loan} belongs to customer {customer}; nothing was logged",
        "借据 {loan} 属于客户 {customer}；未记录任何内容",
    ),
    "error.log.at_future": (
        "--at {value} is after today ({today}): log what happened",
        "--at {value} 晚于今天（{today}）：只能记录已发生的联系",
    ),
    "error.log.duplicate": (
        "{ids}: the same channel and outcome was logged within {minutes} minutes of this one;"
        " nothing logged (add --yes to log it again)",
        "{ids}：{minutes}分钟内已记录过相同方式和结果的联系；未记录（确需再记一次请加 --yes）",
    ),
    "error.log.not_confirmed": ("nothing logged", "未记录"),
    "error.promise.loan_not_open": (
        "loan {loan} is not an open loan of {customer}",
        "借据 {loan} 不是客户 {customer} 的在贷贷款",
    ),
    "error.promise.no_open_loan": (
        "{customer} has no open loan to promise a payment on",
        "客户 {customer} 没有在贷贷款，无法记录承诺还款",
    ),
    "error.log.amount_needs_promise": (
        "--amount is only for --outcome promised",
        "--amount 只能与 --outcome promised（承诺还款）一起使用",
    ),
    "error.log.amount_needs_next": (
        "a promise needs its date: --next YYYY-MM-DD",
        "承诺还款需要日期：--next YYYY-MM-DD",
    ),
    "error.log.promise_past": (
        "the promise date {date} is before the contact ({at})",
        "承诺日期 {date} 早于联系日期（{at}）",
    ),
    "promises.title": ("Promises to pay", "承诺还款"),
    # promise fields' headers in files for people
    "col.promise_amount": ("Promised amount", "承诺金额"),
    "col.promise_on": ("Promised for", "承诺还款日"),
    "col.promise_status": ("Promise status", "承诺状态"),
    "col.loan_ids": ("Loans", "借据号"),
    "col.made_on": ("Promised on", "承诺时间"),
    "col.judged_on": ("Judged", "判定日期"),
    "col.officer_kept_rate": ("Officer's kept-rate", "客户经理兑现率"),
    "promises.col.promise": ("Promise", "承诺"),
    "promises.col.judged_on": ("Judged", "判定日期"),
    "promises.count": ("{count} promise(s)", "共 {count} 笔承诺"),
    "promises.empty": ("No promises.", "没有承诺还款记录。"),
    "promises.no_officer": ("(no officer)", "（无客户经理）"),
    "promises.rate": (
        "{officer}: kept {kept} of {judged} judged ({percent})",
        "{officer}：已判定 {judged} 笔，兑现 {kept} 笔（{percent}）",
    ),
    "promises.rate_none": ("{officer}: no promise judged yet", "{officer}：尚无已判定的承诺"),
    "promise.no_amount": ("an amount in yuan is needed", "需要金额（元）"),
    "promise.text": ("{amount} on {date}", "{date}还{amount}元"),
    "promise.with_status": ("{promise} · {status}", "{promise} · {status}"),
    "promise.status.open": ("open", "待兑现"),
    "promise.status.kept": ("kept", "已兑现"),
    "promise.status.broken": ("broken", "未兑现"),
    "promise.status.superseded": ("superseded", "已被新承诺取代"),
    "error.undo.unknown": ("no contact {contact_id}", "没有编号为 {contact_id} 的联系记录"),
    "error.undo.nothing": ("no contact to undo", "没有可撤销的联系记录"),
    "error.undo.nothing_for": (
        "no contact of {prospect} to undo",
        "{prospect} 没有可撤销的联系记录",
    ),
    "error.undo.not_of": (
        "contact {contact_id} is not one of {prospect}",
        "联系记录 {contact_id} 不属于 {prospect}",
    ),
    "error.undo.prospect_newer": (
        "the last contact logged was with prospect {prospect}: undo it with"
        " `retain contacts undo --prospect {prospect}`, or give a CONTACT_ID",
        "最后记录的是潜客 {prospect} 的联系：请用"
        " `retain contacts undo --prospect {prospect}` 撤销，或指定联系记录编号",
    ),
    "error.undo.prospect_and_officer": (
        "--prospect and --officer cannot be used together",
        "--prospect 与 --officer 不能同时使用",
    ),
    "error.undo.nothing_of": (
        "no contact logged by {officer} to undo",
        "没有 {officer} 记录的可撤销联系",
    ),
    "error.log.unknown_channel": (
        "unknown channel {value}: use {accepted}",
        "未知的联系方式 {value}：可用 {accepted}",
    ),
    "error.log.unknown_outcome": (
        "unknown outcome {value}: use {accepted}",
        "未知的联系结果 {value}：可用 {accepted}",
    ),
    "error.log.accepted": ("{names} (or {aliases})", "{names}（或 {aliases}）"),
    "error.customer.unknown": ("unknown customer id: {customer}", "未知的客户编号：{customer}"),
    # stale data
    "error.stale.refused": (
        "the loan data is as of {day}, {age}: no message goes to customers from it; "
        "import a fresh export (retain import loans …), or pass --allow-stale",
        "贷款数据截至 {day}，已是 {age}：不据此向客户发送任何消息；"
        "请导入最新的导出文件（retain import loans …），或加 --allow-stale",
    ),
    "stale.warning": (
        "the loan data is as of {day}, {age}; import a fresh export (retain import loans …)",
        "贷款数据截至 {day}，已是 {age}；请导入最新的导出文件（retain import loans …）",
    ),
    "stale.today": ("today", "今天"),
    "stale.one_day_ago": ("1 day ago", "1 天前"),
    "stale.days_ago": ("{days} days ago", "{days} 天前"),
    # export
    "error.export.unknown_audience": (
        "unknown audience {value}: use officer or customer",
        "未知的对象 {value}：可用 officer 或 customer",
    ),
    "error.export.unknown_kinds": (
        "unknown kind(s) {value}: use {accepted}",
        "未知的提醒类型 {value}：可用 {accepted}",
    ),
    "error.export.unknown_format": (
        "unknown format {value}: use {accepted}",
        "未知的格式 {value}：可用 {accepted}",
    ),
    "error.export.not_for_customers": (
        "{reason} is for officers and is never sent to customers: use {accepted}",
        "{reason} 只给客户经理，不发给客户：可用 {accepted}",
    ),
    "error.export.xlsx_output": ("xlsx needs --output FILE", "xlsx 格式需要 --output 文件"),
    "error.template.unknown": (
        "unknown template {name}: the config has {names}",
        "未知的模板 {name}：配置中有 {names}",
    ),
    "error.template.no_text": (
        "template {name} has no {language} text for {reason}",
        "模板 {name} 没有 {reason} 的 {language} 文本",
    ),
    "error.output.cannot_tell": (
        "cannot tell the format of {name}: pass --format {formats}",
        "无法判断 {name} 的格式：请使用 --format {formats}",
    ),
    "error.output.no_dir": ("no such directory: {path}", "目录不存在：{path}"),
    "error.output.exists": (
        "{path} exists and was left as it is; use --force to replace it",
        "{path} 已存在，未改动；如需覆盖请加 --force",
    ),
    # config
    "error.config.invalid": ("config {path}: {problems}", "配置文件 {path}：{problems}"),
    "error.config.problem": ("{where}: {problem}", "{where}：{problem}"),
    "error.config.unreadable": (
        "cannot read config {path}: {detail}",
        "无法读取配置文件 {path}：{detail}",
    ),
    "error.config.toml": (
        "config {path}: invalid TOML: {detail}",
        "配置文件 {path}：TOML 格式错误：{detail}",
    ),
    "error.config.not_table": (
        "config {path}: {name} is not a table",
        "配置文件 {path}：{name} 不是一个表",
    ),
    "error.config.unknown_key": ("unknown config key {name}", "未知的配置项 {name}"),
    "error.config.unknown_key_hint": (
        "unknown config key {name} (did you mean {close}?)",
        "未知的配置项 {name}（是否指 {close}？）",
    ),
    "error.editor.start": (
        "cannot start editor {editor}: {detail}",
        "无法启动编辑器 {editor}：{detail}",
    ),
    "error.editor.exit": (
        "editor {editor} exited with {status}; the file was kept",
        "编辑器 {editor} 退出码 {status}；文件已保留",
    ),
    "error.config.class_order": (
        "max_days {max} is below min_days {min}",
        "max_days {max} 小于 min_days {min}",
    ),
    "error.config.no_class": ("at least one class is needed", "至少需要一个分类"),
    "error.config.class_gap": (
        "class {name} starts at {start} days; expected {expected} (ranges must start at 0 and follow each other without gaps)",
        "分类 {name} 从 {start} 天开始；应为 {expected}（各区间须从 0 开始、首尾相接、不留空隙）",
    ),
    "error.config.open_ended": (
        "the last class must be open-ended (no max_days)",
        "最后一个分类必须不设上限（不填 max_days）",
    ),
    "error.config.bad_from": (
        "bad_from {value} is not the name of a class",
        "bad_from {value} 不是任何分类的名称",
    ),
    "error.config.tier_rule": ("{problem} at column {column}", "{problem}（第 {column} 列）"),
    "error.config.tier_class": (
        "{where}: '{value}' is not an arrears class (worst_class is one of {known},"
        " or their English names)",
        "{where}：“{value}”不是五级分类名称（worst_class 取值为 {known} 或其英文名）",
    ),
    "error.config.tier_repeat": (
        "tier {name} is defined twice (tier names must differ)",
        "分层 {name} 重复定义（分层名称不能相同）",
    ),
    "error.tier_rule.unexpected": ("unexpected character '{text}'", "无法识别的字符 “{text}”"),
    "error.tier_rule.unclosed_string": ("a string is not closed", "字符串缺少结束引号"),
    "error.tier_rule.ended": (
        "the rule ends where {wanted} was expected",
        "规则在应有 {wanted} 处结束",
    ),
    "error.tier_rule.expected": (
        "expected {wanted}, found '{found}'",
        "此处应为 {wanted}，实为 “{found}”",
    ),
    "error.tier_rule.trailing": (
        "unexpected '{found}' after a complete rule (and/or missing?)",
        "完整规则之后多出 “{found}”（是否缺少 and/or？）",
    ),
    "error.tier_rule.bad_number": ("{found} is not a finite number", "{found} 不是有限的数"),
    "error.tier_rule.unknown_fact": (
        "unknown fact '{fact}' (known: {known})",
        "未知的客户指标 “{fact}”（可用：{known}）",
    ),
    "error.tier_rule.mismatch": (
        "{fact} is {kind}: compare it with a value of the same kind",
        "{fact} 是 {kind}：只能与同类的值比较",
    ),
    "error.tier_rule.text_order": (
        "text compares only with ==, != or in, not {op}",
        "文本只能用 ==、!= 或 in 比较，不能用 {op}",
    ),
    "error.tier_rule.bare_fact": (
        "{fact} alone is not a condition: compare it (e.g. {fact} == …)",
        "{fact} 本身不是条件：请与值比较（例如 {fact} == …）",
    ),
    "error.tier_rule.list_literal": (
        "a list holds numbers or strings only",
        "列表中只能是数字或字符串",
    ),
    "error.config.tiers": (
        "maturity_tiers must be a non-empty list of days ≥ 0",
        "maturity_tiers 必须是非空的天数列表（≥ 0）",
    ),
    "error.config.tiers_repeat": (
        "maturity_tiers must not repeat a value",
        "maturity_tiers 不能有重复值",
    ),
    "error.config.secured": (
        "unknown guarantee(s) in secured_guarantees: {values}",
        "secured_guarantees 中有未知的担保方式：{values}",
    ),
    "error.config.template_lang": (
        "templates.{name}.{lang}: language must be en or zh",
        "templates.{name}.{lang}：语言必须是 en 或 zh",
    ),
    "error.config.template_reason": (
        "{where}: unknown reason (use {accepted})",
        "{where}：未知的原因（可用 {accepted}）",
    ),
    "error.config.template_placeholder": (
        "{where}: unknown placeholder {{{name}}}; use {accepted}",
        "{where}：未知的占位符 {{{name}}}；可用 {accepted}",
    ),
    "error.config.range": (
        "must be from {low} to {high}, not {value}",
        "应在 {low} 到 {high} 之间，而不是 {value}",
    ),
    "error.config.template_field": (
        "{where}: {field} is not allowed ({why}); a template takes plain placeholders "
        "such as {{name}}, and {{{{ }}}} for literal braces",
        "{where}：不允许 {field}（{why}）；模板只能用 {{name}} 这样的简单占位符，"
        "字面的花括号写作 {{{{ }}}}",
    ),
    "error.config.template_why.conversion": ("a conversion such as !r", "!r 之类的转换"),
    "error.config.template_why.format_spec": (
        "a format spec such as :>10",
        ":>10 之类的格式说明",
    ),
    "error.config.template_why.attribute": (
        "attribute or index access",
        "属性或下标访问",
    ),
    "error.config.template_why.nested": ("a field inside a field", "占位符里套占位符"),
    "error.config.template_why.lone_open": (
        "a {{ that closes nowhere",
        "没有闭合的 {{",
    ),
    "error.config.template_why.lone_close": (
        "a }} that opens nowhere",
        "没有对应开头的 }}",
    ),
    # pydantic's own messages for config values, by error type (English as pydantic words it)
    "error.pydantic.missing": ("Field required", "缺少必填项"),
    "error.pydantic.extra_forbidden": ("Extra inputs are not permitted", "不是可用的配置项"),
    "error.pydantic.greater_than": ("Input should be greater than {gt}", "应大于 {gt}"),
    "error.pydantic.greater_than_equal": (
        "Input should be greater than or equal to {ge}",
        "应大于或等于 {ge}",
    ),
    "error.pydantic.less_than": ("Input should be less than {lt}", "应小于 {lt}"),
    "error.pydantic.less_than_equal": (
        "Input should be less than or equal to {le}",
        "应小于或等于 {le}",
    ),
    "error.pydantic.int_type": ("Input should be a valid integer", "应为整数"),
    "error.pydantic.int_parsing": (
        "Input should be a valid integer, unable to parse string as an integer",
        "应为整数，无法把文本解析为整数",
    ),
    "error.pydantic.int_from_float": (
        "Input should be a valid integer, got a number with a fractional part",
        "应为整数，不能有小数部分",
    ),
    "error.pydantic.float_type": ("Input should be a valid number", "应为数字"),
    "error.pydantic.float_parsing": (
        "Input should be a valid number, unable to parse string as a number",
        "应为数字，无法把文本解析为数字",
    ),
    "error.pydantic.literal_error": ("Input should be {expected}", "应为 {expected}"),
    "error.pydantic.string_type": ("Input should be a valid string", "应为文本"),
    "error.pydantic.list_type": ("Input should be a valid list", "应为列表"),
    "error.pydantic.dict_type": ("Input should be a valid dictionary", "应为表"),
    "error.pydantic.bool_type": ("Input should be a valid boolean", "应为 true 或 false"),
    "error.pydantic.bool_parsing": (
        "Input should be a valid boolean, unable to interpret input",
        "应为 true 或 false，无法识别输入",
    ),
    "error.pydantic.string_too_short": (
        "String should have at least {min_length} character",
        "至少应有 {min_length} 个字符",
    ),
    # import: the command line and the file
    "error.import.no_file": ("no such file: {path}", "文件不存在：{path}"),
    "error.import.as_of_future": (
        "--as-of {day} is after today: a file cannot be as of a day to come",
        "--as-of {day} 晚于今天：文件的数据日期不能在将来",
    ),
    "error.import.stdin_format": (
        "reading standard input needs --input-format csv|tsv|json|ndjson|xlsx",
        "从标准输入读取需要 --input-format csv|tsv|json|ndjson|xlsx",
    ),
    "error.read.cannot_open": ("cannot open {name}: {detail}", "无法打开 {name}：{detail}"),
    "error.read.no_such_file": ("cannot open {name}: no such file", "无法打开 {name}：文件不存在"),
    "error.read.is_dir": ("cannot open {name}: it is a directory", "无法打开 {name}：这是一个目录"),
    "error.read.xls_format": (
        "--input-format {value}: WPS .et workbooks are not supported: convert it with `libreoffice --headless --convert-to xlsx FILE` or save it as .xlsx in WPS",
        "--input-format {value}：不支持 WPS .et 工作簿：请用 `libreoffice --headless --convert-to xlsx 文件` 转换，或在 WPS 中另存为 .xlsx",
    ),
    "error.read.xls_workbook": (
        "{name} is a legacy Excel .xls workbook, not text: use the .xls extension or pass --input-format xls",
        "{name} 是旧版 Excel .xls 工作簿，不是文本：请使用 .xls 扩展名或 --input-format xls",
    ),
    "error.read.xls": (
        "cannot read {name} as a legacy Excel .xls workbook: {detail}; convert it with `libreoffice --headless --convert-to xlsx {name}` and import the .xlsx",
        "无法按旧版 Excel .xls 读取 {name}：{detail}；请用 `libreoffice --headless --convert-to xlsx {name}` 转换后导入 .xlsx",
    ),
    "error.read.no_such_sheet": (
        "--sheet {sheet}: {name} has no such sheet; its sheets: {sheets}",
        "--sheet {sheet}：{name} 中没有该工作表；其工作表为：{sheets}",
    ),
    "error.read.no_sheet_header": (
        "no header row found in any sheet of {name} (sheets: {sheets}): none has the required column(s) {missing} in its first rows; choose one with --sheet NAME to see what it lacks",
        "{name} 的所有工作表（{sheets}）中都找不到表头行：前几行都没有必填列 {missing}；请用 --sheet 名称 指定工作表以查看缺少什么",
    ),
    "error.read.encoding_workbook": (
        "--encoding applies to text files (CSV, TSV, JSON), not to workbooks",
        "--encoding 只适用于文本文件（CSV、TSV、JSON），不适用于工作簿",
    ),
    "error.read.sheet_text": (
        "--sheet applies to workbooks (.xlsx, .xls), not to text files",
        "--sheet 只适用于工作簿（.xlsx、.xls），不适用于文本文件",
    ),
    "error.read.unknown_format": (
        "unknown input format {value}: use one of {formats}",
        "未知的输入格式 {value}：可用 {formats}",
    ),
    "error.read.stdin_format": (
        "reading from stdin needs --input-format ({formats})",
        "从标准输入读取需要 --input-format（{formats}）",
    ),
    "error.read.unknown_extension": (
        "cannot tell the format of {name} from its extension: pass --input-format ({formats})",
        "无法从扩展名判断 {name} 的格式：请使用 --input-format（{formats}）",
    ),
    "error.read.formats": (
        "csv, tsv, json, ndjson, xlsx or xls",
        "csv、tsv、json、ndjson、xlsx 或 xls",
    ),
    "error.read.xlsx_not_text": (
        "{name} is an Excel workbook (.xlsx), not text: use the .xlsx extension or pass --input-format xlsx",
        "{name} 是 Excel 工作簿（.xlsx），不是文本：请使用 .xlsx 扩展名或 --input-format xlsx",
    ),
    "error.read.bad_utf8_bom": (
        "{name} starts with a UTF-8 byte-order mark but is not valid UTF-8: byte 0x{byte} at offset {offset}",
        "{name} 以 UTF-8 字节序标记开头，但不是有效的 UTF-8：偏移 {offset} 处的字节 0x{byte}",
    ),
    "error.read.bad_utf16_bom": (
        "{name} starts with a UTF-16 byte-order mark but is not valid UTF-16: bytes at offset {offset}",
        "{name} 以 UTF-16 字节序标记开头，但不是有效的 UTF-16：偏移 {offset} 处的字节",
    ),
    "error.read.encoding": (
        "{name} is neither UTF-8, GB18030 nor Big5 text: byte 0x{utf8_byte} at offset {utf8_offset} is not UTF-8, byte 0x{gb_byte} at offset {gb_offset} is not GB18030 and byte 0x{big5_byte} at offset {big5_offset} is not Big5; re-save it as UTF-8 CSV or pass --encoding",
        "{name} 既不是 UTF-8，也不是 GB18030 或 Big5 编码的文本：偏移 {utf8_offset} 处的字节 0x{utf8_byte} 不是 UTF-8，偏移 {gb_offset} 处的字节 0x{gb_byte} 不是 GB18030，偏移 {big5_offset} 处的字节 0x{big5_byte} 不是 Big5；请另存为 UTF-8 CSV 或使用 --encoding",
    ),
    "error.read.xlsx_too_big": (
        "{name} {found}, over import.max_xlsx_xml_mb ({limit} MB): refused before parsing, as a zip bomb would be; if the workbook is genuine, raise that setting",
        "{name}{found}，超过 import.max_xlsx_xml_mb（{limit} MB）：为防压缩炸弹，解析前即拒绝；如确为正常工作簿，请调大该设置",
    ),
    "error.read.xlsx_declares": (
        "declares {size} MB of XML",
        "声明解压后有 {size} MB 的 XML",
    ),
    "error.read.xlsx_expands": (
        "expands to more XML than the {size} MB it declares",
        "解压后的 XML 超过其声明的 {size} MB",
    ),
    "error.read.too_many_cells": (
        "{name} holds more than {limit} cells, over import.max_cells: refused; if the workbook is genuine, raise that setting",
        "{name} 的单元格超过 {limit} 个，超过 import.max_cells：已拒绝；如确为正常工作簿，请调大该设置",
    ),
    "error.read.bad_utf32_bom": (
        "{name} starts with a UTF-32 byte-order mark but is not valid UTF-32: bytes at offset {offset}",
        "{name} 以 UTF-32 字节序标记开头，但不是有效的 UTF-32：偏移 {offset} 处的字节",
    ),
    "error.read.wide_no_bom": (
        "{name} looks like {encoding} without a byte-order mark: save it as UTF-8 or pass --encoding {codec}",
        "{name} 像是没有字节序标记的 {encoding} 编码：请另存为 UTF-8，或使用 --encoding {codec}",
    ),
    "error.read.encoding_unsure": (
        "cannot tell whether {name} is GB18030 (simplified Chinese) or Big5 (traditional Chinese): pass --encoding gb18030 or --encoding big5",
        "无法判断 {name} 是 GB18030（简体中文）还是 Big5（繁体中文）编码：请使用 --encoding gb18030 或 --encoding big5",
    ),
    "error.read.unknown_encoding": (
        "--encoding {value}: unknown encoding (e.g. utf-8, gb18030, big5, utf-16)",
        "--encoding {value}：未知的编码（例如 utf-8、gb18030、big5、utf-16）",
    ),
    "error.read.not_encoding": (
        "{name} is not {encoding} text: byte 0x{byte} at offset {offset}; check --encoding",
        "{name} 不是 {encoding} 编码的文本：偏移 {offset} 处的字节 0x{byte}；请检查 --encoding",
    ),
    "error.read.csv": (
        "cannot read {name} as {kind}: row {row} (line {line}): {detail}{hint}",
        "无法按 {kind} 读取 {name}：第 {row} 行（文本第 {line} 行）：{detail}{hint}",
    ),
    "error.read.csv_quote": (
        ' (probably a quote " that is never closed)',
        '（可能有未闭合的引号 "）',
    ),
    "error.read.json_where": (
        "{name} line {line} (object {number})",
        "{name} 第 {line} 行（第 {number} 个对象）",
    ),
    "error.read.json_not_object": (
        "{where}: expected an object {{...}}, found {found}",
        "{where}：应为对象 {{...}}，实际为 {found}",
    ),
    "error.read.json_invalid": (
        "invalid JSON in {name} at line {line}: {detail}",
        "{name} 第 {line} 行 JSON 无效：{detail}",
    ),
    "error.read.ndjson_invalid": (
        "invalid JSON in {name} at line {line}: {detail} (column {column})",
        "{name} 第 {line} 行 JSON 无效：{detail}（第 {column} 列）",
    ),
    "error.read.json_deep": (
        "nested more than about 1,000 levels deep (a row is a flat object of values)",
        "嵌套超过约 1000 层（每行应是由单个值组成的对象）",
    ),
    "error.read.json_expected": ("expected {what}, found {found}", "应为 {what}，实际为 {found}"),
    "error.read.json_eof": ("end of file", "文件结尾"),
    "error.read.json_key": ("expected a quoted key", "应为带引号的键"),
    "error.read.json_rows_array": (
        '"rows" must be an array of objects',
        '"rows" 必须是对象数组',
    ),
    "error.read.json_start": (
        "expected a JSON array of objects '[' or an object '{{'",
        "应为 JSON 对象数组 '[' 或对象 '{{'",
    ),
    "error.read.json_extra": (
        "extra data after the end of the JSON value (for one object per line pass --input-format ndjson)",
        "JSON 值结束后还有多余内容（每行一个对象请用 --input-format ndjson）",
    ),
    "error.read.json_no_rows": (
        '{name}: expected a JSON array of objects or an object with a "rows" array (for one object per line pass --input-format ndjson)',
        '{name}：应为 JSON 对象数组，或含 "rows" 数组的对象（每行一个对象请用 --input-format ndjson）',
    ),
    "error.read.xlsx": (
        "cannot read {name} as XLSX: {detail}",
        "无法按 XLSX 读取 {name}：{detail}",
    ),
    "error.read.xlsx_no_sheet": (
        "cannot read {name} as XLSX: the workbook has no worksheet",
        "无法按 XLSX 读取 {name}：工作簿中没有工作表",
    ),
    "error.read.xlsx_row": (
        "cannot read {name} as XLSX: row {row}: {detail}",
        "无法按 XLSX 读取 {name}：第 {row} 行：{detail}",
    ),
    "error.read.no_stdin": (
        "no input file given and there is no standard input",
        "未指定输入文件，也没有标准输入",
    ),
    "error.read.stdin_tty": (
        "no input file given: name a file or pipe data into standard input",
        "未指定输入文件：请给出文件名或通过管道输入数据",
    ),
    "error.read.empty": (
        "no header row found in {name}: the file has no rows",
        "{name} 中找不到表头行：文件没有任何行",
    ),
    "error.read.no_header": (
        "no header row found in {name}: {scanned} required column(s) {missing}{where}",
        "{name} 中找不到表头行：{scanned}必填列 {missing}{where}",
    ),
    "error.read.scanned_first": ("the first {count} rows lack", "前 {count} 行都缺少"),
    "error.read.scanned_all": ("its {count} row(s) lack", "全部 {count} 行都缺少"),
    "error.read.closest": (" (closest: row {row})", "（最接近的是第 {row} 行）"),
    "error.read.no_known_columns": (
        " (no known column names at all: check the file, or use a mapping file)",
        "（完全没有可识别的列名：请检查文件，或使用映射文件）",
    ),
    "error.read.mapped": ('{name} (mapped to "{header}")', '{name}（映射到 "{header}"）'),
    # import: mapping files (--map)
    "error.mapping.where": ("mapping file {path}", "映射文件 {path}"),
    "error.mapping.did_you_mean": ("{name} (did you mean {close}?)", "{name}（是否指 {close}？）"),
    "error.mapping.no_file": ("{where}: no such file", "{where}：文件不存在"),
    "error.mapping.is_dir": ("{where}: is a directory, not a file", "{where}：这是目录，不是文件"),
    "error.mapping.unreadable": (
        "{where}: cannot read it: {detail}",
        "{where}：无法读取：{detail}",
    ),
    "error.mapping.encoding": (
        "{where}: not UTF-8 or GB18030 text",
        "{where}：不是 UTF-8 或 GB18030 编码的文本",
    ),
    "error.mapping.toml": ("{where}: invalid TOML: {detail}", "{where}：TOML 格式错误：{detail}"),
    "error.mapping.not_table": (
        "{where}: [{name}] must be a table, not a single value",
        "{where}：[{name}] 必须是表，不能是单个值",
    ),
    "error.mapping.unknown_keys": (
        "{where}: unknown key(s) in {table}: {keys}",
        "{where}：{table} 中有未知的键：{keys}",
    ),
    "error.mapping.unknown_tables": (
        "{where}: unknown table(s): {tables}",
        "{where}：未知的表：{tables}",
    ),
    "error.mapping.columns": (
        "{where}: [columns] value(s) must be non-empty header text: {keys}",
        "{where}：[columns] 的值必须是非空的表头文字：{keys}",
    ),
    "error.mapping.date_order": (
        "{where}: [options] date_order must be one of {choices}, not {value}",
        "{where}：[options] date_order 必须是 {choices} 之一，而不是 {value}",
    ),
    "error.mapping.amount_unit": (
        "{where}: [options] amount_unit must be yuan or wan, not {value}",
        "{where}：[options] amount_unit 必须是 yuan 或 wan，而不是 {value}",
    ),
    "error.mapping.ceiling": (
        "{where}: [options] principal_ceiling must be a positive amount in yuan, not {value}",
        "{where}：[options] principal_ceiling 必须是以元为单位的正数，而不是 {value}",
    ),
    "error.mapping.defaults": (
        "{where}: [defaults] value(s) must be non-empty text, numbers or dates: {keys}",
        "{where}：[defaults] 的值必须是非空的文字、数字或日期：{keys}",
    ),
    "error.mapping.values_tables": (
        "{where}: unknown table(s) in [values]: {tables} (only [values.status] and [values.guarantee] are supported)",
        "{where}：[values] 中有未知的表：{tables}（只支持 [values.status] 和 [values.guarantee]）",
    ),
    "error.mapping.values_table": (
        "{where}: [values.{name}] must be a table",
        "{where}：[values.{name}] 必须是表",
    ),
    "error.mapping.values_text": (
        "{where}: [values.{name}] value(s) must be text: {keys}",
        "{where}：[values.{name}] 的值必须是文字：{keys}",
    ),
    # import: why a row was rejected (stderr and the rejects file's _reason column)
    "reject.field_fault": ("{field}: {reason}", "{field}：{reason}"),
    "reject.required": ("required", "必填"),
    "reject.bool": ("unexpected TRUE/FALSE value", "意外的 TRUE/FALSE 值"),
    "reject.too_large": ("number too large", "数字过大"),
    "reject.unreadable": ("unreadable value", "无法读取的值"),
    "reject.id_date": (
        "ID cell holds a date (converted by Excel?)",
        "编号单元格是日期（可能被 Excel 转换）",
    ),
    "reject.id_scientific": (
        "ID looks mangled by Excel into scientific notation",
        "编号被 Excel 变成了科学计数法",
    ),
    "reject.id_too_long": ("ID longer than 32 characters", "编号超过 32 个字符"),
    "reject.id_invalid": (
        "not a valid ID (only letters, digits, _ and - are allowed)",
        "编号无效（只允许字母、数字、_ 和 -）",
    ),
    "reject.control": ("contains control characters", "包含控制字符"),
    "reject.too_long": ("longer than {limit} characters", "超过 {limit} 个字符"),
    "reject.phone": (
        "not a valid mobile or landline number (with area code)",
        "不是有效的手机或固定电话号码（固定电话需带区号）",
    ),
    "reject.digits17": ("expected 17 digits", "应为17位数字"),
    "reject.idn_scientific": (
        "ID number looks mangled by Excel into scientific notation",
        "身份证号被 Excel 变成了科学计数法",
    ),
    "reject.idn_15": (
        "15-digit (pre-1999) ID numbers are not accepted",
        "不接受15位（1999年前）旧身份证号",
    ),
    "reject.idn_invalid": (
        "not a valid ID number (expected 17 digits and a check character)",
        "身份证号无效（应为17位数字加校验位）",
    ),
    "reject.idn_birth_impossible": (
        "ID number contains an impossible birth date",
        "身份证号中的出生日期不存在",
    ),
    "reject.idn_birth_1900": ("ID number birth date is before 1900", "身份证号出生日期早于1900年"),
    "reject.idn_birth_future": ("ID number birth date is in the future", "身份证号出生日期在未来"),
    "reject.idn_check": ("ID number check character is wrong", "身份证号校验位错误"),
    "reject.amount_zero": ("amount must be greater than zero", "金额必须大于零"),
    "reject.amount_ceiling": (
        "amount above the ceiling of {ceiling} yuan",
        "金额超过上限 {ceiling} 元",
    ),
    "reject.amount_floor": (
        "amount below the floor of {floor} yuan (import.principal_floor)",
        "金额低于下限 {floor} 元（import.principal_floor）",
    ),
    "reject.sub_fen": ("more than 2 decimal places (below one fen)", "超过2位小数（不足一分）"),
    "reject.amount_invalid": ("not a valid amount", "金额无效"),
    "reject.amount_negative": ("negative amount", "金额为负"),
    "reject.amount_scientific": (
        "scientific notation (e.g. 1E+5) is ambiguous; format the column as text",
        "科学计数法（如 1E+5）含义不明；请把该列设为文本格式",
    ),
    "reject.date_impossible": ("not a real calendar date", "日期不存在"),
    "reject.serial_range": ("Excel date serial out of range", "Excel 日期序号超出范围"),
    "reject.date_invalid": ("not a valid date", "日期无效"),
    "reject.date_not_ymd": (
        "not a year-first date (date_order is ymd)",
        "不是年份在前的日期（date_order 为 ymd）",
    ),
    "reject.date_ambiguous": (
        "ambiguous day/month order; set date_order in a mapping file",
        "日/月顺序不明确；请在映射文件中设置 date_order",
    ),
    "reject.date_unrecognised": ("not a recognised date", "无法识别的日期"),
    "reject.guarantee_unknown": (
        "unknown guarantee {value}; expected one of 信用/保证/抵押/质押 or credit/guarantee/mortgage/pledge",
        "未知的担保方式 {value}；应为 信用/保证/抵押/质押 或 credit/guarantee/mortgage/pledge 之一",
    ),
    "reject.guarantee_alias": (
        "alias for {value} maps to unknown guarantee {target}; expected one of 信用/保证/抵押/质押 or credit/guarantee/mortgage/pledge",
        "{value} 的映射指向未知的担保方式 {target}；应为 信用/保证/抵押/质押 或 credit/guarantee/mortgage/pledge 之一",
    ),
    "reject.status_unknown": (
        "unknown status {value}; expected one of 正常/逾期/结清/核销 or active/overdue/closed/written_off",
        "未知的贷款状态 {value}；应为 正常/逾期/结清/核销 或 active/overdue/closed/written_off 之一",
    ),
    "reject.status_alias": (
        "alias for {value} maps to unknown status {target}; expected one of 正常/逾期/结清/核销 or active/overdue/closed/written_off",
        "{value} 的映射指向未知的贷款状态 {target}；应为 正常/逾期/结清/核销 或 active/overdue/closed/written_off 之一",
    ),
    "reject.not_whole": ("not a whole number", "不是整数"),
    "reject.negative": ("must not be negative", "不能为负数"),
    "reject.rate_invalid": ("not a valid rate", "利率无效"),
    "reject.rate_negative": ("rate must not be negative", "利率不能为负"),
    "reject.rate_above": ("rate above 100%", "利率超过100%"),
    "reject.rate_decimals": ("rate has too many decimal places", "利率小数位过多"),
    "reject.term_min": ("must be at least 1 month", "至少 1 个月"),
    "reject.term_max": ("at most {most} months (50 years)", "最多 {most} 个月（50 年）"),
    "reject.period_min": ("must be at least 1", "至少为 1"),
    "reject.paid_on_required": (
        "required when paid_amount is filled in",
        "填写了实还金额时必填",
    ),
    "reject.paid_amount_required": (
        "required when paid_on is filled in",
        "填写了实还日期时必填",
    ),
    "reject.no_loan": (
        "loan {loan} does not exist; import loans first",
        "贷款 {loan} 不存在；请先导入贷款",
    ),
    "reject.matures_required": ("required (or term_months)", "必填（或填写贷款期限）"),
    "reject.after_today": ("after today ({today})", "晚于今天（{today}）"),
    "reject.before_earliest": (
        "before {earliest} (import.earliest_date): not a date of this ledger",
        "早于 {earliest}（import.earliest_date）：不是本台账的日期",
    ),
    "reject.matures_before": ("must be after disbursed_on", "必须晚于放款日期"),
    "reject.next_due_without_date": (
        "needs next_due_on (the instalment's due date)",
        "须同时填写下次还款日",
    ),
    "reject.next_due_amount_required": (
        "required with next_due_on",
        "填写了下次还款日时必填",
    ),
    "reject.next_due_before": ("must be after disbursed_on", "必须晚于放款日期"),
    "reject.next_due_after": ("must not be after matures_on", "不能晚于到期日期"),
    "reject.closed_not_blank": (
        "must be blank for a loan that is {status}",
        "{status}状态的贷款此项必须为空",
    ),
    "reject.closed_required": ("required for a closed loan", "已结清贷款必须填写"),
    "reject.closed_before": ("before disbursed_on", "早于放款日期"),
    "reject.json_object": (
        "a JSON object, not a value",
        "是 JSON 对象，不是单个值",
    ),
    "reject.json_array": ("a JSON array, not a value", "是 JSON 数组，不是单个值"),
    "reject.json_surrogate": (
        "holds a lone surrogate escape (\\ud800 …), which is no character",
        "含有单独的代理项转义（\\ud800 …），不是有效字符",
    ),
    "reject.json_nonfinite": ("NaN or Infinity is not a value", "NaN 或 Infinity 不是有效的值"),
    "reject.formula_unsaved": (
        "formula with no saved value: open and save the file in Excel",
        "公式没有保存的计算结果：请在 Excel 中打开并保存该文件",
    ),
    "reject.duplicate": (
        "same {field} as row {row}",
        "与第 {row} 行的{field}相同",
    ),
    "reject.customer_differs": (
        "customer {customer} has different details on row {row} of this file",
        "客户 {customer} 在本文件第 {row} 行的资料不同",
    ),
    "reject.no_holder": (
        "customer {customer} does not exist; import customers or loans first",
        "客户 {customer} 不存在；请先导入客户或贷款",
    ),
    "reject.product_unknown": (
        "unknown product {value}; expected one of 活期/定期/借记卡/信用卡/理财/保险/代发工资/手机银行/其他"
        " or deposit/term_deposit/card/credit_card/wealth/insurance/payroll/mobile_banking/other",
        "未知的产品类型 {value}；应为 活期/定期/借记卡/信用卡/理财/保险/代发工资/手机银行/其他"
        " 或 deposit/term_deposit/card/credit_card/wealth/insurance/payroll/mobile_banking/other 之一",
    ),
    "reject.product_alias": (
        "alias for {value} maps to unknown product {target}",
        "{value} 的映射指向未知的产品类型 {target}",
    ),
    "reject.closed_before_opened": ("before opened_on", "早于开户日期"),
    "reject.no_customer": (
        "customer {customer} does not exist; import customers first or add customer columns",
        "客户 {customer} 不存在；请先导入客户，或在本文件中加上客户列",
    ),
    "reject.no_customer_name": (
        "customer {customer} does not exist; import customers first or fill in its name",
        "客户 {customer} 不存在；请先导入客户，或填写客户名称",
    ),
    "import.note_rejected": (
        "customer {customer} was created from its name alone: row {row} of {file} was rejected ({field}); fix it in {rejects} and import that",
        "客户 {customer} 仅凭名称创建：{file} 第 {row} 行曾被拒绝（{field}）；请在 {rejects} 中修正后导入",
    ),
    "import.note_rejected_officer": (
        "customer {customer} was created from this file (officer included): row {row} of {file} was rejected ({field}); fix it in {rejects} and import that",
        "客户 {customer} 由本文件创建（含客户经理）：{file} 第 {row} 行曾被拒绝（{field}）；请在 {rejects} 中修正后导入",
    ),
    "reject.prospect_channel": (
        "unknown channel {value}: use referral/supply_chain/circle/alliance/walk_in/other",
        "未知的渠道 {value}：可用 转介绍/供应链/圈层/联盟/自然到访/其他（或 点/线/圈/面）",
    ),
    "reject.prospect_referrer": (
        "unknown referrer {referrer}: a customer id or a prospect id (P7)",
        "未知的介绍人 {referrer}：应为客户编号或潜客编号（P7）",
    ),
    "reject.prospect_repeated": (
        "the same person as row {row} (same {field})",
        "与第 {row} 行是同一人（{field} 相同）",
    ),
    "import.note_prospect_customer": (
        "already a customer: {ident} (same {field}); not imported",
        "已是客户：{ident}（{field} 相同），未导入",
    ),
    "import.note_prospect_prospect": (
        "already a prospect: {ident} (same {field}); not imported again",
        "已是潜在客户：{ident}（{field} 相同），未重复导入",
    ),
    "import.note_line": ("row {row}: {note}", "第 {row} 行：{note}"),
    "import.rejects_kept": (
        "{kept} already exists and was left as it is",
        "{kept} 已存在，未被覆盖",
    ),
    "import.encoding": ("read as {encoding}", "按 {encoding} 编码读取"),
    "import.sheet": ("sheet {sheet} (of {sheets})", "工作表 {sheet}（共有：{sheets}）"),
    # import: field names in rejected rows (English: the field name itself)
    "import.field.customer_id": ("customer_id", "客户编号"),
    "import.field.name": ("name", "客户名称"),
    "import.field.phone": ("phone", "手机号码"),
    "import.field.id_number": ("id_number", "身份证号"),
    "import.field.industry": ("industry", "行业"),
    "import.field.officer": ("officer", "客户经理"),
    "import.field.segment": ("segment", "客户分层"),
    "import.field.group": ("group", "类群"),
    "import.group_created": (
        "group {name} created (kind other): retain group show {name}",
        "已新建类群 {name}（类型：其他）：retain group show {name}",
    ),
    "import.field.loan_id": ("loan_id", "借据号"),
    "import.field.principal": ("principal", "贷款金额"),
    "import.field.disbursed_on": ("disbursed_on", "放款日期"),
    "import.field.matures_on": ("matures_on", "到期日期"),
    "import.field.term_months": ("term_months", "贷款期限"),
    "import.field.guarantee": ("guarantee", "担保方式"),
    "import.field.status": ("status", "贷款状态"),
    "import.field.closed_on": ("closed_on", "结清日期"),
    "import.field.balance": ("balance", "贷款余额"),
    "import.field.rate": ("rate", "利率"),
    "import.field.days_past_due": ("days_past_due", "逾期天数"),
    "import.field.product": ("product", "产品"),
    "import.field.period": ("period", "期数"),
    "import.field.due_on": ("due_on", "应还日期"),
    "import.field.principal_due": ("principal_due", "应还本金"),
    "import.field.interest_due": ("interest_due", "应还利息"),
    "import.field.paid_on": ("paid_on", "实还日期"),
    "import.field.paid_amount": ("paid_amount", "实还金额"),
    "import.field.loan_period": ("loan_id and period", "借据号和期数"),
    "import.field.collateral_insurance_expires": (
        "collateral_insurance_expires",
        "抵押物保险到期日",
    ),
    "import.field.collateral_certificate_expires": (
        "collateral_certificate_expires",
        "他项权证到期日",
    ),
    "import.field.relation": ("relation", "与借款人关系"),
    "import.field.guarantor": ("loan_id + guarantor", "借据号＋担保人"),
    "import.field.channel": ("channel", "渠道"),
    "import.field.referrer": ("referrer", "介绍人"),
    "import.field.need": ("need", "需求金额"),
    "import.field.source": ("source", "来源"),
    "import.field.note": ("note", "备注"),
    "import.field.product_type": ("product_type", "产品类型"),
    "import.field.account": ("account", "账号"),
    "import.field.opened_on": ("opened_on", "开户日期"),
    "import.field.holding": (
        "holding (account, or customer + product + opened_on)",
        "持有产品（账号，或客户＋产品＋开户日期）",
    ),
    "import.field.next_due_on": ("next_due_on", "下次还款日"),
    "import.field.next_due_amount": ("next_due_amount", "下期应还"),
    "import.field.next_due_period": ("next_due_period", "当前期数"),
    # --- export ---
    "export.done": (
        "Exported {count} reminder(s) to {target}.",
        "已导出 {count} 条提醒到 {target}。",
    ),
    "export.left.no_phone": (
        "{count} customer(s) have no usable mobile phone: left out (update the phone)",
        "{count} 位客户没有可用的手机号码，未发送（请更新号码）",
    ),
    "export.left.held": (
        "{count} message(s) held: the customer promised to repay or agreed to renew by a date",
        "{count} 条短信暂不发送：客户已承诺还款或同意续贷，约定日期未到",
    ),
    "export.left.quiet": (
        "{count} message(s) held: the same reason was texted within {days} days",
        "{count} 条短信暂不发送：{days}天内已发过同类短信",
    ),
    "export.left.one_a_day": (
        "{count} message(s) left to officers: one SMS per customer per day",
        "{count} 条提醒只留给客户经理：每位客户每天最多一条短信",
    ),
    "sms.days.one": ("{count} day", "{count}天"),
    "sms.days.many": ("{count} days", "{count}天"),
    "calls.not_working.one": (
        "Note: tomorrow is {name}, not a working day: 1 loan matures before the next working day, {next}.",
        "注意：明天是{name}，不是工作日；下一个工作日（{next}）之前有 1 笔贷款到期。",
    ),
    "calls.not_working.many": (
        "Note: tomorrow is {name}, not a working day: {count} loans mature before the next working day, {next}.",
        "注意：明天是{name}，不是工作日；下一个工作日（{next}）之前有 {count} 笔贷款到期。",
    ),
    "weekday.5": ("Saturday", "周六"),
    "weekday.6": ("Sunday", "周日"),
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
    "col.failed_attempts": ("Unanswered attempts", "未接通次数"),
    "col.last_attempt": ("Last attempt", "最近一次尝试"),
    "col.phone_unusable_since": ("Phone unusable since", "号码无效日期"),
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
    "reason.cross_sell": ("suggest {product}", "推荐{product}"),
    "reason.revisit": ("return visit", "回访"),
    "reason.win_back": ("win back", "无贷户维护"),
    "reason.recovery": ("recovery (written off)", "核销追偿"),
    "reason.prospect": ("prospect, next date {date}", "潜在客户 约定跟进 {date}"),
    "reason.prospect_new": (
        "new prospect, not contacted for {days} days",
        "新潜在客户 录入{days}天未联系",
    ),
    "reason.collateral_expiry": ("{what} expires {date}", "{what} {date}到期"),
    "collateral.insurance": ("collateral insurance", "抵押物保险"),
    "collateral.certificate": ("collateral certificate", "他项权证"),
    "term.overdue": ("overdue", "逾期"),
    "term.maturing": ("maturing", "到期"),
    "term.follow_up": ("follow-up", "约定跟进"),
    "term.post_loan_check": ("post-loan check", "贷后检查"),
    "term.cross_sell": ("cross-sell", "交叉营销"),
    "term.revisit": ("return visit", "回访"),
    "term.win_back": ("win back", "无贷户维护"),
    "term.recovery": ("recovery", "核销追偿"),
    "term.prospect": ("prospect", "潜在客户"),
    "term.collateral_expiry": ("collateral expiry", "抵押物到期"),
    "action.overdue": ("call about repayment", "电话催收，了解还款安排"),
    "action.maturing": ("arrange renewal or repayment", "联系续贷或还款安排"),
    "action.follow_up": ("call back as promised", "按约回电跟进"),
    "action.post_loan_check": ("post-loan check visit", "贷后检查"),
    "action.cross_sell": ("offer the product", "推荐产品"),
    "action.revisit": ("return visit (secured loan)", "抵质押客户上门回访"),
    "action.win_back": ("invite back; offer products", "邀请再贷，推荐产品"),
    "action.recovery": ("follow up the written-off debt", "账销案存，跟进追偿"),
    "action.prospect": ("call the prospect about a loan", "联系潜在客户，了解贷款需求"),
    "action.collateral_expiry": (
        "have the collateral insurance or certificate renewed",
        "督促办理抵押物保险或他项权证续期",
    ),
    "action.overdue_guarantor": ("call guarantor {guarantor}", "联系担保人 {guarantor}"),
    "guarantor.line": ("{name} ({relation}) {phone}", "{name}（{relation}）{phone}"),
    "guarantor.line_no_relation": ("{name} {phone}", "{name} {phone}"),
    "guarantor.with_id": ("{guarantor} ID {id_number}", "{guarantor} 证件号 {id_number}"),
    "col.guarantors": ("Guarantors", "担保人"),
    "show.products": ("Products", "产品"),
    "show.products_line": ("{held}; AUM {aum}", "{held}；金融资产 {aum}"),
    "show.products_none": ("none", "无"),
    "show.products_suggest": ("{line}; suggest {product}", "{line}；建议推荐{product}"),
    "show.guarantors": ("Guarantors of overdue loans", "逾期贷款的担保人"),
    "show.no_guarantors": (
        "no guarantor on record (retain import guarantors)",
        "无担保人记录（retain import guarantors）",
    ),
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
        "{base}: check due since {date} ({first} days after disbursement, then every {every}; a contact up to {early} days before counts){after}",
        "{base}：{date} 起应做贷后检查（放款后{first}天，此后每{every}天；检查日前{early}天内的联系也算）{after}",
    ),
    "rule.post_loan_after": (
        "; schedule starts after first import on {date}",
        "；该贷款放款较早，检查从首次导入（{date}）后开始计算",
    ),
    "rule.cross_sell": (
        "{base}: good customer without {product}, which more than {share} of their industry"
        " hold; no contact for {every}+ days",
        "{base}：优质客户，未持有同行业超过 {share} 客户持有的{product}；{every}天以上未联系",
    ),
    "rule.revisit": (
        "{base}: secured loan, no contact for {every}+ days",
        "{base}：抵质押贷款，{every}天以上未联系",
    ),
    "rule.win_back": (
        "{base}: last loan closed {date}; contact every {every} days for {months} months;"
        " a refusal pauses it {pause} days",
        "{base}：上笔贷款 {date} 结清；{months}个月内每{every}天联系一次；客户拒绝后暂停{pause}天",
    ),
    "rule.collateral_expiry": (
        "{base}: {what} of loan collateral expires {date}; reminded {lead} days ahead unless"
        " contacted since",
        "{base}：抵押物的{what} {date}到期；提前{lead}天提醒，此后联系过则不再提醒",
    ),
    "rule.recovery": (
        "{base}: written-off loan since {date}; contact every {every} days",
        "{base}：{date} 起有核销贷款（账销案存）；每{every}天联系一次",
    ),
    "rule.prospect": (
        "{base}: {why} (a new prospect is listed {first} days after its entry until contacted)",
        "{base}：{why}（新录入的潜在客户录入{first}天后仍未联系即列出）",
    ),
    "reason.broken_promise": (
        "promise of {amount} on {date} broken",
        "承诺{date}还款{amount}元未兑现",
    ),
    "term.broken_promise": ("broken promise", "承诺未兑现"),
    "action.broken_promise": (
        "call about the broken promise; agree a new date",
        "就未兑现的还款承诺致电，重新约定还款",
    ),
    "rule.broken_promise": (
        "{base}: the promise of {amount} on {date} was judged broken on {judged}; until the customer is contacted or no loan is overdue",
        "{base}：承诺{date}还款{amount}元，{judged} 判定未兑现；联系客户或逾期结清后不再计分",
    ),
    "sms.officer.broken_promise": (
        "{date} broken promise: {name} ({customer_id}) did not pay as promised; call and agree a new date.",
        "{date} 承诺未兑现：{name}（{customer_id}）未按承诺还款，请致电并重新约定。",
    ),
    "term.instalment": ("instalment", "分期还款"),
    "reason.instalment": (
        "instalment {period} of {amount} due {date}",
        "第{period}期 应还 {amount} 元 {date}到期",
    ),
    "reason.instalment_no_period": (
        "instalment of {amount} due {date}",
        "应还 {amount} 元 {date}到期",
    ),
    "action.instalment": ("remind of the instalment due", "提醒按期还款"),
    "rule.instalment": (
        "{base} − {less} for a maturity reminder the same day (at least 1): {what};"
        " listed from {lead} days before",
        "{base} − 同日到期提醒的{less}分（至少为1）：{what}；到期前{lead}天起列出",
    ),
    "sms.customer.instalment": (
        "[{lender}] Dear {name}, instalment {period} of your loan, {amount_due} yuan, is due on {due_on}. Please make sure your account holds enough. Questions: {officer}.",
        "【{lender}】尊敬的{name}，您的贷款第{period}期应还{amount_due}元，将于{due_on}到期，请提前存足款项。如有疑问请联系客户经理{officer}。",
    ),
    "sms.officer.instalment": (
        "{date} instalment: {name} ({customer_id}) loan {loan_id} instalment {period} of {amount_due} yuan due {due_on}; remind to repay.",
        "{date} 分期还款提醒：{name}（{customer_id}）贷款{loan_id} 第{period}期 应还{amount_due}元 {due_on}到期，提醒按期还款。",
    ),
    "term.stay_in_touch": ("stay in touch", "定期维护"),
    "reason.stay_in_touch": ("no contact for {days} days", "已 {days} 天未联系"),
    "reason.stay_in_touch_never": ("never contacted", "从未联系"),
    "action.stay_in_touch": ("call to keep in touch", "致电维护关系"),
    "rule.stay_in_touch": (
        "{base}: tier {tier} (rule: {when}) is contacted every {every} days; last real contact {last}",
        "{base}：分层 {tier}（规则：{when}）每 {every} 天联系一次；上次实际联系 {last}",
    ),
    "rule.stay_in_touch_idle": (
        "tier {tier} (rule: {when}): next contact due {date}",
        "分层 {tier}（规则：{when}）：下次应联系日期 {date}",
    ),
    "sms.officer.stay_in_touch": (
        "{date} stay in touch: {name} ({customer_id}) is due a relationship call.",
        "{date} 定期维护：{name}（{customer_id}）到了维护联系的时候。",
    ),
    "term.birthday": ("birthday", "生日"),
    "reason.birthday": ("birthday today", "今天生日"),
    "action.birthday": ("send birthday greetings", "送上生日祝福"),
    "rule.birthday": (
        "{base}: the birthday in the ID number is today (29 Feb: 28 Feb in a common year)",
        "{base}：身份证号中的生日是今天（2月29日出生者平年为2月28日）",
    ),
    "sms.officer.birthday": (
        "{date} birthday: {name} ({customer_id}) has a birthday today; send greetings.",
        "{date} 客户生日：{name}（{customer_id}）今天生日，请送上祝福。",
    ),
    "sms.customer.birthday": (
        "[{lender}] Happy birthday, {name}! Thank you for your trust. Your officer {officer}.",
        "【{lender}】{name}，祝您生日快乐！感谢您一直以来的信任与支持。客户经理{officer}。",
    ),
    "term.season": ("season", "季节性需求"),
    "reason.season": ("seasonal need", "季节性需求"),
    "action.season": ("offer credit for the season", "提前营销季节性资金需求"),
    "rule.season": (
        "{base}: season {name} ({who}) on {date}, its {lead}-day lead window opened {opened};"
        " no loan past due, none maturing soon, no contact since",
        "{base}：季节 {name}（{who}）{date}，提前{lead}天的窗口于 {opened} 开始；"
        "无逾期、近期无到期贷款、此后未联系",
    ),
    "sms.customer.season": (
        "[{lender}] Dear {name}, the busy season is coming. If your business needs funds for stock, {officer} is glad to help.",
        "【{lender}】尊敬的{name}，旺季将至，如需备货资金，客户经理{officer}乐意为您服务。",
    ),
    "sms.officer.season": (
        "{date} season {season}: {name} ({customer_id}), offer credit before the season.",
        "{date} 季节性需求（{season}）：{name}（{customer_id}）旺季将至，提前营销。",
    ),
    # New terms' texts go above this line: see CONTRIBUTING.md, "Add a call-list term".
    "rule.none": ("does not apply today", "今日不适用"),
    "rule.win_back_paused": (
        "paused until {until}: declined on {declined}",
        "暂停至 {until}：客户于 {declined} 拒绝",
    ),
    # unanswered attempts and unusable phones on the call list
    "calls.attempts": ("{count} attempts, no answer", "{count}次未接通"),
    "calls.attempts_one": ("{count} attempt, no answer", "{count}次未接通"),
    "calls.visit": ("visit: {count} attempts unanswered", "上门拜访（{count}次未接通）"),
    "calls.visit_one": ("visit: {count} attempt unanswered", "上门拜访（{count}次未接通）"),
    "calls.phone_unusable": ("phone unusable — update", "号码无效，请更新"),
    "explain.attempts": (
        "{count} attempts with no answer since the last contact (last {last})",
        "上次联系后{count}次未接通（最近一次 {last}）",
    ),
    "explain.attempts_one": (
        "{count} attempt with no answer since the last contact (last {last})",
        "上次联系后{count}次未接通（最近一次 {last}）",
    ),
    "explain.visit_now": (
        "suggested action: visit (after {after} unanswered)",
        "建议上门拜访（已满{after}次未接通）",
    ),
    "explain.visit_later": (
        "a visit is suggested after {after} unanswered",
        "满{after}次未接通后建议上门拜访",
    ),
    "explain.phone_unusable": (
        "phone unusable since {since} (wrong number): update it",
        "号码自 {since} 起无效（空号）：请更新",
    ),
    # reminder messages: the default templates (export.templates in the config)
    "sms.customer.maturing": (
        "[{lender}] Dear {name}, your loan of {amount} yuan matures on {matures_on}. To renew, please contact your loan officer {officer}.",
        "【{lender}】尊敬的{name}，您的贷款{amount}元将于{matures_on}到期，如需续贷请联系客户经理{officer}。",
    ),
    "sms.customer.overdue": (
        "[{lender}] Dear {name}, your loan is {days_past_due_days} past due. Please repay soon, or contact {officer} if you need help.",
        "【{lender}】尊敬的{name}，您的贷款已逾期{days_past_due_days}，请尽快还款，如有困难请联系客户经理{officer}。",
    ),
    "sms.customer.win_back": (
        "[{lender}] Dear {name}, thank you for your trust! If you need funds again, {officer} is happy to help.",
        "【{lender}】尊敬的{name}，感谢您一直以来的信任！如有新的资金需求，欢迎联系客户经理{officer}。",
    ),
    "sms.officer.maturing": (
        "{date} maturing: {name} ({customer_id}) loan {loan_id} of {amount} yuan matures {matures_on}; arrange renewal or repayment.",
        "{date} 到期提醒：{name}（{customer_id}）贷款{loan_id} {amount}元 {matures_on}到期，联系续贷或还款。",
    ),
    "sms.officer.overdue": (
        "{date} overdue: {name} ({customer_id}) loan {loan_id} is {days_past_due} days past due, balance {balance} yuan.",
        "{date} 逾期催收：{name}（{customer_id}）贷款{loan_id} 逾期{days_past_due}天，余额{balance}元。",
    ),
    "sms.officer.follow_up": (
        "{date} follow-up promised to {name} ({customer_id}).",
        "{date} 约定跟进：{name}（{customer_id}）。",
    ),
    "sms.officer.post_loan_check": (
        "{date} post-loan check: {name} ({customer_id}) loan {loan_id}.",
        "{date} 贷后检查：{name}（{customer_id}）贷款{loan_id}。",
    ),
    "sms.officer.cross_sell": (
        "{date} cross-sell: {name} ({customer_id}) lacks a product most of their industry hold.",
        "{date} 交叉营销：{name}（{customer_id}）缺少同行业多数客户持有的产品。",
    ),
    "sms.officer.revisit": (
        "{date} return visit: {name} ({customer_id}), secured loan.",
        "{date} 抵质押客户回访：{name}（{customer_id}）。",
    ),
    "sms.officer.win_back": (
        "{date} win back: {name} ({customer_id}); invite back, offer products.",
        "{date} 无贷户维护：{name}（{customer_id}），邀请再贷、推荐产品。",
    ),
    "sms.officer.recovery": (
        "{date} recovery: {name} ({customer_id}) has a written-off loan; follow up the debt.",
        "{date} 核销追偿：{name}（{customer_id}）有核销贷款（账销案存），跟进追偿。",
    ),
    "sms.officer.prospect": (
        "{date} prospect: {name} ({customer_id}) is due a call about a loan.",
        "{date} 潜在客户：{name}（{customer_id}）该联系了，了解贷款需求。",
    ),
    "sms.officer.collateral_expiry": (
        "{date} collateral: {name} ({customer_id}) has collateral insurance or a certificate"
        " expiring soon; have it renewed.",
        "{date} 抵押物到期：{name}（{customer_id}）的抵押物保险或他项权证即将到期，督促续期。",
    ),
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
    "explain.prospect_forgotten": (
        "The prospect was forgotten (prospect forget): never called.",
        "该潜客的资料已按要求删除：不再列入。",
    ),
    "explain.prospect_customer": (
        "A customer now ({customer_id}): explain {customer_id}.",
        "已成为客户（{customer_id}）：请查看 {customer_id}。",
    ),
    "explain.prospect_lost": (
        "The prospect is lost: `prospect move` reopens it.",
        "该潜客已流失：可用 `prospect move` 重新跟进。",
    ),
    "explain.prospect_disbursed": (
        "The prospect is disbursed.",
        "该潜客已放款。",
    ),
    "explain.prospect_next": (
        "The next call is due on {date}.",
        "约定 {date} 跟进。",
    ),
    "explain.prospect_first": (
        "A new prospect not yet contacted is called {days} days after entry: on {date}.",
        "未联系的新潜客在录入 {days} 天后列入：{date}。",
    ),
    "explain.prospect_no_date": (
        "No next date is set (log a contact with --next).",
        "没有约定跟进日期（记录联系时用 --next 约定）。",
    ),
    "explain.nothing": (
        "Not on today's list: no rule applies today.",
        "不在今日名单：今日没有适用的联系规则。",
    ),
    "log.done": ("Logged {count} contact(s).", "已记录 {count} 次联系。"),
    "show.data_as_of": ("Data as of", "数据截至"),
    "show.data_age": ("{day} ({age})", "{day}（{age}）"),
    "show.no_data": ("no loans imported yet", "尚未导入贷款"),
    "log.duplicate_warning": (
        "Warning: {customer_id} already has a {channel}/{outcome} contact at {at}.",
        "警告：{customer_id} 在 {at} 已有一条{channel}/{outcome}联系记录。",
    ),
    "log.confirm": ("Log it again?", "仍要再记录一次吗？"),
    "undo.done": (
        "Removed contact {contact_id}: {name} ({customer_id}), {at} {channel}/{outcome}."
        " Kept in the audit trail.",
        "已删除联系记录 {contact_id}：{name}（{customer_id}），{at} {channel}/{outcome}。"
        "已保留在审计记录中。",
    ),
    "show.phone_landline": (
        "{phone} (landline: call, no SMS)",
        "{phone}（固定电话：可致电，不发短信）",
    ),
    "show.phone_unusable": (
        "{phone} (unusable since {since} — update)",
        "{phone}（{since} 起无效，请更新）",
    ),
    "col.contact_id": ("ID", "编号"),
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
    "audience.officer": ("officer", "客户经理"),
    "audience.customer": ("customer", "客户"),
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
    # --- doctor, backup, restore (retain.health, cli/ops.py) ---
    "doctor.store.ok": ("a SQLite file, {size} MB", "SQLite 文件，{size} MB"),
    "doctor.store.missing": (
        "no store at this path (--db / RETAIN_DB)",
        "此路径上没有数据库（--db / RETAIN_DB）",
    ),
    "doctor.store.not_sqlite": (
        "not a SQLite file: not a retain store",
        "不是 SQLite 文件，不是 retain 数据库",
    ),
    "doctor.store.unreadable": ("cannot read the store: {detail}", "无法读取数据库：{detail}"),
    "doctor.integrity.ok": ("integrity_check: ok", "完整性检查（integrity_check）：正常"),
    "doctor.integrity.failed": (
        "integrity_check found problems ({detail}): restore a backup (retain restore)",
        "完整性检查发现问题（{detail}）：请恢复备份（retain restore）",
    ),
    "doctor.fk.ok": ("foreign_key_check: ok", "外键检查（foreign_key_check）：正常"),
    "doctor.fk.broken": (
        "foreign_key_check: {count} row(s) refer to missing records (in {tables})",
        "外键检查：{count} 行引用了不存在的记录（{tables}）",
    ),
    "doctor.schema.ok": (
        "schema up to date ({count} steps, last {step})",
        "数据库结构为最新（{count} 步，最后一步 {step}）",
    ),
    "doctor.schema.behind": (
        "schema {steps} step(s) behind this retain: the next command that opens the store upgrades it",
        "数据库结构比本程序落后 {steps} 步：下一个打开数据库的命令会自动升级",
    ),
    "doctor.schema.newer": (
        "written by a newer retain (schema step {step}): upgrade retain",
        "由更新版本的 retain 写入（结构版本 {step}）：请升级 retain",
    ),
    "doctor.schema.not_retain": (
        "no retain schema: not a retain store",
        "没有 retain 的数据库结构，不是 retain 数据库",
    ),
    "doctor.audit.ok": (
        "the audit trail (changes) refuses UPDATE and DELETE",
        "审计记录（changes 表）拒绝修改和删除",
    ),
    "doctor.audit.pending": (
        "the audit trail's append-only guard comes with the schema upgrade",
        "审计记录的只增不改保护将随数据库结构升级加上",
    ),
    "doctor.audit.missing": (
        "the audit trail (changes) can be edited: trigger(s) {names} are missing",
        "审计记录（changes 表）可被修改：缺少触发器 {names}",
    ),
    "doctor.data.none": ("no loans import yet", "尚未导入贷款台账"),
    "doctor.data.ok": (
        "loan data as of {day}, {days} day(s) old (limit {limit})",
        "贷款数据截至 {day}，已过 {days} 天（上限 {limit} 天）",
    ),
    "doctor.data.stale": (
        "loan data as of {day}, {days} day(s) old, more than data.stale_after_days = {limit}: import the loans",
        "贷款数据截至 {day}，已过 {days} 天，超过 data.stale_after_days = {limit}：请导入贷款台账",
    ),
    "doctor.data.no_config": (
        "cannot tell how old is too old: {detail}",
        "无法判断数据是否过期：{detail}",
    ),
    "doctor.modes.ok": (
        "store files 0600, directory 0700",
        "数据库文件权限 0600，目录权限 0700",
    ),
    "doctor.modes.exposed": (
        "readable by other users: {files} (chmod 600 the files, 700 the directory)",
        "其他用户可读：{files}（文件请 chmod 600，目录 chmod 700）",
    ),
    "doctor.modes.loose": (
        "modes differ from 0600/0700: {files}",
        "权限与 0600/0700 不同：{files}",
    ),
    "doctor.wal.ok": (
        "WAL file {size} MB (warning above {limit} MB)",
        "WAL 文件 {size} MB（超过 {limit} MB 时警告）",
    ),
    "doctor.wal.big": (
        "WAL file {size} MB, above {limit} MB: a reader may be holding it open; it shrinks once every retain run has ended",
        "WAL 文件 {size} MB，超过 {limit} MB：可能有读取者一直未结束；所有 retain 运行结束后会缩小",
    ),
    "doctor.temporaries.ok": ("no leftover temporary files", "没有遗留的临时文件"),
    "doctor.temporaries.found": (
        "{count} leftover temporary file(s) of interrupted runs in {places}: they may hold personal data; delete them",
        "{places} 中有 {count} 个中断运行遗留的临时文件：可能含有个人信息，请删除",
    ),
    "doctor.summary.ok": ("no problem found", "未发现问题"),
    "doctor.summary.fail": (
        "{count} check(s) failed",
        "{count} 项检查未通过",
    ),
    "backup.done": (
        "backed up {store} to {path} ({size} MB, integrity ok)",
        "已将 {store} 备份到 {path}（{size} MB，完整性正常）",
    ),
    "backup.rotated": (
        "deleted {count} older backup(s) (--keep {keep})",
        "已删除 {count} 个较早的备份（--keep {keep}）",
    ),
    "restore.done": (
        "restored {path} into {store} (schema step {step})",
        "已用 {path} 恢复 {store}（结构版本 {step}）",
    ),
    "restore.kept": (
        "the store as it was is kept as {kept}",
        "恢复前的数据库保存为 {kept}",
    ),
    "restore.confirm": (
        "Replace the store {store} with the backup {path}?",
        "用备份 {path} 替换数据库 {store}？",
    ),
    "error.ops.cancelled": ("cancelled: nothing changed", "已取消，未作任何改动"),
    "error.ops.not_a_store": (
        "{path} is not a retain store (no retain schema); nothing was changed",
        "{path} 不是 retain 数据库（没有 retain 的数据库结构）；未作任何改动",
    ),
    "error.ops.newer": (
        "{path} was written by a newer retain (schema step {step}): upgrade retain to restore it; nothing was changed",
        "{path} 由更新版本的 retain 写入（结构版本 {step}）：请升级 retain 后再恢复；未作任何改动",
    ),
    "error.ops.unreadable": (
        "{path} cannot be read as a store ({detail}); nothing was changed",
        "{path} 无法作为数据库读取（{detail}）；未作任何改动",
    ),
    "error.ops.copy_corrupt": (
        "the copy failed its integrity check ({detail}); nothing was changed",
        "副本未通过完整性检查（{detail}）；未作任何改动",
    ),
    "error.ops.same_file": (
        "{path} is the store itself (--db); nothing was changed",
        "{path} 就是数据库本身（--db）；未作任何改动",
    ),
    "error.ops.no_backup": ("no file {path}", "没有文件 {path}"),
    "error.ops.store_busy": (
        "the store {path} stayed in use ({detail}): stop other retain runs (cron) and try again; nothing was changed",
        "数据库 {path} 一直被占用（{detail}）：请停止其他 retain 运行（如 cron）后重试；未作任何改动",
    ),
    # prospects (issue 13)
    "prospect.channel.referral": ("referral", "转介绍"),
    "prospect.channel.supply_chain": ("supply chain", "供应链"),
    "prospect.channel.circle": ("circle", "圈层"),
    "prospect.channel.alliance": ("alliance", "联盟"),
    "prospect.channel.walk_in": ("walk-in", "自然到访"),
    "prospect.channel.other": ("other", "其他"),
    "prospect.stage.new": ("new", "新"),
    "prospect.stage.contacted": ("contacted", "已联系"),
    "prospect.stage.applied": ("applied", "已申请"),
    "prospect.stage.approved": ("approved", "已审批"),
    "prospect.stage.disbursed": ("disbursed", "已放款"),
    "prospect.stage.lost": ("lost", "已流失"),
    "prospect.reason.no_need": ("no need", "无需求"),
    "prospect.reason.rate": ("rate", "利率"),
    "prospect.reason.declined_by_us": ("declined by us", "我方拒绝"),
    "prospect.reason.competitor": ("competitor", "同业"),
    "prospect.reason.unreachable": ("unreachable", "联系不上"),
    "prospect.reason.other": ("other", "其他"),
    "prospect.via.manual": ("by hand", "手工"),
    "prospect.via.import": ("import", "导入"),
    "prospect.via.loans_import": ("loans import", "贷款导入"),
    "prospect.via.log": ("contact log", "联系记录"),
    "prospect.col.id": ("Prospect", "潜客编号"),
    "prospect.col.channel": ("Channel", "渠道"),
    "prospect.col.referrer": ("Referrer", "介绍人"),
    "prospect.col.stage": ("Stage", "阶段"),
    "prospect.col.stage_on": ("Since", "进入日期"),
    "prospect.col.need": ("Need", "需求金额"),
    "prospect.col.via": ("Via", "方式"),
    "prospect.col.reason": ("Reason", "原因"),
    "prospect.title": ("Prospects", "潜在客户"),
    "prospect.count": ("{count} prospect(s)", "共 {count} 位潜在客户"),
    "prospect.empty": ("no prospects", "没有潜在客户"),
    "prospect.forgotten": ("(forgotten)", "（已删除个人信息）"),
    "prospect.moved": (
        "{prospect}: {before} → {after} on {day}",
        "{prospect}：{before} → {after}（{day}）",
    ),
    "prospect.forgotten_done": (
        "{prospect}: personal data deleted; the anonymous row stays for the counts",
        "{prospect}：个人信息已删除；匿名记录保留用于统计",
    ),
    "prospect.stages": ("Stages", "阶段记录"),
    "prospect.card": ("Prospect {prospect}", "潜在客户 {prospect}"),
    "prospect.field.source": ("Source", "来源"),
    "prospect.field.entered_on": ("Entered", "进入日期"),
    "prospect.field.last_contact": ("Last contact", "最近联系"),
    "error.log.mixed": (
        "log takes customers or prospects (P7), not both at once",
        "log 一次只能记录客户或潜在客户（P7），不能混在一起",
    ),
    "error.log.prospect_no_loan": (
        "--loan and --amount are for customers, not prospects",
        "--loan 和 --amount 只用于客户，不用于潜在客户",
    ),
    "error.prospect.log_forgotten": (
        "{prospect} is forgotten: there is no one to log",
        "{prospect} 的个人信息已删除，无法记录联系",
    ),
    "error.prospect.log_disbursed": (
        "{prospect} is a customer now: log {customer} instead",
        "{prospect} 已是客户：请记录 {customer}",
    ),
    "error.prospect.unknown_channel": (
        "unknown channel {value}: use {accepted}",
        "未知的渠道 {value}：可用 {accepted}",
    ),
    "error.prospect.unknown_stage": (
        "unknown stage {value}: use {accepted}",
        "未知的阶段 {value}：可用 {accepted}",
    ),
    "error.prospect.unknown_reason": (
        "unknown reason {value}: use {accepted}",
        "未知的流失原因 {value}：可用 {accepted}",
    ),
    "error.prospect.unknown": ("unknown prospect id: {prospect}", "未知的潜客编号：{prospect}"),
    "error.prospect.unknown_referrer": (
        "unknown referrer {referrer}: give a customer id or a prospect id (P7)",
        "未知的介绍人 {referrer}：请给出客户编号或潜客编号（P7）",
    ),
    "error.prospect.exists_customer": (
        "already a customer: {ident} has the same {field}",
        "已是客户：{ident} 的 {field} 相同",
    ),
    "error.prospect.exists_prospect": (
        "already a prospect: {ident} has the same {field} (a lost one is reopened with "
        "retain prospect move {ident} contacted)",
        "已是潜在客户：{ident} 的 {field} 相同（已流失的可用 "
        "retain prospect move {ident} contacted 重新跟进）",
    ),
    "error.prospect.same_stage": (
        "{prospect} is already {stage}",
        "{prospect} 已处于该阶段（{stage}）",
    ),
    "error.prospect.from_disbursed": (
        "{prospect} is disbursed: a customer now, it leaves that stage no more",
        "{prospect} 已放款，已是客户，不能再改变阶段",
    ),
    "error.prospect.reopen_new": (
        "{prospect} is lost: reopen it as contacted, applied or approved, not new",
        "{prospect} 已流失：重新跟进请改为 contacted、applied 或 approved，不能改回 new",
    ),
    "error.prospect.backwards": (
        "{prospect} is {stage}: stages only move forward (or to lost)",
        "{prospect} 处于 {stage}：阶段只能向前（或改为 lost）",
    ),
    "error.prospect.lost_needs_reason": (
        "lost needs --reason: no_need|rate|declined_by_us|competitor|unreachable|other",
        "改为 lost 需要 --reason：no_need|rate|declined_by_us|competitor|unreachable|other",
    ),
    "error.prospect.reason_only_lost": (
        "--reason goes with lost only",
        "--reason 只能与 lost 一起使用",
    ),
    "error.prospect.move_future": (
        "--on {day} is after today ({today})",
        "--on {day} 晚于今天（{today}）",
    ),
    "error.prospect.move_before": (
        "--on {day} is before the current stage began ({since})",
        "--on {day} 早于当前阶段的开始日期（{since}）",
    ),
    "error.prospect.forget_not_lost": (
        "{prospect} is {stage}: only a lost prospect can be forgotten (move it to lost first)",
        "{prospect} 处于 {stage}：只有已流失的潜在客户才能删除个人信息（请先改为 lost）",
    ),
    "error.prospect.already_forgotten": (
        "{prospect} is already forgotten",
        "{prospect} 的个人信息已删除",
    ),
    "error.ops.confirm": (
        "restore replaces the store: pass --yes to confirm (not on a terminal)",
        "恢复会替换数据库：非终端运行时请加 --yes 确认",
    ),
    # -- db copy (issue 16) --
    "copy.title": ("Copied {source} → {destination}", "已复制 {source} → {destination}"),
    "copy.col.table": ("Table", "表"),
    "copy.col.rows": ("Rows", "行数"),
    "copy.col.checksum": ("Checksum", "校验和"),
    "copy.col.ok": ("Same", "一致"),
    "copy.ok.yes": ("yes", "是"),
    "copy.ok.no": ("NO", "否"),
    "copy.done": (
        "Copied {rows} rows of {tables} tables in {seconds} s; every table's rows and checksum match the source.",
        "已在 {seconds} 秒内复制 {tables} 张表共 {rows} 行；每张表的行数和校验和都与源数据一致。",
    ),
    # -- officers, handover, audit (issue 15) --
    "officers.title": ("Officers", "客户经理"),
    "officers.empty": ("No officers yet.", "尚无客户经理。"),
    "officers.found": ("(from the data)", "（来自数据）"),
    "officers.status.active": ("active", "在岗"),
    "officers.status.inactive": ("inactive", "已停用"),
    "officers.col.added_on": ("Added", "添加日期"),
    "officers.col.customers": ("Customers", "客户数"),
    "officers.col.loans": ("Open loans", "在贷笔数"),
    "officer.added": ("Officer {name} added.", "已添加客户经理 {name}。"),
    "officer.already": ("Officer {name} is already active.", "客户经理 {name} 已在岗。"),
    "officer.renamed": (
        "Renamed {old} to {new} ({rows} rows).",
        "已将 {old} 改名为 {new}（{rows} 行）。",
    ),
    "officer.merged": (
        "Renamed {old} to {new}, who was already known: the two are one officer now ({rows} rows).",
        "已将 {old} 改名为已有的 {new}：两者合并为同一客户经理（{rows} 行）。",
    ),
    "officer.deactivated": ("Officer {name} deactivated.", "已停用客户经理 {name}。"),
    "error.officer.empty": ("an officer's name cannot be empty", "客户经理姓名不能为空"),
    "error.officer.unknown": ("no officer {name} in the store", "数据库中没有客户经理 {name}"),
    "error.officer.same_name": (
        "{name} is already that name",
        "{name} 已是这个名字",
    ),
    "error.officer.has_customers": (
        "{name} still has {count} customer(s): hand them over first"
        " (retain handover --from {name} --to …)",
        "{name} 仍有 {count} 位客户：请先移交（retain handover --from {name} --to …）",
    ),
    "error.handover.choose": (
        "say which customers move: --customer ID…, --industry X, --group G or --all (one of them)",
        "请指定移交哪些客户：--customer 客户号…、--industry 行业、--group 类群 或 --all（四选一）",
    ),
    "error.handover.unknown_target": (
        "no officer {name} in the store: add them first (retain officer add {name})",
        "数据库中没有客户经理 {name}：请先添加（retain officer add {name}）",
    ),
    "error.handover.inactive_target": (
        "officer {name} is deactivated: nothing can be handed over to them",
        "客户经理 {name} 已停用，不能接收移交",
    ),
    "error.handover.future": (
        "--as-of {day} is after today: hand over on the day it happens",
        "--as-of {day} 晚于今天：请在移交当天执行",
    ),
    "error.handover.same": ("{name} would hand over to themselves", "{name} 不能移交给自己"),
    "error.handover.unknown_customers": (
        "no customer {ids} in the store",
        "数据库中没有客户 {ids}",
    ),
    "error.handover.not_theirs": (
        "not customers of {officer}: {ids}",
        "以下客户不属于 {officer}：{ids}",
    ),
    "error.handover.before_current": (
        "customer {customer} got their current officer after {day}: a handover cannot go back"
        " before it",
        "客户 {customer} 的现任客户经理是在 {day} 之后才接手的，移交日期不能早于该日",
    ),
    "handover.title": ("Handover: {source} → {target}", "移交：{source} → {target}"),
    "handover.summary": (
        "{customers} customer(s) from {source} to {target} as of {day}: {loans} open loan(s),"
        " balance {balance}, {follow_ups} follow-up(s), {promises} open promise(s),"
        " {prospects} open prospect(s)",
        "{customers} 位客户自 {day} 起由 {source} 移交给 {target}：在贷 {loans} 笔，"
        "余额 {balance}，待跟进 {follow_ups} 位，未到期承诺 {promises} 笔，在跟进潜客 {prospects} 位",
    ),
    "handover.dry_run": ("Dry run: nothing was changed.", "试运行：未作任何改动。"),
    "import.note_officer_kept": (
        "customer {customer} was handed over to {officer} after this file's day:"
        " kept {officer}, not the file's {file} (--officer-from-file lets the file win)",
        "客户 {customer} 在本文件日期之后已移交给 {officer}：保留 {officer}，"
        "未采用文件中的 {file}（加 --officer-from-file 以文件为准）",
    ),
    "import.officers_kept": (
        "{count} customer(s) keep the officer of a later handover",
        "{count} 位客户保留了之后移交的客户经理",
    ),
    "show.officers": ("Officers over time", "历任客户经理"),
    "show.officer_current": ("now", "至今"),
    "col.from": ("From", "起"),
    "col.to": ("To", "止"),
    "col.via": ("Via", "来源"),
    "via.import": ("import", "导入"),
    "via.handover": ("handover", "移交"),
    "config.not_audited": (
        "The setting is changed, but not recorded in the store's audit trail: {reason}",
        "设置已修改，但未能记入数据库的变更记录：{reason}",
    ),
    "audit.title": ("Audit trail", "变更记录"),
    "audit.empty": ("No changes recorded.", "没有变更记录。"),
    "audit.count": ("{count} change(s)", "共 {count} 条变更"),
    "audit.col.at": ("When (UTC)", "时间（UTC）"),
    "audit.col.kind": ("Kind", "类别"),
    "audit.col.who": ("Who", "操作者"),
    "audit.col.record": ("Record", "记录"),
    "audit.col.field": ("Field", "字段"),
    "audit.col.change": ("Old → new", "原值 → 新值"),
    "audit.kind.import": ("import", "导入"),
    "audit.kind.log": ("log", "联系记录"),
    "audit.kind.handover": ("handover", "移交"),
    "audit.kind.officer": ("officer", "客户经理"),
    "audit.kind.config": ("config", "配置"),
    "audit.kind.forget": ("forget", "删除个人信息"),
}


def lang_code(raw: str) -> str | None:
    """The language a ``--lang``/``RETAIN_LANG`` value names (``zh``, ``zh_CN.UTF-8``,
    ``zh-Hans`` → zh), or None when it names no language retain speaks."""
    primary = re.split(r"[-_.@]", raw.strip().lower(), maxsplit=1)[0]
    return primary if primary in LANGS else None


def detect_lang(option: str | None = None) -> str:
    """``--lang`` wins, then ``RETAIN_LANG``, then the locale (``zh_*`` → zh).
    An unknown value is skipped here; the command line refuses it first."""
    for raw in (option, os.environ.get("RETAIN_LANG")):
        if raw:
            lang = lang_code(raw)
            if lang is not None:
                return lang
    locale = os.environ.get("LC_ALL") or os.environ.get("LC_MESSAGES") or os.environ.get("LANG")
    return "zh" if locale and locale.lower().startswith("zh") else "en"


def t(key: str, lang: str, **values: object) -> str:
    """The text of ``key`` in ``lang``; values that are :data:`Text` render in ``lang`` too."""
    en, zh = CATALOGUE[key]
    text = zh if lang == "zh" else en
    return text.format(**{name: _shown(value, lang) for name, value in values.items()})


# --- texts rendered late -----------------------------------------------------
# The core does not know the user's language: it raises errors and rejects rows
# with a catalogue key and its values (a Msg); the edge renders them in the
# chosen language. str() of each is the English text.


@dataclass(frozen=True, eq=False)
class Msg:
    """A catalogue key with its values; values may themselves be :data:`Text`."""

    key: str
    params: dict[str, object] = field(default_factory=dict)

    def render(self, lang: str) -> str:
        return t(self.key, lang, **self.params)

    def __str__(self) -> str:
        return self.render("en")


def msg(key: str, **params: object) -> Msg:
    return Msg(key, params)


@dataclass(frozen=True, eq=False)
class Joined:
    """Parts joined by a separator that has its own catalogue entry ("; " / "；")."""

    parts: tuple[object, ...]
    sep: str = "sep.semicolon"

    def render(self, lang: str) -> str:
        return t(self.sep, lang).join(str(_shown(part, lang)) for part in self.parts)

    def __str__(self) -> str:
        return self.render("en")


@dataclass(frozen=True, eq=False)
class Verbatim:
    """An English text raised without a key: shown through :func:`from_english`."""

    text: str

    def render(self, lang: str) -> str:
        return from_english(self.text, lang)

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True, eq=False)
class Bilingual:
    """A text that is data rather than catalogue (an arrears class the user named)."""

    en: str
    zh: str

    def render(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en

    def __str__(self) -> str:
        return self.en


Text = Msg | Joined | Verbatim | Bilingual


def _shown(value: object, lang: str) -> object:
    return value.render(lang) if isinstance(value, Msg | Joined | Verbatim | Bilingual) else value


def os_reason(exc: OSError) -> Text:
    """The system's reason for an OSError; the common ones have Chinese."""
    import errno

    name = errno.errorcode.get(exc.errno or -1, "")
    if f"os.{name}" in CATALOGUE:
        return Msg(f"os.{name}")
    return Verbatim(str(exc.strerror or exc))


@cache
def _english_patterns() -> tuple[tuple[re.Pattern[str], str, int], ...]:
    """Each error's English template as a regex, with its count of literal characters."""
    patterns = []
    for key, (english, _) in CATALOGUE.items():
        if not key.startswith(("error.", "reject.")):
            continue
        regex, seen, literal = [], set(), 0
        for text, name, _, _ in string.Formatter().parse(english):
            regex.append(re.escape(text))
            literal += len(text)
            if name is not None:
                regex.append(f"(?P={name})" if name in seen else f"(?P<{name}>.+?)")
                seen.add(name)
        if literal >= 8:  # "{field}: {reason}" would match anything
            patterns.append((re.compile("".join(regex), re.S), key, literal))
    return tuple(patterns)


def from_english(text: str, lang: str) -> str:
    """``text`` in ``lang``, for messages raised without a key (the most specific
    matching English template wins); the text itself when none matches."""
    if lang == "en" or not text:
        return text
    best: tuple[re.Match[str], str, int] | None = None
    for pattern, key, literal in _english_patterns():
        found = pattern.fullmatch(text)
        if found is not None and (best is None or literal > best[2]):
            best = (found, key, literal)
    if best is None:
        return text
    return t(best[1], lang, **best[0].groupdict())


def code_of(value: str, labels: dict[str, tuple[str, str]]) -> str | None:
    """The code that ``value`` names: the code itself or its English or Chinese
    label (``客户`` → ``customer``); None when it names none of ``labels``' codes."""
    wanted = value.strip().casefold()
    for code, (en, zh) in labels.items():
        if wanted in (code, en.casefold(), zh):
            return code
    return None


def label(prefix: str, value: str | None, lang: str) -> str:
    """Localised label of an enum value, or the value itself when unknown."""
    if value is None:
        return ""
    entry = CATALOGUE.get(f"{prefix}.{value}")
    if entry is None:
        return value
    return entry[1] if lang == "zh" else entry[0]
