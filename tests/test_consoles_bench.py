"""bench/consoles_bench.py's machinery for two consoles, a few ticks, on PostgreSQL:
the consoles tick through the product's store, the simulator writes, the server's CPU
is read, and the printed row is well formed. No timing is asserted (docs/consoles.md)."""

from __future__ import annotations

import math
from datetime import UTC, datetime

import pytest
from sqlalchemy import make_url

from bench.consoles_bench import measure, row
from bench.consoles_load import KPI_SECONDS, backend_times
from woq_tui.config import parse_settings
from woq_tui.demo.generator import generate
from woq_tui.screens.queue import KPI_SECONDS as SCREEN_KPI_SECONDS
from woq_tui.store.db import make_engine

pytestmark = pytest.mark.postgres


@pytest.fixture
def demo_url(pg_url):
    engine = make_engine(pg_url)
    generate(engine, parse_settings({}).sla_policy(), seed=3, stations=4, days=3, end=datetime.now(UTC).replace(microsecond=0))
    engine.dispose()
    return pg_url


def test_the_bench_counts_the_kpis_as_often_as_the_queue_screen():
    assert KPI_SECONDS == SCREEN_KPI_SECONDS


@pytest.mark.parametrize("mode", ["product", "bare"])
def test_two_consoles_tick_while_the_simulator_writes(demo_url, mode):
    measured = measure(demo_url, mode, 2, interval=0.5, seconds=2.0, workers=2, rate=10, kpi_seconds=0.5, settle=10)

    run = measured.run
    assert run.failed == 0 and not run.errors
    assert run.expected == 8  # phases 0 and 0.25 in a 2 s window at 0.5 s
    assert 2 <= len(run.ticks) <= run.expected
    assert all(tick > 0 and math.isfinite(tick) for tick in run.ticks)
    assert run.kpi_ticks >= 2 and len(measured.kpi_ticks) == run.kpi_ticks
    assert run.statements >= 2 * len(run.ticks)  # the changes and the marks, at least
    assert run.cpu > 0
    assert measured.simulator.steps_made >= 1 and measured.simulator.errors == 0
    assert measured.simulator.backend_pids
    assert measured.server_cpu >= 0 and measured.simulator_cpu >= 0
    line = row(measured)
    assert line.split()[:2] == [mode, "2"] and "nan" not in line


def test_the_servers_backends_are_found_by_their_database(demo_url):
    engine = make_engine(demo_url)
    with engine.connect() as connection:
        pid = connection.exec_driver_sql("SELECT pg_backend_pid()").scalar_one()
        found = backend_times(make_url(demo_url).database)
    engine.dispose()
    assert pid in found and found[pid] >= 0
