"""SQLite: the figure indexes dropped around a large import and built again after it.

Migrations 0002, 0003, 0006 and 0009 give the ticket table thirteen indexes that only the
quality figures and the audit read (marked FIGURE_INDEX in domain/models.py). Eight are
ordered by a duration, so every new ticket lands at scattered pages of them, and each
batch's commit writes those pages again: a year (325,000 tickets) costs ~20 s more to
insert with the seven of 0002 and 0003 than without, while building those afterwards
takes ~3 s (docs/import.md). So an import
that writes at least half as many tickets as the table holds (`worth_rebuilding`,
estimated from its first batch: the first import of a history, not the daily one, nor
a re-import that changes nothing) drops them after its first batch and builds them
again at the end, with ANALYZE, from the metadata (`Ticket.__table__`, which mirrors
the migrations). The unique ticket_no, the queue's and the live watermark's indexes
are never dropped: the import's lookups and the console need them.

A run killed in between leaves them missing. Before the first drop, the database
header's `PRAGMA user_version` is set to DROPPED_MARK; only after the last index and
ANALYZE is it set back to 0 (pysqlite runs DDL and PRAGMAs outside transactions, so it
is this order that leaves every state a kill can leave recoverable). The schema check
of every command (store/db.py `ensure_schema`: console start, import, report…) calls
`restore_if_dropped()`, which reads that integer (no import of the models; ~0.1 ms)
and only when it is set builds what is missing; the next import does too (`restore()`,
which reads sqlite_master). Neither may build them under an import that is still
running (that would hold the write lock for seconds while its batches wait), so the
import holds an exclusive `flock` on a file beside the database
(`tickets.db-indexes.lock`) from the drop to the end of the rebuild, and restoring
leaves the indexes to whoever holds it. The kernel lets go of it when that process
dies, however it dies. (A lock on the database file itself would not do: closing any
descriptor of that file drops the process's POSIX locks on it, which are SQLite's.)
Where there is no `flock` (Windows), nothing is dropped.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None  # type: ignore[assignment]  # no such module there: nothing drops the indexes

from woq_tui.store.schema_marks import DROPPED_MARK

if TYPE_CHECKING:
    from sqlalchemy import Connection, Engine, Index

# Below this many rows written an import is over in a second or two either way.
REBUILD_MIN_ROWS = 10_000
# Drop when the import writes at least this share of the tickets stored. Building the
# indexes afresh costs in proportion to the whole table, keeping them up to date in
# proportion to the file: into a year (325,000), a file of a quarter of that broke even
# (10.6 s against 10.9 s), half of it took 16.4 s against 23.4 s (docs/import.md). Twice
# the break-even, because while the indexes are gone the console's figures are slower.
REBUILD_SHARE = 0.5
LOCK_SUFFIX = "-indexes.lock"


@cache
def definitions() -> tuple[Index, ...]:
    """The figure indexes, as the metadata defines them (the models are imported only when the
    indexes are to be built or looked for, not by the schema check's header read)."""
    from woq_tui.domain.models import Ticket
    from woq_tui.domain.tables import table_of

    marked = (index for index in table_of(Ticket).indexes if index.info.get("figure_index"))
    return tuple(sorted(marked, key=lambda index: index.name or ""))  # all of them are named


def worth_rebuilding(written_rows: int | None, stored_tickets: int) -> bool:
    """Drop the figure indexes for an import that inserts or changes about
    `written_rows` tickets in a table of `stored_tickets`? The first import of a
    history, yes; a day's into a year, or a re-import that changes nothing, no."""
    if written_rows is None or written_rows < REBUILD_MIN_ROWS:
        return False
    return written_rows >= stored_tickets * REBUILD_SHARE


def stored_tickets(connection: Connection) -> int:
    """About how many tickets the table holds: the largest id, one seek (never fewer)."""
    return connection.exec_driver_sql("SELECT max(id) FROM ticket").scalar() or 0


def missing(connection: Connection) -> list[Index]:
    """The figure indexes the database lacks: one read of the schema table, a few µs."""
    present = set(
        connection.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'ticket'").scalars()
    )
    return [index for index in definitions() if index.name not in present]


def _marked(connection: Connection) -> bool:
    return connection.exec_driver_sql("PRAGMA user_version").scalar() == DROPPED_MARK


def drop(engine: Engine) -> None:
    """Mark the database as missing the figure indexes, then drop them."""
    from sqlalchemy.schema import DropIndex

    with engine.begin() as connection:
        connection.exec_driver_sql(f"PRAGMA user_version = {DROPPED_MARK}")
        for index in definitions():
            connection.execute(DropIndex(index, if_exists=True))


def build(engine: Engine) -> None:
    """Create the figure indexes that are missing, then refresh the table's statistics
    for the planner, then clear the mark."""
    from sqlalchemy.schema import CreateIndex

    with engine.connect() as connection:
        todo = missing(connection)
    for index in todo:
        with engine.begin() as connection:
            connection.execute(CreateIndex(index, if_not_exists=True))
    with engine.begin() as connection:
        if todo or _marked(connection):
            connection.exec_driver_sql("ANALYZE ticket")
            connection.exec_driver_sql("PRAGMA user_version = 0")


def restore(engine: Engine) -> bool:
    """Build the figure indexes that are missing (a killed import's), unless an import
    that is still running has them dropped. True when something was done. SQLite only."""
    with engine.connect() as connection:
        if not missing(connection) and not _marked(connection):
            return False
    with rebuild_lock(engine) as held:
        if not held:
            return False  # an import is running and builds them when it is done
        build(engine)
        return True


def restore_if_dropped(engine: Engine) -> bool:
    """restore() when an import marked the indexes dropped and did not finish: one read
    of the database header otherwise (the schema check of every command). SQLite only."""
    with engine.connect() as connection:
        if not _marked(connection):
            return False
    return restore(engine)


def lock_path(engine: Engine) -> Path | None:
    database = engine.url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database).expanduser().with_name(Path(database).name + LOCK_SUFFIX)


def can_lock(engine: Engine) -> bool:
    """Whether an import may drop the indexes here: only where the lock exists."""
    return fcntl is not None and lock_path(engine) is not None


@contextmanager
def rebuild_lock(engine: Engine) -> Iterator[bool]:
    """Hold the database's rebuild lock: yields True, or False at once when another
    process holds it (or the lock file cannot be opened). The file is removed when let
    go; a holder checks that the file it locked is still the one at the path."""
    path = lock_path(engine)
    if fcntl is None or path is None:
        yield True  # nothing can drop the indexes here (can_lock): nothing to wait for
        return
    descriptor = _locked(path)
    if descriptor is None:
        yield False
        return
    try:
        yield True
    finally:
        try:
            path.unlink()
        except OSError:
            pass
        os.close(descriptor)


def _locked(path: Path) -> int | None:
    while True:
        try:
            descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError:
            return None
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(descriptor)
            return None
        try:
            same = os.fstat(descriptor).st_ino == os.stat(path).st_ino
        except OSError:
            same = False  # removed by the holder that let go just before we locked it
        if same:
            return descriptor
        os.close(descriptor)
