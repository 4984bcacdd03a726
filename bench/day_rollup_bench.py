"""The station × day rollup (migration 0010, store/day_rollup.py) against the direct read,
interleaved in one process, on the province bench's databases (bench/province_build.py).

    .venv/bin/python -m bench.day_rollup_bench --url sqlite:///bench/out/province.db [--runs 5]

Migrates the database to the head and builds the rollup (its time is printed) unless
built, then times, as medians, for the week and the year of bench/province_bench.py:
the bare GROUP BY, the station screen's load (store/figures.load_station_table) and
`report` with the rollup off (the direct read, as before 0010) and on, each round
running every variant twice in turn (the first after the others' reads, the second
again at once); and the percentile step alone (stations, areas, total) on the period's
sums. Checks first that both give the same station table.
"""

from __future__ import annotations

import argparse
import statistics
import time
from contextlib import contextmanager
from zoneinfo import ZoneInfo

from bench.province_bench import AS_OF, bare_baseline, periods
from woq_tui.store import day_rollup
from woq_tui.store.day_rollup_refresh import refresh
from woq_tui.store.db import make_engine, snapshot, upgrade
from woq_tui.store.figure_groups import BY_AREA, BY_STATION, TOTAL
from woq_tui.store.figures import group_sums, load_station_table, report, rollup, stations
from woq_tui.store.percentiles import fill_percentiles

SHANGHAI = ZoneInfo("Asia/Shanghai")


@contextmanager
def rollup_off():
    """The direct read: the rollup answers nothing (store/figures falls back to the tickets)."""
    saved = day_rollup.station_sums
    day_rollup.station_sums = lambda *args, **kwargs: None
    try:
        yield
    finally:
        day_rollup.station_sums = saved


def percentile_step(engine, period) -> None:
    with snapshot(engine) as connection:
        info = stations(connection)
        station_sums = group_sums(connection, BY_STATION, period, AS_OF)
        area_sums, total_sums = rollup(station_sums, info)
        started = time.perf_counter()
        for grouping, sums in ((BY_STATION, station_sums), (BY_AREA, area_sums), (TOTAL, total_sums)):
            fill_percentiles(connection, grouping, period, AS_OF, sums, {key: {} for key in sums})
        return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--no-report", action="store_true")
    args = parser.parse_args()
    engine = make_engine(args.url)
    upgrade(engine)
    print(f"refresh: {refresh(engine, SHANGHAI)}", flush=True)
    for name, period in periods().items():
        table = load_station_table(engine, period, AS_OF)
        with rollup_off():
            direct = load_station_table(engine, period, AS_OF)
        assert table == direct, f"{name}: the rollup's station table differs from the direct one"
        variants = {"bare GROUP BY": bare_baseline(args.url, period)}
        variants["station screen, direct"] = lambda period=period: _off(lambda: load_station_table(engine, period, AS_OF))
        variants["station screen, rollup"] = lambda period=period: load_station_table(engine, period, AS_OF)
        if not args.no_report:
            variants["report, direct"] = lambda period=period: _off(lambda: report(engine, period, AS_OF))
            variants["report, rollup"] = lambda period=period: report(engine, period, AS_OF)
        # Each variant twice in a row per round: the first run follows the others (their
        # reads evicted its pages from shared_buffers: a year's direct read passes hundreds
        # of MB), the second finds its own pages again (the screen opened once more).
        first: dict[str, list[float]] = {key: [] for key in variants}
        again: dict[str, list[float]] = {key: [] for key in variants}
        percentiles = []
        for function in variants.values():
            function()  # warm
        for _ in range(args.runs):
            for key, function in variants.items():
                for into in (first, again):
                    started = time.perf_counter()
                    function()
                    into[key].append(time.perf_counter() - started)
            percentiles.append(percentile_step(engine, period))
        for key in variants:
            print(f"{name:4}  {key:24} {statistics.median(first[key]) * 1000:8.0f} ms after the others, "
                  f"{statistics.median(again[key]) * 1000:8.0f} ms again", flush=True)
        print(f"{name:4}  {'percentile step alone':24} {statistics.median(percentiles) * 1000:8.0f} ms", flush=True)
    engine.dispose()


def _off(function):
    with rollup_off():
        return function()


if __name__ == "__main__":
    main()
