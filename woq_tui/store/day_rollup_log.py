"""An import batch's own log of the station × day rollup's changes on SQLite (migration
0010; docs/speed.md, "The station × day rollup", "The importer's log").

SQLite's row triggers log one station_day_dirty entry per ticket written: a CSV year into
a built rollup took 73 s instead of 58 (+25 %). The refresh and the reads need less:
- an entry anywhere in a (station, local day) makes the read distrust that station's row
  of the day (its tickets are then read directly, by the join of rows to tickets) and
  makes the refresh recompute the day;
- a ticket no row covers is found by the read only through an entry at its own instant.
So a batch drops the three triggers inside its own transaction, writes its tickets, and
for each (station, local day) it wrote gives that day one entry (unless it has one) and,
where the station has no row of the day, a **placeholder row** no read trusts
(`unsettled = 1`, zero sums): its tickets are then read through the row. It creates the
triggers again from their own text in sqlite_master before it commits. SQLite takes one
writer at a time, so no other writer's change runs without them, and a batch that
fails rolls all of it back, triggers included. PostgreSQL's statement triggers log a
batch in one INSERT ... SELECT already: left as they are.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, select

from woq_tui.domain.metrics import SUMS
from woq_tui.domain.periods import local_midnight
from woq_tui.domain.timestamps import to_epoch
from woq_tui.store.day_rollup import EPOCH_DAY, LOG_TRIGGERS, STATE

# Off: the triggers log the batch as any writer's (bench/rollup_import_bench.py compares both).
ENABLED = True
Cell = tuple[str, int]  # (station_code, created_at in epoch seconds)


@lru_cache(maxsize=4096)
def _days_of_utc_day(zone: str, utc_day: int) -> tuple[tuple[int, int, date], ...]:
    """[start, end) and date of every local day of `zone` that meets UTC day `utc_day`."""
    tz = ZoneInfo(zone)
    first = datetime.fromtimestamp(utc_day * 86400, tz).date()
    last = datetime.fromtimestamp(utc_day * 86400 + 86399, tz).date()
    days = []
    while first <= last:
        days.append((to_epoch(local_midnight(first, tz)), to_epoch(local_midnight(first + timedelta(days=1), tz)), first))
        first += timedelta(days=1)
    return tuple(days)


def local_day(zone: str, instant: int) -> tuple[int, int, date]:
    """The local day of `zone` that `instant` falls in: (start, end, date)."""
    for day in _days_of_utc_day(zone, instant // 86400):
        if day[0] <= instant < day[1]:
            return day
    raise ValueError(instant)  # every instant of a UTC day is in one of its local days


class BatchLog:
    """The (station, local day) cells one batch wrote, logged by log() in its transaction."""

    def __init__(self, connection: Connection, zone: str, triggers: list[str]) -> None:
        self.connection = connection
        self.zone = zone
        self.triggers = triggers
        self.cells: set[tuple[str, int, int, date]] = set()

    def add(self, cells: Iterable[Cell]) -> None:
        zone = self.zone
        self.cells.update((station, *local_day(zone, instant)) for station, instant in cells)

    def log(self) -> None:
        """One entry per cell that has none, a placeholder row where none covers it, and
        the triggers back. Straight to the driver's executemany: SQLAlchemy's per-row
        parameter processing cost as much as the triggers did (a year: ~36,000 cells
        in ~160 batches, 400 of them a batch)."""
        if self.cells:
            params = [(station, start, end, (day - EPOCH_DAY).days) for station, start, end, day in sorted(self.cells)]
            self.connection.exec_driver_sql(_PLACEHOLDER, params)
            self.connection.exec_driver_sql(_ENTRY, [cell[:3] for cell in params])
        for text in self.triggers:
            self.connection.exec_driver_sql(text)


# ?1 station, ?2 the day's first instant, ?3 the next day's, ?4 the day's number (days
# since 1970-01-01); the placeholder's sums are zero and no read trusts it (unsettled)
_PLACEHOLDER = (
    f"INSERT OR IGNORE INTO station_day (station_code, day_start, day_end, day, {', '.join(SUMS)}, settled_by, unsettled) "
    f"VALUES (?1, ?2, ?3, ?4, {', '.join('0' for _ in SUMS)}, NULL, 1)"
)
_ENTRY = (
    "INSERT INTO station_day_dirty (station_code, created_at) SELECT ?1, ?2 WHERE NOT EXISTS "
    "(SELECT 1 FROM station_day_dirty WHERE station_code = ?1 AND created_at >= ?2 AND created_at < ?3)"
)


def suspend_triggers(connection: Connection) -> BatchLog | None:
    """On SQLite with the rollup built: drop the logging triggers for this transaction
    and return the log that puts them back; else None (the triggers do their work, or
    log nothing before the first build)."""
    if not ENABLED or connection.dialect.name != "sqlite":
        return None
    if connection.execute(select(STATE.c.zone)).scalar() is None:
        return None  # not built: the batch's locking stays as it was
    # pysqlite opens a transaction only before DML: a DROP TRIGGER before the batch's
    # first INSERT would commit at once, and another writer's change could then go
    # unlogged (or a killed import leave the triggers gone). Take the write lock first,
    # then read the zone again under it (a `db rollup` may have rebuilt it meanwhile).
    if not connection.connection.dbapi_connection.in_transaction:  # type: ignore[union-attr]
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    zone = connection.execute(select(STATE.c.zone)).scalar()
    if zone is None:
        return None
    found = connection.exec_driver_sql(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'ticket'"
    ).all()
    texts = {name: text for name, text in found if name in LOG_TRIGGERS}
    if len(texts) != len(LOG_TRIGGERS):  # not the schema this was written for: leave it be
        return None
    for name in LOG_TRIGGERS:
        connection.exec_driver_sql(f"DROP TRIGGER {name}")
    return BatchLog(connection, zone, [texts[name] for name in LOG_TRIGGERS])

