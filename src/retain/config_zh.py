"""The config file's comments in Chinese (retain.config_file renders them).

The English comments are the pydantic field descriptions in retain.config; here
is the Chinese of each, keyed by the setting's dotted path (a section by its
name, a column of the arrears table as ``arrears.classes.name``). A file created
under ``--lang zh`` gets these; a file that exists keeps whatever comments it has.
tests/test_config_zh.py fails for a setting without Chinese here.
"""

from __future__ import annotations

from retain.terms import settings

HEADER = (
    "retain 设置。缺少的项使用默认值；没有此文件即全部使用默认值。",
    "修改一项用 `retain config set 键 值`，修改整个文件用 `retain config edit`。",
    "环境变量 RETAIN_CONFIG 可改变 retain 读取此文件的位置。",
)
EFFECTIVE = "当前生效的设置：{path} 叠加在默认值之上。"

# The words of a comment beside a value (English in retain.config_file.WORDS).
WORDS = {
    "default": "（默认：{value}）",
    "differs": "（与默认值不同）",
    "absent": "（默认设置中没有）",
    "not_set": "{key} 未设置",
    "none": "未设置",
}

DESCRIPTIONS: dict[str, str] = {
    "seasons": "季节性需求（retain season）；默认的几条只是示例，请按本地行业修改",
    "seasons.name": "营销活动名称",
    "seasons.industry": "行业包含此词的客户（或用 group）",
    "seasons.group": "或：该类群的成员",
    "seasons.date": "MM-DD 或节日（春节、中秋、端午），后跟天数偏移：春节 -45",
    "seasons.lead_days": "日期前这么多天起列入电话清单和提醒",
    "seasons.message_zh": "给客户的中文提醒短信",
    "seasons.message_en": "给客户的英文提醒短信",
    "import": "导入台账时的检查",
    "import.principal_ceiling": "贷款金额上限，单位元",
    "import.principal_floor": "贷款金额下限，单位元（低于此数是录入错误，不是贷款）",
    "import.earliest_date": "早于此日期的贷款日期视为错误而拒绝",
    "import.max_xlsx_xml_mb": "XLSX 工作簿解压后的 XML 最多这么多 MB（解析前即拒绝压缩炸弹）",
    "import.max_cells": "一个工作表（或 XLSX 文件的共享字符串）最多这么多个单元格",
    "data": "导入的贷款数据可以有多旧",
    "data.stale_after_days": "最近一次贷款导入的数据超过这么多天即提示；"
    "此时拒绝导出给客户的提醒（export --allow-stale 可放行）",
    "arrears": "按逾期天数划分的贷款分类（五级分类）",
    "arrears.classes": "分类表：name、name_en、min_days、max_days（省略即无上限）、weight；"
    "天数从 0 开始，各分类首尾相接",
    "arrears.classes.name": "分类的中文名称",
    "arrears.classes.name_en": "分类的英文名称",
    "arrears.classes.min_days": "属于该分类的最少逾期天数",
    "arrears.classes.max_days": "不设置即无上限",
    "arrears.classes.weight": "该分类在电话清单中的附加分",
    "arrears.bad_from": "最差分类达到此类的无贷户不列入挽回名单",
    "rhythm": "每位客户何时该联系",
    "rhythm.maturity_tiers": "到期前的每个窗口内各联系一次（天）",
    "rhythm.secured_guarantees": "需要定期回访其借款人的担保方式",
    "rhythm.revisit_every_days": "对抵押、质押借款人的回访间隔",
    "rhythm.post_loan_first_days": "放款后第一次贷后检查",
    "rhythm.post_loan_every_days": "之后每隔这么多天检查一次",
    "rhythm.post_loan_early_days": "检查日前这么多天内的联系即算完成该次检查",
    "rhythm.win_back_every_days": "挽回联系的间隔",
    "rhythm.win_back_months": "……在最近一笔贷款结清后的这么多个月内",
    "rhythm.recovery_every_days": "有核销贷款（账销案存）的客户每隔这么多天联系一次",
    "rhythm.quiet_days": "最近这么多天内联系过的客户不列出",
    "rhythm.visit_after_failed_calls": "连续这么多次未接通后建议上门拜访",
    "rhythm.declined_pause_days": "客户拒绝后这么多天内不做无贷户维护",
    "rhythm.guarantor_after_days": "逾期满这么多天后，建议动作写明联系担保人",
    "rhythm.collateral_lead_days": "抵押物保险或他项权证到期前这么多天提醒客户经理",
    "rhythm.instalment_lead_days": "分期还款日前这么多天起列出客户（0：仅当天）",
    "rhythm.birthday_greetings": "客户生日当天列入电话清单并可发送生日祝福短信"
    "（birthday 原因）；默认关闭",
    "rhythm.prospect_first_contact_days": "新录入的潜在客户录入这么多天后仍未联系，列入电话清单",
    "weights": "电话清单得分：得分 = 适用各项之和（calls --explain）",
    # Each call-list term's weights carry their own Chinese (retain.terms).
    **{f"weights.{setting.name}": setting.description_zh for setting in settings()},
    "calls": "每日电话清单",
    "calls.daily_capacity": "retain calls 默认列出的人数",
    "export": "提醒消息（retain export）",
    "export.lender": "消息中的 {lender}：贵机构的名称",
    "export.templates": "消息模板：templates.NAME.LANG.REASON，占位符写作 {placeholder}",
    "export.customer_lang": "客户短信的语言（与 --lang 无关）：zh 或 en",
    "export.customer_quiet_days": "同一原因的短信，这么多天内不再发给同一客户",
    "export.customer_reasons": "可以发短信给客户的原因，初始为面向客户的几项；"
    "例如只有贵机构允许时才加上 recovery（核销追偿）",
    "export.send_on": "客户短信只在工作日发送（working_days，按法定节假日和调休）"
    "或任何一天（any_day）",
    "retention": "续贷与业绩断层（retain runoff、retain retention）",
    "retention.renewal_grace_days": "贷款结清后这么多天内发放的新贷款算作续贷",
    "retention.cliff_share": "runoff 把预测余额首次低于今天余额这一比例的月份称为“断层”",
    "coverage": "产品覆盖度与交叉营销缺口（retain coverage）",
    "coverage.peer_share": "优质客户缺少同类客户（同行业）中超过这一比例的人持有的产品，"
    "即为交叉营销缺口（retain coverage、calls）",
    "tiers": "客户分层，按顺序匹配、第一条成立的规则生效：name、name_zh、when、"
    "contact_every_days、good（见 README 的 Tiers 一节）",
    "tiers.name": "分层的简称，如 A",
    "tiers.name_zh": "分层的中文名，如 核心客户",
    "tiers.when": "基于客户指标的规则，如 loans_count >= 2 and worst_class == '正常'",
    "tiers.contact_every_days": "该层客户至少每这么多天联系一次（stay_in_touch 项）；不填则无",
    "tiers.good": "在 retain tiers 中算作优质客户；没有任何分层标注时，第一层即为优质客户",
    "quota": "客户经理的每周、每月指标（retain activity）",
    "quota.visits_per_week": "每位客户经理每周应登记的上门拜访次数；0：不设指标",
    "quota.calls_per_week": "每位客户经理每周应登记的电话次数；0：不设指标",
    "quota.new_customers_per_month": "每月应发放首笔贷款的新客户数；0：不设指标",
    "quota.prospects_per_week": "每位客户经理每周应录入的新潜在客户数；0：不设指标",
    "quota.week_starts": "统计周从星期几开始（monday：ISO 周；"
    "其他日子则第 W 周从该 ISO 周周一当天或之前最近的这一天开始）",
    "quota.officers": "单个客户经理的指标，每人一个 [[quota.officers]] 表（name = ...）",
    "quota.officers.name": "客户经理姓名，与数据库中的写法一致",
    "quota.officers.visits_per_week": "该客户经理每周上门拜访次数",
    "quota.officers.calls_per_week": "该客户经理每周电话次数",
    "quota.officers.new_customers_per_month": "该客户经理每月新客户数",
    "quota.officers.prospects_per_week": "该客户经理每周新潜在客户数",
    "store": "多个命令共用的数据库文件",
    "store.busy_timeout_s": "另一个命令（如耗时的导入）正在写入数据库时，写入类命令最多等待的秒数，"
    "超时后提示是谁占用（0.1–3600）",
}
