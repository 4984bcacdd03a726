"""Station figures for a period at an instant: the read side of metrics.md.

Two steps per grouping, inside one read snapshot:
  1. GROUP BY over the cohort: the integer sums each group's figures rest on
     (domain/metrics.aggregates), turned into figures by metrics.finish(); sums add up,
     so area subtotals and totals are rolled up from the stations' sums without a second
     pass over the tickets;
  2. one small statement per group and percentile,
     `SELECT d FROM ticket WHERE <group> ORDER BY d DESC LIMIT 1 OFFSET n - ceil(0.9 n)`.
     A station's rows are a range seek on the covering indexes of migration 0002; a
     group holding a large share of the table (a year's total, an area, a type) walks
     the duration's own index of migration 0003 from the top instead of sorting.
Python only sees one row per group. Used by the station and meeting screens and by
`woq-console report`, so they cannot disagree.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any, Callable, Sequence

from sqlalchemy import (
    BigInteger,
    Connection,
    Engine,
    Integer,
    String,
    TableClause,
    and_,
    bindparam,
    column,
    func,
    literal,
    literal_column,
    select,
    text,
    true,
    union_all,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.visitors import InternalTraversal

from woq_tui.domain.figure_catalog import empty_figures
from woq_tui.domain.metrics import PERCENTILES, TicketFacts, add_sums, aggregates, finish, p90_offset
from woq_tui.domain.models import Station, Ticket
from woq_tui.domain.periods import Period, local_midnight
from woq_tui.domain.timestamps import to_epoch
from woq_tui.store.db import snapshot
from woq_tui.values.figures import (
    Figures,
    MeetingWeek,
    StationDetail,
    StationInfo,
    StationTable,
)

_EPOCH_DAY = date(1970, 1, 1)
# Points of the station screen's overdue trend: a day each, up to this many.
TREND_POINTS = 14


@dataclass(frozen=True)
class Grouping:
    """How rows fall into groups: GROUP BY columns and, for the percentile step, one
    group's rows as a condition with bind parameters (`member`) plus their values for a
    group key (`member_values`), so that the statement compiles once per grouping."""

    name: str
    keys: Callable[[TicketFacts], list[ColumnElement]]
    member: Callable[[TicketFacts], ColumnElement[bool]]
    member_values: Callable[[tuple], dict[str, Any]]
    joins_station: bool = False
    # member() bounds created_at itself, within the period (days): the period's own
    # bounds are then left out, so SQLite plans the narrow range on the index.
    bounds_created: bool = False
    # group key tuple -> the value callers see (a code, a date, or a tuple of them)
    decode: Callable[[tuple], Any] = lambda key: key[0] if len(key) == 1 else key
    # The group is one station: its percentiles may walk the station-led indexes.
    one_station: bool = False
    # Time runs [(label, start epoch, end epoch)]: the aggregate is then one GROUP BY
    # keys() per run, UNION ALL, key (*keys, label). Each run is an index range in
    # group order, where a GROUP BY on a computed day would sort the period's rows
    # (a year's station trend: ~60 ms against ~150 ms on SQLite).
    runs: tuple[tuple[int, int, int], ...] | None = None


def _equals(name: str) -> Callable[[tuple], dict[str, Any]]:
    return lambda key: {name: key[0]}


TOTAL = Grouping("total", lambda f: [], lambda f: true(), lambda key: {}, decode=lambda key: None)
BY_STATION = Grouping(
    "station",
    lambda f: [f.columns.station_code],
    lambda f: f.columns.station_code == bindparam("m_station", type_=String),
    _equals("m_station"),
    one_station=True,
)
BY_TYPE = Grouping(
    "type",
    lambda f: [f.columns.type],
    lambda f: f.columns.type == bindparam("m_type", type_=String),
    _equals("m_type"),
)
BY_AREA = Grouping(
    "area",
    lambda f: [Station.__table__.c.area_type],
    lambda f: f.columns.station_code.in_(
        select(Station.code).where(Station.area_type == bindparam("m_area", type_=String)).scalar_subquery()
    ),
    _equals("m_area"),
    joins_station=True,
)


def _offset_segments(period: Period) -> list[tuple[int, int]]:
    """[(from epoch, utc offset seconds)] covering the period, one per offset change."""
    segments: list[tuple[int, int]] = []
    instant = period.start
    step = timedelta(hours=1)
    while instant < period.end:
        offset = int(instant.astimezone(period.tz).utcoffset().total_seconds())
        if not segments or segments[-1][1] != offset:
            start = to_epoch(instant)
            if segments:  # find the change to the second between the last hour and this
                low, high = to_epoch(instant - step), start
                while high - low > 1:
                    middle = (low + high) // 2
                    at = datetime.fromtimestamp(middle, period.tz)
                    if int(at.utcoffset().total_seconds()) == offset:
                        high = middle
                    else:
                        low = middle
                start = high
            segments.append((start, offset))
        instant += step
    return segments


def _local_day(facts: TicketFacts, period: Period) -> ColumnElement[int]:
    """Days since 1970-01-01 of the local calendar day a ticket was created."""
    from sqlalchemy import case

    segments = _offset_segments(period)
    created = facts.created
    if len(segments) <= 1:
        shift: ColumnElement = literal(segments[0][1] if segments else 0, BigInteger)
    else:
        whens = [(created < start, literal(previous, BigInteger)) for (start, _), (_, previous) in zip(segments[1:], segments)]
        shift = case(*whens, else_=literal(segments[-1][1], BigInteger))
    return (created + shift) // 86400


def _day_member(facts: TicketFacts) -> ColumnElement[bool]:
    return and_(facts.created >= bindparam("m_day_start", type_=BigInteger), facts.created < bindparam("m_day_end", type_=BigInteger))


def _day_bounds(period: Period, day_number: int) -> dict[str, int]:
    """The epoch bounds of one local day, clipped to the period."""
    day = _EPOCH_DAY + timedelta(days=day_number)
    start = max(local_midnight(day, period.tz), period.start)
    end = min(local_midnight(day + timedelta(days=1), period.tz), period.end)
    return {"m_day_start": to_epoch(start), "m_day_end": to_epoch(end)}


def by_day(period: Period) -> Grouping:
    """Local calendar days of the period (metrics.md: daily series)."""
    return Grouping(
        "day",
        lambda f: [_local_day(f, period)],
        _day_member,
        lambda key: _day_bounds(period, key[0]),
        bounds_created=True,
        decode=lambda key: _EPOCH_DAY + timedelta(days=key[0]),
    )


def by_station_bucket(period: Period, buckets: int) -> Grouping:
    """Stations by runs of whole local days: the period's n days cut into at most
    `buckets` equal runs (day i falls in run i * buckets // n), for trends that must fit
    a cell however long the period. Key: (station, run index). The runs' bounds are
    local midnights computed here, so DST days stay calendar days."""
    days = period.days()
    count = len(days)
    runs = max(1, min(buckets, count))
    first = (days[0] - _EPOCH_DAY).days

    def bounds(index: int) -> tuple[int, int]:
        start_day = -(-index * count // runs)
        end_day = -(-(index + 1) * count // runs)
        return (_day_bounds(period, first + start_day)["m_day_start"], _day_bounds(period, first + end_day - 1)["m_day_end"])

    return _station_runs("station_bucket", tuple((index, *bounds(index)) for index in range(runs)))


def by_station_runs(bounds: Sequence[tuple[datetime, datetime]]) -> Grouping:
    """Stations by the given runs of time [start, end) (a pilot's windows, the last
    weeks): key (station, run index), one GROUP BY station per run (docs/assessment.md)."""
    return _station_runs("station_run", tuple((index, to_epoch(start), to_epoch(end)) for index, (start, end) in enumerate(bounds)))


def _station_runs(name: str, parts: tuple[tuple[int, int, int], ...]) -> Grouping:
    by_index = {index: (start, end) for index, start, end in parts}
    return Grouping(
        name,
        lambda f: [f.columns.station_code],
        lambda f: and_(f.columns.station_code == bindparam("m_station", type_=String), _day_member(f)),
        lambda key: {"m_station": key[0], "m_day_start": by_index[key[1]][0], "m_day_end": by_index[key[1]][1]},
        bounds_created=True,
        runs=parts,
    )


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

Sums = dict[str, int]


def group_sums(
    connection: Connection,
    grouping: Grouping,
    period: Period,
    as_of: datetime,
    where: ColumnElement[bool] | None = None,
    only: Sequence[str] | None = None,
) -> dict[tuple, Sums]:
    """The sums of metrics.SUMS for each group with tickets, by raw group key."""
    facts = TicketFacts(as_of)
    ticket = Ticket.__table__
    columns = aggregates(facts, only)
    keys = grouping.keys(facts)
    source = ticket.join(Station.__table__, Station.__table__.c.code == ticket.c.station_code) if grouping.joins_station else ticket
    labelled = [key.label(f"k{index}") for index, key in enumerate(keys)]
    values = [value.label(name) for name, value in columns.items()]
    extra = [] if where is None else [where]
    if grouping.runs is not None:
        parts = [
            select(*labelled, literal_column(str(label)).label(f"k{len(keys)}"), *values)
            .select_from(source)
            .where(facts.created >= literal(start, BigInteger), facts.created < literal(end, BigInteger), *extra)
            .group_by(*keys)
            for label, start, end in grouping.runs
        ]
        query = union_all(*parts)
        width = len(keys) + 1
    else:
        query = select(*labelled, *values).select_from(source).where(facts.cohort(period.start, period.end), *extra)
        if keys:
            query = query.group_by(*keys)
        width = len(keys)
    groups: dict[tuple, Sums] = {}
    for row in connection.execute(query).mappings():
        if not row["tickets"]:
            continue  # an aggregate without GROUP BY answers one row even for no tickets
        groups[tuple(row[f"k{index}"] for index in range(width))] = {name: row[name] or 0 for name in columns}
    return groups


def figures_by(
    connection: Connection,
    grouping: Grouping,
    period: Period,
    as_of: datetime,
    where: ColumnElement[bool] | None = None,
    percentiles: bool = True,
    only: Sequence[str] | None = None,
) -> dict[Any, Figures]:
    """Every figure for each group with tickets, keyed by the group's decoded value.

    `where` narrows the cohort (one station, say); `percentiles=False` leaves the p90s
    None (series that do not show them skip the second step); `only` computes just
    those figures (and tickets), for long series such as a year of days.
    """
    sums = group_sums(connection, grouping, period, as_of, where, only)
    figures = {key: finish(values, only) for key, values in sums.items()}
    if percentiles and (only is None or any(name in only for name in PERCENTILES)):
        fill_percentiles(connection, grouping, period, as_of, sums, figures, where)
    return {grouping.decode(key): values for key, values in figures.items()}


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


# What the screens and the report ask for ------------------------------------------


def stations(connection: Connection) -> dict[str, StationInfo]:
    rows = connection.execute(select(Station.code, Station.name, Station.area_type).order_by(Station.code))
    return {code: StationInfo(code, name, area) for code, name, area in rows}


@dataclass
class Report:
    """metrics.md's report: totals, by type, by area, stations (worst first)."""

    period: Period
    as_of: datetime
    totals: Figures
    by_type: dict[str, Figures]
    by_area: dict[str, Figures]
    stations: list[dict[str, Any]]
    # keys added to each station row beyond the figures (`--with-score`: score, rank)
    station_extras: tuple[str, ...] = ()


def station_rows(figures: dict[str, Figures], info: dict[str, StationInfo]) -> list[dict[str, Any]]:
    """Station rows in the report's order: overdue_rate descending, then station code."""
    rows = []
    for code, values in figures.items():
        station = info.get(code) or StationInfo(code, code, "")
        rows.append({"station_code": code, "station_name": station.name, "area_type": station.area_type, **values})
    rows.sort(key=lambda row: row["station_code"])
    rows.sort(key=lambda row: -(row["overdue_rate"] or 0.0))
    return rows


def _ordered(figures: dict[str, Figures], order: Sequence[str]) -> dict[str, Figures]:
    known = [key for key in order if key in figures]
    return {key: figures[key] for key in known + sorted(set(figures) - set(known))}


def rollup(station_sums: dict[tuple, Sums], info: dict[str, StationInfo]) -> tuple[dict[tuple, Sums], dict[tuple, Sums]]:
    """Area and total sums from the stations' sums: (by (area,), {(): total})."""
    areas: dict[tuple, Sums] = {}
    total: Sums = {}
    for (code,), sums in station_sums.items():
        area = info[code].area_type if code in info else ""
        add_sums(areas.setdefault((area,), {}), sums)
        add_sums(total, sums)
    return areas, ({(): total} if total else {})


def complete(connection: Connection, grouping: Grouping, period: Period, as_of: datetime, sums: dict[tuple, Sums]) -> dict[Any, Figures]:
    """Figures, percentiles included, from sums read (or rolled up) in this snapshot."""
    figures = {key: finish(values) for key, values in sums.items()}
    fill_percentiles(connection, grouping, period, as_of, sums, figures)
    return {grouping.decode(key): values for key, values in figures.items()}


def report(engine: Engine, period: Period, as_of: datetime) -> Report:
    from woq_tui.domain.enums import AreaType, TicketType

    with snapshot(engine) as connection:
        info = stations(connection)
        station_sums = group_sums(connection, BY_STATION, period, as_of)
        area_sums, total_sums = rollup(station_sums, info)
        by_station = complete(connection, BY_STATION, period, as_of, station_sums)
        by_type = complete(connection, BY_TYPE, period, as_of, group_sums(connection, BY_TYPE, period, as_of))
        by_area = complete(connection, BY_AREA, period, as_of, area_sums)
        totals = complete(connection, TOTAL, period, as_of, total_sums).get(None) or empty_figures()
    return Report(
        period=period,
        as_of=as_of,
        totals=totals,
        by_type=_ordered(by_type, [kind.value for kind in TicketType]),
        by_area=_ordered(by_area, [area.value for area in AreaType]),
        stations=station_rows(by_station, info),
    )


@dataclass
class PeriodFigures:
    """One period's station figures with their area subtotals and total."""

    info: dict[str, StationInfo]
    stations: dict[str, Figures]
    areas: dict[str, Figures]
    totals: Figures


def period_figures(engine: Engine, period: Period, as_of: datetime, percentiles: bool = True) -> PeriodFigures:
    """Stations, areas and total in one snapshot and one pass over the tickets: the
    areas and total are rolled up from the stations' sums; their percentiles (if asked)
    come from the duration indexes."""
    with snapshot(engine) as connection:
        info = stations(connection)
        station_sums = group_sums(connection, BY_STATION, period, as_of)
        area_sums, total_sums = rollup(station_sums, info)
        if percentiles:
            by_station = complete(connection, BY_STATION, period, as_of, station_sums)
            areas = complete(connection, BY_AREA, period, as_of, area_sums)
            totals = complete(connection, TOTAL, period, as_of, total_sums)
        else:
            by_station, areas, totals = (
                {grouping.decode(key): finish(values) for key, values in sums.items()}
                for grouping, sums in ((BY_STATION, station_sums), (BY_AREA, area_sums), (TOTAL, total_sums))
            )
    return PeriodFigures(info, by_station, areas, totals.get(None) or empty_figures())


def station_trend(engine: Engine, period: Period, as_of: datetime) -> dict[str, list[float | None]]:
    """Each station's overdue rate by day, or by runs of days past TREND_POINTS days."""
    runs = min(len(period.days()), TREND_POINTS)
    with snapshot(engine) as connection:
        daily = figures_by(connection, by_station_bucket(period, runs), period, as_of, percentiles=False, only=("overdue_rate",))
    trend: dict[str, list[float | None]] = {}
    for (code, run), values in daily.items():
        trend.setdefault(code, [None] * runs)[run] = values["overdue_rate"]
    return trend


def load_station_table(
    engine: Engine,
    period: Period,
    as_of: datetime,
    on_rows: Callable[[StationTable], None] | None = None,
) -> StationTable:
    """The station screen's figures: the period, its comparison (Period.comparison) and
    the trend, read concurrently on three connections (each part is one snapshot;
    SQLite and psycopg release the GIL while the database works). `on_rows` gets the
    period's own figures as soon as they are there if the rest is not (a screen then
    draws its rows once more rather than wait)."""
    comparison = period.comparison(as_of)
    with ThreadPoolExecutor(max_workers=3, thread_name_prefix="woq-figures") as pool:
        now_future = pool.submit(period_figures, engine, period, as_of)
        before_future = pool.submit(period_figures, engine, comparison.period, comparison.as_of)
        trend_future = pool.submit(station_trend, engine, period, as_of)
        now = now_future.result()
        table = StationTable(period, as_of, now.info, now.stations, comparison, areas=now.areas, totals=now.totals)
        if on_rows is not None and not (before_future.done() and trend_future.done()):
            on_rows(table)
        before = before_future.result()
        trend = trend_future.result()
    return replace(
        table,
        previous=before.stations,
        previous_areas=before.areas,
        previous_totals=before.totals,
        trend={code: trend.get(code, [None] * min(len(period.days()), TREND_POINTS)) for code in now.stations},
        complete=True,
    )


def station_detail(engine: Engine, code: str, period: Period, as_of: datetime, limit: int = 300) -> StationDetail:
    """The station screen's drill-down. Tickets: the cohort's open or overdue ones at
    as_of, soonest due first (overdue first), at most `limit`."""
    t = Ticket.__table__.c
    where = t.station_code == code
    facts = TicketFacts(as_of)
    with snapshot(engine) as connection:
        info = stations(connection).get(code) or StationInfo(code, code, "")
        types = figures_by(connection, BY_TYPE, period, as_of, where=where)
        totals = figures_by(connection, TOTAL, period, as_of, where=where).get(None) or empty_figures()
        days = figures_by(connection, by_day(period), period, as_of, where=where)
        rows = connection.execute(
            select(
                t.ticket_no, t.type, t.status, t.created_at, t.due_at, t.resolved_at, t.summary,
                facts.overdue.label("overdue"), facts.resolved.label("resolved"),
            )
            .where(facts.cohort(period.start, period.end), where, (facts.resolved == 0) | (facts.overdue == 1))
            .order_by(facts.overdue.desc(), t.due_at.is_(None), t.due_at, t.ticket_no)
            .limit(limit)
        ).mappings().all()
    from woq_tui.domain.enums import TicketType

    return StationDetail(
        info, period, as_of, totals, _ordered(types, [kind.value for kind in TicketType]), days, [dict(row) for row in rows]
    )


def _stations_and_total(connection: Connection, period: Period, as_of: datetime, info) -> tuple[dict[str, Figures], Figures]:
    """Stations without percentiles, and the total with them, from one pass."""
    station_sums = group_sums(connection, BY_STATION, period, as_of)
    _areas, total_sums = rollup(station_sums, info)
    totals = complete(connection, TOTAL, period, as_of, total_sums).get(None) or empty_figures()
    return {key[0]: finish(values) for key, values in station_sums.items()}, totals


def meeting_week(engine: Engine, period: Period, as_of: datetime) -> MeetingWeek:
    from woq_tui.domain.enums import TicketType

    comparison = period.comparison(as_of)
    with snapshot(engine) as connection:
        info = stations(connection)
        current_stations, totals = _stations_and_total(connection, period, as_of, info)
        previous_stations, previous_totals = _stations_and_total(connection, comparison.period, comparison.as_of, info)
        types = figures_by(connection, BY_TYPE, period, as_of, percentiles=False)
        days = figures_by(connection, by_day(period), period, as_of, percentiles=False)
    return MeetingWeek(
        period, as_of, totals, previous_totals, current_stations, previous_stations, info,
        _ordered(types, [kind.value for kind in TicketType]), days, comparison,
    )
