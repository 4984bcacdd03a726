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

from dataclasses import dataclass
from datetime import datetime
from typing import Sequence

from sqlalchemy import CTE, BigInteger, Integer, String, case, exists, literal, null, or_, select, union_all

from woq_tui.audit_settings import AuditSettings
from woq_tui.domain.audit_conditions import row_conditions
from woq_tui.domain.audit_rules import DISMISSED, RULE_IDS
from woq_tui.domain.models import AuditReview, Station, Ticket
from woq_tui.domain.periods import Period
from woq_tui.domain.sla import SlaPolicy
from woq_tui.domain.timestamps import to_epoch
from woq_tui.store.audit.due import expected_due
from woq_tui.store.audit.history import REPEAT_KEYS, Cohort, repeat_flags, station_suspects
from woq_tui.store.audit.suspects import SUSPECTS

TICKET, STATION, REVIEW = Ticket.__table__, Station.__table__, AuditReview.__table__
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

    @property
    def cohort(self) -> Cohort:
        return Cohort(to_epoch(self.period.start), to_epoch(self.period.end), self.station, self.ticket_nos)


def _rule(rule: str):
    return literal(rule, String, literal_execute=True).label("rule")


def _row_rules(scope: AuditScope, rules: Sequence[str]) -> CTE:
    """One pass over the cohort: a 0/1 column per rule, the tickets with at least one."""
    c, s = TICKET.c, STATION.c
    due = expected_due(c, s.area_type, scope.policy, scope.period) if "due_mismatch" in rules else None
    conditions = row_conditions(c, to_epoch(scope.as_of), scope.settings, due)
    wanted = {rule: conditions[rule] for rule in rules}
    one, zero = literal(1, Integer, literal_execute=True), literal(0, Integer, literal_execute=True)
    query = select(c.id, c.ticket_no, *[case((condition, one), else_=zero).label(rule) for rule, condition in wanted.items()])
    if due is not None:
        query = query.select_from(TICKET.join(STATION, s.code == c.station_code))
    return query.where(scope.cohort.holds(c), or_(*wanted.values())).cte("row_rules")


def _padded(query, rule: str, station=None, top=None, history=None):
    """A rule's rows in the flags' shape: (id, ticket_no, rule, station, top, history)."""
    return query.add_columns(
        _rule(rule),
        (station if station is not None else null()).label("station"),
        (top if top is not None else literal(None, BigInteger)).label("top"),
        (history if history is not None else literal(None, BigInteger)).label("history"),
    )


def raw_flags(scope: AuditScope) -> list:
    """Each active rule's flags as a SELECT of the common shape (dismissed included)."""
    parts = []
    cohort, settings = scope.cohort, scope.settings
    row_rules = [rule for rule in scope.rules if rule not in HISTORY_RULES and rule != MODEL_RULE]
    if row_rules:
        table = _row_rules(scope, row_rules)
        for rule in row_rules:
            parts.append(_padded(select(table.c.id, table.c.ticket_no).where(table.c[rule] == 1), rule))
    for rule in REPEAT_KEYS:
        if rule in scope.rules:
            parts.append(_padded(repeat_flags(cohort, settings, rule), rule))
    if "station_suspect" in scope.rules:
        found = station_suspects(cohort, settings).subquery("suspect_station")
        parts.append(_padded(select(found.c.id, found.c.ticket_no), "station_suspect",
                             found.c.station, found.c.top, found.c.history))  # fmt: skip
    if MODEL_RULE in scope.rules:
        c = TICKET.c
        joined = select(c.id, c.ticket_no).select_from(TICKET.join(SUSPECTS, SUSPECTS.c.ticket_id == c.id))
        parts.append(_padded(joined.where(cohort.holds(c)), MODEL_RULE))
    return parts


def visible_flags(scope: AuditScope) -> CTE | None:
    """Every flag of the scope that is not dismissed (None: no rule to evaluate)."""
    parts = raw_flags(scope)
    if not parts:
        return None
    flags = union_all(*parts).subquery("all_flags")
    dismissed = exists().where(
        REVIEW.c.ticket_no == flags.c.ticket_no,
        REVIEW.c.rule == flags.c.rule,
        REVIEW.c.verdict == literal(DISMISSED, String, literal_execute=True),
    )
    return select(flags).where(~dismissed).cte("flags")


def active_rules(settings: AuditSettings, wanted: Sequence[str] | None, model_loaded: bool) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(rules evaluated, rules skipped) in audit.md's order: `wanted` (None: all) minus
    the disabled ones, and type_suspect without a model."""
    chosen = [rule for rule in RULE_IDS if wanted is None or rule in wanted]
    skipped = [rule for rule in chosen if rule in settings.disabled or (rule == MODEL_RULE and not model_loaded)]
    return tuple(rule for rule in chosen if rule not in skipped), tuple(skipped)



