"""The tickets the overdue screen and the ticket detail show: plain frozen values,
built by store/queries.py, drawn by the screens."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from woq_tui.values.queue import Kpis, OutboxMark, QueueRow


class Section(StrEnum):
    overdue = "overdue"  # past due now, most overdue first
    due_soon = "due_soon"  # breaching within [sla] warn_minutes
    escalated = "escalated"  # escalated complaints still open
    repeat = "repeat"  # dispatched twice or more, or reopened


SECTIONS = tuple(Section)


@dataclass(frozen=True)
class StationCount:
    station_code: str
    station_name: str
    count: int


@dataclass(frozen=True)
class SectionData:
    section: Section
    rows: list[QueueRow]
    total: int
    by_station: list[StationCount]


@dataclass(frozen=True)
class EventRow:
    at: datetime
    kind: str
    operator: str | None
    from_station: str | None
    to_station: str | None
    note: str | None
    # a `reclassified` event's types (type codes)
    from_type: str | None = None
    to_type: str | None = None


@dataclass(frozen=True)
class TicketDetail:
    row: QueueRow
    channel: str | None
    area_type: str
    first_response_at: datetime | None
    dispatched_at: datetime | None
    arrived_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    satisfaction: str | None
    customer_phone: str | None
    address: str | None
    events: list[EventRow] = field(default_factory=list)
    # events beyond those listed (the newest MAX_EVENTS are)
    more_events: int = 0


@dataclass(frozen=True)
class OverdueView:
    """One refresh of the overdue screen: its four lists, the KPI counts, and the
    reassignment marks of the tickets listed (`asked`)."""

    sections: dict[Section, SectionData]
    kpis: Kpis
    asked: tuple[str, ...]
    marks: dict[str, OutboxMark]


@dataclass(frozen=True)
class UrgeResult:
    urged: list[str]
    # ticket numbers not found, or already resolved (nothing to urge)
    skipped: list[str]
    # urged already within [console] urge_cooldown_minutes: not urged again
    recent: list[str] = field(default_factory=list)
