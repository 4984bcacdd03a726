"""What the product sets for its own PostgreSQL sessions (docs/speed.md, "Session
settings"), in every session of its pool and whatever the server's default."""

from __future__ import annotations

import pytest

from woq_tui.store.db import make_engine, snapshot

pytestmark = pytest.mark.postgres


def test_every_session_runs_without_jit_compilation(pg_url):
    engine = make_engine(pg_url)
    try:
        with engine.connect() as first, engine.connect() as second:
            assert first.exec_driver_sql("SHOW jit").scalar_one() == "off"
            assert second.exec_driver_sql("SHOW jit").scalar_one() == "off"
        with snapshot(engine) as reading:  # the figures' REPEATABLE READ snapshots too
            assert reading.exec_driver_sql("SHOW jit").scalar_one() == "off"
            assert reading.exec_driver_sql("SHOW transaction_isolation").scalar_one() == "repeatable read"
    finally:
        engine.dispose()


def test_the_percentile_walks_are_planned_for_their_bounds(pg_url):
    """The LATERAL walks run with custom plans (a generic plan kept after psycopg
    prepared the statement sorted a year's cohort: docs/speed.md), within the read only."""
    from datetime import date, timedelta

    from tests.test_percentiles import SHANGHAI
    from woq_tui.domain.periods import days_period
    from woq_tui.store.figures import BY_STATION, figures_by

    engine = make_engine(pg_url)
    period = days_period(date(2026, 11, 16), date(2026, 11, 22), SHANGHAI)
    try:
        with snapshot(engine) as reading:
            figures_by(reading, BY_STATION, period, period.end + timedelta(days=1))
            assert reading.exec_driver_sql("SHOW plan_cache_mode").scalar_one() == "auto", "no groups, no walks"
        from tests.factories import add_all, station, ticket

        add_all(engine, station("S001"))
        add_all(engine, ticket(period.start + timedelta(hours=1), resolved_at=period.start + timedelta(hours=3)))
        with snapshot(engine) as reading:
            figures_by(reading, BY_STATION, period, period.end + timedelta(days=1))
            assert reading.exec_driver_sql("SHOW plan_cache_mode").scalar_one() == "force_custom_plan"
        with engine.connect() as after:
            assert after.exec_driver_sql("SHOW plan_cache_mode").scalar_one() == "auto", "SET LOCAL: this read only"
    finally:
        engine.dispose()
