"""The p90s of `report`'s types and areas (docs/speed.md, "Type and area percentiles"):
the percentile step alone, walking the table-wide duration indexes (as before migration
0009) against walking the indexes led by the group, interleaved on one database.

    .venv/bin/python -m bench.group_percentiles_bench [--url URL ...] [--runs 5]

URL: a province of bench/province_build.py (PostgreSQL: 1M tickets at 3,000 stations;
SQLite: 1M at 300), at migration 0009; by default the ones `bench.province_bench
--build` leaves (`woq_province`, bench/out/province.db), those that are there. "table-wide" is the step as it was: an area's
members as its stations (`station_code IN (SELECT code FROM station WHERE area_type =
…)`), no group-led index, the 0009 indexes dropped inside a transaction that is rolled
back (the planner cannot see them; nothing changes on disk). "group-led" is the
product's. Both must give the same values (checked). Also printed: the bare GROUP BY
of the period's sums by station (bench/province_bench.py), the cost any design pays.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import Any

from sqlalchemy import Connection, String, bindparam, event, select
from sqlalchemy.exc import SQLAlchemyError

from bench.province_bench import AS_OF, PG, bare_baseline, periods
from bench.province_build import OUT
from woq_tui.domain.metrics import finish
from woq_tui.domain.models import Station
from woq_tui.domain.tables import table_of
from woq_tui.store.db import current_revision, head_revision, make_engine
from woq_tui.store.figures import BY_AREA, BY_TYPE, Grouping, group_sums
from woq_tui.store.percentiles import fill_percentiles

STATION = table_of(Station)
GROUP_LED = ("ix_ticket_type_handling", "ix_ticket_type_response", "ix_ticket_area_handling", "ix_ticket_area_response")
# The groupings as they were before 0009: no group-led index, an area as its stations.
TABLE_WIDE = {
    "type": replace(BY_TYPE, leader=None),
    "area": replace(
        BY_AREA,
        keys=lambda f: [STATION.c.area_type],
        member=lambda f: f.columns.station_code.in_(
            select(STATION.c.code).where(STATION.c.area_type == bindparam("m_area", type_=String))
            .correlate_except(STATION).scalar_subquery()
        ),
        joins_station=True,
        leader=None,
    ),
}
NEW = {"type": BY_TYPE, "area": BY_AREA}


def _sqlite_transactions(engine: Any) -> None:
    """pysqlite runs DDL outside transactions: let SQLite's own BEGIN cover the DROP INDEX."""

    @event.listens_for(engine, "connect")
    def _autocommit(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None

    @event.listens_for(engine, "begin")
    def _begin(connection: Connection) -> None:
        connection.exec_driver_sql("BEGIN")


@contextmanager
def hidden(connection: Connection, names: tuple[str, ...]) -> Iterator[None]:
    """The named indexes dropped for the block, inside a transaction rolled back after."""
    transaction = connection.begin()
    try:
        for name in names:
            connection.exec_driver_sql(f"DROP INDEX {name}")
        yield
    finally:
        transaction.rollback()


def step(connection: Connection, grouping: Grouping, period: Any, sums: dict) -> tuple[float, dict]:
    figures = {key: finish(values) for key, values in sums.items()}
    started = time.perf_counter()
    fill_percentiles(connection, grouping, period, AS_OF, sums, figures)
    return time.perf_counter() - started, figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", action="append", help="a province database (repeatable)")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    for url in args.url or [PG + "woq_province", f"sqlite:///{OUT / 'province.db'}"]:
        engine = make_engine(url)
        try:
            ready = current_revision(engine) == head_revision()
        except SQLAlchemyError:
            ready = False
        if ready:
            measure(engine, url, args.runs)
        else:
            print(f"{url}: no province at the newest migration (bench.province_bench --build, then upgrade)")
        engine.dispose()


def measure(engine: Any, url: str, runs: int) -> None:
    if engine.dialect.name == "sqlite":
        _sqlite_transactions(engine)
    lines = [f"{url.rsplit('/', 1)[-1]}, load average {os.getloadavg()[0]:.1f} at the start"]
    for name, period in periods().items():
        bare = statistics.median(_timed(bare_baseline(url, period)) for _ in range(3))
        lines.append(f"{name:4}  bare GROUP BY by station      {bare * 1000:8.0f} ms")
        with engine.connect() as connection:
            sums = {group: group_sums(connection, NEW[group], period, AS_OF) for group in NEW}
            connection.rollback()
            old_areas = group_sums(connection, TABLE_WIDE["area"], period, AS_OF)
            connection.rollback()
            assert old_areas == sums["area"], "ticket.area_type disagrees with the stations' areas"
            times: dict[tuple[str, str], list[float]] = {}
            for run in range(runs + 1):  # the first run warms the cache and is left out
                for group in NEW:
                    with hidden(connection, GROUP_LED):
                        before, old_values = step(connection, TABLE_WIDE[group], period, sums[group])
                    with connection.begin():
                        after, new_values = step(connection, NEW[group], period, sums[group])
                    assert old_values == new_values, (group, name)
                    if run:
                        times.setdefault((group, "table-wide"), []).append(before)
                        times.setdefault((group, "group-led"), []).append(after)
        for group in NEW:
            old, new = (statistics.median(times[group, form]) for form in ("table-wide", "group-led"))
            lines.append(f"{name:4}  {group:4} p90s  table-wide {old * 1000:8.0f} ms  group-led {new * 1000:8.0f} ms"
                         f"  ({old / new:4.1f}x; {old / bare:4.2f} -> {new / bare:4.2f} of bare)")
        print("\n".join(lines[-3:]), flush=True)
    lines.append(f"medians of {runs}; load average {os.getloadavg()[0]:.1f} at the end")
    print("\n".join(lines))


def _timed(function: Any) -> float:
    started = time.perf_counter()
    function()
    return time.perf_counter() - started


if __name__ == "__main__":
    main()
