"""Read models for the live screens: plain dataclasses, built by Core queries.

Everything here runs in worker threads and returns values the UI can keep: no ORM
objects, no sessions. Hot paths (the queue page, changes since a watermark) select
columns with Core, not ORM entities (docs/decisions.md: the ORM costs 4-5x on row fetches).

"Open" is docs/figures.md's: resolved_at is NULL (the partial index ix_ticket_open_due).
The queue's values live in store/rows.py, free of SQLAlchemy, so the UI can draw its
first frame before this module is loaded. Each sort order is SQL here
(`_sort_columns`) and a Python key there (`rows.sort_key`, which places a changed row
without asking the database again); the two must agree, and tests/test_queries.py
checks that they do on SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from functools import cache, partial
from typing import Any

from sqlalchemy import (
    ARRAY,
    Integer,
    String,
    and_,
    any_,
    bindparam,
    case,
    exists,
    func,
    literal,
    or_,
    select,
    true,
    tuple_,
    type_coerce,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.functions import FunctionElement

from woq_tui.domain.enums import EventKind, OutboxState
from woq_tui.domain.models import OutboxEntry, Station, Ticket, TicketEvent
from woq_tui.domain.sla import SlaPolicy
from woq_tui.domain.tables import AnySelect, table_of
from woq_tui.store.rows import first_rows, kpi_parameters, kpis_from, page_of, row_from
from woq_tui.values.queue import (
    NO_DUE,
    PAGE_SIZE,
    STATUS_RANK,
    ChangedRow,
    Changes,
    Kpis,
    OutboxMark,
    QueueFilter,
    QueuePage,
    QueueRow,
    QueueSort,
)

# The tables as Core (typed) columns: SQLModel types a model's attributes as their values.
TICKET, STATION, EVENT, OUTBOX = table_of(Ticket), table_of(Station), table_of(TicketEvent), table_of(OutboxEntry)

# Changes beyond this in one tick: reload the page instead of applying them one by one.
MAX_CHANGES = 2000
# Seconds re-read below the watermark: updated_at has one-second resolution, and
# writers' clocks differ a little. Applying a row twice is harmless (keyed, versioned).
WATERMARK_OVERLAP = 2

def _int(column: Any) -> ColumnElement[int]:
    """An EpochSeconds column as the plain integer it is in the database."""
    return type_coerce(column, Integer)


def is_open() -> ColumnElement[bool]:
    return TICKET.c.resolved_at.is_(None)


class _open_side(FunctionElement[Any]):
    """A ticket column that a query of open tickets filters or orders by, kept off its
    whole-table index on SQLite (a unary `+`, SQLite's own way to say so): its planner,
    which keeps no histogram, took `type IN (…)` through ix_ticket_type_created, half of
    1M tickets, to find the 10,000 open ones, where the open tickets' partial index
    ix_ticket_open_due holds just them (docs/speed.md, "Keys and loading lag").
    PostgreSQL's planner chooses the partial index itself."""

    inherit_cache = True

    def __init__(self, column: ColumnElement[Any]) -> None:
        super().__init__(column)
        self.type = column.type


@compiles(_open_side)
def _open_side_any(element: _open_side, compiler: SQLCompiler, **kw: Any) -> str:
    (column,) = element.clauses
    return compiler.process(column, **kw)


@compiles(_open_side, "sqlite")
def _open_side_sqlite(element: _open_side, compiler: SQLCompiler, **kw: Any) -> str:
    (column,) = element.clauses
    return f"+{compiler.process(column, **kw)}"


ROW_COLUMNS = (
    TICKET.c.id,
    TICKET.c.ticket_no,
    TICKET.c.type,
    TICKET.c.station_code,
    STATION.c.name,
    STATION.c.initials,
    STATION.c.area_type,
    TICKET.c.status,
    TICKET.c.created_at,
    TICKET.c.due_at,
    TICKET.c.escalated,
    TICKET.c.dispatch_count,
    TICKET.c.reopen_count,
    func.coalesce(TICKET.c.summary, ""),
    TICKET.c.version,
    TICKET.c.updated_at,
    is_open(),
)


def rows_select() -> AnySelect:
    return select(*ROW_COLUMNS).select_from(TICKET).join(STATION, STATION.c.code == TICKET.c.station_code)


# --- filters -----------------------------------------------------------------------


def filter_condition(filt: QueueFilter) -> ColumnElement[bool]:
    """The filter as SQL over Ticket joined with Station (open or not)."""
    parts: list[ColumnElement[bool]] = []
    if filt.types:
        parts.append(_open_side(TICKET.c.type).in_(sorted(filt.types)))
    if filt.stations:
        parts.append(_open_side(TICKET.c.station_code).in_(sorted(filt.stations)))
    if filt.areas:
        parts.append(STATION.c.area_type.in_(sorted(filt.areas)))
    if filt.statuses:
        parts.append(TICKET.c.status.in_(sorted(filt.statuses)))
    for word in filt.words:
        parts.append(
            or_(
                func.lower(TICKET.c.ticket_no).contains(word, autoescape=True),
                func.lower(func.coalesce(TICKET.c.summary, "")).contains(word, autoescape=True),
                func.lower(func.coalesce(TICKET.c.address, "")).contains(word, autoescape=True),
                func.lower(STATION.c.name).contains(word, autoescape=True),
                func.lower(STATION.c.initials).contains(word, autoescape=True),
            )
        )
    return and_(true(), *parts)


# --- sort orders -------------------------------------------------------------------


def due_sql() -> ColumnElement[int]:
    return func.coalesce(_int(TICKET.c.due_at), NO_DUE)


def _status_sql() -> ColumnElement[int]:
    return case(STATUS_RANK, value=TICKET.c.status, else_=len(STATUS_RANK))


def _sort_columns(sort: QueueSort, dialect: str) -> list[ColumnElement[Any]]:
    """The SQL order of `sort` (ascending): the same as rows.sort_key(sort)."""

    def text(column: ColumnElement[Any]) -> ColumnElement[Any]:
        # PostgreSQL's default collation ignores punctuation and case; Python compares
        # code points. "C" makes the database agree with the screen.
        return column.collate("C") if dialect == "postgresql" else column

    if sort is QueueSort.urgency:
        return [due_sql(), TICKET.c.id]
    if sort is QueueSort.age:
        return [_open_side(_int(TICKET.c.created_at)), TICKET.c.id]
    if sort is QueueSort.station:
        return [text(STATION.c.initials), text(STATION.c.name), due_sql(), TICKET.c.id]
    if sort is QueueSort.type:
        return [text(_open_side(TICKET.c.type)), due_sql(), TICKET.c.id]
    return [_status_sql(), due_sql(), TICKET.c.id]


def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name


# --- the queue ---------------------------------------------------------------------


def queue_page(
    session: Session,
    filt: QueueFilter = QueueFilter(),
    sort: QueueSort = QueueSort.urgency,
    reverse: bool = False,
    limit: int = PAGE_SIZE,
    after: tuple[Any, ...] | None = None,
    count: bool | None = None,
) -> QueuePage:
    """Open tickets matching filt, in sort order, at most limit of them.

    after: the sort key of the last row already shown; the page continues from there
    (keyset paging, so rows added or removed meanwhile never shift it).
    count: whether to count the open tickets matching filt (QueuePage.total; default:
    for a first page only). The queue reads a key's first rows uncounted and counts
    with the rest of the page (screens/queue.py).
    """
    where = and_(is_open(), filter_condition(filt))
    if sort is QueueSort.urgency:
        rows = _urgency_rows(session, where, reverse, limit + 1, after)
    else:
        columns = _sort_columns(sort, _dialect(session))
        query = rows_select().where(where)
        if after is not None:
            position = tuple_(*columns)
            bound = tuple_(*(literal(value) for value in after))
            query = query.where(position < bound if reverse else position > bound)
        order = [column.desc() if reverse else column.asc() for column in columns]
        rows = [row_from(values) for values in session.execute(query.order_by(*order).limit(limit + 1))]
    counting = after is None if count is None else count
    return page_of(rows, limit, (lambda: count_open(session, filt)) if counting else None, continued=after is not None)


def _urgency_queries(where: ColumnElement[bool], reverse: bool, limit: int, after: tuple[Any, ...] | None) -> list[AnySelect]:
    """The urgency order (due time, then id; no due time last) as two index walks, each
    of at most `limit` rows: the tickets with a due time by ix_ticket_open_due (whose
    entries are in (due_at, id) order, so no sort), then those without. One ORDER BY
    coalesce(due_at, …) would sort every open ticket first (≈25 ms at 10,000 open
    against ≈2 ms)."""
    due = _int(TICKET.c.due_at)
    dated = and_(where, TICKET.c.due_at.is_not(None))
    undated = and_(where, TICKET.c.due_at.is_(None))
    read_dated = read_undated = True
    if after is not None:
        after_due, after_id = after
        if after_due >= NO_DUE:  # the last row shown had no due time
            undated = and_(undated, TICKET.c.id < after_id if reverse else TICKET.c.id > after_id)
            if not reverse:
                read_dated = False  # all of them came before
        else:
            bound = tuple_(literal(after_due), literal(after_id))
            dated = and_(dated, tuple_(due, TICKET.c.id) < bound if reverse else tuple_(due, TICKET.c.id) > bound)
            if reverse:
                read_undated = False  # all of them came before
    if reverse:
        parts = [(read_undated, undated, [TICKET.c.id.desc()]), (read_dated, dated, [TICKET.c.due_at.desc(), TICKET.c.id.desc()])]
    else:
        parts = [(read_dated, dated, [TICKET.c.due_at.asc(), TICKET.c.id.asc()]), (read_undated, undated, [TICKET.c.id.asc()])]
    return [rows_select().where(condition).order_by(*order).limit(limit) for wanted, condition, order in parts if wanted]


def _urgency_rows(
    session: Session, where: ColumnElement[bool], reverse: bool, limit: int, after: tuple[Any, ...] | None
) -> list[QueueRow]:
    def read(query: AnySelect) -> list[QueueRow]:
        return [row_from(values) for values in session.execute(query)]

    return first_rows((partial(read, query) for query in _urgency_queries(where, reverse, limit, after)), limit)


def _count_open_query(filt: QueueFilter = QueueFilter()) -> AnySelect:
    query = select(func.count()).select_from(TICKET).where(is_open())
    if filt.active:
        query = query.join(STATION, STATION.c.code == TICKET.c.station_code).where(filter_condition(filt))
    return query


def count_open(session: Session, filt: QueueFilter = QueueFilter()) -> int:
    """Open tickets matching filt."""
    return session.scalar(_count_open_query(filt)) or 0


def _newest_update_query() -> AnySelect:
    return select(func.max(TICKET.c.updated_at))


def changes_since(session: Session, watermark: datetime | None, filt: QueueFilter = QueueFilter()) -> Changes:
    """Tickets whose updated_at ≥ watermark − overlap, and whether each belongs in the
    queue. The new watermark is the newest updated_at seen (or the old one)."""
    if watermark is None:
        return Changes([], session.scalar(_newest_update_query()))
    since = watermark - timedelta(seconds=WATERMARK_OVERLAP)
    visible = and_(is_open(), filter_condition(filt))
    query = (
        select(*ROW_COLUMNS, case((visible, True), else_=False))
        .select_from(TICKET)
        .join(STATION, STATION.c.code == TICKET.c.station_code)
        .where(TICKET.c.updated_at >= since)
        .order_by(TICKET.c.updated_at, TICKET.c.id)
        .limit(MAX_CHANGES + 1)
    )
    result = session.execute(query).all()
    if len(result) > MAX_CHANGES:
        return Changes([], session.scalar(_newest_update_query()), overflow=True)
    rows = [ChangedRow(row_from(values[:-1]), bool(values[-1])) for values in result]
    newest = max([watermark, *(changed.row.updated_at for changed in rows)])
    return Changes(rows, newest)


# --- reassignment states of rows ----------------------------------------------------


def _outbox_marks_query() -> AnySelect:
    """Takes the list of ticket numbers as `ticket_nos`."""
    return (
        select(OUTBOX.c.ticket_no, OUTBOX.c.state, OUTBOX.c.updated_at)
        .where(OUTBOX.c.ticket_no.in_(bindparam("ticket_nos", expanding=True)))
        .order_by(OUTBOX.c.requested_at, OUTBOX.c.updated_at)
    )


@cache
def _outbox_marks_array_query() -> AnySelect:
    """PostgreSQL: the ticket numbers as one array parameter, so that the statement is
    the same text for any number of them: compiled once, and parsed and planned once a
    connection (psycopg prepares it). The expanding IN renders one parameter a ticket,
    500 on a KPI tick, and cost each of many consoles 4 ms of CPU a tick against 1 ms
    (docs/consoles.md)."""
    return (
        select(OUTBOX.c.ticket_no, OUTBOX.c.state, OUTBOX.c.updated_at)
        .where(OUTBOX.c.ticket_no == any_(bindparam("ticket_nos", type_=ARRAY(String))))
        .order_by(OUTBOX.c.requested_at, OUTBOX.c.updated_at)
    )


# Bound the bind parameters per statement (SQLite allows 32,766; be modest).
MARKS_BATCH = 1000


def outbox_marks(session: Session, ticket_nos: Sequence[str]) -> dict[str, OutboxMark]:
    """The latest outbox entry of each of these tickets that has one (by request
    time; ix_outbox_entry_ticket_no finds them)."""
    marks: dict[str, OutboxMark] = {}
    wanted = list(ticket_nos)
    if _dialect(session) == "postgresql":
        query, batches = _outbox_marks_array_query(), [wanted] if wanted else []
    else:
        query = _outbox_marks_query()
        batches = [wanted[start : start + MARKS_BATCH] for start in range(0, len(wanted), MARKS_BATCH)]
    for batch in batches:
        for ticket_no, state, updated_at in session.execute(query, {"ticket_nos": batch}):
            marks[ticket_no] = OutboxMark(state, updated_at)
    return marks


def first_page_statements() -> dict[str, AnySelect]:
    """What the queue's first request reads (queue_live.FIRST_REQUEST without the KPI
    counts: no filter, most urgent first), statement by statement, as `fetch` runs
    them through queue_page, changes_since and outbox_marks. The head start reads them
    with sqlite3 from SQL compiled ahead (store/first_page.py)."""
    where = and_(is_open(), filter_condition(QueueFilter()))
    dated, undated = _urgency_queries(where, False, PAGE_SIZE + 1, None)
    return {
        "newest": _newest_update_query(),
        "dated": dated,
        "undated": undated,
        "count": _count_open_query(),
        "marks": _outbox_marks_query(),
    }


# --- KPI strip ---------------------------------------------------------------------


def _at_risk_sql(now: Any) -> ColumnElement[bool]:
    """docs/sla.md's at_risk for open tickets: not overdue, and less than the larger of
    fraction × limit and at_risk_minutes left (x < max(a, b) ⟺ x < a or x < b)."""
    due, created = _int(TICKET.c.due_at), _int(TICKET.c.created_at)
    left = due - now
    return and_(
        TICKET.c.due_at.is_not(None),
        due >= now,
        or_(left < (due - created) * bindparam("at_risk_fraction"), left < bindparam("at_risk_seconds")),
    )


def open_load_columns() -> tuple[ColumnElement[int], ColumnElement[int], ColumnElement[int]]:
    """Open tickets, how many overdue, how many at risk, as aggregates over open rows
    (bound :now, :at_risk_fraction, :at_risk_seconds from rows.kpi_parameters): the
    KPI strip's counts, and each suggested station's load (store/suggest.py)."""
    now = bindparam("now", type_=Integer)
    return (
        func.count(),
        func.coalesce(func.sum(case((_int(TICKET.c.due_at) < now, 1), else_=0)), 0),
        func.coalesce(func.sum(case((_at_risk_sql(now), 1), else_=0)), 0),
    )


@cache
def kpi_statements() -> Mapping[str, AnySelect]:
    """The counts above the queue, all in SQL, whatever the queue shows. Their values
    come from rows.kpi_parameters(now, policy), so that the head start can run them
    with sqlite3 (store/first_page.py). Built once: building them took half the CPU of
    counting the KPIs on a tick (docs/consoles.md)."""
    midnight = bindparam("midnight", type_=Integer)
    return {
        "open": select(*open_load_columns()).where(is_open()),
        # Escalation changes the ticket, so updated_at (indexed) narrows the search
        # before the events are looked at.
        "escalated_today": select(func.count())
        .select_from(TICKET)
        .where(
            TICKET.c.escalated.is_(True),
            _int(TICKET.c.updated_at) >= midnight,
            exists().where(
                EVENT.c.ticket_id == TICKET.c.id,
                EVENT.c.kind == EventKind.escalated.value,
                _int(EVENT.c.at) >= midnight,
            ),
        ),
        # A ticket stamped in the future (a clock or an export gone wrong) is not new:
        # it is shown as future-dated (docs/queue.md) and left out of recent counts.
        "new_last_hour": select(func.count())
        .select_from(TICKET)
        .where(
            _int(TICKET.c.created_at) > bindparam("hour_ago", type_=Integer),
            _int(TICKET.c.created_at) <= bindparam("now", type_=Integer),
        ),
        "outbox_pending": select(func.count())
        .select_from(OUTBOX)
        .where(OUTBOX.c.state == OutboxState.pending.value),
    }


def kpis(session: Session, now: datetime, policy: SlaPolicy) -> Kpis:
    parameters = kpi_parameters(now, policy)
    answers = {name: session.execute(query, parameters).one() for name, query in kpi_statements().items()}
    return kpis_from(answers)


__all__ = [
    "changes_since",
    "count_open",
    "kpis",
    "outbox_marks",
    "queue_page",
]
