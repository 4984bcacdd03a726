"""db.shared_snapshot and side_by_side (docs/speed.md, "Reading side by side"): one
read's statements on two PostgreSQL connections see the same committed data, a commit
made meanwhile by neither; SQLite reads in turn on its one connection."""

from __future__ import annotations

import threading
from datetime import datetime, timezone

from sqlalchemy import func, select

from tests.factories import add_all, station, ticket
from woq_tui.domain.models import Ticket
from woq_tui.domain.tables import table_of
from woq_tui.store.db import shared_snapshot, side_by_side

TICKET = table_of(Ticket)
AT = datetime(2026, 11, 2, 3, 0, tzinfo=timezone.utc)


def count(connection) -> int:
    return connection.execute(select(func.count()).select_from(TICKET)).scalar_one()


def test_two_connections_see_one_snapshot_and_not_a_later_commit(engine):
    add_all(engine, station("S001"), ticket(AT, ticket_no="T1"))
    with shared_snapshot(engine) as connections:
        before = count(connections[0])
        add_all(engine, ticket(AT, ticket_no="T2"))  # committed by another connection meanwhile
        seen = side_by_side(connections, count, count)
        if engine.dialect.name == "postgresql":
            assert len(connections) == 2
            pids = side_by_side(connections, *(lambda c: c.exec_driver_sql("SELECT pg_backend_pid()").scalar_one(),) * 2)
            assert pids[0] != pids[1], "two server sessions"
        else:
            assert len(connections) == 1
    assert before == 1 and seen == [1, 1]
    with engine.connect() as connection:
        assert count(connection) == 2


def test_the_reads_run_at_once_on_postgresql_and_in_turn_on_sqlite(engine):
    """Each read waits at a barrier for the other: only reads that run at once pass it."""
    barrier = threading.Barrier(2, timeout=10)
    threads: list[str] = []

    def read(connection) -> int:
        threads.append(threading.current_thread().name)
        if engine.dialect.name == "postgresql":
            barrier.wait()
        return count(connection)

    with shared_snapshot(engine) as connections:
        assert side_by_side(connections, read, read) == [0, 0]
    if engine.dialect.name == "postgresql":
        assert len(set(threads)) == 2
    else:
        assert set(threads) == {threading.current_thread().name}
