"""Read models for the live screens: plain dataclasses, built by Core queries.

Everything here runs in worker threads and returns values the UI can keep: no ORM
objects, no sessions. Hot paths (the queue page, changes since a watermark) select
columns with Core, not ORM entities (DESIGN.md: the ORM costs 4-5x on row fetches).

"Open" is metrics.md's: resolved_at is NULL (the partial index ix_ticket_open_due).
The queue's values live in store/rows.py, free of SQLAlchemy, so the UI can draw its
first frame before this module is loaded. Each sort order is SQL here
(`_sort_columns`) and a Python key there (`rows.sort_key`, which places a changed row
without asking the database again); the two must agree, and tests/test_queries.py
checks that they do on SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from sqlalchemy import (
    Integer,
    Select,
    and_,
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
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from woq_tui.domain.enums import EventKind, OutboxState
from woq_tui.domain.models import OutboxEntry, Station, Ticket, TicketEvent
from woq_tui.domain.sla import SlaPolicy
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

# Changes beyond this in one tick: reload the page instead of applying them one by one.
MAX_CHANGES = 2000
# Seconds re-read below the watermark: updated_at has one-second resolution, and
# writers' clocks differ a little. Applying a row twice is harmless (keyed, versioned).
WATERMARK_OVERLAP = 2

def _int(column: Any) -> ColumnElement[int]:
    """An EpochSeconds column as the plain integer it is in the database."""
    return type_coerce(column, Integer)


def is_open() -> ColumnElement[bool]:
    return Ticket.resolved_at.is_(None)


ROW_COLUMNS = (
    Ticket.id,
    Ticket.ticket_no,
    Ticket.type,
    Ticket.station_code,
    Station.name,
    Station.initials,
    Station.area_type,
    Ticket.status,
    Ticket.created_at,
    Ticket.due_at,
    Ticket.escalated,
    Ticket.dispatch_count,
    Ticket.reopen_count,
    func.coalesce(Ticket.summary, ""),
    Ticket.version,
    Ticket.updated_at,
    is_open(),
)


def rows_select():
    return select(*ROW_COLUMNS).select_from(Ticket).join(Station, Station.code == Ticket.station_code)


# --- filters -----------------------------------------------------------------------


def filter_condition(filt: QueueFilter) -> ColumnElement[bool]:
    """The filter as SQL over Ticket joined with Station (open or not)."""
    parts: list[ColumnElement[bool]] = []
    if filt.types:
        parts.append(Ticket.type.in_(sorted(filt.types)))
    if filt.stations:
        parts.append(Ticket.station_code.in_(sorted(filt.stations)))
    if filt.areas:
        parts.append(Station.area_type.in_(sorted(filt.areas)))
    if filt.statuses:
        parts.append(Ticket.status.in_(sorted(filt.statuses)))
    for word in filt.words:
        parts.append(
            or_(
                func.lower(Ticket.ticket_no).contains(word, autoescape=True),
                func.lower(func.coalesce(Ticket.summary, "")).contains(word, autoescape=True),
                func.lower(func.coalesce(Ticket.address, "")).contains(word, autoescape=True),
                func.lower(Station.name).contains(word, autoescape=True),
                func.lower(Station.initials).contains(word, autoescape=True),
            )
        )
    return and_(true(), *parts)


# --- sort orders -------------------------------------------------------------------


def due_sql() -> ColumnElement[int]:
    return func.coalesce(_int(Ticket.due_at), NO_DUE)


def _status_sql() -> ColumnElement[int]:
    return case(STATUS_RANK, value=Ticket.status, else_=len(STATUS_RANK))


def _sort_columns(sort: QueueSort, dialect: str) -> list[ColumnElement]:
    """The SQL order of `sort` (ascending): the same as rows.sort_key(sort)."""

    def text(column):
        # PostgreSQL's default collation ignores punctuation and case; Python compares
        # code points. "C" makes the database agree with the screen.
        return column.collate("C") if dialect == "postgresql" else column

    if sort is QueueSort.urgency:
        return [due_sql(), Ticket.id]
    if sort is QueueSort.age:
        return [_int(Ticket.created_at), Ticket.id]
    if sort is QueueSort.station:
        return [text(Station.initials), text(Station.name), due_sql(), Ticket.id]
    if sort is QueueSort.type:
        return [text(Ticket.type), due_sql(), Ticket.id]
    return [_status_sql(), due_sql(), Ticket.id]


def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name


# --- the queue ---------------------------------------------------------------------


def queue_page(
    session: Session,
    filt: QueueFilter = QueueFilter(),
    sort: QueueSort = QueueSort.urgency,
    reverse: bool = False,
    limit: int = PAGE_SIZE,
    after: tuple | None = None,
) -> QueuePage:
    """Open tickets matching filt, in sort order, at most limit of them.

    after: the sort key of the last row already shown; the page continues from there
    (keyset paging, so rows added or removed meanwhile never shift it).
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
    return page_of(rows, limit, lambda: count_open(session, filt), continued=after is not None)


def _urgency_queries(where: ColumnElement[bool], reverse: bool, limit: int, after: tuple | None) -> list[Select]:
    """The urgency order (due time, then id; no due time last) as two index walks, each
    of at most `limit` rows: the tickets with a due time by ix_ticket_open_due (whose
    entries are in (due_at, id) order, so no sort), then those without. One ORDER BY
    coalesce(due_at, …) would sort every open ticket first (≈25 ms at 10,000 open
    against ≈2 ms)."""
    due = _int(Ticket.due_at)
    dated: ColumnElement[bool] | None = and_(where, Ticket.due_at.is_not(None))
    undated: ColumnElement[bool] | None = and_(where, Ticket.due_at.is_(None))
    if after is not None:
        after_due, after_id = after
        if after_due >= NO_DUE:  # the last row shown had no due time
            undated = and_(undated, Ticket.id < after_id if reverse else Ticket.id > after_id)
            if not reverse:
                dated = None  # all of them came before
        else:
            bound = tuple_(literal(after_due), literal(after_id))
            dated = and_(dated, tuple_(due, Ticket.id) < bound if reverse else tuple_(due, Ticket.id) > bound)
            if reverse:
                undated = None  # all of them came before
    if reverse:
        parts = [(undated, [Ticket.id.desc()]), (dated, [Ticket.due_at.desc(), Ticket.id.desc()])]
    else:
        parts = [(dated, [Ticket.due_at.asc(), Ticket.id.asc()]), (undated, [Ticket.id.asc()])]
    return [rows_select().where(condition).order_by(*order).limit(limit) for condition, order in parts if condition is not None]


def _urgency_rows(
    session: Session, where: ColumnElement[bool], reverse: bool, limit: int, after: tuple | None
) -> list[QueueRow]:
    def read(query: Select) -> list[QueueRow]:
        return [row_from(values) for values in session.execute(query)]

    return first_rows((partial(read, query) for query in _urgency_queries(where, reverse, limit, after)), limit)


def _count_open_query(filt: QueueFilter = QueueFilter()) -> Select:
    query = select(func.count()).select_from(Ticket).where(is_open())
    if filt.active:
        query = query.join(Station, Station.code == Ticket.station_code).where(filter_condition(filt))
    return query


def count_open(session: Session, filt: QueueFilter = QueueFilter()) -> int:
    """Open tickets matching filt."""
    return session.scalar(_count_open_query(filt)) or 0


def _newest_update_query() -> Select:
    return select(func.max(Ticket.updated_at))


def changes_since(session: Session, watermark: datetime | None, filt: QueueFilter = QueueFilter()) -> Changes:
    """Tickets whose updated_at ≥ watermark − overlap, and whether each belongs in the
    queue. The new watermark is the newest updated_at seen (or the old one)."""
    if watermark is None:
        return Changes([], session.scalar(_newest_update_query()))
    since = watermark - timedelta(seconds=WATERMARK_OVERLAP)
    visible = and_(is_open(), filter_condition(filt))
    query = (
        select(*ROW_COLUMNS, case((visible, True), else_=False))
        .select_from(Ticket)
        .join(Station, Station.code == Ticket.station_code)
        .where(Ticket.updated_at >= since)
        .order_by(Ticket.updated_at, Ticket.id)
        .limit(MAX_CHANGES + 1)
    )
    result = session.execute(query).all()
    if len(result) > MAX_CHANGES:
        return Changes([], session.scalar(_newest_update_query()), overflow=True)
    rows = [ChangedRow(row_from(values[:-1]), bool(values[-1])) for values in result]
    newest = max([watermark, *(changed.row.updated_at for changed in rows)])
    return Changes(rows, newest)


# --- reassignment states of rows ----------------------------------------------------


def _outbox_marks_query() -> Select:
    """Takes the list of ticket numbers as `ticket_nos`."""
    return (
        select(OutboxEntry.ticket_no, OutboxEntry.state, OutboxEntry.updated_at)
        .where(OutboxEntry.ticket_no.in_(bindparam("ticket_nos", expanding=True)))
        .order_by(OutboxEntry.requested_at, OutboxEntry.updated_at)
    )


# Bound the bind parameters per statement (SQLite allows 32,766; be modest).
MARKS_BATCH = 1000


def outbox_marks(session: Session, ticket_nos: Sequence[str]) -> dict[str, OutboxMark]:
    """The latest outbox entry of each of these tickets that has one (by request
    time; ix_outbox_entry_ticket_no finds them)."""
    marks: dict[str, OutboxMark] = {}
    wanted = list(ticket_nos)
    query = _outbox_marks_query()
    for start in range(0, len(wanted), MARKS_BATCH):
        for ticket_no, state, updated_at in session.execute(query, {"ticket_nos": wanted[start : start + MARKS_BATCH]}):
            marks[ticket_no] = OutboxMark(state, updated_at)
    return marks


def first_page_statements() -> dict[str, Select]:
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
    """sla.md's at_risk for open tickets: not overdue, and less than the larger of
    fraction × limit and at_risk_minutes left (x < max(a, b) ⟺ x < a or x < b)."""
    due, created = _int(Ticket.due_at), _int(Ticket.created_at)
    left = due - now
    return and_(
        Ticket.due_at.is_not(None),
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
        func.coalesce(func.sum(case((_int(Ticket.due_at) < now, 1), else_=0)), 0),
        func.coalesce(func.sum(case((_at_risk_sql(now), 1), else_=0)), 0),
    )


def kpi_statements() -> dict[str, Select]:
    """The counts above the queue, all in SQL, whatever the queue shows. Their values
    come from rows.kpi_parameters(now, policy), so that the head start can run them
    with sqlite3 (store/first_page.py)."""
    midnight = bindparam("midnight", type_=Integer)
    return {
        "open": select(*open_load_columns()).where(is_open()),
        # Escalation changes the ticket, so updated_at (indexed) narrows the search
        # before the events are looked at.
        "escalated_today": select(func.count())
        .select_from(Ticket)
        .where(
            Ticket.escalated.is_(True),
            _int(Ticket.updated_at) >= midnight,
            exists().where(
                TicketEvent.ticket_id == Ticket.id,
                TicketEvent.kind == EventKind.escalated.value,
                _int(TicketEvent.at) >= midnight,
            ),
        ),
        # A ticket stamped in the future (a clock or an export gone wrong) is not new:
        # it is shown as future-dated (docs/queue.md) and left out of recent counts.
        "new_last_hour": select(func.count())
        .select_from(Ticket)
        .where(
            _int(Ticket.created_at) > bindparam("hour_ago", type_=Integer),
            _int(Ticket.created_at) <= bindparam("now", type_=Integer),
        ),
        "outbox_pending": select(func.count())
        .select_from(OutboxEntry)
        .where(OutboxEntry.state == OutboxState.pending.value),
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
