"""Read models of the overdue screen, the ticket detail and the filter dialog: plain
frozen values (woq_tui/values) built by Core queries over the queue's row select
(store/queries.py), in worker threads."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Iterable

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from woq_tui.domain.models import Station, Ticket, TicketEvent
from woq_tui.domain.sla import SlaPolicy
from woq_tui.store.queries import ROW_COLUMNS, due_sql, is_open, rows_select
from woq_tui.store.rows import row_from
from woq_tui.values.queue import PAGE_SIZE
from woq_tui.values.stations import StationChoice
from woq_tui.values.tickets import SECTIONS, EventRow, Section, SectionData, StationCount, TicketDetail


# --- overdue & escalation ----------------------------------------------------------


def _section_condition(section: Section, now: datetime, policy: SlaPolicy) -> ColumnElement[bool]:
    if section is Section.overdue:
        return and_(is_open(), Ticket.due_at < now)
    if section is Section.due_soon:
        return and_(is_open(), Ticket.due_at >= now, Ticket.due_at < now + timedelta(minutes=policy.warn_minutes))
    if section is Section.escalated:
        return and_(is_open(), Ticket.escalated.is_(True))
    return and_(is_open(), or_(Ticket.dispatch_count >= 2, Ticket.reopen_count > 0))


def section(
    session: Session, which: Section, now: datetime, policy: SlaPolicy, limit: int = PAGE_SIZE
) -> SectionData:
    """One list of the overdue screen (most urgent first) with its count per station."""
    condition = _section_condition(which, now, policy)
    rows = [
        row_from(values)
        for values in session.execute(
            rows_select().where(condition).order_by(due_sql(), Ticket.id).limit(limit)
        )
    ]
    counted = func.count().label("n")
    by_station = [
        StationCount(code, name, int(count))
        for code, name, count in session.execute(
            select(Ticket.station_code, Station.name, counted)
            .select_from(Ticket)
            .join(Station, Station.code == Ticket.station_code)
            .where(condition)
            .group_by(Ticket.station_code, Station.name)
            .order_by(counted.desc(), Ticket.station_code)
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
            Ticket.channel,
            Ticket.first_response_at,
            Ticket.dispatched_at,
            Ticket.arrived_at,
            Ticket.resolved_at,
            Ticket.closed_at,
            Ticket.satisfaction,
            Ticket.customer_phone,
            Ticket.address,
        )
        .where(Ticket.ticket_no == ticket_no)
    ).one_or_none()
    if found is None:
        return None
    width = len(ROW_COLUMNS)
    row = row_from(found[:width])
    (channel, first_response, dispatched, arrived, resolved, closed, satisfaction, phone, address) = found[width:]
    total_events = session.scalar(select(func.count()).where(TicketEvent.ticket_id == row.id)) or 0
    newest = (
        select(
            TicketEvent.at,
            TicketEvent.kind,
            TicketEvent.operator,
            TicketEvent.from_station,
            TicketEvent.to_station,
            TicketEvent.note,
            TicketEvent.from_type,
            TicketEvent.to_type,
            TicketEvent.id,
        )
        .where(TicketEvent.ticket_id == row.id)
        .order_by(TicketEvent.at.desc(), TicketEvent.id.desc())
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
            select(Station.code, Station.name, Station.area_type, Station.initials).order_by(Station.code)
        )
    ]


def station_names(session: Session, codes: Iterable[str]) -> dict[str, str]:
    codes = sorted(set(codes))
    if not codes:
        return {}
    return dict(session.execute(select(Station.code, Station.name).where(Station.code.in_(codes))).all())
