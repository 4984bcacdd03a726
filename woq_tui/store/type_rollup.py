"""`report`'s sums by type from the type × local-day rollup (migration 0013; docs/speed.md,
"The type × day rollup"), read as store/day_rollup.py reads station_day:

- the rows of the period's whole local days that no logged change falls in, every
  ticket in them settled by `as_of`;
- directly at `as_of`: the tickets of the other rows of those days (not settled; joined
  to the type-led covering index), every ticket of the days a change is logged in, and
  the period's part days at either end.

A refresh computes all of a day's rows at once, so a day with no change logged since has
a row for every type among its tickets: each ticket is counted once. A change is taken
by its whole day here, not by station as station_day does (a change at one station may
move a ticket between two types' rows): the days with changes are the last few minutes'
(the console refreshes the rollup every five), or an import's until its own refresh.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ColumnElement, Connection, and_, literal, or_, select, true
from sqlalchemy.sql import FromClause

from woq_tui.domain.metrics import SUMS, TicketFacts, add_sums, aggregates
from woq_tui.domain.models import FIGURE_COLUMNS
from woq_tui.domain.periods import Period
from woq_tui.domain.timestamps import to_epoch
from woq_tui.store.day_rollup import (
    DIRTY,
    TICKET,
    TYPE_DAY,
    WholeDays,
    answerable_days,
    part_days,
    settled,
    ticket_created,
    total,
    unsettled,
    zone_key,
)
from woq_tui.store.day_rollup_log import local_day

Sums = dict[str, int]


def type_sums(connection: Connection, period: Period, as_of: datetime) -> dict[tuple[Any, ...], Sums] | None:
    """The period's sums by type (key (type,), as group_sums(BY_TYPE) gives them), or None
    where the rollup cannot answer or would not be the faster (day_rollup.answerable_days)."""
    days = answerable_days(connection, period)
    if days is None:
        return None
    zone = zone_key(period)
    assert zone is not None  # answerable_days checked it
    literal_as_of = literal(to_epoch(as_of), BigInteger, literal_execute=True)
    logged = _logged_days(connection, zone, days)
    d = TYPE_DAY.c
    kept = [d.day_start >= days.start, d.day_start < days.end]
    if logged:
        kept.append(d.day_start.not_in([start for start, _end in logged]))
    result: dict[tuple[Any, ...], Sums] = {}
    rows = select(d.type, *(total(d[name]).label(name) for name in SUMS)).where(*kept, settled(literal_as_of, TYPE_DAY)).group_by(d.type)
    for kind, *values in connection.execute(rows):
        result[(kind,)] = dict(zip(SUMS, values))
    _add_unsettled(connection, result, as_of, and_(*kept, unsettled(literal_as_of, TYPE_DAY)))
    created = ticket_created()
    spans = _merged(logged + part_days(period, days))
    if spans:
        _add_direct(connection, result, as_of, TICKET, or_(*(and_(created >= start, created < end) for start, end in spans)))
    return result


def _add_unsettled(connection: Connection, result: dict[tuple[Any, ...], Sums], as_of: datetime, rows: ColumnElement[bool]) -> None:
    """The tickets of the type_day rows not settled, read directly: the rows found
    first, then each one's tickets by a range of the type-led covering index. On
    PostgreSQL that takes a LATERAL: as a plain join it expected a type's day to be an
    eighth of the table and hashed the 10M tickets (9.9 s for a year's 114 such rows
    against ~0.1 s; docs/speed.md). SQLite has no LATERAL and joins row by row anyway."""
    d = TYPE_DAY.c
    found = select(d.type, d.day_start, d.day_end).where(rows).cte().prefix_with("MATERIALIZED")
    f, t = found.c, TICKET.c
    created = ticket_created()
    in_row = and_(t.type == f.type, created >= f.day_start, created < f.day_end)
    if connection.dialect.name != "postgresql":
        _add_direct(connection, result, as_of, found.join(TICKET, in_row), true())
        return
    # OFFSET 0: a plain subquery would be pulled up into the join again
    tickets = select(t.type, t.created_at, *(t[name] for name in FIGURE_COLUMNS)).where(in_row).offset(0).lateral("t")
    _add_direct(connection, result, as_of, found.join(tickets, true()), true(), tickets)


def _logged_days(connection: Connection, zone: str, days: WholeDays) -> list[tuple[int, int]]:
    """[start, end) of each local day of these days that a logged change falls in."""
    instants = select(DIRTY.c.created_at).where(DIRTY.c.created_at >= days.start, DIRTY.c.created_at < days.end).distinct()
    return sorted({local_day(zone, instant)[:2] for instant in connection.execute(instants).scalars()})


def _merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Spans of instants with the adjacent ones joined (a week of logged days: one range)."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _add_direct(
    connection: Connection, result: dict[tuple[Any, ...], Sums], as_of: datetime, source: FromClause,
    where: ColumnElement[bool], tickets: FromClause = TICKET,
) -> None:
    """The sums by type of the tickets (`tickets`: the table, or a subquery of its
    columns) in `source` where `where` holds, added to `result`."""
    columns = aggregates(TicketFacts(as_of, tickets))
    kind_of = tickets.c.type
    query = select(kind_of, *(value.label(name) for name, value in columns.items())).select_from(source).where(where)
    for kind, *values in connection.execute(query.group_by(kind_of)):
        add_sums(result.setdefault((kind,), {}), {name: value or 0 for name, value in zip(columns, values)})
