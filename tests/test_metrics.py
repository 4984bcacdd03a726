"""Every figure of docs/figures.md against a fixture computed by hand, on SQLite and PostgreSQL."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import BigInteger, and_, func, select, type_coerce

from tests.factories import add_all, station, ticket
from woq_tui.domain.figure_catalog import FIGURE_KEYS
from woq_tui.domain.metrics import TicketFacts, p90_rank, p90_window
from woq_tui.domain.models import Ticket
from woq_tui.domain.periods import Period, days_period, default_report_period, period_of
from woq_tui.store.db import make_engine
from woq_tui.store.figures import BY_AREA, BY_STATION, BY_TYPE, TOTAL, by_day, figures_by, report, snapshot

UTC = timezone.utc
SHANGHAI = ZoneInfo("Asia/Shanghai")
FROM = datetime(2026, 11, 15, 16, 0, tzinfo=UTC)  # Monday 2026-11-16 00:00 in Shanghai
TO = FROM + timedelta(days=7)
AS_OF = TO + timedelta(hours=10)  # Monday 2026-11-23 10:00 in Shanghai
PERIOD = Period(FROM, TO, SHANGHAI, "last_week")
H, M = timedelta(hours=1), timedelta(minutes=1)


def fill_fixture(engine) -> None:
    b = FROM
    add_all(
        engine,
        station("S001", "东丽城东供电所", "urban"),
        station("S002", "宁河农村供电所", "rural"),
        station("S003", "边远供电所", "remote"),  # no tickets: absent everywhere
        station("S004", "河西供电所", "urban"),
    )
    add_all(
        engine,
        # S001. a: the first instant of the period, on time, satisfied
        ticket(b, first_response_at=b + 10 * M, resolved_at=b + 2 * H, satisfaction="satisfied"),
        # b: resolved after its due time, dispatched twice, escalated, unsatisfied
        ticket(b + H, first_response_at=b + 90 * M, resolved_at=b + 6 * H, dispatch_count=2, escalated=True,
               satisfaction="unsatisfied"),
        # c: open, never responded, due long ago
        ticket(b + 2 * H, first_response_at=None),
        # d: resolved only after as_of: open at as_of, not yet due
        ticket(b + 3 * H, first_response_at=b + 3 * H + 20 * M, resolved_at=AS_OF + H, due_at=b + 30 * 24 * H),
        # e: no due time (never overdue), reopened once, basically satisfied
        ticket(b + 4 * H, first_response_at=None, resolved_at=b + 104 * H, due_at=None, reopen_count=1,
               satisfaction="basically_satisfied"),
        # f: the last second of the period, a complaint, open, not yet due
        ticket(TO - timedelta(seconds=1), type="complaint", first_response_at=TO + 59 * timedelta(seconds=1),
               due_at=TO + 24 * H - timedelta(seconds=1)),
        # g and h: just outside the period
        ticket(TO, first_response_at=TO + M),
        ticket(b - timedelta(seconds=1)),
        # i: responded only after as_of; open and overdue
        ticket(b + 5 * H, first_response_at=AS_OF + 10 * M),
        # S002. j: consultation, never dispatched, resolved fast
        ticket(b + 24 * H, station_code="S002", type="consultation", first_response_at=b + 24 * H + 5 * M,
               resolved_at=b + 25 * H, due_at=b + 48 * H, dispatch_count=0),
        # k: resolved exactly at its due time: not overdue
        ticket(b + 25 * H, station_code="S002", first_response_at=b + 25 * H + 90 * M,
               resolved_at=b + 25 * H + 330 * M, due_at=b + 25 * H + 330 * M),
        # S004. l: resolved exactly at as_of (resolved), one second after its due time
        ticket(b + 48 * H, station_code="S004", first_response_at=b + 48 * H + 15 * M, resolved_at=AS_OF,
               due_at=AS_OF - timedelta(seconds=1)),
    )


S001 = {
    "tickets": 7, "open": 4, "overdue": 3, "overdue_rate": 3 / 7, "on_time_rate": 2 / 3,
    "avg_first_response_min": 3660 / (4 * 60), "p90_first_response_min": 1800 / 60,
    "avg_handling_h": 385200 / (3 * 3600), "p90_handling_h": 360000 / 3600,
    "repeat_dispatch_rate": 1 / 7, "escalation_rate": 1 / 7, "one_time_resolution_rate": 1 / 3,
    "satisfaction_rate": 2 / 3,
}
S002 = {
    "tickets": 2, "open": 0, "overdue": 0, "overdue_rate": 0.0, "on_time_rate": 1.0,
    "avg_first_response_min": 5700 / (2 * 60), "p90_first_response_min": 5400 / 60,
    "avg_handling_h": 23400 / (2 * 3600), "p90_handling_h": 19800 / 3600,
    "repeat_dispatch_rate": 0.0, "escalation_rate": 0.0, "one_time_resolution_rate": 1.0,
    "satisfaction_rate": None,
}
S004 = {
    "tickets": 1, "open": 0, "overdue": 1, "overdue_rate": 1.0, "on_time_rate": 0.0,
    "avg_first_response_min": 900 / 60, "p90_first_response_min": 900 / 60,
    "avg_handling_h": 468000 / 3600, "p90_handling_h": 468000 / 3600,
    "repeat_dispatch_rate": 0.0, "escalation_rate": 0.0, "one_time_resolution_rate": 1.0,
    "satisfaction_rate": None,
}
TOTALS = {
    "tickets": 10, "open": 4, "overdue": 4, "overdue_rate": 4 / 10, "on_time_rate": 4 / 6,
    "avg_first_response_min": 10260 / (7 * 60), "p90_first_response_min": 5400 / 60,
    "avg_handling_h": 876600 / (6 * 3600), "p90_handling_h": 468000 / 3600,
    "repeat_dispatch_rate": 1 / 10, "escalation_rate": 1 / 10, "one_time_resolution_rate": 4 / 6,
    "satisfaction_rate": 2 / 3,
}
COMPLAINT = {
    "tickets": 1, "open": 1, "overdue": 0, "overdue_rate": 0.0, "on_time_rate": None,
    "avg_first_response_min": 1.0, "p90_first_response_min": 1.0,
    "avg_handling_h": None, "p90_handling_h": None,
    "repeat_dispatch_rate": 0.0, "escalation_rate": 0.0, "one_time_resolution_rate": None,
    "satisfaction_rate": None,
}


@pytest.fixture
def filled(engine):
    fill_fixture(engine)
    return engine


def test_station_figures_match_the_hand_computed_fixture(filled):
    with snapshot(filled) as connection:
        figures = figures_by(connection, BY_STATION, PERIOD, AS_OF)
    assert set(figures) == {"S001", "S002", "S004"}
    assert figures["S001"] == S001
    assert figures["S002"] == S002
    assert figures["S004"] == S004
    assert list(figures["S001"]) == list(FIGURE_KEYS)


def test_totals_types_and_areas(filled):
    with snapshot(filled) as connection:
        totals = figures_by(connection, TOTAL, PERIOD, AS_OF)[None]
        types = figures_by(connection, BY_TYPE, PERIOD, AS_OF)
        areas = figures_by(connection, BY_AREA, PERIOD, AS_OF)
    assert totals == TOTALS
    assert {kind: values["tickets"] for kind, values in types.items()} == {"repair": 8, "complaint": 1, "consultation": 1}
    assert types["complaint"] == COMPLAINT
    assert set(areas) == {"urban", "rural"}  # remote has a station but no tickets
    assert areas["rural"] == S002
    assert areas["urban"]["tickets"] == 8 and areas["urban"]["overdue_rate"] == 4 / 8


def test_the_report_orders_stations_worst_first(filled):
    result = report(filled, PERIOD, AS_OF)
    assert [row["station_code"] for row in result.stations] == ["S004", "S001", "S002"]
    assert result.stations[1] == {"station_code": "S001", "station_name": "东丽城东供电所", "area_type": "urban", **S001}
    assert list(result.by_type) == ["repair", "complaint", "consultation"]
    assert result.totals == TOTALS


def test_ties_on_overdue_rate_go_by_station_code(engine):
    add_all(engine, station("S009", "乙", "urban"), station("S008", "甲", "rural"))
    add_all(engine, ticket(FROM + H, station_code="S009"), ticket(FROM + H, station_code="S008"))
    result = report(engine, PERIOD, AS_OF)
    assert [row["station_code"] for row in result.stations] == ["S008", "S009"]


def test_an_empty_period_has_zero_counts_and_null_ratios(filled):
    empty = Period(FROM - timedelta(days=70), FROM - timedelta(days=63), SHANGHAI)
    result = report(filled, empty, AS_OF)
    assert result.stations == [] and result.by_type == {} and result.by_area == {}
    assert result.totals["tickets"] == 0 and result.totals["open"] == 0
    assert result.totals["overdue_rate"] is None and result.totals["p90_handling_h"] is None


def test_as_of_before_resolution_reopens_the_ticket(filled):
    # Judged at the end of the period: l (resolved at AS_OF) is open and not yet due,
    # d is open too, and c and i are overdue against TO rather than AS_OF.
    with snapshot(filled) as connection:
        early = figures_by(connection, BY_STATION, PERIOD, TO)
    assert early["S004"]["open"] == 1 and early["S004"]["overdue"] == 0
    assert early["S001"]["open"] == 4 and early["S001"]["overdue"] == 3
    assert early["S004"]["on_time_rate"] is None and early["S004"]["p90_handling_h"] is None
    # f's first response came after TO: not responded at TO
    assert early["S001"]["avg_first_response_min"] == (600 + 1800 + 1200) / (3 * 60)


def test_daily_series_use_local_days(filled):
    with snapshot(filled) as connection:
        days = figures_by(connection, by_day(PERIOD), PERIOD, AS_OF)
    assert days[date(2026, 11, 16)]["tickets"] == 6  # a b c d e i
    assert days[date(2026, 11, 17)]["tickets"] == 2  # j k
    assert days[date(2026, 11, 18)]["tickets"] == 1  # l
    assert days[date(2026, 11, 22)]["tickets"] == 1  # f, 23:59:59 local
    assert days[date(2026, 11, 16)]["p90_handling_h"] == 360000 / 3600
    assert sum(values["tickets"] for values in days.values()) == 10


# Periods ------------------------------------------------------------------------


def test_default_report_period_is_the_last_full_week():
    # Thursday 2026-11-26 10:00 in Shanghai -> Monday 16 to Monday 23 (exclusive)
    period = default_report_period(datetime(2026, 11, 26, 2, 0, tzinfo=UTC), SHANGHAI)
    assert period.start == datetime(2026, 11, 15, 16, tzinfo=UTC)
    assert period.end == datetime(2026, 11, 22, 16, tzinfo=UTC)
    # Monday 00:30 local is already in the new week: last week is the one just ended
    monday = default_report_period(datetime(2026, 11, 22, 16, 30, tzinfo=UTC), SHANGHAI)
    assert monday.start == period.start
    # Sunday 23:59 local: the week is not full yet, so the one before
    sunday = default_report_period(datetime(2026, 11, 22, 15, 59, tzinfo=UTC), SHANGHAI)
    assert sunday.start == period.start - timedelta(days=7)


def test_periods_and_steps():
    now = datetime(2026, 11, 26, 2, 0, tzinfo=UTC)
    spans = {kind: (p.first_day, p.last_day) for kind in ("today", "this_week", "this_month", "last_30_days")
             for p in [period_of(kind, now, SHANGHAI)]}
    assert spans == {
        "today": (date(2026, 11, 26), date(2026, 11, 26)),
        "this_week": (date(2026, 11, 23), date(2026, 11, 29)),
        "this_month": (date(2026, 11, 1), date(2026, 11, 30)),
        "last_30_days": (date(2026, 10, 28), date(2026, 11, 26)),
    }
    month = period_of("this_month", now, SHANGHAI)
    assert (month.previous().first_day, month.previous().last_day) == (date(2026, 10, 1), date(2026, 10, 31))
    assert month.step(2).first_day == date(2027, 1, 1)
    week = period_of("this_week", now, SHANGHAI)
    assert week.step(-1) == period_of("last_week", now, SHANGHAI).__class__(
        week.start - timedelta(days=7), week.start, SHANGHAI, "this_week"
    )


def test_daylight_saving_days_stay_calendar_days(engine):
    berlin = ZoneInfo("Europe/Berlin")
    period = days_period(date(2026, 10, 24), date(2026, 10, 26), berlin)  # clocks go back on the 25th
    assert period.end - period.start == timedelta(hours=73)
    add_all(engine, station())
    local = [datetime(2026, 10, 24, 23, 30), datetime(2026, 10, 25, 0, 30), datetime(2026, 10, 25, 23, 30),
             datetime(2026, 10, 26, 0, 10)]
    add_all(engine, *(ticket(moment.replace(tzinfo=berlin).astimezone(UTC)) for moment in local))
    with snapshot(engine) as connection:
        days = figures_by(connection, by_day(period), period, AS_OF, percentiles=False)
    assert {day: values["tickets"] for day, values in days.items()} == {
        date(2026, 10, 24): 1, date(2026, 10, 25): 2, date(2026, 10, 26): 1
    }


# The percentile: the product's LIMIT/OFFSET form against the window form ----------


def fill_random(engine, seed: int = 7, count: int = 400) -> None:
    rng = random.Random(seed)
    add_all(engine, *(station(f"S{n:03d}", f"所{n}", ("urban", "rural", "remote")[n % 3]) for n in range(1, 6)))
    rows = []
    for _ in range(count):
        created = FROM + timedelta(seconds=rng.randrange(7 * 86400))
        response = None if rng.random() < 0.2 else created + timedelta(seconds=rng.choice((60, 60, 120, rng.randrange(9000))))
        resolved = None if rng.random() < 0.2 else created + timedelta(seconds=rng.randrange(20 * 86400))
        rows.append(ticket(created, station_code=f"S{rng.randrange(1, 6):03d}", type=rng.choice(("repair", "complaint")),
                           first_response_at=response, resolved_at=resolved,
                           due_at=None if rng.random() < 0.1 else created + timedelta(hours=rng.randrange(1, 200)),
                           dispatch_count=rng.randrange(0, 4), reopen_count=rng.randrange(0, 2),
                           escalated=rng.random() < 0.1,
                           satisfaction=rng.choice((None, "satisfied", "basically_satisfied", "unsatisfied"))))
    add_all(engine, *rows)


def window_p90(connection, column_name: str) -> dict[str, int]:
    facts = TicketFacts(AS_OF)
    value = facts.duration(column_name)
    station_code = Ticket.__table__.c.station_code
    rn, n = p90_window(value, station_code)
    ranked = (
        select(station_code.label("g"), value.label("v"), rn.label("rn"), n.label("n"))
        .where(facts.cohort(FROM, TO), facts.has_duration(column_name))
        .subquery()
    )
    rows = connection.execute(select(ranked.c.g, ranked.c.v).where(ranked.c.rn == (9 * ranked.c.n + 9) // 10))
    return dict(rows.all())


def test_percentiles_agree_with_the_window_form_and_percentile_disc(engine):
    fill_random(engine)
    with snapshot(engine) as connection:
        figures = figures_by(connection, BY_STATION, PERIOD, AS_OF)
        windowed = window_p90(connection, "response_s")
        handled = window_p90(connection, "handling_s")
        if engine.dialect.name == "postgresql":
            facts = TicketFacts(AS_OF)
            value = facts.duration("handling_s")
            disc = dict(connection.execute(
                select(Ticket.__table__.c.station_code, func.percentile_disc(0.9).within_group(value))
                .where(facts.cohort(FROM, TO), facts.has_duration("handling_s"))
                .group_by(Ticket.__table__.c.station_code)
            ).all())
            assert disc == handled
    assert {code: values["p90_first_response_min"] * 60 for code, values in figures.items()} == windowed
    assert {code: round(values["p90_handling_h"] * 3600) for code, values in figures.items()} == handled


def test_p90_rank_is_ceil_of_nine_tenths():
    assert [p90_rank(n) for n in (1, 2, 9, 10, 11, 19, 20, 21)] == [1, 2, 9, 9, 10, 18, 18, 19]


def oracle(rows, as_of_s: int) -> dict:
    """docs/figures.md in plain Python over ticket rows (epoch seconds): the reference."""
    resolved = [r for r in rows if r["resolved_at"] is not None and r["resolved_at"] <= as_of_s]

    def overdue(r):
        until = r["resolved_at"] if r in resolved else as_of_s
        return r["due_at"] is not None and r["due_at"] < until

    responses = sorted(r["first_response_at"] - r["created_at"] for r in rows
                       if r["first_response_at"] is not None and r["first_response_at"] <= as_of_s)
    handling = sorted(r["resolved_at"] - r["created_at"] for r in resolved)
    surveyed = [r for r in rows if r["satisfaction"] is not None]

    def ratio(a, b):
        return a / b if b else None

    def p90(values):
        return values[p90_rank(len(values)) - 1] if values else None

    return {
        "tickets": len(rows), "open": len(rows) - len(resolved), "overdue": sum(map(overdue, rows)),
        "overdue_rate": ratio(sum(map(overdue, rows)), len(rows)),
        "on_time_rate": ratio(sum(not overdue(r) for r in resolved), len(resolved)),
        "avg_first_response_min": ratio(sum(responses), len(responses) * 60),
        "p90_first_response_min": None if not responses else p90(responses) / 60,
        "avg_handling_h": ratio(sum(handling), len(handling) * 3600),
        "p90_handling_h": None if not handling else p90(handling) / 3600,
        "repeat_dispatch_rate": ratio(sum(r["dispatch_count"] >= 2 for r in rows), len(rows)),
        "escalation_rate": ratio(sum(bool(r["escalated"]) for r in rows), len(rows)),
        "one_time_resolution_rate": ratio(sum(r["dispatch_count"] <= 1 and r["reopen_count"] == 0 for r in resolved), len(resolved)),
        "satisfaction_rate": ratio(sum(r["satisfaction"] in ("satisfied", "basically_satisfied") for r in surveyed), len(surveyed)),
    }


def test_every_figure_matches_a_python_oracle_on_random_tickets(engine):
    fill_random(engine, seed=11)
    t = Ticket.__table__.c
    columns = [type_coerce(getattr(t, name), BigInteger).label(name) if name.endswith("_at") else getattr(t, name)
               for name in ("station_code", "created_at", "first_response_at", "resolved_at", "due_at",
                            "dispatch_count", "reopen_count", "escalated", "satisfaction")]
    with snapshot(engine) as connection:
        figures = figures_by(connection, BY_STATION, PERIOD, AS_OF)
        rows = [dict(row) for row in connection.execute(
            select(*columns).where(and_(t.created_at >= FROM, t.created_at < TO))).mappings()]
    as_of_s = int(AS_OF.timestamp())
    for code, values in figures.items():
        assert values == oracle([r for r in rows if r["station_code"] == code], as_of_s), code


def test_sqlite_and_postgresql_give_identical_figures(sqlite_url, pg_url):
    results = []
    for url in (sqlite_url, pg_url):
        engine = make_engine(url)
        fill_random(engine, seed=3, count=300)
        fill_fixture_extra = report(engine, PERIOD, AS_OF)
        results.append(fill_fixture_extra)
        engine.dispose()
    first, second = results
    assert first.stations == second.stations
    assert first.totals == second.totals
    assert first.by_type == second.by_type
    assert first.by_area == second.by_area


def test_station_trend_runs_cover_the_period_in_equal_runs_of_days(filled):
    from woq_tui.store.figures import by_station_bucket

    period = Period(FROM - timedelta(days=21), TO, SHANGHAI)  # 28 days -> 14 runs of 2 days
    grouping = by_station_bucket(period, 14)
    with snapshot(filled) as connection:
        runs = figures_by(connection, grouping, period, AS_OF, percentiles=False, only=("overdue_rate",))
        days = figures_by(connection, by_day(period), period, AS_OF, percentiles=False, where=Ticket.__table__.c.station_code == "S001")
    # S001: h (Sunday 23:59:59) and a b c d e i (Monday) share run 10; f ends run 13
    assert {key: values["tickets"] for key, values in runs.items() if key[0] == "S001"} == {("S001", 10): 7, ("S001", 13): 1}
    assert sum(values["tickets"] for values in days.values()) == 8
    bounds = grouping.member_values(("S001", 10))
    assert bounds["m_day_start"] == int((FROM - timedelta(days=1)).timestamp())
    assert bounds["m_day_end"] == int((FROM + timedelta(days=1)).timestamp())


def _plan(connection, statement) -> str:
    compiled = statement.compile(connection, compile_kwargs={"literal_binds": True})
    return " | ".join(row[-1] for row in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}"))


def test_sqlite_reads_the_figures_from_covering_indexes(sqlite_url):
    """The plans docs/figures.md relies on: index-only ranges, never the table."""
    from woq_tui.domain.metrics import aggregates

    engine = make_engine(sqlite_url)
    fill_fixture(engine)
    facts = TicketFacts(AS_OF)
    c = facts.columns
    columns = [value.label(name) for name, value in aggregates(facts).items()]
    cohort = facts.cohort(FROM, TO)
    with engine.connect() as connection:
        stations = _plan(connection, select(c.station_code, *columns).where(cohort).group_by(c.station_code))
        types = _plan(connection, select(c.type, *columns).where(cohort).group_by(c.type))
        span = facts.span("handling_s")
        p90 = _plan(connection, select(span).where(cohort, c.station_code == "S001", facts.has_duration("handling_s"))
                    .order_by(span.desc()).limit(1).offset(3))
    engine.dispose()
    # which covering index depends on the statistics; never a table lookup or full scan
    assert "COVERING INDEX" in stations and "SCAN ticket" not in stations, stations
    assert "COVERING INDEX" in types and "SCAN ticket" not in types, types
    assert "COVERING INDEX" in p90 and "SCAN ticket" not in p90, p90


def test_large_groups_walk_the_duration_indexes_and_agree_with_the_window_form(sqlite_url):
    """A cohort that is the whole table: on SQLite every percentile names a duration
    index (migration 0003), walks it without sorting, and finds the nearest rank."""
    from woq_tui.store.figures import DURATION_INDEX

    engine = make_engine(sqlite_url)
    fill_random(engine, seed=5, count=500)
    statements: list[str] = []
    with snapshot(engine) as connection:
        # what SQLite itself runs (the percentile step executes through the driver's cursor)
        connection.connection.driver_connection.set_trace_callback(statements.append)
        totals = figures_by(connection, TOTAL, PERIOD, AS_OF)[None]
        stations = figures_by(connection, BY_STATION, PERIOD, AS_OF)
        reference = {name: window_p90(connection, name) for name in ("response_s", "handling_s")}
        facts = TicketFacts(AS_OF, DURATION_INDEX["handling_s", None])
        span = facts.span("handling_s")
        plan = _plan(connection, select(span).where(facts.cohort(FROM, TO), facts.has_duration("handling_s"))
                     .order_by(span.desc()).limit(1).offset(3))
    engine.dispose()
    percentile_sql = [sql for sql in statements if "OFFSET" in sql]
    assert percentile_sql and all("INDEXED BY ix_ticket_" in sql for sql in percentile_sql)
    assert any("INDEXED BY ix_ticket_station_handling" in sql for sql in percentile_sql)
    assert any("INDEXED BY ix_ticket_handling" in sql for sql in percentile_sql)
    assert "COVERING INDEX ix_ticket_handling" in plan and "TEMP B-TREE" not in plan, plan
    assert {code: values["p90_first_response_min"] * 60 for code, values in stations.items()} == reference["response_s"]
    assert {code: round(values["p90_handling_h"] * 3600) for code, values in stations.items()} == reference["handling_s"]
    # the total's against the window form without partition
    engine = make_engine(sqlite_url)
    with snapshot(engine) as connection:
        facts = TicketFacts(AS_OF)
        value = facts.duration("handling_s")
        rn, n = p90_window(value, None)
        ranked = select(value.label("v"), rn.label("rn"), n.label("n")).where(
            facts.cohort(FROM, TO), facts.has_duration("handling_s")).subquery()
        expected = connection.execute(select(ranked.c.v).where(ranked.c.rn == (9 * ranked.c.n + 9) // 10)).scalar_one()
    engine.dispose()
    assert round(totals["p90_handling_h"] * 3600) == expected


def test_without_the_duration_indexes_the_figures_are_the_same(sqlite_url):
    """A database whose figure indexes are dropped (a large import running,
    store/figure_indexes.py) sorts instead of walking: same figures."""
    from woq_tui.store import figure_indexes

    engine = make_engine(sqlite_url)
    fill_random(engine, seed=13, count=300)
    walked = report(engine, PERIOD, AS_OF)
    figure_indexes.drop(engine)
    sorted_ = report(engine, PERIOD, AS_OF)
    engine.dispose()
    assert (sorted_.totals, sorted_.by_area, sorted_.by_type, sorted_.stations) == (
        walked.totals, walked.by_area, walked.by_type, walked.stations)


def test_subtotals_rolled_up_from_stations_equal_their_own_group_by(engine):
    """The report's areas and total are sums of the stations' sums: the same bits as
    a GROUP BY of their own, percentiles included."""
    fill_random(engine, seed=9, count=300)
    result = report(engine, PERIOD, AS_OF)
    with snapshot(engine) as connection:
        assert result.totals == figures_by(connection, TOTAL, PERIOD, AS_OF)[None]
        assert result.by_area == figures_by(connection, BY_AREA, PERIOD, AS_OF)


def test_the_station_table_compares_a_running_week_with_the_same_span(filled):
    """Judged on Wednesday 10:00, this week (from Monday 23rd) is compared with last
    week's Monday 00:00 to Wednesday 10:00, judged then (not with the whole week)."""
    from woq_tui.store.figures import load_station_table

    as_of = AS_OF + timedelta(days=2)  # Wednesday 2026-11-25 10:00 in Shanghai
    week = period_of("this_week", as_of, SHANGHAI)
    shown = []
    table = load_station_table(filled, week, as_of, on_rows=shown.append)
    assert table.complete and table.comparison.partial
    assert table.comparison.period.start == FROM and table.comparison.period.end == FROM + timedelta(days=2, hours=10)
    assert table.comparison.as_of == table.comparison.period.end
    with snapshot(filled) as connection:
        expected = figures_by(connection, BY_STATION, table.comparison.period, table.comparison.as_of)
    # S001: a b c d e i on Monday, S002: j k on Tuesday, S004: l on Wednesday 00:00, and f
    # (Sunday) outside; judged on Wednesday 10:00: c d e i open (e resolved on Friday), l too
    assert table.previous == expected and set(expected) == {"S001", "S002", "S004"}
    assert expected["S001"]["tickets"] == 6 and expected["S001"]["open"] == 4
    assert expected["S004"]["open"] == 1 and expected["S004"]["overdue"] == 0
    assert table.previous_totals["tickets"] == 9 and table.previous_areas["rural"]["tickets"] == 2
    assert all(len(points) == 7 for points in table.trend.values())


def test_comparisons_of_running_and_finished_periods():
    now = datetime(2026, 11, 26, 2, 0, tzinfo=UTC)  # Thursday 10:00 in Shanghai
    week = period_of("this_week", now, SHANGHAI).comparison(now)
    assert week.partial and week.as_of == week.period.end == now - timedelta(days=7)
    assert week.period.start == datetime(2026, 11, 15, 16, tzinfo=UTC)
    last = period_of("last_week", now, SHANGHAI).comparison(now)
    assert not last.partial and last.as_of == now and last.period == period_of("last_week", now, SHANGHAI).previous()
    month = period_of("this_month", now, SHANGHAI).comparison(now)
    assert month.period.first_day == date(2026, 10, 1) and month.period.end == datetime(2026, 10, 26, 2, tzinfo=UTC)
    # March 31st against February: the whole of February, no further
    march = datetime(2027, 3, 31, 2, 0, tzinfo=UTC)
    february = period_of("this_month", march, SHANGHAI).comparison(march)
    assert february.period.end == datetime(2027, 2, 28, 16, tzinfo=UTC)
    # a DST change between the two weeks keeps the wall-clock time: Wednesday 10:00
    berlin = ZoneInfo("Europe/Berlin")
    wednesday = datetime(2026, 10, 28, 10, 0, tzinfo=berlin)
    before = period_of("this_week", wednesday, berlin).comparison(wednesday)
    assert before.period.end == datetime(2026, 10, 21, 10, 0, tzinfo=berlin)
    assert before.period.end - before.period.start == timedelta(days=2, hours=10)
