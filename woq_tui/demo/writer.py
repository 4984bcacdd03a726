"""Writing the demo into a database: Core executemany in batches, one transaction
(docs/demo.md; PostgreSQL uses COPY instead, copy_writer.py), and the check that the
target is empty."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Protocol

from sqlalchemy import Engine, column, func, select, table

from woq_tui.demo.shape import StationSpec
from woq_tui.domain.models import Station, Ticket, TicketEvent
from woq_tui.domain.tables import AnySelect, table_of

BATCH = 5_000

TICKET_COLUMNS = (
    "ticket_no", "type", "station_code", "channel", "status", "created_at", "first_response_at",
    "dispatched_at", "arrived_at", "resolved_at", "closed_at", "due_at", "escalated",
    "dispatch_count", "reopen_count", "satisfaction", "summary", "customer_phone", "address",
    "version", "updated_at", "phone_key", "address_key",
)  # fmt: skip
EVENT_COLUMNS = ("ticket_id", "kind", "at", "operator", "from_station", "to_station", "note")
# Untyped Core tables: epoch seconds go in as the integers they already are.
_tickets = table(table_of(Ticket).name, *(column(name) for name in TICKET_COLUMNS), column("area_type"))
_STATION = TICKET_COLUMNS.index("station_code")
_events = table(table_of(TicketEvent).name, *(column(name) for name in EVENT_COLUMNS))
_stations = table(table_of(Station).name, *(column(name) for name in ("code", "name", "area_type", "initials")))


class EventSink(Protocol):
    """Where the generator puts each event as it makes a ticket (a list, or a spool)."""

    def append(self, event: tuple, /) -> None: ...


class NotEmptyError(Exception):
    """The target database already holds stations or tickets."""


def batched(rows: Iterable[tuple], size: int) -> Iterator[list[tuple]]:
    batch: list[tuple] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def holds_data(connection) -> bool:
    for name in (_tickets, _stations):
        if connection.execute(select(func.count()).select_from(name)).scalar_one():
            return True
    return False


def is_empty(engine: Engine) -> bool:
    with engine.connect() as connection:
        return not holds_data(connection)


def insert_stations(connection, specs: list[StationSpec]) -> None:
    rows = [{"code": s.code, "name": s.name, "area_type": s.area, "initials": s.initials} for s in specs]
    connection.execute(_stations.insert(), rows)


def insert_tickets(
    connection,
    rows: Iterable[tuple],
    areas: Mapping[str, str],
    batch_size: int = BATCH,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Ticket rows (TICKET_COLUMNS order) by Core executemany, batch by batch, each with
    its station's area type (`areas`: code -> area type). Given, the copy is already
    right, and migration 0009's SQLite trigger skips its UPDATE of every new row."""
    insert = _tickets.insert()
    count = 0
    for batch in batched(rows, batch_size):
        connection.execute(insert, [dict(zip(TICKET_COLUMNS, row), area_type=areas[row[_STATION]]) for row in batch])
        count += len(batch)
        if progress:
            progress(count)
    return count


def write_events(connection, events: list[tuple], batch_size: int) -> int:
    numbers = sorted({event[0] for event in events})
    ids: dict[str, int] = {}
    for start in range(0, len(numbers), 1000):
        chunk = numbers[start : start + 1000]
        query: AnySelect = select(column("id"), column("ticket_no")).select_from(_tickets).where(column("ticket_no").in_(chunk))
        ids.update({number: ident for ident, number in connection.execute(query)})
    insert = _events.insert()
    rows = [dict(zip(EVENT_COLUMNS, (ids[event[0]], *event[1:]))) for event in events]
    for start in range(0, len(rows), batch_size):
        connection.execute(insert, rows[start : start + batch_size])
    return len(rows)


@contextmanager
def figure_indexes_built_after(connection) -> Iterator[None]:
    """The ticket table's figure indexes (store/figure_indexes.py) dropped for the bulk
    insert and built once after it, inside the same transaction, so a failed run still
    leaves the schema as it was. Maintaining them row by row, scattered as most of them
    are, costs more than building them: with the contact-key indexes of migration 0006 a
    year's insert took ~1.6× as long (docs/demo.md, "Speed"). Call it after the first
    write of the transaction: pysqlite opens the transaction at the first DML, and DDL
    before it would not be rolled back."""
    from woq_tui.store.figure_indexes import definitions

    indexes = definitions()
    for index in indexes:
        index.drop(connection)
    yield
    for index in indexes:
        index.create(connection)
