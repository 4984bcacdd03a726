"""The percentile step of the figures (metrics.md: nearest rank, p90 of first response and
handling): each group's p90s, given its counts from the GROUP BY step (store/figures.py).

"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Integer, bindparam, column, func, select, text
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql import TableClause
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.visitors import InternalTraversal

from woq_tui.domain.metrics import PERCENTILES, TicketFacts, p90_offset
from woq_tui.domain.models import Ticket
from woq_tui.domain.periods import Period
from woq_tui.store.figure_groups import Grouping

Sums = dict[str, int]
Figures = dict[str, Any]


class IndexedTicket(TableClause):
    """The ticket table named with an index SQLite must use (`ticket INDEXED BY ix`);
    other databases see the plain table and plan by themselves."""

    inherit_cache = True
    _traverse_internals = TableClause._traverse_internals + [("index", InternalTraversal.dp_string)]

    def __init__(self, index: str) -> None:
        source = Ticket.__table__
        super().__init__(source.name, *(column(c.name, c.type) for c in source.c))
        self.index = index


@compiles(IndexedTicket)
def _compile_indexed(element: IndexedTicket, compiler, **kw) -> str:
    rendered = compiler.visit_table(element, **kw)
    if kw.get("asfrom") and compiler.dialect.name == "sqlite":
        rendered += f" INDEXED BY {element.index}"
    return rendered


# The duration-ordered indexes of migration 0003: (duration, station-led?) -> table.
DURATION_INDEX = {
    ("response_s", False): IndexedTicket("ix_ticket_response"),
    ("handling_s", False): IndexedTicket("ix_ticket_handling"),
    ("response_s", True): IndexedTicket("ix_ticket_station_response"),
    ("handling_s", True): IndexedTicket("ix_ticket_station_handling"),
}
# A walk from the top of a duration index reads about a tenth of the rows it passes
# (those of other periods or groups are skipped), a sort reads all of the group's: the
# walk wins where the group holds at least this share of the rows the walk passes
# (measured: ~0.35 against ~0.04 ms for a station's year, the reverse for a day).
WALK_SHARE = 0.1


def _table_rows(connection: Connection) -> int:
    """About how many tickets the table holds (the largest id: one seek)."""
    return connection.execute(select(func.max(Ticket.__table__.c.id))).scalar() or 0


def _present_indexes(connection: Connection) -> set[str]:
    """The duration indexes this SQLite database has (a schema without migration 0003
    then sorts, rather than fail on INDEXED BY)."""
    names = [table.index for table in DURATION_INDEX.values()]
    master = text("SELECT name FROM sqlite_master WHERE type = 'index' AND name IN :names").bindparams(
        bindparam("names", expanding=True)
    )
    return set(connection.execute(master, {"names": names}).scalars())


def fill_percentiles(
    connection: Connection,
    grouping: Grouping,
    period: Period,
    as_of: datetime,
    sums: dict[tuple, Sums],
    figures: dict[tuple, Figures],
    where: ColumnElement[bool] | None = None,
) -> None:
    """Set each group's p90s: one small statement per group and percentile, compiled
    once and executed with the group's values (~4x faster on SQLite than a row_number()
    window, and cheaper to build than one statement with a subquery per group;
    docs/figures.md). `sums` must come from the same snapshot: the offsets rest on it.

    On SQLite the statement names its index where walking a duration-ordered one
    (migration 0003) beats sorting the group (WALK_SHARE): a station's when the cohort
    is a large share of the table (say a year of a year), the table-wide one for a group
    that is (a year's total, an area, the repair type). SQLite's planner would rather
    sort the narrower range; PostgreSQL's weighs it right by itself.
    """
    walks = connection.dialect.name == "sqlite" and where is None
    table_rows = _table_rows(connection) if walks else 0
    present = _present_indexes(connection) if walks else set()
    statements: dict[tuple[str, Any], Any] = {}

    def statement(name: str, duration: str, index: tuple[str, bool] | None):
        if (name, index) not in statements:
            facts = TicketFacts(as_of, DURATION_INDEX[index] if index else None)
            conditions = [] if grouping.bounds_created else [facts.cohort(period.start, period.end)]
            if where is not None:
                conditions.append(where)
            value = facts.span(duration)
            statements[name, index] = (
                select(value)
                .where(*conditions, grouping.member(facts), facts.has_duration(duration))
                .order_by(value.desc())
                .limit(1)
                .offset(bindparam("p90_offset", type_=Integer))
            )
        return statements[name, index]

    for name, (duration, count, per_unit) in PERCENTILES.items():
        cohort = sum(values.get(count, 0) for values in sums.values())
        for key, values in figures.items():
            n = sums[key].get(count, 0)
            if not n:
                continue
            index = None
            if table_rows and grouping.one_station and cohort >= WALK_SHARE * table_rows:
                index = (duration, True)
            elif table_rows and n >= WALK_SHARE * table_rows:
                index = (duration, False)
            if index is not None and DURATION_INDEX[index].index not in present:
                index = None
            member = grouping.member_values(key)
            seconds = connection.execute(statement(name, duration, index), {**member, "p90_offset": p90_offset(n)}).scalar_one()
            values[name] = seconds / per_unit

