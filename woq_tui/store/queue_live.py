"""What one tick of the live queue asks of the database, and the answer. No Textual
here, and SQLAlchemy only inside `fetch`: the command line reads the first page in
another process while it imports the UI (commands/head_start.py), or in a thread
(`start_prefetch`), and hands the answer to the screen.

The screen (screens/queue.py) builds a LiveRequest (values/live.py) on the UI thread
from what it shows; `fetch` runs in a worker thread.
"""

from __future__ import annotations

import threading
from concurrent.futures import Future
from datetime import datetime
from typing import TYPE_CHECKING

from woq_tui.values.live import FIRST_REQUEST, PREFETCH_KEY, LiveRequest, LiveResult

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from woq_tui.context import ConsoleContext
    from woq_tui.domain.sla import SlaPolicy


def fetch(
    engine: Engine, now: datetime, policy: SlaPolicy, request: LiveRequest, marks_from: Engine | None = None
) -> LiveResult:
    """In a worker thread: what `request` asks of the database (counts judged at `now`),
    all from one snapshot, so that the KPI counts and the page agree. The rows'
    reassignment marks come from `marks_from` when it is another engine: the outbox
    is read on the primary while the rows come from a replica (docs/replica.md)."""
    from sqlalchemy.orm import Session

    from woq_tui.store import queries
    from woq_tui.store.db import snapshot

    with snapshot(engine) as connection, Session(bind=connection) as session:
        page = changes = None
        watermark = request.watermark
        if not request.reload:
            changes = queries.changes_since(session, request.watermark, request.filt)
            watermark = changes.watermark
        if request.reload or (changes is not None and changes.overflow):
            # The watermark first: whatever changes while the page is read is read again.
            watermark = queries.changes_since(session, None).watermark
            page = queries.queue_page(session, request.filt, request.sort, request.reverse, request.limit, count=request.count)
            changes = None
        kpis = None
        # a page counts its own total (queries.queue_page), or leaves it to the rest
        # of its reload (request.count): not counted here
        total = page.total if page is not None else None
        if request.kpis:
            kpis = queries.kpis(session, now, policy)
            if page is None:
                total = queries.count_open(session, request.filt) if request.filt.active else kpis.open
        if page is not None:
            asked = tuple(row.ticket_no for row in page.rows)
        else:
            assert changes is not None  # no page read: the changes were
            asked = tuple(dict.fromkeys((*request.held, *(c.row.ticket_no for c in changes.rows))))
        if marks_from is None or marks_from is engine:
            marks = queries.outbox_marks(session, asked)
    if marks_from is not None and marks_from is not engine:
        with Session(marks_from) as session:
            marks = queries.outbox_marks(session, asked)
    return LiveResult(page, changes, watermark, kpis, total, asked, marks)


def start_prefetch(context: ConsoleContext) -> Future[LiveResult]:
    """Read the queue's first page in a thread now; the first queue screen takes the
    answer (context.prefetched) instead of asking again. A failure is not reported
    here: the screen then asks itself, and says so if that fails too."""
    future: Future[LiveResult] = Future()

    def run() -> None:
        try:
            future.set_result(context.store.live(FIRST_REQUEST))
        except BaseException as exc:
            future.set_exception(exc)

    context.prefetched[PREFETCH_KEY] = future
    threading.Thread(target=run, name="queue-prefetch", daemon=True).start()
    return future
