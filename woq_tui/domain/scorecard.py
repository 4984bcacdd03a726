"""The scorecard of docs/assessment.md, from figures already computed (docs/assessment.md).

score = 100 × Σ wᵢ · xᵢ / Σ wᵢ over the components whose value is defined, for each
station with at least min_tickets tickets; ranked by score, ties broken by the lower
overdue_rate, then station_code. The figures come from the one SQL definition
(domain/metrics.py via store/scorecard.py); the quality component from the audit when
it is plugged in (store/assessment_hooks.py), else undefined everywhere, so the score
renormalises over the other components.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime
from typing import Any

from woq_tui.domain.periods import Comparison, Period
from woq_tui.values.assessment import COMPONENT_NAMES, Scorecard, StationScore
from woq_tui.values.figures import Figures, StationInfo

# The figures of docs/figures.md the scorecard reads.
SCORE_FIGURES: tuple[str, ...] = (
    "overdue_rate", "on_time_rate", "one_time_resolution_rate", "satisfaction_rate", "escalation_rate",
)  # fmt: skip


def components(figures: Figures, quality: float | None) -> dict[str, float | None]:
    """Each component's x for a station's figures (None where undefined)."""
    escalation = figures.get("escalation_rate")
    return {
        "on_time": figures.get("on_time_rate"),
        "one_time": figures.get("one_time_resolution_rate"),
        "satisfaction": figures.get("satisfaction_rate"),
        "quality": quality,
        "escalation": None if escalation is None else 1 - escalation,
    }


def score(values: Mapping[str, float | None], weights: Mapping[str, float]) -> float | None:
    """100 × Σ wᵢxᵢ / Σ wᵢ over the defined components with a weight; None when no
    weighted component is defined."""
    defined = [(weights.get(name, 0), value) for name in COMPONENT_NAMES if (value := values.get(name)) is not None]
    total = math.fsum(weight for weight, _ in defined)
    if total <= 0:
        return None
    return 100 * math.fsum(weight * value for weight, value in defined) / total


def _rank_key(line: StationScore) -> tuple[float, float, str]:
    # score descending; then the lower overdue rate; then the code (docs/assessment.md)
    rate = line.overdue_rate if line.overdue_rate is not None else math.inf
    return (-(line.score or 0.0), rate, line.code)


def rank_lines(lines: list[StationScore]) -> list[StationScore]:
    """The lines with a score ranked 1..n (ranked first, in rank order), then those
    without one by code, rank None."""
    scored = sorted((line for line in lines if line.score is not None), key=_rank_key)
    unscored = sorted((line for line in lines if line.score is None), key=lambda line: line.code)
    ranked = [_with(line, rank=index) for index, line in enumerate(scored, start=1)]
    return ranked + [_with(line, rank=None) for line in unscored]


def _with(line: StationScore, **changes: Any) -> StationScore:
    return replace(line, **changes)


def score_lines(
    info: Mapping[str, StationInfo],
    figures: Mapping[str, Figures],
    quality: Mapping[str, float | None] | None,
    weights: Mapping[str, float],
    min_tickets: int,
) -> list[StationScore]:
    """The ranked lines of one period: every station with tickets."""
    lines = []
    for code, values in figures.items():
        tickets = values.get("tickets") or 0
        if not tickets:
            continue
        station = info.get(code) or StationInfo(code, code, "")
        parts = components(values, None if quality is None else quality.get(code))
        value = score(parts, weights) if tickets >= min_tickets else None
        lines.append(StationScore(station, tickets, values.get("overdue_rate"), parts, value, None))
    return rank_lines(lines)


def build_scorecard(
    period: Period,
    as_of: datetime,
    comparison: Comparison,
    info: Mapping[str, StationInfo],
    current: Mapping[str, Figures],
    previous: Mapping[str, Figures],
    weights: Mapping[str, float],
    min_tickets: int,
    quality_now: Mapping[str, float | None] | None = None,
    quality_before: Mapping[str, float | None] | None = None,
) -> Scorecard:
    """The period's scorecard with each station's score and rank in the comparison
    period (Period.comparison: the previous period of the same kind)."""
    now = score_lines(info, current, quality_now, weights, min_tickets)
    before = {line.code: line for line in score_lines(info, previous, quality_before, weights, min_tickets)}
    stations = tuple(
        _with(line, previous_score=before[line.code].score, previous_rank=before[line.code].rank)
        if line.code in before
        else line
        for line in now
    )
    return Scorecard(
        period=period,
        as_of=as_of,
        comparison=comparison,
        weights=dict(weights),
        min_tickets=min_tickets,
        quality_available=quality_now is not None,
        stations=stations,
    )

