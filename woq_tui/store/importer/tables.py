"""The tables an import writes, as it writes them, and what both writers share: the
stations a batch introduces, the errors that end an import, the stations stored."""

from __future__ import annotations

from typing import Any

from sqlalchemy import BigInteger, Column, Engine, MetaData, Table, select
from sqlalchemy.exc import SQLAlchemyError

from woq_tui.domain.import_rows import ParsedRow
from woq_tui.domain.models import Station, Ticket, TicketEvent
from woq_tui.domain.stations import station_initials
from woq_tui.domain.timestamps import EpochSeconds
from woq_tui.store.db import DatabaseError, describe_url, first_line, has_tables


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


TICKET = plain_table(Ticket.__table__)
STATION = Station.__table__
EVENT = plain_table(TicketEvent.__table__)


class Conflict(Exception):
    """A ticket of the batch changed under us between the read and the write."""


def new_stations(batch: list[ParsedRow]) -> list[dict[str, Any]]:
    """The stations a batch introduces, as rows of the station table."""
    stations = []
    for parsed in batch:
        if parsed.new_station is not None:
            code, name, area = parsed.new_station
            stations.append({"code": code, "name": name, "area_type": area, "initials": station_initials(name)})
    return stations


def database_error(engine: Engine, problem: SQLAlchemyError | str) -> DatabaseError:
    detail = problem if isinstance(problem, str) else first_line(problem)
    return DatabaseError(f"{describe_url(str(engine.url))}: {detail}")


def has_schema(engine: Engine) -> bool:
    try:
        return has_tables(engine)
    except SQLAlchemyError as exc:
        raise database_error(engine, exc) from None


def known_stations(engine: Engine | None) -> dict[str, str]:
    """Station code -> area of the stations stored (a few hundred)."""
    if engine is None:
        return {}
    try:
        with engine.connect() as connection:
            rows = connection.execute(select(STATION.c.code, STATION.c.area_type))
            return {code: area for code, area in rows}
    except SQLAlchemyError as exc:
        raise database_error(engine, exc) from None
