"""Target stations for the reassign dialog: each with its open load and overdue count
(one GROUP BY query), matched by code, name or pinyin initials as the dispatcher types."""

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


def match(candidates: list[StationCandidate], text: str) -> list[StationCandidate]:
    """Candidates for what was typed: code prefix first, then pinyin initials prefix,
    then name, then anywhere in code or initials; in code order within each rank."""
    query = text.strip().lower()
    if not query:
        return list(candidates)
    ranked: list[tuple[int, str, StationCandidate]] = []
    for candidate in candidates:
        code, initials = candidate.code.lower(), candidate.initials.lower()
        if code.startswith(query):
            rank = 0
        elif initials.startswith(query):
            rank = 1
        elif query in candidate.name.lower():
            rank = 2
        elif query in code or query in initials:
            rank = 3
        else:
            continue
        ranked.append((rank, candidate.code, candidate))
    ranked.sort(key=lambda item: item[:2])
    return [candidate for _rank, _code, candidate in ranked]
