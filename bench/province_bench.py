"""A province on PostgreSQL (issue 17): the station screen and `report` at 3,000 stations.

    .venv/bin/python -m bench.province_bench [--build] [--full] [--runs 5] [--before]

`--build` makes the province first (bench/province_build.py: `woq-console generate` a
year at 100 stations, copied in SQL to 3,000 stations, a tenth of the tickets: ~1M;
`--full` keeps them all: ~10M, the issue's size) into its own database `woq_province`
(`woq_province_full`), and a 1M-ticket year in SQLite (bench/out/province.db, 300
stations). Without `--build` it measures what an earlier build left; `--drop` drops the
PostgreSQL database at the end.

Times (medians of `--runs`), a week (the last full one) and the year before as_of:
  - the station screen's load (ConsoleStore.station_table: the period, its comparison
    and the trend, store/figures.load_station_table);
  - `report` (store/figures.report: totals, types, areas, stations, p90s included);
  - the baseline: the same year's plain sums in one GROUP BY, bare SQL through the
    driver (no percentiles): what any design pays to read the cohort once.
`--audit` also times the whole audit of the week (store.audit.evaluate, type_suspect
aside); `--url` measures another PostgreSQL database (one `woq-console generate
--stations 3000 --days 365 --end 2026-11-24` made: docs/demo.md, "A province").
`--before` also times the percentile step as it was (one statement per group and
percentile, store/percentiles.per_group_percentiles) for the before/after figures.
"""

from __future__ import annotations

import argparse
import statistics
import time
from contextlib import contextmanager
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

from bench.province_build import OUT, build_postgres, build_sqlite, drop_pg_database, say

PG = "postgresql+psycopg://postgres@127.0.0.1:5432/"
SHANGHAI = ZoneInfo("Asia/Shanghai")
AS_OF = datetime(2026, 11, 23, 16, 0, tzinfo=timezone.utc)  # 2026-11-24 00:00 in Shanghai
BARE_SUMS = """SELECT station_code, count(*), sum(CASE WHEN resolved_at <= {a} THEN 1 ELSE 0 END),
  sum(CASE WHEN due_at < CASE WHEN resolved_at <= {a} THEN resolved_at ELSE {a} END THEN 1 ELSE 0 END),
  count(CASE WHEN first_response_at <= {a} THEN 1 END),
  sum(CASE WHEN first_response_at <= {a} THEN first_response_at - created_at END),
  sum(CASE WHEN resolved_at <= {a} THEN resolved_at - created_at END),
  sum(CASE WHEN dispatch_count >= 2 THEN 1 ELSE 0 END), sum(CASE WHEN escalated THEN 1 ELSE 0 END),
  count(satisfaction), sum(CASE WHEN satisfaction IN ('satisfied', 'basically_satisfied') THEN 1 ELSE 0 END)
FROM ticket WHERE created_at >= {s} AND created_at < {e} GROUP BY station_code"""


def periods():
    from woq_tui.domain.periods import days_period

    return {
        "week": days_period(date(2026, 11, 16), date(2026, 11, 22), SHANGHAI),
        "year": days_period(date(2025, 11, 24), date(2026, 11, 23), SHANGHAI),
    }


def median_s(function, runs: int) -> float:
    function()  # warm: the first run pays the cache and the plan
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


@contextmanager
def percentile_form(name: str):
    """Run with the percentile step as `name`: "product", or "per-group" (the old form,
    a statement per group and percentile, on either database)."""
    from woq_tui.store import figures, percentiles

    saved = figures.fill_percentiles
    if name == "per-group":
        figures.fill_percentiles = percentiles.per_group_percentiles
    try:
        yield
    finally:
        figures.fill_percentiles = saved


def bare_baseline(url: str, period) -> callable:
    """The year's plain sums by station, one GROUP BY through the bare driver."""
    sql = BARE_SUMS.format(a=int(AS_OF.timestamp()), s=int(period.start.timestamp()), e=int(period.end.timestamp()))
    if url.startswith("sqlite"):
        import sqlite3

        connection = sqlite3.connect(url.removeprefix("sqlite:///"))
        return lambda: connection.execute(sql.replace("WHEN escalated", "WHEN escalated = 1")).fetchall()
    import psycopg

    connection = psycopg.connect(url.replace("postgresql+psycopg", "postgresql"), autocommit=True)
    return lambda: connection.execute(sql).fetchall()


def measure(url: str, label: str, runs: int, forms: list[str], report_too: bool = True, before_runs: int | None = None) -> list[str]:
    from woq_tui.store.db import make_engine
    from woq_tui.store.figures import load_station_table, report

    engine = make_engine(url)
    lines = []
    for name, period in periods().items():
        bare = median_s(bare_baseline(url, period), runs)
        lines.append(f"{label} {name:4}  bare GROUP BY (sums only)     {bare * 1000:8.0f} ms")
        for form in forms:
            form_runs = runs if form == "product" or before_runs is None else before_runs
            with percentile_form(form):
                screen = median_s(lambda period=period: load_station_table(engine, period, AS_OF), form_runs)
                lines.append(f"{label} {name:4}  station screen [{form:9}]   {screen * 1000:8.0f} ms  {screen / bare:5.1f}x bare")
                if report_too:
                    whole = median_s(lambda period=period: report(engine, period, AS_OF), form_runs)
                    lines.append(f"{label} {name:4}  report         [{form:9}]   {whole * 1000:8.0f} ms  {whole / bare:5.1f}x bare")
            print("\n".join(lines[-1 - report_too:]), flush=True)
    engine.dispose()
    return lines


def measure_audit(url: str, label: str, runs: int) -> str:
    """The whole audit of the week (every rule but type_suspect, which needs a trained
    model), as `woq-console audit` and screen 6 get it, against the week's bare GROUP BY."""
    from woq_tui.config import parse_settings
    from woq_tui.domain.audit_rules import RULE_IDS
    from woq_tui.store.audit import evaluate
    from woq_tui.store.db import make_engine

    engine = make_engine(url)
    settings = parse_settings({"console": {"timezone": "Asia/Shanghai"}})
    period = periods()["week"]
    rules = [rule for rule in RULE_IDS if rule != "type_suspect"]
    bare = median_s(bare_baseline(url, period), runs)
    audit = median_s(lambda: evaluate(engine, period, AS_OF, settings, rules=rules), runs)
    engine.dispose()
    line = f"{label} week  audit (evaluate, all rules)  {audit * 1000:8.0f} ms  {audit / bare:5.1f}x bare"
    print(line, flush=True)
    return line


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", action="store_true", help="build the province (and the SQLite year) first")
    parser.add_argument("--full", action="store_true", help="the full province: ~10M tickets (default: a tenth)")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--before", action="store_true", help="also time the old per-group percentile step")
    parser.add_argument("--before-runs", type=int, help="runs of the old step (default: --runs; it is slow)")
    parser.add_argument("--drop", action="store_true", help="drop the province database when done")
    parser.add_argument("--no-sqlite", action="store_true")
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--url", help="measure this PostgreSQL database instead (e.g. one `woq-console generate` made)")
    parser.add_argument("--audit", action="store_true", help="also the whole audit of the week (store.audit.evaluate)")
    args = parser.parse_args()
    pg_url = args.url or PG + ("woq_province_full" if args.full else "woq_province")
    sqlite_path = OUT / "province.db"
    if args.build:
        if not args.no_postgres:
            build_postgres(pg_url, copies=30, share=1 if args.full else 0.1)
        if not args.no_sqlite:
            build_sqlite(sqlite_path, copies=3, share=1)
    forms = ["product", "per-group"] if args.before else ["product"]
    lines = []
    if not args.no_postgres:
        lines += measure(pg_url, "PostgreSQL", args.runs, forms, before_runs=args.before_runs)
        if args.audit:
            lines.append(measure_audit(pg_url, "PostgreSQL", args.runs))
    if not args.no_sqlite:
        lines += measure(f"sqlite:///{sqlite_path}", "SQLite    ", args.runs, forms, report_too=False, before_runs=args.before_runs)
    say(f"medians of {args.runs} runs")
    print("\n".join(lines))
    if args.drop and not args.no_postgres:
        drop_pg_database(pg_url)


if __name__ == "__main__":
    main()
