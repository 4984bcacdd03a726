"""PostgreSQL: the demo written by COPY, for a province (docs/demo.md, "A province").

Row inserts, even in batches of executemany, ran at about 10,000 tickets/s: a
province-year (10M tickets) would take most of an hour before its indexes. So on
PostgreSQL generate() streams the tickets through one COPY (store/copy_rows.py, as the
importer does), with explicit ids in creation order (1, 2, …: the ids the row inserts
gave an empty database), and their events through a second COPY after it. The events
are spooled to a temporary file meanwhile (a province-year has ~2.5M), so memory does
not grow with them. Every secondary index of the two tables is dropped before and built
after the COPYs, with `maintenance_work_mem` raised for this transaction only: a sorted
build of each index is many times faster than ten index insertions a row. All of it is
one transaction: an interrupted run leaves the database as it was (DROP INDEX is
transactional on PostgreSQL).
"""

from __future__ import annotations

import marshal
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from time import perf_counter

from sqlalchemy import Connection, text

from woq_tui.demo.writer import BATCH, EVENT_COLUMNS, TICKET_COLUMNS
from woq_tui.store.copy_rows import copy_rows

TICKET_COPY = f"COPY ticket (id, {', '.join(TICKET_COLUMNS)}) FROM STDIN"
EVENT_COPY = f"COPY ticket_event ({', '.join(EVENT_COLUMNS)}) FROM STDIN"
# The index builds sort in memory up to this, per index (docs/demo.md, "A province"); set
# for this transaction only (SET LOCAL), as the product may for its own session.
INDEX_BUILD_MEMORY = "512MB"
# The indexes a bulk write can do without: all but those behind a constraint (the
# primary keys). Read from the catalogue, so the rebuild is exactly what the migrations
# made, whatever they made.
_SECONDARY_INDEXES = text(
    """
    SELECT i.indexname, i.indexdef FROM pg_indexes i
    WHERE i.schemaname = current_schema() AND i.tablename IN ('ticket', 'ticket_event')
      AND NOT EXISTS (SELECT 1 FROM pg_constraint c
                      WHERE c.conindid = format('%I.%I', i.schemaname, i.indexname)::regclass)
    ORDER BY i.tablename, i.indexname
    """
)


class EventSpool:
    """The generator's events (Generator.events), kept in a temporary file with their
    ticket's id instead of in memory. `append` is what the generator calls while it makes
    a ticket; `settle` gives the pending ones the id of that ticket once it is yielded."""

    def __init__(self) -> None:
        self._file = tempfile.TemporaryFile()
        self._pending: list[tuple] = []
        self.count = 0

    def append(self, event: tuple) -> None:
        self._pending.append(event)

    def settle(self, ticket_id: int, ticket_no: str) -> None:
        for event in self._pending:
            if event[0] != ticket_no:  # events are made with their own ticket, never later
                raise ValueError(f"event of {event[0]} pending at {ticket_no}")
            marshal.dump((ticket_id, *event[1:]), self._file)
        self.count += len(self._pending)
        self._pending.clear()

    def rows(self) -> Iterator[tuple]:
        """The events in the order they were made, each as (ticket id, *EVENT_COLUMNS[1:])."""
        self._file.seek(0)
        for _ in range(self.count):
            yield marshal.load(self._file)

    def close(self) -> None:
        self._file.close()


def numbered(
    rows: Iterable[tuple], spool: EventSpool, progress: Callable[[int], None] | None = None
) -> Iterator[tuple]:
    """(id, *row) in creation order, settling each ticket's events on the way."""
    for ticket_id, row in enumerate(rows, start=1):
        spool.settle(ticket_id, row[0])
        yield (ticket_id, *row)
        if progress is not None and ticket_id % BATCH == 0:
            progress(ticket_id)


@dataclass
class CopyResult:
    tickets: int = 0
    events: int = 0
    copy_seconds: float = 0.0  # making the tickets and COPYing them and their events
    index_seconds: float = 0.0  # building the secondary indexes after


@contextmanager
def secondary_indexes_built_after(connection: Connection, result: CopyResult) -> Iterator[list[str]]:
    """Drop the secondary indexes of ticket and ticket_event, and build them again, as
    they were defined, when the block ends without an exception. Yields their names."""
    indexes = [tuple(row) for row in connection.execute(_SECONDARY_INDEXES)]
    for name, _definition in indexes:
        connection.exec_driver_sql(f'DROP INDEX "{name}"')
    yield [name for name, _definition in indexes]
    began = perf_counter()
    connection.exec_driver_sql(f"SET LOCAL maintenance_work_mem = '{INDEX_BUILD_MEMORY}'")
    for _name, definition in indexes:
        connection.exec_driver_sql(definition)
    result.index_seconds = perf_counter() - began


def copy_demo(
    connection: Connection, tickets: Iterable[tuple], spool: EventSpool, progress: Callable[[int], None] | None = None
) -> CopyResult:
    """COPY the ticket rows (TICKET_COLUMNS order) and then the events spooled while they
    were made, in the caller's transaction."""
    result = CopyResult()
    try:
        with secondary_indexes_built_after(connection, result):
            began = perf_counter()
            result.tickets = copy_rows(connection, TICKET_COPY, numbered(tickets, spool, progress))
            result.events = copy_rows(connection, EVENT_COPY, spool.rows())
            result.copy_seconds = perf_counter() - began
        if result.tickets:  # the next ticket a console or an import adds gets the next id
            connection.execute(
                text("SELECT setval(pg_get_serial_sequence('ticket', 'id'), :last)"), {"last": result.tickets}
            )
    finally:
        spool.close()
    return result
