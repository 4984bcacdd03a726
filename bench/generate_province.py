"""`generate_bench.py --province`: generate() at a province scale into PostgreSQL, and the
bare COPY of the same rows as the baseline (docs/demo.md, "A province").

generate() runs in a child process of its own (spawned, so its peak RSS is its own),
into a database `provgen_bench` created for the run and dropped after it. Then its
tickets and events are COPYed out to a scratch file and timed COPYing in again into
unindexed copies of the two tables in the same database: the server's share of the
write, which no generator can beat. Printed: wall, tickets/s, the index build and
ANALYZE inside it, the child's peak RSS and CPU, the baseline and the ratio.
"""

from __future__ import annotations

import multiprocessing
import resource
import tempfile
import time
from datetime import datetime
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

DATABASE = "provgen_bench"


def _generate(url: str, seed: int, stations: int, days: int, end: datetime, answer) -> None:
    from woq_tui.config import parse_settings
    from woq_tui.demo.generator import generate
    from woq_tui.store.db import make_engine, upgrade

    engine = make_engine(url)
    upgrade(engine)
    result = generate(engine, parse_settings({}).sla_policy(), seed=seed, stations=stations, days=days, end=end)
    engine.dispose()
    answer.send((result.tickets, result.events, result.seconds, result.index_seconds, result.analyze_seconds))


def _bare_copy(url: str, scratch: Path) -> tuple[float, int]:
    """COPY the generated tickets and events out, then time COPYing them into unindexed
    tables: (seconds, bytes of COPY text)."""
    engine = create_engine(url)
    raw = engine.raw_connection()
    try:
        driver = raw.driver_connection
        assert driver is not None
        size = 0
        with driver.cursor() as cursor:
            for table in ("ticket", "ticket_event"):
                with open(scratch / table, "wb") as out, cursor.copy(f"COPY {table} TO STDOUT") as copy:
                    for chunk in copy:
                        out.write(chunk)
                        size += len(chunk)
                cursor.execute(f"CREATE TABLE bare_{table} (LIKE {table} INCLUDING DEFAULTS)")
            driver.commit()
            began = time.perf_counter()
            for table in ("ticket", "ticket_event"):
                with open(scratch / table, "rb") as source, cursor.copy(f"COPY bare_{table} FROM STDIN") as copy:
                    while chunk := source.read(1 << 20):
                        copy.write(chunk)
            driver.commit()
            return time.perf_counter() - began, size
    finally:
        raw.close()
        engine.dispose()


def province(server_url: str, seed: int, stations: int, days: int, end: datetime) -> None:
    admin = create_engine(make_url(server_url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{DATABASE}"'))
    url = make_url(server_url).set(database=DATABASE).render_as_string(hide_password=False)
    try:
        context = multiprocessing.get_context("spawn")
        receive, send = context.Pipe(duplex=False)
        began = time.perf_counter()
        child = context.Process(target=_generate, args=(url, seed, stations, days, end, send))
        child.start()
        tickets, events, seconds, index_seconds, analyze_seconds = receive.recv()
        child.join()
        wall = time.perf_counter() - began
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        print(f"province: {stations:,} stations x {days} days into PostgreSQL ({DATABASE}), by COPY")
        print(f"  generate()        {seconds:7.0f} s wall  {tickets / seconds:>9,.0f} tickets/s  ({tickets:,} tickets, {events:,} events)")
        print(f"    of which: index build {index_seconds:.0f} s, ANALYZE {analyze_seconds:.0f} s")
        print(f"    its process: {wall:.0f} s with start and migrations, {usage.ru_utime + usage.ru_stime:.0f} s CPU, "
              f"peak RSS {usage.ru_maxrss / 1024:,.0f} MB")
        with tempfile.TemporaryDirectory() as scratch:
            bare, size = _bare_copy(url, Path(scratch))
        print(f"  bare COPY in      {bare:7.0f} s       {tickets / bare:>9,.0f} tickets/s  ({size / 1e6:,.0f} MB of COPY text, no indexes)")
        print(f"  generate() / bare COPY: {seconds / bare:.1f}")
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)'))
        admin.dispose()
