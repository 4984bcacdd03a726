"""Station figures over one year: the product's queries against the bare SQL.

    .venv/bin/python -m bench.figures_bench [--tickets 325000] [--stations 100]

Generates one year of tickets by itself (a small deterministic Core bulk inserter, so
it does not depend on the demo generator) into bench/out/, then times
  1. the station grouping (all figures, p90s included) through woq_tui.store.figures,
     against the fastest hand-written SQL for the same figures run with sqlite3;
  2. the whole report (totals, by type, by area, stations), likewise;
  3. the station screen's time to show a year through App.run_test, and the event
     loop's lag meanwhile (SQLite, and PostgreSQL when it runs), then the lag that the
     loading alone costs an asyncio loop (no Textual).
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


def interleaved_ms(first, second, runs: int) -> tuple[list[float], list[float]]:
    """Times in ms of each function, run alternately so both meet the same load on
    this shared machine (after one warm-up run each)."""
    first(), second()  # warm the caches
    times: tuple[list[float], list[float]] = ([], [])
    for _ in range(runs):
        for function, out in ((first, times[0]), (second, times[1])):
            started = time.perf_counter()
            function()
            out.append((time.perf_counter() - started) * 1000)
    return times


def _line(name: str, product: list[float], bare: list[float], note: str = "") -> str:
    ratios = sorted(p / b for p, b in zip(product, bare))
    return (
        f"  {name:8s} product {statistics.median(product):7.1f} ms (min {min(product):6.1f})   "
        f"bare SQL {statistics.median(bare):7.1f} ms (min {min(bare):6.1f})   "
        f"ratio of medians {statistics.median(product) / statistics.median(bare):.2f}x, "
        f"of mins {min(product) / min(bare):.2f}x, per-pair median {statistics.median(ratios):.2f}x "
        f"[{ratios[0]:.2f}-{ratios[-1]:.2f}]{note}"
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


def _bare_finish(n, res, od, ontime, nfr, sfr, shd, rep, esc, one, surv, sat) -> dict:
    return {
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


def bare_sums(run, group: str, params: dict) -> dict:
    """Group key -> the 12 integer sums, in one GROUP BY. as_of is written into the SQL
    (a bound :a costs SQLite ~25 % of the aggregate: read once per use and row)."""
    key, source, _member = GROUPS[group]
    where = "t.created_at >= :f AND t.created_at < :t"
    row = ROW.replace(":a", str(int(params["a"])))
    sql = f"SELECT g, {AGG} FROM (SELECT {key} AS g, {row} {source} WHERE {where}) x GROUP BY g"
    # PostgreSQL's sum(bigint) is numeric: back to int before dividing, as the product does
    return {row[0]: [0 if v is None else int(v) for v in row[1:]] for row in run(sql, params)}


def bare_p90s(run, group: str, sums: dict, params: dict, placeholder, hint_rows: int | None) -> dict:
    """The figures with both p90s: one ORDER BY ... LIMIT 1 OFFSET per group. On SQLite
    the statement walks a duration-ordered index (migration 0003) where that beats the
    sort, by the product's rule: a station's when the cohort is a tenth of the table or
    more, the table-wide one for a group holding a tenth of it."""
    _key, _source, member = GROUPS[group]
    where = "t.created_at >= :f AND t.created_at < :t"
    out = {}
    cohort = {1: sum(values[1] for values in sums.values()), 4: sum(values[4] for values in sums.values())}
    for g, values in sums.items():
        out[g] = _bare_finish(*values)
        condition = member.format(v=placeholder("g"))
        for name, value, column, has, unit, index in (
            ("p90_first_response_min", "first_response_at - created_at", 4, "first_response_at <= :a", 60, "response"),
            ("p90_handling_h", "resolved_at - created_at", 1, "resolved_at <= :a", 3600, "handling"),
        ):
            count = values[column]
            if count:
                hint = ""
                if hint_rows is not None and group == "station" and cohort[column] >= 0.1 * hint_rows:
                    hint = f" INDEXED BY ix_ticket_station_{index}"
                elif hint_rows is not None and count >= 0.1 * hint_rows:
                    hint = f" INDEXED BY ix_ticket_{index}"
                sql = (f"SELECT t.{value.replace(' - ', ' - t.')} AS v FROM ticket t{hint} WHERE {where} AND {condition} AND {has} "
                       f"ORDER BY v DESC LIMIT 1 OFFSET {placeholder('o')}")
                seconds = run(sql, {**params, "g": g, "o": count - (9 * count + 9) // 10})[0][0]
                out[g][name] = seconds / unit
    return out


def bare_figures(run, group: str, params: dict, placeholder, hint_rows: int | None = None) -> dict:
    return bare_p90s(run, group, bare_sums(run, group, params), params, placeholder, hint_rows)


def bare_report(run, params, placeholder, hint_rows: int | None) -> list[dict]:
    """The same four groupings, the fastest way found: two passes over the tickets
    (stations, types); areas and total summed from the stations in Python."""
    stations = bare_sums(run, "station", params)
    types = bare_sums(run, "type", params)
    area_of = dict(run("SELECT code, area_type FROM station", {}))
    areas: dict = {}
    total: list = [0] * 12
    for code, values in stations.items():
        area = areas.setdefault(area_of[code], [0] * 12)
        for index, value in enumerate(values):
            area[index] += value
            total[index] += value
    return [
        bare_p90s(run, "total", {None: total}, params, placeholder, hint_rows),
        bare_p90s(run, "type", types, params, placeholder, hint_rows),
        bare_p90s(run, "area", areas, params, placeholder, hint_rows),
        bare_p90s(run, "station", stations, params, placeholder, hint_rows),
    ]


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
    import re

    import psycopg
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
    from zoneinfo import ZoneInfo

    from woq_tui.domain.periods import Period
    from woq_tui.store.figures import BY_STATION, figures_by, report, snapshot

    period = Period(END - timedelta(days=365), END, ZoneInfo("Asia/Shanghai"))
    params = {"f": int(period.start.timestamp()), "t": int(period.end.timestamp()), "a": int(END.timestamp())}
    hint_rows = run("SELECT max(id) FROM ticket", {})[0][0] if engine.dialect.name == "sqlite" else None

    def product_stations():
        with snapshot(engine) as connection:
            return figures_by(connection, BY_STATION, period, END)

    bare_stations = snapshot_run(lambda: bare_figures(run, "station", params, placeholder, hint_rows))
    product = product_stations()
    bare = bare_stations()
    assert product == {code: {key: bare[code][key] for key in product[code]} for code in bare}, "figures differ"
    bare_all = snapshot_run(lambda: bare_report(run, params, placeholder, hint_rows))
    whole = report(engine, period, END)
    totals, types, areas, stations = bare_all()
    assert whole.totals == totals[None] and whole.by_type == {k: types[k] for k in whole.by_type}, "report differs"
    assert whole.by_area == {k: areas[k] for k in whole.by_area}, "report areas differ"
    print(f"{label}: a year, all figures incl. p90s; {runs} alternating runs")
    print(_line("stations", *interleaved_ms(product_stations, bare_stations, runs)))
    print(_line("report", *interleaved_ms(lambda: report(engine, period, END), bare_all, runs), "  (totals, types, areas, stations)"))


def screen_time(url: str, label: str, runs: int = 5) -> None:
    """The station screen on a year, through App.run_test at 200x50: (1) opened on the
    year (pushing a new screen: its compose and first paint included), (2) switched to
    the year while open (as `t` or `[` `]` do, the cache bypassed). Times to its rows
    and to everything (comparison, subtotals, trend); meanwhile an asyncio task in the
    app's loop sleeps 50 ms at a time and records how late it wakes up (event-loop lag)."""
    from zoneinfo import ZoneInfo

    from textual.widgets import DataTable

    from woq_tui.app import WoqApp
    from woq_tui.config import parse_settings
    from woq_tui.context import ConsoleContext
    from woq_tui.domain.clock import FixedClock
    from woq_tui.domain.periods import Period
    from woq_tui.screens.stations import StationsScreen

    settings = parse_settings({"console": {"language": "zh", "operator": "bench"}})
    year = Period(END - timedelta(days=365), END, ZoneInfo("Asia/Shanghai"))
    week = Period(END - timedelta(days=7), END, ZoneInfo("Asia/Shanghai"))

    async def once(switch: bool) -> tuple[float, float, int, list[float]]:
        engine = make_engine(url)
        app = WoqApp(ConsoleContext(settings=settings, engine=engine, clock=FixedClock(END), label="bench"))
        lags: list[float] = []
        async with app.run_test(size=(200, 50)) as pilot:
            await pilot.pause()
            screen = StationsScreen(period=week if switch else year)
            if switch:
                await app.push_screen(screen)
                while not screen.complete_at:
                    await asyncio.sleep(0.01)
                await pilot.pause()
            loop = asyncio.get_running_loop()

            async def sample() -> None:
                while True:
                    before = loop.time()
                    await asyncio.sleep(0.05)
                    lags.append((loop.time() - before - 0.05) * 1000)

            sampler = asyncio.create_task(sample())
            started = time.perf_counter()
            if switch:
                screen.complete_at = 0.0
                screen.period = year
                screen.load(cached=False)
            else:
                await app.push_screen(screen)
            while not screen.complete_at:
                await asyncio.sleep(0.01)
            await pilot.pause()
            sampler.cancel()
            rows = screen.query_one(DataTable).row_count
        engine.dispose()
        return (screen.rows_shown_at - started) * 1000, (screen.complete_at - started) * 1000, rows, lags

    for switch, how in ((False, "opened on a year"), (True, "switched to a year")):
        results = [asyncio.run(once(switch)) for _ in range(runs)]
        lags = sorted(lag for result in results for lag in result[3])
        p95 = lags[min(len(lags) - 1, int(0.95 * len(lags)))] if lags else 0.0
        shown = statistics.median(r[0] for r in results)
        complete = [r[1] for r in results]
        print(f"  {label} station screen {how}: rows after {shown:.0f} ms, everything (comparison, "
              f"subtotals, trend) after {statistics.median(complete):.0f} ms [{min(complete):.0f}-{max(complete):.0f}] "
              f"({results[0][2]} rows; median of {runs}); event-loop lag meanwhile: p95 {p95:.0f} ms, "
              f"max {lags[-1] if lags else 0:.0f} ms ({len(lags)} samples)")


def loading_lag(url: str, label: str, runs: int = 5) -> None:
    """The event loop's lag while load_station_table runs in a thread, without Textual:
    what the loading itself (threads holding the GIL between database calls) costs the
    loop, apart from mounting and painting the screen."""
    from zoneinfo import ZoneInfo

    from woq_tui.domain.periods import Period
    from woq_tui.store.figures import load_station_table

    engine = make_engine(url)
    period = Period(END - timedelta(days=365), END, ZoneInfo("Asia/Shanghai"))
    load_station_table(engine, period, END)

    async def measure() -> list[float]:
        loop = asyncio.get_running_loop()
        lags: list[float] = []
        done = False

        async def sample() -> None:
            while not done:
                before = loop.time()
                await asyncio.sleep(0.05)
                lags.append((loop.time() - before - 0.05) * 1000)

        sampler = asyncio.create_task(sample())
        for _ in range(runs):
            await asyncio.to_thread(load_station_table, engine, period, END)
        done = True
        await sampler
        return sorted(lags)

    lags = asyncio.run(measure())
    engine.dispose()
    print(f"  {label} loading alone (no UI), {runs} loads: event-loop lag p95 {lags[int(0.95 * (len(lags) - 1))]:.0f} ms, "
          f"max {lags[-1]:.0f} ms ({len(lags)} samples)")


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
    parser.add_argument("--runs", type=int, default=11)
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
        screen_time(f"sqlite:///{path}", "SQLite")
        loading_lag(f"sqlite:///{path}", "SQLite")
    pg = os.environ.get("WOQ_TEST_DATABASE_URL")
    if pg:
        url = pg_database(pg, args.tickets, args.stations, args.seed)
        engine = make_engine(url)
        run, snapshot_run, placeholder = pg_runner(url)
        compare("PostgreSQL", engine, run, snapshot_run, placeholder, args.runs)
        engine.dispose()
        if not args.no_screen:
            screen_time(url, "PostgreSQL")
            loading_lag(url, "PostgreSQL")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
