"""Building and refreshing the station × local-day rollup (migration 0010,
store/day_rollup.py; docs/speed.md, "The station × day rollup"), type_day with it, and
on PostgreSQL the address tally (store/address_tally.py) from the same log.

A day's rows are always computed whole, from the tickets, by one INSERT ... SELECT of
domain/metrics.aggregates at `SETTLED` (the read's own expressions): a refresh
recomputes every local day a dirty entry falls in (its station's and every other
station's rows of that day) and deletes the entries it answers for. One transaction: a refresh
killed half-way leaves the rows and the entries as they were, and the reads exact.

Writers are not held: on PostgreSQL the refresh runs at READ COMMITTED, each day's
statement sees every change committed before it, and an entry committed after the
entries were taken stays for the next refresh (a day recomputed twice costs time, never
exactness). Two refreshes take turns (an advisory lock; SQLite's BEGIN IMMEDIATE).
The first build (or a zone other than the built one) starts over: on PostgreSQL it
enables the logging triggers first, under ALTER TABLE's lock, which waits for the
writers in flight and holds new ones until the build commits.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import BigInteger, Connection, Engine, case, delete, func, insert, literal, select
from sqlalchemy.sql.expression import type_coerce

from woq_tui.domain.metrics import SUMS, TicketFacts, aggregates
from woq_tui.domain.periods import local_midnight
from woq_tui.domain.timestamps import to_epoch
from woq_tui.store import address_tally
from woq_tui.store.day_rollup import DIRTY, EPOCH_DAY, LOG_TRIGGERS, SETTLED, STATE, STATION_DAY, TICKET, TYPE_DAY
from woq_tui.store.db import write_transaction

# pg_advisory_xact_lock key of the refresh (any constant the product uses for nothing else)
REFRESH_LOCK = 95598_0010
DELETE_CHUNK = 5000


@dataclass(frozen=True)
class Refreshed:
    """What a refresh did: local days recomputed, dirty entries consumed, whether it
    built from nothing, and its seconds."""

    days: int
    entries: int
    rebuilt: bool
    seconds: float


def refresh(engine: Engine, tz: ZoneInfo, on_day: Callable[[date], None] | None = None) -> Refreshed:
    """Bring the rollup up to date in zone `tz` (built from nothing the first time or
    when the zone differs). `on_day` is told each day recomputed (the tests kill a
    refresh there)."""
    started = time.perf_counter()
    with write_transaction(engine) as connection:
        postgresql = connection.dialect.name == "postgresql"
        if postgresql:
            connection.execute(select(func.pg_advisory_xact_lock(REFRESH_LOCK)))
        zone = connection.execute(select(STATE.c.zone)).scalar()
        rebuilt = zone != tz.key
        if rebuilt:
            if postgresql:
                for name in LOG_TRIGGERS:
                    connection.exec_driver_sql(f"ALTER TABLE ticket ENABLE TRIGGER {name}")
            for table in (STATION_DAY, TYPE_DAY, DIRTY, STATE):
                connection.execute(delete(table))
            connection.execute(insert(STATE).values(zone=tz.key))
            entries = 0
            days = _all_days(connection, tz)
            if address_tally.kept(connection):
                address_tally.build(connection)
        else:
            # the entries this refresh answers for, taken as it reads them: one committed
            # later stays (DELETE ... RETURNING: SQLite ≥ 3.35, PostgreSQL)
            taken = connection.execute(delete(DIRTY).returning(DIRTY.c.created_at, DIRTY.c.address_key)).all()
            entries = len(taken)
            days = sorted({datetime.fromtimestamp(instant, tz).date() for instant, _ in taken})
            if address_tally.kept(connection):
                address_tally.fold(connection, (address for _, address in taken))
        if not rebuilt:  # one pass over the rows for all the days (no index on the day)
            starts = [to_epoch(local_midnight(day, tz)) for day in days]
            for chunk in _chunks(starts, DELETE_CHUNK):
                for table in (STATION_DAY, TYPE_DAY):
                    connection.execute(delete(table).where(table.c.day_start.in_(chunk)))
        for day in days:
            compute_day(connection, day, tz)
            if on_day is not None:
                on_day(day)
        if rebuilt:  # SQLite plans the reads by these (a skip-scan in station order)
            connection.exec_driver_sql("ANALYZE station_day")
            connection.exec_driver_sql("ANALYZE type_day")
    return Refreshed(len(days), entries, rebuilt, time.perf_counter() - started)


def _all_days(connection: Connection, tz: ZoneInfo) -> list[date]:
    created = type_coerce(TICKET.c.created_at, BigInteger)
    first, last = connection.execute(select(func.min(created), func.max(created))).one()
    if first is None:
        return []
    day, end = datetime.fromtimestamp(first, tz).date(), datetime.fromtimestamp(last, tz).date()
    return [day + timedelta(days=n) for n in range((end - day).days + 1)]


def compute_day(connection: Connection, day: date, tz: ZoneInfo) -> None:
    """Every station's row of the local day `day`, and every type's (type_day), from its
    tickets (none: no row), the day's old rows deleted already."""
    start, end = to_epoch(local_midnight(day, tz)), to_epoch(local_midnight(day + timedelta(days=1), tz))
    facts = TicketFacts(SETTLED)
    sums = aggregates(facts)
    t = TICKET.c
    resolved_at, first_response_at = type_coerce(t.resolved_at, BigInteger), type_coerce(t.first_response_at, BigInteger)
    # the instant after which no ticket of the row changes with as_of (resolved and, if
    # ever, responded); unresolved tickets are counted apart
    settle = func.max(case((first_response_at > resolved_at, first_response_at), else_=resolved_at))
    for table, key in ((STATION_DAY, t.station_code), (TYPE_DAY, t.type)):
        rows = (
            select(
                key,
                literal(start, BigInteger), literal(end, BigInteger), literal((day - EPOCH_DAY).days, BigInteger),
                *(func.coalesce(sums[name], 0) for name in SUMS),
                settle,
                func.count() - func.count(t.resolved_at),
            )
            .where(facts.created >= start, facts.created < end)
            .group_by(key)
        )
        columns = [key.name, "day_start", "day_end", "day", *SUMS, "settled_by", "unsettled"]
        connection.execute(insert(table).from_select(columns, rows))


def _chunks(values: list[int], size: int) -> Iterable[list[int]]:
    for index in range(0, len(values), size):
        yield values[index:index + size]


def refresh_if_built(engine: Engine, tz: ZoneInfo) -> Refreshed | None:
    """refresh() where the rollup is built in `tz` (after an import: the days it
    touched); nothing where it is not (the first build is `woq-console db rollup`'s)."""
    with engine.connect() as connection:
        zone = connection.execute(select(STATE.c.zone)).scalar()
    return refresh(engine, tz) if zone == tz.key else None


def refresh_logged(engine: Engine, tz: ZoneInfo) -> Refreshed | None:
    """refresh() where the rollup is built in `tz` and a change is logged; nothing
    otherwise (no write at all: the console asks this every few minutes, docs/speed.md
    "Who refreshes")."""
    with engine.connect() as connection:
        zone = connection.execute(select(STATE.c.zone)).scalar()
        logged = zone == tz.key and connection.execute(select(DIRTY.c.id).limit(1)).first() is not None
    return refresh(engine, tz) if logged else None
