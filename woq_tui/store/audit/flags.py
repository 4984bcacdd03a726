"""The audit's flags in SQL, defined once (audit.md, docs/audit.md): every rule that
fires on a ticket of the cohort as one (id, ticket_no, rule, evidence...) row, with the
dismissed ones left out. The listing (store/audit/listing.py), the figures
(store/audit/figures.py), the console and `report --with-audit` all read this.

The rules that read the ticket alone are one pass over the cohort (`_row_rules`: a
0/1 column per rule, only the tickets with at least one), turned into rows per rule;
the repeat rules and station_suspect read earlier tickets through the indexed keys
(store/audit/history.py); type_suspect reads the classifier's findings
(store/audit/suspects.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import CTE, BigInteger, Connection, Integer, String, case, exists, func, literal, null, select, union_all
from sqlalchemy.sql.elements import ColumnElement, Label

from woq_tui.audit_settings import AuditSettings
from woq_tui.domain.audit_conditions import TicketColumns, row_conditions, seconds
from woq_tui.domain.audit_rules import DISMISSED, RULE_IDS
from woq_tui.domain.models import AuditReview, Station, Ticket
from woq_tui.domain.periods import Period
from woq_tui.domain.sla import SlaPolicy
from woq_tui.domain.tables import AnySelect, table_of
from woq_tui.domain.timestamps import to_epoch
from woq_tui.store.audit.due import expected_due
from woq_tui.store.audit.history import REPEAT_KEYS, Cohort, Columns, repeat_flags, station_suspects
from woq_tui.store.audit.suspects import SUSPECTS

TICKET, STATION, REVIEW = table_of(Ticket), table_of(Station), table_of(AuditReview)
HISTORY_RULES = ("repeat_call", "repeat_fault", "station_suspect")
MODEL_RULE = "type_suspect"


@dataclass(frozen=True)
class AuditScope:
    """What one evaluation judges: the cohort, the instant, the rules, the settings."""

    period: Period
    as_of: datetime
    rules: tuple[str, ...]
    settings: AuditSettings
    policy: SlaPolicy
    station: str | None = None
    ticket_nos: tuple[str, ...] | None = None
    wide: bool = False  # (Cohort.wide)
    tallied: bool = False  # (Cohort.tallied)

    @property
    def cohort(self) -> Cohort:
        start, end = to_epoch(self.period.start), to_epoch(self.period.end)
        return Cohort(start, end, self.station, self.ticket_nos, self.wide, self.tallied)


def _rule(rule: str) -> Label[str]:
    return literal(rule, String, literal_execute=True).label("rule")


def _mask(scope: AuditScope, rules: Sequence[str]) -> tuple[ColumnElement[int], ColumnElement[int] | None]:
    """(each ticket's rules as the bits of one integer, its expected due time or None
    when due_mismatch is not among the rules)."""
    c = TICKET.c
    due = expected_due(c, station_area(c), scope.policy, scope.period) if "due_mismatch" in rules else None
    conditions = row_conditions(c, to_epoch(scope.as_of), scope.settings, due)
    mask = sum(
        (
            case((conditions[rule], literal(1 << bit, Integer, literal_execute=True)), else_=_ZERO)
            for bit, rule in enumerate(rules)
        ),
        start=_ZERO,
    )
    return mask, due


_ZERO = literal(0, Integer, literal_execute=True)


def row_rules(scope: AuditScope) -> list[str]:
    """The scope's rules that read the ticket alone, in the order of their mask bits."""
    return [rule for rule in scope.rules if rule not in HISTORY_RULES and rule != MODEL_RULE]


def _row_rules(scope: AuditScope, rules: Sequence[str]) -> CTE:
    """One pass over the cohort: each ticket's rules as the bits of one integer, kept
    for the tickets where at least one fires.

    Each condition is evaluated once a row: the mask is computed in a MATERIALIZED
    CTE (SQLite and PostgreSQL both honour the keyword), which the planner may not
    flatten into the filter, where it would compute every condition a second time."""
    c = TICKET.c
    mask, _ = _mask(scope, rules)
    every = (
        select(c.id, c.station_code, c.type, mask.label("mask"))
        .where(scope.cohort.holds(c))
        .cte("row_masks")
        .prefix_with("MATERIALIZED")
    )
    e = every.c
    return select(e.id, e.station_code, e.type, e.mask).where(e.mask != _ZERO).cte("row_rules").prefix_with("MATERIALIZED")


def row_rule_tickets(scope: AuditScope, columns: Columns) -> AnySelect | None:
    """The listing's read of the row rules (store/audit/listing.py): (id, station_code,
    type, mask, *columns(ticket), expected_due) of the cohort's tickets on which at
    least one fires, one row a ticket, bit i of mask for row_rules(scope)[i]. None: no
    such rule. A filter on the mask, not a MATERIALIZED CTE: it has a single reader
    here, so at most a flagged row's mask is computed twice, and the ticket's columns
    come with it instead of being read again by id (docs/audit.md, "Speed")."""
    rules = row_rules(scope)
    if not rules:
        return None
    c = TICKET.c
    mask, due = _mask(scope, rules)
    expected = due if due is not None else literal(None, BigInteger)
    found = (
        select(c.id, c.station_code, c.type, mask.label("mask"), *columns(c), expected.label("expected_due"))
        .where(scope.cohort.holds(c))
        .subquery("row_masks")
    )
    return select(found).where(found.c.mask != _ZERO)


def station_area(columns: TicketColumns) -> ColumnElement[Any]:
    """The area of the ticket's station: the ticket's own copy, which the database keeps
    equal to its station's (migration 0009's triggers, on both databases). A lookup of
    the station for each ticket cost most of a province year's row rules (docs/audit.md,
    "Speed")."""
    return columns.area_type


def _has(table: CTE, bit: int) -> ColumnElement[bool]:
    return table.c.mask.op("&")(literal(1 << bit, Integer, literal_execute=True)) != _ZERO


def _padded(
    query: AnySelect,
    rule: str,
    station: ColumnElement[Any] | None = None,
    top: ColumnElement[Any] | None = None,
    history: ColumnElement[Any] | None = None,
) -> AnySelect:
    """A rule's rows in the flags' shape: (id, station_code, type, rule, station, top,
    history); `query` selects the first three."""
    return query.add_columns(
        _rule(rule),
        (station if station is not None else null()).label("station"),
        (top if top is not None else literal(None, BigInteger)).label("top"),
        (history if history is not None else literal(None, BigInteger)).label("history"),
    )


def raw_flags(scope: AuditScope) -> list[AnySelect]:
    """Each active rule's flags as a SELECT of the common shape (dismissed included)."""
    parts: list[AnySelect] = []
    cohort, settings = scope.cohort, scope.settings
    rules = row_rules(scope)
    if rules:
        table = _row_rules(scope, rules)
        for bit, rule in enumerate(rules):
            parts.append(_padded(select(table.c.id, table.c.station_code, table.c.type).where(_has(table, bit)), rule))
    for rule in REPEAT_KEYS:
        if rule in scope.rules:
            parts.append(_padded(repeat_flags(cohort, settings, rule), rule))
    if "station_suspect" in scope.rules:
        found = station_suspects(cohort, settings).subquery("suspect_station")
        parts.append(_padded(select(found.c.id, found.c.station_code, found.c.type), "station_suspect",
                             found.c.station, found.c.top, found.c.history))  # fmt: skip
    if MODEL_RULE in scope.rules:
        s = SUSPECTS.c
        parts.append(_padded(select(s.ticket_id.label("id"), s.station_code, s.type), MODEL_RULE))
    return parts


def visible_flags(scope: AuditScope) -> AnySelect | None:
    """Every flag of the scope that is not dismissed: (id, station_code, type, rule,
    station, top, history). None: no rule to evaluate.

    No join of the tickets to the flags: each part carries the ticket's station and
    type, and the dismissed reviews (few) are turned into (id, rule) first. (A join of
    the ticket table into the union had PostgreSQL misjudge the union's size and read
    every ticket: 5 s for a week.)"""
    parts = raw_flags(scope)
    if not parts:
        return None
    flags = union_all(*parts).subquery("all_flags")
    c, r = TICKET.c, REVIEW.c
    dismissed = (
        select(c.id, r.rule)
        .select_from(REVIEW.join(TICKET, c.ticket_no == r.ticket_no))
        .where(r.verdict == literal(DISMISSED, String, literal_execute=True))
        .cte("dismissed")
    )
    d = dismissed.c
    return select(flags).where(~exists().where(d.id == flags.c.id, d.rule == flags.c.rule))


def active_rules(settings: AuditSettings, wanted: Sequence[str] | None, model_loaded: bool) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(rules evaluated, rules skipped) in audit.md's order: `wanted` (None: all) minus
    the disabled ones, and type_suspect without a model."""
    chosen = [rule for rule in RULE_IDS if wanted is None or rule in wanted]
    skipped = [rule for rule in chosen if rule in settings.disabled or (rule == MODEL_RULE and not model_loaded)]
    return tuple(rule for rule in chosen if rule not in skipped), tuple(skipped)


# SQLite: a cohort of more than this share of the tickets is read by a scan (Cohort.wide)
WIDE_SHARE = 0.25


def wide_cohort(connection: Connection, scope: AuditScope) -> bool:
    """Whether the scope's cohort is best read by a scan: on SQLite, whose planner
    always prefers the created_at index for a range (it keeps no histogram), when the
    period holds more than WIDE_SHARE of the tickets (two counts from that index).
    PostgreSQL's planner decides for itself."""
    if connection.dialect.name != "sqlite" or scope.ticket_nos is not None:
        return False
    c = TICKET.c
    created = seconds(c.created_at)
    cohort = scope.cohort
    inside = connection.execute(select(func.count()).where(created >= cohort.start, created < cohort.end)).scalar_one()
    if not inside:
        return False
    total = connection.execute(select(func.count()).select_from(TICKET)).scalar_one()
    return inside > WIDE_SHARE * total
