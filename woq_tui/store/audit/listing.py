"""The audit's flags with their evidence and reviews (audit.md, "`woq-console audit`";
docs/audit.md lists each rule's evidence keys): what `woq-console audit`, screen 6 and
the ticket detail show."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, select

from woq_tui.domain.audit_conditions import TIME_PAIRS, first_pair_out_of_order, seconds
from woq_tui.domain.audit_rules import RULES_BY_ID
from woq_tui.domain.timestamps import from_epoch
from woq_tui.store.audit.due import expected_due
from woq_tui.store.audit.flags import REVIEW, STATION, TICKET, AuditScope, station_area, visible_flags
from woq_tui.store.audit.history import REPEAT_KEYS, repeat_evidence
from woq_tui.store.audit.suspects import SUSPECTS, fill_suspects
from woq_tui.values.audit import AuditFlag, FlagReview

TIMES = ("created_at", "dispatched_at", "arrived_at", "resolved_at", "closed_at", "due_at")


def prepare(connection: Connection, scope: AuditScope, model: Any) -> None:
    """What the rules need before the flags are read: the classifier's findings."""
    if "type_suspect" in scope.rules and model is not None:
        fill_suspects(connection, scope.cohort, scope.settings, model)


def read_flags(connection: Connection, scope: AuditScope) -> tuple[AuditFlag, ...]:
    """The scope's flags that are not dismissed, ordered by ticket_no then rule: the
    flags first, then the flagged tickets' columns, reviews and findings by id."""
    query = visible_flags(scope)
    if query is None:
        return ()
    flags = connection.execute(query).all()
    ids = sorted({flag.id for flag in flags})
    details: dict[int, dict[str, Any]] = {}
    reviews: dict[tuple[int, str], Any] = {}
    found: dict[int, Any] = {}
    c, r = TICKET.c, REVIEW.c
    columns = [c.id, c.ticket_no, c.summary, c.status, c.dispatch_count, c.reopen_count,
               *[seconds(c[name]).label(name) for name in TIMES]]  # fmt: skip
    if "due_mismatch" in scope.rules:
        columns.append(expected_due(c, station_area(c), scope.policy, scope.period).label("expected_due"))
    review_query = select(c.id, r.rule, r.verdict, r.operator, seconds(r.at).label("reviewed_at"), r.note).select_from(
        REVIEW.join(TICKET, c.ticket_no == r.ticket_no)
    )
    for start in range(0, len(ids), BATCH):
        batch = ids[start : start + BATCH]
        for row in connection.execute(select(*columns).where(c.id.in_(batch))):
            details[row.id] = dict(row._mapping)
        for row in connection.execute(review_query.where(c.id.in_(batch))):
            reviews[(row.id, row.rule)] = row
        if "type_suspect" in scope.rules:
            s = SUSPECTS.c
            for row in connection.execute(select(s.ticket_id, s.predicted, s.probability).where(s.ticket_id.in_(batch))):
                found[row.ticket_id] = row
    rows = [{**details[flag.id], **flag._mapping, "review": reviews.get((flag.id, flag.rule)), "finding": found.get(flag.id)}
            for flag in flags]  # fmt: skip
    earlier = _earlier(connection, scope, flags)
    listed = [_flag(row, earlier) for row in rows]
    # Sorted here, not in SQL: a PostgreSQL collation may order ticket numbers otherwise.
    return tuple(sorted(listed, key=lambda flag: (flag.ticket_no, flag.rule)))


# ids bound at once (SQLite allows 32,766 variables)
BATCH = 5000


def _earlier(connection: Connection, scope: AuditScope, rows: Sequence[Row[*tuple[Any, ...]]]) -> dict[tuple[str, str], list[str]]:
    """(ticket_no, repeat rule) -> the earlier ticket numbers, newest first: read for
    the flagged tickets only, through the same index as the rule."""
    found: dict[tuple[str, str], list[tuple[int, str]]] = defaultdict(list)
    for rule in REPEAT_KEYS:
        ids = [row.id for row in rows if row.rule == rule]
        query = repeat_evidence(scope.settings, rule)
        for start in range(0, len(ids), BATCH):
            for row in connection.execute(query, {"ids": ids[start : start + BATCH]}):
                found[(row.ticket_no, rule)].append((row.earlier_at, row.earlier_no))
    # newest first; of two created in the same second, the greater number first
    return {key: [no for _, no in sorted(pairs, reverse=True)] for key, pairs in found.items()}


def _at(value: int | None) -> datetime | None:
    return None if value is None else from_epoch(value)


def evidence(rule: str, row: Mapping[str, Any], earlier: Mapping[tuple[str, str], list[str]]) -> dict[str, Any]:
    """The rule's evidence object (docs/audit.md): instants as aware datetimes."""
    if rule == "status_mismatch":
        return {"status": row["status"], "resolved_at": _at(row["resolved_at"]), "closed_at": _at(row["closed_at"])}
    if rule == "time_order":
        pair = first_pair_out_of_order({name: row[name] for pair in TIME_PAIRS for name in pair}) or TIME_PAIRS[0]
        return {"pair": list(pair), **{name: _at(row[name]) for name in pair}}
    if rule == "too_fast":
        return {"minutes": round((row["resolved_at"] - row["created_at"]) / 60, 1)}
    if rule == "due_mismatch":
        return {"expected_due_at": _at(row["expected_due"])}
    if rule in REPEAT_KEYS:
        return {"earlier": earlier.get((row["ticket_no"], rule), [])}
    if rule == "repeat_dispatch":
        return {"count": row["dispatch_count"]}
    if rule == "reopened":
        return {"count": row["reopen_count"]}
    if rule == "type_suspect":
        finding = row["finding"]
        return {"type": finding.predicted, "probability": round(finding.probability, 4)}
    if rule == "station_suspect":
        return {"station": row["station"], "share": row["top"] / row["history"], "history": row["history"]}
    return {}


def _flag(row: Mapping[str, Any], earlier: Mapping[tuple[str, str], list[str]]) -> AuditFlag:
    rule = row["rule"]
    found = row["review"]
    review = None if found is None else FlagReview(found.verdict, found.operator, from_epoch(found.reviewed_at), found.note)
    return AuditFlag(
        ticket_no=row["ticket_no"],
        rule=rule,
        severity=RULES_BY_ID[rule].severity,
        evidence=evidence(rule, row, earlier),
        review=review,
        station_code=row["station_code"],
        type=row["type"],
        created_at=from_epoch(row["created_at"]),
        summary=row["summary"],
    )


def station_names(connection: Connection) -> dict[str, str]:
    return {row.code: row.name for row in connection.execute(select(STATION.c.code, STATION.c.name))}




def station_areas(connection: Connection) -> dict[str, str]:
    return {row.code: row.area_type for row in connection.execute(select(STATION.c.code, STATION.c.area_type))}
