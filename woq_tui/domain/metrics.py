"""The quality figures of metrics.md, defined once.

Everything the console and `woq-console report` show is built from these pieces:

- `TicketFacts`: what each ticket of the cohort is at `as_of` (resolved, overdue,
  first-response and handling seconds), as per-row SQL expressions;
- `aggregates()`: the integer sums a group's figures rest on, as SQL aggregates, and
  `finish()`: the figures from those sums (each ratio one division of two integers);
  sums add up, so subtotals and totals of groups need no second pass over tickets;
- `p90_offset()`: the nearest-rank position, so that the percentile itself is a
  `ORDER BY value DESC LIMIT 1 OFFSET n - ceil(0.9 n)` per group (store/figures.py):
  plain integer positions, so SQLite and PostgreSQL pick the same row, and ~4x faster
  on SQLite than a row_number() window over the cohort (docs/figures.md).
  `p90_window()` is the window-function form, kept as the reference the tests compare
  against (and against PostgreSQL's percentile_disc).

Instants are epoch seconds in the database, so durations are integer subtraction and
every ratio is one IEEE division of two exact integers: both databases give the same
bits, and so does Python's int / int, which finish() uses. Periods (`Period`) are computed here too, in the configured time zone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from typing import Literal, Sequence

from sqlalchemy import BigInteger, and_, case, cast, func, literal, literal_column, or_, type_coerce
from sqlalchemy.sql.elements import ColumnElement

from woq_tui.domain.enums import Satisfaction
from woq_tui.domain.models import Ticket
from woq_tui.domain.timestamps import to_epoch

UTC = timezone.utc
Unit = Literal["count", "ratio", "minutes", "hours"]
Better = Literal["lower", "higher", None]


@dataclass(frozen=True)
class Figure:
    key: str
    unit: Unit
    # Which direction is an improvement (None: neither, e.g. a plain count of tickets).
    better: Better


FIGURES: tuple[Figure, ...] = (
    Figure("tickets", "count", None),
    Figure("open", "count", "lower"),
    Figure("overdue", "count", "lower"),
    Figure("overdue_rate", "ratio", "lower"),
    Figure("on_time_rate", "ratio", "higher"),
    Figure("avg_first_response_min", "minutes", "lower"),
    Figure("p90_first_response_min", "minutes", "lower"),
    Figure("avg_handling_h", "hours", "lower"),
    Figure("p90_handling_h", "hours", "lower"),
    Figure("repeat_dispatch_rate", "ratio", "lower"),
    Figure("escalation_rate", "ratio", "lower"),
    Figure("one_time_resolution_rate", "ratio", "higher"),
    Figure("satisfaction_rate", "ratio", "higher"),
)
FIGURE_KEYS: tuple[str, ...] = tuple(figure.key for figure in FIGURES)
FIGURE_BY_KEY = {figure.key: figure for figure in FIGURES}
# Figures computed by the percentile step: key -> (duration column, count column, seconds per unit)
PERCENTILES = {
    "p90_first_response_min": ("response_s", "responded", 60),
    "p90_handling_h": ("handling_s", "resolved", 3600),
}
SATISFIED = (Satisfaction.satisfied.value, Satisfaction.basically_satisfied.value)


# Constants written into the SQL rather than bound: SQLite evaluates a bound parameter
# per row inside CASE, ~30 % of the year's aggregate (bench/figures_bench.py).
ONE = literal_column("1", BigInteger)
ZERO = literal_column("0", BigInteger)


def flag(condition) -> ColumnElement[int]:
    """1 where `condition` holds, else 0 (NULL counts as false)."""
    return case((condition, ONE), else_=ZERO)


def _seconds(column) -> ColumnElement[int]:
    """An EpochSeconds column as the plain integer it is in the database."""
    return type_coerce(column, BigInteger)


class TicketFacts:
    """Per-row facts of a ticket at `as_of` (metrics.md, "The cohort")."""

    def __init__(self, as_of: datetime, table=None) -> None:
        c = (table if table is not None else Ticket.__table__).c
        self.columns = c
        # Written into the SQL at execution (the compiled form stays cached): SQLite reads
        # a bound parameter per use and row, ~25 % of a year's aggregate (docs/figures.md).
        self.as_of = literal(to_epoch(as_of), BigInteger, literal_execute=True)
        self.created = _seconds(c.created_at)
        resolved_at = _seconds(c.resolved_at)
        first_response_at = _seconds(c.first_response_at)
        due_at = _seconds(c.due_at)
        # NULL <= x is NULL, so an unresolved ticket falls to the ELSE branch.
        self.is_resolved = resolved_at <= self.as_of
        self.resolved = flag(self.is_resolved)
        # Overdue: due before it was resolved, or (still open at as_of) before as_of.
        until = case((self.is_resolved, resolved_at), else_=self.as_of)
        self.is_overdue = due_at < until
        self.overdue = flag(self.is_overdue)
        self.response_s = case((first_response_at <= self.as_of, first_response_at - self.created))
        self.handling_s = case((self.is_resolved, resolved_at - self.created))
        # The same durations without the CASE, for rows already filtered by has_duration()
        # (the percentile statements sort on them: ~20 % faster on SQLite).
        self._spans = {"response_s": first_response_at - self.created, "handling_s": resolved_at - self.created}

    def cohort(self, start: datetime, end: datetime) -> ColumnElement[bool]:
        c = self.columns
        return and_(c.created_at >= start, c.created_at < end)

    def duration(self, name: str) -> ColumnElement[int]:
        """The duration a percentile ranks: "response_s" or "handling_s"."""
        return getattr(self, name)

    def span(self, name: str) -> ColumnElement[int]:
        """duration(name) for rows where has_duration(name) holds."""
        return self._spans[name]

    def has_duration(self, name: str) -> ColumnElement[bool]:
        """The rows where duration(name) is defined, as an index-friendly condition."""
        column = self.columns.first_response_at if name == "response_s" else self.columns.resolved_at
        return _seconds(column) <= self.as_of


def _sum(expression) -> ColumnElement[int]:
    # PostgreSQL's sum(bigint) is numeric: bring it back to an integer.
    return cast(func.sum(expression), BigInteger)


# The integer sums a group's figures rest on (aggregates() computes them in SQL).
SUMS: tuple[str, ...] = (
    "tickets", "resolved", "overdue", "on_time", "responded", "response_s", "handling_s",
    "repeat", "escalated", "one_time", "surveyed", "satisfied",
)
# Which sums each figure needs (for series that compute only a few figures).
NEEDS: dict[str, tuple[str, ...]] = {
    "tickets": ("tickets",),
    "open": ("tickets", "resolved"),
    "overdue": ("overdue",),
    "overdue_rate": ("overdue", "tickets"),
    "on_time_rate": ("on_time", "resolved"),
    "avg_first_response_min": ("response_s", "responded"),
    "p90_first_response_min": ("responded",),
    "avg_handling_h": ("handling_s", "resolved"),
    "p90_handling_h": ("resolved",),
    "repeat_dispatch_rate": ("repeat", "tickets"),
    "escalation_rate": ("escalated", "tickets"),
    "one_time_resolution_rate": ("one_time", "resolved"),
    "satisfaction_rate": ("satisfied", "surveyed"),
}


def aggregates(facts: TicketFacts, only: Sequence[str] | None = None) -> dict[str, ColumnElement[int]]:
    """The integer sums of a group (SUMS), as aggregate expressions for a GROUP BY.

    Only counts and sums of integers: they add up exactly across groups (a subtotal is
    the sum of its stations' sums) and `finish()` turns them into the figures. `only`
    limits them to what those figures need.
    """
    c = facts.columns
    satisfied = [literal_column(f"'{code}'") for code in SATISFIED]  # fixed codes, written into the SQL
    columns = {
        "tickets": func.count(),
        "resolved": _sum(facts.resolved),
        "overdue": _sum(facts.overdue),
        "on_time": _sum(flag(and_(facts.is_resolved, or_(c.due_at.is_(None), ~facts.is_overdue)))),
        "responded": func.count(facts.response_s),
        "response_s": _sum(facts.response_s),
        "handling_s": _sum(facts.handling_s),
        "repeat": _sum(flag(c.dispatch_count >= 2)),
        "escalated": _sum(flag(c.escalated)),
        "one_time": _sum(flag(and_(facts.is_resolved, c.dispatch_count <= 1, c.reopen_count == 0))),
        "surveyed": func.count(c.satisfaction),
        "satisfied": _sum(flag(c.satisfaction.in_(satisfied))),
    }
    if only is not None:
        wanted = {"tickets", *(name for key in only for name in NEEDS[key])}
        columns = {name: value for name, value in columns.items() if name in wanted}
    return columns


def add_sums(total: dict[str, int], part: dict[str, int | None]) -> dict[str, int]:
    """`total` plus a group's sums, name by name (a subtotal of groups)."""
    for name, value in part.items():
        total[name] = total.get(name, 0) + (value or 0)
    return total


def _ratio(numerator: int | None, denominator: int | None) -> float | None:
    """One IEEE division of two exact integers (the same bits as SQL's
    CAST(a AS FLOAT) / b on either database); None when the denominator is 0."""
    return (numerator or 0) / denominator if denominator else None


def finish(sums: dict[str, int | None], only: Sequence[str] | None = None) -> dict[str, float | int | None]:
    """The figures of metrics.md from a group's sums; the percentiles are None (the
    percentile step fills them). Figures outside `only` are None."""
    s = {name: (sums.get(name) or 0) for name in SUMS}
    figures = {
        "tickets": s["tickets"],
        "open": s["tickets"] - s["resolved"],
        "overdue": s["overdue"],
        "overdue_rate": _ratio(s["overdue"], s["tickets"]),
        "on_time_rate": _ratio(s["on_time"], s["resolved"]),
        "avg_first_response_min": _ratio(s["response_s"], s["responded"] * 60),
        "p90_first_response_min": None,
        "avg_handling_h": _ratio(s["handling_s"], s["resolved"] * 3600),
        "p90_handling_h": None,
        "repeat_dispatch_rate": _ratio(s["repeat"], s["tickets"]),
        "escalation_rate": _ratio(s["escalated"], s["tickets"]),
        "one_time_resolution_rate": _ratio(s["one_time"], s["resolved"]),
        "satisfaction_rate": _ratio(s["satisfied"], s["surveyed"]),
    }
    if only is not None:
        keep = {"tickets", *only}
        figures = {key: (value if key in keep else None) for key, value in figures.items()}
    return figures


def p90_rank(n: int) -> int:
    """The 1-based nearest-rank position of the 90th percentile of n values: ceil(0.9 n)."""
    return (9 * n + 9) // 10


def p90_offset(n: int) -> int:
    """OFFSET of the 90th percentile when the n values are sorted descending."""
    return n - p90_rank(n)


def p90_window(value: ColumnElement, partition: ColumnElement | None) -> tuple[ColumnElement, ColumnElement]:
    """(row number, count) window columns: the p90 is `value` where rn = (9 n + 9) / 10.

    The reference form of the percentile (tests/test_metrics.py checks the product's
    LIMIT/OFFSET form against it and against PostgreSQL's percentile_disc).
    """
    partition_by = [partition] if partition is not None else None
    rn = func.row_number().over(partition_by=partition_by, order_by=value)
    n = func.count().over(partition_by=partition_by)
    return rn, n


def empty_figures() -> dict[str, float | int | None]:
    """The figures of an empty set of tickets."""
    return {key: (0 if FIGURE_BY_KEY[key].unit == "count" else None) for key in FIGURE_KEYS}


# Periods --------------------------------------------------------------------------

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
