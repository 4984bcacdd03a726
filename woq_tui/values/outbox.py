"""The outbox as the console sees it (docs/dispatch.md): what a reassignment needs to
know of a ticket, an entry's state as the pusher reports it, and an entry as the
outbox screen lists it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class TicketRef:
    """What a reassignment or a reclassification needs to know of a ticket as the
    dispatcher saw it (`type`: None where only a reassignment was asked for)."""

    ticket_no: str
    station_code: str
    version: int
    type: str | None = None


@dataclass(frozen=True)
class OutboxChange:
    """One entry's new state, for whoever shows it."""

    entry_id: str
    ticket_no: str
    to_station: str | None  # None for a reclassification
    state: str
    attempts: int
    last_error: str | None = None
    # The server's answer (parsed JSON) when there was one: current_version, ...
    body: dict | None = None
    # pending: when the next attempt is due (a pusher makes it by itself)
    next_attempt_at: datetime | None = None
    kind: str = "reassign"  # or "reclassify" (OutboxKind)
    to_type: str | None = None


@dataclass(frozen=True)
class OutboxView:
    """One outbox entry as screen 5 lists it (a copy: no ORM object leaves the store)."""

    id: str
    ticket_no: str
    from_station: str | None
    to_station: str | None  # None for a reclassification
    reason: str
    operator: str
    requested_at: datetime
    state: str
    attempts: int
    next_attempt_at: datetime | None
    last_error: str | None
    updated_at: datetime
    kind: str = "reassign"  # or "reclassify"
    from_type: str | None = None
    to_type: str | None = None
