"""The audit's flags with their evidence and reviews (audit.md, "`woq-console audit`";
docs/audit.md lists each rule's evidence keys): what `woq-console audit`, screen 6 and
the ticket detail show."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import datetime
from operator import attrgetter
from typing import Any, NamedTuple

from sqlalchemy import Connection, select
from sqlalchemy.sql.elements import ColumnElement

from woq_tui.domain.audit_conditions import TIME_PAIRS, TicketColumns, first_pair_out_of_order, seconds
from woq_tui.domain.audit_rules import DISMISSED, RULES_BY_ID
from woq_tui.domain.timestamps import from_epoch
from woq_tui.store.audit.flags import MODEL_RULE, REVIEW, STATION, TICKET, AuditScope, row_rule_tickets, row_rules
from woq_tui.store.audit.history import REPEAT_KEYS, repeat_pairs, station_suspects, widen_work_mem
from woq_tui.store.audit.suspects import SUSPECTS, fill_suspects
from woq_tui.store.collection_pause import collections_paused
from woq_tui.store.db import side_by_side
from woq_tui.values.audit import AuditFlag, FlagReview

TIMES = ("created_at", "dispatched_at", "arrived_at", "resolved_at", "closed_at", "due_at")


class _Ticket(NamedTuple):
    """A flagged ticket's columns as every part of the listing reads them (`_columns`),
    instants as epoch seconds."""

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


def _columns(c: TicketColumns) -> list[ColumnElement[Any]]:
    return [c.ticket_no, c.summary, c.status, c.dispatch_count, c.reopen_count, *[seconds(c[name]).label(name) for name in TIMES]]


# each part's rows: (id, station_code, type, ...) then the ticket's columns
_HEAD, _WIDTH = 3, len(_Ticket._fields)


def prepare(connection: Connection, scope: AuditScope, model: Any) -> None:
    """What the rules need before the flags are read: the classifier's findings."""
    if "type_suspect" in scope.rules and model is not None:
        fill_suspects(connection, scope.cohort, scope.settings, model)


class _Listing:
    """The flags as they are read, each rule's part of store/audit/flags.py with the
    ticket's columns and the evidence carried in its own rows; dismissed ones dropped."""

    def __init__(self, reviews: dict[tuple[int, str], FlagReview]) -> None:
        self.reviews = reviews
        self.flags: list[AuditFlag] = []

    def add(self, row: Any, at: int, rule: str, evidence: dict[str, Any]) -> None:
        """A flag of `rule` on the row's ticket, whose columns (`_columns`) start at `at`."""
        review = self.reviews.get((row[0], rule))
        if review is not None and review.verdict == DISMISSED:
            return
        self.flags.append(AuditFlag(
            ticket_no=row[at], rule=rule, severity=_SEVERITY[rule], evidence=evidence, review=review,
            station_code=row[1], type=row[2], created_at=from_epoch(row[at + _CREATED]), summary=row[at + 1],
        ))  # fmt: skip


_SEVERITY = {rule: found.severity for rule, found in RULES_BY_ID.items()}
_CREATED = _Ticket._fields.index("created_at")


def _ticket(row: Any, at: int = _HEAD) -> _Ticket:
    return _Ticket._make(row[at : at + _WIDTH])


def read_flags(connections: list[Connection], scope: AuditScope) -> tuple[AuditFlag, ...]:
    """The scope's flags that are not dismissed, ordered by ticket_no then rule.

    A year holds ~70,000 flags, so each rule's part is read with the flagged tickets'
    columns and its evidence in the same rows (no second read by id), as plain
    tuples (docs/audit.md, "Speed"); the rules are those of visible_flags
    (store/audit/flags.py), which the figures count. `connections` share one snapshot
    (db.shared_snapshot): with two, station_suspect, the longest part at a province's
    scale, is read on the second beside the rest."""
    connection = connections[0]
    with collections_paused():  # ~70,000 flags for a year, no cycle among them
        listing = _Listing(_reviews(connection, scope))
        suspects: list[Any] = []
        if "station_suspect" in scope.rules:

            def read_suspects(reader: Connection) -> None:
                widen_work_mem(reader)
                suspects.extend(reader.execute(station_suspects(scope.cohort, scope.settings, _columns)))

            side_by_side(connections, lambda reader: _read_rest(reader, scope, listing), read_suspects)
        else:
            _read_rest(connection, scope, listing)
        for row in suspects:
            station, top, history = row[_HEAD : _HEAD + 3]
            evidence = {"station": station, "share": top / history, "history": history}
            listing.add(row, _HEAD + 3, "station_suspect", evidence)
    # Sorted here, not in SQL: a PostgreSQL collation may order ticket numbers otherwise.
    listing.flags.sort(key=_order)
    return tuple(listing.flags)


def _read_rest(connection: Connection, scope: AuditScope, listing: _Listing) -> None:
    """Every rule's flags but station_suspect's, into `listing`."""
    rules = row_rules(scope)
    query = row_rule_tickets(scope, _columns)
    if query is not None:
        at, due_at = _HEAD + 1, _HEAD + 1 + _WIDTH
        for row in connection.execute(query):
            mask, ticket = row[_HEAD], None
            for bit, rule in enumerate(rules):
                if mask >> bit & 1:
                    given = _EVIDENCE.get(rule)
                    if given is None:
                        listing.add(row, at, rule, {})
                        continue
                    ticket = ticket or _ticket(row, at)
                    listing.add(row, at, rule, given(ticket, row[due_at]))
    for rule in REPEAT_KEYS:
        if rule in scope.rules:
            _read_repeats(connection, scope, rule, listing)
    if MODEL_RULE in scope.rules:
        s, c = SUSPECTS.c, TICKET.c
        query = select(s.ticket_id, s.station_code, s.type, *_columns(c), s.predicted, s.probability)
        for row in connection.execute(query.join_from(SUSPECTS, TICKET, c.id == s.ticket_id)):
            predicted, probability = row[_HEAD + _WIDTH :]
            listing.add(row, _HEAD, MODEL_RULE, {"type": predicted, "probability": round(probability, 4)})


_order = attrgetter("ticket_no", "rule")


def _reviews(connection: Connection, scope: AuditScope) -> dict[tuple[int, str], FlagReview]:
    """(ticket id, rule) -> the cohort's reviews, in one query driven from the (small)
    review table: the IN on the reviewed numbers makes SQLite take them first, where
    the join alone had it scan a year's tickets for an empty review table (70 ms)."""
    c, r = TICKET.c, REVIEW.c
    query = (
        select(c.id, r.rule, r.verdict, r.operator, seconds(r.at).label("reviewed_at"), r.note)
        .select_from(REVIEW.join(TICKET, c.ticket_no == r.ticket_no))
        .where(scope.cohort.holds(c), c.ticket_no.in_(select(r.ticket_no)))
    )
    return {(row.id, row.rule): FlagReview(row.verdict, row.operator, from_epoch(row.reviewed_at), row.note)
            for row in connection.execute(query)}  # fmt: skip


def _read_repeats(connection: Connection, scope: AuditScope, rule: str, listing: _Listing) -> None:
    """A repeat rule's flags, from its (ticket, earlier ticket) pairs: the earlier
    ticket numbers newest first; of two created in the same second, the greater number
    first."""
    first: dict[int, Any] = {}
    earlier: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for row in connection.execute(repeat_pairs(scope.cohort, scope.settings, rule, _columns)):
        first.setdefault(row[0], row)
        earlier[row[0]].append((row[-1], row[-2]))
    for ticket_id, row in first.items():
        numbers = [number for _, number in sorted(earlier[ticket_id], reverse=True)]
        listing.add(row, _HEAD, rule, {"earlier": numbers})


def _at(value: int | None) -> datetime | None:
    return None if value is None else from_epoch(value)


def _time_order(ticket: _Ticket, _due: int | None) -> dict[str, Any]:
    times = ticket._asdict()
    pair = first_pair_out_of_order(times) or TIME_PAIRS[0]
    return {"pair": list(pair), **{name: _at(times[name]) for name in pair}}


def _resolved(ticket: _Ticket) -> int:
    assert ticket.resolved_at is not None, "too_fast fires on resolved tickets only"
    return ticket.resolved_at


# a row rule -> its evidence object (docs/audit.md) from the ticket and its expected due
# time: instants as aware datetimes; the rules not here give {}
_EVIDENCE: dict[str, Callable[[_Ticket, int | None], dict[str, Any]]] = {
    "status_mismatch": lambda t, _: {"status": t.status, "resolved_at": _at(t.resolved_at), "closed_at": _at(t.closed_at)},
    "time_order": _time_order,
    "too_fast": lambda t, _: {"minutes": round((_resolved(t) - t.created_at) / 60, 1)},
    "due_mismatch": lambda _, due: {"expected_due_at": _at(due)},
    "repeat_dispatch": lambda t, _: {"count": t.dispatch_count},
    "reopened": lambda t, _: {"count": t.reopen_count},
}  # fmt: skip


def station_names(connection: Connection) -> dict[str, str]:
    return {row.code: row.name for row in connection.execute(select(STATION.c.code, STATION.c.name))}


def station_areas(connection: Connection) -> dict[str, str]:
    return {row.code: row.area_type for row in connection.execute(select(STATION.c.code, STATION.c.area_type))}
