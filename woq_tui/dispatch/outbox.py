"""The durable outbox: reassignments are written here first, then pushed.

`record` writes the entries of one reassignment (one or many tickets) in one
transaction, state `pending`, each with a new uuid that is its Idempotency-Key for
every retry. The `Pusher` sends pending entries with `DispatchClient`: transient
failures (connection errors, timeouts, 429, 5xx) are retried by stamina with
exponential backoff and jitter, honouring Retry-After, up to `[dispatch] max_attempts`
attempts in all (the count survives restarts), then the entry is `failed`; 409 makes
it `conflict`, other 4xx `refused`, neither retried. An entry left pending by a crash
or a kill is delivered by the next pusher run, with the same key, so the server
applies it at most once.

Several pushers may run over one database (a console, `woq-console outbox push`): each
attempt first claims the entry with a compare-and-set on its attempt count, so two
pushers never send the same attempt; if both still send one entry, the key makes the
second a replay.
"""

from __future__ import annotations

import logging
import threading
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Callable, Iterable, Sequence

import stamina
from sqlalchemy import Engine, delete, func, or_, select, update

from woq_tui.config import Settings
from woq_tui.dispatch.client import DispatchClient, Outcome, Reassignment
from woq_tui.domain.clock import Clock, SystemClock
from woq_tui.domain.enums import OutboxState
from woq_tui.domain.models import OutboxEntry, Ticket
from woq_tui.store.db import session_factory
from woq_tui.values.outbox import OutboxChange, TicketRef

log = logging.getLogger(__name__)
# Attempts are counted and shown in the outbox itself; stamina's own log line per retry
# ("stamina.retry_scheduled") would only be noise on the command line.
stamina.instrumentation.set_on_retry_hooks([])
ENTRIES = OutboxEntry.__table__
FINAL = (OutboxState.confirmed, OutboxState.conflict, OutboxState.refused)


class OutboxError(Exception):
    """A request the outbox refuses (blank reason, unknown entry...); str() is one line."""


@dataclass(frozen=True)
class RetryPolicy:
    """Backoff between attempts (seconds). Tests pass tiny values instead of sleeping."""

    wait_initial: float = 0.5
    wait_max: float = 30.0
    wait_jitter: float = 1.0
    wait_exp_base: float = 2.0
    # A Retry-After longer than this is cut to it.
    max_retry_after: float = 300.0


class _Transient(Exception):
    def __init__(self, outcome: Outcome) -> None:
        super().__init__(outcome.error or "transient failure")
        self.outcome = outcome


class _Lost(Exception):
    """Another pusher took the entry, or it was dropped: leave it alone."""


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
    to_station, reason, operator = to_station.strip(), reason.strip(), operator.strip()
    if not to_station:
        raise OutboxError("a target station is required")
    if not reason:
        raise OutboxError("a reason is required")
    if not operator:
        raise OutboxError("an operator is required")
    now = clock.now()
    entries = [
        OutboxEntry(
            id=str(uuid.uuid4()),
            ticket_no=ref.ticket_no,
            from_station=ref.station_code,
            to_station=to_station,
            reason=reason,
            operator=operator,
            expected_version=ref.version,
            requested_at=now,
            state=OutboxState.pending,
            attempts=0,
            updated_at=now,
        )
        for ref in tickets
        if ref.station_code != to_station
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
            select(Ticket.ticket_no, Ticket.station_code, Ticket.version).where(Ticket.ticket_no == ticket_no)
        ).first()
    return None if row is None else TicketRef(row.ticket_no, row.station_code, row.version)


def list_entries(engine: Engine, confirmed_since: datetime | None = None) -> list[OutboxEntry]:
    """Entries not confirmed (and those confirmed since the given instant), newest first."""
    query = select(OutboxEntry)
    if confirmed_since is None:
        query = query.where(OutboxEntry.state != OutboxState.confirmed)
    else:
        query = query.where(
            or_(OutboxEntry.state != OutboxState.confirmed, OutboxEntry.updated_at >= confirmed_since)
        )
    query = query.order_by(OutboxEntry.requested_at.desc(), OutboxEntry.id)
    with session_factory(engine)() as session:
        return list(session.scalars(query))


def pending_count(engine: Engine) -> int:
    with engine.connect() as connection:
        return connection.scalar(
            select(func.count()).select_from(ENTRIES).where(ENTRIES.c.state == OutboxState.pending)
        ) or 0


def ticket_states(engine: Engine, ticket_nos: Sequence[str]) -> dict[str, str]:
    """The state of each ticket's latest reassignment, for rows that show it."""
    if not ticket_nos:
        return {}
    query = (
        select(OutboxEntry.ticket_no, OutboxEntry.state)
        .where(OutboxEntry.ticket_no.in_(list(ticket_nos)))
        .order_by(OutboxEntry.requested_at, OutboxEntry.updated_at)
    )
    with engine.connect() as connection:
        return {row.ticket_no: row.state for row in connection.execute(query)}


def find(engine: Engine, entry_id: str) -> OutboxEntry:
    """An entry by its id or a unique prefix of it (the list shows 8 characters)."""
    entry_id = entry_id.strip().lower()
    if len(entry_id) < 4:
        raise OutboxError(f"outbox entry {entry_id!r}: give at least 4 characters of the ID")
    with session_factory(engine)() as session:
        matches = list(session.scalars(select(OutboxEntry).where(OutboxEntry.id.startswith(entry_id, autoescape=True)).limit(2)))
    if not matches:
        raise OutboxError(f"outbox entry {entry_id!r}: no such entry")
    if len(matches) > 1:
        raise OutboxError(f"outbox entry {entry_id!r}: more than one entry starts with it; give more of the ID")
    return matches[0]


def retry(engine: Engine, clock: Clock, entry_id: str) -> OutboxEntry:
    """Make a failed entry pending again with a fresh attempt count (same key)."""
    entry = find(engine, entry_id)
    if entry.state in (OutboxState.conflict, OutboxState.refused):
        raise OutboxError(
            f"outbox entry {entry.id[:8]}: the dispatch API answered {entry.state}; "
            "a retry would get the same answer: reassign the ticket again"
        )
    if entry.state == OutboxState.confirmed:
        raise OutboxError(f"outbox entry {entry.id[:8]}: already confirmed")
    with engine.begin() as connection:
        connection.execute(
            update(ENTRIES)
            .where(ENTRIES.c.id == entry.id, ENTRIES.c.state.in_([OutboxState.failed, OutboxState.pending]))
            .values(state=OutboxState.pending, attempts=0, next_attempt_at=None, updated_at=clock.now())
        )
    return find(engine, entry.id)


def drop(engine: Engine, entry_id: str) -> OutboxEntry:
    """Forget an entry: it will not be sent (again)."""
    entry = find(engine, entry_id)
    with engine.begin() as connection:
        connection.execute(delete(ENTRIES).where(ENTRIES.c.id == entry.id))
    return entry


# -- pushing ---------------------------------------------------------------------------


class Pusher:
    """Sends pending entries to the dispatch API and records what it answered."""

    def __init__(
        self,
        engine: Engine,
        settings: Settings,
        clock: Clock | None = None,
        *,
        policy: RetryPolicy | None = None,
        on_change: Callable[[OutboxChange], None] | None = None,
        client: DispatchClient | None = None,
    ) -> None:
        self.engine = engine
        self.settings = settings
        self.clock = clock or SystemClock()
        self.policy = policy or RetryPolicy()
        self.on_change = on_change
        self._client = client or DispatchClient(settings.dispatch, zone=settings.tz, clock=self.clock)
        self._stopping = threading.Event()

    @property
    def max_attempts(self) -> int:
        return self.settings.dispatch.max_attempts

    def close(self) -> None:
        self._client.close()

    def request_stop(self) -> None:
        """Finish the current attempt, then stop retrying (entries stay pending)."""
        self._stopping.set()

    def due(self, force: bool = False, ids: Sequence[str] | None = None) -> list[OutboxEntry]:
        query = select(OutboxEntry).where(OutboxEntry.state == OutboxState.pending)
        if ids is not None:
            query = query.where(OutboxEntry.id.in_(list(ids)))
        if not force:
            query = query.where(
                or_(OutboxEntry.next_attempt_at.is_(None), OutboxEntry.next_attempt_at <= self.clock.now())
            )
        query = query.order_by(OutboxEntry.requested_at, OutboxEntry.id)
        with session_factory(self.engine)() as session:
            return list(session.scalars(query))

    def push(
        self, *, force: bool = False, ids: Sequence[str] | None = None, budget: int | None = None
    ) -> list[OutboxChange]:
        """Deliver every pending entry that is due (all of them with force), each to a
        final state or until its attempts (or the given budget of attempts) run out."""
        changes = []
        for entry in self.due(force, ids):
            if self._stopping.is_set():
                break
            change = self.deliver(entry, force=force, budget=budget)
            if change is not None:
                changes.append(change)
        return changes

    def deliver(self, entry: OutboxEntry, *, force: bool = False, budget: int | None = None) -> OutboxChange | None:
        """Send one entry until it is answered; None if another pusher has it."""
        remaining = self.max_attempts - entry.attempts
        if remaining <= 0:
            return self._finish(entry, OutboxState.failed, entry.attempts, Outcome("transient", error=entry.last_error))
        if budget is not None:
            remaining = min(remaining, budget)
        attempts = entry.attempts
        request = Reassignment(
            key=entry.id,
            ticket_no=entry.ticket_no,
            to_station=entry.to_station,
            reason=entry.reason,
            operator=entry.operator,
            expected_version=entry.expected_version,
            requested_at=entry.requested_at,
        )
        policy = self.policy
        try:
            for attempt in stamina.retry_context(
                on=self._backoff,
                attempts=remaining,
                timeout=None,
                wait_initial=policy.wait_initial,
                wait_max=policy.wait_max,
                wait_jitter=policy.wait_jitter,
                wait_exp_base=policy.wait_exp_base,
            ):
                with attempt:
                    # The first attempt of a background run honours next_attempt_at
                    # (someone else may be backing off on it); our own retries don't.
                    self._claim(entry.id, attempts, due_only=not force and attempt.num == 1)
                    attempts += 1
                    outcome = self._client.reassign(request)
                    if outcome.kind == "transient":
                        wait = outcome.retry_after if outcome.retry_after is not None else attempt.next_wait
                        self._note_transient(entry, attempts, outcome, wait)
                        raise _Transient(outcome)
                    state = {
                        "confirmed": OutboxState.confirmed,
                        "conflict": OutboxState.conflict,
                        "refused": OutboxState.refused,
                    }[outcome.kind]
                    return self._finish(entry, state, attempts, outcome)
        except _Lost:
            return None
        except _Transient as exc:
            if attempts >= self.max_attempts:
                return self._finish(entry, OutboxState.failed, attempts, exc.outcome)
            return OutboxChange(entry.id, entry.ticket_no, entry.to_station, OutboxState.pending, attempts, exc.outcome.error)
        return None  # pragma: no cover - the loop always returns or raises

    def _backoff(self, exc: Exception) -> bool | float:
        if not isinstance(exc, _Transient) or self._stopping.is_set():
            return False
        if exc.outcome.retry_after is not None:
            return min(exc.outcome.retry_after, self.policy.max_retry_after)
        return True

    def _lease(self) -> datetime:
        """How long an attempt holds an entry against other pushers."""
        seconds = self.settings.dispatch.timeout_seconds + self.policy.wait_max + self.policy.wait_jitter + 5
        return self.clock.now() + timedelta(seconds=seconds)

    def _claim(self, entry_id: str, seen_attempts: int, due_only: bool) -> None:
        now = self.clock.now()
        query = update(ENTRIES).where(
            ENTRIES.c.id == entry_id,
            ENTRIES.c.state == OutboxState.pending,
            ENTRIES.c.attempts == seen_attempts,
        )
        if due_only:
            query = query.where(or_(ENTRIES.c.next_attempt_at.is_(None), ENTRIES.c.next_attempt_at <= now))
        with self.engine.begin() as connection:
            claimed = connection.execute(
                query.values(attempts=seen_attempts + 1, next_attempt_at=self._lease(), updated_at=now)
            ).rowcount
        if claimed != 1:
            raise _Lost()

    def _note_transient(self, entry: OutboxEntry, attempts: int, outcome: Outcome, wait: float) -> None:
        now = self.clock.now()
        with self.engine.begin() as connection:
            connection.execute(
                update(ENTRIES)
                .where(ENTRIES.c.id == entry.id, ENTRIES.c.state == OutboxState.pending)
                .values(
                    last_error=outcome.error,
                    response=outcome.response_text,
                    next_attempt_at=now + timedelta(seconds=max(wait, 0)),
                    updated_at=now,
                )
            )
        self._emit(OutboxChange(entry.id, entry.ticket_no, entry.to_station, OutboxState.pending, attempts, outcome.error, outcome.body))

    def _finish(self, entry: OutboxEntry, state: str, attempts: int, outcome: Outcome) -> OutboxChange | None:
        now = self.clock.now()
        error = None if state == OutboxState.confirmed else outcome.error
        with self.engine.begin() as connection:
            updated = connection.execute(
                update(ENTRIES)
                .where(ENTRIES.c.id == entry.id, ENTRIES.c.state == OutboxState.pending)
                .values(
                    state=state,
                    attempts=attempts,
                    last_error=error,
                    response=outcome.response_text,
                    next_attempt_at=None,
                    updated_at=now,
                )
            ).rowcount
        if updated != 1:
            return None  # dropped meanwhile, or finished by another pusher
        change = OutboxChange(entry.id, entry.ticket_no, entry.to_station, state, attempts, error, outcome.body)
        self._emit(change)
        return change

    def _emit(self, change: OutboxChange) -> None:
        if self.on_change is not None:
            try:
                self.on_change(change)
            except Exception:  # a listener's bug must not stop delivery
                log.exception("outbox listener failed")


class BackgroundPusher:
    """A Pusher in a daemon thread: runs at start (delivering what a previous run left
    pending), whenever woken (a new reassignment), and every `interval` seconds (entries
    written by other processes). A daemon thread, because a backoff wait must never keep
    the console from exiting; whatever is pending then is delivered at the next start."""

    def __init__(self, pusher: Pusher, interval: float) -> None:
        self.pusher = pusher
        self.interval = interval
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="outbox-pusher", daemon=True)
        self.on_error: Callable[[BaseException], None] | None = None
        # after each run over what was due: whoever gathers its answers may tell them now
        self.on_cycle_end: Callable[[], None] | None = None

    def start(self) -> BackgroundPusher:
        self._thread.start()
        return self

    def wake(self) -> None:
        self._wake.set()

    def stop(self, timeout: float | None = None) -> None:
        self._stop.set()
        self.pusher.request_stop()
        self._wake.set()
        if timeout is not None:
            self._thread.join(timeout)

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    def _run(self) -> None:
        force = True  # the first run delivers everything a previous run left pending
        while not self._stop.is_set():
            self._wake.clear()
            try:
                self.pusher.push(force=force)
                force = False
            except Exception as exc:  # the database or a bug: report, keep the loop alive
                log.warning("outbox push failed: %s", type(exc).__name__)
                if self.on_error is not None:
                    self.on_error(exc)
            if self.on_cycle_end is not None:
                self.on_cycle_end()
            self._wake.wait(self.interval)
        self.pusher.close()


def summarize(changes: Iterable[OutboxChange]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for change in changes:
        counts[change.state] = counts.get(change.state, 0) + 1
    return counts


__all__ = [
    "BackgroundPusher",
    "OutboxError",
    "Pusher",
    "RetryPolicy",
    "drop",
    "find",
    "list_entries",
    "pending_count",
    "record",
    "retry",
    "summarize",
    "ticket_ref",
]
