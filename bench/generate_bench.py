"""How fast `woq-console generate` writes a year, and how the year looks.

    .venv/bin/python bench/generate_bench.py [--stations 100] [--days 365] [--pg URL]
    .venv/bin/python bench/generate_bench.py --province --stations 300 --pg URL

Prints: the time to build the rows alone (Python), the whole generate() into SQLite
(and PostgreSQL when --pg or WOQ_TEST_DATABASE_URL names a server; a scratch database
is created there and dropped), a raw DB-API executemany of the same rows as the
baseline, the figures of the generated year against the source study's, and (unless
--no-planted) the planted quality defects and distinct summaries (docs/demo.md).
With --province, only generate() into PostgreSQL at that scale, against the bare COPY
of the same rows (bench/generate_province.py). Times are wall clock on a shared
machine: compare ratios more than absolute numbers.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bench.generate_province import province
from woq_tui.config import parse_settings
from woq_tui.demo.generator import (
    BATCH,
    TICKET_COLUMNS,
    Generator,
    batched,
    generate,
    insert_stations,
    insert_tickets,
    planted_defects,
)
from woq_tui.store.db import make_engine, upgrade

END = datetime(2026, 11, 26, 2, 0, tzinfo=timezone.utc)
SEED = 95598

FIGURES = """
SELECT count(*),
       avg(CASE WHEN due_at < coalesce(resolved_at, :as_of) THEN 1.0 ELSE 0 END),
       avg(CASE WHEN first_response_at IS NOT NULL THEN first_response_at - created_at END) / 60.0,
       avg(CASE WHEN resolved_at IS NOT NULL THEN resolved_at - created_at END) / 3600.0,
       avg(CASE WHEN resolved_at IS NOT NULL AND created_at < :settled THEN resolved_at - created_at END) / 3600.0,
       avg(CASE WHEN dispatch_count >= 2 THEN 1.0 ELSE 0 END),
       avg(CASE WHEN escalated THEN 1.0 ELSE 0 END),
       avg(CASE WHEN reopen_count > 0 THEN 1.0 ELSE 0 END),
       sum(CASE WHEN resolved_at IS NULL THEN 1 ELSE 0 END)
FROM ticket
"""
TYPES = "SELECT type, count(*) * 1.0 / (SELECT count(*) FROM ticket) FROM ticket GROUP BY type ORDER BY 2 DESC"
AREAS = """
SELECT s.area_type, count(*) * 1.0 / count(DISTINCT s.code),
       avg(CASE WHEN due_at < coalesce(resolved_at, :as_of) THEN 1.0 ELSE 0 END),
       avg(CASE WHEN resolved_at IS NOT NULL THEN resolved_at - created_at END) / 3600.0,
       avg(CASE WHEN satisfaction IN ('satisfied', 'basically_satisfied') THEN 1.0
                WHEN satisfaction IS NOT NULL THEN 0.0 END)
FROM ticket t JOIN station s ON s.code = t.station_code
GROUP BY s.area_type ORDER BY s.area_type
"""
TARGET_TYPES = {"repair": 0.367, "consultation": 0.282, "complaint": 0.123, "suggestion": 0.056}


def build_rows(policy, stations: int, days: int) -> tuple[float, Generator, list[tuple]]:
    generator = Generator(policy, SEED, stations, days, END)
    began = time.perf_counter()
    rows = list(generator.tickets())
    return time.perf_counter() - began, generator, rows


def core_insert(url: str, generator: Generator, rows: list[tuple]) -> float:
    """The built rows the way generate() writes them: Core executemany in batches."""
    engine = make_engine(url)
    upgrade(engine)
    began = time.perf_counter()
    with engine.begin() as connection:
        insert_stations(connection, generator.station_specs)
        insert_tickets(connection, rows, {spec.code: spec.area for spec in generator.station_specs})
    seconds = time.perf_counter() - began
    engine.dispose()
    return seconds


def raw_insert(url: str, generator: Generator, rows: list[tuple]) -> float:
    """The baseline: the same rows through the bare DB-API executemany, one transaction."""
    engine = make_engine(url)
    upgrade(engine)
    mark = "?" if engine.dialect.paramstyle == "qmark" else "%s"
    sql = f"INSERT INTO ticket ({', '.join(TICKET_COLUMNS)}) VALUES ({', '.join([mark] * len(TICKET_COLUMNS))})"
    began = time.perf_counter()
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.executemany(
            f"INSERT INTO station (code, name, area_type, initials) VALUES ({mark}, {mark}, {mark}, {mark})",
            [(s.code, s.name, s.area, s.initials) for s in generator.station_specs],
        )
        for batch in batched(rows, BATCH):
            cursor.executemany(sql, batch)
        raw.commit()
    finally:
        raw.close()
        engine.dispose()
    return time.perf_counter() - began


def timed_generate(url: str, policy, stations: int, days: int):
    engine = make_engine(url)
    upgrade(engine)
    result = generate(engine, policy, seed=SEED, stations=stations, days=days, end=END)
    return engine, result


def compare(label: str, urls, generator: Generator, rows: list[tuple]) -> None:
    core = core_insert(next(urls), generator, rows)
    raw = raw_insert(next(urls), generator, rows)
    count = len(rows)
    print(f"  {label} insert, Core      {core:6.1f} s  {count / core:>9,.0f} tickets/s")
    print(f"  {label} insert, raw DB-API{raw:6.1f} s  {count / raw:>9,.0f} tickets/s  (baseline; Core/raw {core / raw:.2f})")


def figures(engine, stations: int, days: int) -> None:
    as_of = int(END.timestamp())
    params = {"as_of": as_of, "settled": as_of - 30 * 86400}
    with engine.connect() as connection:
        row = connection.execute(text(FIGURES), params).one()
        types = connection.execute(text(TYPES)).all()
        areas = connection.execute(text(AREAS), params).all()
    count, overdue, response, handling, settled, repeat, escalated, reopened, open_ = row
    other = 1 - sum(share for kind, share in types if kind in TARGET_TYPES)
    print(f"\nFigures of the generated sample (as of {END.isoformat()}), measured vs the source study:")
    print(f"  tickets              {count:>9,}   target {325_000 * days / 365 * stations / 100:>9,.0f}")
    for kind, target in TARGET_TYPES.items():
        share = dict(types).get(kind, 0)
        print(f"  {kind:<20} {share:>9.1%}   target {target:>9.1%}")
    print(f"  other (+report, service_request, praise) {other:.1%}   target 17.2%")
    print(f"  overdue rate         {overdue:>9.1%}   target     18.9%")
    print(f"  mean first response  {response:>7.1f} min   target 45 min")
    print(f"  mean handling        {handling:>7.1f} h     target 26 h   (created > 30 days ago: {settled:.1f} h)")
    print(f"  repeat dispatch      {repeat:>9.1%}   escalated {escalated:.1%}   reopened {reopened:.1%}   open {open_:,}")
    print("  by area: tickets/station, overdue, mean handling, satisfaction")
    for area, per_station, area_overdue, area_handling, satisfaction in areas:
        print(f"    {area:<7} {per_station:>8,.0f} {area_overdue:>8.1%} {area_handling:>7.1f} h {satisfaction:>8.1%}")


def planted(policy, stations: int, days: int) -> None:
    """The ground truth's rates (rebuilt in memory, timed) and the distinct summaries."""
    began = time.perf_counter()
    truth = planted_defects(SEED, stations, days, END, policy)
    seconds = time.perf_counter() - began
    print(f"\nPlanted defects (planted_defects(), rebuilt in memory in {seconds:.1f} s), share of tickets:")
    for kind in truth:
        print(f"  {kind:<16} {len(truth[kind]):>8,} {truth.rate(kind):>7.2%}")
    print(f"  misrouted with their right station: {len(truth.right_station):,}")


def distinct_summaries(engine) -> None:
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT type, count(*), count(DISTINCT summary) FROM ticket GROUP BY type ORDER BY 2 DESC")).all()
    print("  distinct summaries: " + ", ".join(f"{kind} {distinct:,}/{count:,}" for kind, count, distinct in rows))


@contextmanager
def scratch_pg(server_url: str) -> Iterator[str]:
    """A scratch database on the server, dropped afterwards."""
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    name = f"woq_bench_{uuid.uuid4().hex[:10]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stations", type=int, default=100)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--pg", default=os.environ.get("WOQ_TEST_DATABASE_URL"))
    parser.add_argument("--no-planted", action="store_true", help="skip the planted defects' rates")
    parser.add_argument("--province", action="store_true", help="only generate() into PostgreSQL by COPY, streamed")
    args = parser.parse_args()
    if args.province:  # docs/demo.md, "A province": no list of rows in memory here
        if not args.pg:
            raise SystemExit("--province needs --pg or WOQ_TEST_DATABASE_URL")
        province(args.pg, SEED, args.stations, args.days, END)
        return
    policy = parse_settings({}).sla_policy()
    print(f"generate: {args.stations} stations x {args.days} days, seed {SEED} (2 shared cores: rough figures)")
    build, generator, rows = build_rows(policy, args.stations, args.days)
    print(f"  build rows (Python)          {build:6.1f} s  {len(rows) / build:>9,.0f} tickets/s")
    with tempfile.TemporaryDirectory() as scratch:
        compare("SQLite    ", (f"sqlite:///{scratch}/{name}.db" for name in ("core", "raw")), generator, rows)
        if args.pg:
            with ExitStack() as stack:
                compare("PostgreSQL", (stack.enter_context(scratch_pg(args.pg)) for _ in range(2)), generator, rows)
        del rows
        engine, result = timed_generate(f"sqlite:///{scratch}/gen.db", policy, args.stations, args.days)
        rate = result.tickets / result.seconds
        print(f"  SQLite generate(), all in    {result.seconds:6.1f} s  {rate:>9,.0f} tickets/s  (+{result.events:,} events)")
        if args.pg:
            with scratch_pg(args.pg) as url:
                pg_engine, pg = timed_generate(url, policy, args.stations, args.days)
                pg_engine.dispose()
            print(f"  PostgreSQL generate(), all in{pg.seconds:6.1f} s  {pg.tickets / pg.seconds:>9,.0f} tickets/s")
        figures(engine, args.stations, args.days)
        distinct_summaries(engine)
        engine.dispose()
    if not args.no_planted:
        planted(policy, args.stations, args.days)


if __name__ == "__main__":
    main()
