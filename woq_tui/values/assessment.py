"""The assessment's values (docs/assessment.md): the scorecard, the chronic backlog list,
the pilot evaluation and the monthly bulletin, as the store returns them and as the
screens and the bulletin's renderers draw them. Plain frozen values, no SQLAlchemy."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime

from woq_tui.domain.periods import Comparison, Period
from woq_tui.values.figures import Figures, StationInfo

# The scorecard's components in the order of docs/assessment.md: (name, what x is).
COMPONENTS: tuple[tuple[str, str], ...] = (
    ("on_time", "on_time_rate"),
    ("one_time", "one_time_resolution_rate"),
    ("satisfaction", "satisfaction_rate"),
    ("quality", "quality_pass_rate"),
    ("escalation", "1 - escalation_rate"),
)
COMPONENT_NAMES: tuple[str, ...] = tuple(name for name, _ in COMPONENTS)


@dataclass(frozen=True)
class StationScore:
    """One station's line of the scorecard. `components`: each component's x (0..1, None
    where undefined); `score` and `rank` are None under min_tickets (or with no
    weighted component defined)."""

    station: StationInfo
    tickets: int
    overdue_rate: float | None
    components: Mapping[str, float | None]
    score: float | None
    rank: int | None
    previous_score: float | None = None
    previous_rank: int | None = None

    @property
    def code(self) -> str:
        return self.station.code

    @property
    def change(self) -> float | None:
        """The change of score against the previous period of the same kind."""
        if self.score is None or self.previous_score is None:
            return None
        return self.score - self.previous_score


@dataclass(frozen=True)
class Scorecard:
    """Every station with tickets in the period: the ranked ones in rank order, then
    those without a score by code."""

    period: Period
    as_of: datetime
    comparison: Comparison
    weights: Mapping[str, float]
    min_tickets: int
    # False until the audit's quality_pass_rate is plugged in: the quality component is
    # then undefined everywhere and the score renormalises over the others.
    quality_available: bool
    stations: tuple[StationScore, ...]

    def ranked(self) -> tuple[StationScore, ...]:
        return tuple(line for line in self.stations if line.rank is not None)

    def best(self, count: int = 5) -> tuple[StationScore, ...]:
        return self.ranked()[:count]

    def worst(self, count: int = 5) -> tuple[StationScore, ...]:
        """The last `count` of the ranking, worst first (not overlapping the best five
        when fewer than ten are ranked)."""
        ranked = self.ranked()
        start = max(min(count, len(ranked)), len(ranked) - count)
        return tuple(reversed(ranked[start:]))

    def by_code(self) -> dict[str, StationScore]:
        return {line.code: line for line in self.stations}


@dataclass(frozen=True)
class BacklogTicket:
    """An open ticket older than backlog_days at the list's instant."""

    ticket_no: str
    type: str
    status: str
    created_at: datetime
    due_at: datetime | None
    age_days: float
    overdue: bool


@dataclass(frozen=True)
class WorstWeek:
    """A week in which the station's overdue rate was among the worst."""

    period: Period
    overdue_rate: float
    tickets: int
    # 1 = the worst station that week, of `stations` stations with min_tickets
    rank: int
    stations: int


@dataclass(frozen=True)
class BacklogEntry:
    """A station on the chronic backlog list and why: `old_open` (at least backlog_count
    old open tickets: `tickets`) and/or `worst_weeks` (among the worst in each of the
    last worst_periods weeks: `weeks`)."""

    station: StationInfo
    conditions: tuple[str, ...]
    tickets: tuple[BacklogTicket, ...] = ()
    weeks: tuple[WorstWeek, ...] = ()

    @property
    def code(self) -> str:
        return self.station.code


@dataclass(frozen=True)
class BacklogList:
    as_of: datetime
    backlog_count: int
    backlog_days: int
    worst_fraction: float
    weeks: tuple[Period, ...]
    entries: tuple[BacklogEntry, ...]


@dataclass(frozen=True)
class PilotCell:
    """A group's figure in one window, pooled over all its tickets (None: undefined)."""

    value: float | None
    tickets: int


@dataclass(frozen=True)
class PilotGroup:
    stations: tuple[str, ...]
    before: PilotCell
    after: PilotCell

    @property
    def change(self) -> float | None:
        if self.before.value is None or self.after.value is None:
            return None
        return self.after.value - self.before.value


@dataclass(frozen=True)
class PilotResult:
    """The difference in differences of docs/assessment.md, its 95 % bootstrap interval
    (None when no resample was defined) and the daily series for a before/after chart:
    (day, pilot's value, control's value)."""

    figure: str
    start: datetime
    before: Period
    after: Period
    as_of: datetime
    pilot: PilotGroup
    control: PilotGroup
    control_named: bool
    effect: float | None
    ci95: tuple[float, float] | None
    resamples: int
    seed: int
    daily: tuple[tuple[date, float | None, float | None], ...] = ()

    @property
    def significant(self) -> bool:
        return self.ci95 is not None and (self.ci95[0] > 0 or self.ci95[1] < 0)


@dataclass(frozen=True)
class Bulletin:
    """The monthly bulletin (月通报): the month against the previous one."""

    period: Period
    as_of: datetime
    comparison: Comparison
    info: dict[str, StationInfo]
    totals: Figures
    previous_totals: Figures
    areas: dict[str, Figures]
    previous_areas: dict[str, Figures]
    scorecard: Scorecard
    backlog: BacklogList
    # local day -> the day's figures (tickets, overdue, overdue_rate)
    by_day: dict[date, Figures]
    # rule id -> tickets with that flag; None until the audit is plugged in
    audit_flags: Mapping[str, int] | None = None
