"""The rows a ticket list holds: a bounded, sorted window of a query's result, changed
by ticket key. No Textual here: the table widget draws it, tests drive it directly.

The window is "every row of the query whose sort key is at or before `boundary`" (the
sort key of the last row fetched); `complete` means there is nothing after it. A
changed row is placed by its sort key (bisect), so a refresh never reorders or reloads
what did not change. Rows are kept in ascending key order; a reversed sort only
reverses how positions are read.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from woq_tui.values.queue import ChangedRow, OutboxMark, QueueRow


@dataclass
class Applied:
    """What one change did, for the table to keep its cursor and flash rows."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.removed)


class TicketWindow:
    def __init__(self, key: Callable[[QueueRow], tuple], reverse: bool = False) -> None:
        self.key = key
        self.reverse = reverse
        self._keys: list[tuple] = []
        self._rows: list[QueueRow] = []
        self._by_no: dict[str, QueueRow] = {}
        self.complete = True
        self.boundary: tuple | None = None

    # --- reading, in display order ---------------------------------------------------

    def __len__(self) -> int:
        return len(self._rows)

    def __contains__(self, ticket_no: object) -> bool:
        return ticket_no in self._by_no

    def __iter__(self):
        return reversed(self._rows) if self.reverse else iter(self._rows)

    def row_at(self, position: int) -> QueueRow:
        return self._rows[len(self._rows) - 1 - position] if self.reverse else self._rows[position]

    def get(self, ticket_no: str) -> QueueRow | None:
        return self._by_no.get(ticket_no)

    def keys(self):
        """The ticket numbers held (in no particular order)."""
        return self._by_no.keys()

    def position(self, ticket_no: str) -> int | None:
        row = self._by_no.get(ticket_no)
        if row is None:
            return None
        index = bisect.bisect_left(self._keys, self.key(row))
        return len(self._rows) - 1 - index if self.reverse else index

    @property
    def last(self) -> QueueRow | None:
        return self.row_at(len(self) - 1) if self._rows else None

    # --- changing ----------------------------------------------------------------------

    def _beyond(self, sort_key: tuple) -> bool:
        """Past the last row fetched: not ours to show until the next page is loaded."""
        if self.complete or self.boundary is None:
            return False
        return sort_key < self.boundary if self.reverse else sort_key > self.boundary

    def _insert(self, row: QueueRow) -> None:
        sort_key = self.key(row)
        index = bisect.bisect_left(self._keys, sort_key)
        self._keys.insert(index, sort_key)
        self._rows.insert(index, row)
        self._by_no[row.ticket_no] = row

    def _remove(self, ticket_no: str) -> None:
        row = self._by_no.pop(ticket_no)
        index = bisect.bisect_left(self._keys, self.key(row))
        del self._keys[index]
        del self._rows[index]

    def _upsert(self, row: QueueRow, applied: Applied) -> None:
        old = self._by_no.get(row.ticket_no)
        if old is not None:
            if old == row:
                return  # seen already (the watermark overlap): nothing to do
            self._remove(row.ticket_no)
            applied.updated.append(row.ticket_no)
        else:
            applied.added.append(row.ticket_no)
        self._insert(row)

    def apply(self, changes: Iterable[ChangedRow]) -> Applied:
        """Changed rows from the database: add, update or remove each by its key."""
        applied = Applied()
        for changed in changes:
            row = changed.row
            if changed.visible and not self._beyond(self.key(row)):
                self._upsert(row, applied)
            elif row.ticket_no in self._by_no:
                self._remove(row.ticket_no)
                applied.removed.append(row.ticket_no)
        return applied

    def replace(
        self, rows: list[QueueRow], complete: bool,
        key: Callable[[QueueRow], tuple] | None = None, reverse: bool | None = None,
    ) -> Applied:
        """A fresh first page (new filter or sort, or a reload), in the order `key` and
        `reverse` (default: the window's own): the rows held become exactly `rows`.
        Built again in one pass, not diffed row by row (a new order's 500 removals and
        inserts were ~8 ms of a sort's UI time); the difference by key is returned, for
        the table to flash what changed and keep its cursor on its ticket."""
        if key is not None:
            self.key = key
        if reverse is not None:
            self.reverse = reverse
        old = self._by_no
        by_no = {row.ticket_no: row for row in rows}
        applied = Applied(
            added=[no for no in by_no if no not in old],
            updated=[no for no, row in by_no.items() if no in old and old[no] != row],
            removed=[no for no in old if no not in by_no],
        )
        # (a page comes in its order: the sort is one pass; keys end in the row id)
        self._hold(by_no.values())
        self._by_no = by_no
        self._set_end(rows, complete)
        return applied

    def extend(self, rows: list[QueueRow], complete: bool) -> Applied:
        """The next page (keyset after boundary)."""
        applied = Applied()
        self.complete = True
        for row in rows:
            self._upsert(row, applied)
        self._set_end(rows, complete)
        return applied

    def resort(self, key: Callable[[QueueRow], tuple], reverse: bool) -> None:
        self.key = key
        self.reverse = reverse
        self._hold(self._rows)
        # The old boundary means nothing in the new order; the caller reloads.
        self.boundary = None

    def _hold(self, rows: Iterable[QueueRow]) -> None:
        """Hold `rows` in ascending key order, with their keys."""
        self._rows = sorted(rows, key=self.key)
        self._keys = list(map(self.key, self._rows))

    def stop_paging(self) -> None:
        """Until the next `replace`: no next page (a new order is being read, and the
        last row held says nothing of where it goes on)."""
        self.boundary = None

    def _set_end(self, rows: list[QueueRow], complete: bool) -> None:
        self.complete = complete
        if rows:
            self.boundary = self.key(rows[-1])
        elif not complete:
            self.boundary = None


# --- reassignment states shown on rows --------------------------------------------------

# A confirmed reassignment stays on its row this long; the other states stay until the
# entry is retried, dropped or superseded (they want attention).
CONFIRMED_SHOWN = timedelta(hours=1)


class OutboxMarks:
    """The latest reassignment state of each ticket a screen shows, from two sources:
    the database (loaded with the rows, every tick) and the pusher's messages (at once).
    A message is newer than any fetch that started before it, so such a fetch does not
    put the older state back: `generation` orders them."""

    def __init__(self) -> None:
        self._marks: dict[str, OutboxMark] = {}
        self._set_at: dict[str, int] = {}
        self.generation = 0

    def __len__(self) -> int:
        return len(self._marks)

    def __iter__(self):
        return iter(self._marks)

    def get(self, ticket_no: str) -> OutboxMark | None:
        return self._marks.get(ticket_no)

    def shown(self, ticket_no: str, now: datetime) -> str | None:
        """The state to show on the ticket's row, if any."""
        mark = self._marks.get(ticket_no)
        if mark is None or (mark.state == "confirmed" and mark.at < now - CONFIRMED_SHOWN):
            return None
        return mark.state

    def changed(self, ticket_no: str, state: str, at: datetime) -> bool:
        """A state reported as it happened (OutboxChanged). True if the row changes."""
        self.generation += 1
        self._set_at[ticket_no] = self.generation
        before = self._marks.get(ticket_no)
        self._marks[ticket_no] = OutboxMark(state, before.at if before and before.state == state else at)
        return before is None or before.state != state

    def loaded(self, generation: int, asked: Iterable[str], found: dict[str, OutboxMark]) -> None:
        """What the database said of the tickets `asked` (absent: no entry), in a fetch
        that started at `generation`."""
        for ticket_no in asked:
            if self._set_at.get(ticket_no, 0) > generation:
                continue  # a message newer than this fetch said more
            mark = found.get(ticket_no)
            if mark is None:
                self._marks.pop(ticket_no, None)
            else:
                self._marks[ticket_no] = mark

    def forget_except(self, keep: Iterable[str]) -> None:
        """Drop the marks of tickets no table holds any more."""
        keep = set(keep)
        for ticket_no in [no for no in self._marks if no not in keep]:
            del self._marks[ticket_no]
            self._set_at.pop(ticket_no, None)
