"""How tickets fall into groups for the figures (store/figures.py): GROUP BY keys and,
for the percentile step (store/percentiles.py), one group's rows as a condition.

Groupings: the total, stations, types, area types, local days, and stations by runs of
days (the station screen's trend, a pilot's windows). Local days are computed from the
UTC offset segments of the period, so DST days stay calendar days (docs/figures.md).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import BigInteger, String, and_, bindparam, literal, select, true
from sqlalchemy.sql.elements import ColumnElement

from woq_tui.domain.metrics import TicketFacts
from woq_tui.domain.models import Station
from woq_tui.domain.periods import Period, local_midnight
from woq_tui.domain.tables import table_of
from woq_tui.domain.timestamps import to_epoch

STATION = table_of(Station)
_EPOCH_DAY = date(1970, 1, 1)
# Points of the station screen's overdue trend: a day each, up to this many.
TREND_POINTS = 14


@dataclass(frozen=True)
class Grouping:
    """How rows fall into groups: GROUP BY columns and, for the percentile step, one
    group's rows as a condition with bind parameters (`member`) plus their values for a
    group key (`member_values`), so that the statement compiles once per grouping."""

    name: str
    keys: Callable[[TicketFacts], list[ColumnElement[Any]]]
    member: Callable[[TicketFacts], ColumnElement[bool]]
    member_values: Callable[[tuple[Any, ...]], dict[str, Any]]
    joins_station: bool = False
    # member() bounds created_at itself, within the period (days): the period's own
    # bounds are then left out, so SQLite plans the narrow range on the index.
    bounds_created: bool = False
    # group key tuple -> the value callers see (a code, a date, or a tuple of them)
    decode: Callable[[tuple[Any, ...]], Any] = lambda key: key[0] if len(key) == 1 else key
    # The column that leads the duration indexes the group's percentiles may walk
    # ("station", "type", "area": migrations 0003, 0009), None where there is none.
    leader: str | None = None
    # The member condition where SQLite does not walk that index (it sorts a short
    # period's rows): the same rows, read from a covering index. None: member().
    sort_member: Callable[[TicketFacts], ColumnElement[bool]] | None = None
    # Time runs [(label, start epoch, end epoch)]: the aggregate is then one GROUP BY
    # keys() per run, UNION ALL, key (*keys, label). Each run is an index range in
    # group order, where a GROUP BY on a computed day would sort the period's rows
    # (a year's station trend: ~60 ms against ~150 ms on SQLite).
    runs: tuple[tuple[int, int, int], ...] | None = None


def _equals(name: str) -> Callable[[tuple[Any, ...]], dict[str, Any]]:
    return lambda key: {name: key[0]}


TOTAL = Grouping("total", lambda f: [], lambda f: true(), lambda key: {}, decode=lambda key: None)
BY_STATION = Grouping(
    "station",
    lambda f: [f.columns.station_code],
    lambda f: f.columns.station_code == bindparam("m_station", type_=String),
    _equals("m_station"),
    leader="station",
)
BY_TYPE = Grouping(
    "type",
    lambda f: [f.columns.type],
    lambda f: f.columns.type == bindparam("m_type", type_=String),
    _equals("m_type"),
    leader="type",
)
# The ticket's own copy of its station's area type (migration 0009 keeps it right):
# the sums and the percentiles' walks of ix_ticket_area_* read the same column. Sorting
# a short period on SQLite, the area is its stations instead, each a range of the
# covering station index: area_type is in none (a week at 1M tickets: 38 against 62 ms
# walking, and the planner's own choice read the table; docs/speed.md).
BY_AREA = Grouping(
    "area",
    lambda f: [f.columns.area_type],
    lambda f: f.columns.area_type == bindparam("m_area", type_=String),
    _equals("m_area"),
    leader="area",
    sort_member=lambda f: f.columns.station_code.in_(
        select(STATION.c.code).where(STATION.c.area_type == bindparam("m_area", type_=String)).scalar_subquery()
    ),
)


def _utc_offset_s(moment: datetime) -> int:
    """The UTC offset of an aware datetime (a period's are, domain/periods.py), in seconds."""
    offset = moment.utcoffset()
    assert offset is not None, "naive datetime"
    return int(offset.total_seconds())


def _offset_segments(period: Period) -> list[tuple[int, int]]:
    """[(from epoch, utc offset seconds)] covering the period, one per offset change."""
    segments: list[tuple[int, int]] = []
    instant = period.start
    step = timedelta(hours=1)
    while instant < period.end:
        offset = _utc_offset_s(instant.astimezone(period.tz))
        if not segments or segments[-1][1] != offset:
            start = to_epoch(instant)
            if segments:  # find the change to the second between the last hour and this
                low, high = to_epoch(instant - step), start
                while high - low > 1:
                    middle = (low + high) // 2
                    at = datetime.fromtimestamp(middle, period.tz)
                    if _utc_offset_s(at) == offset:
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
        shift: ColumnElement[int] = literal(segments[0][1] if segments else 0, BigInteger)
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
    """Local calendar days of the period (docs/figures.md: daily series)."""
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

