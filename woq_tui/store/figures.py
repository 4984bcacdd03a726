"""Station figures for a period at an instant: the read side of docs/figures.md.

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

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, CompoundSelect, Connection, Engine, literal, literal_column, select, union_all
from sqlalchemy.sql.elements import ColumnElement

from woq_tui.domain.figure_catalog import empty_figures
from woq_tui.domain.metrics import PERCENTILES, TicketFacts, add_sums, aggregates, finish, overdue_rate
from woq_tui.domain.models import Station, Ticket
from woq_tui.domain.periods import Period
from woq_tui.domain.tables import AnySelect, table_of
from woq_tui.store import day_rollup, type_rollup
from woq_tui.store.db import shared_snapshot, side_by_side, snapshot
from woq_tui.store.figure_groups import (
    BY_AREA,
    BY_STATION,
    BY_TYPE,
    TOTAL,
    TREND_POINTS,
    Grouping,
    by_day,
    by_station_bucket,
    by_station_runs,
)
from woq_tui.store.percentiles import DURATION_INDEX, Sums, fill_percentiles
from woq_tui.values.figures import (
    Figures,
    MeetingWeek,
    StationDetail,
    StationInfo,
    StationTable,
)

# What other modules import from here (the groupings and the percentile step live in
# store/figure_groups.py and store/percentiles.py).
__all__ = [
    "BY_AREA", "BY_STATION", "BY_TYPE", "DURATION_INDEX", "TOTAL", "TREND_POINTS", "Grouping", "Report",
    "by_day", "by_station_bucket", "by_station_runs", "complete", "figures_by", "group_sums", "load_station_table",
    "meeting_week", "report", "rollup", "snapshot", "station_detail", "stations",
]

TICKET, STATION = table_of(Ticket), table_of(Station)


def group_sums(
    connection: Connection,
    grouping: Grouping,
    period: Period,
    as_of: datetime,
    where: ColumnElement[bool] | None = None,
    only: Sequence[str] | None = None,
) -> dict[tuple[Any, ...], Sums]:
    """The sums of metrics.SUMS for each group with tickets, by raw group key."""
    facts = TicketFacts(as_of)
    ticket = TICKET
    columns = aggregates(facts, only)
    keys = grouping.keys(facts)
    source = ticket.join(STATION, STATION.c.code == ticket.c.station_code) if grouping.joins_station else ticket
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
        query: AnySelect | CompoundSelect[*tuple[Any, ...]] = union_all(*parts)
        width = len(keys) + 1
    else:
        query = select(*labelled, *values).select_from(source).where(facts.cohort(period.start, period.end), *extra)
        if keys:
            query = query.group_by(*keys)
        width = len(keys)
    groups: dict[tuple[Any, ...], Sums] = {}
    names = list(columns)
    tickets = width + names.index("tickets")
    # rows as tuples: a week's trend is 21,000 of them at 3,000 stations (docs/speed.md)
    for row in connection.execute(query):
        if not row[tickets]:
            continue  # an aggregate without GROUP BY answers one row even for no tickets
        groups[tuple(row[:width])] = {name: value or 0 for name, value in zip(names, row[width:])}
    return groups


def sums_by_station(connection: Connection, period: Period, as_of: datetime) -> dict[tuple[Any, ...], Sums]:
    """group_sums(BY_STATION): from the station × day rollup where it can answer
    (store/day_rollup.py), from the tickets otherwise; the same sums either way."""
    rolled = day_rollup.station_sums(connection, period, as_of)
    return rolled.stations if rolled is not None else group_sums(connection, BY_STATION, period, as_of)


def sums_by_type(connection: Connection, period: Period, as_of: datetime) -> dict[tuple[Any, ...], Sums]:
    """group_sums(BY_TYPE): from the type × day rollup where it can answer
    (store/type_rollup.py), from the tickets otherwise; the same sums either way."""
    rolled = type_rollup.type_sums(connection, period, as_of)
    return rolled if rolled is not None else group_sums(connection, BY_TYPE, period, as_of)


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



# What the screens and the report ask for ------------------------------------------


def stations(connection: Connection) -> dict[str, StationInfo]:
    rows = connection.execute(select(STATION.c.code, STATION.c.name, STATION.c.area_type).order_by(STATION.c.code))
    return {code: StationInfo(code, name, area) for code, name, area in rows}


@dataclass
class Report:
    """docs/figures.md's report: totals, by type, by area, stations (worst first)."""

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


def rollup(station_sums: dict[tuple[Any, ...], Sums], info: dict[str, StationInfo]) -> tuple[dict[tuple[Any, ...], Sums], dict[tuple[Any, ...], Sums]]:
    """Area and total sums from the stations' sums: (by (area,), {(): total})."""
    areas: dict[tuple[Any, ...], Sums] = {}
    total: Sums = {}
    for (code,), sums in station_sums.items():
        area = info[code].area_type if code in info else ""
        add_sums(areas.setdefault((area,), {}), sums)
        add_sums(total, sums)
    return areas, ({(): total} if total else {})


def complete(connection: Connection, grouping: Grouping, period: Period, as_of: datetime, sums: dict[tuple[Any, ...], Sums]) -> dict[Any, Figures]:
    """Figures, percentiles included, from sums read (or rolled up) in this snapshot."""
    figures = {key: finish(values) for key, values in sums.items()}
    fill_percentiles(connection, grouping, period, as_of, sums, figures)
    return {grouping.decode(key): values for key, values in figures.items()}


def report(engine: Engine, period: Period, as_of: datetime) -> Report:
    from woq_tui.domain.enums import AreaType, TicketType

    # two connections in one snapshot on PostgreSQL: the stations' sums beside the types',
    # then the stations' percentiles beside the rest (docs/speed.md, "Reading side by side")
    with shared_snapshot(engine) as connections:
        info = stations(connections[0])
        station_sums, type_sums = side_by_side(
            connections, lambda c: sums_by_station(c, period, as_of), lambda c: sums_by_type(c, period, as_of)
        )
        area_sums, total_sums = rollup(station_sums, info)

        def the_rest(c: Connection) -> tuple[dict[Any, Figures], dict[Any, Figures], Figures]:
            by_type = complete(c, BY_TYPE, period, as_of, type_sums)
            by_area = complete(c, BY_AREA, period, as_of, area_sums)
            return by_type, by_area, complete(c, TOTAL, period, as_of, total_sums).get(None) or empty_figures()

        by_station, (by_type, by_area, totals) = side_by_side(
            connections, lambda c: complete(c, BY_STATION, period, as_of, station_sums), the_rest
        )
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
    """One period's station figures with their area subtotals and total, and (if asked)
    each station's overdue rate by run of days (the trend)."""

    info: dict[str, StationInfo]
    stations: dict[str, Figures]
    areas: dict[str, Figures]
    totals: Figures
    trend: dict[str, list[float | None]] | None = None


def trend_runs(period: Period) -> int:
    """Points of a period's trend: a day each, runs of days past TREND_POINTS days."""
    return min(len(period.days()), TREND_POINTS)


def period_figures(engine: Engine, period: Period, as_of: datetime, percentiles: bool = True, trend: bool = False) -> PeriodFigures:
    """Stations, areas and total in one snapshot and one pass over the tickets: the
    areas and total are rolled up from the stations' sums; their percentiles (if asked)
    come from the duration indexes. With `trend`, that one pass groups by station and
    run of days (by_station_bucket) and the stations' sums are rolled up from the runs'
    (sums add up exactly): the trend costs no second pass (a year at 3,000 stations:
    docs/speed.md). Where the station × day rollup is built, the sums come from it
    (store/day_rollup.py: its rows plus the tickets it cannot vouch for)."""
    with shared_snapshot(engine) as connections:
        connection = connections[0]
        info = stations(connection)
        runs = trend_runs(period) if trend else None
        rolled = day_rollup.station_sums(connection, period, as_of, runs, beside=connections[-1] if len(connections) > 1 else None)
        if rolled is not None:
            station_sums, run_sums = rolled.stations, rolled.runs
        elif runs is not None and len(connections) > 1:
            # PostgreSQL: the stations' sums beside a trend pass of the overdue rate's two
            # sums (a week's 21,000 station × run rows of every sum cost ~0.1 s of Python)
            station_sums, run_sums = side_by_side(
                connections,
                lambda c: group_sums(c, BY_STATION, period, as_of),
                lambda c: group_sums(c, by_station_bucket(period, runs), period, as_of, only=("overdue_rate",)),
            )
        elif runs is not None:  # one pass, the stations' sums added up from the runs'
            run_sums = group_sums(connection, by_station_bucket(period, runs), period, as_of)
            station_sums = {}
            for (code, _run), sums in run_sums.items():
                add_sums(station_sums.setdefault((code,), {}), sums)
        else:
            station_sums, run_sums = group_sums(connection, BY_STATION, period, as_of), None
        overdue_by_run: dict[str, list[float | None]] | None = None
        if runs is not None and run_sums is not None:
            overdue_by_run = {}
            for (code, run), sums in run_sums.items():
                overdue_by_run.setdefault(code, [None] * runs)[run] = overdue_rate(sums)
        area_sums, total_sums = rollup(station_sums, info)
        if percentiles:  # the stations' walks beside the areas' and the total's
            by_station, (areas, totals) = side_by_side(
                connections,
                lambda c: complete(c, BY_STATION, period, as_of, station_sums),
                lambda c: (complete(c, BY_AREA, period, as_of, area_sums), complete(c, TOTAL, period, as_of, total_sums)),
            )
        else:
            by_station, areas, totals = (
                {grouping.decode(key): finish(values) for key, values in sums.items()}
                for grouping, sums in ((BY_STATION, station_sums), (BY_AREA, area_sums), (TOTAL, total_sums))
            )
    return PeriodFigures(info, by_station, areas, totals.get(None) or empty_figures(), overdue_by_run)


def station_trend(engine: Engine, period: Period, as_of: datetime) -> dict[str, list[float | None]]:
    """Each station's overdue rate by day, or by runs of days past TREND_POINTS days."""
    runs = trend_runs(period)
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
    """The station screen's figures: the period with its trend (one pass), and its
    comparison (Period.comparison), read concurrently on two connections (each part is
    one snapshot; SQLite and psycopg release the GIL while the database works). `on_rows`
    gets the period's own figures as soon as they are there if the comparison is not
    (a screen then draws its rows once more rather than wait)."""
    comparison = period.comparison(as_of)
    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="woq-figures") as pool:
        now_future = pool.submit(period_figures, engine, period, as_of, trend=True)
        before_future = pool.submit(period_figures, engine, comparison.period, comparison.as_of)
        now = now_future.result()
        table = StationTable(period, as_of, now.info, now.stations, comparison, areas=now.areas, totals=now.totals)
        if on_rows is not None and not before_future.done():
            on_rows(table)
        before = before_future.result()
    trend, runs = now.trend or {}, trend_runs(period)
    return replace(
        table,
        previous=before.stations,
        previous_areas=before.areas,
        previous_totals=before.totals,
        trend={code: trend.get(code, [None] * runs) for code in now.stations},
        complete=True,
    )


def station_detail(engine: Engine, code: str, period: Period, as_of: datetime, limit: int = 300) -> StationDetail:
    """The station screen's drill-down. Tickets: the cohort's open or overdue ones at
    as_of, soonest due first (overdue first), at most `limit`."""
    t = TICKET.c
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


def _stations_and_total(connection: Connection, period: Period, as_of: datetime, info: dict[str, StationInfo]) -> tuple[dict[str, Figures], Figures]:
    """Stations without percentiles, and the total with them, from one pass."""
    station_sums = sums_by_station(connection, period, as_of)
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

