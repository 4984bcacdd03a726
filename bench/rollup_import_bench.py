"""A CSV year imported into a built station × day rollup (docs/speed.md, "The importer's
log"): not built, built with the triggers logging each ticket (the importer's own log
turned off), built with the importer's log (SQLite only); interleaved rounds, each
import in its own process (bench/import_bench.py's child, its export cached under
bench/out/), then the refresh it leaves.

    python -m bench.rollup_import_bench [--rows 325000] [--rounds 2] [--pg]

--pg: the same on PostgreSQL (WOQ_TEST_DATABASE_URL), in scratch databases of its own.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

from bench.import_bench import _child_import, _migrated_sqlite, _report, generate, run_import

ZONE = ZoneInfo("Asia/Shanghai")


def _child_import_triggers(url: str, path: str, queue) -> None:
    """The import with its own rollup log off: the triggers log each ticket."""
    from woq_tui.store import day_rollup_log

    day_rollup_log.ENABLED = False
    _child_import(url, path, queue)


@contextlib.contextmanager
def _target(scratch: Path, name: str, pg: str | None) -> Iterator[str]:
    """A migrated SQLite file, or with `pg` a scratch PostgreSQL database of this bench's
    own (dropped after)."""
    if pg is None:
        yield _migrated_sqlite(scratch / f"rollup-{name}.db")
        return
    from sqlalchemy import create_engine, make_url, text

    from woq_tui.store.db import make_engine, upgrade

    admin = create_engine(pg, isolation_level="AUTOCOMMIT")
    database = f"rollup_bench_{os.getpid()}_{name}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{database}"'))
    try:
        url = make_url(pg).set(database=database).render_as_string(hide_password=False)
        engine = make_engine(url)
        upgrade(engine)
        engine.dispose()
        yield url
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
        admin.dispose()


def run(scratch: Path, path: Path, rows: int, rounds: int, pg: str | None) -> None:
    from woq_tui.store.day_rollup_refresh import refresh
    from woq_tui.store.db import make_engine

    variants = [("not built", False, _child_import), ("built, triggers", True, _child_import_triggers)]
    if pg is None:
        variants.append(("built, importer's log", True, _child_import))
    where = "PostgreSQL" if pg else "SQLite"
    for round_ in range(rounds):
        for number, (label, built, target) in enumerate(variants):
            with _target(scratch, f"{round_}_{number}", pg) as url:
                engine = make_engine(url)
                if built:
                    refresh(engine, ZONE)
                result = run_import(url, path, target)
                _report(f"{where}: {label}", rows, result)
                print(f"{'':<29}load average {os.getloadavg()[0]:.2f}")
                if built:
                    began, cpu = time.perf_counter(), time.process_time()
                    done = refresh(engine, ZONE)
                    print(f"{'':<29}refresh after: {time.perf_counter() - began:.2f} s (CPU {time.process_time() - cpu:.2f} s), "
                          f"{done.entries:,} entries, {done.days} days")  # fmt: skip
                engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=325_000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--pg", action="store_true", help="PostgreSQL (WOQ_TEST_DATABASE_URL) instead of SQLite")
    parser.add_argument("--out", default=str(Path(__file__).parent / "out"), help="where the export is cached")
    args = parser.parse_args()
    pg = os.environ.get("WOQ_TEST_DATABASE_URL") if args.pg else None
    if args.pg and not pg:
        parser.error("--pg needs WOQ_TEST_DATABASE_URL")
    path = Path(args.out) / f"export-{args.rows}.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        generate(path.with_name(path.name + ".partial"), args.rows)
        path.with_name(path.name + ".partial").replace(path)
    with tempfile.TemporaryDirectory(prefix="woq-rollup-import-bench-") as scratch:
        run(Path(scratch), path, args.rows, args.rounds, pg)


if __name__ == "__main__":
    main()
