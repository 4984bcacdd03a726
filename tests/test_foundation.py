"""The data model round-trips on SQLite and PostgreSQL; times stay aware UTC."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import Session

from tests.conftest import NOW
from tests.factories import add_all, station, ticket
from woq_tui.domain.models import Ticket
from woq_tui.store.db import current_revision, head_revision


def test_schema_is_at_head(engine):
    assert current_revision(engine) == head_revision()


def test_the_queue_index_holds_open_tickets_only(engine):
    # models.py leaves the WHERE to migration 0001 (start-up time): the database has it.
    if engine.dialect.name == "sqlite":
        query = "SELECT sql FROM sqlite_master WHERE name = 'ix_ticket_open_due'"
    else:
        query = "SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_ticket_open_due'"
    with engine.connect() as connection:
        definition = connection.exec_driver_sql(query).scalar_one()
    assert "WHERE" in definition.upper() and "resolved_at IS NULL" in definition


def test_times_round_trip_as_aware_utc(engine):
    shanghai = timezone(timedelta(hours=8))
    created = datetime(2026, 11, 26, 10, 0, 0, tzinfo=shanghai)
    add_all(engine, station(), ticket(created, ticket_no="A1"))
    with Session(engine) as session:
        row = session.exec(select(Ticket).where(Ticket.ticket_no == "A1")).scalar_one()
    assert row.created_at == created
    assert row.created_at.tzinfo is not None and row.created_at.utcoffset() == timedelta(0)


def test_naive_datetime_is_refused(engine):
    add_all(engine, station())
    with pytest.raises(Exception, match="naive"):
        add_all(engine, ticket(datetime(2026, 1, 1, 8, 0)))


def test_version_guards_concurrent_updates(engine):
    add_all(engine, station(), ticket(NOW, ticket_no="V1"))
    with Session(engine) as first, Session(engine) as second:
        a = first.exec(select(Ticket).where(Ticket.ticket_no == "V1")).scalar_one()
        b = second.exec(select(Ticket).where(Ticket.ticket_no == "V1")).scalar_one()
        a.status = "accepted"
        first.commit()
        assert a.version == 2
        b.status = "in_progress"
        with pytest.raises(StaleDataError):
            second.commit()


def test_vanished_sqlite_file_is_not_recreated_empty(sqlite_url, tmp_path):
    from sqlalchemy import text
    from sqlalchemy.exc import OperationalError

    from woq_tui.store.db import make_engine

    engine = make_engine(sqlite_url)
    with engine.connect() as connection:
        assert connection.execute(text("select count(*) from ticket")).scalar() == 0
    engine.dispose()
    (tmp_path / "tickets.db").rename(tmp_path / "elsewhere.db")
    with pytest.raises(OperationalError):
        engine.connect()
    assert not (tmp_path / "tickets.db").exists()


def test_station_initials_drop_the_suffix_and_keep_codes():
    from woq_tui.domain.stations import station_initials

    assert station_initials("东丽城东供电所") == "dlcd"
    assert station_initials("城关2所") == "cg2s"
