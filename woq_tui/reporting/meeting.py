"""What the weekly meeting shows, computed once for the screen (key 4) and its HTML
export (docs/figures.md, "The weekly meeting"): the stations that got worse and those
that improved by overdue rate, and overdue and escalations per bar of the chart.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from woq_tui.i18n import t
from woq_tui.reporting.formatting import day_label, delta
from woq_tui.values.assessment import BacklogEntry, BacklogList
from woq_tui.values.figures import MeetingWeek

MOVERS = 5
MOVER_FIGURE = "overdue_rate"


@dataclass(frozen=True)
class Mover:
    code: str
    name: str
    now: Any
    before: Any
    change: float


def movers(week: MeetingWeek, count: int = MOVERS) -> tuple[list[Mover], list[Mover]]:
    """The `count` stations whose overdue rate rose most, and those whose rate fell most
    (ties by code, so the order is stable from one refresh to the next)."""
    changes: list[Mover] = []
    for code, values in week.stations.items():
        before: Mapping[str, Any] | None = week.previous_stations.get(code)
        now_rate, before_rate = values[MOVER_FIGURE], before and before[MOVER_FIGURE]
        change = delta(MOVER_FIGURE, now_rate, before_rate)
        if change:
            name = week.info[code].name if code in week.info else code
            changes.append(Mover(code, name, now_rate, before_rate, change))
    worse = sorted((item for item in changes if item.change > 0), key=lambda item: (-item.change, item.code))
    better = sorted((item for item in changes if item.change < 0), key=lambda item: (item.change, item.code))
    return worse[:count], better[:count]


def chart_heading(week: MeetingWeek) -> str:
    kind = week.period.kind
    return t("meeting.by_month" if kind == "year" else "meeting.by_week" if kind == "quarter" else "meeting.by_day")


def chart_bars(week: MeetingWeek) -> list[tuple[str, int, int]]:
    """(label, overdue, escalated) a bar: by day for a week or a month, by week for a
    quarter, by month for a year (a bar a day would not fit a screen or a page)."""
    buckets: dict[str, list[int]] = {}
    kind = week.period.kind
    for day in week.period.days():
        if kind == "year":
            label = t("meeting.month_bar", month=day.month)
        elif kind == "quarter":
            monday = day - timedelta(days=day.weekday())
            label = t("meeting.week_bar", week=monday.isocalendar().week, day=f"{monday:%m-%d}")
        else:
            label = day_label(day)
        values = week.by_day.get(day)
        counts = buckets.setdefault(label, [0, 0])
        if values:
            counts[0] += values["overdue"]
            counts[1] += round((values["escalation_rate"] or 0) * values["tickets"])
    return [(label, overdue, escalated) for label, (overdue, escalated) in buckets.items()]


def type_mix(week: MeetingWeek) -> list[tuple[str, int, float]]:
    """(type code, tickets, share) by tickets, most first."""
    total = sum(values["tickets"] for values in week.by_type.values())
    if not total:
        return []
    ranked = sorted(week.by_type.items(), key=lambda item: (-item[1]["tickets"], item[0]))
    return [(kind, values["tickets"], values["tickets"] / total) for kind, values in ranked]


def backlog_reasons(entry: BacklogEntry, backlog: BacklogList) -> str:
    """Why a station is on the black list, in words: its conditions joined."""
    why = []
    if "old_open" in entry.conditions:
        why.append(t("backlog.old_open", count=len(entry.tickets), days=backlog.backlog_days))
    if "worst_weeks" in entry.conditions:
        why.append(t("backlog.worst_weeks", weeks=len(entry.weeks), share=f"{backlog.worst_fraction:.0%}"))
    return "；".join(why)
