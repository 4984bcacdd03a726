"""How store/queries.py and the direct SQLite read (store/first_page.py) turn rows
and counts into the queue's values (woq_tui/values/queue.py): one assembly for both
ways of reading, so that they cannot disagree. No SQLAlchemy here."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from woq_tui.domain.instants import to_epoch
from woq_tui.domain.periods import local_midnight
from woq_tui.values.queue import Kpis, QueuePage, QueueRow

if TYPE_CHECKING:
    from woq_tui.domain.sla import SlaPolicy


def row_from(values: Sequence[Any]) -> QueueRow:
    """A QueueRow from the columns store/queries.py selects for one (the last: open)."""
    # The star-argument stops short of is_open, which mypy cannot count.
    return QueueRow(*values[:-1], is_open=bool(values[-1]))  # type: ignore[misc]


def first_rows(parts: Iterable[Callable[[], list[QueueRow]]], limit: int) -> list[QueueRow]:
    """At most `limit` rows of the parts (index walks, in order) read in turn; a part
    is not read once there are enough."""
    rows: list[QueueRow] = []
    for read in parts:
        if len(rows) >= limit:
            break
        rows += read()
    return rows[:limit]


def page_of(rows: list[QueueRow], limit: int, count: Callable[[], int] | None, continued: bool = False) -> QueuePage:
    """The page from up to limit + 1 rows read in order: the first `limit`, whether
    they are all, and how many in all: `count` (None: not counted here), unless a first
    page holds them all."""
    complete = len(rows) <= limit
    rows = rows[:limit]
    if complete and not continued:
        return QueuePage(rows, len(rows), complete)
    return QueuePage(rows, None if count is None else count(), complete)


def kpi_parameters(now: datetime, policy: SlaPolicy) -> dict[str, int | float]:
    """The values queries.kpi_statements() take: instants in epoch seconds, as stored."""
    epoch = to_epoch(now)
    return {
        "now": epoch,
        "midnight": to_epoch(local_midnight(now.astimezone(policy.timezone).date(), policy.timezone)),
        "hour_ago": epoch - 3600,
        "at_risk_fraction": policy.at_risk_fraction,
        "at_risk_seconds": policy.at_risk_minutes * 60,
    }


def kpis_from(answers: Mapping[str, Sequence[Any]]) -> Kpis:
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
