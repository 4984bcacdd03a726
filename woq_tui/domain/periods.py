"""Periods of the calendar in the configured time zone: [start, end) in UTC and the
local days they span, how one steps to the next, and what a period is compared with
(docs/figures.md, "Trend and comparison"). Plain Python: screens use them too."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from typing import Literal

UTC = timezone.utc

PeriodKind = Literal["today", "this_week", "last_week", "this_month", "last_30_days", "custom"]
PERIOD_KINDS: tuple[PeriodKind, ...] = ("today", "this_week", "last_week", "this_month", "last_30_days")


def local_midnight(day: date, tz: tzinfo) -> datetime:
    """The instant a local calendar day starts, in UTC."""
    return datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC)


@dataclass(frozen=True)
class Period:
    """[start, end) in UTC, and the local calendar days it spans."""

    start: datetime
    end: datetime
    tz: tzinfo
    kind: PeriodKind = "custom"

    @property
    def first_day(self) -> date:
        return self.start.astimezone(self.tz).date()

    @property
    def last_day(self) -> date:
        """The last local day with an instant in the period."""
        return (self.end - timedelta(seconds=1)).astimezone(self.tz).date()

    def days(self) -> list[date]:
        first, last = self.first_day, self.last_day
        return [first + timedelta(days=n) for n in range((last - first).days + 1)]

    def step(self, steps: int) -> Period:
        """The period `steps` lengths later (earlier when negative), same kind.

        Whole local days move by days (so a DST change keeps midnights), a month by
        calendar months, a custom period by its exact length.
        """
        if self.kind == "custom":
            length = self.end - self.start
            return Period(self.start + steps * length, self.end + steps * length, self.tz)
        first, last = self.first_day, self.last_day
        if self.kind == "this_month":
            first = _add_months(first, steps)
            last = _add_months(first, 1) - timedelta(days=1)
        else:
            length = timedelta(days=(last - first).days + 1)
            first, last = first + steps * length, last + steps * length
        return _days(first, last, self.tz, self.kind)

    def previous(self) -> Period:
        """The period just before, for deltas (metrics.md, "Trend and comparison").

        The same number of days; for a calendar month, the calendar month before.
        """
        return self.step(-1)

    def comparison(self, as_of: datetime) -> Comparison:
        """What this period's figures are compared with, judged at `as_of`.

        A period still running at `as_of` (today, this week, ...) is compared with the
        same elapsed span of the previous one, judged at the same point: on Thursday
        10:00, this week so far against last week's Monday 00:00 to Thursday 10:00 as it
        stood then (local wall-clock time, so a DST change keeps 10:00 at 10:00). A
        period already over is compared with the whole previous one, judged at `as_of`
        too (a report of it run now).
        """
        previous = self.previous()
        if not self.start < as_of < self.end:
            return Comparison(previous, as_of, partial=False)
        local = as_of.astimezone(self.tz)
        day = previous.first_day + (local.date() - self.first_day)
        cut = datetime.combine(day, local.time(), tzinfo=self.tz).astimezone(UTC)
        cut = min(max(cut, previous.start), previous.end)
        return Comparison(Period(previous.start, cut, self.tz, previous.kind), cut, partial=True)


@dataclass(frozen=True)
class Comparison:
    """The previous period a period is compared with, and the instant it is judged at;
    `partial`: the same elapsed span of it, for a period still running."""

    period: Period
    as_of: datetime
    partial: bool


def _week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _days(first: date, last: date, tz: tzinfo, kind: PeriodKind = "custom") -> Period:
    return Period(local_midnight(first, tz), local_midnight(last + timedelta(days=1), tz), tz, kind)


def period_of(kind: PeriodKind, now: datetime, tz: tzinfo) -> Period:
    """The period `kind` names at `now`, in whole local days.

    today; this week (Monday to Sunday, includes today); last week (the full week
    before); this month (the calendar month); last 30 days (ending today, included).
    """
    today = now.astimezone(tz).date()
    if kind == "today":
        first, last = today, today
    elif kind in ("this_week", "last_week"):
        first = _week_start(today) - timedelta(days=7 if kind == "last_week" else 0)
        last = first + timedelta(days=6)
    elif kind == "this_month":
        first = today.replace(day=1)
        last = _add_months(first, 1) - timedelta(days=1)
    elif kind == "last_30_days":
        first, last = today - timedelta(days=29), today
    else:
        raise ValueError(f"unknown period {kind!r}")
    return _days(first, last, tz, kind)


def days_period(first: date, last: date, tz: tzinfo) -> Period:
    """The local days first..last, both included."""
    return _days(first, last, tz)


def default_report_period(now: datetime, tz: tzinfo) -> Period:
    """The last full Monday-to-Sunday week before `now`, in the time zone (cli.md)."""
    return period_of("last_week", now, tz)
