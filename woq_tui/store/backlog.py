"""The chronic backlog list's facts in SQL (docs/assessment.md
"Chronic backlog list"): the old open tickets of the stations that hold at least
backlog_count of them, and each station's overdue figures in the last whole weeks
(domain/metrics.py, one GROUP BY per week). Which stations are on the list, and why,
is domain/backlog.py.
"""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, func, or_, select

from woq_tui.domain.backlog import backlog_list
from woq_tui.domain.metrics import TicketFacts, finish
from woq_tui.domain.models import Ticket
from woq_tui.domain.periods import Period, full_weeks_before
from woq_tui.domain.tables import table_of
from woq_tui.store.db import snapshot
from woq_tui.store.figures import by_station_runs, group_sums, stations
from woq_tui.values.assessment import BacklogList, BacklogTicket
from woq_tui.values.figures import Figures, StationInfo

if TYPE_CHECKING:
    from woq_tui.assessment_settings import AssessmentSettings

WEEK_FIGURES = ("overdue_rate",)


def old_open_tickets(connection: Connection, at: datetime, days: int, count: int) -> dict[str, list[BacklogTicket]]:
    """The tickets open at `at` and created more than `days` days before it, of each
    station that holds at least `count` of them; oldest first."""
    t = table_of(Ticket).c
    facts = TicketFacts(at)
    old = (t.created_at < at - timedelta(days=days), or_(t.resolved_at.is_(None), t.resolved_at > at))
    crowded = select(t.station_code).where(*old).group_by(t.station_code).having(func.count() >= count)
    rows = connection.execute(
        select(t.ticket_no, t.station_code, t.type, t.status, t.created_at, t.due_at, facts.overdue.label("overdue"))
        .where(*old, t.station_code.in_(crowded.scalar_subquery()))
        .order_by(t.station_code, t.created_at, t.ticket_no)
    )
    found: dict[str, list[BacklogTicket]] = {}
    for number, code, kind, status, created, due, overdue in rows:
        age = (at - created).total_seconds() / 86400
        found.setdefault(code, []).append(BacklogTicket(number, kind, status, created, due, age, bool(overdue)))
    return found


def weekly_figures(connection: Connection, weeks: list[Period], at: datetime) -> list[dict[str, Figures]]:
    """Each station's overdue figures in each week, judged at `at`."""
    if not weeks:
        return []
    span = Period(weeks[0].start, weeks[-1].end, weeks[0].tz)
    sums = group_sums(connection, by_station_runs([(week.start, week.end) for week in weeks]), span, at, only=WEEK_FIGURES)
    weekly: list[dict[str, Figures]] = [{} for _ in weeks]
    for (code, index), values in sums.items():
        weekly[index][code] = finish(values, WEEK_FIGURES)
    return weekly


def backlog_in(
    connection: Connection, at: datetime, tz: tzinfo, settings: AssessmentSettings, info: dict[str, StationInfo]
) -> BacklogList:
    """The list at `at`, read on a connection (one snapshot with the caller's reads)."""
    weeks = full_weeks_before(at, tz, settings.worst_periods)
    return backlog_list(
        at,
        info,
        old_open_tickets(connection, at, settings.backlog_days, settings.backlog_count),
        weeks,
        weekly_figures(connection, weeks, at),
        backlog_count=settings.backlog_count,
        backlog_days=settings.backlog_days,
        min_tickets=settings.min_tickets,
        worst_fraction=settings.worst_fraction,
    )


def backlog(engine: Engine, at: datetime, tz: tzinfo, settings: AssessmentSettings) -> BacklogList:
    """The chronic backlog list at `at` (the console's overdue screen and meeting view)."""
    with snapshot(engine) as connection:
        return backlog_in(connection, at, tz, settings, stations(connection))
