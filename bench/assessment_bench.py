"""The assessment on a year of tickets: the monthly bulletin and the pilot evaluation
against the bare SQL they cannot do without.

    .venv/bin/python -m bench.assessment_bench [--runs 5]

Writes a demo year (`woq-console generate`'s generator: 100 stations, ~325,000
tickets, ending 2026-11-26 10:00 Shanghai, with its planted pilot) into
bench/out/assessment-year.db once, then prints medians of `--runs` runs of
  1. the bulletin of October 2026: its figures (store/bulletin.py: the month and the
     one before by station, the days, the black list, the scorecard) and each renderer
     (html, md, xlsx), against one raw sqlite3 GROUP BY station over the two months;
  2. the pilot evaluation (S011, S031, S051, S071, S091 from 2026-09-28, overdue_rate,
     8 weeks, 2,000 bootstrap resamples): the SQL part and the bootstrap, against one
     raw sqlite3 GROUP BY station over the two windows;
  3. `woq-console bulletin` and `woq-console pilot` end to end (a new process each:
     imports, config, database, output);
  4. the scorecard of a quarter and the black list, for the screens.
The machine is shared: the figures carry that caveat.
"""

from __future__ import annotations

import argparse
import resource
import sqlite3
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import date, datetime, timezone
from pathlib import Path

from bench import ensure_demo
from woq_tui.config import parse_settings
from woq_tui.domain.periods import calendar_period
from woq_tui.store.db import make_engine

UTC = timezone.utc
OUT = Path(__file__).parent / "out"
DB = OUT / "assessment-year.db"
END = datetime(2026, 11, 26, 2, 0, tzinfo=UTC)
PILOT = ["S011", "S031", "S051", "S071", "S091"]
PILOT_START = date(2026, 9, 28)
RAW = """
SELECT station_code, count(*), sum(due_at < CASE WHEN resolved_at <= :as_of THEN resolved_at ELSE :as_of END)
FROM ticket WHERE created_at >= :start AND created_at < :end GROUP BY station_code
"""


def median(runs: int, work: Callable[[], object]) -> tuple[float, float]:
    """Median wall-clock and CPU seconds (this process and its children) of `runs` runs:
    on a shared machine the CPU time says what the work costs, the wall time what a
    user waited."""
    walls, cpus = [], []
    for _ in range(runs):
        began, cpu = time.perf_counter(), _cpu()
        work()
        walls.append(time.perf_counter() - began)
        cpus.append(_cpu() - cpu)
    return statistics.median(walls), statistics.median(cpus)


def _cpu() -> float:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def ensure_year(settings) -> None:
    ensure_demo(DB, settings, stations=100, days=365, end=END, what="a year of demo tickets")


def raw(spans: list[tuple[datetime, datetime]]) -> None:
    with sqlite3.connect(DB) as connection:
        for start, end in spans:
            params = {"as_of": int(END.timestamp()), "start": int(start.timestamp()), "end": int(end.timestamp())}
            connection.execute(RAW, params).fetchall()


def line(label: str, seconds: tuple[float, float], baseline: tuple[float, float] | None = None) -> None:
    wall, cpu = seconds
    ratio = f"  ({wall / baseline[0]:.1f} × the raw SQL's wall, {cpu / baseline[1]:.1f} × its CPU)" if baseline else ""
    print(f"  {label:<46} {wall * 1000:7.0f} ms wall {cpu * 1000:7.0f} ms CPU{ratio}", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    settings = parse_settings({})
    tz = settings.tz
    ensure_year(settings)
    engine = make_engine(f"sqlite:///{DB}")

    from woq_tui.reporting.bulletin_html import render_bulletin_html
    from woq_tui.reporting.bulletin_md import render_bulletin_md
    from woq_tui.reporting.bulletin_xlsx import render_bulletin_xlsx
    from woq_tui.store.backlog import backlog
    from woq_tui.store.bulletin import bulletin
    from woq_tui.store.pilot import evaluate_pilot, pilot_windows
    from woq_tui.store.scorecard import scorecard

    october = calendar_period("month", date(2026, 10, 1), tz)
    print(f"bulletin of October 2026 ({DB.name}, medians of {args.runs})")
    base = median(args.runs, lambda: raw([(october.start, october.end), (october.previous().start, october.previous().end)]))
    line("raw sqlite3: GROUP BY station, two months", base)
    data = bulletin(engine, october, END, settings.assessment)
    figures = median(args.runs, lambda: bulletin(engine, october, END, settings.assessment))
    line("bulletin figures (store/bulletin.py)", figures, base)
    for name, render in (("html", render_bulletin_html), ("md", render_bulletin_md), ("xlsx", render_bulletin_xlsx)):
        line(f"  + render {name}", median(args.runs, lambda render=render: render(data, tz)))

    print(f"pilot {','.join(PILOT)} from {PILOT_START}, overdue_rate, 8 weeks, 2,000 resamples")
    before, after = pilot_windows(PILOT_START, 8, END, tz)
    base = median(args.runs, lambda: raw([(before.start, before.end), (after.start, after.end)]))
    line("raw sqlite3: GROUP BY station, two windows", base)
    sql_only = median(args.runs, lambda: evaluate_pilot(engine, PILOT, PILOT_START, END, tz, resamples=0))
    line("pilot sums (store/pilot.py, no bootstrap)", sql_only, base)
    whole = median(args.runs, lambda: evaluate_pilot(engine, PILOT, PILOT_START, END, tz, resamples=2000))
    line("pilot evaluation with its bootstrap", whole, base)
    result = evaluate_pilot(engine, PILOT, PILOT_START, END, tz)
    print(f"  effect {result.effect * 100:+.1f} pp, 95 % [{result.ci95[0] * 100:+.1f}, {result.ci95[1] * 100:+.1f}]"
          f", significant: {result.significant}")  # fmt: skip

    print("end to end, a new process each")
    common = ["--db", f"sqlite:///{DB}", "--as-of", "2026-11-26T10:00"]
    for label, words in (
        ("woq-console bulletin --month 2026-10 (html)", ["bulletin", "--month", "2026-10", "--out", str(OUT / "bulletin.html")]),
        ("woq-console pilot", ["pilot", "--stations", ",".join(PILOT), "--since", str(PILOT_START)]),
    ):
        command = [sys.executable, "-m", "woq_tui", *words, *common]
        line(label, median(max(1, args.runs // 2), lambda command=command: subprocess.run(command, check=True, capture_output=True)))

    print("for the screens")
    q3 = calendar_period("quarter", date(2026, 7, 1), tz)
    line("scorecard of 2026 Q3 (with Q2 for the changes)", median(args.runs, lambda: scorecard(engine, q3, END, settings.assessment)))
    line("black list at the end instant", median(args.runs, lambda: backlog(engine, END, tz, settings.assessment)))
    engine.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
