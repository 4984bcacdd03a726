"""The values the live queue holds: plain dataclasses and their Python sort keys.

No SQLAlchemy here. The queue screen and its widgets import these to draw the first
frame, and the command line reads that frame's rows in another process
(store/queue_live.py), so the console's own process loads the database side only
after the queue is on screen. store/queries.py builds these values from SQL; its sort
orders (`_sort_columns`) must agree with `sort_key` here, which tests/test_queries.py
checks on SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from woq_tui.domain.instants import to_epoch

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
    # pinyin initials of the station's name (东丽城东供电所 -> dlcd): the station sort
    station_initials: str
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
    # By the name shown (its pinyin initials, then the name), not the hidden code.
    QueueSort.station: lambda r: (r.station_initials, r.station_name, due_key(r), r.id),
    QueueSort.type: lambda r: (r.type, due_key(r), r.id),
    QueueSort.status: lambda r: (STATUS_RANK.get(r.status, len(STATUS_RANK)), due_key(r), r.id),
}


def sort_key(sort: QueueSort) -> Callable[[QueueRow], tuple]:
    """The Python key equal to the SQL order of `sort` (ascending)."""
    return _SORT_KEYS[sort]


@dataclass(frozen=True)
class QueuePage:
    rows: list[QueueRow]
    # open tickets matching the filter, in all (the page holds at most `limit` of them);
    # None for a page after another (keyset): not counted again
    total: int | None
    # whether rows are all of them (no further page)
    complete: bool


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
