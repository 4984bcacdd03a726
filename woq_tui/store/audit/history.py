"""The rules that read a ticket's earlier ones (audit.md): repeat_call, repeat_fault and
station_suspect, in SQL over the indexed normalised keys (ticket.phone_key,
ticket.address_key with created_at; migration 0006, domain/contact_keys.py).

"Earlier" is by created_at, strictly: a ticket created in the same second is not
earlier. Every earlier ticket counts, inside the period or not (audit.md, "Cohort").
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeAlias

from sqlalchemy import BigInteger, FromClause, String, and_, exists, func, literal, select
from sqlalchemy.sql.elements import ColumnElement, Over
from sqlalchemy.sql.functions import FunctionElement

from woq_tui.audit_settings import AuditSettings
from woq_tui.domain.audit_conditions import TicketColumns, seconds
from woq_tui.domain.enums import TicketType
from woq_tui.domain.models import Ticket
from woq_tui.domain.tables import AnySelect, table_of

TICKET = table_of(Ticket)
# Built once: an alias of the ticket table proxies its ~30 columns (foreign keys
# included), which cost ~50 ms an evaluation when the aliases were made per call.
_TICKET_T, _EARLIER, _OWN = TICKET.alias("t"), TICKET.alias("e"), TICKET.alias("own")
# the listing's columns of a ticket, from the ticket table or an alias of it
Columns: TypeAlias = Callable[[TicketColumns], list[ColumnElement[Any]]]
# station_suspect's station is carried in one integer with its count: count * RANK_BASE + rank
RANK_BASE = 1_000_000
# route_threshold as an integer ratio, so that the comparison is exact on both databases
SHARE_SCALE = 1_000_000


@dataclass(frozen=True)
class Cohort:
    """The tickets judged: created in [start, end) (epoch seconds), of one station or all."""

    start: int
    end: int
    station: str | None = None
    # only these tickets (the ticket detail, the queue's markers)
    ticket_nos: tuple[str, ...] | None = None
    # A cohort of a large share of the table (SQLite): read it by a scan, not through
    # the created_at index, whose row lookups cost more than reading every row
    # (store/audit/flags.py, `wide_cohort`). Only how it is read changes, never what.
    wide: bool = False

    def holds(self, columns: TicketColumns) -> ColumnElement[bool]:
        created = seconds(columns.created_at)
        if self.wide:
            created = created + literal(0, BigInteger, literal_execute=True)
        condition = and_(created >= self.start, created < self.end)
        if self.station is not None:
            condition = and_(condition, columns.station_code == self.station)
        if self.ticket_nos is not None:
            condition = and_(condition, columns.ticket_no.in_(self.ticket_nos))
        return condition


def _repair(columns: TicketColumns) -> ColumnElement[bool]:
    return columns.type == literal(str(TicketType.repair), String, literal_execute=True)


def _earlier_in_window(ticket: FromClause, earlier: FromClause, key: str, window_s: int) -> ColumnElement[bool]:
    created, before = seconds(ticket.c.created_at), seconds(earlier.c.created_at)
    return and_(
        earlier.c[key] == ticket.c[key],
        before >= created - literal(window_s, BigInteger, literal_execute=True),
        before < created,
    )


def _repeat(
    cohort: Cohort, settings: AuditSettings, key: str, repairs_only: bool
) -> tuple[FromClause, FromClause, ColumnElement[bool], list[ColumnElement[bool]]]:
    ticket, earlier = _TICKET_T, _EARLIER
    condition = _earlier_in_window(ticket, earlier, key, settings.repeat_days * 86400)
    where = [cohort.holds(ticket.c), ticket.c[key].is_not(None)]
    if repairs_only:
        condition = and_(condition, _repair(earlier.c))
        where.append(_repair(ticket.c))
    return ticket, earlier, condition, where


def repeat_flags(cohort: Cohort, settings: AuditSettings, rule: str) -> AnySelect:
    """(id, station_code, type) of the cohort's tickets the repeat rule fires on: for a
    wide cohort, driven from the key's index (key, created_at and the row id are in it;
    the row is read for the tickets it fires on)."""
    ticket, earlier, condition, where = _repeat(cohort, settings, *REPEAT_KEYS[rule])
    return select(ticket.c.id, ticket.c.station_code, ticket.c.type).where(*where, exists().where(condition))


def repeat_pairs(cohort: Cohort, settings: AuditSettings, rule: str, columns: Columns) -> AnySelect:
    """The listing's read of a repeat rule (store/audit/listing.py): (id, station_code,
    type, *columns(ticket), earlier_no, earlier_at) of every (ticket, earlier ticket)
    pair that makes it fire: its flags and their evidence in one join, the same
    condition as repeat_flags (a ticket comes once per earlier ticket)."""
    ticket, earlier, condition, where = _repeat(cohort, settings, *REPEAT_KEYS[rule])
    return (
        select(ticket.c.id, ticket.c.station_code, ticket.c.type, *columns(ticket.c),
               earlier.c.ticket_no.label("earlier_no"), seconds(earlier.c.created_at).label("earlier_at"))
        .select_from(ticket.join(earlier, condition))
        .where(*where)
    )  # fmt: skip


# rule -> (key column, repairs only)
REPEAT_KEYS = {"repeat_call": ("phone_key", False), "repeat_fault": ("address_key", True)}


def station_suspects(cohort: Cohort, settings: AuditSettings, columns: Columns | None = None) -> AnySelect:
    """(id, station_code, type, station, top, history, *columns(ticket)) of the cohort's tickets station_suspect
    fires on: at least route_min_history earlier tickets at the address, one other
    station holding at least route_threshold of them (its code and count: top).

    route_threshold is above one half (audit_settings.py), so that station is the
    earlier tickets' strict majority, hence the station with the most of them. For each
    ticket at a busy address, a window gives its own station's running count; the
    largest of those among a ticket's earlier ones is the top station's count, carried
    with the station's rank in one integer. Addresses with no more tickets than
    route_min_history in all, or none created since the cohort's start, are left out
    first, from the address index alone (address_key, created_at, station_code).
    """
    c = TICKET.c
    end = literal(cohort.end, BigInteger, literal_execute=True)
    near = [c.address_key.is_not(None), seconds(c.created_at) < end]
    own = _OWN
    if cohort.ticket_nos is not None:  # a few tickets (the queue's markers): their addresses only
        near.append(c.address_key.in_(select(own.c.address_key).where(own.c.ticket_no.in_(cohort.ticket_nos))))
    elif not cohort.wide:  # the cohort's addresses, found through the created_at index:
        # a week's, not every address of the table (10M tickets: docs/audit.md, "Speed")
        start = literal(cohort.start, BigInteger, literal_execute=True)
        created = seconds(own.c.created_at)
        mine = [created >= start, created < end] + ([own.c.station_code == cohort.station] if cohort.station else [])
        near.append(c.address_key.in_(select(own.c.address_key).where(*mine)))
    busy = (
        select(c.address_key)
        .where(*near)
        .group_by(c.address_key)
        .having(func.count() > settings.route_min_history, func.max(seconds(c.created_at)) >= cohort.start)
        # PostgreSQL: computed once; as a plain IN each of three parallel processes found
        # the week's busy addresses for itself (3.9 s each at 10M; docs/audit.md, "Speed")
        .cte("busy")
        .prefix_with("MATERIALIZED", dialect="postgresql")
    )
    ranked = (
        select(
            c.id,
            c.address_key,
            c.station_code,
            seconds(c.created_at).label("created"),
            func.row_number().over(partition_by=[c.address_key, c.station_code], order_by=[c.created_at, c.id]).label("run"),
            func.dense_rank().over(order_by=c.station_code).label("rank"),
        )
        .where(c.address_key.in_(select(busy.c.address_key)), seconds(c.created_at) < end)
        .cte("ranked")
    )
    r = ranked.c

    def before(function: FunctionElement[Any]) -> Over[Any]:
        # over the address's tickets created before this one's second
        return function.over(partition_by=r.address_key, order_by=r.created, range_=(None, -1))

    history = select(
        r.id,
        r.station_code,
        r.rank,
        r.created,
        before(func.count()).label("history"),
        before(func.max(r.run * RANK_BASE + r.rank)).label("top"),
    ).subquery("history")
    h = history.c
    top_count, top_rank = h.top // RANK_BASE, h.top % RANK_BASE
    share = round(settings.route_threshold * SHARE_SCALE)
    where = [
        h.created >= cohort.start,
        h.created < cohort.end,
        h.history >= settings.route_min_history,
        top_rank != h.rank,
        top_count * SHARE_SCALE >= h.history * share,
    ]
    if cohort.station is not None:
        where.append(h.station_code == cohort.station)
    if cohort.ticket_nos is not None:
        where.append(h.id.in_(select(TICKET.c.id).where(TICKET.c.ticket_no.in_(cohort.ticket_nos))))
    ranks = select(r.station_code, r.rank).distinct().subquery("ranks")
    return (
        select(
            h.id,
            h.station_code,
            own.c.type,
            ranks.c.station_code.label("station"),
            top_count.label("top"),
            h.history,
            *(columns(own.c) if columns is not None else []),
        )  # fmt: skip
        .select_from(history.join(ranks, ranks.c.rank == top_rank).join(own, own.c.id == h.id))
        .where(*where)
    )
