"""The ticket quality audit's store side (audit.md, docs/audit.md).

- flags.py: every rule in SQL, one definition; history.py, due.py, suspects.py: the
  parts of it that read earlier tickets, the SLA calendar and the classifier;
- listing.py: the flags with evidence and reviews; figures.py: flagged,
  quality_pass_rate and flags_by_rule; reviews.py: confirm / dismiss.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Sequence

from sqlalchemy import Engine

from woq_tui.domain.periods import Period
from woq_tui.settings import Settings
from woq_tui.store.audit.flags import MODEL_RULE, AuditScope, active_rules
from woq_tui.store.audit.listing import prepare, read_flags, station_names
from woq_tui.store.db import snapshot
from woq_tui.values.audit import AuditView


@dataclass(frozen=True)
class Evaluation:
    view: AuditView
    # why type_suspect was skipped when it was wanted (a message key), or None
    notice: str | None = None


def load_model(engine: Engine, wanted: Sequence[str], settings: Settings) -> tuple[Any, str | None]:
    """The stored classifier when type_suspect is to be evaluated: (model, None), or
    (None, the notice's message key) without one; never raises (AUDIT_CONTRACT.md)."""
    if MODEL_RULE not in wanted or MODEL_RULE in settings.audit.disabled:
        return None, None
    from woq_tui.classifier import load_model as load

    return load(engine)


def scope_for(settings: Settings, period: Period, as_of: datetime, rules: tuple[str, ...], **where) -> AuditScope:
    return AuditScope(period, as_of, rules, settings.audit, settings.sla_policy(), **where)


def evaluate(
    engine: Engine,
    period: Period,
    as_of: datetime,
    settings: Settings,
    *,
    rules: Sequence[str] | None = None,
    station: str | None = None,
    ticket_nos: Sequence[str] | None = None,
) -> Evaluation:
    """The flags of the tickets created in the period (of one station, or of the
    given tickets), judged at as_of, dismissed ones left out."""
    from woq_tui.domain.audit_rules import RULE_IDS

    wanted = tuple(rules) if rules is not None else RULE_IDS
    model, notice = load_model(engine, wanted, settings)
    active, skipped = active_rules(settings.audit, wanted, model is not None)
    scope = scope_for(settings, period, as_of, active, station=station,
                      ticket_nos=tuple(ticket_nos) if ticket_nos is not None else None)  # fmt: skip
    with snapshot(engine) as connection:
        prepare(connection, scope, model)
        flags = read_flags(connection, scope)
        names = station_names(connection)
    view = AuditView(period, as_of, flags, model.info if model is not None else None, skipped, names)
    return Evaluation(view, notice)
