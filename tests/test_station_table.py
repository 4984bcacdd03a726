"""The station screen's one pass (store/figures.period_figures with the trend): the
stations' sums rolled up from their runs of days equal their own GROUP BY, and the
trend equals the trend read by itself, on random periods, SQLite and PostgreSQL."""

from __future__ import annotations

import random
from datetime import timedelta

from tests.test_percentiles import DAYS, SHANGHAI, START, fill
from woq_tui.domain.periods import days_period
from woq_tui.store.figures import BY_AREA, BY_STATION, TOTAL, figures_by, load_station_table, snapshot, station_trend


def test_one_pass_gives_the_figures_and_trend_of_separate_passes(engine):
    fill(engine, seed=9, count=900)
    rng = random.Random(4)
    for length in (1, 7, 20, 45):
        first = START.astimezone(SHANGHAI).date() + timedelta(days=rng.randrange(DAYS - length))
        period = days_period(first, first + timedelta(days=length - 1), SHANGHAI)
        as_of = period.end - timedelta(hours=rng.randrange(0, 30))
        table = load_station_table(engine, period, as_of)
        with snapshot(engine) as connection:
            assert table.current == figures_by(connection, BY_STATION, period, as_of)
            assert table.areas == figures_by(connection, BY_AREA, period, as_of)
            assert table.totals == figures_by(connection, TOTAL, period, as_of)[None]
        assert table.trend == station_trend(engine, period, as_of)
        assert len(next(iter(table.trend.values()))) == min(length, 14)
