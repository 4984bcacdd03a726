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

from sqlalchemy import (
    BigInteger,
    Boolean,
    Connection,
    FromClause,
    Integer,
    String,
    and_,
    case,
    cast,
    exists,
    func,
    literal,
    select,
    union_all,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ColumnElement, Over
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.sql.selectable import CTE

from woq_tui.audit_settings import AuditSettings
from woq_tui.domain.audit_conditions import TicketColumns, seconds
from woq_tui.domain.enums import TicketType
from woq_tui.domain.models import Ticket
from woq_tui.domain.tables import AnySelect, table_of
from woq_tui.store.address_tally import possibly_busy

TICKET = table_of(Ticket)
# Built once: an alias of the ticket table proxies its ~30 columns (foreign keys
# included), which cost ~50 ms an evaluation when the aliases were made per call.
_TICKET_T, _EARLIER, _OWN = TICKET.alias("t"), TICKET.alias("e"), TICKET.alias("own")
# the listing's columns of a ticket, from the ticket table or an alias of it
Columns: TypeAlias = Callable[[TicketColumns], list[ColumnElement[Any]]]
# station_suspect's top station is carried in one string with its count: the count in
# TOP_DIGITS digits, zero-padded, then the code (`_top_key`)
TOP_DIGITS = 12
# route_threshold as an integer ratio, so that the comparison is exact on both databases
SHARE_SCALE = 1_000_000


# PostgreSQL's work_mem for a read that holds station_suspect, set for its transaction
# (docs/speed.md, "Session settings"): a week's address cells at 10M tickets (218,000)
# and its windows' sorts spilled to disk at the default 4 MB (docs/audit.md, "Speed").
HISTORY_WORK_MEM = "64MB"


def widen_work_mem(connection: Connection) -> None:
    """SET LOCAL work_mem = HISTORY_WORK_MEM on PostgreSQL, for this transaction only."""
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql(f"SET LOCAL work_mem = '{HISTORY_WORK_MEM}'")


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
    # PostgreSQL with the rollup built: station_suspect looks up only the addresses that
    # the address tally says may be busy (store/address_tally.py). Never what is found.
    tallied: bool = False

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


def _earlier_in_window(
    cohort: Cohort, ticket: FromClause, earlier: FromClause, key: str, window_s: int
) -> ColumnElement[bool]:
    """`earlier` has `ticket`'s key and was created in the window before it; and, implied,
    in [start - window, end): PostgreSQL may then read the earlier tickets as that one
    range and join them by a hash, where it looked each ticket's key up in the key's
    index (a week at 10M tickets: 170,000 lookups, 0.9 -> 0.45 s; docs/audit.md, "Speed").
    SQLite joins by nested loops only, and the range made it walk the created_at index
    for each ticket instead of the key's: not given to it (`_hash_join_range`)."""
    created, before = seconds(ticket.c.created_at), seconds(earlier.c.created_at)
    implied = and_(
        before >= literal(cohort.start - window_s, BigInteger, literal_execute=True),
        before < literal(cohort.end, BigInteger, literal_execute=True),
    )
    return and_(
        earlier.c[key] == ticket.c[key],
        before >= created - literal(window_s, BigInteger, literal_execute=True),
        before < created,
        _hash_join_range(implied),
    )


class _hash_join_range(FunctionElement[bool]):
    """A condition implied by the rest, written only for PostgreSQL (SQLite: true)."""

    inherit_cache = True
    type = Boolean()


@compiles(_hash_join_range)
def _range_any(element: _hash_join_range, compiler: SQLCompiler, **kw: Any) -> str:
    (condition,) = element.clauses
    return compiler.process(condition, **kw)


@compiles(_hash_join_range, "sqlite")
def _range_sqlite(element: _hash_join_range, compiler: SQLCompiler, **kw: Any) -> str:
    return "1"


def _repeat(
    cohort: Cohort, settings: AuditSettings, key: str, repairs_only: bool
) -> tuple[FromClause, FromClause, ColumnElement[bool], list[ColumnElement[bool]]]:
    ticket, earlier = _TICKET_T, _EARLIER
    condition = _earlier_in_window(cohort, ticket, earlier, key, settings.repeat_days * 86400)
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
    earlier tickets' strict majority, hence the station with the most of them. Each
    ticket carries its own station's running count at the address (`run`); the largest
    of those among a ticket's earlier ones is the top station's count, carried with the
    station's code in one string (`_top_key`; the count is then unique, so the code is
    that station's). An address is busy with more than route_min_history tickets in all
    and one created since the cohort's start.

    Two ways to the same rows (`_ranked_*`), by how the cohort is read: a wide cohort
    (most of the table, SQLite) takes every ticket at its busy addresses as a row; any
    other takes the history before its start as one row per address and station,
    weighing its count, and only its own period's tickets one by one: a week at 10M
    tickets then orders ~100,000 rows, not the 617,000 tickets at its busy addresses
    (docs/audit.md, "Speed"), where for a year on SQLite the grouping cost more than it
    saved (2.8 -> 3.5 s CPU).
    """
    ranked = _ranked_by_ticket(cohort, settings) if cohort.wide else _ranked_since_start(cohort, settings)
    return _suspects(ranked, cohort, settings, columns)


def _near(cohort: Cohort, settings: AuditSettings, end: ColumnElement[int]) -> list[ColumnElement[bool]]:
    """The tickets whose addresses may be busy: of the cohort's addresses (through the
    created_at index: a week's, not every address of the table) unless it is wide, and
    of those only the ones the address tally leaves (when `tallied`)."""
    c, own = TICKET.c, _OWN
    near = [c.address_key.is_not(None), seconds(c.created_at) < end]
    if cohort.ticket_nos is not None:  # a few tickets (the queue's markers): their addresses only
        near.append(c.address_key.in_(select(own.c.address_key).where(own.c.ticket_no.in_(cohort.ticket_nos))))
    elif not cohort.wide:
        created = seconds(own.c.created_at)
        mine = [created >= cohort.start, created < end] + ([own.c.station_code == cohort.station] if cohort.station else [])
        if cohort.tallied:
            mine.append(possibly_busy(own.c.address_key, settings.route_min_history))
        near.append(c.address_key.in_(select(own.c.address_key).where(*mine)))
    return near


def _ranked_by_ticket(cohort: Cohort, settings: AuditSettings) -> CTE:
    """Every ticket at a busy address, weighing one."""
    c = TICKET.c
    end = literal(cohort.end, BigInteger, literal_execute=True)
    busy = (
        select(c.address_key)
        .where(*_near(cohort, settings, end))
        .group_by(c.address_key)
        .having(func.count() > settings.route_min_history, func.max(seconds(c.created_at)) >= cohort.start)
        .cte("busy")
        .prefix_with("MATERIALIZED", dialect="postgresql")
    )
    return select(
        c.id,
        c.address_key,
        c.station_code,
        seconds(c.created_at).label("created"),
        literal(1, BigInteger).label("weight"),
        func.row_number().over(partition_by=[c.address_key, c.station_code], order_by=[c.created_at, c.id]).label("run"),
    ).where(c.address_key.in_(select(busy.c.address_key)), seconds(c.created_at) < end).cte("ranked")


def _ranked_since_start(cohort: Cohort, settings: AuditSettings) -> CTE:
    """The history before the start as one row per busy address and station (from the
    address index alone), weighing its count; every ticket from the start on, weighing one."""
    c = TICKET.c
    created = seconds(c.created_at)
    start = literal(cohort.start, BigInteger, literal_execute=True)
    end = literal(cohort.end, BigInteger, literal_execute=True)
    cells = (
        select(
            c.address_key,
            c.station_code,
            func.count().label("tickets"),
            func.sum(case((created < start, 1), else_=0)).label("before"),
            func.max(created).label("last"),
        )
        .where(*_near(cohort, settings, end))
        .group_by(c.address_key, c.station_code)
        # PostgreSQL: computed once, not by each of the parallel processes of what reads it
        .cte("cells")
        .prefix_with("MATERIALIZED", dialect="postgresql")
    )
    busy = (
        select(cells.c.address_key)
        .group_by(cells.c.address_key)
        .having(func.sum(cells.c.tickets) > settings.route_min_history, func.max(cells.c.last) >= cohort.start)
        .cte("busy")  # read by both parts below: PostgreSQL computed it for each
        .prefix_with("MATERIALIZED", dialect="postgresql")
    )
    earlier = select(
        literal(None, Integer).label("id"),
        cells.c.address_key,
        cells.c.station_code,
        (start - 1).label("created"),
        cells.c.before.label("weight"),
    ).where(cells.c.address_key.in_(select(busy.c.address_key)), cells.c.before > 0)
    since = select(
        c.id, c.address_key, c.station_code, created.label("created"), literal(1, BigInteger).label("weight")
    ).where(c.address_key.in_(select(busy.c.address_key)), created >= start, created < end)
    rows = union_all(earlier, since).subquery("rows")
    w = rows.c
    # the station's running count at the address, this ticket included (cast back to an
    # integer: PostgreSQL's sum of a bigint is a numeric)
    run = func.sum(w.weight).over(partition_by=[w.address_key, w.station_code], order_by=[w.created, w.id], rows=(None, 0))
    return select(
        w.id, w.address_key, w.station_code, w.created, w.weight, cast(run, BigInteger).label("run")
    ).cte("ranked")  # fmt: skip


class _top_key(FunctionElement[str]):
    """A ticket's station's running count, zero-padded to TOP_DIGITS, then the station's
    code: the largest over earlier tickets is the top station's count and code at once.
    Compared byte by byte on PostgreSQL (COLLATE "C"); the count decides whenever the
    rule can fire, since the top count is then held by one station."""

    type = String()
    inherit_cache = True


@compiles(_top_key)
def _top_key_sqlite(element: _top_key, compiler: SQLCompiler, **kw: Any) -> str:
    run, code = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"(printf('%0{TOP_DIGITS}d', {run}) || {code})"


@compiles(_top_key, "postgresql")
def _top_key_pg(element: _top_key, compiler: SQLCompiler, **kw: Any) -> str:
    run, code = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"(lpad(CAST({run} AS text), {TOP_DIGITS}, '0') || {code}) COLLATE \"C\""


def _suspects(ranked: CTE, cohort: Cohort, settings: AuditSettings, columns: Columns | None) -> AnySelect:
    """The cohort's tickets among `ranked`'s rows that station_suspect fires on."""
    r = ranked.c

    def before(function: FunctionElement[Any]) -> Over[Any]:
        # over the address's tickets created before this one's second
        return function.over(partition_by=r.address_key, order_by=r.created, range_=(None, -1))

    history = select(
        r.id,
        r.station_code,
        r.created,
        cast(before(func.sum(r.weight)), BigInteger).label("history"),
        before(func.max(_top_key(r.run, r.station_code))).label("top"),
    ).subquery("history")
    h = history.c
    top_count = cast(func.substr(h.top, 1, TOP_DIGITS), BigInteger)
    top_station = func.substr(h.top, TOP_DIGITS + 1)
    share = round(settings.route_threshold * SHARE_SCALE)
    where = [
        h.created >= cohort.start,
        h.created < cohort.end,
        h.history >= settings.route_min_history,
        top_station != h.station_code,
        top_count * SHARE_SCALE >= h.history * share,
    ]
    if cohort.station is not None:
        where.append(h.station_code == cohort.station)
    if cohort.ticket_nos is not None:
        where.append(h.id.in_(select(TICKET.c.id).where(TICKET.c.ticket_no.in_(cohort.ticket_nos))))
    own = _OWN
    return (
        select(
            h.id,
            h.station_code,
            own.c.type,
            top_station.label("station"),
            top_count.label("top"),
            h.history,
            *(columns(own.c) if columns is not None else []),
        )  # fmt: skip
        .select_from(history.join(own, own.c.id == h.id))
        .where(*where)
    )
