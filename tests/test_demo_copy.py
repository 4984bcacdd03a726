"""generate() on PostgreSQL writes by COPY (docs/demo.md, "A province"): the same rows as
the row inserts on SQLite, the indexes as the migrations made them, nothing half-written."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import text

from tests.conftest import NOW
from woq_tui.demo.generator import generate
from woq_tui.domain.sla import SlaPolicy
from woq_tui.store.db import make_engine

pytestmark = pytest.mark.postgres

SIZE = {"seed": 95598, "stations": 16, "days": 40, "end": NOW}
TABLES = {
    "station": "SELECT * FROM station ORDER BY code",
    "ticket": "SELECT * FROM ticket ORDER BY id",
    "ticket_event": "SELECT * FROM ticket_event ORDER BY id",
}
INDEXES = "SELECT indexname, indexdef FROM pg_indexes WHERE tablename IN ('ticket', 'ticket_event') ORDER BY 1"


def _digest(engine, query: str) -> tuple[int, str]:
    """(rows, sha256 of the rows in order), booleans as 0/1 as SQLite stores them."""
    digest, count = hashlib.sha256(), 0
    with engine.connect() as connection:
        for row in connection.exec_driver_sql(query):
            values = tuple(int(value) if isinstance(value, bool) else value for value in row)
            digest.update(repr(values).encode())
            count += 1
    return count, digest.hexdigest()


def _indexes(engine) -> list[tuple[str, str]]:
    with engine.connect() as connection:
        return [tuple(row) for row in connection.execute(text(INDEXES))]


def test_copy_writes_the_rows_the_row_inserts_write(pg_url, sqlite_url):
    sqlite, postgres = make_engine(sqlite_url), make_engine(pg_url)
    try:
        indexes_before = _indexes(postgres)
        by_rows = generate(sqlite, SlaPolicy(), **SIZE)
        by_copy = generate(postgres, SlaPolicy(), **SIZE)
        assert (by_copy.tickets, by_copy.events) == (by_rows.tickets, by_rows.events)
        assert by_copy.tickets > 5_000 and by_copy.events > 1_000
        for table, query in TABLES.items():
            assert _digest(postgres, query) == _digest(sqlite, query), table
        # every index is back, as the migrations defined it, and the ids go on from the last
        assert _indexes(postgres) == indexes_before
        assert any(name == "ix_ticket_address_key" for name, _ in indexes_before)
        with postgres.begin() as connection:
            next_id = connection.execute(text("SELECT nextval(pg_get_serial_sequence('ticket', 'id'))")).scalar_one()
        assert next_id == by_copy.tickets + 1
        # vacuumed, not only analysed: every page all-visible, so the figures' index-only
        # scans do not read the table until autovacuum comes (docs/demo.md, "A province")
        with postgres.connect() as connection:
            pages, visible = connection.execute(
                text("SELECT relpages, relallvisible FROM pg_class WHERE relname = 'ticket'")
            ).one()
        assert pages > 0 and visible == pages
    finally:
        sqlite.dispose()
        postgres.dispose()


def test_an_interrupted_generate_leaves_the_database_as_it_was(pg_url):
    engine = make_engine(pg_url)
    indexes_before = _indexes(engine)

    def interrupt(count: int) -> None:  # called after the first 5,000 tickets are COPYed
        raise KeyboardInterrupt

    try:
        with pytest.raises(KeyboardInterrupt):
            generate(engine, SlaPolicy(), progress=interrupt, **SIZE)
        with engine.connect() as connection:
            for table in TABLES:
                assert connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one() == 0, table
        assert _indexes(engine) == indexes_before
        # and the next run starts from scratch, not refused as a database with data
        assert generate(engine, SlaPolicy(), **SIZE).tickets > 5_000
    finally:
        engine.dispose()
