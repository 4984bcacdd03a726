"""The values the live queue holds: plain dataclasses and their Python sort keys.

No SQLAlchemy here. The queue screen and its widgets import these to draw the first
frame, and the command line reads that frame's rows in another process
(store/queue_live.py), so the console's own process loads the database side only
after the queue is on screen. store/queries.py builds these values from SQL; its sort
orders (`_sort_columns`) must agree with `sort_key` here, which tests/test_queries.py
checks on SQLite and PostgreSQL.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Callable, Iterable, Sequence

from woq_tui.domain.instants import to_epoch

if TYPE_CHECKING:
    from woq_tui.domain.sla import SlaPolicy

# Sorts tickets without a due time after every real one (year 2262 in epoch seconds).
NO_DUE = 9_200_000_000
# Rows per page of the queue, and the most rows a section list shows.
PAGE_SIZE = 500

STATUS_RANK = {"new": 0, "dispatched": 1, "accepted": 2, "in_progress": 3, "resolved": 4, "closed": 5}


@dataclass(frozen=True, slots=True)
class QueueRow:
    """One ticket as the lists show it."""

    id: int
    ticket_no: str
    type: str
    station_code: str
    station_name: str
    area_type: str
    status: str
    created_at: datetime
    due_at: datetime | None
    escalated: bool
    dispatch_count: int
    reopen_count: int
    summary: str
    version: int
    updated_at: datetime
    is_open: bool = True

    @property
    def key(self) -> str:
        return self.ticket_no

    @property
    def repeat(self) -> bool:
        return self.dispatch_count >= 2 or self.reopen_count > 0


@dataclass(frozen=True)
class QueueFilter:
    """What the dispatcher narrowed the queue to. Empty sets mean "any"."""

    search: str = ""
    types: frozenset[str] = frozenset()
    stations: frozenset[str] = frozenset()
    areas: frozenset[str] = frozenset()
    statuses: frozenset[str] = frozenset()

    @property
    def active(self) -> bool:
        return bool(self.search.strip() or self.types or self.stations or self.areas or self.statuses)

    @property
    def words(self) -> list[str]:
        return self.search.lower().split()


class QueueSort(StrEnum):
    """`s` steps through these; `S` reverses the current one."""

    urgency = "urgency"  # overdue longest first, then least time left
    age = "age"  # oldest first
    station = "station"
    type = "type"
    status = "status"


def due_key(row: QueueRow) -> int:
    return NO_DUE if row.due_at is None else to_epoch(row.due_at)


_SORT_KEYS: dict[QueueSort, Callable[[QueueRow], tuple]] = {
    QueueSort.urgency: lambda r: (due_key(r), r.id),
    QueueSort.age: lambda r: (to_epoch(r.created_at), r.id),
    QueueSort.station: lambda r: (r.station_code, due_key(r), r.id),
    QueueSort.type: lambda r: (r.type, due_key(r), r.id),
    QueueSort.status: lambda r: (STATUS_RANK.get(r.status, len(STATUS_RANK)), due_key(r), r.id),
}


def sort_key(sort: QueueSort) -> Callable[[QueueRow], tuple]:
    """The Python key equal to the SQL order of `sort` (ascending)."""
    return _SORT_KEYS[sort]


@dataclass(frozen=True)
class QueuePage:
    rows: list[QueueRow]
    # open tickets matching the filter, in all (the page holds at most `limit` of them)
    total: int
    # whether rows are all of them (no further page)
    complete: bool


def row_from(values: Sequence) -> QueueRow:
    """A QueueRow from the columns store/queries.py selects for one (the last: open)."""
    return QueueRow(*values[:-1], is_open=bool(values[-1]))


def first_rows(parts: Iterable[Callable[[], list[QueueRow]]], limit: int) -> list[QueueRow]:
    """At most `limit` rows of the parts (index walks, in order) read in turn; a part
    is not read once there are enough."""
    rows: list[QueueRow] = []
    for read in parts:
        if len(rows) >= limit:
            break
        rows += read()
    return rows[:limit]


def page_of(rows: list[QueueRow], limit: int, count: Callable[[], int], continued: bool = False) -> QueuePage:
    """The page from up to limit + 1 rows read in order: the first `limit`, whether
    they are all, and how many in all (`count`, unless a first page holds them all)."""
    complete = len(rows) <= limit
    rows = rows[:limit]
    return QueuePage(rows, len(rows) if complete and not continued else count(), complete)


@dataclass(frozen=True)
class ChangedRow:
    row: QueueRow
    # open and matching the filter: belongs in the queue
    visible: bool


@dataclass(frozen=True)
class Changes:
    rows: list[ChangedRow]
    watermark: datetime | None
    # more changed than queries.MAX_CHANGES: reload the page rather than apply these
    overflow: bool = False


@dataclass(frozen=True)
class OutboxMark:
    """The state of a ticket's latest reassignment, and since when."""

    state: str
    at: datetime


@dataclass(frozen=True)
class Kpis:
    open: int
    overdue: int
    at_risk: int
    escalated_today: int
    new_last_hour: int
    outbox_pending: int


def local_midnight(now: datetime, policy: SlaPolicy) -> datetime:
    local = now.astimezone(policy.timezone)
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def kpi_parameters(now: datetime, policy: SlaPolicy) -> dict[str, int | float]:
    """The values queries.kpi_statements() take: instants in epoch seconds, as stored."""
    epoch = to_epoch(now)
    return {
        "now": epoch,
        "midnight": to_epoch(local_midnight(now, policy)),
        "hour_ago": epoch - 3600,
        "at_risk_fraction": policy.at_risk_fraction,
        "at_risk_seconds": policy.at_risk_minutes * 60,
    }


def kpis_from(answers: dict[str, tuple]) -> Kpis:
    """The Kpis from each statement's one row."""
    open_count, overdue, at_risk = answers["open"]
    return Kpis(
        open=int(open_count),
        overdue=int(overdue or 0),
        at_risk=int(at_risk or 0),
        escalated_today=int(answers["escalated_today"][0] or 0),
        new_last_hour=int(answers["new_last_hour"][0] or 0),
        outbox_pending=int(answers["outbox_pending"][0] or 0),
    )
