"""Periods of the calendar in the configured time zone: [start, end) in UTC and the
local days they span, how one steps to the next, and what a period is compared with
(docs/figures.md, "Trend and comparison"). Plain Python: screens use them too.

The calendar kinds (week Monday to Sunday, month, quarter, year) and custom dates are
the periods a supervisor chooses (docs/assessment.md, "Periods"): the default is the
last full period of a kind, a period never ends after `as_of`'s day (the period still
running is cut at the end of that day) and stepping stops at it. The older relative
kinds (today, this week, ...) stay for the screens that still offer them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from typing import Literal

UTC = timezone.utc

PeriodKind = Literal[
    "today", "this_week", "last_week", "this_month", "last_30_days", "week", "month", "quarter", "year", "custom"
]
PERIOD_KINDS: tuple[PeriodKind, ...] = ("today", "this_week", "last_week", "this_month", "last_30_days")
# The kinds `t` cycles through (docs/keys.md), in that order.
CalendarKind = Literal["week", "month", "quarter", "year"]
CALENDAR_KINDS: tuple[CalendarKind, ...] = ("week", "month", "quarter", "year")
_MONTHS = {"month": 1, "quarter": 3, "year": 12}
# English month names for labels, fixed (calendar.month_abbr follows the C locale).
_MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


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

    @property
    def is_full(self) -> bool:
        """False for a calendar period cut at as_of's day (see clip_to_day)."""
        if self.kind not in CALENDAR_KINDS:
            return True
        return self.end >= calendar_period(self.kind, self.first_day, self.tz).end

    def step(self, steps: int) -> Period:
        """The period `steps` lengths later (earlier when negative), same kind.

        Whole local days move by days (so a DST change keeps midnights), a month by
        calendar months, a custom period by its exact length; a calendar period by
        whole periods of its kind, full ones (even from one cut at as_of's day).
        """
        if self.kind in CALENDAR_KINDS:
            return calendar_period(self.kind, _kind_start(self.kind, self.first_day, steps), self.tz)
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
        """The period just before, for deltas (docs/figures.md, "Trend and comparison").

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


def _kind_start(kind: CalendarKind, day: date, steps: int = 0) -> date:
    """The first day of the period of `kind` holding `day`, `steps` periods on."""
    if kind == "week":
        return _week_start(day) + timedelta(days=7 * steps)
    months = _MONTHS[kind]
    first = date(day.year, 1 if kind == "year" else day.month - (day.month - 1) % months, 1)
    return _add_months(first, months * steps)


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
    """The last full Monday-to-Sunday week before `now`, in the time zone (docs/cli.md)."""
    return period_of("last_week", now, tz)


# Calendar periods (docs/assessment.md, "Periods") --------------------------------------


def calendar_period(kind: CalendarKind, day: date, tz: tzinfo) -> Period:
    """The whole week, month, quarter or year holding the local day `day`."""
    if kind not in CALENDAR_KINDS:
        raise ValueError(f"unknown period kind {kind!r}")
    first = _kind_start(kind, day)
    last = first + timedelta(days=6) if kind == "week" else _add_months(first, _MONTHS[kind]) - timedelta(days=1)
    return _days(first, last, tz, kind)


def local_day(instant: datetime, tz: tzinfo) -> date:
    return instant.astimezone(tz).date()


def clip_to_day(period: Period, as_of: datetime) -> Period:
    """The period cut at the end of as_of's local day: a period never ends after it.
    Raises FuturePeriod when the period starts after that day."""
    day_end = local_midnight(local_day(as_of, period.tz) + timedelta(days=1), period.tz)
    if period.start >= day_end:
        raise FuturePeriod(period)
    if period.end <= day_end:
        return period
    return Period(period.start, day_end, period.tz, period.kind)


class FuturePeriod(ValueError):
    """A period that starts after as_of's day: the console never shows the future."""

    def __init__(self, period: Period) -> None:
        super().__init__(f"period starting {period.first_day} is in the future")
        self.period = period


def current_period(kind: CalendarKind, as_of: datetime, tz: tzinfo) -> Period:
    """The period of `kind` holding as_of's local day, cut at the end of that day."""
    return clip_to_day(calendar_period(kind, local_day(as_of, tz), tz), as_of)


def last_full_period(kind: CalendarKind, as_of: datetime, tz: tzinfo) -> Period:
    """The default: the last whole period of `kind` before the one holding as_of's day
    (on Sunday evening the week is not over yet, so the week before)."""
    return calendar_period(kind, local_day(as_of, tz), tz).step(-1)


def period_of_kind(kind: CalendarKind, day: date, as_of: datetime, tz: tzinfo) -> Period:
    """The period of `kind` holding the local day `day`, cut at as_of's day (FuturePeriod
    when it starts after it)."""
    return clip_to_day(calendar_period(kind, day, tz), as_of)


def custom_period(first: date, last: date, tz: tzinfo, as_of: datetime) -> Period:
    """The local days first..last, both included, cut at as_of's day."""
    if last < first:
        raise ValueError(f"{first} is after {last}")
    return clip_to_day(_days(first, last, tz), as_of)


def step_period(period: Period, steps: int, as_of: datetime) -> Period:
    """`steps` periods on (back when negative), never past the one holding as_of's day:
    stepping forward stops there, cut at the end of that day (`]` on the screens)."""
    moved = period.step(steps)
    try:
        return clip_to_day(moved, as_of)
    except FuturePeriod:
        if period.kind in CALENDAR_KINDS:
            return current_period(period.kind, as_of, period.tz)
        return clip_to_day(period, as_of)


def next_kind(kind: str) -> CalendarKind:
    """The kind after `kind` in the order `t` cycles (docs/keys.md); a kind outside it
    (custom, the relative ones) goes to week."""
    if kind not in CALENDAR_KINDS:
        return "week"
    return CALENDAR_KINDS[(CALENDAR_KINDS.index(kind) + 1) % len(CALENDAR_KINDS)]


def with_kind(period: Period, kind: CalendarKind, as_of: datetime) -> Period:
    """The period of another kind shown after `t`: the one holding the period's last day
    (a week in November becomes November), cut at as_of's day."""
    return period_of_kind(kind, period.last_day, as_of, period.tz)


def full_weeks_before(as_of: datetime, tz: tzinfo, count: int) -> list[Period]:
    """The last `count` whole Monday-to-Sunday weeks before as_of's week, oldest first."""
    last = last_full_period("week", as_of, tz)
    return [last.step(-back) for back in range(count - 1, -1, -1)]


def period_label(period: Period) -> str:
    """Which period a view shows, in the console language: "2026年11月",
    "2026年第4季度", "第48周 11-23—11-29" (ISO week number), "2026年", or the days of a
    custom period; a period cut at as_of's day says up to which day."""
    from woq_tui.i18n import t

    first, last = period.first_day, period.last_day
    kind = period.kind
    if kind == "week":
        natural = calendar_period("week", first, period.tz)
        label = t("period.week", week=first.isocalendar().week, start=f"{first:%m-%d}",
                  end=f"{natural.last_day:%m-%d}")
    elif kind == "month":
        label = t("period.month", year=first.year, month=first.month, month_name=_MONTH_NAMES[first.month - 1])
    elif kind == "quarter":
        label = t("period.quarter", year=first.year, quarter=(first.month - 1) // 3 + 1)
    elif kind == "year":
        label = t("period.year", year=first.year)
    elif first == last:
        label = first.isoformat()
    else:
        label = t("period.days", start=first.isoformat(), end=last.isoformat())
    if not period.is_full:
        label += t("period.until", day=f"{last:%m-%d}")
    return label
