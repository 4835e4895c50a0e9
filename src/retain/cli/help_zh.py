# ruff: noqa: E501  (each paragraph on one line, for translators; --help wraps it)
"""Chinese ``--help``: every help text of the command line, in Chinese, in one place.

The English help stays where it is written (Typer ``help=`` strings and the
``HELP`` constants beside each command). This module holds the Chinese of each:

- :data:`COMMANDS`: command path (``""`` for ``retain`` itself, ``"import loans"``,
  ``"config set"`` …) → the command's help. Its first sentence (up to ``。``) is the
  one-line summary in the parent's command list.
- :data:`OPTIONS`: option (``"--days"``) or argument (``"FILE"``) → its help, for
  the ones that mean the same wherever they appear; :data:`COMMAND_OPTIONS` holds,
  per command path, those whose meaning is that command's own (``--format`` of
  ``history`` is not ``--format`` of ``due``). A command's own entry wins.

:func:`localise` walks the click command tree that Typer builds from the app and
swaps the texts in place; :mod:`retain.cli.lang` calls it, before click parses,
when the language is Chinese (only then is this module imported). It also gives
each command a help formatter that measures Chinese characters as two columns
and breaks lines between them (click's own wrapper only breaks at spaces and
counts characters), keeps example lines whole, and says click's own words
(``Usage``, ``Options``, ``[default: …]``, ``Show this message and exit.``) in
Chinese. The formatter is derived at run time from the command's own context
class, so it relies only on click's documented ``HelpFormatter`` methods.

tests/test_help_zh.py walks every command and option: one without Chinese help
here fails it.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from retain.i18n import CATALOGUE

# --- the texts ---------------------------------------------------------------------

COMMANDS: dict[str, str] = {
    "": """面向客户经理的客户维护工具：哪些贷款即将到期、谁已逾期、今天该给谁打电话以及原因。

示例：

    retain import loans 贷款台账.xlsx     # 导入核心系统导出的贷款台账
    retain due --days 30                 # 未来 30 天内到期的贷款
    retain calls                         # 今天该打的电话，按得分排序
""",
    "due": """列出从今天到今天 + DAYS 天内到期的在贷贷款，最早到期的在前。

示例：

    retain due --days 30 --officer 王芳                      # 王芳名下 30 天内到期
    retain --today 2026-12-01 due --days 7 --format csv > due.csv
    retain due --format ids | retain log - --channel 短信    # 逐一记为已发短信
    retain --lang zh due --days 7 --output 本周到期.xlsx
    retain due --days 7 --instalments                      # 连同 7 天内应还的分期
""",
    "overdue": """列出已逾期的在贷贷款，逾期天数多的在前，并给出五级分类。

逾期天数取导入数据中的 days_past_due（逾期天数）；导入时没有该值的，已过到期日的贷款按“今天 − 到期日”计算，否则为 0。列出的是状态为正常或逾期且已逾期的贷款，以及导入时状态为逾期的贷款（即使 0 天，此时分类为 正常/normal）。已结清和已核销的贷款不在册：不计入汇总；已核销贷款仍要清收（账销案存），加 --include-written-off 时列在在册贷款之后，逾期天数取导入时的值，分类为“已核销”，其借款人的 customer_class 也是“已核销”。--class 已核销（或 written off）只列出核销贷款。

分类来自配置中的 arrears.classes 表（默认 正常 0 天，关注 1–90 天，次级 91–180 天，可疑 181–360 天，损失 361 天以上），在各种格式中都按 --lang 命名：zh 用 name，en 用 name_en。--class 两种名称都接受。customer_class 是借款人全部在贷贷款中最差的分类。

表格末尾给出按分类汇总的在册贷款（笔数、余额）以及 PAR30/PAR90 = 逾期超过 30/90 天的在贷余额 ÷ 全部在贷余额；余额取贷款余额，数据库中没有余额时取贷款金额。--officer 会缩小汇总的范围；--class、--min-days 和 --limit 只缩小清单。--summary 只输出汇总（表格或一个 JSON 对象）；CSV/TSV/JSON/NDJSON 清单只含各行数据。

示例：

    retain overdue --min-days 31                            # 逾期 30 天以上
    retain --lang zh overdue --class 次级 --officer 王芳
    retain overdue --summary --format json                  # 只要汇总和 PAR30/PAR90
    retain overdue --min-days 91 --format ids | retain log - -c 电话 -r 承诺还款
    retain overdue --include-written-off --officer 王芳      # 连同核销贷款（账销案存）
""",
    "noloan": """列出没有正常或逾期贷款的客户（无贷户）：先是最近一笔贷款已结清的客户，结清越近越靠前；然后是从未借款的客户（按客户编号）。

days_since 是从最近一次结清到今天的天数；loans 和 total_borrowed 涵盖全部历史贷款。worst_class 是历来最差的五级分类，按任一贷款导入过的最高逾期天数计算（有核销贷款的按最差分类计）。有核销贷款，或最差分类达到配置中 arrears.bad_from（默认 次级，91 天以上）的客户不列出，除非加 --include-bad。

示例：

    retain noloan --closed-within 90d                       # 90 天内结清的客户
    retain noloan --min-loans 2 --officer 王芳 --limit 50   # 借过两次以上的老客户
    retain noloan --closed-within 6m --format ids | retain log - -c 短信
""",
    "trend": """显示在贷走势：最近 --weeks 周内（截至今天）每周一行（该 ISO 周，周一至周日，最后一份快照），并用条形图和迷你走势线显示 --metric。

每次导入贷款都会按其数据日期、按客户经理记录一份快照（同一天再次导入会替换它）：客户数、在贷笔数、在贷余额、逾期余额（已逾期或以逾期状态导入的贷款）、PAR30/PAR90（逾期 30/90 天以上余额 ÷ 在贷余额，与 overdue --summary 相同）以及无贷户数。--officer 只看一位客户经理。

示例：

    retain trend
    retain trend --weeks 12 --metric par30 --officer 王芳
    retain trend --format json
""",
    "activity": """显示每位客户经理一周（或一个月）的工作量与指标对比：按方式和结果统计的联系、联系到的客户、电话、上门、新潜在客户、潜在客户转化、新客户（首笔贷款）、续贷、挽回、承诺兑现与违约，每项指标标出 ✓/✗ 和完成比例，每位客户经理一张条形图，以及应联系而未联系的清单：窗口内到期、到期前 rhythm.maturity_tiers 最大天数内没有联系的贷款。

默认为本周（按 --today）。周为 ISO 周（2026-W48；不存在的周如 2025-W53 报错），quota.week_starts 可让周从其他日子开始。指标在设置的 [quota] 中，单个客户经理的写在 [[quota.officers]] 表中。联系计入记录中的客户经理（log --officer），未记录则计入客户的客户经理。--streak：每位客户经理截至本周（或 --week）连续达到上门指标的周数。

示例：

    retain activity
    retain activity --week 2026-W48 --officer 王芳
    retain activity --month 2026-11 --format json
    retain activity --streak
""",
    "pipeline": """显示获客漏斗：按渠道和客户经理，列出 --from 至 --to（默认：截至今天的全部）录入的潜在客户中，到达各阶段的人数（新录入、已联系、已申请、已审批、已放款：到达某阶段的也计入此前各阶段，流失的按其到达的阶段计）、从录入到放款的转化率、从录入到放款天数的中位数、按原因的流失人数，以及带来的贷款：关联客户在录入当天及之后发放的贷款本金，以及其中在贷贷款的余额。表格另有合计行和漏斗图。

示例：

    retain pipeline
    retain pipeline --channel 转介绍 --from 2026-10-01 --to 2026-12-31
    retain pipeline --officer 王芳 --format json
""",
    "referrals": """显示客户带来的人（转介绍，点）：他介绍的潜在客户及各自的阶段和贷款金额；已成为客户的潜在客户，其本人的转介绍接着列在下面，潜在客户介绍的人也一样，逐级展开。贷款金额为该客户在潜在客户录入当天及之后发放的贷款本金，以及其中在贷贷款的余额；转化之前为其需求金额。

不给 CUSTOMER_ID 时：转介绍排行，先按介绍的人中已放款的人数，再按他们带来的余额，再按介绍人数。

示例：

    retain referrals
    retain referrals C0001
    retain referrals --officer 王芳 --format json
""",
    "report": """把 --month 的月度回顾写入 --output：一个独立的 HTML 页面（不联网、不需要 JavaScript，图表为内嵌 SVG，可按 A4 打印），交给主管，语言取自 --lang。

页面包括当月的联系情况和挽回客户，以及今天的在贷情况（数据库只保存最新状态，请在下月初生成）：该月之后 12 个月（更早的月份则从本月起）的到期阶梯（假设都不续贷）、阶梯第一个月的重点续贷客户、五级分类，以及来自每次导入贷款时快照的 PAR 走势（截至今天 12 个月）。手机号已隐藏，不含身份证号。文件原子写入，权限 0600；已存在时只有加 --force 才覆盖。

示例：

    retain report --month 2026-11 --output review.html
    retain --lang zh report --month 2026-11 --officer 王芳 -o 王芳-11月.html
""",
    "runoff": """未来各月的到期阶梯（业绩断层），以及保持贷款余额需要多少新增放款。

每个自然月（第一个月从今天算起）：到期的在贷贷款及其借款户；到期余额——有还款计划的贷款取该月应还各期的未还本金，其他贷款在到期月取全部余额；若不续贷，该月末剩余的余额及其占今日余额的比例。已经逾期未还的金额仍留在余额中（要清收，而不是续贷）。

预测余额加上按本库历史测算的续贷：续贷率（最近 12 个月贷款结清、并在 retention.renewal_grace_days（默认 60）天内获得新贷款的客户 ÷ 贷款结清的客户；核销不算结清）× 续贷金额比（新贷款 ÷ 被续贷的原贷款）× 已到期余额。缺口是回到今日余额（或 --target-balance）所需的新增放款；预测余额首次低于今日余额 retention.cliff_share（默认 80%）的月份即“断层”。每个数字的公式都列在表格下方，JSON 中为 definitions。

示例：

    retain runoff                                              # 未来 12 个月
    retain runoff --officer 王芳 --months 6 --target-balance 5000000
    retain runoff --by guarantee --format json
""",
    "retention": """按期间统计客户留存：谁留下、谁流失、谁复贷、谁被挽回。按客户计数，不按贷款笔数。

借款户是有在贷贷款的客户（已发放、未结清；核销贷款在结清日结束，没有结清日则在到期日结束）。期初 = 期间前一天结束时，期末 = 期间最后一天结束时。各比率的定义列在表格下方，JSON 中为 definitions。--from 和 --to 默认为截至今天的最近 12 个月（4 个季度、3 年）；最后一个期间在 --to 结束。

示例：

    retain retention                                           # 最近 12 个月
    retain retention --period quarter --from 2026-01-01 --by officer
    retain retention --period year --format json
""",
    "tiers": """各客户分层的客户数与贷款余额，以及各行业的优质客户占比（附图）。

分层是配置文件中的 [[tiers]] 规则，按顺序匹配：客户的分层是第一条对其指标成立的规则（见 README 的 Tiers 一节）；没有规则成立的客户计入“未分层”。优质客户是标注 good = true 的分层中的客户，没有任何分层标注时即第一层的客户。余额为在贷贷款余额，单位元。

示例：

    retain tiers
    retain tiers --by officer
    retain tiers --group 东门市场
    retain tiers --format json
""",
    "birthdays": """从今天起 --days 天内过生日的客户，按日期排序，生日取自身份证号。

手机号和身份证号均遮蔽显示；生日为这次庆祝的日期（2月29日出生者平年为2月28日）。从不显示出生年份和年龄。配置 rhythm.birthday_greetings = true 后，客户生日当天也会列入电话清单（birthday 原因），export reminders 可发送生日祝福（export.templates ….birthday）。

示例：

    retain birthdays
    retain birthdays --days 30 --officer 王芳
    retain birthdays --format json
""",
    "calls": """今天该给谁打电话，以及原因：每位客户一行，最该联系的在前。

得分是若干具名项的加权和（overdue 逾期、maturing 到期、follow_up 约定跟进、post_loan_check 贷后检查、revisit 回访、win_back 挽回、recovery 核销追偿、broken_promise 承诺未兑现）；权重和联系节奏在配置中（retain config show）。最近几天联系过的客户不列出，除非约定的跟进日已到或其五级分类变差；未接通和空号不算联系。得分相同时按客户编号排序，因此同一数据库、同一 --today 下清单总是相同。该联系的潜在客户（prospect 潜在客户项）也列在其中，编号为 P<n>。

示例：

    retain calls                                            # 今天的电话清单
    retain calls --officer 王芳 --reason maturing --limit 10
    retain calls --explain C0001                            # C0001 的得分逐项说明
    retain calls --format ids | retain log - --channel 短信 --outcome 已接通
    retain calls --output 今日电话.xlsx
""",
    "log": """记录与一位或多位客户的联系（要么全部记录，要么一条都不记）。

CUSTOMER_ID 可以是 -，表示从标准输入逐行读取客户编号。联系方式和结果可以用中文：电话/上门/短信/微信；已接通/未接通/同意续贷/承诺还款/拒绝/空号。

未接通和空号只是尝试，不算联系：客户仍留在电话清单上。与已记录的联系客户、方式、结果都相同且时间相差不到 10 分钟的，看起来是重复录入：在终端中会询问，在脚本中不记录（退出码 1），除非加 --yes。

给出潜客编号（P7）则记录与潜在客户的联系：新潜在客户的第一次真正联系使其改为已联系（contacted）；不接受 --loan 和 --amount；一次记录中客户和潜在客户不能混在一起。

--outcome promised 加 --next 日期 和 --amount 金额 记录一笔承诺还款（涉及 --loan，否则为客户的逾期贷款），承诺日期之后的第一次贷款导入判定其是否兑现：见 `retain promises`。

示例：

    retain log C0001 --channel 电话 --outcome 承诺还款 --next +3d --note "月底还款"
    retain log C0001 --outcome 承诺还款 --next 2026-12-05 --amount 3000
    retain log C0002 --channel 上门 --outcome 同意续贷 --loan JJ20260002
    retain due --format ids | retain log - --channel 短信 --outcome 已接通
    retain log C0003 --outcome 未接通 --yes
    retain log P7 --outcome 已接通 --next +3d --note "下周来看店"
""",
    "promises": """承诺还款（用 `retain log --outcome promised --next 日期 --amount 金额` 记录），承诺日期新的在前，并给出每位客户经理的兑现率。

承诺在判定之前为“待兑现”：承诺日期之后（导入数据截至日晚于承诺日期）的第一次贷款导入对其判定：所涉贷款均已不再逾期，或承诺以来还款金额（余额的减少，或还款计划中截至承诺日期的实还金额）达到承诺金额，为“已兑现”，否则为“未兑现”。同一笔贷款的新承诺取代尚未判定的旧承诺。兑现率 = 已兑现 ÷ 已判定（已兑现 + 未兑现），按客户经理（log --officer 给出的，否则为客户的客户经理）计算。

示例：

    retain promises --status broken
    retain promises --officer 王芳 --format json
    retain promises --status open --output promises.xlsx
""",
    "prospect": """潜在客户：还没有贷过款的人，来自点线圈面（转介绍、供应链、圈层、联盟），及其阶段 new → contacted → applied → approved → disbursed，或 lost。

示例：

    retain prospect add 张三 --phone 13812345678 --channel 点 --referrer C0001
    retain prospect move P1 applied
    retain prospect list --stage new
""",
    "prospect add": """记录一位潜在客户，并输出其编号（P1、P2 …）。

--channel 可用 referral|supply_chain|circle|alliance|walk_in|other、中文名（转介绍/供应链/圈层/联盟/自然到访/其他）或 点/线/圈/面。手机号码和身份证号按客户导入的规则检查；已在册的人（手机号码或身份证号相同的客户或潜在客户）会被拒绝。--referrer 为客户编号或潜客编号（P7）。--need 单位为元（可写 30万）。

示例：

    retain prospect add 张三 --phone 13812345678 --channel 转介绍 --referrer C0001
    retain prospect add 李四 --channel 圈 --source "商会年会" --need 30万 --next +3d
""",
    "prospect move": """把潜在客户改到另一个阶段；每次变化都连同日期保存。

沿 new → contacted → applied → approved → disbursed 向前（可以跳过阶段）；任何未结束的阶段都可改为 lost，须给出 --reason no_need|rate|declined_by_us|competitor|unreachable|other（无需求/利率/我方拒绝/同业/联系不上/其他）。已流失的可重新跟进，改为 new 以外的任何阶段。不能后退，已放款的不能再改。贷款导入时，新客户的手机号码或身份证号与潜在客户相同的，自动改为 disbursed。

示例：

    retain prospect move P3 contacted
    retain prospect move P3 lost --reason 利率 --on 2026-11-28
    retain prospect move P3 applied       # 重新跟进
""",
    "prospect list": """潜在客户，最新的在前；手机号码打码，除非加 --reveal。

示例：

    retain prospect list --stage new --officer 王芳
    retain prospect list --channel 圈 --format json
""",
    "prospect forget": """应本人要求删除一位已流失潜在客户的个人信息。

清除姓名、手机号码、身份证号、来源、备注和跟进日期；匿名记录（渠道、各阶段及其日期、客户经理、需求金额）保留，供转化统计使用。只有已流失的潜在客户才能删除（请先改为 lost）。数据库的审计记录（changes 表，entity 为 prospect，field 为 forget）记下删除的时间，不记内容。

示例：

    retain prospect forget P3
""",
    "officers": """数据库中已知的客户经理，及其客户数、在贷笔数和贷款余额：包括用 `retain officer add` 添加的，以及在导入文件的客户经理列、联系记录或潜在客户中出现过的所有姓名。

示例：

    retain officers
    retain officers --format json
""",
    "db": """分行共用的 PostgreSQL 数据库：建立数据库结构，并指定哪个登录名属于哪位客户经理。这里的命令都由数据库所有者（拥有该数据库的登录名）或超级用户运行。

示例：

    createdb -T template0 -E UTF8 --lc-collate=C --lc-ctype=C retain
    retain db init postgresql://owner@dbhost/retain
    retain --db postgresql://owner@dbhost/retain db grant wangfang --officer 王芳
""",
    "db init": """在一个空的 PostgreSQL 数据库中建立 retain 的数据库结构（一个事务），并设置谁能看到什么：组角色 retain_officer 和 retain_manager、登录名表、授权和行级安全策略。再次运行不做任何改动，并会说明。

数据库须按字节排序文本（排序规则 C），与 SQLite 相同：请用 `createdb -T template0 -E UTF8 --lc-collate=C --lc-ctype=C retain` 建库。所有者的登录名需要 CREATEROLE 权限（或由超级用户运行一次）。URL 中不要写密码：请用 PGPASSWORD、~/.pgpass 或服务文件。

示例：

    retain db init postgresql://owner@dbhost/retain
    retain db init "postgresql://owner@/retain?host=/var/run/postgresql"
""",
    "db grant": """把一个已有的登录名绑定到一位客户经理（此后它只能读写该客户经理的客户和潜在客户），或设为主管的登录名（全部数据、导入和移交）。再次授予会替换该登录名原有的角色。

示例：

    retain --db postgresql://owner@dbhost/retain db grant wangfang --officer 王芳
    retain --db postgresql://owner@dbhost/retain db grant zhaomin --manager
""",
    "db revoke": """收回一个登录名的角色：它将看不到数据库中的任何数据。登录名本身仍留在服务器上（DROP ROLE 由服务器管理员处理）。

示例：

    retain --db postgresql://owner@dbhost/retain db revoke wangfang
""",
    "db roles": """数据库的登录名，及其角色和所属客户经理。

示例：

    retain --db postgresql://owner@dbhost/retain db roles
    retain --db postgresql://owner@dbhost/retain db roles --format json
""",
    "officer": """添加客户经理、改名或停用。

姓名经 NFKC 规范化并去除首尾空格后精确匹配（全角字母和多余空格不会变成另一位客户经理）。

示例：

    retain officer add 李娜
    retain officer rename "王 芳" 王芳
    retain officer deactivate 张伟
""",
    "officer add": """登记一位客户经理（或重新启用已停用的），以便在任何文件出现其姓名之前就可以把客户移交给他。

示例：

    retain officer add 李娜
""",
    "officer rename": """在一个事务中把客户经理的姓名全部改正：客户、联系记录、承诺、潜在客户、快照和管户历史。改成数据库中已有的姓名即合并两者（真实姓名的错别字），同一天的快照相加。

示例：

    retain officer rename "王 芳" 王芳
""",
    "officer deactivate": """停用客户经理：之后不能再向其移交客户。仍有客户时拒绝（退出码 1）：请先移交。

示例：

    retain handover --from 张伟 --to 李娜 --all
    retain officer deactivate 张伟
""",
    "handover": """在一个事务中把客户从一位客户经理移交给另一位：客户连同其贷款、待跟进事项、未到期的承诺还款，以及其推荐的在跟进潜在客户（--all 时为该客户经理的全部在跟进潜客）。已发生的联系记录仍归当时的客户经理。

用 --customer（可重复，或用逗号分隔）、--industry、--group（移出客户经理名下该类群的客户）或 --all 选择客户。管户历史记录每位客户自何时起由谁管理（`retain show`、`retain history`）；变更记录中记下这次移交（`retain audit --kind handover`）。之后导入的文件如果数据日期不晚于移交日，保留新的客户经理（加 `import … --officer-from-file` 以文件为准）。

拒绝（退出码 1）：接收人不存在或已停用、客户不属于移出的客户经理。

示例：

    retain handover --from 张伟 --to 李娜 --all --note "张伟调岗"
    retain handover --from 张伟 --to 王芳 --industry 餐饮 --dry-run
    retain handover --from 张伟 --to 王芳 --group 东门市场
    retain handover --from 张伟 --to 王芳 --customer C0001 --customer C0002 --as-of 2026-12-01
""",
    "audit": """变更记录，最新的在前：谁在何时改了什么，原值 → 新值。

包括导入（逐字段）、联系记录的更正（`contacts undo`）、移交、客户经理的变更。手机号码和身份证号默认打码（--reveal 显示完整）。变更记录只能追加：数据库拒绝修改或删除（`retain doctor` 会检查）。

示例：

    retain audit --customer C0001
    retain audit --kind handover --since 2026-11-01
    retain audit --since 2026-11-30 --format json
""",
    "history": """客户的联系记录，最新的在前，包括未接通和空号。

每条联系都有编号，供 `retain contacts undo 编号` 使用。潜在客户（P7）：列出其联系（JSON 字段相同），表格中还有其阶段记录。

示例：

    retain history C0001
    retain history P7
    retain history C0001 --format json
""",
    "show": """客户卡片：基本信息（已打码）、各笔贷款及其五级分类、联系记录、下次跟进日期，以及该客户今天是否在电话清单上、为什么。潜在客户（P7）：基本信息（已打码）、阶段记录和联系记录。

示例：

    retain show C0001
    retain --lang zh show C0001 --reveal                    # 显示完整手机号和身份证号
    retain show P7
""",
    "contacts": """更正联系记录：撤销误记的联系。

`retain log` 记录联系，`retain history 客户编号` 列出联系及其编号。

示例：

    retain contacts undo                                    # 撤销最后记录的一条
    retain contacts undo 42                                 # 撤销编号为 42 的一条
""",
    "contacts undo": """删除一条误记的联系。

不给 CONTACT_ID 时，删除最后录入的一条（按录入顺序，不论其 --at）；否则删除该编号的一条（`retain history 客户编号` 显示编号）。

客户的电话清单随即更新（最近联系、免打扰天数、跟进日期、未接通次数；删除的空号不再使号码无效）。被删除联系的每个字段都保存在数据库的审计记录中（changes 表，entity 为 contact），可以手工恢复。这条联系记录的承诺还款随之删除（审计记录中 entity 为 promise），被它取代的承诺恢复为待兑现。

潜在客户的联系（`retain log P7`）用 --prospect P7 撤销（审计记录 entity 为 prospect_contact）。若被删除的正是把新潜客推进到“已联系”的那条联系，该阶段随剩下的联系调整：按剩下的第一条真实联系重新定日期；没有剩下的则撤回该阶段（审计记录 entity 为 prospect_stage）。不带参数的撤销不会越过更新的潜客联系去删除较早的客户联系：会拒绝并指出是哪位潜客。

示例：

    retain contacts undo
    retain history C0001 --format json                      # 查找编号
    retain contacts undo 42
    retain contacts undo --officer 王芳
    retain contacts undo --prospect P7
""",
    "import": """从 CSV、TSV、JSON、NDJSON、XLSX 或 XLS 文件导入客户、贷款、还款计划、担保人或潜在客户。

示例：

    retain import customers 客户清单.xlsx
    retain import loans 贷款台账.csv --rejects 待修正.csv
""",
    "import customers": """导入客户。必需的列：customer_id（客户编号）、name（客户名称）。

退出码：0 全部导入，3 有行被拒绝（其余正确的行已提交），1 出错（未提交任何数据），2 用法错误。

示例：

    retain import customers 客户清单.xlsx
    retain import customers export.csv --map bank.toml --dry-run   # 先试运行
    retain import customers 客戶.csv --encoding big5                # 繁体 Big5 文件
""",
    "import loans": """导入贷款。必需的列：loan_id（借据号）、customer_id（客户编号）、principal（贷款金额）、disbursed_on（放款日期）、matures_on（到期日期，或 term_months 贷款期限）、guarantee（担保方式）、status（贷款状态）。同一文件中的客户列（客户名称、手机号码……）会一并新建或更新客户。可选的 collateral_insurance_expires（抵押物保险到期日）和 collateral_certificate_expires（他项权证到期日）用于“抵押物到期”提醒。

退出码：0 全部导入，3 有行被拒绝（其余正确的行已提交），1 出错（未提交任何数据），2 用法错误。

示例：

    retain import loans 贷款台账.csv
    retain import loans 台账.xlsx --sheet 贷款                       # 指定工作表
    cat loans.ndjson | retain import loans - --input-format ndjson --format json
""",
    "import schedule": """导入还款计划：每笔贷款每期一行。必需的列：loan_id（借据号）、period（期数）、due_on（应还日期）、principal_due（应还本金）、interest_due（应还利息）；可选 paid_on（实还日期）和 paid_amount（实还金额），两者同填或同空。贷款须已在库中。导入后，文件中每笔贷款的下次应还取最早一期未还清的分期，逾期天数从最早一期未还清的分期起算。

退出码：0 全部导入，3 有行被拒绝（其余正确的行已提交），1 出错（未提交任何数据），2 用法错误。

示例：

    retain import schedule 还款计划.xlsx
    retain import schedule schedule.csv --as-of 2026-11-27 --format json
""",
    "import prospects": """导入潜在客户：活动的报名表、合作方的名单。必需的列：name（姓名/客户名称）；可选 phone（手机号码/联系电话）、id_number（身份证号）、industry（所属行业）、channel（渠道/来源渠道：转介绍/供应链/圈层/联盟/自然到访/其他 或 点/线/圈/面；空白为其他）、referrer（介绍人/推荐人：客户编号或 P7）、officer（客户经理）、need（需求金额，单位元；可用万元）、source（来源）、note（备注）。每人以 new 阶段进入，日期为导入所属的日期（--as-of）。

每人只导入一次：与前面某行手机号码或身份证号相同的行被拒绝；已在册的人（手机号码或身份证号相同的客户或潜在客户）不再导入，在摘要中列出并计为未变。同一份名单导入两次不会有任何改变。

退出码：0 全部导入，3 有行被拒绝（其余正确的行已提交），1 出错（未提交任何数据），2 用法错误。

示例：

    retain import prospects 商会报名表.xlsx
    retain import prospects partners.csv --as-of 2026-11-28 --format json
""",
    "import guarantors": """导入贷款的担保人。必需的列：loan_id（借据号）、name（担保人）；可选 phone（担保人电话）、relation（与借款人关系）、id_number（担保人证件号）。一笔贷款可以有多个担保人：每人一行，按证件号区分，没有证件号时按姓名区分。须先导入贷款。手机号码和证件号的校验与客户相同。overdue 和 show 会列出担保人（手机号打码），担保人从不会收到短信。

退出码：0 全部导入，3 有行被拒绝（其余正确的行已提交），1 出错（未提交任何数据），2 用法错误。

示例：

    retain import guarantors 担保人清单.xlsx
    retain import guarantors guarantors.csv --dry-run --format json
""",
    "import holdings": """导入产品持有情况：每位客户持有的本行其他产品。必需的列：customer_id（客户编号）、product_type（产品类型/产品：活期、定期、借记卡、信用卡、理财、保险、代发工资、手机银行、其他，或 deposit、term_deposit、card、credit_card、wealth、insurance、payroll、mobile_banking、other）；可选 account（账号/产品编号）、balance（余额/金额）、opened_on（开户日期）、closed_on（销户日期：该产品已销户）。一项持有按产品和账号区分，没有账号时按客户、产品和开户日期区分。须先导入客户。文件中没有的持有项保持不变。

退出码：0 全部导入，3 有行被拒绝（其余正确的行已提交），1 出错（未提交任何数据），2 用法错误。

示例：

    retain import holdings 产品持有.xlsx
    retain import holdings holdings.csv --as-of 2026-11-27 --format json
""",
    "coverage": """产品覆盖度：每位客户持有本行几个产品（0、1、2、3 个以上，来自 retain import holdings）、金融资产（AUM：未销户产品的余额，信用卡除外）和各组的优质客户数；然后是交叉营销缺口。

交叉营销缺口：优质客户缺少同类客户中超过 coverage.peer_share（默认 0.5）的人持有的产品；建议产品是其中持有率最高的一个。同类客户指同一行业的客户（未填行业的客户没有缺口）。优质客户：有在贷贷款或在 rhythm.win_back_months 内结清的贷款，所有在贷贷款都属于第一个五级分类（正常），且没有核销贷款。

表格显示各组和前 --limit 个缺口；json 为一个对象（groups 的第一行为合计，以及 gaps）；csv/tsv/ndjson 为各组的行，加 --gaps 则为缺口清单（每位客户一行）。--by tier 按配置中的 [[tiers]] 客户分层分组（retain tiers）；未配置分层时报错（退出码 2）。

示例：

    retain coverage
    retain coverage --by officer --format json
    retain coverage --gaps --format csv > cross-sell.csv
""",
    "config": """查看或修改设置：电话清单权重、联系节奏、五级分类、短信模板。设置保存在一个 TOML 文件中（retain config path）；文件或某项设置缺失时使用默认值。

示例：

    retain config show
    retain config set calls.daily_capacity 15      # 每天最多 15 个电话
    retain config edit
""",
    "config path": """显示配置文件的路径，无论文件是否已存在。

默认是用户配置目录中的 config.toml；环境变量 RETAIN_CONFIG 可以改变它。

示例：

    retain config path
    RETAIN_CONFIG=./支行.toml retain calls         # 用另一份配置
""",
    "config show": """以带注释的 TOML（或 JSON）显示当前生效的设置。

生效的设置是配置文件叠加在默认值之上的结果。每一项都带有说明注释；值与默认不同时还注明默认值。--defaults 显示内置默认值，可直接保存为配置文件。

示例：

    retain config show
    retain config show --defaults > "$(retain config path)"
    retain config show --format json
""",
    "config set": """修改一项设置，写入文件前先检查。

KEY 以点分隔：section.key（retain config show 列出全部），短信模板则为 export.templates.NAME.LANG.REASON。VALUE 能按 TOML 读取时按 TOML 读取（15、0.5、true、"[30, 14, 7, 1]"），否则作为文本。文件中其他设置和注释保持不变；文件不存在时会新建，包含全部设置、注释和默认值。五级分类表（arrears.classes）每个分类一行：请用 retain config edit 修改。

示例：

    retain config set calls.daily_capacity 15             # 每天最多 15 个电话
    retain config set weights.overdue 60                  # 提高逾期的权重
    retain config set rhythm.maturity_tiers "[30, 14, 7, 1]"
    retain config set export.lender XX农商银行             # 短信中的 {lender}
""",
    "config edit": """用 $VISUAL 或 $EDITOR（否则 vi）打开配置文件，保存后检查。

文件不存在时先新建，包含全部设置、注释和默认值。编辑后的文件无效时，错误信息会指出是哪一项；文件会保留，可以再次运行 retain config edit 修正。

示例：

    retain config edit
    EDITOR="code --wait" retain config edit
""",
    "export": """导出提醒，供定时任务（cron）、短信平台、日历和 Excel 使用。

示例：

    retain --today tomorrow export reminders --output 提醒.ics   # 明天的提醒
""",
    "export reminders": """从今天到今天 + DAYS 天内应发的提醒，规则与 retain calls 相同。

每条提醒有稳定的 reminder_id（由客户、原因和该事件的开始日确定），因此日历会更新已有事件而不会重复；--new-only 只导出从未发给该对象的提醒：在一个写事务中读取导出记录、把结果写入临时文件并把这些提醒登记为“待发”；然后把文件放到位，再标记为“已发”。同时运行的第二次导出会等待，然后只导出第一次没有登记的提醒；中途被杀掉的运行由下一次运行清理（文件已在位：算已发；没有文件：重新导出）。所以定时任务运行两次，无论同时还是失败后重跑，都不会重复发送。输出到标准输出时，全部写出后才标记已发；被杀掉或管道提前关闭时这些提醒会再发一次（至少一次）。

--audience customer 用于短信平台：包含完整手机号码，且只含客户可以看到的内容（reminder_id、date、name、phone、message），语言按 export.customer_lang。只有到期、逾期、无贷户维护和分期还款会发给客户；每位客户每天最多一条（得分最高的原因）；没有可用手机号码的不发；export.customer_quiet_days 天内发过的同类原因不再发；约定日期之前不发到期、逾期和分期还款短信；只在工作日发送（周末的提前到周五，逾期的推到周一）。各条规则略去了什么会在标准错误输出中说明。--audience officer 的手机号码会打码，除非加 --reveal。身份证号从不出现。

最近一次贷款导入的数据超过 data.stale_after_days 天（默认 3）时，--audience customer 拒绝导出（退出码 1，不写文件，不记录），除非加 --allow-stale：过时的逾期天数不能当作事实发给客户。定时任务遇到退出码 1 应先导入最新的台账。

格式：csv（UTF-8 带 BOM，便于 Excel 打开；--lang zh 时表头为中文）、xlsx、json、ndjson、ics（每条提醒一个全天事件，09:00 提醒）。格式取自 --format 或 --output 文件的扩展名；没有 --output 时输出到标准输出。文件以原子方式写入，权限 0600。退出码：0 已导出（即使没有提醒），1 出错，2 用法错误。

示例：

    # 明天要发给客户的短信，只导出没发过的：
    retain --today tomorrow export reminders --days 0 --audience customer \\
        --new-only --output sms-$(date +%F).csv
    retain export reminders --days 7 --kinds maturing,overdue --output 本周提醒.xlsx
    retain --lang zh export reminders --days 30 --output 提醒.ics
""",
    "doctor": """检查数据库：每项检查一行，结果为 ok、warn 或 fail。

检查项：文件是否为 SQLite 数据库；PRAGMA integrity_check 和 foreign_key_check；已应用的数据库结构版本与本程序是否一致；审计记录（changes 表）的只增不改保护；数据新旧（最近一次贷款台账导入与 data.stale_after_days 比较）；文件和目录权限（0600/0700）；WAL 文件大小（超过 64 MB 时警告）；中断运行遗留的临时文件。doctor 只读取数据库，从不升级、修复或修改权限。输出中不含任何客户和电话。没有检查失败时退出码为 0，否则为 1。

示例：

    retain doctor
    retain doctor --format json | jq '.checks[] | select(.status != "ok")'
""",
    "backup": """把数据库复制到备份文件，其他程序同时读写也安全。

使用 SQLite 的在线备份复制一致的快照；副本通过 integrity_check 之后才取得正式文件名，权限 0600。默认 PATH：数据库所在目录下的 backups/retain-YYYYmmdd-HHMMSS.db（backups/ 以 0700 创建）；PATH 为目录时在其中使用这样的文件名。已存在的文件不加 --force 绝不覆盖。--keep N 随后删除该目录中除最新 N 个以外的带时间戳备份。

示例：

    retain backup
    retain backup --keep 14
    retain backup /mnt/usb/retain-before-upgrade.db
""",
    "restore": """检查备份后，用它替换数据库。

备份必须是 retain 数据库，通过 integrity_check，且结构版本不比本程序新；否则不作任何改动。当前数据库保存在旁边，名为 <文件名>.before-restore-YYYYmmdd-HHMMSS，随后检查过的副本以原子方式替换它（权限 0600）。请先停止其他 retain 运行（如 cron）：restore 最多等待它们 30 秒。在终端上会要求确认；脚本请加 --yes。

示例：

    retain restore ~/.config/retain/backups/retain-20261130-063000.db
    retain restore backup.db --yes
""",
    "db copy": """把一个数据库的全部数据复制到另一个空数据库：把个人的 SQLite 数据库搬进分行的 PostgreSQL 数据库，或把分行数据库复制成一个新的 SQLite 文件供出差的笔记本电脑使用（两边都可以是文件路径或 postgresql:// URL）。

所有表、行、列原样复制：编号、贷款和担保人的顺序、变更记录；此后新记录的编号接着复制来的最大编号往下排。目标必须是结构版本相同的空数据库（PostgreSQL 数据库须已运行 `retain db init`；SQLite 路径尚不存在时会新建）。整个复制在一个事务中写入，只有从目标读回的每张表的行数和校验和（按主键顺序对所有行计算的 SHA-256）都与源数据相同才提交；否则什么也不写入，以退出码 1 结束并指出是哪张表。源数据库只读，取自同一快照。输出只有表名，不含任何客户或电话。URL 中带密码会被拒绝：请用 PGPASSWORD、~/.pgpass 或服务文件。

示例：

    retain db copy --from ~/.config/retain/retain.db --to postgresql://wangfang@branch-db/retain
    retain db copy --from postgresql://wangfang@branch-db/retain --to ~/laptop.db --format json
""",
    "group": """类群：一个市场、一个协会、一条供应链、一个村、一家单位里的客户和潜在客户。每个清单都可加 --group 名称。

示例：

    retain group add 东门批发市场 --kind market

    retain group join 东门批发市场 C1 C2 P3
""",
    "season": """即将到来的季节性营销（季节性需求），来自设置中的 [[seasons]] 表：日期在 --weeks 周之内（或提前窗口已开始）的每个季节，以及它涉及的客户和潜在客户。

季节的日期是 MM-DD，或中国节日（春节、中秋、端午，日期来自 holidays 包的农历），后跟天数偏移（春节 -45）。它涉及行业包含该季节行业词的客户（服装 匹配 服装加工），或其类群的成员，以及同样条件下未结束的潜在客户。有逾期贷款的客户不列出。每个活动内先列客户：贷款在该季节日期前到期的（续贷要赶在前面）在前，再按可增额度（历史最大一笔贷款减去当前余额）从大到小；然后是潜在客户。

示例：

    retain season

    retain season --weeks 12 --format json
""",
    "group add": """新建类群。

示例：

    retain group add 东门批发市场 --kind 市场
""",
    "group join": """把客户或潜在客户加入类群（加入日期为今天）。任何一个编号不存在则整条命令被拒绝，什么都不加。

示例：

    retain group join 东门批发市场 C1 C2 P3

    retain noloan --format ids | retain group join 东门批发市场 -
""",
    "group leave": """把客户或潜在客户移出类群。

示例：

    retain group leave 东门批发市场 C2
""",
    "group list": """所有类群：类型、客户数、潜在客户数及客户的贷款余额。

示例：

    retain group list --format json
""",
    "group show": """类群的客户（贷款余额、逾期余额、最长逾期天数），以及其中的潜在客户（阶段）：三个摊位在这里贷款的市场，就是找第四个的地方。手机号默认打码，--reveal 显示完整号码。

示例：

    retain group show 东门批发市场
""",
}

# Options and arguments that mean the same in every command that has them.
OPTIONS: dict[str, str] = {
    "--db": "数据库文件。默认：用户数据目录中的 retain.db。",
    "--today": f"所有日期规则使用的“今天”：{CATALOGUE['error.date.forms'][1]}。",
    "--lang": "表格、消息和帮助的语言：en 或 zh，可写在命令行的任何位置。"
    "默认：按 LC_ALL/LANG 判断。",
    "--version": "显示版本。",
    "--days": "时间窗口的天数。",
    "--officer": "只看该客户经理的客户。",
    "--group": "只看该类群的客户（见 retain group list）。",
    "--limit": "最多显示 N 行。默认：表格 200 行，其他格式不限。",
    "--reveal": "显示完整手机号码（默认打码）。",
    "--force": "--output 文件已存在时覆盖它（默认拒绝，退出码 2）。",
    "--as-of": "文件数据所属的日期，用于早先导出的文件（周五的导出周一导入）：其中的逾期天数是该日的快照，"
    "此后逐日增加。默认：今天。",
    "--format": "auto = 在终端中显示表格，在管道中输出 TSV。",
    "--output": "写入文件 FILE（原子写入，权限 0600）：csv（带 BOM，便于 Excel 打开）、tsv、"
    "json、ndjson、ids 或 xlsx，格式取自 --format 或文件扩展名。",
    "CUSTOMER_ID": "客户编号。",
    "FILE": "要导入的文件，或 - 表示标准输入。",
    "--map": "TOML 映射文件，用于外来格式的导出文件。",
    "--rejects": "被拒绝的行写到哪里（已存在则替换）。默认：输入文件旁的 <文件名>.rejects.csv，"
    "已存在时用 .rejects.2.csv ……：从不覆盖。",
    "--encoding": "文本文件的编码（utf-8、gb18030、big5、utf-16 ……）。默认：自动识别；"
    "无法区分 GB18030 与 Big5 时会要求指定。",
    "--sheet": "要导入的工作表，按名称或序号（1 = 第一个）。默认：第一个有表头行的工作表。",
    "--dry-run": "检查全部内容但不写入，报告将会发生什么。",
    "--input-format": "FILE 的格式；从标准输入读取时必须指定，否则取自扩展名。",
}

# Options whose meaning is their command's own; these win over OPTIONS.
COMMAND_OPTIONS: dict[str, dict[str, str]] = {
    "due": {
        "--industry": "只看该行业。",
        "--guarantee": "担保方式：credit|guarantee|mortgage|pledge（或 信用/保证/抵押/质押）。",
        "--min-amount": "最低贷款金额，单位元（可写“万”）。",
        "--sort": "清单的排序：maturity 到期日、amount 金额、officer 客户经理。",
        "--instalments": "同时列出窗口内应还而未还清的分期，每笔贷款每期一行，与到期贷款并列"
        "（kind 为 instalment 分期或 maturity 到期；amount_due 为尚欠金额）。",
    },
    "overdue": {
        "--min-days": "只看逾期至少 N 天的贷款。",
        "--class": "只看该分类的贷款：中文或英文名称（次级 或 substandard）。",
        "--summary": "只输出按分类汇总的在册贷款及 PAR30/PAR90：终端中为表格，管道中为 JSON。",
        "--include-written-off": "也列出已核销贷款（账销案存），排在在册贷款之后，分类为“已核销”。",
    },
    "activity": {
        "--week": "ISO 周，如 2026-W48（默认：本周）。",
        "--month": "改为统计一个自然月，YYYY-MM。",
        "--officer": "只看这位客户经理。",
        "--streak": "每位客户经理连续达到上门指标的周数。",
        "--format": "auto = 在终端中显示表格，在管道中输出 TSV；json 为一个对象（--streak 时为列表）。",
    },
    "report": {
        "--month": "要回顾的月份，YYYY-MM（如 2026-11），不晚于本月。",
        "--output": "要写入的 HTML 文件（权限 0600）。",
    },
    "pipeline": {
        "--officer": "只看该客户经理的潜在客户。",
        "--channel": "只看该渠道：referral、supply_chain、circle、alliance、walk_in、other，或中文名（转介绍/供应链/圈层/联盟/自然到访/其他），或 点/线/圈/面。",
        "--from": "只看 DATE 当天及之后录入的潜在客户（默认：全部）。",
        "--to": "只看 DATE 当天及之前录入的潜在客户（默认：今天）。",
    },
    "referrals": {
        "CUSTOMER_ID": "要查看其转介绍的客户（默认：转介绍排行）。",
        "--officer": "转介绍排行：只看该客户经理的客户。",
        "--limit": "转介绍排行：最多 N 位。",
    },
    "trend": {
        "--weeks": "从今天往回看多少周。",
        "--metric": "图中显示的指标：balance 余额、par30、par90、overdue 逾期余额、customers 客户数、loans 在贷笔数、noloan 无贷户数。",
    },
    "runoff": {
        "--months": "向后看多少个自然月。",
        "--by": "另按客户经理、行业或担保方式分别列出阶梯。",
        "--target-balance": "要保持的余额，单位元（默认：今日余额）。",
        "--format": "auto = 在终端中显示表格，在管道中输出 TSV；json 为一个含口径定义的对象，"
        "csv/tsv/ndjson 为各月的行。",
    },
    "tiers": {
        "--by": "另按行业、客户经理或类群（客户最先加入的那个）拆分各分层。",
        "--group": "只统计该类群的客户（retain group list）。",
        "--format": "auto = 在终端中显示表格，在管道中输出 TSV；json 为一个对象（各分层与各行业优质客户占比），"
        "csv/tsv/ndjson 为各分层的行。",
    },
    "birthdays": {
        "--days": "向后看多少天（0：仅今天）。",
    },
    "retention": {
        "--period": "期间长度：month（月）、quarter（季度）或 year（年）。",
        "--from": "从包含 DATE 的期间开始（默认：向前 12 个月、4 个季度或 3 年）。",
        "--to": "截至 DATE：最后一个期间在此结束（默认：今天）。",
        "--by": "另按客户经理（客户当前的客户经理）分别统计。",
        "--format": "auto = 在终端中显示表格，在管道中输出 TSV；json 为一个含口径定义的对象，"
        "csv/tsv/ndjson 为各期间的行。",
    },
    "noloan": {
        "--closed-within": "只看最近一笔贷款在今天之前 PERIOD 内结清的客户："
        "90d、12w、6m 或天数。不含从未借款的客户。",
        "--min-loans": "只看历史贷款至少 N 笔的客户（1 及以上即不含从未借款的客户）。",
        "--include-bad": "也列出有核销贷款或最差分类 ≥ arrears.bad_from 的客户。",
    },
    "calls": {
        "--reason": "只看有该原因的客户（可重复）：overdue、maturing、follow_up、"
        "post_loan_check、revisit、win_back、recovery、broken_promise。",
        "--explain": "逐项说明 CUSTOMER_ID 的得分是怎样算出的（潜在客户：P7）。",
    },
    "log": {
        "CUSTOMER_IDS": "客户编号，或 - 表示从标准输入读取。",
        "--channel": "联系方式：call|visit|sms|wechat|other（电话/上门/短信/微信）。",
        "--outcome": "联系结果：reached|no_answer|renewing|repaying|promised|declined|"
        "wrong_number|other（已接通/未接通/同意续贷/承诺还款/拒绝/空号）。",
        "--note": "备注（任意文字）。",
        "--next": "约定的跟进日期：YYYY-MM-DD、+3d、+2w、明天、next monday。",
        "--loan": "这次联系涉及的贷款（借据号）。",
        "--at": "联系发生的时间（默认：现在，日期取 --today）。",
        "--officer": "这次联系由谁进行。",
        "--amount": "与 --outcome promised 和 --next 一起使用：承诺还款的金额，单位元"
        "（记为一笔承诺还款，承诺日期过后的下一次贷款导入判定是否兑现）。",
        "--yes": "即使与 10 分钟内已记录的联系重复，也照样记录。",
    },
    "group add": {
        "NAME": "类群名称。",
        "--kind": "类型：market|association|supply_chain|village|employer|other（市场/协会/供应链/村/单位/其他）。",
    },
    "group join": {
        "GROUP": "类群名称。",
        "IDS": "客户编号或潜在客户编号（P17），或 - 表示从标准输入读取。",
    },
    "group leave": {
        "GROUP": "类群名称。",
        "IDS": "客户编号或潜在客户编号（P17），或 - 表示从标准输入读取。",
    },
    "group show": {"GROUP": "类群名称。"},
    "season": {"--weeks": "向前看多少周。"},
    "contacts undo": {
        "CONTACT_ID": "要删除的联系编号（默认：最后记录的一条）。",
        "--officer": "不给 CONTACT_ID 时：删除以该 --officer 记录的最后一条联系。",
        "--prospect": "潜在客户（P7）的联系：CONTACT_ID 指定的一条（`retain history P7` 显示编号），否则其最后记录的一条。",
    },
    "db init": {"URL": "postgresql://所有者@主机/数据库"},
    "db grant": {
        "LOGIN": "数据库登录名。",
        "--officer": "该登录名能看到其客户的客户经理。",
        "--manager": "主管的登录名：全部数据。",
    },
    "db revoke": {"LOGIN": "数据库登录名。"},
    "db roles": {},
    "db copy": {
        "--from": "要复制的数据库：SQLite 文件或 postgresql:// URL。",
        "--to": "要填入的空数据库：新的 SQLite 文件，或已初始化的 postgresql:// URL。",
        "--format": "auto = 在终端中显示表格，在管道中输出 TSV；每张表一行：表名、行数、校验和、是否一致。",
    },
    "officers": {},
    "officer add": {"NAME": "客户经理姓名。"},
    "officer deactivate": {"NAME": "客户经理姓名。"},
    "officer rename": {"OLD": "现在的姓名。", "NEW": "正确的姓名。"},
    "handover": {
        "--from": "移出客户的客户经理。",
        "--to": "接收客户的客户经理（须在岗）。",
        "--customer": "这些客户（可重复，或用逗号分隔）。",
        "--industry": "移出客户经理名下该行业的客户。",
        "--group": "移出客户经理名下该类群的客户（retain group list）。",
        "--all": "移出客户经理名下的全部客户。",
        "--as-of": "新客户经理接手的日期。默认：今天。",
        "--note": "原因，记入管户历史。",
        "--dry-run": "只显示将移交什么，不作改动。",
        "--format": "table（表格）或 json。",
    },
    "audit": {
        "--customer": "只看该客户的记录。",
        "--since": "只看该日期及之后记录的变更。",
        "--kind": "只看该类别：import 导入、log 联系记录、handover 移交、officer 客户经理、config 配置、forget 删除个人信息。",
    },
    "history": {"--format": "table（表格）或 json。"},
    "prospect add": {
        "NAME": "此人的姓名。",
        "--phone": "手机或固定电话。",
        "--id-number": "身份证号（18 位）。",
        "--industry": "所属行业。",
        "--channel": "渠道：referral|supply_chain|circle|alliance|walk_in|other，或 点/线/圈/面。",
        "--referrer": "介绍人：客户编号或潜客编号（P7）。",
        "--source": "来源（活动、市场、合作方）。",
        "--need": "需求金额，单位元。",
        "--officer": "负责的客户经理。",
        "--next": "何时联系：YYYY-MM-DD、+3d、明天。",
        "--note": "备注（任意文字）。",
    },
    "prospect move": {
        "IDENT": "潜在客户（P7）。",
        "STAGE": "new|contacted|applied|approved|disbursed|lost（或 已联系/已申请 …）。",
        "--reason": "流失原因（改为 lost 时必填）：no_need|rate|declined_by_us|competitor|unreachable|other。",
        "--on": "发生的日期（默认：今天）。",
    },
    "prospect list": {
        "--stage": "只看该阶段的潜在客户。",
        "--officer": "只看该客户经理的潜在客户。",
        "--channel": "只看该渠道的潜在客户（可用 点/线/圈/面）。",
    },
    "prospect forget": {"IDENT": "已流失的潜在客户（P7）。"},
    "promises": {
        "--status": "只看该状态的承诺：open 待兑现、kept 已兑现、broken 未兑现、superseded 已被取代。",
        "--officer": "只看该客户经理的承诺（及其兑现率）。",
    },
    "import customers": {
        "--format": "导入摘要的输出方式。",
        "--officer-from-file": "对数据日期之后已移交的客户，也采用文件中的客户经理（默认：之后的 `retain handover` 为准，摘要中会说明）。",
        "--as-of": "文件数据所属的日期，用于早先导出的文件：在该日或之后移交的客户保留新的客户经理。默认：今天。",
        "--quiet": "不显示进度条和摘要表（被拒的行和拒绝文件仍在标准错误输出中报告；--format json 仍输出摘要）。",
    },
    "import loans": {
        "--format": "导入摘要的输出方式。",
        "--officer-from-file": "对数据日期之后已移交的客户，也采用文件中的客户经理（默认：之后的 `retain handover` 为准，摘要中会说明）。",
        "--quiet": "不显示进度条和摘要表（被拒的行和拒绝文件仍在标准错误输出中报告；--format json 仍输出摘要）。",
    },
    "import schedule": {
        "--format": "导入摘要的输出方式。",
        "--quiet": "不显示进度条和摘要表（被拒的行和拒绝文件仍在标准错误输出中报告；--format json 仍输出摘要）。",
        "--as-of": "还款数据所属的日期，用于早先导出的文件：该日之前到期而未还清的分期使贷款逾期。默认：今天。",
    },
    "import prospects": {
        "--format": "导入摘要的输出方式。",
        "--quiet": "不显示进度条和摘要表（被拒的行和拒绝文件仍在标准错误输出中报告；--format json 仍输出摘要）。",
        "--as-of": "这些潜在客户进入的日期（活动当天）。默认：今天。",
    },
    "import holdings": {
        "--format": "导入摘要的输出方式。",
        "--quiet": "不显示进度条和摘要表（被拒的行和拒绝文件仍在标准错误输出中报告；--format json 仍输出摘要）。",
        "--as-of": "文件中余额所属的日期，用于早先导出的文件：晚于该日的开户和销户日期会被拒绝。默认：今天。",
    },
    "coverage": {
        "--by": "按行业、客户经理或客户分层分组。",
        "--gaps": "csv/tsv/ndjson：输出缺口清单而不是各组。",
        "--limit": "最多 N 个缺口。默认：表格 50 个，其他格式不限。",
        "--format": "auto = 在终端中显示表格，在管道中输出 TSV；json 为一个对象，csv/tsv/ndjson 为各组的行（或 --gaps 的缺口清单）。",
    },
    "import guarantors": {
        "--format": "导入摘要的输出方式。",
        "--quiet": "不显示进度条和摘要表（被拒的行和拒绝文件仍在标准错误输出中报告；--format json 仍输出摘要）。",
    },
    "config show": {
        "--defaults": "显示内置默认值；不读取配置文件。",
        "--format": "toml（带注释）或 json。",
    },
    "config set": {
        "KEY": "以点分隔的键，例如 weights.overdue。",
        "VALUE": "新的值。",
    },
    "export reminders": {
        "--kinds": "要包含的提醒原因，以逗号分隔，可用名称或中文（到期,逾期 …）。默认：给客户经理的为全部；给客户的为可以发给客户的（到期、逾期、无贷户维护、分期还款）。",
        "--audience": "officer（客户经理，手机号打码）或 customer（客户，用于短信）。",
        "--format": "csv|xlsx|json|ndjson|ics。默认：取自 --output 的扩展名，否则为 csv。",
        "--output": "写入该文件（原子写入）。",
        "--new-only": "只导出此前从未向该对象导出过的提醒。",
        "--template": "配置中的模板组（默认：该对象的模板组）。",
        "--quiet": "不在标准错误输出摘要。",
        "--allow-stale": "即使贷款数据比 data.stale_after_days 更旧也发给客户（默认拒绝，退出码 1）。",
    },
    "doctor": {"--format": "text（每项检查一行）或 json。"},
    "backup": {
        "PATH": "备份文件，或存放带时间戳备份的目录。默认：数据库旁边的 backups/。",
        "--keep": "保留该目录中最新的 N 个带时间戳备份，删除更早的。",
        "--force": "PATH 已存在时覆盖它（默认拒绝，退出码 2）。",
    },
    "restore": {
        "PATH": "要恢复的备份文件。",
        "--yes": "不询问确认。",
    },
}

# click's own words in a help page.
_HEADINGS = {"Usage": "用法", "Options": "选项", "Arguments": "参数", "Commands": "命令"}
_CLICK_TEXTS = {"Show this message and exit.": "显示本帮助并退出。"}
_EXTRAS = (("env var: ", "环境变量："), ("default: ", "默认："), ("required", "必填"))


# --- walking the command tree ---------------------------------------------------------


def param_key(param: Any) -> str:
    """How a parameter is named here: its long option, else the argument in capitals."""
    if getattr(param, "param_type_name", "") == "option":
        longs = [opt for opt in param.opts if opt.startswith("--")]
        return longs[0] if longs else str(param.opts[0])
    return str(param.name).upper()


def walk(command: Any, path: str = "") -> list[tuple[str, Any]]:
    """Every (command path, command) of the tree, the root first."""
    found = [(path, command)]
    for name, sub in getattr(command, "commands", {}).items():
        found.extend(walk(sub, f"{path} {name}".strip()))
    return found


def command_help(path: str) -> str | None:
    return COMMANDS.get(path)


def param_help(path: str, key: str) -> str | None:
    return COMMAND_OPTIONS.get(path, {}).get(key) or OPTIONS.get(key)


def localise(command: Any, lang: str) -> None:
    """Give every command and parameter of the tree the help of ``lang``.

    ``command`` is the root of a click command tree built by
    ``typer.main.get_command``. For ``zh`` the Chinese texts replace the English
    ones (which are kept, so that another language restores them); a command or
    parameter without Chinese keeps its English.
    """
    saved: list[tuple[Any, str, Any]] = getattr(command, "_retain_help_saved", [])
    if not saved:
        for _, node in walk(command):
            for attr in ("help", "short_help", "context_class"):
                saved.append((node, attr, node.__dict__.get(attr, _CLASS_DEFAULT)))
            saved.extend((param, "help", getattr(param, "help", None)) for param in node.params)
        command._retain_help_saved = saved
    for obj, attr, value in saved:
        if value is _CLASS_DEFAULT:
            obj.__dict__.pop(attr, None)
        else:
            setattr(obj, attr, value)
    command._retain_help_lang = lang
    if lang != "zh":
        return
    for path, node in walk(command):
        text = command_help(path)
        if text is not None:
            node.help = text
            node.short_help = summary(text)
        for param in node.params:
            zh = param_help(path, param_key(param))
            if zh is not None:
                param.help = zh
        node.context_class = _zh_context(node.context_class)


_CLASS_DEFAULT = object()


def summary(text: str) -> str:
    """The first sentence (or what precedes its colon) of a help text, for a command list."""
    first = text.strip().split("\n", 1)[0]
    return re.split("[。：]", first, maxsplit=1)[0]


# --- a help formatter for Chinese -------------------------------------------------------

_WIDE = frozenset("WF")
_NO_LINE_START = frozenset("，。、；：？！）」』》〉】”’%,.;:?!)]")
_NO_LINE_END = frozenset("（「『《〈【“‘([")


def display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(char) in _WIDE else 1 for char in text)


def _tokens(text: str) -> list[str]:
    """Words, spaces and single wide characters; punctuation stays with its neighbour."""
    raw = re.findall(r"\s+|[^\s]", text)
    tokens: list[str] = []
    for piece in raw:
        narrow = not piece.isspace() and display_width(piece) == 1
        glue = (
            tokens
            and not piece.isspace()
            and not tokens[-1].isspace()
            and (
                (narrow and display_width(tokens[-1][-1]) == 1 and tokens[-1][-1] not in "|,")
                or piece in _NO_LINE_START
                or tokens[-1][-1] in _NO_LINE_END
            )
        )
        if glue or (piece.isspace() and tokens and tokens[-1].isspace()):
            tokens[-1] += piece
        else:
            tokens.append(piece)
    return tokens


def wrap(text: str, width: int) -> list[str]:
    """``text`` in lines of at most ``width`` columns (a longer word keeps its own
    line), breaking at spaces and between Chinese characters."""
    lines: list[str] = []
    line, used, space = "", 0, False
    for token in _tokens(text):
        if token.isspace():
            space = bool(line)
            continue
        size = display_width(token)
        gap = 1 if space else 0
        if line and used + gap + size > width:
            lines.append(line)
            line, used = token, size
        else:
            line += " " * gap + token
            used += gap + size
        space = False
    if line:
        lines.append(line)
    return lines


def _join(lines: list[str]) -> str:
    """One paragraph's lines as one: no space where a line ends or starts Chinese."""
    text = ""
    for line in (part.strip() for part in lines):
        if text and display_width(text[-1]) == 1 and display_width(line[:1]) == 1:
            text += " "
        text += line
    return text


def _paragraphs(text: str) -> list[list[str]]:
    paragraphs: list[list[str]] = [[]]
    for line in text.strip("\n").splitlines():
        if line.strip():
            paragraphs[-1].append(line.rstrip())
        elif paragraphs[-1]:
            paragraphs.append([])
    return [p for p in paragraphs if p]


def _extras(text: str) -> str:
    """``…  [default: 30; x>=0]`` → ``…  [默认：30；x>=0]``."""
    found = re.search(r"  \[([^\[\]]*)\]$", text)
    if found is None:
        return text
    inner = found.group(1)
    for english, chinese in _EXTRAS:
        inner = inner.replace(english, chinese)
    return f"{text[: found.start()]}  [{inner.replace('; ', '；')}]"


def _write_text(self: Any, text: str) -> None:
    """Prose is re-wrapped to the width; indented paragraphs (examples) are kept
    line for line."""
    indent = " " * self.current_indent
    blocks = []
    for paragraph in _paragraphs(text):
        if paragraph[0].startswith(" "):
            blocks.append("\n".join(indent + line for line in paragraph))
        else:
            width = max(self.width - self.current_indent, 20)
            blocks.append("\n".join(indent + line for line in wrap(_join(paragraph), width)))
    self.write("\n\n".join(blocks) + "\n")


def _write_dl(self: Any, rows: Any, col_max: int = 30, col_spacing: int = 2) -> None:
    rows = [(first, second) for first, second in rows]
    first_col = min(max((display_width(first) for first, _ in rows), default=0), col_max)
    first_col += col_spacing
    for first, second in rows:
        self.write(f"{'':>{self.current_indent}}{first}")
        if not second:
            self.write("\n")
            continue
        if display_width(first) <= first_col - col_spacing:
            self.write(" " * (first_col - display_width(first)))
        else:
            self.write("\n" + " " * (first_col + self.current_indent))
        text = _extras(_CLICK_TEXTS.get(second, second))
        lines = wrap(text, max(self.width - first_col - self.current_indent, 10)) or [""]
        self.write(lines[0] + "\n")
        for line in lines[1:]:
            self.write(" " * (first_col + self.current_indent) + line + "\n")


def _write_heading(self: Any, heading: str) -> None:
    self.write(f"{'':>{self.current_indent}}{_HEADINGS.get(heading, heading)}：\n")


def _write_usage(self: Any, prog: str, args: str = "", prefix: str | None = None) -> None:
    base: Any = type(self).__mro__[1]
    base.write_usage(self, prog, args, "用法：" if prefix is None else prefix)


_ZH_CONTEXTS: dict[type, type] = {}


def _zh_context(context_class: Any) -> Any:
    """``context_class`` with a formatter for Chinese (derived once per class)."""
    if context_class in _ZH_CONTEXTS.values():
        return context_class
    if context_class not in _ZH_CONTEXTS:
        formatter = type(
            "ZhHelpFormatter",
            (context_class.formatter_class,),
            {
                "write_text": _write_text,
                "write_dl": _write_dl,
                "write_heading": _write_heading,
                "write_usage": _write_usage,
            },
        )
        _ZH_CONTEXTS[context_class] = type(
            "ZhContext", (context_class,), {"formatter_class": formatter}
        )
    return _ZH_CONTEXTS[context_class]
