"""The chronic backlog list (黑名单) of docs/assessment.md, from what the store read
(docs/assessment.md, "Chronic backlog list").

A station is on the list at an instant when it has at least backlog_count open tickets
created more than backlog_days before it ("old_open"), or when its overdue_rate was
among the worst worst_fraction of stations (those with at least min_tickets tickets) in
each of the last worst_periods whole weeks ("worst_weeks").

"Among the worst fraction" of n stations: the k = ⌈fraction × n⌉ highest overdue rates,
and any station tied with the k-th (the same rate is the same performance); a station
with no overdue ticket is never among the worst, however few stations there are.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import datetime

from woq_tui.domain.periods import Period
from woq_tui.values.assessment import BacklogEntry, BacklogList, BacklogTicket, WorstWeek
from woq_tui.values.figures import Figures, StationInfo

OLD_OPEN, WORST_WEEKS = "old_open", "worst_weeks"


def worst_count(fraction: float, stations: int) -> int:
    """⌈fraction × stations⌉, without float noise (0.1 × 30 is 3.0000000000000004)."""
    return math.ceil(round(fraction * stations, 9))


def worst_of_week(figures: Mapping[str, Figures], min_tickets: int, fraction: float) -> dict[str, tuple[int, int]]:
    """The stations among the worst `fraction` of one week: code -> (rank, stations
    ranked), rank 1 the highest overdue rate (ties by code)."""
    eligible = [
        (code, values["overdue_rate"])
        for code, values in figures.items()
        if (values.get("tickets") or 0) >= min_tickets and values.get("overdue_rate") is not None
    ]
    if not eligible:
        return {}
    eligible.sort(key=lambda item: (-item[1], item[0]))
    count = len(eligible)
    threshold = eligible[worst_count(fraction, count) - 1][1]
    return {
        code: (rank, count)
        for rank, (code, rate) in enumerate(eligible, start=1)
        if rate >= threshold and rate > 0
    }


def backlog_list(
    as_of: datetime,
    info: Mapping[str, StationInfo],
    old_open: Mapping[str, Sequence[BacklogTicket]],
    weeks: Sequence[Period],
    weekly: Sequence[Mapping[str, Figures]],
    *,
    backlog_count: int,
    backlog_days: int,
    min_tickets: int,
    worst_fraction: float,
) -> BacklogList:
    """The list: stations with both conditions first, then by old open tickets (most
    first), then by their worst weeks' mean overdue rate, then by code."""
    worst = [worst_of_week(figures, min_tickets, worst_fraction) for figures in weekly]
    chronic = set(worst[0]).intersection(*worst[1:]) if worst else set()
    entries = []
    for code in sorted(set(old_open) | chronic):
        tickets = tuple(old_open.get(code, ()))
        conditions = []
        if len(tickets) >= backlog_count:
            conditions.append(OLD_OPEN)
        if code in chronic:
            conditions.append(WORST_WEEKS)
        if not conditions:
            continue
        bad_weeks: tuple[WorstWeek, ...] = ()
        if code in chronic:
            bad_weeks = tuple(
                WorstWeek(week, figures[code]["overdue_rate"], figures[code]["tickets"], *ranks[code])
                for week, figures, ranks in zip(weeks, weekly, worst)
            )
        station = info.get(code) or StationInfo(code, code, "")
        entries.append(BacklogEntry(station, tuple(conditions), tickets if OLD_OPEN in conditions else (), bad_weeks))

    def order(entry: BacklogEntry) -> tuple[int, int, float, str]:
        mean_rate = sum(week.overdue_rate for week in entry.weeks) / len(entry.weeks) if entry.weeks else 0.0
        return (-len(entry.conditions), -len(entry.tickets), -mean_rate, entry.code)

    entries.sort(key=order)
    return BacklogList(as_of, backlog_count, backlog_days, worst_fraction, tuple(weeks), tuple(entries))
