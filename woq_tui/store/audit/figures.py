"""The audit's figures (audit.md, "Figures"), defined once, in SQL over the flags of
store/audit/flags.py: for any set of tickets, `flagged` (tickets with at least one flag
not dismissed), `quality_pass_rate` (1 − flagged / tickets; None without tickets) and
`flags_by_rule` (tickets with that flag, not dismissed).

One statement counts, per station and type, the tickets, the flagged tickets and each
rule's flags; every other grouping (totals, by type, by area) is a sum of those, since
a ticket lies in exactly one station and type (as store/figures.py adds up its sums).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping

from sqlalchemy import Connection, Label, String, func, literal, select, union_all

from woq_tui.store.audit.flags import TICKET, AuditScope, visible_flags
from woq_tui.store.audit.history import widen_work_mem
from woq_tui.values.audit import QualityFigures

TICKETS, FLAGGED = "#tickets", "#flagged"  # the counts that are not a rule's


def _pseudo(name: str) -> Label[str]:
    return literal(name, String, literal_execute=True).label("rule")


def cell_counts(connection: Connection, scope: AuditScope) -> dict[tuple[str, str], dict[str, int]]:
    """(station_code, type) -> {"#tickets": n, "#flagged": n, rule: n, ...} of the scope."""
    c = TICKET.c
    tickets = select(c.station_code, c.type, _pseudo(TICKETS), func.count().label("n")).where(scope.cohort.holds(c))
    parts = [tickets.group_by(c.station_code, c.type)]
    visible = visible_flags(scope)
    if "station_suspect" in scope.rules:
        widen_work_mem(connection)
    if visible is not None:
        flags = visible.cte("flags")
        f = flags.c
        by_rule = select(f.station_code, f.type, f.rule, func.count().label("n")).group_by(f.station_code, f.type, f.rule)
        flagged = select(f.station_code, f.type, _pseudo(FLAGGED), func.count(f.id.distinct()).label("n"))
        parts += [by_rule, flagged.group_by(f.station_code, f.type)]
    counts: dict[tuple[str, str], dict[str, int]] = defaultdict(dict)
    for row in connection.execute(union_all(*parts)):
        counts[(row.station_code, row.type)][row.rule] = int(row.n)
    return counts


def quality(cells: Iterable[Mapping[str, int]], rules: Iterable[str]) -> QualityFigures:
    """The figures of the union of some (station, type) cells."""
    total: dict[str, int] = defaultdict(int)
    for cell in cells:
        for name, value in cell.items():
            total[name] += value
    tickets, flagged = total[TICKETS], total[FLAGGED]
    rate = 1 - flagged / tickets if tickets else None
    return QualityFigures(tickets, flagged, rate, {rule: total[rule] for rule in rules})


def grouped(
    counts: Mapping[tuple[str, str], Mapping[str, int]], key: Callable[[str, str], str | None], rules: Iterable[str]
) -> dict[str, QualityFigures]:
    """The figures per key(station_code, type) (None: the cell belongs to no group)."""
    groups: dict[str, list[Mapping[str, int]]] = defaultdict(list)
    for (station, kind), cell in counts.items():
        name = key(station, kind)
        if name is not None:
            groups[name].append(cell)
    rules = tuple(rules)
    return {name: quality(cells, rules) for name, cells in groups.items()}
