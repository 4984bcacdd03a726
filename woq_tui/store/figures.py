"""Station figures for a period at an instant: the read side of metrics.md.

Two statements per grouping, inside one read snapshot:
  1. GROUP BY over the cohort: every figure but the percentiles, and the counts n of
     values each percentile ranks (domain/metrics.aggregates);
  2. one scalar subquery per group and percentile,
     `SELECT d FROM ticket WHERE <group> ORDER BY d DESC LIMIT 1 OFFSET n - ceil(0.9 n)`,
     many per statement. The covering indexes of migration 0002 make each group a
     range seek and the bounded sort keeps a tenth of the rows.
Python only sees one row per group. Used by the station and meeting screens and by
`woq-console report`, so they cannot disagree.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Callable, Iterator, Sequence

from sqlalchemy import BigInteger, Connection, Engine, Integer, String, and_, bindparam, literal, select, true
from sqlalchemy.sql.elements import ColumnElement

from woq_tui.domain.metrics import (
    local_midnight,
    FIGURE_KEYS,
    PERCENTILES,
    Period,
    TicketFacts,
    aggregates,
    empty_figures,
    p90_offset,
)
from woq_tui.domain.models import Station, Ticket
from woq_tui.domain.timestamps import to_epoch

Figures = dict[str, Any]
_EPOCH_DAY = date(1970, 1, 1)
# Points of the station screen's overdue trend: a day each, up to this many.
TREND_POINTS = 14


@contextlib.contextmanager
def snapshot(engine: Engine) -> Iterator[Connection]:
    """A connection whose statements all see the same committed data.

    The percentile step uses counts from the aggregate step, so both must read one
    snapshot: REPEATABLE READ on PostgreSQL, an explicit read transaction on SQLite
    (pysqlite would otherwise run each SELECT in its own).
    """
    if engine.dialect.name == "sqlite":
        with engine.connect() as connection:
            connection.exec_driver_sql("BEGIN")
            try:
                yield connection
            finally:
                connection.rollback()
    else:
        with engine.connect().execution_options(isolation_level="REPEATABLE READ") as connection:
            with connection.begin():
                yield connection


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


def _equals(name: str) -> Callable[[tuple], dict[str, Any]]:
    return lambda key: {name: key[0]}


TOTAL = Grouping("total", lambda f: [], lambda f: true(), lambda key: {}, decode=lambda key: None)
BY_STATION = Grouping(
    "station",
    lambda f: [f.columns.station_code],
    lambda f: f.columns.station_code == bindparam("m_station", type_=String),
    _equals("m_station"),
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
    a cell however long the period. Key: (station, run index)."""
    days = period.days()
    count = len(days)
    runs = max(1, min(buckets, count))
    first = (days[0] - _EPOCH_DAY).days

    def run_of(f: TicketFacts) -> ColumnElement[int]:
        return (_local_day(f, period) - first) * runs // count

    def bounds(key: tuple) -> dict[str, Any]:
        start_day = -(-key[1] * count // runs)
        end_day = -(-(key[1] + 1) * count // runs)
        lower = _day_bounds(period, first + start_day)["m_day_start"]
        upper = _day_bounds(period, first + end_day - 1)["m_day_end"]
        return {"m_station": key[0], "m_day_start": lower, "m_day_end": upper}

    return Grouping(
        "station_bucket",
        lambda f: [f.columns.station_code, run_of(f)],
        lambda f: and_(f.columns.station_code == bindparam("m_station", type_=String), _day_member(f)),
        bounds,
        bounds_created=True,
    )


def by_station_day(period: Period) -> Grouping:
    return Grouping(
        "station_day",
        lambda f: [f.columns.station_code, _local_day(f, period)],
        lambda f: and_(f.columns.station_code == bindparam("m_station", type_=String), _day_member(f)),
        lambda key: {"m_station": key[0], **_day_bounds(period, key[1])},
        bounds_created=True,
        decode=lambda key: (key[0], _EPOCH_DAY + timedelta(days=key[1])),
    )


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
    None (series that do not show them skip the second statement); `only` computes
    just those figures (and tickets), for long series such as a year of days.
    """
    facts = TicketFacts(as_of)
    ticket = Ticket.__table__
    cohort = facts.cohort(period.start, period.end)
    condition = cohort if where is None else and_(cohort, where)
    keys = grouping.keys(facts)
    columns = aggregates(facts)
    if only is not None:
        columns = {name: value for name, value in columns.items() if name in ("tickets", "responded", "resolved", *only)}
    source = ticket.join(Station.__table__, Station.__table__.c.code == ticket.c.station_code) if grouping.joins_station else ticket
    query = (
        select(*(key.label(f"k{index}") for index, key in enumerate(keys)), *(value.label(name) for name, value in columns.items()))
        .select_from(source)
        .where(condition)
    )
    if keys:
        query = query.group_by(*keys)
    rows = connection.execute(query).mappings().all()
    groups: dict[tuple, Figures] = {}
    for row in rows:
        if not row["tickets"]:
            continue  # an aggregate without GROUP BY answers one row even for no tickets
        key = tuple(row[f"k{index}"] for index in range(len(keys)))
        figures = {name: row.get(name) for name in FIGURE_KEYS}
        for name in PERCENTILES:
            figures[name] = None
        figures["_n"] = {"responded": row["responded"], "resolved": row["resolved"]}
        groups[key] = figures
    if percentiles:
        _fill_percentiles(connection, grouping, facts, where if grouping.bounds_created else condition, groups)
    result: dict[Any, Figures] = {}
    for key, figures in groups.items():
        del figures["_n"]
        result[grouping.decode(key)] = {name: figures[name] for name in FIGURE_KEYS}
    return result


def _fill_percentiles(connection, grouping, facts, condition, groups) -> None:
    """One small statement per group and percentile, compiled once and executed with
    the group's values: ~4x faster on SQLite than a row_number() window, and cheaper to
    build than one statement with a subquery per group (docs/figures.md)."""
    conditions = [] if condition is None else [condition]
    statements = {}
    for name, (duration, _count, _per_unit) in PERCENTILES.items():
        value = facts.span(duration)
        statements[name] = (
            select(value)
            .where(*conditions, grouping.member(facts), facts.has_duration(duration))
            .order_by(value.desc())
            .limit(1)
            .offset(bindparam("p90_offset", type_=Integer))
        )
    for key, figures in groups.items():
        values = grouping.member_values(key)
        for name, (_duration, count, per_unit) in PERCENTILES.items():
            n = figures["_n"][count]
            if n:
                seconds = connection.execute(statements[name], {**values, "p90_offset": p90_offset(n)}).scalar_one()
                figures[name] = seconds / per_unit


# What the screens and the report ask for ------------------------------------------


@dataclass
class StationInfo:
    code: str
    name: str
    area_type: str


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


def report(engine: Engine, period: Period, as_of: datetime) -> Report:
    from woq_tui.domain.enums import AreaType, TicketType

    with snapshot(engine) as connection:
        totals = figures_by(connection, TOTAL, period, as_of).get(None) or empty_figures()
        by_type = figures_by(connection, BY_TYPE, period, as_of)
        by_area = figures_by(connection, BY_AREA, period, as_of)
        by_station = figures_by(connection, BY_STATION, period, as_of)
        info = stations(connection)
    return Report(
        period=period,
        as_of=as_of,
        totals=totals,
        by_type=_ordered(by_type, [kind.value for kind in TicketType]),
        by_area=_ordered(by_area, [area.value for area in AreaType]),
        stations=station_rows(by_station, info),
    )


@dataclass
class StationTable:
    """What the station screen shows for a period: current, previous, subtotals, trend."""

    period: Period
    as_of: datetime
    info: dict[str, StationInfo]
    current: dict[str, Figures]
    previous: dict[str, Figures] = field(default_factory=dict)
    areas: dict[str, Figures] = field(default_factory=dict)
    previous_areas: dict[str, Figures] = field(default_factory=dict)
    totals: Figures = field(default_factory=empty_figures)
    previous_totals: Figures = field(default_factory=empty_figures)
    # station -> overdue rate by day, or by runs of days when the period has more than
    # TREND_POINTS days (None: no tickets then)
    trend: dict[str, list[float | None]] = field(default_factory=dict)
    complete: bool = False


def station_table(engine: Engine, period: Period, as_of: datetime) -> StationTable:
    """The first, fast part: every station's figures for the period."""
    with snapshot(engine) as connection:
        info = stations(connection)
        current = figures_by(connection, BY_STATION, period, as_of)
    return StationTable(period, as_of, info, current)


def complete_station_table(engine: Engine, table: StationTable) -> StationTable:
    """The rest: previous period, area subtotals, totals, daily overdue rate."""
    period, as_of = table.period, table.as_of
    # Both periods are judged at the same as_of: the previous one reads as a report
    # of it run now would (docs/figures.md).
    previous_period = period.previous()
    previous_as_of = as_of
    with snapshot(engine) as connection:
        previous = figures_by(connection, BY_STATION, previous_period, previous_as_of)
        areas = figures_by(connection, BY_AREA, period, as_of)
        previous_areas = figures_by(connection, BY_AREA, previous_period, previous_as_of)
        totals = figures_by(connection, TOTAL, period, as_of).get(None) or empty_figures()
        previous_totals = figures_by(connection, TOTAL, previous_period, previous_as_of).get(None) or empty_figures()
        runs = min(len(period.days()), TREND_POINTS)
        daily = figures_by(
            connection, by_station_bucket(period, runs), period, as_of, percentiles=False, only=("overdue_rate",)
        )
    trend: dict[str, list[float | None]] = {}
    for code in table.current:
        trend[code] = [daily.get((code, run), {}).get("overdue_rate") for run in range(runs)]
    return StationTable(
        period, as_of, table.info, table.current, previous, areas, previous_areas, totals, previous_totals, trend, True
    )



@dataclass
class StationDetail:
    """One station over a period: by type, by day, and its open or overdue tickets."""

    station: StationInfo
    period: Period
    as_of: datetime
    totals: Figures
    by_type: dict[str, Figures]
    by_day: dict[date, Figures]
    tickets: list[dict[str, Any]]


def station_detail(engine: Engine, code: str, period: Period, as_of: datetime, limit: int = 300) -> StationDetail:
    """The station screen's drill-down. Tickets: the cohort's open or overdue ones at
    as_of, soonest due first (overdue first), at most `limit`."""
    t = Ticket.__table__.c
    where = t.station_code == code
    facts = TicketFacts(as_of)
    with snapshot(engine) as connection:
        info = stations(connection).get(code) or StationInfo(code, code, "")
        totals = figures_by(connection, TOTAL, period, as_of, where=where).get(None) or empty_figures()
        types = figures_by(connection, BY_TYPE, period, as_of, where=where)
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


@dataclass
class MeetingWeek:
    """The weekly meeting: a week against the one before."""

    period: Period
    as_of: datetime
    totals: Figures
    previous_totals: Figures
    stations: dict[str, Figures]
    previous_stations: dict[str, Figures]
    info: dict[str, StationInfo]
    by_type: dict[str, Figures]
    by_day: dict[date, Figures]


def meeting_week(engine: Engine, period: Period, as_of: datetime) -> MeetingWeek:
    from woq_tui.domain.enums import TicketType

    previous = period.previous()
    with snapshot(engine) as connection:
        totals = figures_by(connection, TOTAL, period, as_of).get(None) or empty_figures()
        previous_totals = figures_by(connection, TOTAL, previous, as_of).get(None) or empty_figures()
        current_stations = figures_by(connection, BY_STATION, period, as_of, percentiles=False)
        previous_stations = figures_by(connection, BY_STATION, previous, as_of, percentiles=False)
        types = figures_by(connection, BY_TYPE, period, as_of, percentiles=False)
        days = figures_by(connection, by_day(period), period, as_of, percentiles=False)
        info = stations(connection)
    return MeetingWeek(
        period, as_of, totals, previous_totals, current_stations, previous_stations, info,
        _ordered(types, [kind.value for kind in TicketType]), days,
    )
