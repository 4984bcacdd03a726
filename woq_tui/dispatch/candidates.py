"""Target stations for the reassign dialog: each with its open load and overdue count
(one GROUP BY query); values/stations.py matches them as the dispatcher types."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine, Integer, and_, case, func, select

from woq_tui.domain.models import Station, Ticket
from woq_tui.values.stations import StationCandidate


def station_candidates(engine: Engine, now: datetime) -> list[StationCandidate]:
    """Every station with its open tickets and how many of them are overdue at `now`."""
    overdue = func.coalesce(func.sum(case((Ticket.due_at < now, 1), else_=0)), 0)
    query = (
        select(
            Station.code,
            Station.name,
            Station.initials,
            func.count(Ticket.id).label("open"),
            func.cast(overdue, Integer).label("overdue"),
        )
        .select_from(Station)
        .outerjoin(Ticket, and_(Ticket.station_code == Station.code, Ticket.resolved_at.is_(None)))
        .group_by(Station.code, Station.name, Station.initials)
        .order_by(Station.code)
    )
    with engine.connect() as connection:
        return [StationCandidate(r.code, r.name, r.initials or "", r.open, r.overdue) for r in connection.execute(query)]
