"""What one tick of the live queue asks (LiveRequest) and gets (LiveResult): built on
the UI thread by screens/queue.py, answered by store/queue_live.py in a worker or, for
the first page, by the head start in another process (commands/head_start.py)."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from concurrent.futures import Future
from dataclasses import dataclass, field, replace
from datetime import datetime

from woq_tui.values.queue import PAGE_SIZE, Changes, Kpis, OutboxMark, QueueFilter, QueuePage, QueueSort

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
    # a reload read in two: `limit` rows first (a screenful), then the next page up
    # to this many rows held in all (screens/queue.py); 0: one read
    held_after: int = 0
    # count the page's total in this read (a key's first rows are not: its rest is)
    count: bool = True


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


def next_request(
    shown: LiveRequest,
    watermark: datetime | None,
    reload: bool,
    kpis: bool,
    rows: Collection[str],
    marked: Iterable[str],
    outbox_generation: int,
) -> LiveRequest:
    """A refresh of the queue `shown` asks for (its generation, filter and order): the
    page again on a reload, else the changes since `watermark`; the reassignment marks
    of every row held on a KPI tick, of the rows showing one otherwise."""
    return replace(
        shown,
        watermark=watermark,
        reload=reload,
        limit=max(PAGE_SIZE, len(rows)),
        kpis=kpis,
        held=() if reload else tuple(rows if kpis else marked),
        outbox_generation=outbox_generation,
        prefetched=None,
    )
