"""Station figures over one year: the product's queries against the bare SQL.

    .venv/bin/python -m bench.figures_bench [--tickets 325000] [--stations 100]

Generates one year of tickets by itself (a small deterministic Core bulk inserter, so
it does not depend on the demo generator) into bench/out/, then times
  1. the station grouping (all figures, p90s included) through woq_tui.store.figures,
     against the fastest hand-written SQL for the same figures run with sqlite3;
  2. the whole report (totals, by type, by area, stations), likewise;
  3. the station screen's time to show a year, through App.run_test.
With WOQ_TEST_DATABASE_URL set, 1 and 2 also run on PostgreSQL (baseline through
psycopg). Prints medians of several runs and the ratios. The machine is shared: the
figures carry that caveat.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import sqlite3
import statistics
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy import Engine, insert, text

from woq_tui.domain.models import Station, Ticket
from woq_tui.store.db import make_engine, upgrade

UTC = timezone.utc
OUT = Path(__file__).parent / "out"
END = datetime(2026, 11, 23, 16, 0, tzinfo=UTC)  # Monday 2026-11-24 00:00 in Shanghai
TYPES = (
    ("repair", 0.55),
    ("consultation", 0.18),
    ("complaint", 0.06),
    ("service_request", 0.09),
    ("suggestion", 0.04),
    ("report", 0.02),
    ("praise", 0.03),
    ("other", 0.03),
)
REPAIR_MINUTES = {"urban": 225, "rural": 330, "remote": 360}


def generate(engine: Engine, tickets: int = 325_000, stations: int = 100, seed: int = 95598, end: datetime = END) -> None:
    """Write `stations` stations and `tickets` tickets created in the year before `end`."""
    rng = random.Random(seed)
    areas = ["urban"] * 60 + ["rural"] * 30 + ["remote"] * 10
    station_rows = []
    for number in range(1, stations + 1):
        area = areas[(number * 37) % len(areas)]
        station_rows.append(
            dict(code=f"S{number:03d}", name=f"第{number:03d}供电所", area_type=area, initials=f"d{number:03d}")
        )
    # Stations differ in quality: some are slow, some careful.
    skill = {row["code"]: rng.uniform(0.6, 1.6) for row in station_rows}
    area_of = {row["code"]: row["area_type"] for row in station_rows}
    codes = [row["code"] for row in station_rows]
    weights = [rng.uniform(0.3, 2.0) for _ in codes]
    kinds = [kind for kind, _ in TYPES]
    kind_weights = [weight for _, weight in TYPES]
    end_s = int(end.timestamp())
    start_s = end_s - 365 * 86400
    satisfaction = ("satisfied", "satisfied", "satisfied", "basically_satisfied", "unsatisfied")
    with engine.begin() as connection:
        connection.execute(insert(Station.__table__), station_rows)
    batch: list[dict] = []
    table = Ticket.__table__
    picks = rng.choices(codes, weights, k=tickets)
    kind_picks = rng.choices(kinds, kind_weights, k=tickets)
    for number in range(tickets):
        code = picks[number]
        kind = kind_picks[number]
        slow = skill[code]
        created = start_s + int((number + rng.random()) * (end_s - start_s) / tickets)
        if kind == "repair":
            limit = REPAIR_MINUTES[area_of[code]] * 60
        else:
            limit = rng.choice((1, 4, 5, 9)) * 86400
        due = created + limit
        first = None if rng.random() < 0.04 else created + int(rng.expovariate(1 / (900 * slow)))
        handling = int(rng.lognormvariate(0, 0.8) * limit * 0.45 * slow)
        resolved = created + max(handling, 60)
        if resolved > end_s or rng.random() < 0.01:
            resolved = None
        dispatches = rng.choices((1, 2, 3), (85, 12, 3))[0]
        batch.append(
            dict(
                ticket_no=f"B{number:09d}",
                type=kind,
                station_code=code,
                channel="phone",
                status="resolved" if resolved else "dispatched",
                created_at=created,
                first_response_at=first,
                resolved_at=resolved,
                due_at=due,
                escalated=rng.random() < 0.03 * slow,
                dispatch_count=dispatches,
                reopen_count=1 if rng.random() < 0.02 else 0,
                satisfaction=rng.choice(satisfaction) if resolved and rng.random() < 0.6 else None,
                updated_at=resolved or created,
                version=1,
            )
        )
        if len(batch) == 20_000:
            with engine.begin() as connection:
                connection.execute(insert(table), batch)
            batch = []
    if batch:
        with engine.begin() as connection:
            connection.execute(insert(table), batch)
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE"))
    else:
        with engine.begin() as connection:
            connection.execute(text("ANALYZE"))


def sqlite_year(tickets: int, stations: int, seed: int) -> Path:
    """The benchmark database, built once per size and seed."""
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"year_{tickets}_{stations}_{seed}.db"
    if not path.exists():
        partial = path.with_suffix(".partial")
        partial.unlink(missing_ok=True)
        engine = make_engine(f"sqlite:///{partial}")
        upgrade(engine)
        started = time.perf_counter()
        generate(engine, tickets, stations, seed)
        engine.dispose()
        partial.rename(path)
        for suffix in ("-wal", "-shm"):
            Path(str(partial) + suffix).unlink(missing_ok=True)
        print(f"generated {tickets} tickets in {time.perf_counter() - started:.1f} s -> {path}")
    else:
        # the schema may have gained migrations since the file was made
        engine = make_engine(f"sqlite:///{path}")
        upgrade(engine)
        with engine.begin() as connection:
            connection.execute(text("ANALYZE"))
        engine.dispose()
    return path


def median_ms(function, runs: int) -> float:
    function()  # warm the cache and the page cache
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


if __name__ == "__main__":  # pragma: no cover
    from bench._figures_run import main

    sys.exit(main())
