"""Target stations for the reassign dialog: each with its open load and overdue count
(one GROUP BY query); values/stations.py matches them as the dispatcher types."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine, Integer, and_, case, func, select

from woq_tui.domain.models import Station, Ticket
from woq_tui.domain.tables import table_of
from woq_tui.values.stations import StationCandidate


def station_candidates(engine: Engine, now: datetime) -> list[StationCandidate]:
    """Every station with its open tickets and how many of them are overdue at `now`."""
    station, ticket = table_of(Station), table_of(Ticket)
    overdue = func.coalesce(func.sum(case((ticket.c.due_at < now, 1), else_=0)), 0)
    query = (
        select(
            station.c.code,
            station.c.name,
            station.c.initials,
            func.count(ticket.c.id).label("open"),
            func.cast(overdue, Integer).label("overdue"),
        )
        .select_from(station)
        .outerjoin(ticket, and_(ticket.c.station_code == station.c.code, ticket.c.resolved_at.is_(None)))
        .group_by(station.c.code, station.c.name, station.c.initials)
        .order_by(station.c.code)
    )
    with engine.connect() as connection:
        return [StationCandidate(r.code, r.name, r.initials or "", r.open, r.overdue) for r in connection.execute(query)]
