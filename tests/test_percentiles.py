"""The percentile step (store/percentiles.py) on random periods, groupings and instants:
the product's form (PostgreSQL: one LATERAL statement per grouping; SQLite: a statement
per group) equals the old per-group definition and docs/figures.md's nearest rank in Python."""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import BigInteger, select, type_coerce

from tests.factories import add_all, station, ticket
from woq_tui.domain.metrics import finish, p90_rank
from woq_tui.domain.models import Station, Ticket
from woq_tui.domain.periods import days_period
from woq_tui.store import percentiles
from woq_tui.store.figures import (
    BY_AREA,
    BY_STATION,
    BY_TYPE,
    TOTAL,
    by_day,
    by_station_runs,
    group_sums,
    snapshot,
)
from woq_tui.store.percentiles import fill_percentiles, lateral_percentiles, per_group_percentiles, sorted_percentiles

UTC = timezone.utc
SHANGHAI = ZoneInfo("Asia/Shanghai")
START = datetime(2026, 9, 30, 16, 0, tzinfo=UTC)  # 2026-10-01 00:00 in Shanghai
DAYS = 60
AREAS = ("urban", "rural", "remote")
TYPES = ("repair", "complaint", "consultation")


def fill(engine, seed: int = 3, count: int = 1500) -> None:
    rng = random.Random(seed)
    add_all(engine, *(station(f"S{n:03d}", f"所{n}", AREAS[n % 3], f"s{n}") for n in range(1, 9)))
    rows = []
    for _ in range(count):
        created = START + timedelta(seconds=rng.randrange(DAYS * 86400))
        # few distinct durations, so that ties at the percentile's rank are common
        response = None if rng.random() < 0.15 else created + timedelta(seconds=rng.choice((60, 120, 120, rng.randrange(9000))))
        resolved = None if rng.random() < 0.15 else created + timedelta(seconds=rng.choice((3600, rng.randrange(15 * 86400))))
        rows.append(ticket(created, station_code=f"S{rng.randrange(1, 9):03d}", type=rng.choice(TYPES),
                           first_response_at=response, resolved_at=resolved))
    add_all(engine, *rows)


def python_p90(rows, as_of_s: int) -> tuple[float | None, float | None]:
    """docs/figures.md's nearest rank over plain rows: (p90 first response min, p90 handling h)."""
    responses = sorted(r["first_response_at"] - r["created_at"] for r in rows
                       if r["first_response_at"] is not None and r["first_response_at"] <= as_of_s)
    handling = sorted(r["resolved_at"] - r["created_at"] for r in rows
                      if r["resolved_at"] is not None and r["resolved_at"] <= as_of_s)
    return (responses[p90_rank(len(responses)) - 1] / 60 if responses else None,
            handling[p90_rank(len(handling)) - 1] / 3600 if handling else None)


def percentiles_of(connection, grouping, period, as_of, form, where=None) -> dict:
    sums = group_sums(connection, grouping, period, as_of, where)
    figures = {key: finish(values) for key, values in sums.items()}
    form(connection, grouping, period, as_of, sums, figures, where)
    return {key: (values["p90_first_response_min"], values["p90_handling_h"]) for key, values in figures.items()}


def test_the_product_form_equals_the_per_group_definition_on_random_periods(engine):
    fill(engine)
    rng = random.Random(17)
    t = Ticket.__table__.c
    columns = [type_coerce(getattr(t, name), BigInteger).label(name) if name.endswith("_at") else getattr(t, name)
               for name in ("station_code", "type", "created_at", "first_response_at", "resolved_at")]
    with snapshot(engine) as connection:
        rows = [dict(row) for row in connection.execute(select(*columns)).mappings()]
        area_of = dict(connection.execute(select(Station.code, Station.area_type)).all())
    for _ in range(6):
        first = START.astimezone(SHANGHAI).date() + timedelta(days=rng.randrange(DAYS - 5))
        period = days_period(first, first + timedelta(days=rng.randrange(0, 35)), SHANGHAI)
        as_of = period.start + timedelta(seconds=rng.randrange(int((period.end - period.start).total_seconds()) + 10 * 86400))
        as_of_s = int(as_of.timestamp())
        start_s, end_s = int(period.start.timestamp()), int(period.end.timestamp())
        cohort = [r for r in rows if start_s <= r["created_at"] < end_s]
        half = period.start + (period.end - period.start) / 2
        runs = by_station_runs([(period.start, half), (half, period.end)])
        half_s = int(half.timestamp())
        expected_of = {
            # defaults bind this iteration's cohort (the lambdas are called within it)
            "total": lambda key, cohort=cohort: cohort,
            "station": lambda key, cohort=cohort: [r for r in cohort if r["station_code"] == key[0]],
            "type": lambda key, cohort=cohort: [r for r in cohort if r["type"] == key[0]],
            "area": lambda key, cohort=cohort: [r for r in cohort if area_of[r["station_code"]] == key[0]],
            "station_run": lambda key, cohort=cohort, half_s=half_s: [r for r in cohort if r["station_code"] == key[0]
                                        and (r["created_at"] < half_s) == (key[1] == 0)],
        }
        with snapshot(engine) as connection:
            for grouping in (TOTAL, BY_STATION, BY_TYPE, BY_AREA, runs):
                product = percentiles_of(connection, grouping, period, as_of, fill_percentiles)
                assert product == percentiles_of(connection, grouping, period, as_of, per_group_percentiles), grouping.name
                assert product, grouping.name
                for key, value in product.items():
                    assert value == python_p90(expected_of[grouping.name](key), as_of_s), (grouping.name, key)
            if connection.dialect.name == "postgresql":  # the sorted form, whichever period fill_percentiles picks it for
                for grouping in (TOTAL, BY_STATION, BY_TYPE, BY_AREA):
                    sorted_p90s = percentiles_of(connection, grouping, period, as_of, sorted_percentiles)
                    assert sorted_p90s == percentiles_of(connection, grouping, period, as_of, lateral_percentiles), grouping.name
            days = by_day(period)
            one_station = t.station_code == "S002"
            assert percentiles_of(connection, days, period, as_of, fill_percentiles, one_station) == percentiles_of(
                connection, days, period, as_of, per_group_percentiles, one_station
            )


def _rows_and_areas(connection) -> tuple[list[dict], dict[str, str]]:
    t = Ticket.__table__.c
    columns = [type_coerce(getattr(t, name), BigInteger).label(name) if name.endswith("_at") else getattr(t, name)
               for name in ("station_code", "type", "created_at", "first_response_at", "resolved_at")]
    rows = [dict(row) for row in connection.execute(select(*columns)).mappings()]
    return rows, dict(connection.execute(select(Station.code, Station.area_type)).all())


def test_types_and_areas_walk_their_own_indexes_and_stay_exact_when_tickets_move_and_stations_change_area(engine):
    """The type- and area-led walks (migration 0009) against nearest rank in Python, on
    random periods, after tickets moved to a station of another area and a station's area
    changed (the ticket's area_type copy follows both: the area p90s read it)."""
    fill(engine, seed=11, count=1200)
    with engine.begin() as connection:
        ticket_table = Ticket.__table__
        moved = connection.execute(select(ticket_table.c.id).where(ticket_table.c.station_code == "S001")
                                   .order_by(ticket_table.c.id).limit(60)).scalars().all()
        # S001 is rural, S002 remote; S003 goes from urban to remote
        connection.execute(ticket_table.update().where(ticket_table.c.id.in_(moved)).values(station_code="S002"))
        connection.execute(Station.__table__.update().where(Station.__table__.c.code == "S003").values(area_type="remote"))
    rng = random.Random(29)
    statements: list[str] = []
    with snapshot(engine) as connection:
        rows, area_of = _rows_and_areas(connection)
        if engine.dialect.name == "sqlite":
            # what SQLite runs: the percentile step executes through the driver's cursor
            connection.connection.driver_connection.set_trace_callback(statements.append)
        for length in [40, *(rng.randrange(0, 35) for _ in range(5))]:
            first = START.astimezone(SHANGHAI).date() + timedelta(days=rng.randrange(DAYS - length))
            period = days_period(first, first + timedelta(days=length), SHANGHAI)
            as_of = period.start + timedelta(seconds=rng.randrange(int((period.end - period.start).total_seconds()) + 10 * 86400))
            start_s, end_s = int(period.start.timestamp()), int(period.end.timestamp())
            cohort = [r for r in rows if start_s <= r["created_at"] < end_s]
            for grouping, member in ((BY_TYPE, lambda r: r["type"]), (BY_AREA, lambda r: area_of[r["station_code"]])):
                product = percentiles_of(connection, grouping, period, as_of, fill_percentiles)
                assert product == percentiles_of(connection, grouping, period, as_of, per_group_percentiles), grouping.name
                assert set(product) == {(member(r),) for r in cohort}, grouping.name
                for key, value in product.items():
                    expected = python_p90([r for r in cohort if member(r) == key[0]], int(as_of.timestamp()))
                    assert value == expected, (grouping.name, key)
    if engine.dialect.name == "sqlite":  # a 40-day period is most of the table: the walks name their index
        walked = " ".join(sql for sql in statements if "OFFSET" in sql)
        for index in ("ix_ticket_type_handling", "ix_ticket_type_response", "ix_ticket_area_handling", "ix_ticket_area_response"):
            assert f"INDEXED BY {index}" in walked, index


def test_postgresql_sorts_a_short_period_and_walks_a_long_one(engine):
    """fill_percentiles takes the sorted form for a cohort under SORT_SHARE of the table
    (docs/speed.md, "Short periods sorted"), the walks otherwise; SQLite its own form."""
    fill(engine)
    first = START.astimezone(SHANGHAI).date()
    chosen = []
    with snapshot(engine) as connection:
        for last in (first, first + timedelta(days=DAYS)):
            period = days_period(first, last, SHANGHAI)
            sums = group_sums(connection, BY_STATION, period, period.end)
            chosen.append(percentiles._sorting_is_cheaper(connection, BY_STATION, sums, None))
    assert chosen == [True, False]
