"""An import into a built station × day rollup (store/day_rollup_log.py): on SQLite the
batches log one entry per (station, local day) with the triggers suspended, and the
rollup's sums stay equal to the direct ones before and after a refresh, with another
writer's changes logged by the triggers between its batches and after it; PostgreSQL's
triggers log the COPY."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select, text, update

from tests.factories import add_all, ticket
from tests.test_day_rollup import (
    SHANGHAI,
    TICKET,
    _every_length_through_the_rollup,  # noqa: F401  (autouse here too)
    assert_exact,
    dirty_count,
    random_periods,
)
from tests.test_import import EN_HEADER, write_csv
from tests.test_percentiles import DAYS, START, fill
from woq_tui.config import parse_settings
from woq_tui.domain.clock import SystemClock
from woq_tui.store.day_rollup import DIRTY, STATION_DAY
from woq_tui.store.day_rollup_log import local_day
from woq_tui.store.day_rollup_refresh import refresh
from woq_tui.store.importer import export, import_file


def _local(instant: datetime) -> str:
    return instant.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")


def _epoch(local: str) -> int:
    return int(datetime.strptime(local, "%Y-%m-%d %H:%M").replace(tzinfo=SHANGHAI).timestamp())


def test_an_import_into_the_built_rollup_logs_its_days_and_stays_exact(engine, tmp_path, monkeypatch):
    fill(engine, seed=31, count=700)
    refresh(engine, SHANGHAI)
    rng = random.Random(17)
    with engine.connect() as connection:
        stored = connection.execute(select(TICKET.c.ticket_no, TICKET.c.type).order_by(TICKET.c.id)).all()
    rows: list[list[str]] = []
    cells: set[tuple[str, int]] = set()
    for number in range(400):  # new tickets: stations with rows, a new one, days never built
        created = START + timedelta(seconds=rng.randrange((DAYS + 5) * 86400))
        station = f"S{rng.randrange(1, 10):03d}"
        resolved = "" if number % 3 == 0 else _local(created + timedelta(hours=rng.randrange(1, 200)))
        rows.append([f"N{number:05d}", "repair", station, "", "", _local(created), "", resolved, "", ""])
    for ticket_no, kind in rng.sample(stored, 60):  # stored ones moved, re-dated, resolved
        created = START + timedelta(seconds=rng.randrange(DAYS * 86400))
        rows.append([ticket_no, kind, f"S{rng.randrange(1, 9):03d}", "", "", _local(created), "", _local(created + timedelta(hours=5)), "", ""])
    for row in rows:
        cells.add((row[2], local_day(SHANGHAI.key, _epoch(row[5]))[0]))
    settings = parse_settings({"console": {"language": "en", "operator": "t", "timezone": SHANGHAI.key}})
    # another writer between two of the import's batches: logged by the triggers (an
    # entry at its own instant, which the importer's day entries never are)
    meanwhile = START + timedelta(days=9, hours=3, minutes=17, seconds=11)
    monkeypatch.setattr(export, "PROGRESS_EVERY", 200)

    def between_batches(read: int, _fraction: float | None) -> None:
        if read == 200:
            add_all(engine, ticket(meanwhile, station_code="S003"))

    summary = import_file(write_csv(tmp_path / "year.csv", EN_HEADER, rows), engine, policy=settings.sla_policy(),
                          clock=SystemClock(), operator="t", batch_rows=97, progress=between_batches)  # fmt: skip
    assert summary.inserted == 400 and summary.updated == 60
    with engine.connect() as connection:
        logged = select(DIRTY.c.id).where(DIRTY.c.station_code == "S003", DIRTY.c.created_at == int(meanwhile.timestamp()))
        assert connection.execute(logged).first() is not None, "the other writer's ticket was logged"
    if engine.dialect.name == "sqlite":
        # one entry per (station, local day) written (where the moved tickets were too),
        # not one per ticket; and the triggers are back
        assert len(cells) <= dirty_count(engine) <= len(cells) + 61 < 460
        with engine.connect() as connection:
            names = connection.execute(text("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'station_day_%'")).scalars()
            assert sorted(names) == ["station_day_delete", "station_day_insert", "station_day_update"]
    else:
        assert dirty_count(engine) >= 461
    periods = random_periods(rng, SHANGHAI, 14)
    for period, as_of in periods:
        assert_exact(engine, period, as_of)
    # another writer after the import: still logged by the triggers, still exact
    before = dirty_count(engine)
    add_all(engine, ticket(START + timedelta(days=3, hours=2), station_code="S004"))
    with engine.begin() as connection:
        connection.execute(update(TICKET).where(TICKET.c.id % 11 == 0).values(resolved_at=None))
    assert dirty_count(engine) > before + 1
    for period, as_of in periods:
        assert_exact(engine, period, as_of)
    refresh(engine, SHANGHAI)
    assert dirty_count(engine) == 0
    with engine.connect() as connection:  # the placeholders were recomputed away
        assert connection.execute(select(STATION_DAY).where(STATION_DAY.c.tickets == 0)).first() is None
    for period, as_of in periods:
        assert_exact(engine, period, as_of)



def test_the_triggers_are_dropped_only_inside_the_batch_transaction(tmp_path):
    """pysqlite begins a transaction only before DML: the batch takes the write lock
    before it drops the triggers, so no other connection ever sees them gone, and a
    batch that fails leaves them in place."""
    import sqlite3

    from woq_tui.store.day_rollup import LOG_TRIGGERS as TRIGGERS
    from woq_tui.store.day_rollup_log import suspend_triggers
    from woq_tui.store.db import make_engine, upgrade

    path = tmp_path / "t.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    refresh(engine, SHANGHAI)
    listed = "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'station_day_%' ORDER BY name"
    with engine.connect() as connection:  # as a batch after the first: no DML yet
        log = suspend_triggers(connection)
        assert log is not None
        other = sqlite3.connect(path)
        assert [name for (name,) in other.execute(listed)] == sorted(TRIGGERS), "the drop is not committed"
        other.close()
        connection.rollback()  # a batch that failed
    with engine.connect() as connection:
        assert sorted(connection.exec_driver_sql(listed).scalars()) == sorted(TRIGGERS)
    engine.dispose()


def test_local_day_is_the_refreshs_day_across_a_dst_change():
    """The importer's log files a ticket under the day the refresh recomputes for it
    (datetime.fromtimestamp in the zone) with that day's bounds (local_midnight)."""
    from tests.test_day_rollup import BERLIN
    from woq_tui.domain.periods import local_midnight
    from woq_tui.domain.timestamps import to_epoch

    rng = random.Random(3)
    start = int(datetime(2026, 10, 20, tzinfo=BERLIN).timestamp())
    for zone in (BERLIN, SHANGHAI, ZoneInfo("Asia/Kolkata"), ZoneInfo("America/Havana")):  # Havana: DST at midnight
        for instant in [start + rng.randrange(40 * 86400) for _ in range(3000)] + [start + n * 900 for n in range(2000)]:
            first, end, day = local_day(zone.key, instant)
            assert day == datetime.fromtimestamp(instant, zone).date()
            assert (first, end) == (to_epoch(local_midnight(day, zone)), to_epoch(local_midnight(day + timedelta(days=1), zone)))
            assert first <= instant < end
