"""Summaries the way 95598 callers and agents write them (docs/demo.md, "Words").

A summary is composed from the building blocks of summary_words.py: a matter of the
ticket's type in one of its phrasings, then a style: the agent's formal record
(客户来电反映…，请尽快处理。), the caller's own words (你好，家里又停电了…), a terse
note (电表黑屏), or two matters in one call (…，另咨询阶梯电价). Place names come from
the ticket's address, amounts and times are drawn. What callers say is then voiced: a
filler in front (那个，), a regional swap (啥/咋/俺家/没得) or a typo of an input method
(跳匝, 以经). The result is several hundred to
thousands of distinct texts per common type, so a classifier trained on the demo has
to learn the vocabulary, not a handful of sentences. Everything draws from the
`random.Random` it is given, so a seed reproduces it.
"""

from __future__ import annotations

import random

from woq_tui.demo import summary_words as w

# Voicing: how often the caller's words get a filler or a regional swap, any summary a typo.
_FILLER, _DIALECT, _TYPO = 0.12, 0.2, 0.06
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


def _voice(rng: random.Random, text: str, spoken: bool) -> str:
    """The caller's filler and region, and a typo now and then (docs/demo.md, "Words")."""
    if spoken:
        if rng.random() < _FILLER:  # after the greeting, if there is one
            cut = text.find("，") + 1 if text[:1] in "你您喂师同" else 0
            text = text[:cut] + _pick(rng, w.FILLERS) + text[cut:]
        if rng.random() < _DIALECT:
            for plain, local in _pick(rng, w.DIALECTS):
                text = text.replace(plain, local)
    if rng.random() < _TYPO:  # one of the slips this text offers, if any
        slips = [pair for pair in w.TYPOS if pair[0] in text]
        if slips:
            right, wrong = _pick(rng, slips)
            text = text.replace(right, wrong, 1)
    return text


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
    form = int(rng.random() * 8)
    polite = pick(rng, w.POLITE_OPEN)
    if form == 0:
        return f"{polite}{place}又停电了，{_fill(rng, pick(rng, w.DURATIONS))}，{pick(rng, w.PLEAS)}"
    if form == 1:
        return f"{polite}{sym}，{pick(rng, w.IMPACTS)}，{pick(rng, w.PLEAS)}"
    if form == 2:
        return f"{polite}{pick(rng, w.TIMES)}开始{sym}，{pick(rng, w.PLEAS)}"
    if form == 3:
        return f"{sym}，{_fill(rng, pick(rng, w.DURATIONS))}，{pick(rng, w.IMPACTS)}，{pick(rng, w.PLEAS)}！"
    if form == 4:
        return f"{polite}我们{place}这边{sym}，{pick(rng, w.PLEAS)}"
    if form == 5:
        return f"{sym}，{pick(rng, w.REPAIR_URGE)}"
    if form == 6:
        return f"{polite}{place}{pick(rng, w.TIMES)}{sym}，{_fill(rng, pick(rng, w.DURATIONS))}，{pick(rng, w.REPAIR_URGE)}"
    # The long telling: who, when, what, what they checked, how long, the plea.
    where = f"我是{place}的，" if place else ""
    checked, lasted = pick(rng, w.REPAIR_CHECKS), _fill(rng, pick(rng, w.DURATIONS))
    return f"{polite}{where}{pick(rng, w.TIMES)}{sym}，{checked}，{lasted}，{pick(rng, w.PLEAS)}"


def _consultation(rng, place: str, formal: bool) -> str:
    q = _matter(rng, w.CONSULTATION)
    form = int(rng.random() * 6)
    if formal:
        answered = _pick(rng, w.CONSULTATION_ANSWERED)
        return (
            f"客户来电咨询{q}，{answered or '已解答'}。",
            f"客户咨询{q}，坐席已告知。",
            f"客户来电询问{q}，已答复客户。",
            f"用户咨询：{q}。{answered}",
            f"客户询问{q}，{answered or '已告知'}。",
            f"{place}客户来电问{q}，{answered or '已解释'}。",
        )[form]
    polite, ask, tail = _pick(rng, w.POLITE_OPEN), _pick(rng, w.CONSULTATION_ASK), _pick(rng, w.CONSULTATION_TAIL)
    return (
        f"{polite}{ask}{q}{tail}",
        f"{polite}请问{q}？",
        f"{polite}想咨询一下，{q}",
        f"{ask}，{q}？谢谢",
        f"{q}{tail or '？'}",
        f"{polite}我是{place or '这边'}的用户，{ask}{q}{tail}",
    )[form]


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
    c = _voice(rng, c, True)  # only the matter: the demand and the emotion stay as said
    form = int(rng.random() * 8)
    return (
        f"我要投诉，{c}，{demand}",
        f"你们{c}，{emotion}！",
        f"{c}，{emotion}，{demand}",
        f"{_pick(rng, w.POLITE_OPEN)}{place}{c}，我很不满意，{demand}",
        f"{c}，{emotion}",
        f"{_pick(rng, w.POLITE_OPEN)}{c}，{demand}",
        f"我找你们领导，{c}，{emotion}",
        f"{_pick(rng, w.TIMES)}的事，{c}，{emotion}，{demand}",
    )[form]


def _service_request(rng, place: str, formal: bool) -> str:
    detail = _pick(rng, w.SERVICE_DETAILS)
    tail = f"，{detail}" if detail else ""
    if rng.random() < 0.4:  # said as what is to be done, without 申请/办
        direct = _matter(rng, w.SERVICE_DIRECT)
        if formal:
            return f"客户来电称{direct}{tail or '，请安排人员上门'}。"
        return f"{_pick(rng, w.POLITE_OPEN)}{place}{direct}{tail}"
    svc = _matter(rng, w.SERVICE_REQUEST)
    if formal:
        if rng.random() < 0.5:
            return f"客户{_pick(rng, w.SERVICE_VERBS_FORMAL)}{svc}{tail}。"
        return f"{place}客户{_pick(rng, w.SERVICE_VERBS_FORMAL)}{svc}，请安排上门。"
    return f"{_pick(rng, w.POLITE_OPEN)}{_pick(rng, w.SERVICE_VERBS_SPOKEN)}{svc}{tail}"


def _report(rng, place: str, formal: bool) -> str:
    r = _matter(rng, w.REPORT)
    form = int(rng.random() * 5)
    if formal:
        return (
            f"客户来电举报{place}{r}，请核实处理。",
            f"客户举报：{r}，要求保密。",
            f"群众反映{place}{r}，请核查。",
            f"客户匿名反映{r}，请稽查人员核实。",
            f"客户来电称{place}{r}，要求查处。",
        )[form]
    return (
        f"我要举报，{place}{r}",
        f"{_pick(rng, w.POLITE_OPEN)}{place}{r}，你们管不管",
        f"{r}，请派人查一下，我不留名字",
        f"跟你们反映个事，{r}，别说是我说的",
        f"{_pick(rng, w.POLITE_OPEN)}{r}，这不是偷电吗",
    )[form]


def _suggestion(rng, place: str, formal: bool) -> str:
    s = _matter(rng, w.SUGGESTION)
    if formal:
        return f"{_pick(rng, w.SUGGESTION_OPEN_FORMAL)}{s}。"
    return f"{_pick(rng, w.POLITE_OPEN)}{_pick(rng, w.SUGGESTION_OPEN_SPOKEN)}{s}{_pick(rng, w.SUGGESTION_CLOSE_SPOKEN)}"


def _praise(rng, place: str, formal: bool) -> str:
    who, deed, thanks = _pick(rng, w.PRAISE_WHO), _pick(rng, w.PRAISE_DEED), _pick(rng, w.PRAISE_THANKS)
    if formal:
        return f"客户来电表扬{who}{deed}，{thanks}。"
    form = int(rng.random() * 5)
    return (
        f"你们{who}{deed}，{thanks}！",
        f"感谢{who}{deed}",
        f"{place}的客户说{who}{deed}，{thanks}",
        f"{_pick(rng, w.POLITE_OPEN)}我打电话就是想说，{who}{deed}，{thanks}",
        f"{who}{deed}，真心{thanks}",
    )[form]


def _other(rng, place: str, formal: bool) -> str:
    which = rng.random()
    if which < 0.25:  # a progress check or urging (催办, 进度查询)
        when, what = _pick(rng, w.OTHER_PROGRESS_WHEN), _pick(rng, w.OTHER_PROGRESS_OBJECT)
        if formal:
            return f"客户来电查询{when}{what}的处理进度。" if rng.random() < 0.5 else f"客户催办{when}{what}，要求回复。"
        return f"{_pick(rng, w.POLITE_OPEN)}{when}{what}{_pick(rng, w.OTHER_PROGRESS_ASK)}"
    if which < 0.6:  # a hazard near the lines (安全隐患)
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
    # A complaint's demand or emotion is what marks it (tests/test_demo_figures.py):
    # never voiced as a whole, only its matter (_complaint).
    compose, terse = _COMPOSE[kind]
    style = rng.random()
    if style < _STYLE_CUM[0]:
        text = compose(rng, place, True)
        return text if kind == "complaint" else _voice(rng, text, False)
    if style < _STYLE_CUM[1]:
        text = compose(rng, place, False)
        return text if kind == "complaint" else _voice(rng, text, True)
    if style < _STYLE_CUM[2]:
        if kind == "repair" and place and rng.random() < 0.4:  # 王庄村停电, 幸福花园附近停电
            return _pick(rng, w.REPAIR_PLACE_TERSE).format(place=place)
        text = _pick(rng, terse)
        text = f"{place}{text}" if place and rng.random() < 0.3 else text
        return text if kind == "complaint" else _voice(rng, text, False)
    first = compose(rng, place, rng.random() < 0.5).rstrip("。！？")
    lead, matters = _pick(rng, _SECOND)
    return f"{first}；{lead}{_matter(rng, matters)}。"
