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


def interleaved_ms(first, second, runs: int) -> tuple[tuple[float, float], tuple[float, float]]:
    """(median, min) in ms of each function, run alternately so both meet the same
    load on this shared machine."""
    first(), second()  # warm the caches
    times: tuple[list[float], list[float]] = ([], [])
    for _ in range(runs):
        for function, out in ((first, times[0]), (second, times[1])):
            started = time.perf_counter()
            function()
            out.append((time.perf_counter() - started) * 1000)
    return tuple((statistics.median(out), min(out)) for out in times)  # type: ignore[return-value]


def _line(name: str, product: tuple[float, float], bare: tuple[float, float], note: str = "") -> str:
    return (
        f"  {name:8s} product {product[0]:7.1f} ms (min {product[1]:6.1f})   bare SQL {bare[0]:7.1f} ms "
        f"(min {bare[1]:6.1f})   ratio {product[0] / bare[0]:.2f}x (min {product[1] / bare[1]:.2f}x){note}"
    )


# The bare SQL: the same figures, hand-written, the fastest forms found (docs/figures.md).
ROW = """
  CASE WHEN resolved_at <= :a THEN 1 ELSE 0 END AS res,
  CASE WHEN due_at < CASE WHEN resolved_at <= :a THEN resolved_at ELSE :a END THEN 1 ELSE 0 END AS od,
  CASE WHEN first_response_at <= :a THEN first_response_at - created_at END AS fr,
  CASE WHEN resolved_at <= :a THEN resolved_at - created_at END AS hd,
  dispatch_count, reopen_count, CASE WHEN escalated THEN 1 ELSE 0 END AS esc, satisfaction"""
AGG = """count(*) AS n, sum(res) AS res, sum(od) AS od, sum(res * (1 - od)) AS ontime,
  count(fr) AS nfr, sum(fr) AS sfr, sum(hd) AS shd,
  sum(CASE WHEN dispatch_count >= 2 THEN 1 ELSE 0 END) AS rep, sum(esc) AS esc,
  sum(CASE WHEN res = 1 AND dispatch_count <= 1 AND reopen_count = 0 THEN 1 ELSE 0 END) AS one,
  count(satisfaction) AS surv,
  sum(CASE WHEN satisfaction IN ('satisfied', 'basically_satisfied') THEN 1 ELSE 0 END) AS sat"""
GROUPS = {
    "station": ("t.station_code", "FROM ticket t", "t.station_code = {v}"),
    "type": ("t.type", "FROM ticket t", "t.type = {v}"),
    "area": ("s.area_type", "FROM ticket t JOIN station s ON s.code = t.station_code",
             "t.station_code IN (SELECT code FROM station WHERE area_type = {v})"),
    "total": ("NULL", "FROM ticket t", "1 = 1"),
}


def bare_figures(run, group: str, params: dict, placeholder) -> dict:
    """run(sql, params) -> rows. Aggregates, then one ORDER BY ... LIMIT 1 OFFSET per group."""
    key, source, member = GROUPS[group]
    where = "t.created_at >= :f AND t.created_at < :t"
    sql = f"SELECT g, {AGG} FROM (SELECT {key} AS g, {ROW} {source} WHERE {where}) x GROUP BY g"
    rows = run(sql, params)
    out = {}
    for row in rows:
        # PostgreSQL's sum(bigint) is numeric: back to int before dividing, as the product does
        g, n, res, od, ontime, nfr, sfr, shd, rep, esc, one, surv, sat = (row[0], *(None if v is None else int(v) for v in row[1:]))
        out[g] = {
            "tickets": n, "open": n - res, "overdue": od, "overdue_rate": od / n,
            "on_time_rate": ontime / res if res else None,
            "avg_first_response_min": sfr / (nfr * 60) if nfr else None,
            "p90_first_response_min": None,
            "avg_handling_h": shd / (res * 3600) if res else None,
            "p90_handling_h": None,
            "repeat_dispatch_rate": rep / n, "escalation_rate": esc / n,
            "one_time_resolution_rate": one / res if res else None,
            "satisfaction_rate": sat / surv if surv else None,
        }
        condition = member.format(v=placeholder("g"))
        for name, value, count, has, unit in (
            ("p90_first_response_min", "first_response_at - created_at", nfr, "first_response_at <= :a", 60),
            ("p90_handling_h", "resolved_at - created_at", res, "resolved_at <= :a", 3600),
        ):
            if count:
                sql = (f"SELECT {value} AS v FROM ticket t WHERE {where} AND {condition} AND {has} "
                       f"ORDER BY v DESC LIMIT 1 OFFSET {placeholder('o')}")
                seconds = run(sql, {**params, "g": g, "o": count - (9 * count + 9) // 10})[0][0]
                out[g][name] = seconds / unit
    return out


def bare_report(run, params, placeholder) -> list[dict]:
    return [bare_figures(run, group, params, placeholder) for group in ("total", "type", "area", "station")]


def sqlite_runner(path: Path):
    connection = sqlite3.connect(path)

    def run(sql: str, params: dict):
        return connection.execute(sql, params).fetchall()

    def snapshot_run(function):
        def wrapped():
            connection.execute("BEGIN")
            try:
                return function()
            finally:
                connection.execute("ROLLBACK")
        return wrapped

    return run, snapshot_run, (lambda name: f":{name}")


def pg_runner(url: str):
    import psycopg
    import re

    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    connection = psycopg.connect(
        host=parsed.host, port=parsed.port or 5432, user=parsed.username, password=parsed.password, dbname=parsed.database
    )
    connection.autocommit = True

    def run(sql: str, params: dict):
        sql = re.sub(r":(\w+)", r"%(\1)s", sql)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    def snapshot_run(function):
        def wrapped():
            with connection.transaction():
                connection.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
                return function()
        return wrapped

    return run, snapshot_run, (lambda name: f":{name}")


def compare(label: str, engine: Engine, run, snapshot_run, placeholder, runs: int) -> None:
    from woq_tui.domain.metrics import Period
    from woq_tui.store.figures import BY_STATION, figures_by, report, snapshot

    from zoneinfo import ZoneInfo

    period = Period(END - timedelta(days=365), END, ZoneInfo("Asia/Shanghai"))
    params = {"f": int(period.start.timestamp()), "t": int(period.end.timestamp()), "a": int(END.timestamp())}

    def product_stations():
        with snapshot(engine) as connection:
            return figures_by(connection, BY_STATION, period, END)

    bare_stations = snapshot_run(lambda: bare_figures(run, "station", params, placeholder))
    product = product_stations()
    bare = bare_stations()
    assert product == {code: {key: bare[code][key] for key in product[code]} for code in bare}, "figures differ"
    print(f"{label}: a year, all figures incl. p90s; median of {runs} alternating runs")
    print(_line("stations", *interleaved_ms(product_stations, bare_stations, runs)))
    bare_all = snapshot_run(lambda: bare_report(run, params, placeholder))
    print(_line("report", *interleaved_ms(lambda: report(engine, period, END), bare_all, runs), "  (totals, types, areas, stations)"))


def screen_time(path: Path, runs: int = 3) -> None:
    """From pushing the station screen on a year to its rows in the table."""
    from zoneinfo import ZoneInfo

    from textual.widgets import DataTable

    from woq_tui.app import WoqApp
    from woq_tui.config import parse_settings
    from woq_tui.context import ConsoleContext
    from woq_tui.domain.clock import FixedClock
    from woq_tui.domain.metrics import Period
    from woq_tui.screens.stations import StationsScreen

    settings = parse_settings({"console": {"language": "zh", "operator": "bench"}})
    period = Period(END - timedelta(days=365), END, ZoneInfo("Asia/Shanghai"))

    async def once() -> tuple[float, float, float]:
        engine = make_engine(f"sqlite:///{path}")
        app = WoqApp(ConsoleContext(settings=settings, engine=engine, clock=FixedClock(END), label="bench"))
        async with app.run_test(size=(200, 50)) as pilot:
            screen = StationsScreen(period=period)
            started = time.perf_counter()
            await app.push_screen(screen)
            await app.workers.wait_for_complete()
            await pilot.pause()
            done = time.perf_counter()
            rows = screen.query_one(DataTable).row_count
        engine.dispose()
        return (screen.rows_shown_at - started) * 1000, (done - started) * 1000, rows

    results = [asyncio.run(once()) for _ in range(runs)]
    shown = statistics.median(r[0] for r in results)
    complete = statistics.median(r[1] for r in results)
    print(f"  station screen, a year: rows shown after {shown:.0f} ms, comparison/subtotals/trend after "
          f"{complete:.0f} ms ({results[0][2]} rows; median of {runs})")


def pg_database(base_url: str, tickets: int, stations: int, seed: int) -> str:
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    name = f"woq_bench_{tickets}_{stations}_{seed}"
    admin = create_engine(base_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        exists = connection.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).first()
        if not exists:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    url = make_url(base_url).set(database=name).render_as_string(hide_password=False)
    engine = make_engine(url)
    upgrade(engine)
    with engine.connect() as connection:
        count = connection.execute(text("SELECT count(*) FROM ticket")).scalar()
    if count != tickets:
        with engine.begin() as connection:
            connection.execute(text("TRUNCATE ticket, station CASCADE"))
        started = time.perf_counter()
        generate(engine, tickets, stations, seed)
        print(f"generated {tickets} tickets on PostgreSQL in {time.perf_counter() - started:.1f} s")
    engine.dispose()
    return url


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=325_000)
    parser.add_argument("--stations", type=int, default=100)
    parser.add_argument("--seed", type=int, default=95598)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--no-screen", action="store_true")
    args = parser.parse_args(argv)
    print(f"machine: {os.cpu_count()} cores, shared with other work: read ratios, not absolute times")
    path = sqlite_year(args.tickets, args.stations, args.seed)
    engine = make_engine(f"sqlite:///{path}")
    run, snapshot_run, placeholder = sqlite_runner(path)
    print(f"SQLite {sqlite3.sqlite_version}, {args.tickets} tickets")
    compare("SQLite", engine, run, snapshot_run, placeholder, args.runs)
    engine.dispose()
    if not args.no_screen:
        screen_time(path)
    pg = os.environ.get("WOQ_TEST_DATABASE_URL")
    if pg:
        url = pg_database(pg, args.tickets, args.stations, args.seed)
        engine = make_engine(url)
        run, snapshot_run, placeholder = pg_runner(url)
        compare("PostgreSQL", engine, run, snapshot_run, placeholder, args.runs)
        engine.dispose()
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
