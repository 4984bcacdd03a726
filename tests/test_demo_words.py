"""The demo's summaries say what people say (issue 11; docs/demo.md, "Words"): the
vocabulary a classifier trained on the demo lacked on texts written by people, and
the way callers voice it. Drawn straight from the composer, no database."""

from __future__ import annotations

import random
import re

from woq_tui.demo import summaries


def draw(kind: str, n: int = 3000, seed: int = 11) -> list[str]:
    rng = random.Random(seed)
    return [summaries.summary(rng, kind, "王庄村") for _ in range(n)]


def share(texts: list[str], pattern: str) -> float:
    return sum(bool(re.search(pattern, t)) for t in texts) / len(texts)


def test_a_seed_gives_the_same_summaries():
    assert draw("repair", 300) == draw("repair", 300)
    assert draw("repair", 300) != draw("repair", 300, seed=12)


def test_each_type_has_the_matters_people_bring_beyond_its_keyword():
    # Questions carry their question words; requests need not say 申请/办.
    assert share(draw("consultation"), "吗|会不会|啥意思|怎么算|多少钱|开户|押金|结清|示数|历史") > 0.1
    assert share(draw("service_request"), "^[^申办]*$") > 0.3
    assert share(draw("service_request"), "三相电|过给买家|停用|派人|来人") > 0.1
    # A complaint without the word 投诉: crews' damage, appointments missed, the runaround.
    complaints = draw("complaint")
    assert share(complaints, "^[^投]*$") > 0.3
    assert share(complaints, "踢皮球|挖了路不填|说好的|没人管|酒气") > 0.03
    assert share(draw("report"), "电表根本不走|剪电缆|配电箱接电|配电箱里私接") > 0.02
    # Live faults near trees and cranes are repairs; hazards with the power on are other.
    assert share(draw("repair"), "树|吊车|挖掘机") > 0.02
    others = draw("other")
    assert share(others, "还有电|用电正常|没停电") > 0.02
    assert share(others, "(上周|去年|前天|上个月).*(什么情况|有没有结果|怎么样了|到哪一步)") > 0.01


def test_callers_are_voiced_regionally_and_with_typos():
    texts = draw("repair", 4000) + draw("consultation", 4000)
    assert share(texts, "啥|咋|俺家|没得|屋头") > 0.03
    assert share(texts, "以经|跳匝|枪修|电标|出理|为修|排人") > 0.005
    assert share(texts, "^(你好|您好|喂)?，?(那个|我跟你说|就是|嗯|是这样的|我想说一下)，") > 0.02


def test_the_words_never_move_the_arrivals(monkeypatch):
    """A richer vocabulary draws more from the words' stream; the tickets stay the same
    (docs/demo.md, "Words"): no draw of the main stream depends on a caller or a text."""
    from datetime import datetime, timezone

    from woq_tui.config import parse_settings
    from woq_tui.demo import generator

    policy, end = parse_settings({}).sla_policy(), datetime(2026, 11, 26, 2, 0, tzinfo=timezone.utc)
    created = []
    for draws in (0, 1, 3):

        def text(rng, kind, place="", k=draws):  # a summary that draws k times
            return "摘要" * (2 + sum(rng.random() < 2 for _ in range(k)))

        monkeypatch.setattr(generator.summaries, "summary", text)
        rows = generator.Generator(policy, 95598, 20, 60, end).tickets()
        created.append([(row[0], row[1], row[5]) for row in rows])  # not the station: misrouting reads addresses
    assert created[0] == created[1] == created[2]
