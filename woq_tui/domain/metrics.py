"""The quality figures of docs/figures.md, defined once.

Everything the console and `woq-console report` show is built from these pieces:

- `TicketFacts`: what each ticket of the cohort is at `as_of` (resolved, overdue,
  first-response and handling seconds), as per-row SQL expressions;
- `aggregates()`: the integer sums a group's figures rest on, as SQL aggregates, and
  `finish()`: the figures from those sums (each ratio one division of two integers);
  sums add up, so subtotals and totals of groups need no second pass over tickets;
- `p90_offset()`: the nearest-rank position, so that the percentile itself is a
  `ORDER BY value DESC LIMIT 1 OFFSET n - ceil(0.9 n)` per group (store/percentiles.py):
  plain integer positions, so SQLite and PostgreSQL pick the same row; index walks
  instead of a row_number() window's sort of the cohort (docs/figures.md, docs/speed.md).
  `p90_window()` is the window-function form, kept as the reference the tests compare
  against (and against PostgreSQL's percentile_disc).

Instants are epoch seconds in the database, so durations are integer subtraction and
every ratio is one IEEE division of two exact integers: both databases give the same
bits, and so does Python's int / int, which finish() uses. Periods live in
domain/periods.py, the figures' names and units in domain/figure_catalog.py.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import (
    BigInteger,
    and_,
    case,
    cast,
    func,
    literal,
    literal_column,
    or_,
    type_coerce,
)
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.expression import FromClause

from woq_tui.domain.enums import Satisfaction
from woq_tui.domain.models import Ticket
from woq_tui.domain.tables import table_of
from woq_tui.domain.timestamps import to_epoch

UTC = timezone.utc


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


def flag(condition: ColumnElement[bool]) -> ColumnElement[int]:
    """1 where `condition` holds, else 0 (NULL counts as false)."""
    return case((condition, ONE), else_=ZERO)


def _seconds(column: ColumnElement[Any]) -> ColumnElement[int]:
    """An EpochSeconds column as the plain integer it is in the database."""
    return type_coerce(column, BigInteger)


class TicketFacts:
    """Per-row facts of a ticket at `as_of` (docs/figures.md, "The cohort")."""

    def __init__(self, as_of: datetime, table: FromClause | None = None) -> None:
        c = (table if table is not None else table_of(Ticket)).c
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
        duration: ColumnElement[int] = getattr(self, name)
        return duration

    def span(self, name: str) -> ColumnElement[int]:
        """duration(name) for rows where has_duration(name) holds."""
        return self._spans[name]

    def has_duration(self, name: str) -> ColumnElement[bool]:
        """The rows where duration(name) is defined, as an index-friendly condition."""
        column = self.columns.first_response_at if name == "response_s" else self.columns.resolved_at
        return _seconds(column) <= self.as_of


def _sum(expression: ColumnElement[int]) -> ColumnElement[int]:
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
    satisfied: list[ColumnElement[str]] = [literal_column(f"'{code}'") for code in SATISFIED]  # fixed codes, written into the SQL
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


def add_sums(total: dict[str, int], part: Mapping[str, int | None]) -> dict[str, int]:
    """`total` plus a group's sums, name by name (a subtotal of groups)."""
    for name, value in part.items():
        total[name] = total.get(name, 0) + (value or 0)
    return total


def _ratio(numerator: int | None, denominator: int | None) -> float | None:
    """One IEEE division of two exact integers (the same bits as SQL's
    CAST(a AS FLOAT) / b on either database); None when the denominator is 0."""
    return (numerator or 0) / denominator if denominator else None


def overdue_rate(sums: Mapping[str, int | None]) -> float | None:
    """docs/figures.md's overdue rate of a group's sums (finish's, alone: a trend's
    42,000 station × run points of a year need no other figure)."""
    return _ratio(sums.get("overdue"), sums.get("tickets"))


def finish(sums: Mapping[str, int | None], only: Sequence[str] | None = None) -> dict[str, float | int | None]:
    """The figures of docs/figures.md from a group's sums; the percentiles are None (the
    percentile step fills them). Figures outside `only` are None."""
    s = {name: (sums.get(name) or 0) for name in SUMS}
    figures = {
        "tickets": s["tickets"],
        "open": s["tickets"] - s["resolved"],
        "overdue": s["overdue"],
        "overdue_rate": overdue_rate(s),
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


def p90_window(value: ColumnElement[Any], partition: ColumnElement[Any] | None) -> tuple[ColumnElement[int], ColumnElement[int]]:
    """(row number, count) window columns: the p90 is `value` where rn = (9 n + 9) / 10.

    The reference form of the percentile (tests/test_metrics.py checks the product's
    LIMIT/OFFSET form against it and against PostgreSQL's percentile_disc).
    """
    partition_by = [partition] if partition is not None else None
    rn = func.row_number().over(partition_by=partition_by, order_by=value)
    n = func.count().over(partition_by=partition_by)
    return rn, n
