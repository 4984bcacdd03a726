"""The audit's flags with their evidence and reviews (audit.md, "`woq-console audit`";
docs/audit.md lists each rule's evidence keys): what `woq-console audit`, screen 6 and
the ticket detail show."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import datetime
from operator import attrgetter
from typing import Any, NamedTuple

from sqlalchemy import Connection, Row, select

from woq_tui.domain.audit_conditions import TIME_PAIRS, first_pair_out_of_order, seconds
from woq_tui.domain.audit_rules import RULES_BY_ID
from woq_tui.domain.timestamps import from_epoch
from woq_tui.store.audit.due import expected_due
from woq_tui.store.audit.flags import MODEL_RULE, REVIEW, STATION, TICKET, AuditScope, station_area, visible_flags
from woq_tui.store.audit.history import REPEAT_KEYS, repeat_evidence
from woq_tui.store.audit.suspects import SUSPECTS, fill_suspects
from woq_tui.values.audit import AuditFlag, FlagReview

TIMES = ("created_at", "dispatched_at", "arrived_at", "resolved_at", "closed_at", "due_at")


class _FlagRow(NamedTuple):
    """A row of visible_flags (store/audit/flags.py), in its column order."""

    id: int
    station_code: str
    type: str
    rule: str
    station: str | None
    top: int | None
    history: int | None


class _TicketRow(NamedTuple):
    """A flagged ticket's columns (instants as epoch seconds), in read_flags' ticket_query order."""

    id: int
    ticket_no: str
    summary: str | None
    status: str
    dispatch_count: int
    reopen_count: int
    created_at: int
    dispatched_at: int | None
    arrived_at: int | None
    resolved_at: int | None
    closed_at: int | None
    due_at: int


def prepare(connection: Connection, scope: AuditScope, model: Any) -> None:
    """What the rules need before the flags are read: the classifier's findings."""
    if "type_suspect" in scope.rules and model is not None:
        fill_suspects(connection, scope.cohort, scope.settings, model)


def read_flags(connection: Connection, scope: AuditScope) -> tuple[AuditFlag, ...]:
    """The scope's flags that are not dismissed, ordered by ticket_no then rule: the
    flags first, then the cohort's reviews, and the flagged tickets' columns, findings
    and expected due times by id.

    A year holds ~70,000 flags: rows are read as plain named tuples (an attribute of
    SQLAlchemy's Row costs a Python call), and the expected due time, a CASE tree over
    the year's working days, only for the due_mismatch flags (docs/audit.md, "Speed")."""
    query = visible_flags(scope)
    if query is None:
        return ()
    flags = [_FlagRow._make(row) for row in connection.execute(query).all()]
    ids = sorted({flag.id for flag in flags})
    late = sorted({flag.id for flag in flags if flag.rule == "due_mismatch"})
    c, r, s = TICKET.c, REVIEW.c, SUSPECTS.c
    details: dict[int, _TicketRow] = {}
    found: dict[int, Row[Any]] = {}
    due: dict[int, int] = {}
    ticket_query = select(c.id, c.ticket_no, c.summary, c.status, c.dispatch_count, c.reopen_count,
                          *[seconds(c[name]).label(name) for name in TIMES])  # fmt: skip
    # the cohort's reviews in one query, driven from the (small) review table
    review_query = (
        select(c.id, r.rule, r.verdict, r.operator, seconds(r.at).label("reviewed_at"), r.note)
        .select_from(REVIEW.join(TICKET, c.ticket_no == r.ticket_no))
        .where(scope.cohort.holds(c))
    )
    reviews = {(row.id, row.rule): row for row in connection.execute(review_query).all()}
    for batch in _batches(ids):
        details.update((row[0], _TicketRow._make(row)) for row in connection.execute(ticket_query.where(c.id.in_(batch))).all())
        if MODEL_RULE in scope.rules:
            query = select(s.ticket_id, s.predicted, s.probability).where(s.ticket_id.in_(batch))
            found.update((row.ticket_id, row) for row in connection.execute(query))
    if late:
        expected = expected_due(c, station_area(c), scope.policy, scope.period)
        for batch in _batches(late):
            due.update(connection.execute(select(c.id, expected).where(c.id.in_(batch))).tuples().all())
    earlier = _earlier(connection, scope, flags)
    listed = [
        _flag(flag, details[flag.id], reviews.get((flag.id, flag.rule)), found.get(flag.id), due.get(flag.id), earlier)
        for flag in flags
    ]
    # Sorted here, not in SQL: a PostgreSQL collation may order ticket numbers otherwise.
    listed.sort(key=_order)
    return tuple(listed)


_order = attrgetter("ticket_no", "rule")
# ids bound at once (SQLite allows 32,766 variables)
BATCH = 5000


def _batches(ids: list[int]) -> Iterator[list[int]]:
    return (ids[start : start + BATCH] for start in range(0, len(ids), BATCH))


def _earlier(connection: Connection, scope: AuditScope, rows: Sequence[_FlagRow]) -> dict[tuple[str, str], list[str]]:
    """(ticket_no, repeat rule) -> the earlier ticket numbers, newest first: read for
    the flagged tickets only, through the same index as the rule."""
    found: dict[tuple[str, str], list[tuple[int, str]]] = defaultdict(list)
    for rule in REPEAT_KEYS:
        query = repeat_evidence(scope.settings, rule)
        for batch in _batches([row.id for row in rows if row.rule == rule]):
            for number, earlier_no, earlier_at in connection.execute(query, {"ids": batch}).all():
                found[(number, rule)].append((earlier_at, earlier_no))
    # newest first; of two created in the same second, the greater number first
    return {key: [no for _, no in sorted(pairs, reverse=True)] for key, pairs in found.items()}


def _at(value: int | None) -> datetime | None:
    return None if value is None else from_epoch(value)


class _Facts(NamedTuple):
    """What a rule's evidence is made of."""

    flag: _FlagRow
    ticket: _TicketRow
    finding: Any  # the classifier's (predicted, probability), or None
    expected_due: int | None
    earlier: Mapping[tuple[str, str], list[str]]


def _time_order(f: _Facts) -> dict[str, Any]:
    times = f.ticket._asdict()
    pair = first_pair_out_of_order(times) or TIME_PAIRS[0]
    return {"pair": list(pair), **{name: _at(times[name]) for name in pair}}


def _resolved(ticket: _TicketRow) -> int:
    assert ticket.resolved_at is not None, "too_fast fires on resolved tickets only"
    return ticket.resolved_at


def _station_suspect(f: _Facts) -> dict[str, Any]:
    top, history = f.flag.top, f.flag.history
    assert top is not None and history, "station_suspect's rows carry both"
    return {"station": f.flag.station, "share": top / history, "history": history}


# rule -> its evidence object (docs/audit.md): instants as aware datetimes
_EVIDENCE: dict[str, Callable[[_Facts], dict[str, Any]]] = {
    "status_mismatch": lambda f: {
        "status": f.ticket.status, "resolved_at": _at(f.ticket.resolved_at), "closed_at": _at(f.ticket.closed_at)
    },
    "time_order": _time_order,
    "too_fast": lambda f: {"minutes": round((_resolved(f.ticket) - f.ticket.created_at) / 60, 1)},
    "due_mismatch": lambda f: {"expected_due_at": _at(f.expected_due)},
    **{rule: lambda f: {"earlier": f.earlier.get((f.ticket.ticket_no, f.flag.rule), [])} for rule in REPEAT_KEYS},
    "repeat_dispatch": lambda f: {"count": f.ticket.dispatch_count},
    "reopened": lambda f: {"count": f.ticket.reopen_count},
    "type_suspect": lambda f: {"type": f.finding.predicted, "probability": round(f.finding.probability, 4)},
    "station_suspect": _station_suspect,
}  # fmt: skip


def _flag(
    flag: _FlagRow,
    ticket: _TicketRow,
    found: Row[Any] | None,
    finding: Any,
    due: int | None,
    earlier: Mapping[tuple[str, str], list[str]],
) -> AuditFlag:
    rule = flag.rule
    review = None if found is None else FlagReview(found.verdict, found.operator, from_epoch(found.reviewed_at), found.note)
    evidence = _EVIDENCE.get(rule)
    return AuditFlag(
        ticket_no=ticket.ticket_no,
        rule=rule,
        severity=RULES_BY_ID[rule].severity,
        evidence={} if evidence is None else evidence(_Facts(flag, ticket, finding, due, earlier)),
        review=review,
        station_code=flag.station_code,
        type=flag.type,
        created_at=from_epoch(ticket.created_at),
        summary=ticket.summary,
    )


def station_names(connection: Connection) -> dict[str, str]:
    return {row.code: row.name for row in connection.execute(select(STATION.c.code, STATION.c.name))}




def station_areas(connection: Connection) -> dict[str, str]:
    return {row.code: row.area_type for row in connection.execute(select(STATION.c.code, STATION.c.area_type))}
