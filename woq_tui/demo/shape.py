"""The shape of the demo's work orders: the study's figures as constants, and the draws
a new ticket needs (docs/demo.md, "The shape"). Shared by the generator and the live
simulator, so that both write tickets of the same kind.
"""

from __future__ import annotations

import math
import random
from bisect import bisect
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import NamedTuple

from woq_tui.demo import names, summaries
from woq_tui.domain.sla import SlaPolicy
from woq_tui.domain.stations import station_initials
from woq_tui.domain.timestamps import from_epoch, to_epoch

DAY = 86_400
HOUR = 3_600

# The separate streams of the words and of the defects (seed ^ these; docs/demo.md).
WORDS_STREAM = 0x5EED_0001
DEFECTS_STREAM = 0x5EED_0002
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


@dataclass(frozen=True)
class StationSpec:
    code: str
    name: str
    area: str
    initials: str
    county: str
    volume: float  # relative order volume (mean 1 over the stations)
    performance: float  # multiplies the overdue probability (1 = average)



class TicketShape:
    """The draws a new ticket needs; shared by the generator and the live simulator."""

    def __init__(self, rng: random.Random, policy: SlaPolicy, words: random.Random | None = None) -> None:
        self.rng = rng
        # The words' own stream (docs/demo.md, "Words"): richer summaries never move the
        # draws of arrivals, statuses and times.
        self.words = words or rng
        self.policy = policy
        self._limits: dict[tuple[str, str], int | None] = {}
        self._due_midnight: dict[tuple[str, str, int], int] = {}
        self._due_day = -1  # the day of the entries of _due_midnight

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
            if day_start != self._due_day:  # days come in order: the earlier ones are done with,
                self._due_midnight.clear()  # and kept they grew with the days (docs/demo.md, "Memory")
                self._due_day = day_start
            midnight = to_epoch(self.policy.due_at(kind, area, from_epoch(day_start)))
            self._due_midnight[day_key] = midnight
        return midnight + (created - day_start)

    def contact(self, area: str, county: str, kind: str) -> tuple[str, str, str]:
        """summary, phone, address of a new caller (the live simulator's)."""
        rng = self.words
        address = names.address(rng, area, county)
        return summaries.summary(rng, kind, names.place_of(address)), names.phone(rng), address


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
class Window:
    """The local days of [start, end) and the share of each day's arrivals inside it."""

    # (local midnight, first and end second of the day inside the window, day length, share)
    days: list[tuple[int, int, int, int, float]] = field(default_factory=list)

    @classmethod
    def build(cls, start: int, end: int, policy: SlaPolicy) -> Window:
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


HOUR_CUM = [sum(HOUR_WEIGHTS[: hour + 1]) for hour in range(24)]

