"""A year of 95598 work orders shaped like the source study (docs/demo.md).

The shape: about 325,000 tickets a year at 100 stations (linear in stations and days);
the type mix of the study; handling times log-normal around each ticket's own time
limit, so that about 18.9 % end up overdue and the mean handling time is about 26 h;
first responses about 45 min on average; rural and remote stations busier and slower,
urban ones quieter and better rated. Everything draws from one `random.Random(seed)`,
so a seed and an end instant give the same rows every time.

Speed: rows are built as plain tuples of epoch seconds and written with SQLAlchemy Core
executemany in batches, inside one transaction (a failed run leaves nothing behind).
"""

from __future__ import annotations

import math
import random
from bisect import bisect
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from statistics import NormalDist
from time import perf_counter
from typing import Callable, Iterable, Iterator, NamedTuple

from sqlalchemy import Engine, column, func, select, table

from woq_tui.demo import names
from woq_tui.demo.pilot import PlantedPilot, planted_pilot
from woq_tui.domain.models import Station, Ticket, TicketEvent
from woq_tui.domain.sla import SlaPolicy
from woq_tui.domain.stations import station_initials
from woq_tui.domain.timestamps import from_epoch, to_epoch

DAY = 86_400
HOUR = 3_600

# The source study: 325,000 tickets a year at 100 stations.
TICKETS_PER_STATION_DAY = 325_000 / 100 / 365

class TypeShape(NamedTuple):
    share: float  # of all tickets
    overdue: float  # probability of ending overdue, before the area and station factors
    sigma: float  # of the log-normal handling time
    response_min: float  # median first response (on site for repairs), minutes


# The study's mix; its "other" (17.2 %) holds report, service_request and praise too.
# The handling time is log-normal with the type's sigma, placed for each ticket so that
# P(handling > its own limit) is the overdue probability: long-limit types are rarely
# late, repairs (hours) often. Tuned so that the year comes out at 18.9 % and 26 h.
TYPES = {
    "repair": TypeShape(0.367, 0.34, 0.8, 26),
    "consultation": TypeShape(0.282, 0.11, 1.05, 11),
    "complaint": TypeShape(0.123, 0.075, 1.05, 50),
    "suggestion": TypeShape(0.056, 0.04, 1.2, 48),
    "other": TypeShape(0.125, 0.045, 1.2, 48),
    "service_request": TypeShape(0.030, 0.06, 1.15, 48),
    "report": TypeShape(0.012, 0.04, 1.15, 48),
    "praise": TypeShape(0.005, 0.02, 1.2, 48),
}
TYPE_MIX = tuple((kind, shape.share) for kind, shape in TYPES.items())
RESPONSE_MEDIAN_MIN = {kind: shape.response_min for kind, shape in TYPES.items()}
AREA_SHARE = (("urban", 0.25), ("rural", 0.55), ("remote", 0.20))
# Relative order volume of a station by area (normalised, so the total stays).
AREA_VOLUME = {"urban": 0.70, "rural": 1.12, "remote": 1.05}
AREA_OVERDUE = {"urban": 0.55, "rural": 1.12, "remote": 1.30}
RESPONSE_SIGMA = 0.9
AREA_RESPONSE = {"urban": 0.80, "rural": 1.08, "remote": 1.30}
REDISPATCH = {"urban": 0.020, "rural": 0.035, "remote": 0.045}
MISCLASSIFIED_TYPES = {"other", "service_request", "report", "consultation"}
ESCALATION = {"complaint": 0.07, "repair": 0.004}
# How far past its limit a late ticket runs: the log-normal overrun, bent smoothly so it
# never exceeds this (x (1 - e^(-x/cap))); hours-long overruns are barely changed, but
# no ticket stays open for months (an overdue ticket is escalated and chased).
OVERRUN_CAP = 10 * DAY
REOPEN = {"complaint": 0.04}
REOPEN_DEFAULT = 0.015
SURVEYED = 0.72
CLOSE_MU = math.log(18 * HOUR)  # archived a median 18 h after resolution (after the survey call)
REPEAT_CALLER = 0.2  # a ticket from someone who called this station before
# (satisfied, basically satisfied) by area; the rest unsatisfied.
SATISFACTION = {"urban": (0.86, 0.11), "rural": (0.74, 0.17), "remote": (0.70, 0.19)}
CHANNELS = (("phone", 0.62), ("app", 0.20), ("wechat", 0.12), ("web", 0.04), ("other", 0.02))
# Arrivals by local hour of day: a morning and an evening peak, quiet nights.
HOUR_WEIGHTS = (
    0.6, 0.4, 0.3, 0.25, 0.25, 0.4, 0.9, 2.0, 4.0, 5.5, 5.8, 5.2,
    4.0, 3.8, 4.6, 4.9, 4.7, 4.3, 4.4, 4.8, 4.5, 3.6, 2.4, 1.3,
)
WEEKDAY_VOLUME = (1.08, 1.03, 1.0, 1.0, 1.0, 0.95, 0.94)
# Days with a storm: the repairs of some rural and remote stations multiply.
STORM_DAY = 0.03
STORM_SURGE = 2.5
STORM_REACH = 0.3  # the share of rural and remote stations a storm hits
# Full event histories for the tickets of the last days; older tickets keep only their
# reassigned, escalated and reopened events (the ones a supervisor looks back for).
EVENT_DAYS = 14
BATCH = 5_000

TICKET_COLUMNS = (
    "ticket_no", "type", "station_code", "channel", "status", "created_at", "first_response_at",
    "dispatched_at", "arrived_at", "resolved_at", "closed_at", "due_at", "escalated",
    "dispatch_count", "reopen_count", "satisfaction", "summary", "customer_phone", "address",
    "version", "updated_at",
)  # fmt: skip
EVENT_COLUMNS = ("ticket_id", "kind", "at", "operator", "from_station", "to_station", "note")
# Untyped Core tables: epoch seconds go in as the integers they already are.
_tickets = table(Ticket.__tablename__, *(column(name) for name in TICKET_COLUMNS))
_events = table(TicketEvent.__tablename__, *(column(name) for name in EVENT_COLUMNS))
_stations = table(Station.__tablename__, *(column(name) for name in ("code", "name", "area_type", "initials")))


def _cumulative(pairs) -> tuple[tuple[str, ...], list[float]]:
    codes = tuple(code for code, _ in pairs)
    total, cum = 0.0, []
    for _, weight in pairs:
        total += weight
        cum.append(total)
    return codes, [value / total for value in cum]


TYPE_CODES, TYPE_CUM = _cumulative(TYPE_MIX)
CHANNEL_CODES, CHANNEL_CUM = _cumulative(CHANNELS)
HOUR_TOTAL = sum(HOUR_WEIGHTS)


class NotEmptyError(Exception):
    """The target database already holds stations or tickets."""


@dataclass(frozen=True)
class StationSpec:
    code: str
    name: str
    area: str
    initials: str
    county: str
    volume: float  # relative order volume (mean 1 over the stations)
    performance: float  # multiplies the overdue probability (1 = average)


@dataclass
class GenerateResult:
    stations: int = 0
    tickets: int = 0
    events: int = 0
    open: int = 0
    seconds: float = 0.0
    pilot: PlantedPilot | None = None  # docs/demo.md, "The planted pilot"


class TicketShape:
    """The draws a new ticket needs; shared by the generator and the live simulator."""

    def __init__(self, rng: random.Random, policy: SlaPolicy) -> None:
        self.rng = rng
        self.policy = policy
        self._limits: dict[tuple[str, str], int | None] = {}
        self._due_midnight: dict[tuple[str, str, int], int] = {}

    def kind(self) -> str:
        return TYPE_CODES[bisect(TYPE_CUM, self.rng.random())]

    def channel(self) -> str:
        return CHANNEL_CODES[bisect(CHANNEL_CUM, self.rng.random())]

    def due(self, kind: str, area: str, created: int, day_start: int) -> int:
        """The policy's due time (SlaPolicy.due_at), as epoch seconds, cached by day.

        Working-day limits keep the local time of day, so the due instant is the due
        day's local midnight plus the seconds since the creation day's local midnight
        (exact for a zone without daylight saving that day, like China's).
        """
        key = (kind, area)
        minutes = self._limits.get(key, -1)
        if minutes == -1:
            minutes = self._limits[key] = self.policy.limit(kind, area).resolve_minutes
        if minutes is not None:
            return created + minutes * 60
        day_key = (kind, area, day_start)
        midnight = self._due_midnight.get(day_key)
        if midnight is None:
            midnight = to_epoch(self.policy.due_at(kind, area, from_epoch(day_start)))
            self._due_midnight[day_key] = midnight
        return midnight + (created - day_start)

    def contact(self, area: str, county: str, kind: str) -> tuple[str, str, str]:
        """summary, phone, address"""
        rng = self.rng
        return names.summary(rng, kind), names.phone(rng), names.address(rng, area, county)


def make_stations(rng: random.Random, count: int) -> list[StationSpec]:
    """count stations over the three areas, rural and remote the majority."""
    urban = round(count * AREA_SHARE[0][1])
    remote = round(count * AREA_SHARE[2][1])
    if count >= 3:
        urban, remote = max(urban, 1), max(remote, 1)
    rural = count - urban - remote
    areas = ["urban"] * urban + ["rural"] * rural + ["remote"] * remote
    rng.shuffle(areas)
    used: set[str] = set()
    drafts = []
    for area in areas:
        name, county = names.station_name(rng, area, used)
        volume = AREA_VOLUME[area] * rng.lognormvariate(0, 0.22)
        performance = rng.lognormvariate(0, 0.25)
        drafts.append((name, county, area, volume, performance))
    mean_volume = sum(draft[3] for draft in drafts) / max(len(drafts), 1)
    width = max(3, len(str(count)))
    return [
        StationSpec(f"S{index:0{width}d}", name, area, station_initials(name), county, volume / mean_volume, perf)
        for index, (name, county, area, volume, perf) in enumerate(drafts, start=1)
    ]


def poisson(rng: random.Random, lam: float) -> int:
    if lam <= 0:
        return 0
    if lam >= 30:
        return max(0, round(rng.gauss(lam, math.sqrt(lam))))
    limit, k, product = math.exp(-lam), 0, rng.random()
    while product > limit:
        k += 1
        product *= rng.random()
    return k


def _season(day_of_year: int) -> float:
    # Peaks in mid-July (air conditioning) and a smaller one in January (heating).
    return 1 + 0.12 * math.cos(2 * math.pi * (day_of_year - 196) / 365) + 0.04 * math.cos(
        4 * math.pi * (day_of_year - 15) / 365
    )


@dataclass
class _Window:
    """The local days of [start, end) and the share of each day's arrivals inside it."""

    # (local midnight, first and end second of the day inside the window, day length, share)
    days: list[tuple[int, int, int, int, float]] = field(default_factory=list)

    @classmethod
    def build(cls, start: int, end: int, policy: SlaPolicy) -> "_Window":
        tz = policy.timezone
        window = cls()
        local = from_epoch(start).astimezone(tz)
        day = datetime.combine(local.date(), datetime.min.time(), tzinfo=tz)
        while to_epoch(day) < end:
            day_start = to_epoch(day)
            following = to_epoch(datetime.combine(day.date() + timedelta(days=1), datetime.min.time(), tzinfo=tz))
            lo, hi = max(start, day_start) - day_start, min(end, following) - day_start
            length = following - day_start
            inside = sum(
                weight * max(0, min(hi, (hour + 1) * length / 24) - max(lo, hour * length / 24)) / (length / 24)
                for hour, weight in enumerate(HOUR_WEIGHTS)
            )
            share = inside / HOUR_TOTAL * _season(day.timetuple().tm_yday) * WEEKDAY_VOLUME[day.weekday()]
            window.days.append((day_start, lo, hi, length, share))
            day = datetime.combine(day.date() + timedelta(days=1), datetime.min.time(), tzinfo=tz)
        return window


class Generator:
    def __init__(self, policy: SlaPolicy, seed: int, stations: int, days: int, end: datetime) -> None:
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
        self.events: list[tuple] = []
        self.open = 0
        self._z: dict[tuple[str, str], tuple[float, float]] = {}
        self._customers: dict[str, list[tuple[str, str]]] = {}

    # -- tickets ---------------------------------------------------------------------------

    def tickets(self) -> Iterator[tuple]:
        """Ticket rows (TICKET_COLUMNS order), day by day, numbered in creation order."""
        rng = self.rng
        window = _Window.build(self.start, self.end, self.policy)
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
            drafts = []
            for index, spec in enumerate(specs):
                lam = per_share * share * spec.volume
                for _ in range(poisson(rng, lam)):
                    drafts.append((self._arrival(day_start, lo, hi, length), index, None))
                if spec.code in storm:
                    for _ in range(poisson(rng, lam * TYPE_MIX[0][1] * (STORM_SURGE - 1))):
                        drafts.append((self._arrival(day_start, lo, hi, length), index, "repair"))
            drafts.sort(key=lambda draft: (draft[0], draft[1]))
            prefix = from_epoch(day_start).astimezone(self.policy.timezone).strftime("%Y%m%d")
            for number, (created, index, kind) in enumerate(drafts, start=1):
                yield self._ticket(f"{prefix}{number:06d}", specs[index], created, day_start, kind)

    def _arrival(self, day_start: int, lo: int, hi: int, length: int) -> int:
        rng = self.rng
        hour_length = length / 24
        while True:
            hour = bisect(_HOUR_CUM, rng.random() * HOUR_TOTAL)
            second = int((min(hour, 23) + rng.random()) * hour_length)
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

    def _customer(self, spec: StationSpec) -> tuple[str, str]:
        """(phone, address): a new caller, or now and then one who called before."""
        rng = self.rng
        known = self._customers.setdefault(spec.code, [])
        if known and rng.random() < REPEAT_CALLER:
            return names.pick(rng, known)
        customer = (names.phone(rng), names.address(rng, spec.area, spec.county))
        known.append(customer)
        return customer

    def _ticket(self, ticket_no: str, spec: StationSpec, created: int, day_start: int, kind: str | None) -> tuple:
        """One ticket's whole life, then what of it is known at the end instant."""
        rng = self.rng
        uniform = rng.random
        end = self.end
        area = spec.area
        kind = kind or self.shape.kind()
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
        resolved = created + handling
        overdue = resolved > due
        # First response: contact by the station (on site for repairs); praise needs none.
        median = RESPONSE_MEDIAN_MIN[kind] * 60 * AREA_RESPONSE[area]
        delay = max(30, min(int(rng.lognormvariate(math.log(median), RESPONSE_SIGMA)), handling * 6 // 10))
        dispatched = created + max(20, int(delay * (0.1 + 0.4 * uniform())))
        responded = None if kind == "praise" else created + delay
        contacted = responded or dispatched
        started = contacted + int((resolved - contacted) * (0.15 + 0.35 * uniform()))
        # Repeat dispatch (mostly a wrong type or station), escalation, reopening: each at
        # a time inside the ticket's life.
        reassigned_at = from_station = None
        extra_dispatches = 0
        if uniform() < REDISPATCH[area] * (2 if kind in MISCLASSIFIED_TYPES else 1):
            extra_dispatches = 2 if uniform() < 0.15 else 1
            reassigned_at = dispatched + int((resolved - dispatched) * (0.05 + 0.2 * uniform()))
            from_station = self._other_station(spec)
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
        closed = resolved + max(600, int(rng.lognormvariate(CLOSE_MU, 0.8)))
        summary = names.summary(rng, kind)
        phone, address = self._customer(spec)
        surveyed, mood = uniform() < SURVEYED, uniform()

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
                ticket_no, spec, created, dispatched, responded, reassigned_at, from_station,
                escalated_at, first_resolved, reopened_at, resolved, closed, full=recent,
            )  # fmt: skip
        return (
            ticket_no, kind, spec.code, channel, status, created, responded, dispatched, arrived, resolved,
            closed, due, escalated_at is not None, dispatch_count, 1 if reopened_at else 0, satisfaction,
            summary, phone, address, 1, updated,
        )  # fmt: skip

    def _other_station(self, spec: StationSpec) -> str:
        specs = self.station_specs
        if len(specs) == 1:
            return spec.code
        while True:
            other = names.pick(self.rng, specs)
            if other.code != spec.code:
                return other.code

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


def satisfaction_of(kind: str, area: str, overdue: bool, reopened: bool, mood: float) -> str:
    """The answer to the survey call, for a mood drawn in [0, 1)."""
    satisfied, basic = SATISFACTION[area]
    if kind == "praise":
        satisfied, basic = 0.97, 0.03
    penalty = (0.25 if overdue else 0) + (0.15 if kind == "complaint" else 0) + (0.2 if reopened else 0)
    satisfied = max(0.2, satisfied - penalty)
    if mood < satisfied:
        return "satisfied"
    if mood < satisfied + basic + penalty / 2:
        return "basically_satisfied"
    return "unsatisfied"


_HOUR_CUM = [sum(HOUR_WEIGHTS[: hour + 1]) for hour in range(24)]


def batched(rows: Iterable[tuple], size: int) -> Iterator[list[tuple]]:
    batch: list[tuple] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _holds_data(connection) -> bool:
    for name in (_tickets, _stations):
        if connection.execute(select(func.count()).select_from(name)).scalar_one():
            return True
    return False


def is_empty(engine: Engine) -> bool:
    with engine.connect() as connection:
        return not _holds_data(connection)


def insert_stations(connection, specs: list[StationSpec]) -> None:
    rows = [{"code": s.code, "name": s.name, "area_type": s.area, "initials": s.initials} for s in specs]
    connection.execute(_stations.insert(), rows)


def insert_tickets(
    connection, rows: Iterable[tuple], batch_size: int = BATCH, progress: Callable[[int], None] | None = None
) -> int:
    """Ticket rows (TICKET_COLUMNS order) by Core executemany, batch by batch."""
    insert = _tickets.insert()
    count = 0
    for batch in batched(rows, batch_size):
        connection.execute(insert, [dict(zip(TICKET_COLUMNS, row)) for row in batch])
        count += len(batch)
        if progress:
            progress(count)
    return count


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
) -> GenerateResult:
    """Write stations, tickets and events into an empty, migrated database."""
    began = perf_counter()
    generator = Generator(policy, seed, stations, days, end)
    result = GenerateResult(stations=len(generator.station_specs))
    with engine.begin() as connection:
        if _holds_data(connection):
            raise NotEmptyError("the database already holds stations or tickets")
        insert_stations(connection, generator.station_specs)
        result.tickets = insert_tickets(connection, generator.tickets(), batch_size, progress)
        result.events = _write_events(connection, generator.events, batch_size)
    result.open = generator.open
    result.pilot = generator.pilot
    result.seconds = perf_counter() - began
    return result


def _write_events(connection, events: list[tuple], batch_size: int) -> int:
    numbers = sorted({event[0] for event in events})
    ids: dict[str, int] = {}
    for start in range(0, len(numbers), 1000):
        chunk = numbers[start : start + 1000]
        query = select(column("id"), column("ticket_no")).select_from(_tickets).where(column("ticket_no").in_(chunk))
        ids.update({number: ident for ident, number in connection.execute(query)})
    insert = _events.insert()
    rows = [dict(zip(EVENT_COLUMNS, (ids[event[0]], *event[1:]))) for event in events]
    for start in range(0, len(rows), batch_size):
        connection.execute(insert, rows[start : start + batch_size])
    return len(rows)
