"""The building blocks of the demo's summaries (woq_tui/demo/summaries.py composes them).

By ticket type, the matters a 95598 caller brings, each in several phrasings: the
agent's formal record (客户来电反映…) and the caller's own words (家里又停电了…). The
vocabulary is the real one of each type (docs/demo.md, "Words"), with its synonyms
(没电/停电, 偷电/窃电), so that a classifier trained on the demo meets the words people
use. `{place}`, `{amount}`, `{time}`, `{n}` and `{hours}` are filled by the composer.

The shared details are here; the matters of each type live in three data modules,
re-exported here: summary_words_faults.py (repair, other), summary_words_accounts.py
(consultation, service_request), summary_words_voices.py (complaint, report,
suggestion, praise).
"""

from __future__ import annotations

from woq_tui.demo.summary_words_accounts import *  # noqa: F403
from woq_tui.demo.summary_words_faults import *  # noqa: F403
from woq_tui.demo.summary_words_voices import *  # noqa: F403

# -- shared details --------------------------------------------------------------------

TIMES = (
    "昨晚八点", "昨天晚上", "今天早上", "今天早上六点多", "早上七点左右", "中午", "中午十二点左右",
    "下午三点", "下午四点多", "傍晚", "凌晨两点", "凌晨", "半夜", "刚才", "半小时前", "一个小时前",
    "昨天下午", "前天", "今天上午", "晚饭的时候",
)  # fmt: skip
DURATIONS = (
    "已经{hours}个小时了", "停了{hours}个多小时", "到现在还没来电", "一直没恢复", "快一天了",
    "从{time}到现在", "已经半天了", "一上午了", "一晚上都没电", "{hours}小时仍未恢复",
)  # fmt: skip
IMPACTS = (
    "冰箱里的东西都快坏了", "家里有老人和小孩", "孩子还要上网课", "家里老人怕热", "养殖场的增氧机停了",
    "大棚里的卷帘机用不了", "店里没法营业", "水泵抽不了水", "空调开不了", "晚上黑灯瞎火的",
    "家里有病人要用制氧机", "鱼塘缺氧", "做不了饭", "手机都没电了", "养猪场的风机停了", "鸡场要通风",
    "有人在附近干活很危险", "冷库里的货要化了",
)  # fmt: skip
PLEAS = (
    "请尽快派人来修", "麻烦尽快处理", "请尽快安排抢修", "要求尽快恢复供电", "请派人来看看",
    "希望尽快解决", "请帮忙处理一下", "赶紧来人吧", "请抓紧时间", "请安排电工上门",
)  # fmt: skip
POLITE_OPEN = ("你好，", "您好，", "喂，你好，", "师傅你好，", "喂，", "同志你好，", "", "", "", "", "", "")
# What callers put in front when they talk (the caller's-words style only).
FILLERS = ("那个，", "我跟你说，", "就是，", "嗯，", "是这样的，", "我想说一下，")

# How people say it where they live (a few swaps, one set per summary): 啥/咋/俺/没得.
DIALECTS = (
    (("什么", "啥"), ("怎么", "咋"), ("我家", "俺家")),
    (("没有", "没得"), ("我家", "我屋头"), ("什么", "啥子")),
    (("怎么", "咋个"), ("什么", "么子"), ("家里", "屋里")),
    (("一下", "一哈"), ("没电", "冇电"), ("什么", "乜")),
)
# What an input method or a hurried hand gets wrong (homophones; one swap per summary).
TYPOS = (
    ("已经", "以经"), ("跳闸", "跳匝"), ("账单", "帐单"), ("抢修", "枪修"), ("师傅", "师父"), ("电表", "电标"),
    ("再", "在"), ("派人", "排人"), ("维修", "为修"), ("缴费", "交费"), ("户号", "户好"), ("一直", "一只"),
    ("处理", "出理"), ("电压", "电亚"), ("怎么", "怎莫"), ("什么", "神马"), ("咨询", "资询"), ("举报", "举抱"),
)  # fmt: skip
FORMAL_CLOSE = ("", "", "请处理。", "请尽快处理。", "请相关单位核实处理。", "已安抚客户。", "请联系客户。")

# -- confusion: the types a misclassified ticket's summary really belongs to -------------

# recorded type -> the types agents mistake it for (docs/demo.md, "Planted defects").
CONFUSED_WITH = {
    "repair": ("other", "consultation", "complaint"),
    "consultation": ("service_request", "complaint", "repair", "other"),
    "complaint": ("consultation", "repair", "other"),
    "service_request": ("consultation",),
    "other": ("repair", "consultation", "complaint"),
    "suggestion": ("complaint", "consultation"),
    "report": ("repair", "other"),
    "praise": ("suggestion",),
}
