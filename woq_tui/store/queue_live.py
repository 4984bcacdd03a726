"""What one tick of the live queue asks of the database, and the answer. No Textual
here, and SQLAlchemy only inside `fetch`: the command line reads the first page in
another process while it imports the UI (commands/head_start.py), or in a thread
(`start_prefetch`), and hands the answer to the screen.

The screen (screens/queue.py) builds a LiveRequest on the UI thread from what it
shows; `fetch` runs in a worker thread.
"""

from __future__ import annotations

import threading
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import datetime

from woq_tui.values.queue import (
    PAGE_SIZE,
    Changes,
    Kpis,
    OutboxMark,
    QueueFilter,
    QueuePage,
    QueueSort,
)

# Where ConsoleContext.prefetched keeps the first page's read, and (from the head
# start, which sends the page first) the KPI counts that follow it.
PREFETCH_KEY = "queue"
PREFETCH_COUNTS_KEY = "queue.counts"


@dataclass(frozen=True)
class LiveRequest:
    generation: int
    filt: QueueFilter
    sort: QueueSort
    reverse: bool
    watermark: datetime | None
    reload: bool
    limit: int
    # count the KPIs (and the filtered total) this time
    kpis: bool
    # the tickets whose reassignment states are read again (besides the changed ones):
    # those with a state shown, and on a KPI tick all the tickets held
    held: tuple[str, ...]
    outbox_generation: int
    # the answer, read already while the app started (the first request only)
    prefetched: Future | None = field(default=None, compare=False)


@dataclass(frozen=True)
class LiveResult:
    page: QueuePage | None
    changes: Changes | None
    watermark: datetime | None
    kpis: Kpis | None
    total: int | None
    # the tickets whose reassignment states were read, and what was found
    asked: tuple[str, ...]
    marks: dict[str, OutboxMark]


def fetch(context, request: LiveRequest) -> LiveResult:
    """In a worker thread: what `request` asks of the database."""
    from woq_tui.store import queries

    with context.sessions() as session:
        page = changes = None
        watermark = request.watermark
        if not request.reload:
            changes = queries.changes_since(session, request.watermark, request.filt)
            watermark = changes.watermark
        if request.reload or (changes is not None and changes.overflow):
            # The watermark first: whatever changes while the page is read is read again.
            watermark = queries.changes_since(session, None).watermark
            page = queries.queue_page(session, request.filt, request.sort, request.reverse, request.limit)
            changes = None
        kpis = total = None
        if request.kpis:
            kpis = queries.kpis(session, context.clock.now(), context.policy)
            total = queries.count_open(session, request.filt) if request.filt.active else kpis.open
        if page is not None:
            asked = tuple(row.ticket_no for row in page.rows)
        else:
            asked = tuple(dict.fromkeys((*request.held, *(c.row.ticket_no for c in changes.rows))))
        marks = queries.outbox_marks(session, asked)
    return LiveResult(page, changes, watermark, kpis, total, asked, marks)


# What a queue screen asks first (nothing loaded, no filter, most urgent first).
FIRST_REQUEST = LiveRequest(
    generation=0,
    filt=QueueFilter(),
    sort=QueueSort.urgency,
    reverse=False,
    watermark=None,
    reload=True,
    limit=PAGE_SIZE,
    kpis=True,
    held=(),
    outbox_generation=0,
)


def start_prefetch(context) -> Future:
    """Read the queue's first page in a thread now; the first queue screen takes the
    answer (context.prefetched) instead of asking again. A failure is not reported
    here: the screen then asks itself, and says so if that fails too."""
    future: Future = Future()

    def run() -> None:
        try:
            future.set_result(fetch(context, FIRST_REQUEST))
        except BaseException as exc:
            future.set_exception(exc)

    context.prefetched[PREFETCH_KEY] = future
    threading.Thread(target=run, name="queue-prefetch", daemon=True).start()
    return future
