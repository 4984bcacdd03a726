"""The durable outbox: reassignments and reclassifications are written here first,
then pushed. One outbox for both commands (an entry's `kind`), so that both have the
same pusher, retries, idempotency and words for failure (docs/dispatch.md).

`record` writes the entries of one reassignment (one or many tickets), and
`record_reclassification` those of one reclassification, in one transaction, state `pending`, each with a new uuid that is its Idempotency-Key for
every attempt. Pushing is woq_tui/dispatch/pusher.py: a pending entry is always one a
pusher will send again by itself (the console's, or `outbox push --wait`); transient
failures are retried for `[dispatch] retry_for_minutes`, and only then is it `failed`.
409 makes it `conflict`, other 4xx `refused`; neither is retried (docs/dispatch.md).

This module is the outbox as the screens and the command line read and edit it: the
entries, their counts by state (`outbox_counts`), `retry` and `drop`.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, delete, func, or_, select, update

# The pusher's names too, where the screens and commands have always found them.
from woq_tui.dispatch.pusher import BackgroundPusher, Pusher, RetryPolicy, change_of, give_up_at, push_until_settled
from woq_tui.domain.clock import Clock
from woq_tui.domain.enums import OutboxKind, OutboxState, TicketType
from woq_tui.domain.models import OutboxEntry, Ticket
from woq_tui.domain.tables import table_of
from woq_tui.i18n import t
from woq_tui.store.db import session_factory
from woq_tui.values.outbox import OutboxChange, TicketRef

ENTRIES = table_of(OutboxEntry)
TICKETS = table_of(Ticket)
FINAL = (OutboxState.confirmed, OutboxState.conflict, OutboxState.refused)
# Not delivered and not going to be by itself: someone has to look (retry, reassign
# again, or drop). `outbox push` exits 1 while any entry is in one of these.
NEEDS_A_PERSON = (OutboxState.failed, OutboxState.conflict, OutboxState.refused)


class OutboxError(Exception):
    """A request the outbox refuses (blank reason, unknown entry...); str() is one line
    in the console language."""


@dataclass(frozen=True)
class OutboxCounts:
    """Entries by state, read in one statement (the quit question, screen 5)."""

    pending: int = 0
    failed: int = 0
    conflict: int = 0
    refused: int = 0
    confirmed: int = 0

    @property
    def needs_a_person(self) -> int:
        """Failed, conflict and refused: not delivered, and nothing will retry them."""
        return self.failed + self.conflict + self.refused

    @property
    def unsettled(self) -> int:
        return self.pending + self.needs_a_person


# -- writing and reading entries ------------------------------------------------------


def record(
    engine: Engine,
    clock: Clock,
    tickets: Iterable[TicketRef],
    to_station: str,
    reason: str,
    operator: str,
) -> list[OutboxEntry]:
    """Write one reassignment of the given tickets as pending entries, in one transaction.

    Tickets already at `to_station` are skipped (nothing to do for them).
    """
    to_station = to_station.strip()
    if not to_station:
        raise OutboxError(t("outbox.error.need_station"))
    return _write(
        engine, clock, [ref for ref in tickets if ref.station_code != to_station], reason, operator,
        kind=OutboxKind.reassign, to_station=to_station,
    )


def record_reclassification(
    engine: Engine,
    clock: Clock,
    tickets: Iterable[TicketRef],
    to_type: str,
    reason: str,
    operator: str,
) -> list[OutboxEntry]:
    """Write one reclassification of the given tickets as pending entries, in one
    transaction. Tickets already of `to_type` are skipped (the API would refuse them)."""
    to_type = to_type.strip()
    if to_type not in TicketType.__members__:
        raise OutboxError(t("outbox.error.need_type"))
    return _write(
        engine, clock, [ref for ref in tickets if ref.type != to_type], reason, operator,
        kind=OutboxKind.reclassify, to_type=to_type,
    )


def _write(
    engine: Engine, clock: Clock, tickets: list[TicketRef], reason: str, operator: str, **command: str
) -> list[OutboxEntry]:
    reason, operator = reason.strip(), operator.strip()
    if not reason:
        raise OutboxError(t("outbox.error.need_reason"))
    if not operator:
        raise OutboxError(t("outbox.error.need_operator"))
    now = clock.now()
    entries = [
        OutboxEntry(
            id=str(uuid.uuid4()),
            ticket_no=ref.ticket_no,
            from_station=ref.station_code,
            from_type=ref.type,
            reason=reason,
            operator=operator,
            expected_version=ref.version,
            requested_at=now,
            state=OutboxState.pending,
            attempts=0,
            updated_at=now,
            **command,  # type: ignore[arg-type]  # kind, to_station or to_type: str columns, which mypy cannot see in **
        )
        for ref in tickets
    ]
    if entries:
        with session_factory(engine)() as session:
            session.add_all(entries)
            session.commit()
    return entries


def ticket_ref(engine: Engine, ticket_no: str) -> TicketRef | None:
    """The ticket as this database sees it now, for the command line."""
    with engine.connect() as connection:
        row = connection.execute(
            select(TICKETS.c.ticket_no, TICKETS.c.station_code, TICKETS.c.version, TICKETS.c.type).where(TICKETS.c.ticket_no == ticket_no)
        ).first()
    return None if row is None else TicketRef(row.ticket_no, row.station_code, row.version, row.type)


def list_entries(engine: Engine, confirmed_since: datetime | None = None) -> list[OutboxEntry]:
    """Entries not confirmed (and those confirmed since the given instant), newest first."""
    query = select(OutboxEntry)
    if confirmed_since is None:
        query = query.where(ENTRIES.c.state != OutboxState.confirmed)
    else:
        query = query.where(
            or_(ENTRIES.c.state != OutboxState.confirmed, ENTRIES.c.updated_at >= confirmed_since)
        )
    query = query.order_by(ENTRIES.c.requested_at.desc(), ENTRIES.c.id)
    with session_factory(engine)() as session:
        return list(session.scalars(query))


def outbox_counts(engine: Engine, confirmed_since: datetime | None = None) -> OutboxCounts:
    """How many entries are in each state, in one statement; confirmed ones only
    since the given instant (none without it)."""
    query = select(ENTRIES.c.state, func.count()).group_by(ENTRIES.c.state)
    if confirmed_since is None:
        query = query.where(ENTRIES.c.state != OutboxState.confirmed)
    else:
        query = query.where(or_(ENTRIES.c.state != OutboxState.confirmed, ENTRIES.c.updated_at >= confirmed_since))
    with engine.connect() as connection:
        counts = {state: count for state, count in connection.execute(query)}
    return OutboxCounts(**{state.value: counts.get(state.value, 0) for state in OutboxState})


def will_retry(entry: OutboxEntry) -> bool:
    """Whether a pusher sends the entry again by itself: pending ones only. A failed
    entry waits for `outbox retry` (or `t` on screen 5); conflict and refused ones
    for a new reassignment."""
    return entry.state == OutboxState.pending


def ticket_states(engine: Engine, ticket_nos: Sequence[str]) -> dict[str, str]:
    """The state of each ticket's latest command (reassignment or reclassification),
    for rows that show it."""
    if not ticket_nos:
        return {}
    query = (
        select(ENTRIES.c.ticket_no, ENTRIES.c.state)
        .where(ENTRIES.c.ticket_no.in_(list(ticket_nos)))
        .order_by(ENTRIES.c.requested_at, ENTRIES.c.updated_at)
    )
    with engine.connect() as connection:
        return {row.ticket_no: row.state for row in connection.execute(query)}


def find(engine: Engine, entry_id: str) -> OutboxEntry:
    """An entry by its id or a unique prefix of it (the list shows 8 characters)."""
    entry_id = entry_id.strip().lower()
    if len(entry_id) < 4:
        raise OutboxError(t("outbox.error.short_id", id=entry_id))
    if not entry_id.isascii() or not entry_id.isprintable() or len(entry_id) > 36:
        raise OutboxError(t("outbox.error.no_such", id=entry_id))
    with session_factory(engine)() as session:
        matches = list(session.scalars(select(OutboxEntry).where(ENTRIES.c.id.startswith(entry_id, autoescape=True)).limit(2)))
    if not matches:
        raise OutboxError(t("outbox.error.no_such", id=entry_id))
    if len(matches) > 1:
        raise OutboxError(t("outbox.error.ambiguous", id=entry_id))
    return matches[0]


def retry(engine: Engine, clock: Clock, entry_id: str) -> OutboxEntry:
    """Make a failed entry pending again, due now, with a new retry window (same key,
    same request). A pending one is made due now."""
    entry = find(engine, entry_id)
    if entry.state in (OutboxState.conflict, OutboxState.refused):
        state = t(f"outbox.state.{entry.state}")
        raise OutboxError(t("outbox.error.final_answer", id=entry.id[:8], state=state))
    if entry.state == OutboxState.confirmed:
        raise OutboxError(t("outbox.error.already_confirmed", id=entry.id[:8]))
    now = clock.now()
    with engine.begin() as connection:
        connection.execute(
            update(ENTRIES)
            .where(ENTRIES.c.id == entry.id, ENTRIES.c.state.in_([OutboxState.failed, OutboxState.pending]))
            .values(state=OutboxState.pending, retrying_since=now, next_attempt_at=None, updated_at=now)
        )
    return find(engine, entry.id)


def drop(engine: Engine, entry_id: str) -> OutboxEntry:
    """Forget an entry: it will not be sent (again)."""
    entry = find(engine, entry_id)
    with engine.begin() as connection:
        connection.execute(delete(ENTRIES).where(ENTRIES.c.id == entry.id))
    return entry


def summarize(changes: Iterable[OutboxChange]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for change in changes:
        counts[change.state] = counts.get(change.state, 0) + 1
    return counts


__all__ = [
    "BackgroundPusher",
    "NEEDS_A_PERSON",
    "OutboxCounts",
    "OutboxError",
    "Pusher",
    "RetryPolicy",
    "change_of",
    "drop",
    "find",
    "give_up_at",
    "list_entries",
    "outbox_counts",
    "push_until_settled",
    "record",
    "record_reclassification",
    "retry",
    "summarize",
    "ticket_ref",
    "will_retry",
]
