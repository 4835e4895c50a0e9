"""Default reminder messages, per audience, language and reason.

``{placeholder}`` fields are filled by ``retain export reminders``; the config
may override any of them (``[export.templates.customer.zh]`` …) or add new
template sets chosen with ``--template NAME``.
"""

from __future__ import annotations

PLACEHOLDERS = (
    "lender", "name", "customer_id", "officer", "amount", "balance", "matures_on",
    "date", "days_left", "days_past_due", "loan_id", "reason",
)  # fmt: skip

_CUSTOMER_ZH = {
    "maturing": "【{lender}】尊敬的{name}，您的贷款{amount}元将于{matures_on}到期，如需续贷请联系客户经理{officer}。",
    "overdue": "【{lender}】尊敬的{name}，您的贷款已逾期{days_past_due}天，请尽快还款，如有困难请联系客户经理{officer}。",
    "follow_up": "【{lender}】尊敬的{name}，客户经理{officer}将按约定于{date}与您联系，感谢支持。",
    "post_loan_check": "【{lender}】尊敬的{name}，客户经理{officer}近期将对您的贷款进行例行回访，感谢配合。",
    "revisit": "【{lender}】尊敬的{name}，客户经理{officer}近期将上门拜访，了解您的经营情况。",
    "win_back": "【{lender}】尊敬的{name}，感谢您一直以来的信任！如有新的资金需求，欢迎联系客户经理{officer}。",
}
_CUSTOMER_EN = {
    "maturing": "[{lender}] Dear {name}, your loan of {amount} yuan matures on {matures_on}. To renew, please contact your loan officer {officer}.",
    "overdue": "[{lender}] Dear {name}, your loan is {days_past_due} days past due. Please repay soon, or contact {officer} if you need help.",
    "follow_up": "[{lender}] Dear {name}, {officer} will contact you on {date} as agreed. Thank you.",
    "post_loan_check": "[{lender}] Dear {name}, {officer} will call soon for a routine check of your loan. Thank you.",
    "revisit": "[{lender}] Dear {name}, {officer} will visit soon to hear how your business is doing.",
    "win_back": "[{lender}] Dear {name}, thank you for your trust! If you need funds again, {officer} is happy to help.",
}
_OFFICER_ZH = {
    "maturing": "{date} 到期提醒：{name}（{customer_id}）贷款{loan_id} {amount}元 {matures_on}到期，联系续贷或还款。",
    "overdue": "{date} 逾期催收：{name}（{customer_id}）贷款{loan_id} 逾期{days_past_due}天，余额{balance}元。",
    "follow_up": "{date} 约定跟进：{name}（{customer_id}）。",
    "post_loan_check": "{date} 贷后检查：{name}（{customer_id}）贷款{loan_id}。",
    "revisit": "{date} 抵质押客户回访：{name}（{customer_id}）。",
    "win_back": "{date} 无贷户维护：{name}（{customer_id}），邀请再贷、推荐产品。",
}
_OFFICER_EN = {
    "maturing": "{date} maturing: {name} ({customer_id}) loan {loan_id} of {amount} yuan matures {matures_on}; arrange renewal or repayment.",
    "overdue": "{date} overdue: {name} ({customer_id}) loan {loan_id} is {days_past_due} days past due, balance {balance} yuan.",
    "follow_up": "{date} follow-up promised to {name} ({customer_id}).",
    "post_loan_check": "{date} post-loan check: {name} ({customer_id}) loan {loan_id}.",
    "revisit": "{date} return visit: {name} ({customer_id}), secured loan.",
    "win_back": "{date} win back: {name} ({customer_id}); invite back, offer products.",
}


def default_templates() -> dict[str, dict[str, dict[str, str]]]:
    return {
        "customer": {"zh": dict(_CUSTOMER_ZH), "en": dict(_CUSTOMER_EN)},
        "officer": {"zh": dict(_OFFICER_ZH), "en": dict(_OFFICER_EN)},
    }
