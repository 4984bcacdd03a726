"""A year of 95598 work orders shaped like the source study (docs/demo.md).

The shape: about 325,000 tickets a year at 100 stations (linear in stations and days);
the type mix of the study; handling times log-normal around each ticket's own time
limit, so that about 18.9 % end up overdue and the mean handling time is about 26 h;
first responses about 45 min on average; rural and remote stations busier and slower,
urban ones quieter and better rated (woq_tui/demo/shape.py). The words (callers,
places, summaries: places.py, summaries.py) and the planted quality defects
(defects.py, ground truth in planted.py) draw from streams of their own, so that
neither moves the figures: a seed and an end instant give the same rows every time.

Speed: rows are built as plain tuples of epoch seconds and written inside one
transaction (a failed run leaves nothing behind): by COPY on PostgreSQL
(copy_writer.py), with SQLAlchemy Core executemany in batches on SQLite (writer.py).
"""

from __future__ import annotations

import math
import random
from bisect import bisect
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from operator import itemgetter
from statistics import NormalDist
from time import perf_counter

from sqlalchemy import Engine

from woq_tui.demo import defects, names, summaries
from woq_tui.demo.caller_store import CallerStore
from woq_tui.demo.copy_writer import EventSpool, copy_demo
from woq_tui.demo.pilot import PlantedPilot, planted_pilot
from woq_tui.demo.places import StationPlaces
from woq_tui.demo.planted import ROUTE_MIN_HISTORY, ROUTE_THRESHOLD, Planted, RuleTruth
from woq_tui.demo.shape import (  # noqa: F401  (re-exported: the simulator, tests and benches import them here)
    AREA_OVERDUE,
    AREA_RESPONSE,
    AREA_VOLUME,
    CLOSE_MU,
    DAY,
    DEFECTS_STREAM,
    ESCALATION,
    EVENT_DAYS,
    HOUR,
    HOUR_CUM,
    HOUR_TOTAL,
    HOUR_WEIGHTS,
    MISCLASSIFIED_TYPES,
    OVERRUN_CAP,
    REDISPATCH,
    REOPEN,
    REOPEN_DEFAULT,
    RESPONSE_MEDIAN_MIN,
    RESPONSE_SIGMA,
    STORM_DAY,
    STORM_REACH,
    STORM_SURGE,
    SURVEYED,
    TICKETS_PER_STATION_DAY,
    TYPE_MIX,
    TYPES,
    WORDS_STREAM,
    StationSpec,
    TicketShape,
    Window,
    make_stations,
    poisson,
    satisfaction_of,
)
from woq_tui.demo.writer import (  # noqa: F401  (re-exported, as above)
    BATCH,
    TICKET_COLUMNS,
    EventSink,
    NotEmptyError,
    batched,
    figure_indexes_built_after,
    holds_data,
    insert_stations,
    insert_tickets,
    is_empty,
    write_events,
)
from woq_tui.domain.sla import SlaPolicy
from woq_tui.domain.timestamps import from_epoch, to_epoch
from woq_tui.store.collection_pause import collections_paused

_ADDRESS, _ADDRESS_KEY = TICKET_COLUMNS.index("address"), TICKET_COLUMNS.index("address_key")
# (arrival, station index): a draft's type (None or a str) is never compared
_ARRIVAL_ORDER = itemgetter(0, 1)


@dataclass
class GenerateResult:
    stations: int = 0
    tickets: int = 0
    events: int = 0
    open: int = 0
    seconds: float = 0.0
    index_seconds: float = 0.0  # PostgreSQL: building the indexes after the COPY
    analyze_seconds: float = 0.0
    pilot: PlantedPilot | None = None  # docs/demo.md, "The planted pilot"
    planted: Planted | None = None  # docs/demo.md, "Planted defects"


class Generator:
    def __init__(
        self, policy: SlaPolicy, seed: int, stations: int, days: int, end: datetime, planted: bool = False
    ) -> None:
        if stations < 1 or days < 1:
            raise ValueError("stations and days must be at least 1")
        self.policy = policy
        self.seed = seed
        self.end = to_epoch(end)
        self.start = self.end - days * DAY
        self.days = days
        self.rng = random.Random(seed)
        self.station_specs = make_stations(self.rng, stations)
        self.shape = TicketShape(self.rng, policy)
        # docs/demo.md, "The planted pilot": a few stations improve from a known date
        self.pilot = planted_pilot([spec.code for spec in self.station_specs], self.start, self.end, policy.timezone)
        # where the events go as tickets are made (a list, or a spool on disk: copy_writer.py)
        self.events: EventSink = []
        self.open = 0
        self._z: dict[tuple[str, str], tuple[float, float]] = {}
        # docs/demo.md, "Callers and places" and "Planted defects"
        self.words = random.Random(seed ^ WORDS_STREAM)
        self.flaws = random.Random(seed ^ DEFECTS_STREAM)
        used: set[str] = set()
        self.places: dict[str, StationPlaces] = {}
        self.callers = CallerStore()  # temporary files: the callers, the history; `with generator.callers:`
        addresses = 0  # each station's addresses are numbered after the previous station's
        for spec in self.station_specs:
            places = self.places[spec.code] = StationPlaces(self.words, spec, used, addresses, self.callers.station())
            addresses += places.addresses
        self.neighbours = defects.neighbours(self.station_specs)
        self._positions = {spec.code: index for index, spec in enumerate(self.station_specs)}
        # planted: collect the ground truth of every rule (woq_tui/demo/planted.py), a
        # little slower; else only the address history the misrouting needs.
        self.truth = RuleTruth(self.end, rules=planted, addresses=addresses, files=self.callers)

    # -- tickets ---------------------------------------------------------------------------

    def tickets(self) -> Iterator[tuple]:
        """Ticket rows (TICKET_COLUMNS order), day by day, numbered in creation order."""
        rng = self.rng
        window = Window.build(self.start, self.end, self.policy)
        # Scale the day shares so that the window holds exactly the linear target.
        total_share = sum(day[4] for day in window.days)
        per_share = TICKETS_PER_STATION_DAY * self.days / total_share if total_share else 0
        specs = self.station_specs
        stormy = [spec for spec in specs if spec.area != "urban"]
        # Storm repairs come on top of the normal arrivals: take their expectation out.
        storm_volume = sum(spec.volume for spec in stormy) / len(specs)
        per_share /= 1 + STORM_DAY * STORM_REACH * storm_volume * TYPE_MIX[0][1] * (STORM_SURGE - 1)
        for day_start, lo, hi, length, share in window.days:
            storm = set()
            if stormy and rng.random() < STORM_DAY:
                storm = {spec.code for spec in stormy if rng.random() < STORM_REACH}
            drafts: list[tuple[int, int, str | None]] = []  # (arrival, station index, type or None: drawn)
            for index, spec in enumerate(specs):
                lam = per_share * share * spec.volume
                for _ in range(poisson(rng, lam)):
                    drafts.append((self._arrival(day_start, lo, hi, length), index, None))
                if spec.code in storm:
                    for _ in range(poisson(rng, lam * TYPE_MIX[0][1] * (STORM_SURGE - 1))):
                        drafts.append((self._arrival(day_start, lo, hi, length), index, "repair"))
            drafts.sort(key=_ARRIVAL_ORDER)  # stable: a station's own draws keep their order
            prefix = from_epoch(day_start).astimezone(self.policy.timezone).strftime("%Y%m%d")
            for number, (created, index, kind) in enumerate(drafts, start=1):
                yield self._ticket(f"{prefix}{number:06d}", specs[index], created, day_start, kind)

    def _arrival(self, day_start: int, lo: int, hi: int, length: int) -> int:
        rng = self.rng
        hour_length = length / 24
        while True:
            hour = bisect(HOUR_CUM, rng.random() * HOUR_TOTAL)
            second = int(((hour if hour < 23 else 23) + rng.random()) * hour_length)
            if lo <= second < hi:
                return day_start + second

    def _overdue_z(self, kind: str, spec: StationSpec) -> tuple[float, float]:
        key = (kind, spec.code)
        found = self._z.get(key)
        if found is None:
            shape = TYPES[kind]
            p = min(0.9, max(0.005, shape.overdue * AREA_OVERDUE[spec.area] * spec.performance))
            found = self._z[key] = (shape.sigma, NormalDist().inv_cdf(1 - p))
        return found

    def _ticket(self, ticket_no: str, spec: StationSpec, created: int, day_start: int, kind: str | None) -> tuple:
        """One ticket's whole life, then what of it is known at the end instant."""
        rng = self.rng
        uniform = rng.random
        end = self.end
        area = spec.area
        kind = kind or self.shape.kind()
        flaw = defects.draws(self.flaws)
        channel = self.shape.channel()
        due = self.shape.due(kind, area, created, day_start)
        # Handling: log-normal, placed so that P(handling > this ticket's limit) is the
        # overdue probability of its type, area and station.
        sigma, z = self._overdue_z(kind, spec)
        if self.pilot is not None:
            z = self.pilot.overdue_z(spec.code, created, z)
        limit = max(due - created, 600)
        handling = max(300, int(rng.lognormvariate(math.log(limit) - sigma * z, sigma)))
        if handling > limit:  # the log-normal tail, tamed: a late ticket is chased
            handling = limit + int(OVERRUN_CAP * -math.expm1(-(handling - limit) / OVERRUN_CAP))
        if kind == "complaint":
            handling = defects.too_fast(flaw) or handling
        resolved: int | None  # None once it turns out not resolved by the end instant
        resolved = created + handling
        overdue = resolved > due
        # First response: contact by the station (on site for repairs); praise needs none.
        median = RESPONSE_MEDIAN_MIN[kind] * 60 * AREA_RESPONSE[area]
        delay = max(30, min(int(rng.lognormvariate(math.log(median), RESPONSE_SIGMA)), handling * 6 // 10))
        dispatched: int | None
        dispatched = created + max(20, int(delay * (0.1 + 0.4 * uniform())))
        responded = None if kind == "praise" else created + delay
        contacted = responded or dispatched
        started = contacted + int((resolved - contacted) * (0.15 + 0.35 * uniform()))
        caller = self.places[spec.code].caller(kind, created)
        recorded = spec
        if flaw[1] < defects.MISROUTED:
            recorded = self._recorded_station(ticket_no, spec, created, caller.address_id, flaw)
        # Repeat dispatch (mostly a wrong type or station), escalation, reopening: each at
        # a time inside the ticket's life.
        reassigned_at = from_station = None
        extra_dispatches = 0
        if uniform() < REDISPATCH[area] * (2 if kind in MISCLASSIFIED_TYPES else 1):
            extra_dispatches = 2 if uniform() < 0.15 else 1
            reassigned_at = dispatched + int((resolved - dispatched) * (0.05 + 0.2 * uniform()))
            from_station = self._other_station(recorded)
        escalated_at = None
        if uniform() < ESCALATION.get(kind, 0.002) * (2.5 if overdue else 1):
            if overdue:
                escalated_at = due + int((resolved - due) * (0.1 + 0.7 * uniform()))
            else:
                escalated_at = created + int(handling * (0.3 + 0.6 * uniform()))
        reopened_at = first_resolved = None
        if uniform() < REOPEN.get(kind, REOPEN_DEFAULT):
            first_resolved = created + int(handling * (0.3 + 0.3 * uniform()))
            reopened_at = first_resolved + min(names.between(rng, HOUR, DAY), (resolved - first_resolved) // 2)
        closed: int | None
        closed = resolved + max(600, int(rng.lognormvariate(CLOSE_MU, 0.8)))
        if flaw[0] < defects.TEXT_BAND:
            summary = self._summary(ticket_no, kind, caller.place, flaw)
        else:
            summary = summaries.summary(self.words, kind, caller.place)
        surveyed, mood = uniform() < SURVEYED, uniform()
        if kind in defects.SURVEY_DUTY_TYPES:  # repairs and complaints must be surveyed (回访)
            surveyed = not defects.survey_missed(flaw)

        # What is known at the end instant: later times are not there yet.
        satisfaction = None
        if resolved <= end:
            status = "resolved"
            if closed <= end:
                status = "closed"
                if surveyed:
                    satisfaction = satisfaction_of(kind, area, overdue, reopened_at is not None, mood)
            else:
                closed = None
        else:
            self.open += 1
            resolved = closed = None
            if end < dispatched:
                status = "new"
            elif responded is None or end < responded:
                status = "dispatched"
            elif end < started:
                status = "accepted"
            else:
                status = "in_progress"
        if dispatched > end:
            dispatched = None
        if responded is not None and responded > end:
            responded = None
        arrived = started if kind == "repair" and started <= end else None
        if reassigned_at is not None and reassigned_at > end:
            reassigned_at = None
        if escalated_at is not None and escalated_at > end:
            escalated_at = None
        if reopened_at is not None and reopened_at > end:
            reopened_at = first_resolved = None
        dispatch_count = 0 if dispatched is None else 1 + (extra_dispatches if reassigned_at else 0)
        # Every other change of a ticket lies before its resolution and archiving.
        updated = closed or resolved
        if updated is None:
            updated = max(
                value
                for value in (created, dispatched, responded, arrived, reassigned_at, escalated_at, reopened_at)
                if value is not None
            )
        recent = created >= end - EVENT_DAYS * DAY
        if recent or reassigned_at or escalated_at or reopened_at:
            self._remember_events(
                ticket_no, recorded, created, dispatched, responded, reassigned_at, from_station,
                escalated_at, first_resolved, reopened_at, resolved, closed, full=recent,
            )  # fmt: skip
        row = [
            ticket_no, kind, recorded.code, channel, status, created, responded, dispatched, arrived, resolved,
            closed, due, escalated_at is not None, dispatch_count, 1 if reopened_at else 0, satisfaction,
            summary, caller.phone, caller.address, 1, updated, caller.phone_key, caller.address_key,
        ]  # fmt: skip
        if flaw[2] < defects.FIELD_BAND or flaw[3] < defects.RECORD_BAND:
            planted = defects.plant_record(row, kind, flaw)
            if planted == "due_mismatch":
                self.truth.due_mismatch(ticket_no)
            if not row[_ADDRESS]:  # blanked (missing_address)
                row[_ADDRESS_KEY] = None
        self.truth.observe(ticket_no, kind, row, caller.address_id, spec.code)
        return tuple(row)

    def _recorded_station(self, ticket_no: str, spec: StationSpec, created: int, address: int, flaw) -> StationSpec:
        """The station the ticket is sent to: its own, or (planted) a neighbour's when the
        address's history is its own station's, as docs/audit.md's station_suspect can see it
        (docs/demo.md, "Planted defects")."""
        counts = self.truth.history(address, spec.code, created)
        total = sum(counts.values())
        neighbours = self.neighbours[spec.code]
        if not neighbours or total < ROUTE_MIN_HISTORY:
            return spec
        if counts.get(spec.code, 0) < ROUTE_THRESHOLD * total:
            return spec
        self.truth.misrouted(ticket_no, spec.code)
        return neighbours[int(flaw[4] * len(neighbours))]

    def _summary(self, ticket_no: str, kind: str, place: str, flaw) -> str | None:
        """What the agent typed: of the ticket's type, or (planted) of the type it really
        is, or (planted) next to nothing."""
        short = defects.short_summary(flaw)
        if short is not False:
            return short
        true_type = defects.true_type(kind, flaw)
        if true_type is not None:
            self.truth.misclassified(ticket_no, true_type)
        return summaries.summary(self.words, true_type or kind, place)

    def _other_station(self, spec: StationSpec) -> str:
        specs = self.station_specs
        if len(specs) == 1:
            return spec.code
        # One draw whatever the station: a redraw loop would make the main stream's use
        # depend on the recorded station, hence on the addresses, hence on the words'
        # stream, and any change of vocabulary would move the arrivals (docs/demo.md).
        index = int(self.rng.random() * (len(specs) - 1))
        own = self._positions[spec.code]  # specs.index(spec) compared whole dataclasses: O(stations)
        return specs[index + (index >= own)].code

    def _remember_events(
        self, ticket_no, spec, created, dispatched, responded, reassigned_at, from_station,
        escalated_at, first_resolved, reopened_at, resolved, closed, full: bool,
    ) -> None:  # fmt: skip
        rng = self.rng
        agent = f"A{names.between(rng, 1001, 1099)}"
        worker = f"{spec.code}-{names.between(rng, 1, 12):02d}"
        out = self.events
        first_station = from_station or spec.code
        if full:
            out.append((ticket_no, "created", created, agent, None, None, None))
            if dispatched is not None:
                out.append((ticket_no, "dispatched", dispatched, agent, None, first_station, None))
            if responded is not None:
                out.append((ticket_no, "responded", responded, worker, None, None, None))
        if reassigned_at is not None:
            reason = names.pick(rng, names.REASSIGN_REASONS)
            out.append((ticket_no, "reassigned", reassigned_at, agent, from_station, spec.code, reason))
        if escalated_at is not None:
            out.append((ticket_no, "escalated", escalated_at, agent, None, None, "客户不满意处理进度，升级督办"))
        if reopened_at is not None:
            if full:
                out.append((ticket_no, "resolved", first_resolved, worker, None, None, None))
            out.append((ticket_no, "reopened", reopened_at, agent, None, None, "客户回访反映问题未解决"))
        if full and resolved is not None:
            out.append((ticket_no, "resolved", resolved, worker, None, None, None))
        if full and closed is not None:
            out.append((ticket_no, "closed", closed, agent, None, None, None))


def generate(
    engine: Engine,
    policy: SlaPolicy,
    *,
    seed: int,
    stations: int,
    days: int,
    end: datetime,
    progress: Callable[[int], None] | None = None,
    batch_size: int = BATCH,
    planted: bool = False,
) -> GenerateResult:
    """Write stations, tickets and events into an empty, migrated database; with
    `planted`, the result carries the ground truth of the planted defects too."""
    began = perf_counter()
    generator = Generator(policy, seed, stations, days, end, planted=planted)
    result = GenerateResult(stations=len(generator.station_specs))
    # The collector held off while the rows are made: its full passes walked the
    # generator's state again and again while freeing nothing (no cycles): 25 % of the
    # CPU at 3,000 stations × 20 days while the callers were millions of tuples of
    # strings (docs/demo.md, "A province"; now packed ints, mostly on disk).
    with generator.callers, collections_paused(), engine.begin() as connection:
        if holds_data(connection):
            raise NotEmptyError("the database already holds stations or tickets")
        insert_stations(connection, generator.station_specs)
        if connection.dialect.name == "postgresql":  # a province: COPY (docs/demo.md, "A province")
            spool = generator.events = EventSpool()
            copied = copy_demo(connection, generator.tickets(), spool, progress)
            result.tickets, result.events, result.index_seconds = copied.tickets, copied.events, copied.index_seconds
        else:
            events: list[tuple] = []
            generator.events = events
            with figure_indexes_built_after(connection):
                areas = {spec.code: spec.area for spec in generator.station_specs}
                result.tickets = insert_tickets(connection, generator.tickets(), areas, batch_size, progress)
            result.events = write_events(connection, events, batch_size)
    # The planner's statistics of what was just written: without them SQLite plans the
    # audit's repeat lookups as scans, minutes instead of seconds on a year (docs/audit.md,
    # "Speed"); the importer and the migrations end the same way. PostgreSQL: VACUUM as
    # well, which marks the pages all-visible; until autovacuum came round every
    # index-only scan read the table too (the 10M province's year on the station screen
    # 49.6 s before, 6.7 s after; docs/demo.md, "A province"). VACUUM runs outside a
    # transaction.
    analyzing = perf_counter()
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("VACUUM (ANALYZE)")
    else:
        with engine.begin() as connection:
            connection.exec_driver_sql("ANALYZE")
    result.analyze_seconds = perf_counter() - analyzing
    result.open = generator.open
    result.pilot = generator.pilot
    result.planted = generator.truth.planted() if planted else None
    result.seconds = perf_counter() - began
    return result


def planted_defects(
    seed: int, stations: int, days: int, end: datetime, policy: SlaPolicy | None = None
) -> Planted:
    """The ground truth of `generate(seed=…, stations=…, days=…, end=…)` with this SLA
    policy (default: the built-in limits; pass `settings.sla_policy()` when [sla] is
    configured), rebuilt in memory: no database is touched."""
    generator = Generator(policy or SlaPolicy(), seed, stations, days, end, planted=True)
    with generator.callers:
        for _row in generator.tickets():
            pass
    return generator.truth.planted()
