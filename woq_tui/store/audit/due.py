"""due_mismatch's expected due time in SQL: created_at + the resolve limit of sla.md (as
configured) for the ticket's type and its station's area (audit.md, docs/audit.md).

A limit in minutes is integer arithmetic. A limit in working days ends at the same
local time on the n-th working day after the day of creation (domain/sla.py), which
SQL cannot know: the working calendar lives in Python (chinese_calendar plus [sla]
exceptions). So Python cuts the period into runs of local days whose due day lies the
same number of seconds ahead (a weekday run, a weekend, a holiday), and writes the
shift as a balanced tree of `CASE WHEN created_at < boundary` over those runs' first
instants: some nine integer comparisons a row, no temporary table, the same SQL on
SQLite and PostgreSQL. The tree is written as one SQL text (`ShiftTree`), not as
SQLAlchemy elements: a year's four trees are ~77 KB of SQL with ~2,000 numbers, and as
elements they cost 0.2 s to build, compile and render on every evaluation, where SQLite
prepares the text in 8 ms (docs/audit.md, "Speed"). (A first version read the shift
out of one long string with substr: SQLite counts characters from the start, ~3x slower
on a year.) Boundaries are local midnights, so a change of UTC offset is handled; a
ticket created in the hour a daylight-saving change moves is off by that hour (China
has none).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import BigInteger, String, case, literal, null
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.visitors import InternalTraversal

from woq_tui.domain.audit_conditions import TicketColumns, seconds
from woq_tui.domain.enums import AreaType, TicketType
from woq_tui.domain.periods import Period, local_midnight
from woq_tui.domain.sla import SlaPolicy
from woq_tui.domain.timestamps import to_epoch


def _number(value: int) -> ColumnElement[int]:
    return literal(value, BigInteger, literal_execute=True)


def shift_runs(policy: SlaPolicy, period: Period, working_days: int) -> list[tuple[int, int]]:
    """[(first instant of a run of local days, seconds from created_at to its due)]."""
    tz = policy.timezone
    day = period.start.astimezone(tz).date()
    last = (period.end - timedelta(seconds=1)).astimezone(tz).date()
    runs: list[tuple[int, int]] = []
    while day <= last:
        midnight = to_epoch(local_midnight(day, tz))
        shift = to_epoch(local_midnight(policy.calendar.add_workdays(day, working_days), tz)) - midnight
        if not runs or runs[-1][1] != shift:
            runs.append((midnight, shift))
        day += timedelta(days=1)
    return runs


class ShiftTree(ColumnElement[int]):
    """The shift of the run `created` falls in (runs sorted by start), rendered as a
    balanced tree of CASE over integer literals. Its runs are part of the statement's
    cache key, so a period's statement is compiled once and then reused as it is."""

    type = BigInteger()
    inherit_cache = True
    _traverse_internals = [("created", InternalTraversal.dp_clauseelement), ("runs", InternalTraversal.dp_plain_obj)]

    def __init__(self, created: ColumnElement[int], runs: list[tuple[int, int]]) -> None:
        self.created = created
        self.runs = tuple(runs)


def _tree_text(created: str, runs: tuple[tuple[int, int], ...]) -> str:
    if len(runs) == 1:
        return str(int(runs[0][1]))
    middle = len(runs) // 2
    low, high = _tree_text(created, runs[:middle]), _tree_text(created, runs[middle:])
    return f"CASE WHEN {created} < {int(runs[middle][0])} THEN {low} ELSE {high} END"


@compiles(ShiftTree)
def _shift_tree(element: ShiftTree, compiler: SQLCompiler, **kw: Any) -> str:
    return f"({_tree_text(compiler.process(element.created, **kw), element.runs)})"


def expected_due(columns: TicketColumns, area: ColumnElement[str], policy: SlaPolicy, period: Period) -> ColumnElement[int]:
    """created_at + the resolve limit of the ticket's type and `area` (its station's)."""
    created = seconds(columns.created_at)
    trees: dict[int, ColumnElement[int]] = {}

    def limit_value(kind: TicketType, area_type: AreaType) -> ColumnElement[int] | None:
        limit = policy.limit(kind, area_type)
        if limit.resolve_minutes is not None:
            return created + _number(limit.resolve_minutes * 60)
        days = limit.resolve_working_days
        if days is None:
            return None
        if days not in trees:
            trees[days] = created + ShiftTree(created, shift_runs(policy, period, days))
        return trees[days]

    whens = []
    for kind in TicketType:
        limits = {area_type: policy.limit(kind, area_type) for area_type in AreaType}
        if len(set(limits.values())) == 1:  # the same for every area: no need to look at it
            value = limit_value(kind, AreaType.urban)
        else:
            value = case(
                *[(area == _text(area_type), limit_value(kind, area_type)) for area_type in AreaType],
                else_=null(),
            )
        if value is not None:
            whens.append((columns.type == _text(kind), value))
    return case(*whens, else_=null())


def _text(code: str) -> ColumnElement[str]:
    return literal(str(code), String, literal_execute=True)
