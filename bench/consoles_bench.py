"""Many consoles on one PostgreSQL (issue 17, "Many consoles"): N simulated consoles
refresh their live queue at the configured interval (`refresh_seconds`, default 5),
their phases spread evenly over it, while the demo simulator writes 10 changes a second.

    .venv/bin/python -m bench.consoles_bench [--consoles 50,100,200] [--seconds 60] [--keep]

Prints, for each N: the refresh tick's p50/p95/max (the wall time of the store call a
tick makes, ConsoleStore.live) for all ticks and for the KPI ticks, ticks done against
ticks due, the simulator's achieved write rate, the CPU of the PostgreSQL backends
serving the database (utime + stime from /proc, as % of one core; the simulator's own
backend shown apart) and of the bench's worker processes, and the load average.
A baseline in the same run: the same statements written by hand and run with psycopg
(consoles_load.BareConsole) at the first N, so that the product's overhead is a ratio.

Connections: a console keeps its engine's pool, so each holds one PostgreSQL connection
between ticks (store/db.py make_engine: SQLAlchemy's QueuePool). The server here allows
100 (`SHOW max_connections`) and is shared, so an N that does not fit in what is free is
not run directly and says why. `--pooler URL` runs every N through a pooler as well
(pgbouncer in transaction mode; its URL ends in `?prepare_threshold=none`, which
make_engine understands: docs/consoles.md). `--pool null` connects for each tick
instead (SQLAlchemy's NullPool through make_engine), measured and not a fix (ibid.).

How and why the consoles are spread over worker processes: bench/consoles_load.py.
The database is a demo year (`woq-console generate`, 100 stations, 365 days), built
when missing into its own database and dropped at the end unless --keep.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path

from sqlalchemy import create_engine, make_url, text

from bench.consoles_load import ConsoleRun, ServerCpu, SimulatorRun, run_consoles, run_simulator
from bench.province_build import drop_pg_database, recreate_pg_database
from woq_tui.config import load_settings

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/consoles_province"
# Connections left to the server's other users when deciding whether N consoles fit.
SPARE_CONNECTIONS = 20


@dataclass
class Measured:
    mode: str  # with "+pgb" when the consoles connected through a pooler
    consoles: int
    run: ConsoleRun
    kpi_ticks: list[float]
    simulator: SimulatorRun
    server_cpu: float  # seconds, the consoles' backends
    simulator_cpu: float  # seconds, the simulator's backends
    seconds: float
    peak_backends: int
    load: tuple[float, float, float]


def say(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def ensure_database(url: str) -> None:
    """A demo year at 100 stations, generated when the database is missing or empty."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            tickets = connection.execute(text("SELECT count(*) FROM ticket")).scalar_one()
        if tickets:
            return
    except Exception:  # missing database or schema: build it below
        pass
    finally:
        engine.dispose()
    say("building a demo year (100 stations, 365 days)…")
    recreate_pg_database(url)
    subprocess.run(
        [str(Path(sys.executable).parent / "woq-console"), "generate", "--db", url, "--stations", "100", "--days", "365"],
        check=True, stdout=subprocess.DEVNULL,
    )


def free_connections(url: str) -> tuple[int, int]:
    """(max_connections, connections in use now) of the server."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            most = int(connection.execute(text("SHOW max_connections")).scalar_one())
            used = connection.execute(text("SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend'")).scalar_one()
    finally:
        engine.dispose()
    return most, used


def measure(
    url: str, mode: str, consoles: int, interval: float, seconds: float, workers: int, rate: float,
    kpi_seconds: float | None = None, settle: float | None = None, connect: str | None = None,
) -> Measured:
    """N consoles (`mode`: product, product-null or bare) for `seconds`, the simulator
    writing meanwhile; `settle` seconds before the window to start the processes, load
    every console's first page and steer the simulator to its rate. `connect`: where
    the consoles and the simulator connect (a pooler in front of `url`'s server)."""
    from bench.consoles_load import KPI_SECONDS

    database = make_url(url).database or ""
    workers = max(1, min(workers, consoles))
    phases = [index * interval / consoles for index in range(consoles)]
    # Room to start the processes and load every console's first page before the window.
    start_at = time.time() + (15 + 0.15 * consoles if settle is None else settle)
    end_at = start_at + seconds
    cpu = ServerCpu(database)
    context = get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers + 1, mp_context=context) as pool:
        simulator = pool.submit(run_simulator, connect or url, rate, start_at, end_at)
        jobs = [
            pool.submit(run_consoles, mode, connect or url, phases[w::workers], interval, start_at, end_at, kpi_seconds or KPI_SECONDS)
            for w in range(workers)
        ]
        time.sleep(max(0.0, start_at - time.time()))  # the window opens
        cpu.start()
        runs = [job.result() for job in jobs]
        cpu.stop()
        writer = simulator.result()
    writer.changes = round(writer.changes * seconds / max(writer.seconds, 1e-9))
    total = ConsoleRun()
    for run in runs:
        total.ticks += run.ticks
        total.kpi_ticks += run.kpi_ticks
        total.statements += run.statements
        total.expected += run.expected
        total.failed += run.failed
        total.skipped += run.skipped
        total.errors += run.errors
        total.cpu += run.cpu
        total.late = max(total.late, run.late)
    # Through a pooler the simulator's transactions run on any server backend: its
    # share cannot be told apart, and the total is shown (simulator included).
    simulator_pids = set(writer.backend_pids) if connect is None else set()
    return Measured(
        mode if connect is None else f"{mode}+pgb", consoles, total, [t for run in runs for t in run.kpi_tick_times], writer,
        cpu.seconds(exclude=simulator_pids), cpu.seconds(pids=simulator_pids) if connect is None else float("nan"), seconds, cpu.peak_backends, os.getloadavg(),
    )


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def ms(value: float) -> str:
    return f"{value * 1000:7.1f}"


HEADER = (
    f"{'mode':<13}{'N':>4} {'p50 ms':>7} {'p95 ms':>7} {'max ms':>7} {'KPI p95':>7} {'done/due':>11} {'fail':>5} {'skip':>5}"
    f" {'stmt/tick':>9} {'writes/s':>8} {'PG CPU%':>8} {'(sim)':>6} {'bench%':>7} {'conns':>5}  load"
)


def row(m: Measured) -> str:
    ticks = m.run.ticks
    done = f"{len(ticks)}/{m.run.expected}"
    statements = m.run.statements / len(ticks) if ticks else 0.0
    return (
        f"{m.mode:<13}{m.consoles:>4} {ms(statistics.median(ticks) if ticks else float('nan'))}"
        f" {ms(percentile(ticks, 0.95))} {ms(max(ticks) if ticks else float('nan'))} {ms(percentile(m.kpi_ticks, 0.95))}"
        f" {done:>11} {m.run.failed:>5} {m.run.skipped:>5} {statements:>9.1f} {m.simulator.changes / m.seconds:>8.1f}"
        f" {100 * m.server_cpu / m.seconds:>8.1f} {100 * m.simulator_cpu / m.seconds:>6.1f}"
        f" {100 * m.run.cpu / m.seconds:>7.1f} {m.peak_backends:>5}  {' '.join(f'{x:.2f}' for x in m.load)}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default=DEFAULT_URL, help="a PostgreSQL database of the bench's own")
    parser.add_argument("--consoles", default="50,100,200", help="the Ns, comma-separated")
    parser.add_argument("--seconds", type=float, default=60.0, help="the measured window of each run")
    parser.add_argument("--workers", type=int, default=4, help="processes the consoles are spread over")
    parser.add_argument("--rate", type=float, default=10.0, help="the simulator's changes a second")
    parser.add_argument("--pool", choices=("queue", "null"), default="queue",
                        help="console engines keep their connection (queue, the product's default) or connect per tick (null)")
    parser.add_argument("--pooler", metavar="URL",
                        help="the same database through a pooler (pgbouncer, transaction mode): every N also runs through it")
    parser.add_argument("--keep", action="store_true", help="keep the database (default: drop it at the end)")
    args = parser.parse_args(argv)
    url = args.db
    if not url.startswith("postgresql"):
        raise SystemExit("consoles_bench: a PostgreSQL URL, please (--db)")
    interval = float(load_settings().console.refresh_seconds)
    counts = [int(n) for n in args.consoles.split(",")]
    mode = "product" if args.pool == "queue" else "product-null"
    ensure_database(url)
    most, used = free_connections(url)
    say(f"refresh every {interval:g} s; max_connections {most}, {used} in use; {args.seconds:g} s a run; load {os.getloadavg()}")
    results: list[Measured] = []

    def run(mode: str, consoles: int, connect: str | None = None) -> None:
        results.append(measure(url, mode, consoles, interval, args.seconds, args.workers, args.rate, connect=connect))
        print(row(results[-1]), flush=True)

    try:
        print(HEADER, flush=True)
        for index, consoles in enumerate(counts):
            if index == 0:
                run("bare", consoles)
            # Either mode can hold a connection a console at once (per tick: when the
            # ticks overlap on a busy machine): never take the shared server's last ones.
            if consoles + used + SPARE_CONNECTIONS > most:
                print(f"{mode:<13}{consoles:>4} not run directly: up to {consoles} connections, the shared server has "
                      f"{most - used} free of {most} (docs/consoles.md)", flush=True)
            else:
                run(mode, consoles)
            if args.pooler:
                run(mode, consoles, args.pooler)
        bare = next((m for m in results if m.mode == "bare"), None)
        for m in results:
            if bare is not None and m is not bare and m.run.ticks and bare.run.ticks:
                print(f"{m.mode} at N={m.consoles}: tick p50 {statistics.median(m.run.ticks) / statistics.median(bare.run.ticks):.1f}× "
                      f"the bare tick at N={bare.consoles}, server CPU a console "
                      f"{m.server_cpu / m.consoles / max(bare.server_cpu / bare.consoles, 1e-9):.1f}×")
        for m in results:
            if m.run.late >= 0.5:
                print(f"  {m.mode} N={m.consoles}: a worker was still loading first pages {m.run.late:.1f} s into the window")
            for error in m.run.errors[:2]:
                print(f"  {m.mode} N={m.consoles}: {error}")
    finally:
        if not args.keep:
            drop_pg_database(url)
            say(f"dropped {make_url(url).database}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
