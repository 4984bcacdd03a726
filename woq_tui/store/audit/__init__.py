"""The ticket quality audit's store side (audit.md, docs/audit.md).

- flags.py: every rule in SQL, one definition; history.py, due.py, suspects.py: the
  parts of it that read earlier tickets, the SLA calendar and the classifier;
- listing.py: the flags with evidence and reviews; figures.py: flagged,
  quality_pass_rate and flags_by_rule; reviews.py: confirm / dismiss.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import Engine

from woq_tui.domain.periods import Period
from woq_tui.errors import ReviewError
from woq_tui.settings import Settings
from woq_tui.store import address_tally
from woq_tui.store.audit.flags import MODEL_RULE, AuditScope, active_rules, wide_cohort
from woq_tui.store.audit.listing import prepare, read_flags, station_areas, station_names
from woq_tui.store.audit.reviews import check_review, fires, ticket_created, write_review
from woq_tui.store.db import shared_snapshot, snapshot, write_transaction
from woq_tui.values.audit import AuditFlag, AuditView, FlagReview, QualityFigures


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


def scope_for(settings: Settings, period: Period, as_of: datetime, rules: tuple[str, ...], **where: Any) -> AuditScope:
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
    with shared_snapshot(engine) as connections:
        connection = connections[0]
        scope = replace(scope, wide=wide_cohort(connection, scope), tallied=address_tally.usable(connection))
        prepare(connection, scope, model)
        flags = read_flags(connections, scope)
        names = station_names(connection)
    view = AuditView(period, as_of, flags, model.info if model is not None else None, skipped, names)
    return Evaluation(view, notice)


def review(
    engine: Engine,
    settings: Settings,
    ticket_no: str,
    rule: str,
    verdict: str,
    note: str | None,
    at: datetime,
    operator: str | None = None,
) -> FlagReview:
    """Record a review of a flag that fires on the ticket at `at` (dismissed or not), by
    `operator` (default: [console] operator). ReviewError: no such rule, ticket or flag;
    nothing written then."""
    from datetime import timedelta

    check_review(rule, verdict)
    model, _ = load_model(engine, (rule,), settings)
    active, _ = active_rules(settings.audit, (rule,), model is not None)
    with write_transaction(engine) as connection:
        created = ticket_created(connection, ticket_no)
        if created is None:
            raise ReviewError("audit.review.unknown_ticket", ticket=ticket_no)
        period = Period(created, created + timedelta(seconds=1), settings.tz)
        scope = scope_for(settings, period, at, active, ticket_nos=(ticket_no,))
        prepare(connection, scope, model)
        if not active or not fires(connection, scope):
            raise ReviewError("audit.review.no_flag", ticket=ticket_no, rule=rule)
        return write_review(connection, ticket_no, rule, verdict, operator or settings.console.operator, note, at)


@dataclass(frozen=True)
class QualityReport:
    """audit.md's figures of a period: all tickets, by type, by area, by station."""

    totals: QualityFigures
    by_type: dict[str, QualityFigures]
    by_area: dict[str, QualityFigures]
    by_station: dict[str, QualityFigures]
    skipped: tuple[str, ...]
    notice: str | None = None


def quality_report(engine: Engine, period: Period, as_of: datetime, settings: Settings) -> QualityReport:
    """flagged, quality_pass_rate and flags_by_rule of the period's tickets at as_of,
    with the stored model for type_suspect (skipped without one)."""
    from woq_tui.domain.audit_rules import RULE_IDS
    from woq_tui.store.audit.figures import cell_counts, grouped, quality

    model, notice = load_model(engine, RULE_IDS, settings)
    active, skipped = active_rules(settings.audit, RULE_IDS, model is not None)
    scope = scope_for(settings, period, as_of, active)
    with snapshot(engine) as connection:
        scope = replace(scope, wide=wide_cohort(connection, scope), tallied=address_tally.usable(connection))
        prepare(connection, scope, model)
        counts = cell_counts(connection, scope)
        areas = station_areas(connection)
    return QualityReport(
        totals=quality(counts.values(), active),
        by_type=grouped(counts, lambda station, kind: kind, active),
        by_area=grouped(counts, lambda station, kind: areas.get(station), active),
        by_station=grouped(counts, lambda station, kind: station, active),
        skipped=skipped,
        notice=notice,
    )


def ticket_flags(engine: Engine, settings: Settings, ticket_nos: Sequence[str], as_of: datetime) -> tuple[AuditFlag, ...]:
    """Every flag of these tickets (all rules, dismissed ones left out), at as_of."""
    from datetime import timedelta

    from sqlalchemy import func, select

    from woq_tui.store.audit.flags import TICKET

    if not ticket_nos:
        return ()
    c = TICKET.c
    with engine.connect() as connection:
        first, last = connection.execute(
            select(func.min(c.created_at), func.max(c.created_at)).where(c.ticket_no.in_(list(ticket_nos)))
        ).one()
    if first is None:
        return ()
    period = Period(first, last + timedelta(seconds=1), settings.tz)
    return evaluate(engine, period, as_of, settings, ticket_nos=ticket_nos).view.flags


def station_exists(engine: Engine, code: str) -> bool:
    from sqlalchemy import select

    from woq_tui.store.audit.flags import STATION

    with engine.connect() as connection:
        return connection.execute(select(STATION.c.code).where(STATION.c.code == code)).first() is not None


def phones_of(engine: Engine, ticket_nos: Sequence[str]) -> dict[str, str | None]:
    """The customer phones of these tickets (shown masked: domain/privacy.py)."""
    from sqlalchemy import bindparam, select

    from woq_tui.store.audit.flags import TICKET

    if not ticket_nos:
        return {}
    c = TICKET.c
    query = select(c.ticket_no, c.customer_phone).where(c.ticket_no.in_(bindparam("numbers", expanding=True)))
    found: dict[str, str | None] = {}
    with engine.connect() as connection:
        for start in range(0, len(ticket_nos), 1000):
            for row in connection.execute(query, {"numbers": list(ticket_nos[start : start + 1000])}):
                found[row.ticket_no] = row.customer_phone
    return found
