"""Build a province for bench/province_bench.py: a generated year copied to thousands of stations.

`woq-console generate` writes one year at 100 stations (~325,000 tickets); the database
then copies it in SQL, `INSERT ... SELECT` over `generate_series(copies)`, each copy
at new stations (S0001…, names from demo/names.py, the same area as the station it
copies), with the secondary indexes dropped during the copy and built after it (a
sorted build is many times faster than ten index insertions a row). `share` keeps
that share of the seed's tickets (by id), so the default province has the full count
of stations at a tenth of the tickets (1M), and `share=1` gives the issue's 10M.

PostgreSQL: a database of its own (`woq_province`), dropped and created again; never
the tests' database. SQLite: a file under bench/out/, the same copy in SQL.
The ticket events are not copied (no figure reads them).
"""

from __future__ import annotations

import random
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import Engine, create_engine, make_url, text

from woq_tui.demo.names import station_name
from woq_tui.domain.models import Ticket
from woq_tui.domain.stations import station_initials

OUT = Path(__file__).parent / "out"
END = "2026-11-24"  # a Tuesday, 00:00 in the console's zone: the last full week is Nov 16-22
SEED_STATIONS = 100


def say(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def recreate_pg_database(url: str) -> None:
    """DROP and CREATE the database `url` names, through the server's `postgres` database."""
    target = make_url(url)
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        name = target.database
        if name in ("postgres", "test", "template0", "template1"):
            raise SystemExit(f"refusing to drop database {name!r}")
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()


def drop_pg_database(url: str) -> None:
    """DROP the bench's database (`--drop`: a 10M province holds ~8 GB)."""
    target = make_url(url)
    if target.database in ("postgres", "test", "template0", "template1"):
        raise SystemExit(f"refusing to drop database {target.database!r}")
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)'))
    admin.dispose()


def generate_seed(url: str, days: int = 365) -> None:
    started = time.perf_counter()
    subprocess.run(
        [str(Path(sys.executable).parent / "woq-console"), "generate", "--db", url, "--stations", str(SEED_STATIONS),
         "--days", str(days), "--end", END, "--seed", "95598"],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    say(f"seed year generated in {time.perf_counter() - started:.0f} s")


def _station_rows(seed: list[tuple[str, str]], copies: int) -> list[dict]:
    """copies × the seed stations, coded S0001… and named anew (unique, realistic)."""
    rng, used, rows = random.Random(17), set(), []
    width = max(3, len(str(copies * len(seed))))
    for copy in range(copies):
        for index, (old_code, area) in enumerate(seed):
            name, _county = station_name(rng, area, used)
            code = f"S{copy * len(seed) + index + 1:0{width}d}"
            rows.append({"old_code": old_code, "copy": copy, "code": code, "name": name, "area_type": area,
                         "initials": station_initials(name)})
    return rows


def multiply(engine: Engine, copies: int, share: float) -> int:
    """Copy the seed's tickets `copies` times at new stations; returns the ticket count."""
    step = max(1, round(1 / share))
    ticket = Ticket.__table__
    columns = [c.name for c in ticket.c if c.name != "id"]
    indexes = sorted(ticket.indexes, key=lambda index: index.name)
    started = time.perf_counter()
    with engine.begin() as connection:
        seed = [tuple(row) for row in connection.execute(text("SELECT code, area_type FROM station ORDER BY code"))]
        connection.execute(text(f"CREATE TABLE seed_ticket AS SELECT * FROM ticket WHERE id % {step} = 0"))
        connection.execute(text("CREATE TABLE seed_map (old_code VARCHAR(64), copy INTEGER, code VARCHAR(64))"))
        rows = _station_rows(seed, copies)
        connection.execute(text("INSERT INTO seed_map VALUES (:old_code, :copy, :code)"), rows)
        connection.execute(text("DELETE FROM ticket_event"))
        connection.execute(text("DELETE FROM ticket"))
        connection.execute(text("DELETE FROM station"))
        connection.execute(
            text("INSERT INTO station (code, name, area_type, initials) VALUES (:code, :name, :area_type, :initials)"), rows
        )
        for index in indexes:
            connection.execute(text(f"DROP INDEX {index.name}"))
        values = [
            "s.ticket_no || '-' || m.copy" if name == "ticket_no" else "m.code" if name == "station_code" else f"s.{name}"
            for name in columns
        ]
        connection.execute(text(
            f"INSERT INTO ticket ({', '.join(columns)}) SELECT {', '.join(values)} "
            "FROM seed_map m JOIN seed_ticket s ON s.station_code = m.old_code ORDER BY s.id, m.copy"
        ))
        say(f"{copies} copies inserted in {time.perf_counter() - started:.0f} s")
        if engine.dialect.name == "postgresql":
            connection.execute(text("SET LOCAL maintenance_work_mem = '512MB'"))
        for index in indexes:
            index.create(connection)
        connection.execute(text("DROP TABLE seed_ticket"))
        connection.execute(text("DROP TABLE seed_map"))
        count = connection.execute(text("SELECT count(*) FROM ticket")).scalar_one()
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE" if engine.dialect.name == "postgresql" else "ANALYZE"))
    say(f"{count:,} tickets at {copies * len(seed):,} stations, indexed in {time.perf_counter() - started:.0f} s")
    return count


def _generate_and_multiply(url: str, copies: int, share: float, days: int) -> int:
    generate_seed(url, days)
    engine = create_engine(url)
    try:
        return multiply(engine, copies, share)
    finally:
        engine.dispose()


def build_postgres(url: str, copies: int, share: float, days: int = 365) -> int:
    recreate_pg_database(url)
    return _generate_and_multiply(url, copies, share, days)


def build_sqlite(path: Path, copies: int, share: float, days: int = 365) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    for stale in path.parent.glob(path.name + "*"):
        stale.unlink()
    return _generate_and_multiply(f"sqlite:///{path}", copies, share, days)


