"""Pushing outbox entries to the dispatch API (docs/dispatch.md, docs/dispatch-api.md).

One attempt at a time, each recorded in the database before and after it is made:

- `Pusher.attempt` claims an entry (a compare-and-set on its attempt count, which also
  holds it against other pushers for the length of one attempt), sends it with the
  entry's id as Idempotency-Key, and records the answer. 200 confirms, 409 is a
  conflict, other 4xx a refusal. A transient failure (connection error, timeout, 408,
  425, 429, 5xx) leaves it pending with its next attempt scheduled: exponential backoff
  with jitter, capped at `[dispatch] max_backoff_seconds`, or the server's Retry-After.
  Only a transient failure at or after the end of the retry window (`retry_for_minutes`
  after the request, or after `outbox retry`) makes it failed.
- `push` makes one attempt at each entry that is due (at every pending entry with
  `force`); `deliver` makes up to a budget of attempts at one entry, waiting out the
  backoff in between, within a time limit (the `reassign` command).
- `BackgroundPusher` runs `push` in a daemon thread: at start, when woken, when the
  next entry falls due, and every `interval` seconds (entries other processes wrote).

Pending therefore always means "a pusher will send it again by itself"; a confirmation
that arrives late (a replay after a timeout) settles even an entry already failed.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, func, or_, select, update

from woq_tui.config import Settings
from woq_tui.dispatch.client import DispatchClient, Outcome, Reassignment, Reclassification
from woq_tui.domain.clock import Clock, SystemClock
from woq_tui.domain.enums import OutboxKind, OutboxState
from woq_tui.domain.models import OutboxEntry
from woq_tui.domain.tables import table_of
from woq_tui.store.db import session_factory
from woq_tui.values.outbox import OutboxChange

log = logging.getLogger(__name__)
ENTRIES = table_of(OutboxEntry)
_FINAL_STATE = {"confirmed": OutboxState.confirmed, "conflict": OutboxState.conflict, "refused": OutboxState.refused}


@dataclass(frozen=True)
class RetryPolicy:
    """The backoff between attempts: `wait_initial` doubling (`wait_exp_base`) up to
    `wait_max` (None: `[dispatch] max_backoff_seconds`), each wait shortened by a
    random part of up to `jitter` of itself, so that entries queued together by one
    outage do not all come back at once. Tests pass tiny values instead of sleeping."""

    wait_initial: float = 0.5
    wait_exp_base: float = 2.0
    wait_max: float | None = None
    jitter: float = 0.5

    def wait(self, attempts: int, cap: float, rng: random.Random) -> float:
        """Seconds to wait after the `attempts`-th attempt failed."""
        cap = min(cap, self.wait_max) if self.wait_max is not None else cap
        exponent = min(max(attempts - 1, 0), 64)
        base = min(cap, self.wait_initial * self.wait_exp_base**exponent)
        return base * (1 - self.jitter * rng.random())


def give_up_at(entry: OutboxEntry, retry_for_minutes: int) -> datetime:
    """When transient failures stop being retried: the end of the entry's retry window."""
    return (entry.retrying_since or entry.requested_at) + timedelta(minutes=retry_for_minutes)


class Pusher:
    """Sends pending entries to the dispatch API and records what it answered."""

    def __init__(
        self,
        engine: Engine,
        settings: Settings,
        clock: Clock | None = None,
        *,
        policy: RetryPolicy | None = None,
        on_change: Callable[[OutboxChange], object] | None = None,  # what it returns is not used
        client: DispatchClient | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self.engine = engine
        self.settings = settings
        self.clock = clock or SystemClock()
        self.policy = policy or RetryPolicy()
        self.on_change = on_change
        self._client = client or DispatchClient(settings.dispatch, zone=settings.tz, clock=self.clock)
        self._rng = rng or random.Random()
        self._stopping = threading.Event()

    @property
    def max_attempts(self) -> int:
        """What one `reassign` command tries before it leaves the entry queued."""
        return self.settings.dispatch.max_attempts

    def close(self) -> None:
        self._client.close()

    def request_stop(self) -> None:
        """Finish the current attempt, then stop (entries stay pending)."""
        self._stopping.set()

    # -- what is due ------------------------------------------------------------------

    def due(self, force: bool = False, ids: Sequence[str] | None = None) -> list[OutboxEntry]:
        query = select(OutboxEntry).where(ENTRIES.c.state == OutboxState.pending)
        if ids is not None:
            query = query.where(ENTRIES.c.id.in_(list(ids)))
        if not force:
            query = query.where(
                or_(ENTRIES.c.next_attempt_at.is_(None), ENTRIES.c.next_attempt_at <= self.clock.now())
            )
        query = query.order_by(ENTRIES.c.requested_at, ENTRIES.c.id)
        with session_factory(self.engine)() as session:
            return list(session.scalars(query))

    def next_due(self) -> datetime | None:
        """When the earliest pending entry falls due (now or earlier: due already)."""
        with self.engine.connect() as connection:
            pending, scheduled, earliest = connection.execute(
                select(func.count(), func.count(ENTRIES.c.next_attempt_at), func.min(ENTRIES.c.next_attempt_at)).where(
                    ENTRIES.c.state == OutboxState.pending
                )
            ).one()
        if not pending:
            return None
        if scheduled < pending:
            return self.clock.now()  # an entry never tried: due now
        due: datetime | None = earliest
        return due

    # -- sending ----------------------------------------------------------------------

    def push(self, *, force: bool = False, ids: Sequence[str] | None = None) -> list[OutboxChange]:
        """One attempt at every entry that is due (every pending entry with `force`),
        oldest request first; the changes of those that were attempted."""
        changes = []
        for entry in self.due(force, ids):
            if self._stopping.is_set():
                break
            change = self.attempt(entry, force=force)
            if change is not None:
                changes.append(change)
        return changes

    def deliver(
        self, entry: OutboxEntry, *, budget: int | None = None, seconds: float | None = None
    ) -> OutboxChange | None:
        """Up to `budget` attempts at one entry (default `max_attempts`), the first at
        once, waiting out the backoff between them, and giving up the wait (not the
        entry) when the next attempt would start after `seconds`. The last change;
        None if another pusher has the entry or it was dropped."""
        budget = self.max_attempts if budget is None else budget
        ends = None if seconds is None else time.monotonic() + seconds
        change = None
        for number in range(budget):
            if number:
                assert change is not None  # the attempt before left the entry pending
                wait = _seconds_until(change.next_attempt_at, self.clock.now())
                if ends is not None and time.monotonic() + wait >= ends:
                    break  # the outbox makes the next attempt when it falls due
                if self._stopping.wait(wait):
                    break
                reloaded = self._reload(entry.id)
                if reloaded is None:
                    return None
                entry = reloaded
            timeout = None if ends is None else max(ends - time.monotonic(), 0.1)
            change = self.attempt(entry, force=True, timeout=timeout)
            if change is None or change.state != OutboxState.pending:
                break
        return change

    def attempt(self, entry: OutboxEntry, *, force: bool = False, timeout: float | None = None) -> OutboxChange | None:
        """One attempt at one entry; None if another pusher has it or it was dropped."""
        attempts = self._claim(entry, force)
        if attempts is None:
            return None
        outcome = self._client.send(command_of(entry), timeout=timeout)
        if outcome.kind == "transient":
            return self._transient(entry, attempts, outcome)
        return self._finish(entry, _FINAL_STATE[outcome.kind], attempts, outcome)

    # -- recording --------------------------------------------------------------------

    def _reload(self, entry_id: str) -> OutboxEntry | None:
        with session_factory(self.engine)() as session:
            entry = session.get(OutboxEntry, entry_id)
            return entry if entry is not None and entry.state == OutboxState.pending else None

    def _lease(self, now: datetime) -> datetime:
        """How long an attempt holds an entry against other pushers: longer than one
        request can take (connect, send, read), so a killed pusher's entry is free soon."""
        return now + timedelta(seconds=3 * self.settings.dispatch.timeout_seconds + 5)

    def _claim(self, entry: OutboxEntry, force: bool) -> int | None:
        """Count the attempt before it is made; its number, or None when the entry was
        answered, dropped or taken by another pusher since it was read."""
        now = self.clock.now()
        query = update(ENTRIES).where(
            ENTRIES.c.id == entry.id,
            ENTRIES.c.state == OutboxState.pending,
            ENTRIES.c.attempts == entry.attempts,
        )
        if not force:
            query = query.where(or_(ENTRIES.c.next_attempt_at.is_(None), ENTRIES.c.next_attempt_at <= now))
        with self.engine.begin() as connection:
            claimed = connection.execute(
                query.values(attempts=entry.attempts + 1, next_attempt_at=self._lease(now), updated_at=now)
            ).rowcount
        return entry.attempts + 1 if claimed == 1 else None

    def _transient(self, entry: OutboxEntry, attempts: int, outcome: Outcome) -> OutboxChange | None:
        now = self.clock.now()
        dispatch = self.settings.dispatch
        ends = give_up_at(entry, dispatch.retry_for_minutes)
        if now >= ends:
            return self._finish(entry, OutboxState.failed, attempts, outcome)
        if outcome.retry_after is not None:
            wait = outcome.retry_after  # the server knows best; never past the window
        else:
            wait = self.policy.wait(attempts, dispatch.max_backoff_seconds, self._rng)
        next_at = min(now + timedelta(seconds=max(wait, 0)), ends)
        with self.engine.begin() as connection:
            updated = connection.execute(
                update(ENTRIES)
                .where(ENTRIES.c.id == entry.id, ENTRIES.c.state == OutboxState.pending)
                .values(last_error=outcome.error, response=outcome.response_text, next_attempt_at=next_at, updated_at=now)
            ).rowcount
        if updated != 1:
            return None  # answered by another pusher, or dropped, meanwhile
        change = change_of(entry, OutboxState.pending, attempts, outcome.error, outcome.body, next_at)
        self._emit(change)
        return change

    def _finish(self, entry: OutboxEntry, state: str, attempts: int, outcome: Outcome) -> OutboxChange | None:
        now = self.clock.now()
        error = None if state == OutboxState.confirmed else outcome.error
        # A confirmation settles a failed entry too: the request was applied after all.
        settled = [OutboxState.pending, OutboxState.failed] if state == OutboxState.confirmed else [OutboxState.pending]
        with self.engine.begin() as connection:
            updated = connection.execute(
                update(ENTRIES)
                .where(ENTRIES.c.id == entry.id, ENTRIES.c.state.in_(settled))
                .values(
                    state=state,
                    last_error=error,
                    response=outcome.response_text,
                    next_attempt_at=None,
                    updated_at=now,
                )
            ).rowcount
        if updated != 1:
            return None  # dropped meanwhile, or answered by another pusher
        change = change_of(entry, state, attempts, error, outcome.body)
        self._emit(change)
        return change

    def _emit(self, change: OutboxChange) -> None:
        if self.on_change is not None:
            try:
                self.on_change(change)
            except Exception:  # a listener's bug must not stop delivery
                log.exception("outbox listener failed")


def command_of(entry: OutboxEntry) -> Reassignment | Reclassification:
    """The request an entry stands for: one outbox, either command (docs/dispatch.md)."""
    common: dict[str, Any] = dict(
        key=entry.id,
        ticket_no=entry.ticket_no,
        reason=entry.reason,
        operator=entry.operator,
        expected_version=entry.expected_version,
        requested_at=entry.requested_at,
    )
    if entry.kind == OutboxKind.reclassify:
        return Reclassification(to_type=entry.to_type or "", **common)
    return Reassignment(to_station=entry.to_station or "", **common)


def change_of(
    entry: OutboxEntry,
    state: str,
    attempts: int,
    error: str | None = None,
    body: dict[str, Any] | None = None,
    next_attempt_at: datetime | None = None,
) -> OutboxChange:
    """An entry's new state as the screens hear of it."""
    return OutboxChange(
        entry.id, entry.ticket_no, entry.to_station, state, attempts, error, body, next_attempt_at,
        kind=entry.kind or OutboxKind.reassign, to_type=entry.to_type,
    )


def _seconds_until(moment: datetime | None, now: datetime) -> float:
    return 0.0 if moment is None else max((moment - now).total_seconds(), 0.0)


class BackgroundPusher:
    """A Pusher in a daemon thread: runs at start (every pending entry, whatever a
    previous run left), whenever woken (a new reassignment), when the next entry falls
    due, and at least every `interval` seconds (entries written by other processes).
    A daemon thread, so that an attempt in flight never keeps the console from exiting;
    what is pending then stays pending, and the next pusher to run sends it."""

    def __init__(self, pusher: Pusher, interval: float) -> None:
        self.pusher = pusher
        self.interval = interval
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="outbox-pusher", daemon=True)
        self.on_error: Callable[[BaseException], None] | None = None
        # after each run over what was due: whoever gathers its answers may tell them now
        self.on_cycle_end: Callable[[], object] | None = None

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
        force = True  # the first run sends everything a previous run left pending
        while not self._stop.is_set():
            self._wake.clear()
            wait = self.interval
            try:
                self.pusher.push(force=force)
                force = False
                wait = self._until_next_due()
            except Exception as exc:  # the database or a bug: report, keep the loop alive
                log.warning("outbox push failed: %s", type(exc).__name__)
                if self.on_error is not None:
                    self.on_error(exc)
            if self.on_cycle_end is not None:
                self.on_cycle_end()
            self._wake.wait(wait)
        self.pusher.close()

    def _until_next_due(self) -> float:
        due = self.pusher.next_due()
        if due is None:
            return self.interval
        return min(self.interval, max(_seconds_until(due, self.pusher.clock.now()), 0.05))


def push_until_settled(
    pusher: Pusher,
    *,
    stop: threading.Event | None = None,
    poll_seconds: float = 5.0,
) -> None:
    """`outbox push --wait`: every pending entry now, then each as it falls due, until
    none is pending (or `stop` is set). New entries written meanwhile are sent too."""
    stop = stop or threading.Event()
    force = True
    while not stop.is_set():
        pusher.push(force=force)
        force = False
        due = pusher.next_due()
        if due is None:
            return
        if stop.wait(min(max(_seconds_until(due, pusher.clock.now()), 0.05), poll_seconds)):
            return


__all__ = [
    "BackgroundPusher",
    "OutboxChange",
    "Pusher",
    "RetryPolicy",
    "change_of",
    "command_of",
    "give_up_at",
    "push_until_settled",
]
