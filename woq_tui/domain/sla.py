"""Time limits, due times and the SLA state of a ticket (docs/sla.md).

The limits are the defaults of docs/sla.md, taken from State Grid's published service
commitments; a site checks them against its own rules and overrides them under [sla].
Working days follow the mainland China calendar (chinese_calendar, which knows the
official holidays and the weekend days made working days); for years that package does
not yet cover, Monday to Friday, plus the local exceptions given in config.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo

import chinese_calendar

from woq_tui.domain.enums import AreaType, SlaState, TicketType


@dataclass(frozen=True)
class Limit:
    """respond within, resolve within: minutes, or working days for resolution."""

    respond_minutes: int | None
    resolve_minutes: int | None = None
    resolve_working_days: int | None = None


def _repair(respond: int, then_hours: int) -> Limit:
    return Limit(respond, respond + then_hours * 60)


DEFAULT_LIMITS: dict[TicketType, dict[AreaType, Limit]] = {
    TicketType.repair: {
        AreaType.urban: _repair(45, 3),
        AreaType.rural: _repair(90, 4),
        AreaType.remote: _repair(120, 4),
    },
    **{
        kind: {area: limit for area in AreaType}
        for kind, limit in {
            TicketType.complaint: Limit(24 * 60, resolve_working_days=4),
            TicketType.report: Limit(24 * 60, resolve_working_days=9),
            TicketType.consultation: Limit(60, resolve_working_days=1),
            TicketType.suggestion: Limit(24 * 60, resolve_working_days=9),
            TicketType.service_request: Limit(24 * 60, resolve_working_days=5),
            TicketType.praise: Limit(None, resolve_working_days=5),
            TicketType.other: Limit(24 * 60, resolve_working_days=5),
        }.items()
    },
}


_FIXED_HOLIDAYS = {(1, 1), (5, 1), (10, 1), (10, 2), (10, 3)}


@lru_cache(maxsize=8192)
def _official_workday(day: date) -> bool:
    """The official calendar's answer, remembered: chinese_calendar checks the date's
    range against its whole table on every call (≈13 µs), and a year's SLA limits ask
    for the same few hundred days tens of thousands of times (docs/audit.md, "Speed")."""
    try:
        workday: bool = chinese_calendar.is_workday(day)  # the package is untyped
        return workday
    except NotImplementedError:
        # A year the package does not cover yet: weekends and the fixed-date
        # statutory holidays; lunar holidays and 调休 come from config until then.
        return day.weekday() < 5 and (day.month, day.day) not in _FIXED_HOLIDAYS


@dataclass(frozen=True)
class WorkCalendar:
    """Working days: the official calendar, then local exceptions on top."""

    extra_holidays: frozenset[date] = frozenset()
    extra_workdays: frozenset[date] = frozenset()

    def is_workday(self, day: date) -> bool:
        if day in self.extra_workdays:
            return True
        if day in self.extra_holidays:
            return False
        return _official_workday(day)

    def add_workdays(self, start: date, days: int) -> date:
        """The days-th working day after start (start itself not counted)."""
        day = start
        remaining = days
        while remaining > 0:
            day += timedelta(days=1)
            if self.is_workday(day):
                remaining -= 1
        return day


@dataclass(frozen=True)
class SlaPolicy:
    limits: dict[TicketType, dict[AreaType, Limit]] = field(default_factory=lambda: DEFAULT_LIMITS)
    calendar: WorkCalendar = field(default_factory=WorkCalendar)
    timezone: tzinfo = field(default_factory=lambda: ZoneInfo("Asia/Shanghai"))
    at_risk_fraction: float = 0.25
    at_risk_minutes: int = 30
    warn_minutes: int = 60

    def limit(self, kind: str, area: str | None) -> Limit:
        by_area = self.limits[TicketType(kind)]
        return by_area[AreaType(area) if area else AreaType.urban]

    def due_at(self, kind: str, area: str | None, created_at: datetime) -> datetime:
        """created_at plus the resolve limit.

        Working days: the same local time of day on the n-th working day after the
        day of creation (Friday 10:00 + 1 working day = Monday 10:00).
        """
        limit = self.limit(kind, area)
        if limit.resolve_minutes is not None:
            return created_at + timedelta(minutes=limit.resolve_minutes)
        local = created_at.astimezone(self.timezone)
        day = self.calendar.add_workdays(local.date(), limit.resolve_working_days or 0)
        due_local = datetime.combine(day, local.timetz().replace(tzinfo=None), tzinfo=self.timezone)
        return due_local.astimezone(created_at.tzinfo)

    def respond_by(self, kind: str, area: str | None, created_at: datetime) -> datetime | None:
        limit = self.limit(kind, area)
        if limit.respond_minutes is None:
            return None
        return created_at + timedelta(minutes=limit.respond_minutes)

    def at_risk_window(self, created_at: datetime, due_at: datetime) -> timedelta:
        """How close to due_at a ticket turns at risk: the larger of the two rules."""
        allowed = due_at - created_at
        return max(allowed * self.at_risk_fraction, timedelta(minutes=self.at_risk_minutes))

    def time_left(self, due_at: datetime | None, now: datetime) -> timedelta | None:
        """Until due_at; negative once overdue (by how much). None: no limit."""
        return None if due_at is None else due_at - now

    def state(self, created_at: datetime, due_at: datetime | None, now: datetime) -> SlaState:
        if due_at is None:
            return SlaState.ok
        if now > due_at:
            return SlaState.overdue
        if due_at - now < self.at_risk_window(created_at, due_at):
            return SlaState.at_risk
        return SlaState.ok
