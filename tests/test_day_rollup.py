"""The station × local-day rollup (migration 0010, store/day_rollup.py): its sums equal the
direct GROUP BY's on random periods, stations, runs and as_of, in two zones (one with a
DST change), including tickets written, resolved, reopened, moved, re-dated and deleted
after their day was rolled up, and a refresh killed half-way; SQLite and PostgreSQL."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import BigInteger, delete, func, literal, select, type_coerce, update

from tests.factories import add_all, ticket
from tests.test_percentiles import DAYS, SHANGHAI, START, UTC, fill
from woq_tui.domain.models import Ticket
from woq_tui.domain.periods import Period, days_period
from woq_tui.domain.tables import table_of
from woq_tui.store import day_rollup, type_rollup
from woq_tui.store.day_rollup import DIRTY, STATION_DAY, TREND_SUMS
from woq_tui.store.day_rollup_refresh import refresh
from woq_tui.store.figures import BY_STATION, BY_TYPE, by_station_bucket, group_sums, load_station_table, snapshot, trend_runs

BERLIN = ZoneInfo("Europe/Berlin")  # summer time ends on 2026-10-25, inside the test's days
TICKET = table_of(Ticket)


@pytest.fixture(autouse=True)
def _every_length_through_the_rollup(monkeypatch):
    """The rollup answers short periods too here (PostgreSQL reads a week directly in
    the product, day_rollup.MIN_DAYS): the tests' periods are 1-40 days."""
    monkeypatch.setattr(day_rollup, "MIN_DAYS", {})


def random_periods(rng: random.Random, zone: ZoneInfo, count: int) -> list[tuple[Period, datetime]]:
    """(period, as_of): whole local days of `zone`, and a few cut at instants, judged
    before, inside and after the period (tickets still open, resolved later, ...)."""
    first_day = START.astimezone(zone).date() + timedelta(days=1)
    out = []
    for index in range(count):
        first = first_day + timedelta(days=rng.randrange(DAYS - 3))
        period = days_period(first, first + timedelta(days=rng.randrange(0, 40)), zone)
        if index % 4 == 3:  # part days at both ends
            period = Period(period.start + timedelta(seconds=rng.randrange(86400)), period.end - timedelta(seconds=rng.randrange(80000)), zone)
        as_of = period.start + timedelta(seconds=rng.randrange(int((period.end - period.start).total_seconds()) + 20 * 86400))
        out.append((period, as_of))
    return out


def assert_exact(engine, period: Period, as_of: datetime, trend: bool = True) -> None:
    """The rollup's sums by station (and trend runs, part days at the ends included: a
    year to date ends in one) equal the direct GROUP BY's."""
    runs = trend_runs(period) if trend else None
    with snapshot(engine) as connection:
        rolled = day_rollup.station_sums(connection, period, as_of, runs)
        if day_rollup.whole_days(period) is None:
            assert rolled is None, "no whole day: read directly"
            return
        assert rolled is not None, "the rollup answers a period with whole days in its zone"
        assert rolled.stations == group_sums(connection, BY_STATION, period, as_of), (period, as_of)
        assert type_rollup.type_sums(connection, period, as_of) == group_sums(connection, BY_TYPE, period, as_of), (period, as_of)
        if rolled.runs is not None:
            direct = group_sums(connection, by_station_bucket(period, runs or 1), period, as_of)
            assert rolled.runs == {key: {name: sums[name] for name in TREND_SUMS} for key, sums in direct.items()}


def dirty_count(engine) -> int:
    with engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(DIRTY)).scalar_one()


def test_rollup_sums_equal_the_direct_sums_in_two_zones(engine):
    fill(engine, seed=21, count=1200)
    rng = random.Random(5)
    for zone in (SHANGHAI, BERLIN):
        assert refresh(engine, zone).rebuilt
        with snapshot(engine) as connection:
            assert day_rollup.built_zone(connection) == zone.key
            other = SHANGHAI if zone is BERLIN else BERLIN
            period = days_period(date(2026, 10, 10), date(2026, 10, 20), other)
            assert day_rollup.station_sums(connection, period, period.end) is None, "another zone's days: read directly"
        for period, as_of in random_periods(rng, zone, 16):
            assert_exact(engine, period, as_of)


def test_changes_after_the_roll_are_exact_before_and_after_a_refresh(engine):
    fill(engine, seed=8, count=900)
    assert refresh(engine, SHANGHAI).rebuilt
    assert dirty_count(engine) == 0
    rng = random.Random(11)
    created = type_coerce(TICKET.c.created_at, BigInteger)
    with engine.begin() as connection:
        ids = connection.execute(select(TICKET.c.id).order_by(TICKET.c.id)).scalars().all()
        picks = rng.sample(ids, 120)
        day = 86400
        for number, ticket_id in enumerate(picks):
            row = TICKET.c.id == ticket_id
            match number % 6:
                case 0:  # resolved now, or reopened
                    connection.execute(update(TICKET).where(row).values(resolved_at=None if number % 12 else START + timedelta(days=70)))
                case 1:  # moved to another station
                    connection.execute(update(TICKET).where(row).values(station_code=f"S{rng.randrange(1, 9):03d}"))
                case 2:  # re-dated, days away
                    connection.execute(update(TICKET).where(row).values(created_at=created + rng.choice((-3, 2, 9)) * day))
                case 3:  # deleted
                    connection.execute(delete(TICKET).where(row))
                case 4:  # a figure's own column, and the type (reclassified: type_day)
                    kind = "complaint" if number % 12 else "praise"
                    connection.execute(update(TICKET).where(row).values(satisfaction="satisfied", dispatch_count=3, escalated=True, type=kind))
                case _:  # responded
                    connection.execute(update(TICKET).where(row).values(first_response_at=created + 600))
    add_all(engine, *(
        ticket(START + timedelta(seconds=rng.randrange(DAYS * 86400)), station_code=f"S{rng.randrange(1, 9):03d}")
        for _ in range(40)
    ))
    assert dirty_count(engine) > 0
    periods = random_periods(rng, SHANGHAI, 12)
    for period, as_of in periods:
        assert_exact(engine, period, as_of)
    refreshed = refresh(engine, SHANGHAI)
    assert not refreshed.rebuilt and refreshed.days > 0 and dirty_count(engine) == 0
    for period, as_of in periods:
        assert_exact(engine, period, as_of)


def test_a_reclassified_ticket_alone_is_logged_and_its_types_read_exact(engine):
    """Only the type changes (migration 0013 watches it): type_day's day is logged, and
    the types' sums are exact before and after the refresh."""
    fill(engine, seed=4, count=300)
    assert refresh(engine, SHANGHAI).rebuilt
    with engine.begin() as connection:
        first = connection.execute(select(TICKET.c.id, TICKET.c.type).order_by(TICKET.c.id).limit(1)).one()
        connection.execute(update(TICKET).where(TICKET.c.id == first.id).values(type="praise" if first.type != "praise" else "repair"))
    assert dirty_count(engine) > 0
    period = days_period(START.astimezone(SHANGHAI).date(), START.astimezone(SHANGHAI).date() + timedelta(days=DAYS), SHANGHAI)
    as_of = period.end + timedelta(days=30)
    assert_exact(engine, period, as_of)
    assert refresh(engine, SHANGHAI).days > 0
    assert_exact(engine, period, as_of)


def test_nothing_is_logged_before_the_first_build(engine):
    fill(engine, seed=2, count=50)
    assert dirty_count(engine) == 0
    refresh(engine, SHANGHAI)
    add_all(engine, ticket(START + timedelta(days=3), station_code="S002"))
    assert dirty_count(engine) == 1


def test_postgresql_finds_the_rows_not_settled_by_their_indexes(engine):
    # Migration 0011: the rows a read may not trust are found by a bitmap OR of two
    # index ranges, not by walking the primary key over the period (at 10M tickets
    # 1.9 s of a year's station screen; docs/speed.md). The planner is told to avoid
    # scans so that a table this small shows which indexes the condition can use.
    if engine.dialect.name != "postgresql":
        pytest.skip("the indexes are PostgreSQL's (SQLite reads the table in station order)")
    fill(engine, seed=3, count=80)
    refresh(engine, SHANGHAI)
    as_of = literal(int(datetime(2026, 12, 1, tzinfo=UTC).timestamp()), BigInteger)
    query = select(STATION_DAY.c.station_code).where(day_rollup.unsettled(as_of))
    with engine.connect() as connection:
        connection.exec_driver_sql("SET enable_seqscan = off")
        sql = str(query.compile(connection, compile_kwargs={"literal_binds": True}))
        plan = "\n".join(row[0] for row in connection.exec_driver_sql("EXPLAIN " + sql))
    assert "ix_station_day_unsettled" in plan and "ix_station_day_settled_by" in plan, plan


_KILLED_CHILD = """
import sys
from zoneinfo import ZoneInfo
from woq_tui.store.db import make_engine
from woq_tui.store.day_rollup_refresh import refresh

def told(day):
    print(day, flush=True)
    sys.stdin.readline()  # held here, inside the refresh's transaction, until killed

refresh(make_engine(sys.argv[1]), ZoneInfo("Asia/Shanghai"), on_day=told)
"""


def test_a_refresh_killed_half_way_leaves_the_figures_exact(engine):
    fill(engine, seed=4, count=600)
    refresh(engine, SHANGHAI)
    with engine.begin() as connection:
        connection.execute(update(TICKET).where(TICKET.c.id % 7 == 0).values(station_code="S003", resolved_at=None))
    with engine.connect() as connection:
        rows_before = connection.execute(select(STATION_DAY)).all()
    entries = dirty_count(engine)
    engine.dispose()  # no connection of ours holds SQLite's file while the child writes
    child = subprocess.Popen(
        [sys.executable, "-c", _KILLED_CHILD, engine.url.render_as_string(hide_password=False)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": os.getcwd()},
    )
    assert child.stdout is not None
    assert child.stdout.readline().strip(), "the child recomputed a day"
    child.send_signal(signal.SIGKILL)
    child.wait()
    with engine.connect() as connection:
        assert connection.execute(select(STATION_DAY)).all() == rows_before, "nothing of the killed refresh stayed"
    assert dirty_count(engine) == entries
    period = days_period(START.astimezone(SHANGHAI).date(), START.astimezone(SHANGHAI).date() + timedelta(days=DAYS), SHANGHAI)
    assert_exact(engine, period, START + timedelta(days=DAYS + 2))
    refresh(engine, SHANGHAI)
    assert dirty_count(engine) == 0
    assert_exact(engine, period, START + timedelta(days=DAYS + 2))


def test_the_station_table_is_the_same_through_the_rollup(engine, monkeypatch):
    fill(engine, seed=13, count=800)
    refresh(engine, SHANGHAI)
    add_all(engine, ticket(START + timedelta(days=20, hours=3), station_code="S005"))
    first = START.astimezone(SHANGHAI).date() + timedelta(days=5)
    period = days_period(first, first + timedelta(days=33), SHANGHAI)
    as_of = period.end + timedelta(hours=5)
    rolled = load_station_table(engine, period, as_of)
    monkeypatch.setattr(day_rollup, "station_sums", lambda *args, **kwargs: None)
    assert rolled == load_station_table(engine, period, as_of)


def test_a_period_outside_the_rolled_days_and_an_empty_table(engine):
    assert refresh(engine, SHANGHAI).days == 0
    period = days_period(date(2026, 10, 1), date(2026, 10, 7), SHANGHAI)
    with snapshot(engine) as connection:
        rolled = day_rollup.station_sums(connection, period, datetime(2026, 11, 1, tzinfo=UTC), 7)
    assert rolled is not None and rolled.stations == {} and rolled.runs == {}


def test_generate_builds_it_and_import_and_db_rollup_keep_it_current(tmp_path, capsys):
    from tests.test_import import ZH_HEADER, write_csv
    from woq_tui.cli import main
    from woq_tui.store.db import make_engine

    config = tmp_path / "config.toml"
    config.write_text('[console]\nlanguage = "en"\ntimezone = "Asia/Shanghai"\noperator = "D1023"\n', encoding="utf-8")
    url = f"sqlite:///{tmp_path / 'gen.db'}"
    common = ["--db", url, "--config", str(config)]
    assert main(["generate", *common, "--stations", "3", "--days", "6", "--end", "2026-11-26 10:00"]) == 0
    assert "Station × day and type × day rollups built" in capsys.readouterr().out
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(update(TICKET).where(TICKET.c.id % 5 == 0).values(resolved_at=None))
    assert dirty_count(engine) > 0
    assert main(["db", "rollup", *common]) == 0
    assert "Station × day and type × day rollups refreshed" in capsys.readouterr().out and dirty_count(engine) == 0
    row = ["R01", "报修", "S01", "", "", "2026-11-22 08:00", "", "", "", ""]
    assert main(["import", str(write_csv(tmp_path / "in.csv", ZH_HEADER, [row])), *common]) == 0
    assert dirty_count(engine) == 0, "the import's day was recomputed"
    period = days_period(date(2026, 11, 20), date(2026, 11, 25), SHANGHAI)
    assert_exact(engine, period, datetime(2026, 11, 26, 2, 0, tzinfo=UTC))
    engine.dispose()


def test_a_period_shorter_than_min_days_is_read_directly(engine, monkeypatch):
    fill(engine, seed=1, count=100)
    refresh(engine, SHANGHAI)
    monkeypatch.setattr(day_rollup, "MIN_DAYS", {engine.dialect.name: 28})
    first = START.astimezone(SHANGHAI).date() + timedelta(days=2)
    with snapshot(engine) as connection:
        assert day_rollup.station_sums(connection, days_period(first, first + timedelta(days=26), SHANGHAI), START) is None
        assert day_rollup.station_sums(connection, days_period(first, first + timedelta(days=27), SHANGHAI), START) is not None


def test_migration_0013_leaves_a_built_rollup_to_be_built_again_with_its_types(tmp_path):
    """A rollup built before type_day existed cannot answer for types: 0013 removes its
    state (the reads go direct), and the next build fills both tables."""
    from sqlalchemy import inspect, text

    from woq_tui.store.db import make_engine, upgrade

    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    upgrade(engine, "0012")
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO station_day_state (zone) VALUES ('Asia/Shanghai')"))
        connection.execute(text("INSERT INTO station_day_dirty (station_code, created_at) VALUES ('S001', 1)"))
    upgrade(engine)
    assert "type_day" in inspect(engine).get_table_names()
    with snapshot(engine) as connection:
        assert day_rollup.built_zone(connection) is None
    assert dirty_count(engine) == 0
    fill(engine, seed=3, count=60)
    assert refresh(engine, SHANGHAI).rebuilt
    with engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(day_rollup.TYPE_DAY)).scalar_one() > 0
    engine.dispose()


def test_a_period_without_tickets_reads_no_rollup_row(engine):
    """"The same span before" the data (a year's comparison): one seek says there is no
    ticket, and the rows, a scan of the whole table on PostgreSQL, are not read."""
    from sqlalchemy import event

    fill(engine, seed=6, count=200)
    assert refresh(engine, SHANGHAI).rebuilt
    seen: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda *args: seen.append(args[2]))
    period = days_period(date(2025, 1, 1), date(2025, 6, 30), SHANGHAI)
    with snapshot(engine) as connection:
        rolled = day_rollup.station_sums(connection, period, period.end, trend_runs(period))
    assert rolled is not None and rolled.stations == {} and rolled.runs == {}
    assert not [statement for statement in seen if "FROM station_day " in statement or "FROM station_day\n" in statement]
