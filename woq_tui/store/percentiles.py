"""The percentile step of the figures (docs/figures.md: nearest rank, p90 of first response and
handling): each group's p90s, given its counts n from the GROUP BY step (store/figures.py),
as the value at `ORDER BY d DESC OFFSET n - ceil(0.9 n)` (domain/metrics.p90_offset).

Two forms of the same statement, by database (docs/speed.md has the measurements):
- PostgreSQL: one statement per grouping (`lateral_percentiles`). The groups and their
  offsets are arrays unnested into rows, each percentile a `LEFT JOIN LATERAL (SELECT d ... ORDER BY
  d DESC LIMIT 1 OFFSET g.o)`: the same index walks or small sorts the planner picks for
  one group, without a round trip per group and percentile (a year at 3,000 stations
  was ~12,000 of them). A row_number() window or percentile_disc sorts the whole cohort
  instead (spilling at the default 4 MB work_mem): 10x slower for a year.
  A cohort under SORT_SHARE of the table (a week at 10M) is sorted instead, one
  `percentile_disc` pass by group (`sorted_percentiles`): its walks would pass a tenth
  of each group's whole history.
- SQLite: one small statement per group and percentile (`per_group_percentiles`),
  compiled once. In-process, a statement costs no round trip, and SQLite can neither
  correlate an OFFSET nor walk an index for a window: the window form took 3 s where
  these took 21 ms (a year of 1M tickets at 300 stations).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import ARRAY, Connection, Integer, bindparam, column, func, select, text, true
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql import FromClause, TableClause
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import BindParameter, ColumnElement
from sqlalchemy.sql.visitors import ExternallyTraversible, InternalTraversal, iterate, replacement_traverse

from woq_tui.domain.metrics import PERCENTILES, TicketFacts, p90_offset
from woq_tui.domain.models import Station, Ticket
from woq_tui.domain.periods import Period
from woq_tui.domain.tables import AnySelect, table_of
from woq_tui.store.figure_groups import Grouping

Sums = dict[str, int]
Figures = dict[str, Any]
TICKET, STATION = table_of(Ticket), table_of(Station)


class IndexedTicket(TableClause):
    """The ticket table named with an index SQLite must use (`ticket INDEXED BY ix`);
    other databases see the plain table and plan by themselves."""

    inherit_cache = True
    _traverse_internals = TableClause._traverse_internals + [("index", InternalTraversal.dp_string)]

    def __init__(self, index: str) -> None:
        source = TICKET
        super().__init__(source.name, *(column(c.name, c.type) for c in source.c))
        self.index = index


@compiles(IndexedTicket)
def _compile_indexed(element: IndexedTicket, compiler: SQLCompiler, **kw: Any) -> str:
    # SQLAlchemy leaves its compiler's visit_* methods unannotated.
    rendered: str = compiler.visit_table(element, **kw)  # type: ignore[no-untyped-call]
    if kw.get("asfrom") and compiler.dialect.name == "sqlite":
        rendered += f" INDEXED BY {element.index}"
    return rendered


# The duration-ordered indexes (migrations 0003, 0009), by (duration, the column that
# leads them: Grouping.leader, or None for the table-wide ones) -> the table naming one.
DURATION_INDEX = {
    (duration, leader): IndexedTicket(f"ix_ticket_{leader}_{name}" if leader else f"ix_ticket_{name}")
    for duration, name in (("response_s", "response"), ("handling_s", "handling"))
    for leader in (None, "station", "type", "area")
}
# A walk from the top of a duration index reads about a tenth of the rows it passes
# (those of other periods or groups are skipped), a sort reads all of the group's: the
# walk wins where the group holds at least this share of the rows the walk passes
# (measured: ~0.35 against ~0.04 ms for a station's year, the reverse for a day).
WALK_SHARE = 0.1


def _table_rows(connection: Connection) -> int:
    """About how many tickets the table holds (the largest id: one seek)."""
    return connection.execute(select(func.max(TICKET.c.id))).scalar() or 0


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
    sums: dict[tuple[Any, ...], Sums],
    figures: dict[tuple[Any, ...], Figures],
    where: ColumnElement[bool] | None = None,
) -> None:
    """Set each group's p90s in `figures` (in place), the form by database (above).
    `sums` must come from the same snapshot: the offsets rest on it."""
    if connection.dialect.name != "postgresql":
        form = per_group_percentiles
    elif _sorting_is_cheaper(connection, grouping, sums, where):
        form = sorted_percentiles
    else:
        form = lateral_percentiles
    form(connection, grouping, period, as_of, sums, figures, where)


# A cohort under this share of the table has its p90s sorted, not walked. A walk from a
# group's longest duration passes that group's tickets of every period until it has
# seen its offset's worth of this one's: about a tenth of the group's whole history,
# however short the period; a sort costs the cohort. At 10M tickets a week's (2 % of
# the table) stations, areas and total took 0.4 s sorted against 0.8 s walked; a year's
# walks stay (docs/speed.md, "Short periods sorted").
SORT_SHARE = 0.05


def _sorting_is_cheaper(connection: Connection, grouping: Grouping, sums: dict[tuple[Any, ...], Sums], where: ColumnElement[bool] | None) -> bool:
    if grouping.runs is not None or where is not None:
        return False
    cohort = sum(group.get("tickets", 0) for group in sums.values())
    return cohort < SORT_SHARE * _table_rows(connection)


def sorted_percentiles(
    connection: Connection,
    grouping: Grouping,
    period: Period,
    as_of: datetime,
    sums: dict[tuple[Any, ...], Sums],
    figures: dict[tuple[Any, ...], Figures],
    where: ColumnElement[bool] | None = None,
) -> None:
    """Every group's p90s in one pass over the cohort: `percentile_disc(0.9) WITHIN
    GROUP (ORDER BY d)` of the rows with the duration, by group (PostgreSQL). Its rank
    is ceil(0.9 n), the nearest rank's (tests/test_metrics.py), over the same rows the
    sums count."""
    facts = TicketFacts(as_of)
    keys = grouping.keys(facts)
    source: FromClause = TICKET.join(STATION, STATION.c.code == TICKET.c.station_code) if grouping.joins_station else TICKET
    values = [
        func.percentile_disc(0.9).within_group(facts.span(duration)).filter(facts.has_duration(duration))
        for duration, _count, _unit in PERCENTILES.values()
    ]
    conditions = [facts.cohort(period.start, period.end)] + ([] if where is None else [where])
    query = select(*keys, *values).select_from(source).where(*conditions)
    if keys:
        query = query.group_by(*keys)
    width = len(keys)
    for row in connection.execute(query):
        key = tuple(row[:width])
        if key not in figures:
            continue
        for (name, (_duration, count, per_unit)), value in zip(PERCENTILES.items(), row[width:]):
            if sums[key].get(count, 0) and value is not None:
                figures[key][name] = value / per_unit


def _member_parameters(condition: ColumnElement[bool]) -> dict[str, Any]:
    """The bind parameters of a grouping's member condition, by name: their types."""
    return {node.key: node.type for node in iterate(condition) if isinstance(node, BindParameter)}


def lateral_percentiles(
    connection: Connection,
    grouping: Grouping,
    period: Period,
    as_of: datetime,
    sums: dict[tuple[Any, ...], Sums],
    figures: dict[tuple[Any, ...], Figures],
    where: ColumnElement[bool] | None = None,
) -> None:
    """Every group's p90s in one statement: the groups' member values and offsets go
    as one array parameter each (a statement that compiles once, whatever the number of
    groups: 3,000 stations as a VALUES list of bound rows took longer to compile and
    bind than the database took to answer)."""
    counts = [count for _duration, count, _unit in PERCENTILES.values()]
    keys = [key for key, group in sums.items() if key in figures and any(group.get(count) for count in counts)]
    if not keys:
        return
    # A plan for these bounds, never the generic one: psycopg prepares a statement run
    # five times on a connection, PostgreSQL then may keep a plan made for no bounds, and
    # after a few weeks a year's walks sorted instead (its stations, areas and total at
    # 1M tickets: 0.2-0.3 s custom, 1.0-1.6 s generic; docs/speed.md). For the rest of
    # this read's transaction only.
    connection.exec_driver_sql("SET LOCAL plan_cache_mode = force_custom_plan")
    statement, parameters = _lateral_statement(grouping, period, as_of, where)
    members = [grouping.member_values(key) for key in keys]
    arrays = {f"g_{name}": [member[name] for member in members] for name in parameters}
    for index, count in enumerate(counts):
        arrays[f"g_o_{index}"] = [p90_offset(n) if (n := sums[key].get(count, 0)) else 0 for key in keys]
    for number, *seconds in connection.execute(statement, arrays):
        key = keys[number - 1]  # WITH ORDINALITY counts from 1
        for (name, (_duration, count, per_unit)), value in zip(PERCENTILES.items(), seconds):
            if sums[key].get(count, 0):
                figures[key][name] = value / per_unit


def _lateral_statement(
    grouping: Grouping, period: Period, as_of: datetime, where: ColumnElement[bool] | None
) -> tuple[AnySelect, dict[str, Any]]:
    """(statement, member parameters): SELECT g.g_index, p0.d, p1.d
    FROM unnest(:g_<member>…, :g_o_0, :g_o_1) WITH ORDINALITY AS g(<member>…, o_0, o_1, g_index)
    LEFT JOIN LATERAL (SELECT d … WHERE <member on g> ORDER BY d DESC LIMIT 1 OFFSET g.o_0) p0 ON true …"""
    facts = TicketFacts(as_of)
    member = grouping.member(facts)
    parameters = _member_parameters(member)
    offsets = [f"o_{index}" for index in range(len(PERCENTILES))]
    groups = (
        func.unnest(
            *(bindparam(f"g_{name}", type_=ARRAY(kind)) for name, kind in parameters.items()),
            *(bindparam(f"g_{name}", type_=ARRAY(Integer)) for name in offsets),
        )
        .table_valued(*parameters, *offsets, with_ordinality="g_index")
        .render_derived(name="g")
    )
    g = groups.c

    def to_group_column(element: ExternallyTraversible, **kw: Any) -> ExternallyTraversible | None:
        return g[element.key] if isinstance(element, BindParameter) and element.key in parameters else None

    correlated = replacement_traverse(member, {}, to_group_column)
    conditions = [] if grouping.bounds_created else [facts.cohort(period.start, period.end)]
    if where is not None:
        conditions.append(where)
    source: FromClause = groups
    picked = []
    for index, (duration, _count, _unit) in enumerate(PERCENTILES.values()):
        value = facts.span(duration)
        walk = (
            select(value.label("d"))
            .where(*conditions, correlated, facts.has_duration(duration))
            .order_by(value.desc())
            .limit(1)
            .offset(g[offsets[index]])
            .lateral(f"p{index}")
        )
        source = source.outerjoin(walk, true())
        picked.append(walk.c.d)
    return select(g.g_index, *picked).select_from(source), parameters


def per_group_percentiles(
    connection: Connection,
    grouping: Grouping,
    period: Period,
    as_of: datetime,
    sums: dict[tuple[Any, ...], Sums],
    figures: dict[tuple[Any, ...], Figures],
    where: ColumnElement[bool] | None = None,
) -> None:
    """Set each group's p90s: one small statement per group and percentile, compiled
    once and executed with the group's values (~4x faster on SQLite than a row_number()
    window, and cheaper to build than one statement with a subquery per group;
    docs/figures.md). `sums` must come from the same snapshot: the offsets rest on it.

    On SQLite the statement names its index where walking a duration-ordered one
    (migrations 0003, 0009) beats sorting the group (WALK_SHARE): the one its group's
    column leads (a station's, a type's, an area's) when the cohort is a large share of
    the table (say a year of a year), the table-wide one for a group that is (a year's
    total). SQLite's planner would rather sort the narrower range; PostgreSQL's weighs
    it right by itself.
    """
    walks = connection.dialect.name == "sqlite" and where is None
    table_rows = _table_rows(connection) if walks else 0
    present = _present_indexes(connection) if walks else set()
    statements: dict[tuple[str, Any], AnySelect] = {}
    run: Callable[[AnySelect, dict[str, Any]], Any]
    if connection.dialect.name == "sqlite":
        run = _DriverStatements(connection)
    else:
        def run(statement: AnySelect, parameters: dict[str, Any]) -> Any:
            return connection.execute(statement, parameters).scalar_one()

    def statement(name: str, duration: str, index: tuple[str, str | None] | None) -> AnySelect:
        if (name, index) not in statements:
            facts = TicketFacts(as_of, DURATION_INDEX[index] if index else None)
            conditions = [] if grouping.bounds_created else [facts.cohort(period.start, period.end)]
            if where is not None:
                conditions.append(where)
            value = facts.span(duration)
            walks_own = index is not None and index[1] == grouping.leader
            member = grouping.member if walks_own or grouping.sort_member is None else grouping.sort_member
            statements[name, index] = (
                select(value)
                .where(*conditions, member(facts), facts.has_duration(duration))
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
            index: tuple[str, str | None] | None = None
            if table_rows and grouping.leader and cohort >= WALK_SHARE * table_rows:
                index = (duration, grouping.leader)
            elif table_rows and n >= WALK_SHARE * table_rows:
                index = (duration, None)
            if index is not None and DURATION_INDEX[index].index not in present:
                index = None
            member = grouping.member_values(key)
            seconds = run(statement(name, duration, index), {**member, "p90_offset": p90_offset(n)})
            values[name] = seconds / per_unit


class _DriverStatements:
    """Executes a statement on SQLite through the driver's cursor, compiled once with its
    parameters' bind processors: SQLAlchemy's execute costs ~0.1–0.3 ms a call, more than
    a station's week takes to answer (300 stations × 2 percentiles × 2 periods: most of
    the station screen's week, docs/speed.md). The same transaction, so the same snapshot."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        driver = connection.connection.driver_connection
        assert driver is not None, "a connection in use has its driver's"
        self.cursor = driver.cursor()
        self.compiled: dict[int, tuple[Any, str, list[tuple[str, Any, Any]]]] = {}

    def __call__(self, statement: AnySelect, parameters: dict[str, Any]) -> Any:
        key = id(statement)
        if key not in self.compiled:
            dialect = self.connection.dialect
            # the first call's values bound in, so that the literal `as_of` renders into the
            # string; the group's parameters are put in by name call by call
            compiled = statement.params(parameters).compile(dialect=dialect, compile_kwargs={"render_postcompile": True})
            slots = [(name, compiled.binds[name]) for name in compiled.positiontup or []]
            processors = [(name, bind.value, bind.type.bind_processor(dialect)) for name, bind in slots]
            self.compiled[key] = (statement, compiled.string, processors)  # held: its id() stays unique
        _statement, sql, processors = self.compiled[key]
        ordered = []
        for name, fixed, processor in processors:
            value = parameters.get(name, fixed)
            ordered.append(processor(value) if processor else value)
        return self.cursor.execute(sql, ordered).fetchone()[0]

