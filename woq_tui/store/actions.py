"""The queue's own writes: urging tickets and revealing a customer's phone number.

Both only add to the ticket's history (ticket_event); neither changes the ticket row,
so they never bump its version and never collide with a reassignment in flight. Run
them in worker threads.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from woq_tui.domain.clock import Clock
from woq_tui.domain.enums import EventKind
from woq_tui.domain.models import Ticket, TicketEvent
from woq_tui.domain.tables import table_of
from woq_tui.values.tickets import UrgeResult


def urge(
    sessions: sessionmaker[Session],
    clock: Clock,
    operator: str,
    ticket_nos: Iterable[str],
    note: str | None = None,
    cooldown: timedelta = timedelta(0),
) -> UrgeResult:
    """Record an 'urged' (催办) event on each open ticket, in one transaction; a ticket
    urged by anyone within `cooldown` is not urged again ([console]
    urge_cooldown_minutes: a station is not chased twice for the same ticket in a
    few minutes)."""
    wanted = list(dict.fromkeys(ticket_nos))
    now = clock.now()
    tickets, events = table_of(Ticket).c, table_of(TicketEvent).c
    with sessions() as session, session.begin():
        found: dict[str, int] = dict(
            session.execute(
                select(tickets.ticket_no, tickets.id).where(tickets.ticket_no.in_(wanted), tickets.resolved_at.is_(None))
            ).all()
        )
        recent: set[str] = set()
        if cooldown and found:
            recent = set(
                session.scalars(
                    select(tickets.ticket_no)
                    .join(table_of(TicketEvent), events.ticket_id == tickets.id)
                    .where(
                        tickets.id.in_(list(found.values())),
                        events.kind == EventKind.urged.value,
                        events.at > now - cooldown,
                    )
                )
            )
        session.add_all(
            TicketEvent(ticket_id=found[number], kind=EventKind.urged.value, at=now, operator=operator, note=note)
            for number in wanted
            if number in found and number not in recent
        )
    return UrgeResult(
        [n for n in wanted if n in found and n not in recent],
        [n for n in wanted if n not in found],
        [n for n in wanted if n in recent],
    )


def reveal_phone(sessions: sessionmaker[Session], clock: Clock, operator: str, ticket_no: str) -> str | None:
    """The customer's phone number, after recording who saw it and when.

    The event is committed before the number is returned: no disclosure without its
    record. None: no such ticket or no number.
    """
    tickets = table_of(Ticket).c
    with sessions() as session, session.begin():
        found = session.execute(
            select(tickets.id, tickets.customer_phone).where(tickets.ticket_no == ticket_no)
        ).one_or_none()
        if found is None or not found.customer_phone:
            return None
        session.add(
            TicketEvent(ticket_id=found.id, kind=EventKind.phone_revealed.value, at=clock.now(), operator=operator)
        )
    phone: str = found.customer_phone
    return phone
