"""The monthly bulletin's figures (docs/assessment.md "Monthly
bulletin"), read in one snapshot: the month and the month before, station by station
(one GROUP BY each; areas and totals rolled up from the stations' sums, the totals'
percentiles from the duration indexes), the month's days, and the chronic backlog list
at the month's end (or at as_of, for the month still running). The scorecard is built
from the same station figures. Renderers: woq_tui/reporting/bulletin_*.py.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine

from woq_tui.domain.figure_catalog import empty_figures
from woq_tui.domain.metrics import finish
from woq_tui.domain.periods import Period
from woq_tui.store.backlog import backlog_in
from woq_tui.store.db import snapshot
from woq_tui.store.figures import BY_STATION, TOTAL, by_day, complete, figures_by, group_sums, rollup, stations
from woq_tui.store.scorecard import quality_rates, scored
from woq_tui.values.assessment import Bulletin

if TYPE_CHECKING:
    from woq_tui.assessment_settings import AssessmentSettings
    from woq_tui.store.assessment_hooks import AuditFlagsSource, QualitySource
    from woq_tui.values.figures import Figures

DAY_FIGURES = ("overdue", "overdue_rate")


def bulletin(
    engine: Engine,
    month: Period,
    as_of: datetime,
    settings: AssessmentSettings,
    quality: QualitySource | None = None,
    audit_flags: AuditFlagsSource | None = None,
) -> Bulletin:
    """The bulletin of `month` (a calendar month, possibly cut at as_of's day)."""
    comparison = month.comparison(as_of)
    with snapshot(engine) as connection:
        info = stations(connection)
        now_sums = group_sums(connection, BY_STATION, month, as_of)
        before_sums = group_sums(connection, BY_STATION, comparison.period, comparison.as_of)
        areas_now, total_now = rollup(now_sums, info)
        areas_before, total_before = rollup(before_sums, info)
        totals = complete(connection, TOTAL, month, as_of, total_now).get(None) or empty_figures()
        previous_totals = (
            complete(connection, TOTAL, comparison.period, comparison.as_of, total_before).get(None) or empty_figures()
        )
        days = figures_by(connection, by_day(month), month, as_of, percentiles=False, only=DAY_FIGURES)
        backlog = backlog_in(connection, min(month.end, as_of), month.tz, settings, info)
    current = {key[0]: finish(values) for key, values in now_sums.items()}
    previous = {key[0]: finish(values) for key, values in before_sums.items()}
    card = scored(month, as_of, comparison, info, current, previous, settings, *quality_rates(engine, quality, month, as_of, comparison))
    return Bulletin(
        period=month,
        as_of=as_of,
        comparison=comparison,
        info=info,
        totals=totals,
        previous_totals=previous_totals,
        areas=_by_area(areas_now),
        previous_areas=_by_area(areas_before),
        scorecard=card,
        backlog=backlog,
        by_day=days,
        audit_flags=audit_flags(engine, month, as_of) if audit_flags else None,
    )


def _by_area(sums: dict[tuple[Any, ...], dict[str, int]]) -> dict[str, Figures]:
    from woq_tui.domain.enums import AreaType

    order = [area.value for area in AreaType]
    keys = sorted(sums, key=lambda key: (order.index(key[0]) if key[0] in order else len(order), key[0]))
    return {key[0]: finish(sums[key]) for key in keys}
