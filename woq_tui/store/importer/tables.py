"""The tables an import writes, as it writes them, and what both writers share: the
stations a batch introduces, the errors that end an import, the stations stored."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import BigInteger, Column, Connection, Engine, MetaData, Table, bindparam, select, update
from sqlalchemy.exc import SQLAlchemyError

from woq_tui.domain.import_rows import ParsedRow
from woq_tui.domain.models import Station, Ticket, TicketEvent
from woq_tui.domain.stations import station_initials
from woq_tui.domain.tables import table_of
from woq_tui.domain.timestamps import EpochSeconds
from woq_tui.errors import DatabaseError, first_line
from woq_tui.store.db import describe_url, has_tables


def plain_table(table: Table) -> Table:
    """The same table with instants as plain integers: the importer has epoch seconds
    already, so no value needs converting on the way in or out."""
    return Table(
        table.name,
        MetaData(),
        *[
            Column(c.name, BigInteger() if isinstance(c.type, EpochSeconds) else c.type, primary_key=c.primary_key)
            for c in table.columns
        ],
    )


TICKET = plain_table(table_of(Ticket))
STATION = table_of(Station)
EVENT = plain_table(table_of(TicketEvent))


class Conflict(Exception):
    """A ticket of the batch changed under us between the read and the write."""


def _station_rows(stations: Iterable[tuple[str, str, str] | None], keys: tuple[str, ...]) -> list[dict[str, Any]]:
    return [
        dict(zip(keys, (code, name, area, station_initials(name))))
        for code, name, area in (station for station in stations if station is not None)
    ]


def new_stations(batch: list[ParsedRow]) -> list[dict[str, Any]]:
    """The stations a batch introduces, as rows of the station table."""
    return _station_rows((p.new_station for p in batch), ("code", "name", "area_type", "initials"))


def changed_stations(batch: list[ParsedRow]) -> list[dict[str, Any]]:
    """The stored stations whose name or area a batch changes, as update parameters."""
    return _station_rows((p.station_update for p in batch), ("b_code", "b_name", "b_area", "b_initials"))


_STATION_UPDATE = (
    update(STATION)
    .where(STATION.c.code == bindparam("b_code"))
    .values(name=bindparam("b_name"), area_type=bindparam("b_area"), initials=bindparam("b_initials"))
)


def write_stations(connection: Connection, changes: list[dict[str, Any]]) -> None:
    if changes:
        connection.execute(_STATION_UPDATE, changes)


def database_error(engine: Engine, problem: SQLAlchemyError | str) -> DatabaseError:
    detail = problem if isinstance(problem, str) else first_line(problem)
    return DatabaseError(f"{describe_url(str(engine.url))}: {detail}")


def has_schema(engine: Engine) -> bool:
    try:
        return has_tables(engine)
    except SQLAlchemyError as exc:
        raise database_error(engine, exc) from None


def known_stations(engine: Engine | None) -> tuple[dict[str, str], dict[str, str]]:
    """Station code -> area, and code -> name, of the stations stored (a few thousand
    at most)."""
    if engine is None:
        return {}, {}
    try:
        with engine.connect() as connection:
            rows = list(connection.execute(select(STATION.c.code, STATION.c.area_type, STATION.c.name)))
    except SQLAlchemyError as exc:
        raise database_error(engine, exc) from None
    return {code: area for code, area, _ in rows}, {code: name for code, _, name in rows}
