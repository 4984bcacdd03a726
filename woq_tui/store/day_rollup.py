"""The station figures' sums of a long period from the station × local-day rollup
(migration 0010; docs/speed.md, "The station × day rollup").

A year's station screen read every ticket of the year twice over (the period and its
comparison). The rollup keeps, per station and local day, the 12 sums of
domain/metrics.aggregates as they are once every ticket of the day is settled, built by
that same SQL at an as_of past every instant (`SETTLED`). A read at `as_of` adds up, in
station order and without a sort, the rows it may trust and reads every other ticket
of the period directly at `as_of`, so that each ticket is counted once:

- **A**, the rows: whole local days of the period, every ticket in them settled by
  `as_of` (`settled_by <= as_of AND unsettled = 0`: then its sums at `as_of` are its
  settled sums), and no change logged in the day since the row was computed
  (station_day_dirty, filled by the database's triggers);
- **B**, directly at `as_of`: the tickets of every other row of those days (not yet
  settled, or changed), and the tickets of those days that no row covers (written since
  their day was last computed: each has a dirty entry at its own station and instant);
- the period's part outside whole days, if any, directly too.

A ticket settles once resolved and responded, so for a year judged now B is the open
tickets' days and the last days' (~1 % of the rows at 1M tickets). `refresh` in
store/day_rollup_refresh.py recomputes the days the dirty entries fall in. Percentiles
are not summed: the caller's percentile step walks the tickets' indexes with the
counts these sums give (store/percentiles.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Connection,
    and_,
    case,
    cast,
    exists,
    func,
    literal,
    or_,
    select,
    true,
    tuple_,
)
from sqlalchemy.sql import FromClause
from sqlalchemy.sql.expression import type_coerce

from woq_tui.domain.metrics import SUMS, TicketFacts, add_sums, aggregates
from woq_tui.domain.models import StationDay, StationDayDirty, StationDayState, Ticket, TypeDay
from woq_tui.domain.periods import Period, local_midnight
from woq_tui.domain.tables import table_of
from woq_tui.domain.timestamps import to_epoch
from woq_tui.store.db import side_by_side

Sums = dict[str, int]
# An as_of past every instant: a ticket's sums then are its settled ones (resolved and
# responded if ever it is), the same expressions as every read's (one definition).
SETTLED = datetime(9000, 1, 1, tzinfo=timezone.utc)
STATION_DAY, DIRTY, STATE, TICKET = table_of(StationDay), table_of(StationDayDirty), table_of(StationDayState), table_of(Ticket)
# the same sums by type and day (migration 0013), computed with station_day (store/type_rollup.py)
TYPE_DAY = table_of(TypeDay)
EPOCH_DAY = date(1970, 1, 1)
# Migration 0010's triggers on ticket that log changes to station_day_dirty (the same
# names on both databases): PostgreSQL keeps them disabled until the first build
# (day_rollup_refresh.py), an import batch into SQLite sets them aside (day_rollup_log.py).
LOG_TRIGGERS = ("station_day_insert", "station_day_update", "station_day_delete")
# The sums the trend needs per run of days (store/figures.period_figures: overdue_rate).
TREND_SUMS = ("tickets", "overdue")
# Fewer whole days than this and the direct read is the faster: PostgreSQL reads the
# rollup by a scan of the whole table (no index on the day, see models.StationDay); at
# 1M tickets and 300 stations a week took 162 against 53 ms for the sums, 60 days 154
# against 221 (docs/speed.md). SQLite skip-scans it by station: faster from a week.
MIN_DAYS = {"postgresql": 28}
# PostgreSQL's work_mem for a read by station × run of days (set for its transaction)
ROLLUP_WORK_MEM = "32MB"


def zone_key(period: Period) -> str | None:
    """The IANA name of the period's zone (ZoneInfo.key), None for another tzinfo."""
    key = getattr(period.tz, "key", None)
    return key if isinstance(key, str) else None


def built_zone(connection: Connection) -> str | None:
    """The zone the rollup's days are in; None while it is not built."""
    zone: str | None = connection.execute(select(STATE.c.zone)).scalar()
    return zone


@dataclass(frozen=True)
class WholeDays:
    """The whole local days [start, end) of a period (epoch seconds), their first day's
    number (days since 1970-01-01) and how many."""

    start: int
    end: int
    first: int
    count: int


def whole_days(period: Period) -> WholeDays | None:
    """The local midnights of the period's zone inside the period, None if no whole day."""
    first = period.first_day
    if local_midnight(first, period.tz) < period.start:
        first += timedelta(days=1)
    last_end = period.end.astimezone(period.tz).date()  # the day after the last whole one
    if local_midnight(last_end, period.tz) > period.end:
        last_end -= timedelta(days=1)
    if last_end <= first:
        return None
    start, end = to_epoch(local_midnight(first, period.tz)), to_epoch(local_midnight(last_end, period.tz))
    return WholeDays(start, end, (first - EPOCH_DAY).days, (last_end - first).days)


def answerable_days(connection: Connection, period: Period) -> WholeDays | None:
    """The period's whole days, where the rollup is built in the period's zone, has a
    whole day to answer for and is the faster way (MIN_DAYS); None otherwise."""
    zone = zone_key(period)
    if zone is None or built_zone(connection) != zone:
        return None
    days = whole_days(period)
    if days is None or days.count < MIN_DAYS.get(connection.dialect.name, 1):
        return None
    return days


@dataclass
class RollupSums:
    """Sums by station (key (code,)) and, if asked, by station and run of days (key
    (code, run), the TREND_SUMS only), as group_sums gives them."""

    stations: dict[tuple[Any, ...], Sums]
    runs: dict[tuple[Any, ...], Sums] | None


def station_sums(
    connection: Connection, period: Period, as_of: datetime, runs: int | None = None, beside: Connection | None = None
) -> RollupSums | None:
    """The period's sums by station (and by station × run of `runs` equal runs of its
    days, for the trend), or None where the rollup cannot answer (not built, built in
    another zone, no whole day in the period) or would not be the faster (MIN_DAYS). `beside`: a second connection in the same
    snapshot (db.shared_snapshot), which reads the trend while the first reads the sums."""
    days = answerable_days(connection, period)
    if days is None:
        return None
    if not _holds_tickets(connection, period):
        # one seek; the rows are read by a scan of the whole table on PostgreSQL, which
        # cost a year's empty comparison ("the same span before" the data) 0.6-1.2 s
        return RollupSums({}, {} if runs is not None else None)
    edges = part_days(period, days)
    literal_as_of = literal(to_epoch(as_of), BigInteger, literal_execute=True)
    dirty = _has_dirty(connection, days)
    usable = _usable(literal_as_of, dirty)
    in_days = and_(STATION_DAY.c.day_start >= days.start, STATION_DAY.c.day_start < days.end)
    d = STATION_DAY.c
    rows = select(d.station_code, *(total(d[name]).label(name) for name in SUMS)).where(in_days, usable).group_by(d.station_code)

    def read_rows(reader: Connection) -> RollupSums:
        """The usable rows' sums by station plus every other ticket's read directly (on
        the same connection, while the trend pass may still run beside it); the runs
        hold the direct part's alone."""
        read = RollupSums({(code,): dict(zip(SUMS, values)) for code, *values in reader.execute(rows)}, {} if runs is not None else None)
        _add_direct(reader, read, period, as_of, days, literal_as_of, dirty, runs)
        for start, end in edges:
            _add_edge(reader, read, period, as_of, start, end, runs)
        return read

    if runs is None:
        result = read_rows(connection)
    else:
        # day i of the period (its part days counted: a year to date ends in one) falls in
        # run i * runs // count, as in figure_groups.by_station_bucket
        period_days = period.days()
        run = ((d.day - (period_days[0] - EPOCH_DAY).days) * runs) // len(period_days)
        trend = (
            select(d.station_code, run.label("run"), *(total(d[name]).label(name) for name in TREND_SUMS))
            .where(in_days, usable)
            .group_by(d.station_code, run)
        )

        def read_trend(reader: Connection) -> dict[tuple[Any, ...], Sums]:
            # PostgreSQL: a year's 42,000 station × run groups overflow the default 4 MB
            # of work_mem and sorted on disk (1.3 s at 3,000 stations); 32 MB for this
            # read's transaction keeps them in one hash (0.5 s; docs/speed.md, "Session
            # settings"). (One pass by station × run with every sum, the stations' added
            # up from it, sorted 120 MB of wider rows: slower than the two passes.)
            if reader.dialect.name == "postgresql":
                reader.exec_driver_sql(f"SET LOCAL work_mem = '{ROLLUP_WORK_MEM}'")
            return {(code, number): dict(zip(TREND_SUMS, values)) for code, number, *values in reader.execute(trend)}

        # the two passes side by side where a second connection shares the snapshot
        readers = [connection] if beside is None else [connection, beside]
        result, trend_sums = side_by_side(readers, read_rows, read_trend)
        for key, sums in (result.runs or {}).items():
            add_sums(trend_sums.setdefault(key, {}), sums)
        result.runs = trend_sums
    return result


def part_days(period: Period, days: WholeDays) -> list[tuple[int, int]]:
    """[start, end) of the period's parts outside its whole days (epoch seconds), if any."""
    ends = ((to_epoch(period.start), days.start), (days.end, to_epoch(period.end)))
    return [(start, end) for start, end in ends if start < end]


def _holds_tickets(connection: Connection, period: Period) -> bool:
    """Whether a ticket was created in the period (the created_at index, one seek)."""
    created = ticket_created()
    probe = select(TICKET.c.id).where(created >= to_epoch(period.start), created < to_epoch(period.end)).limit(1)
    return connection.execute(probe).first() is not None


def total(column: ColumnElement[Any]) -> ColumnElement[int]:
    # PostgreSQL's sum(bigint) is numeric: bring it back to an integer (as metrics._sum).
    return cast(func.sum(column), BigInteger)


def _has_dirty(connection: Connection, days: WholeDays) -> bool:
    """Whether a change is logged in these days (if not, the reads skip the per-row check)."""
    probe = select(DIRTY.c.id).where(DIRTY.c.created_at >= days.start, DIRTY.c.created_at < days.end).limit(1)
    return connection.execute(probe).first() is not None


def settled(as_of: ColumnElement[int], rows: FromClause = STATION_DAY) -> ColumnElement[bool]:
    """A row (of station_day, or type_day) whose tickets are all settled by as_of."""
    d = rows.c
    return and_(d.settled_by <= as_of, d.unsettled == 0)


def unsettled(as_of: ColumnElement[int], rows: FromClause = STATION_DAY) -> ColumnElement[bool]:
    """not settled, as terms that each have a PostgreSQL index on station_day (migration
    0011), which a bitmap OR takes (settled_by is NULL only where unsettled is not 0, but
    NULL is not left to the invariant: `<=` on it is neither true nor false)."""
    d = rows.c
    return or_(d.unsettled != 0, d.settled_by > as_of, d.settled_by.is_(None))


def _changed() -> ColumnElement[bool]:
    """A row with a change logged in its day since it was computed."""
    d = STATION_DAY.c
    return exists().where(DIRTY.c.station_code == d.station_code, DIRTY.c.created_at >= d.day_start, DIRTY.c.created_at < d.day_end)


def _usable(as_of: ColumnElement[int], dirty: bool) -> ColumnElement[bool]:
    """A row the read may add up: all its tickets settled by as_of, no change logged in it."""
    return and_(settled(as_of), ~_changed()) if dirty else settled(as_of)


def ticket_created() -> ColumnElement[int]:
    return type_coerce(TICKET.c.created_at, BigInteger)


def _direct_parts(days: WholeDays, as_of: ColumnElement[int], dirty: bool) -> list[tuple[FromClause, ColumnElement[bool]]]:
    """The tickets of these days that no usable row counts (B above), as (from, where)
    pairs, each ticket in exactly one: those of the rows not settled, those of the rows
    settled but changed (a join of the rows to the station-led covering index), and, if
    changes are logged, those no row covers. One statement each: PostgreSQL planned
    their union under an IN as a hash join of the whole ticket table (1.7 s for a year at
    1M tickets, against 77 ms as a plain join), and the rows not settled alone take
    migration 0011's indexes."""
    d, t, created = STATION_DAY.c, TICKET.c, ticket_created()
    in_days = and_(d.day_start >= days.start, d.day_start < days.end)
    parts: list[tuple[FromClause, ColumnElement[bool]]] = []
    untrusted = [unsettled(as_of)] + ([and_(settled(as_of), _changed())] if dirty else [])
    for rows in untrusted:
        # MATERIALIZED: found by their own index first, then joined row by row to the
        # station-led covering index; as a plain join PostgreSQL walked the primary key
        # over the year for its station order (it expects ~360 tickets a row, not ~9):
        # 1.9 s of a year's station screen at 10M tickets, 3,000 stations, against 0.2 s
        found = select(d.station_code, d.day_start, d.day_end).where(in_days, rows).cte().prefix_with("MATERIALIZED")
        f = found.c
        joined = found.join(TICKET, and_(t.station_code == f.station_code, created >= f.day_start, created < f.day_end))
        parts.append((joined, true()))
    if dirty:
        covered = exists().where(d.station_code == t.station_code, d.day_start <= created, d.day_end > created)
        # driven by the (few) dirty entries: a row-value IN seeks the station-led index per
        # entry, where a join let SQLite scan the year's tickets for an empty dirty table
        logged = select(DIRTY.c.station_code, DIRTY.c.created_at).where(
            DIRTY.c.created_at >= days.start, DIRTY.c.created_at < days.end
        )
        parts.append((TICKET, and_(tuple_(t.station_code, created).in_(logged), ~covered)))
    return parts


def _add_direct(
    connection: Connection, result: RollupSums, period: Period, as_of: datetime, days: WholeDays,
    literal_as_of: ColumnElement[int], dirty: bool, runs: int | None,
) -> None:
    facts = TicketFacts(as_of)
    columns = aggregates(facts)
    keys: list[ColumnElement[Any]] = [TICKET.c.station_code]
    if runs is not None:
        keys.append(_run_of(period, runs).label("run"))
    for source, where in _direct_parts(days, literal_as_of, dirty):
        query = select(*keys, *(value.label(name) for name, value in columns.items())).select_from(source).where(where).group_by(*keys)
        for row in connection.execute(query).mappings():
            sums = {name: row[name] or 0 for name in SUMS}
            add_sums(result.stations.setdefault((row["station_code"],), {}), sums)
            if result.runs is not None:
                add_sums(result.runs.setdefault((row["station_code"], row["run"]), {}), {name: sums[name] for name in TREND_SUMS})


def _run_of(period: Period, runs: int) -> ColumnElement[int]:
    """A ticket's run of days, by the bounds figure_groups.by_station_bucket gives."""
    from woq_tui.store.figure_groups import by_station_bucket

    bounds: Sequence[tuple[int, int, int]] = by_station_bucket(period, runs).runs or ()
    created = ticket_created()
    return case(*((created < end, literal(label, BigInteger)) for label, _start, end in bounds), else_=None)


def _add_edge(
    connection: Connection, result: RollupSums, period: Period, as_of: datetime, start: int, end: int, runs: int | None
) -> None:
    """A part day at an end of the period (a year to date ends in today's), read
    directly, with its run of the trend if asked."""
    facts = TicketFacts(as_of)
    columns = aggregates(facts)
    keys: list[ColumnElement[Any]] = [TICKET.c.station_code]
    if runs is not None:
        keys.append(_run_of(period, runs).label("run"))
    query = (
        select(*keys, *(value.label(name) for name, value in columns.items()))
        .where(ticket_created() >= start, ticket_created() < end)
        .group_by(*keys)
    )
    for row in connection.execute(query).mappings():
        sums = {name: row[name] or 0 for name in SUMS}
        add_sums(result.stations.setdefault((row["station_code"],), {}), sums)
        if result.runs is not None:
            add_sums(result.runs.setdefault((row["station_code"], row["run"]), {}), {name: sums[name] for name in TREND_SUMS})
