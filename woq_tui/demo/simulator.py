"""The live simulator of `woq-console demo`: new tickets arrive, open ones move on.

Each `step(now)` plays the time since the previous step (times `speed`, so the demo
queue visibly moves) as a Poisson process: arrivals follow the hour of day and the
station volumes of the generator; every open ticket moves to its next status with the
probability of its stage's mean duration (new -> dispatched -> accepted -> in_progress
-> resolved), complaints are sometimes escalated; a resolved ticket is surveyed
(satisfaction), reopened (back to in_progress) or archived (closed), as competing
chances whose rates give the generator's shares. Every change is one Core UPDATE that
bumps version, sets updated_at = now and adds a TicketEvent; an UPDATE whose version no
longer matches (a dispatcher reassigned the ticket meanwhile) is skipped, not forced,
so the concurrent change wins and the ticket is simply looked at again next step.

Deterministic: the same seed, the same database and the same step instants give the same
changes. `start(interval)` runs steps on a background thread, waiting on a
threading.Event between them (never a busy loop); `stop()` ends it.
"""

from __future__ import annotations

import logging
import math
import random
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, and_, func, insert, select, update

from woq_tui.demo.shape import (
    AREA_VOLUME,
    HOUR_TOTAL,
    HOUR_WEIGHTS,
    REOPEN,
    REOPEN_DEFAULT,
    RESPONSE_MEDIAN_MIN,
    SURVEYED,
    TICKETS_PER_STATION_DAY,
    WORDS_STREAM,
    TicketShape,
    poisson,
    satisfaction_of,
)
from woq_tui.domain.clock import Clock
from woq_tui.domain.contact_keys import address_key, phone_key
from woq_tui.domain.models import Station, Ticket, TicketEvent
from woq_tui.domain.sla import SlaPolicy
from woq_tui.domain.tables import table_of

# The tables as Core (typed) columns: SQLModel types a model's attributes as their values.
TICKET, STATION, EVENT = table_of(Ticket), table_of(Station), table_of(TicketEvent)

log = logging.getLogger(__name__)

# Mean simulated minutes a ticket stays in a status before its next step.
STAGE_MINUTES = {"new": 4, "dispatched": None, "accepted": 60}  # dispatched: by type (response)
RESOLVE_MINUTES = {"repair": 150, "consultation": 8 * 60, "complaint": 36 * 60}
RESOLVE_MINUTES_DEFAULT = 24 * 60
ESCALATE_MINUTES = 4 * 24 * 60  # an open complaint, per simulated time; x3 once overdue
OPERATOR = "SIM"
NEXT_STATUS = {"new": "dispatched", "dispatched": "accepted", "accepted": "in_progress", "in_progress": "resolved"}
# After resolution, three competing chances (mean simulated minutes): archiving, and
# before it the survey call and a reopening, at rates that give the generator's shares:
# P(surveyed before archived) = SURVEYED, P(reopened before archived) = REOPEN[type].
CLOSE_MINUTES = 18 * 60
SURVEY_MINUTES = CLOSE_MINUTES * (1 - SURVEYED) / SURVEYED
UNSATISFIED_REOPEN = 8  # an unsatisfied customer's ticket reopens this much more often
# Resolved tickets still waiting to be archived are looked for among those changed in
# this window (the updated_at index), not in the whole table: the generator archives
# everything well within it.
AFTER_CARE_WINDOW = timedelta(days=14)
SURVEY_NOTE = "回访：{}"
SURVEY_WORDS = {"satisfied": "满意", "basically_satisfied": "基本满意", "unsatisfied": "不满意"}
REOPEN_NOTE = "客户回访反映问题未解决"


@dataclass
class StepResult:
    """What one step changed: new ticket numbers, and (ticket_no, what) for the others."""

    created: list[str] = field(default_factory=list)
    changed: list[tuple[str, str]] = field(default_factory=list)
    skipped: int = 0  # updates lost to a concurrent change


class LiveSimulator:
    def __init__(
        self,
        engine: Engine,
        policy: SlaPolicy,
        clock: Clock,
        seed: int = 95598,
        speed: float = 12.0,
        interval_seconds: float = 5.0,
        max_gap: timedelta = timedelta(minutes=10),
        on_step: Callable[[StepResult], None] | None = None,
    ) -> None:
        self.engine = engine
        self.policy = policy
        self.clock = clock
        self.speed = speed
        self.interval_seconds = interval_seconds
        self.max_gap = max_gap
        # Called on the simulator's thread after each background step.
        self.on_step = on_step
        self.rng = random.Random(seed)
        self.shape = TicketShape(self.rng, policy, words=random.Random(seed ^ WORDS_STREAM))
        self._stations: list[tuple[str, str, str]] | None = None  # code, area, county
        self._area: dict[str, str] = {}
        self._station_cum: list[float] = []
        self._last: datetime | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.steps = 0
        self.errors = 0
        self.last_error: str | None = None

    # -- one step --------------------------------------------------------------------------

    def step(self, now: datetime) -> StepResult:
        """Play the time since the last step (the interval, the first time) up to now."""
        elapsed = timedelta(seconds=self.interval_seconds) if self._last is None else now - self._last
        elapsed = max(timedelta(0), min(elapsed, self.max_gap))
        self._last = now
        minutes = elapsed.total_seconds() * self.speed / 60
        result = StepResult()
        with self.engine.begin() as connection:
            stations = self._load_stations(connection)
            if not stations or minutes <= 0:
                return result
            # A ticket changes at most once a step: one reopened now is not moved on too.
            touched = self._after_care(connection, now, minutes, result)
            self._progress(connection, now, minutes, result, touched)
            self._arrivals(connection, now, minutes, result)
        self.steps += 1
        return result

    def _load_stations(self, connection) -> list[tuple[str, str, str]]:
        if self._stations is None:
            rows = connection.execute(select(STATION.c.code, STATION.c.area_type, STATION.c.name).order_by(STATION.c.code)).all()
            self._stations = [(code, area if area in AREA_VOLUME else "urban", name[:2]) for code, area, name in rows]
            self._area = {code: area for code, area, _county in self._stations}
            total, cum = 0.0, []
            for _code, area, _county in self._stations:
                total += AREA_VOLUME[area]
                cum.append(total)
            self._station_cum = cum
        return self._stations

    def _arrivals(self, connection, now: datetime, minutes: float, result: StepResult) -> None:
        rng = self.rng
        stations = self._stations or []
        hour = now.astimezone(self.policy.timezone).hour
        per_minute = len(stations) * TICKETS_PER_STATION_DAY / (24 * 60) * HOUR_WEIGHTS[hour] * 24 / HOUR_TOTAL
        count = poisson(rng, per_minute * minutes)
        if not count:
            return
        prefix = now.astimezone(self.policy.timezone).strftime("%Y%m%d")
        number = self._last_number(connection, prefix)
        for _ in range(count):
            code, area, county = rng.choices(stations, cum_weights=self._station_cum)[0]
            kind = self.shape.kind()
            number += 1
            ticket_no = f"{prefix}{number:06d}"
            summary, phone, address = self.shape.contact(area, county, kind)
            ticket_id = connection.execute(
                insert(TICKET).returning(TICKET.c.id),
                {
                    "ticket_no": ticket_no,
                    "type": kind,
                    "station_code": code,
                    "channel": self.shape.channel(),
                    "status": "new",
                    "created_at": now,
                    "due_at": self.policy.due_at(kind, area, now),
                    "escalated": False,
                    "dispatch_count": 0,
                    "reopen_count": 0,
                    "summary": summary,
                    "customer_phone": phone,
                    "address": address,
                    "phone_key": phone_key(phone),
                    "address_key": address_key(address),
                    "version": 1,
                    "updated_at": now,
                },
            ).scalar_one()
            self._event(connection, ticket_id, "created", now, to_station=code)
            result.created.append(ticket_no)

    @staticmethod
    def _last_number(connection, prefix: str) -> int:
        # Ticket numbers are the local date and a six-digit sequence (as the generator's).
        last = connection.execute(
            select(func.max(TICKET.c.ticket_no)).where(
                TICKET.c.ticket_no > prefix, TICKET.c.ticket_no < prefix + ":", func.length(TICKET.c.ticket_no) == 14
            )
        ).scalar_one()
        suffix = (last or "")[len(prefix) :]
        return int(suffix) if suffix.isdigit() else 0

    def _progress(self, connection, now: datetime, minutes: float, result: StepResult, touched: set[int]) -> None:
        rng = self.rng
        t = TICKET.c
        rows = connection.execute(
            select(t.id, t.ticket_no, t.type, t.status, t.station_code, t.due_at, t.version, t.escalated)
            .where(t.resolved_at.is_(None))
        ).all()
        rows.sort()  # by id, in Python: ORDER BY id would make SQLite scan the table
        for ticket_id, ticket_no, kind, status, station, due_at, version, escalated in rows:
            if ticket_id in touched:
                continue
            changes: dict = {}
            what = None
            mean = self._stage_minutes(kind, status)
            if mean is not None and rng.random() < 1 - math.exp(-minutes / mean):
                what = NEXT_STATUS[status]
                changes["status"] = what
                if what == "dispatched":
                    changes["dispatched_at"] = now
                    changes["dispatch_count"] = t.dispatch_count + 1
                elif what == "accepted":
                    changes["first_response_at"] = now
                elif what == "in_progress" and kind == "repair":
                    changes["arrived_at"] = now
                elif what == "resolved":
                    changes["resolved_at"] = now
            if kind == "complaint" and not escalated and "resolved_at" not in changes:
                hazard = ESCALATE_MINUTES / (3 if due_at is not None and due_at < now else 1)
                if rng.random() < 1 - math.exp(-minutes / hazard):
                    changes["escalated"] = True
            if not changes:
                continue
            if not self._update(connection, ticket_id, version, changes, now):
                result.skipped += 1
                continue
            if what is not None:
                kind_of_event = {"accepted": "responded", "in_progress": None}.get(what, what)
                if kind_of_event:
                    self._event(connection, ticket_id, kind_of_event, now, to_station=station if what == "dispatched" else None)
                result.changed.append((ticket_no, what))
            if changes.get("escalated"):
                self._event(connection, ticket_id, "escalated", now, note="客户多次来电催办，升级督办")
                result.changed.append((ticket_no, "escalated"))

    def _after_care(self, connection, now: datetime, minutes: float, result: StepResult) -> set[int]:
        """Survey, reopen or archive resolved tickets; the ids of those changed."""
        rng = self.rng
        t = TICKET.c
        rows = connection.execute(
            select(
                t.id, t.ticket_no, t.type, t.station_code, t.version, t.due_at, t.resolved_at, t.satisfaction,
                t.reopen_count,
            )
            .where(t.updated_at >= now - AFTER_CARE_WINDOW, t.resolved_at.is_not(None), t.closed_at.is_(None))
        ).all()
        rows.sort()
        touched: set[int] = set()
        for ticket_id, ticket_no, kind, station, version, due_at, resolved_at, satisfaction, reopens in rows:
            reopen_rate = self._reopen_rate(kind) * (UNSATISFIED_REOPEN if satisfaction == "unsatisfied" else 1)
            reopen = rng.random() < 1 - math.exp(-minutes * reopen_rate)
            survey = satisfaction is None and rng.random() < 1 - math.exp(-minutes / SURVEY_MINUTES)
            close = rng.random() < 1 - math.exp(-minutes / CLOSE_MINUTES)
            changes: dict[str, Any]
            if reopen:
                what, note = "reopened", REOPEN_NOTE
                # The survey was of the first resolution: the next one is asked again.
                changes = dict(
                    status="in_progress", resolved_at=None, satisfaction=None, reopen_count=t.reopen_count + 1
                )
            elif survey:
                overdue = due_at is not None and resolved_at > due_at
                mood = rng.random()
                answer = satisfaction_of(kind, self._area.get(station, "urban"), overdue, reopens > 0, mood)
                what, note = "surveyed", SURVEY_NOTE.format(SURVEY_WORDS[answer])
                changes = dict(satisfaction=answer)
            elif close:
                what, note = "closed", None
                changes = dict(status="closed", closed_at=now)
            else:
                continue
            if not self._update(connection, ticket_id, version, changes, now):
                result.skipped += 1
                continue
            touched.add(ticket_id)
            # A survey has no event kind of its own: it is an update, with the answer.
            self._event(connection, ticket_id, "updated" if what == "surveyed" else what, now, note=note)
            result.changed.append((ticket_no, what))
        return touched

    @staticmethod
    def _reopen_rate(kind: str) -> float:
        """Per simulated minute, so that P(reopened before archived) = REOPEN[kind]."""
        share = REOPEN.get(kind, REOPEN_DEFAULT)
        return share / (1 - share) / CLOSE_MINUTES

    @staticmethod
    def _update(connection, ticket_id: int, version: int, changes: dict, now: datetime) -> bool:
        """One guarded change: False (nothing written) when the ticket's version moved on."""
        t = TICKET.c
        return bool(
            connection.execute(
                update(TICKET)
                .where(and_(t.id == ticket_id, t.version == version))
                .values(**changes, version=t.version + 1, updated_at=now)
            ).rowcount
        )

    @staticmethod
    def _stage_minutes(kind: str, status: str) -> float | None:
        if status == "dispatched":
            return RESPONSE_MEDIAN_MIN.get(kind, 45) * 1.5
        if status == "in_progress":
            return RESOLVE_MINUTES.get(kind, RESOLVE_MINUTES_DEFAULT)
        return STAGE_MINUTES.get(status)

    @staticmethod
    def _event(connection, ticket_id: int, kind: str, at: datetime, to_station=None, note=None) -> None:
        connection.execute(
            insert(EVENT),
            {"ticket_id": ticket_id, "kind": kind, "at": at, "operator": OPERATOR, "to_station": to_station, "note": note},
        )

    # -- background thread -----------------------------------------------------------------

    def start(self, interval_seconds: float | None = None) -> None:
        if self._thread is not None:
            return
        if interval_seconds is not None:
            self.interval_seconds = interval_seconds
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="woq-demo-simulator", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def _run(self) -> None:
        while not self._stop.wait(self.interval_seconds):
            try:
                result = self.step(self.clock.now())
                if self.on_step is not None:
                    self.on_step(result)
            except Exception as exc:  # a locked or vanished database: try again next time
                self.errors += 1
                self.last_error = f"{type(exc).__name__}: {exc}".splitlines()[0]
                log.debug("simulator step failed", exc_info=True)
