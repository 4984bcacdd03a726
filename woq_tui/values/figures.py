"""The figure tables the station screen, its drill-down and the meeting view draw
(docs/figures.md): built by store/figures.py in SQL, drawn by screens and widgets.
A figure table maps figure keys to values (None: undefined, shown as "—")."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from woq_tui.domain.figure_catalog import empty_figures
from woq_tui.domain.periods import Comparison, Period

Figures = dict[str, Any]


@dataclass(frozen=True)
class StationInfo:
    code: str
    name: str
    area_type: str


@dataclass(frozen=True)
class StationTable:
    """What the station screen shows for a period: current, previous, subtotals, trend."""

    period: Period
    as_of: datetime
    info: dict[str, StationInfo]
    current: dict[str, Figures]
    comparison: Comparison | None = None
    previous: dict[str, Figures] = field(default_factory=dict)
    areas: dict[str, Figures] = field(default_factory=dict)
    previous_areas: dict[str, Figures] = field(default_factory=dict)
    totals: Figures = field(default_factory=empty_figures)
    previous_totals: Figures = field(default_factory=empty_figures)
    # station -> overdue rate by day, or by runs of days when the period has more than
    # TREND_POINTS days (None: no tickets then)
    trend: dict[str, list[float | None]] = field(default_factory=dict)
    complete: bool = False


@dataclass(frozen=True)
class StationDetail:
    """One station over a period: by type, by day, and its open or overdue tickets."""

    station: StationInfo
    period: Period
    as_of: datetime
    totals: Figures
    by_type: dict[str, Figures]
    by_day: dict[date, Figures]
    tickets: list[dict[str, Any]]


@dataclass(frozen=True)
class MeetingWeek:
    """The weekly meeting: a week against its comparison (Period.comparison)."""

    period: Period
    as_of: datetime
    totals: Figures
    previous_totals: Figures
    stations: dict[str, Figures]
    previous_stations: dict[str, Figures]
    info: dict[str, StationInfo]
    by_type: dict[str, Figures]
    by_day: dict[date, Figures]
    comparison: Comparison | None = None
