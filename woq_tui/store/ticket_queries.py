"""Read models of the overdue screen, the ticket detail and the filter dialog: plain
frozen values (woq_tui/values) built by Core queries over the queue's row select
(store/queries.py), in worker threads."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from woq_tui.domain.models import Station, Ticket, TicketEvent
from woq_tui.domain.sla import SlaPolicy
from woq_tui.domain.tables import table_of
from woq_tui.store.queries import ROW_COLUMNS, due_sql, is_open, rows_select
from woq_tui.store.rows import row_from
from woq_tui.values.queue import PAGE_SIZE
from woq_tui.values.stations import StationChoice
from woq_tui.values.tickets import SECTIONS, EventRow, Section, SectionData, StationCount, TicketDetail

# The tables as Core (typed) columns: SQLModel types a model's attributes as their values.
TICKET, STATION, EVENT = table_of(Ticket), table_of(Station), table_of(TicketEvent)

# --- overdue & escalation ----------------------------------------------------------


def _section_condition(section: Section, now: datetime, policy: SlaPolicy) -> ColumnElement[bool]:
    if section is Section.overdue:
        return and_(is_open(), TICKET.c.due_at < now)
    if section is Section.due_soon:
        return and_(is_open(), TICKET.c.due_at >= now, TICKET.c.due_at < now + timedelta(minutes=policy.warn_minutes))
    if section is Section.escalated:
        return and_(is_open(), TICKET.c.escalated.is_(True))
    return and_(is_open(), or_(TICKET.c.dispatch_count >= 2, TICKET.c.reopen_count > 0))


def section(
    session: Session, which: Section, now: datetime, policy: SlaPolicy, limit: int = PAGE_SIZE
) -> SectionData:
    """One list of the overdue screen (most urgent first) with its count per station."""
    condition = _section_condition(which, now, policy)
    rows = [
        row_from(values)
        for values in session.execute(
            rows_select().where(condition).order_by(due_sql(), TICKET.c.id).limit(limit)
        )
    ]
    counted = func.count().label("n")
    by_station = [
        StationCount(code, name, int(count))
        for code, name, count in session.execute(
            select(TICKET.c.station_code, STATION.c.name, counted)
            .select_from(TICKET)
            .join(STATION, STATION.c.code == TICKET.c.station_code)
            .where(condition)
            .group_by(TICKET.c.station_code, STATION.c.name)
            .order_by(counted.desc(), TICKET.c.station_code)
        )
    ]
    return SectionData(which, rows, sum(item.count for item in by_station), by_station)


def sections(session: Session, now: datetime, policy: SlaPolicy, limit: int = PAGE_SIZE) -> dict[Section, SectionData]:
    return {which: section(session, which, now, policy, limit) for which in SECTIONS}


# --- ticket detail -----------------------------------------------------------------


# The newest events a detail lists (and how many more there are).
MAX_EVENTS = 500


def ticket_detail(session: Session, ticket_no: str) -> TicketDetail | None:
    found = session.execute(
        rows_select()
        .add_columns(
            TICKET.c.channel,
            TICKET.c.first_response_at,
            TICKET.c.dispatched_at,
            TICKET.c.arrived_at,
            TICKET.c.resolved_at,
            TICKET.c.closed_at,
            TICKET.c.satisfaction,
            TICKET.c.customer_phone,
            TICKET.c.address,
        )
        .where(TICKET.c.ticket_no == ticket_no)
    ).one_or_none()
    if found is None:
        return None
    width = len(ROW_COLUMNS)
    row = row_from(found[:width])
    (channel, first_response, dispatched, arrived, resolved, closed, satisfaction, phone, address) = found[width:]
    total_events = session.scalar(select(func.count()).where(EVENT.c.ticket_id == row.id)) or 0
    newest = (
        select(
            EVENT.c.at,
            EVENT.c.kind,
            EVENT.c.operator,
            EVENT.c.from_station,
            EVENT.c.to_station,
            EVENT.c.note,
            EVENT.c.from_type,
            EVENT.c.to_type,
            EVENT.c.id,
        )
        .where(EVENT.c.ticket_id == row.id)
        .order_by(EVENT.c.at.desc(), EVENT.c.id.desc())
        .limit(MAX_EVENTS)
    )
    events = [EventRow(*values[:8]) for values in reversed(session.execute(newest).all())]
    return TicketDetail(
        row=row,
        channel=channel,
        area_type=row.area_type,
        first_response_at=first_response,
        dispatched_at=dispatched,
        arrived_at=arrived,
        resolved_at=resolved,
        closed_at=closed,
        satisfaction=satisfaction,
        customer_phone=phone,
        address=address,
        events=events,
        more_events=max(total_events - len(events), 0),
    )


# --- choices for the filter dialog --------------------------------------------------


def stations(session: Session) -> list[StationChoice]:
    return [
        StationChoice(*values)
        for values in session.execute(
            select(STATION.c.code, STATION.c.name, STATION.c.area_type, STATION.c.initials).order_by(STATION.c.code)
        )
    ]


def station_names(session: Session, codes: Iterable[str]) -> dict[str, str]:
    codes = sorted(set(codes))
    if not codes:
        return {}
    return dict(session.execute(select(STATION.c.code, STATION.c.name).where(STATION.c.code.in_(codes))).all())
