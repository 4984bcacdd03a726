"""Summaries the way 95598 callers and agents write them (docs/demo.md, "Words").

A summary is composed from the building blocks of summary_words.py: a matter of the
ticket's type in one of its phrasings, then a style: the agent's formal record
(客户来电反映…，请尽快处理。), the caller's own words (你好，家里又停电了…), a terse
note (电表黑屏), or two matters in one call (…，另咨询阶梯电价). Place names come from
the ticket's address, amounts and times are drawn. The result is several hundred to
thousands of distinct texts per common type, so a classifier trained on the demo has
to learn the vocabulary, not a handful of sentences. Everything draws from the
`random.Random` it is given, so a seed reproduces it.
"""

from __future__ import annotations

import random

from woq_tui.demo import summary_words as w

# Style weights: formal record, the caller's words, terse, two matters (cumulative).
_STYLE_CUM = (0.44, 0.80, 0.90, 1.0)
_NUMBERS = ("两", "三", "四", "五", "六", "七", "八", "十", "2", "3", "4", "5", "6", "8", "10", "12")
_COUNTS = ("三", "四", "五", "好几", "3", "4", "5", "6")


def _pick(rng: random.Random, items):
    return items[int(rng.random() * len(items))]


def _fill(rng: random.Random, text: str) -> str:
    if "{" not in text:
        return text
    return text.format(
        amount=_amount(rng), hours=_pick(rng, _NUMBERS), n=_pick(rng, _COUNTS), time=_pick(rng, w.TIMES)
    )


def _amount(rng: random.Random) -> str:
    yuan = 40 + int(rng.random() * 900)
    return f"{yuan}.{int(rng.random() * 10)}" if rng.random() < 0.6 else str(yuan)


def _matter(rng: random.Random, matters) -> str:
    return _fill(rng, _pick(rng, _pick(rng, matters)))


def _repair(rng, place: str, formal: bool) -> str:
    sym = _matter(rng, w.REPAIR)
    pick = _pick
    if formal:
        form = int(rng.random() * 6)
        if form == 0:
            return f"客户来电反映{place}{sym}，{_fill(rng, pick(rng, w.DURATIONS))}，{pick(rng, w.PLEAS)}。"
        if form == 1:
            return f"客户反映{sym}，{pick(rng, w.IMPACTS)}，{pick(rng, w.PLEAS)}。"
        if form == 2:
            return f"{place}客户报修：{sym}，{_fill(rng, pick(rng, w.DURATIONS))}。{pick(rng, w.FORMAL_CLOSE)}"
        if form == 3:
            return f"用户来电称{pick(rng, w.TIMES)}{sym}，要求尽快处理。"
        if form == 4:
            return f"客户报修{sym}，地址{place or '见工单'}。{pick(rng, w.FORMAL_CLOSE)}"
        return f"客户通过网上国网报修：{sym}，{pick(rng, w.PLEAS)}。"
    form = int(rng.random() * 5)
    polite = pick(rng, w.POLITE_OPEN)
    if form == 0:
        return f"{polite}{place}又停电了，{_fill(rng, pick(rng, w.DURATIONS))}，{pick(rng, w.PLEAS)}"
    if form == 1:
        return f"{polite}{sym}，{pick(rng, w.IMPACTS)}，{pick(rng, w.PLEAS)}"
    if form == 2:
        return f"{polite}{pick(rng, w.TIMES)}开始{sym}，{pick(rng, w.PLEAS)}"
    if form == 3:
        return f"{sym}，{_fill(rng, pick(rng, w.DURATIONS))}，{pick(rng, w.IMPACTS)}，{pick(rng, w.PLEAS)}！"
    return f"{polite}我们{place}这边{sym}，{pick(rng, w.PLEAS)}"


def _consultation(rng, place: str, formal: bool) -> str:
    q = _matter(rng, w.CONSULTATION)
    form = int(rng.random() * 4)
    if formal:
        return (
            f"客户来电咨询{q}，已解答。",
            f"客户咨询{q}，坐席已告知。",
            f"客户来电询问{q}，已答复客户。",
            f"用户咨询：{q}。{_pick(rng, ('已解释', '已告知办理渠道', '已详细解答', ''))}",
        )[form]
    polite = _pick(rng, w.POLITE_OPEN)
    ask = _pick(rng, w.CONSULTATION_ASK)
    return (f"{polite}{ask}{q}", f"{polite}请问{q}？", f"{polite}想咨询一下，{q}", f"{ask}，{q}？谢谢")[form]


def _complaint(rng, place: str, formal: bool) -> str:
    c = _matter(rng, w.COMPLAINT)
    demand = _pick(rng, w.COMPLAINT_DEMANDS)
    emotion = _pick(rng, w.COMPLAINT_EMOTIONS)
    form = int(rng.random() * 5)
    if formal:
        return (
            f"客户来电投诉{c}，{demand}。",
            f"客户投诉：{c}，{demand}。",
            f"客户对{c}表示不满，{demand}。",
            f"客户反映{place}{c}，情绪激动，{demand}。",
            f"客户来电反映{c}，认为{emotion}，{demand}。",
        )[form]
    return (
        f"我要投诉，{c}，{demand}",
        f"你们{c}，{emotion}！",
        f"{c}，{emotion}，{demand}",
        f"{_pick(rng, w.POLITE_OPEN)}{place}{c}，我很不满意，{demand}",
        f"{c}，{emotion}",
    )[form]


def _service_request(rng, place: str, formal: bool) -> str:
    svc = _matter(rng, w.SERVICE_REQUEST)
    detail = _pick(rng, w.SERVICE_DETAILS)
    tail = f"，{detail}" if detail else ""
    if formal:
        if rng.random() < 0.5:
            return f"客户{_pick(rng, w.SERVICE_VERBS_FORMAL)}{svc}{tail}。"
        return f"{place}客户{_pick(rng, w.SERVICE_VERBS_FORMAL)}{svc}，请安排上门。"
    return f"{_pick(rng, w.POLITE_OPEN)}{_pick(rng, w.SERVICE_VERBS_SPOKEN)}{svc}{tail}"


def _report(rng, place: str, formal: bool) -> str:
    r = _matter(rng, w.REPORT)
    form = int(rng.random() * 3)
    if formal:
        return (f"客户来电举报{place}{r}，请核实处理。", f"客户举报：{r}，要求保密。", f"群众反映{place}{r}，请核查。")[form]
    return (f"我要举报，{place}{r}", f"{_pick(rng, w.POLITE_OPEN)}{place}{r}，你们管不管", f"{r}，请派人查一下，我不留名字")[form]


def _suggestion(rng, place: str, formal: bool) -> str:
    s = _matter(rng, w.SUGGESTION)
    if formal:
        return f"{_pick(rng, w.SUGGESTION_OPEN_FORMAL)}{s}。"
    return f"{_pick(rng, w.POLITE_OPEN)}{_pick(rng, w.SUGGESTION_OPEN_SPOKEN)}{s}{_pick(rng, w.SUGGESTION_CLOSE_SPOKEN)}"


def _praise(rng, place: str, formal: bool) -> str:
    who, deed, thanks = _pick(rng, w.PRAISE_WHO), _pick(rng, w.PRAISE_DEED), _pick(rng, w.PRAISE_THANKS)
    if formal:
        return f"客户来电表扬{who}{deed}，{thanks}。"
    form = int(rng.random() * 3)
    return (f"你们{who}{deed}，{thanks}！", f"感谢{who}{deed}", f"{place}的客户说{who}{deed}，{thanks}")[form]


def _other(rng, place: str, formal: bool) -> str:
    if rng.random() < 0.45:  # a hazard near the lines (安全隐患)
        hazard, close = _matter(rng, w.OTHER_HAZARDS), _pick(rng, w.OTHER_HAZARD_CLOSE)
        if formal:
            return f"客户来电反映{place}{hazard}{close}。"
        return f"{_pick(rng, w.POLITE_OPEN)}{place}{hazard}{close}"
    o = _matter(rng, w.OTHER)
    if formal:
        return f"客户来电{o}。" if rng.random() < 0.6 else f"{o}。"
    return f"{_pick(rng, w.POLITE_OPEN)}{o}"


_COMPOSE = {
    "repair": (_repair, w.REPAIR_TERSE),
    "consultation": (_consultation, w.CONSULTATION_TERSE),
    "complaint": (_complaint, w.COMPLAINT_TERSE),
    "service_request": (_service_request, w.SERVICE_TERSE),
    "report": (_report, w.REPORT_TERSE),
    "suggestion": (_suggestion, w.SUGGESTION_TERSE),
    "praise": (_praise, w.PRAISE_TERSE),
    "other": (_other, w.OTHER_TERSE),
}
# The second matter of a call: mostly a question on the side.
_SECOND = (
    ("另咨询", w.CONSULTATION),
    ("顺便问一下", w.CONSULTATION),
    ("另外想问", w.CONSULTATION),
    ("同时反映", w.OTHER),
)


def summary(rng: random.Random, kind: str, place: str = "") -> str:
    """A summary of a ticket of type `kind` from a caller at `place` (may be empty)."""
    compose, terse = _COMPOSE[kind]
    style = rng.random()
    if style < _STYLE_CUM[0]:
        return compose(rng, place, True)
    if style < _STYLE_CUM[1]:
        return compose(rng, place, False)
    if style < _STYLE_CUM[2]:
        if kind == "repair" and place and rng.random() < 0.4:  # 王庄村停电, 幸福花园附近停电
            return _pick(rng, w.REPAIR_PLACE_TERSE).format(place=place)
        text = _pick(rng, terse)
        return f"{place}{text}" if place and rng.random() < 0.3 else text
    first = compose(rng, place, rng.random() < 0.5).rstrip("。！？")
    lead, matters = _pick(rng, _SECOND)
    return f"{first}；{lead}{_matter(rng, matters)}。"
