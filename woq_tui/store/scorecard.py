"""The scorecard's figures in SQL (docs/assessment.md "Scorecard").

Each station's figures come from the one definition (domain/metrics.py: one GROUP BY
over the period's tickets, only the sums the score needs), for the period and for its
comparison period (Period.comparison: the previous period of the same kind, or the
same elapsed span of it for a period still running), in one read snapshot; the score,
the ranks and the changes are domain/scorecard.py.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine

from woq_tui.domain.metrics import finish
from woq_tui.domain.periods import Comparison, Period
from woq_tui.domain.scorecard import SCORE_FIGURES, build_scorecard
from woq_tui.store.db import snapshot
from woq_tui.store.figures import BY_STATION, group_sums, stations
from woq_tui.values.assessment import Scorecard
from woq_tui.values.figures import Figures, StationInfo

if TYPE_CHECKING:
    from woq_tui.assessment_settings import AssessmentSettings
    from woq_tui.store.assessment_hooks import QualitySource


def station_figures(connection: Connection, period: Period, as_of: datetime) -> dict[str, Figures]:
    """The scorecard's figures (SCORE_FIGURES and tickets) of each station with tickets."""
    sums = group_sums(connection, BY_STATION, period, as_of, only=SCORE_FIGURES)
    return {key[0]: finish(values, SCORE_FIGURES) for key, values in sums.items()}


def scorecard(
    engine: Engine,
    period: Period,
    as_of: datetime,
    settings: AssessmentSettings,
    quality: QualitySource | None = None,
) -> Scorecard:
    """The period's scorecard judged at as_of, with the change against its comparison.
    `quality`: the audit's quality_pass_rate by station (store/assessment_hooks.py);
    None leaves the quality component out (the score renormalises)."""
    comparison = period.comparison(as_of)
    with snapshot(engine) as connection:
        info = stations(connection)
        current = station_figures(connection, period, as_of)
        previous = station_figures(connection, comparison.period, comparison.as_of)
    return scored(period, as_of, comparison, info, current, previous, settings, *quality_rates(engine, quality, period, as_of, comparison))


def quality_rates(
    engine: Engine, quality: QualitySource | None, period: Period, as_of: datetime, comparison: Comparison
) -> tuple[Mapping[str, float | None] | None, Mapping[str, float | None] | None]:
    """The audit's quality_pass_rate by station in the period and in its comparison,
    read through `quality` (store/assessment_hooks.py); None for both without it."""
    if quality is None:
        return None, None
    return quality(engine, period, as_of), quality(engine, comparison.period, comparison.as_of)


def scored(
    period: Period,
    as_of: datetime,
    comparison: Comparison,
    info: dict[str, StationInfo],
    current: dict[str, Figures],
    previous: dict[str, Figures],
    settings: AssessmentSettings,
    quality_now: Mapping[str, float | None] | None,
    quality_before: Mapping[str, float | None] | None,
) -> Scorecard:
    """The scorecard from station figures and quality pass rates already read (through
    quality_rates, or by the station screen, which shows them too)."""
    return build_scorecard(
        period, as_of, comparison, info, current, previous, asdict(settings.weights), settings.min_tickets,
        quality_now, quality_before,
    )  # fmt: skip
