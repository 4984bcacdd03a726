"""The database side of the reference dispatch server (docs/dispatch-api.md): blocking,
run in a worker thread; both commands, reassign and reclassify, under one discipline.

How "applied exactly once" holds under concurrency, on SQLite and PostgreSQL alike: the
first statement of the request's transaction claims the Idempotency-Key by inserting its
row. A concurrent request with the same key blocks on that row (PostgreSQL) or on the
write lock (SQLite) and then fails the primary key, so it rolls back and answers what
the first one stored. Requests with different keys race on the ticket through
`UPDATE ... WHERE version = expected`, whose row count says who won. The ticket change,
its event and the stored answer commit together or not at all.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, Engine, insert, select, update
from sqlalchemy.exc import IntegrityError

from woq_tui.dispatch.server_requests import (
    KEY_REUSED,
    Answer,
    Command,
    invalid,
    parse_request,
    possible_ticket_no,
    request_hash,
)
from woq_tui.domain.clock import Clock, SystemClock
from woq_tui.domain.enums import EventKind
from woq_tui.domain.models import DispatchIdempotency, Station, Ticket, TicketEvent
from woq_tui.domain.sla import SlaPolicy
from woq_tui.domain.tables import table_of

TICKETS = table_of(Ticket)
STATIONS = table_of(Station)
EVENTS = table_of(TicketEvent)
ANSWERS = table_of(DispatchIdempotency)


class DispatchService:
    """Answers one command at a time; `policy` gives a reclassified ticket its due_at
    (the configured `[sla]` limits, domain/sla.py)."""

    def __init__(self, engine: Engine, clock: Clock | None = None, policy: SlaPolicy | None = None) -> None:
        self.engine = engine
        self.clock = clock or SystemClock()
        self.policy = policy or SlaPolicy()

    def reassign(self, key: str, ticket_no: str, raw: bytes) -> Answer:
        return self.handle("reassign", key, ticket_no, raw)

    def reclassify(self, key: str, ticket_no: str, raw: bytes) -> Answer:
        return self.handle("reclassify", key, ticket_no, raw)

    def handle(self, action: str, key: str, ticket_no: str, raw: bytes) -> Answer:
        if not possible_ticket_no(ticket_no):
            return Answer.of(404, error="unknown_ticket")  # nothing stored: no database could hold it
        parsed = parse_request(raw, action)
        digest = request_hash(ticket_no, parsed, raw, action)
        previous = self._replay(key, ticket_no, digest)
        if previous is not None:
            return previous
        now = self.clock.now()
        apply = self._reassign if action == "reassign" else self._reclassify
        try:
            with self.engine.begin() as connection:
                # Claim the key first: a concurrent duplicate waits here, then fails.
                connection.execute(
                    insert(ANSWERS).values(
                        key=key, ticket_no=ticket_no, request_hash=digest, status_code=0, body="", created_at=now
                    )
                )
                answer = parsed if isinstance(parsed, Answer) else apply(connection, ticket_no, parsed, now)
                connection.execute(
                    update(ANSWERS).where(ANSWERS.c.key == key).values(status_code=answer.status, body=answer.body)
                )
        except IntegrityError:
            previous = self._replay(key, ticket_no, digest)
            if previous is None:
                raise
            return previous
        return answer

    def _replay(self, key: str, ticket_no: str, digest: str) -> Answer | None:
        """The stored answer for the key; 422 idempotency_key_reused when the key came
        with another request (another ticket, another body, another command); None for
        a new key."""
        with self.engine.connect() as connection:
            row = connection.execute(
                select(ANSWERS.c.status_code, ANSWERS.c.body, ANSWERS.c.ticket_no, ANSWERS.c.request_hash).where(
                    ANSWERS.c.key == key
                )
            ).first()
        if row is None:
            return None
        if row.ticket_no != ticket_no or (row.request_hash is not None and row.request_hash != digest):
            return KEY_REUSED
        return Answer(row.status_code, row.body, replayed=True)

    # -- the commands -------------------------------------------------------------------

    def _reassign(self, connection: Connection, ticket_no: str, request: Command, now: datetime) -> Answer:
        ticket = connection.execute(
            select(TICKETS.c.id, TICKETS.c.station_code, TICKETS.c.version).where(TICKETS.c.ticket_no == ticket_no)
        ).first()
        if ticket is None:
            return Answer.of(404, error="unknown_ticket")
        if connection.scalar(select(STATIONS.c.code).where(STATIONS.c.code == request.target)) is None:
            return Answer.of(404, error="unknown_station")
        if ticket.version != request.expected_version:
            return self._conflict(connection, ticket.id)
        if ticket.station_code == request.target:
            return invalid(f"the ticket is already at station {request.target}")
        changed = connection.execute(
            update(TICKETS)
            .where(TICKETS.c.id == ticket.id, TICKETS.c.version == request.expected_version)
            .values(
                station_code=request.target,
                version=TICKETS.c.version + 1,
                dispatch_count=TICKETS.c.dispatch_count + 1,
                updated_at=now,
            )
        )
        if changed.rowcount != 1:  # another request changed it since we read it
            return self._conflict(connection, ticket.id)
        connection.execute(
            insert(EVENTS).values(
                ticket_id=ticket.id,
                kind=EventKind.reassigned.value,
                at=now,
                operator=request.operator,
                from_station=ticket.station_code,
                to_station=request.target,
                note=request.reason,
            )
        )
        return Answer.of(200, ticket_no=ticket_no, station_code=request.target, version=request.expected_version + 1)

    def _reclassify(self, connection: Connection, ticket_no: str, request: Command, now: datetime) -> Answer:
        """A new type: due_at again from created_at and the new type's resolve limit for
        the area of the ticket's station, version + 1, a `reclassified` event."""
        ticket = connection.execute(
            select(TICKETS.c.id, TICKETS.c.type, TICKETS.c.created_at, TICKETS.c.version, STATIONS.c.area_type)
            .select_from(TICKETS.outerjoin(STATIONS, STATIONS.c.code == TICKETS.c.station_code))
            .where(TICKETS.c.ticket_no == ticket_no)
        ).first()
        if ticket is None:
            return Answer.of(404, error="unknown_ticket")
        if ticket.version != request.expected_version:
            return self._conflict(connection, ticket.id, with_type=True)
        if ticket.type == request.target:
            return invalid(f"the ticket is already of type {request.target}")
        due_at = self.policy.due_at(request.target, _area(ticket.area_type), ticket.created_at)
        changed = connection.execute(
            update(TICKETS)
            .where(TICKETS.c.id == ticket.id, TICKETS.c.version == request.expected_version)
            .values(type=request.target, due_at=due_at, version=TICKETS.c.version + 1, updated_at=now)
        )
        if changed.rowcount != 1:
            return self._conflict(connection, ticket.id, with_type=True)
        connection.execute(
            insert(EVENTS).values(
                ticket_id=ticket.id,
                kind=EventKind.reclassified.value,
                at=now,
                operator=request.operator,
                from_type=ticket.type,
                to_type=request.target,
                note=request.reason,
            )
        )
        return Answer.of(
            200,
            ticket_no=ticket_no,
            type=request.target,
            due_at=due_at.astimezone(self.policy.timezone).isoformat(timespec="seconds"),
            version=request.expected_version + 1,
        )

    @staticmethod
    def _conflict(connection: Connection, ticket_id: int, with_type: bool = False) -> Answer:
        """409 with what the ticket is now; a reclassification's also names its type."""
        current = connection.execute(
            select(TICKETS.c.version, TICKETS.c.station_code, TICKETS.c.type).where(TICKETS.c.id == ticket_id)
        ).one()
        extra = {"current_type": current.type} if with_type else {}
        return Answer.of(
            409, error="version_conflict", current_version=current.version, current_station=current.station_code, **extra
        )


def _area(area_type: str | None) -> str | None:
    """The station's area as docs/sla.md names it; anything else counts as urban (the
    policy's default), so that odd data never turns into a 500."""
    return area_type if area_type in ("urban", "rural", "remote") else None
