"""The tables: stations, tickets, their history, the reassignment outbox.

All instants are aware UTC datetimes in Python and epoch seconds in the database
(see timestamps.py). Enum-valued columns are stored as their plain string codes, so
that the same SQL reads them on SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import BigInteger, Column, Index, Integer, LargeBinary, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from woq_tui.domain.timestamps import EpochSeconds

# Shared by sa_column and __mapper_args__ so SQLAlchemy checks it on every ORM UPDATE
# (optimistic concurrency) and bumps it by itself.
_ticket_version = Column("version", Integer, nullable=False, default=1, server_default="1")


# What the quality figures read of a ticket besides its station, type and creation.
FIGURE_COLUMNS = (
    "due_at",
    "resolved_at",
    "first_response_at",
    "dispatch_count",
    "reopen_count",
    "escalated",
    "satisfaction",
)


# Marks the indexes only the figures and the audit read (migrations 0002, 0003, 0006, 0009): a large SQLite
# import drops them and builds them again after (store/figure_indexes.py). The unique
# ticket_no, the open-ticket queue and the live watermark are never among them.
FIGURE_INDEX = {"figure_index": True}


def _time(nullable: bool = True, index: bool = False) -> Any:  # (what sqlmodel.Field returns)
    return Field(default=None, sa_type=EpochSeconds, nullable=nullable, index=index)


class Station(SQLModel, table=True):
    code: str = Field(primary_key=True, max_length=64)
    name: str = Field(max_length=200)
    area_type: str = Field(default="urban", max_length=16)
    # Pinyin initials of the name (东丽城东 -> dlcd), for type-ahead search.
    initials: str = Field(default="", max_length=64)


class Ticket(SQLModel, table=True):
    __table_args__ = (
        # The live queue: open tickets by due time. Migration 0001 makes it partial
        # (WHERE resolved_at IS NULL), so it stays small; tests/test_foundation.py checks
        # it is. Not said here: sqlite_where/postgresql_where make SQLAlchemy import
        # both dialects when this module loads (≈35 ms of the console's start-up).
        Index("ix_ticket_open_due", "due_at"),
        # The figures (store/figures.py, migration 0002): covering, so a period's
        # aggregate reads only the index, per station, per type or by time.
        Index("ix_ticket_station_created", "station_code", "created_at", *FIGURE_COLUMNS, info=FIGURE_INDEX),
        Index("ix_ticket_type_created", "type", "created_at", "station_code", *FIGURE_COLUMNS, info=FIGURE_INDEX),
        Index("ix_ticket_created_cover", "created_at", "station_code", "type", *FIGURE_COLUMNS, info=FIGURE_INDEX),
        # The percentiles walk these from the top (migration 0003).
        Index("ix_ticket_station_handling", "station_code", text("(resolved_at - created_at)"), "created_at", "resolved_at",
              info=FIGURE_INDEX),
        Index("ix_ticket_handling", text("(resolved_at - created_at)"), "created_at", "resolved_at", "station_code", "type",
              info=FIGURE_INDEX),
        Index("ix_ticket_station_response", "station_code", text("(first_response_at - created_at)"), "created_at",
              "first_response_at", info=FIGURE_INDEX),
        Index("ix_ticket_response", text("(first_response_at - created_at)"), "created_at", "first_response_at",
              "station_code", "type", info=FIGURE_INDEX),
        # ... and these, led by the type or the area (migration 0009): a type's or an
        # area's walk reads its own rows only (docs/speed.md, "Type and area percentiles").
        *(
            Index(f"ix_ticket_{group}_{name}", column, text(f"({end} - created_at)"), "created_at", end, info=FIGURE_INDEX)
            for group, column in (("type", "type"), ("area", "area_type"))
            for name, end in (("handling", "resolved_at"), ("response", "first_response_at"))
        ),
        # The audit's repeat rules and station_suspect look up a ticket's earlier ones
        # by normalised phone / address (migration 0006, docs/audit.md).
        Index("ix_ticket_phone_key", "phone_key", "created_at", info=FIGURE_INDEX),
        # (station_code too: station_suspect and the suggested stations count an address's
        # stations, or an address prefix's, from the index alone; docs/dispatch-assist.md;
        # on PostgreSQL migration 0012 adds the id as an INCLUDE column, not said here for
        # the reason of ix_ticket_open_due's WHERE above)
        Index("ix_ticket_address_key", "address_key", "created_at", "station_code", info=FIGURE_INDEX),
    )
    __mapper_args__: ClassVar[dict[str, Any]] = {"version_id_col": _ticket_version}

    id: int | None = Field(default=None, primary_key=True)
    ticket_no: str = Field(max_length=64, unique=True, index=True)
    type: str = Field(max_length=32)
    station_code: str = Field(foreign_key="station.code", max_length=64)
    # The station's area type, copied and kept right by the database's triggers
    # (migration 0009: on writing or moving a ticket, on a station's change); writers leave it.
    area_type: str | None = Field(default=None, max_length=16)
    channel: str | None = Field(default=None, max_length=16)
    status: str = Field(default="new", max_length=16)
    created_at: datetime = Field(sa_type=EpochSeconds, nullable=False, index=True)
    first_response_at: datetime | None = _time()
    dispatched_at: datetime | None = _time()
    arrived_at: datetime | None = _time()
    resolved_at: datetime | None = _time()
    closed_at: datetime | None = _time()
    due_at: datetime | None = _time()
    escalated: bool = Field(default=False)
    dispatch_count: int = Field(default=0)
    reopen_count: int = Field(default=0)
    satisfaction: str | None = Field(default=None, max_length=32)
    summary: str | None = Field(default=None)
    customer_phone: str | None = Field(default=None, max_length=64)
    address: str | None = Field(default=None)
    # customer_phone and address normalised (domain/contact_keys.py), for the audit
    phone_key: str | None = Field(default=None, max_length=64)
    address_key: str | None = Field(default=None)
    version: int = Field(default=1, sa_column=_ticket_version)
    # The live refresh watermark: every change sets it (store.tickets.touch).
    updated_at: datetime = Field(sa_type=EpochSeconds, nullable=False, index=True)


class TicketEvent(SQLModel, table=True):
    __tablename__ = "ticket_event"

    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="ticket.id", index=True)
    kind: str = Field(max_length=32)
    at: datetime = Field(sa_type=EpochSeconds, nullable=False)
    operator: str | None = Field(default=None, max_length=64)
    from_station: str | None = Field(default=None, max_length=64)
    to_station: str | None = Field(default=None, max_length=64)
    note: str | None = Field(default=None)
    # A `reclassified` event's types (migration 0007); None for every other kind.
    from_type: str | None = Field(default=None, max_length=32)
    to_type: str | None = Field(default=None, max_length=32)


class OutboxEntry(SQLModel, table=True):
    """A command to the dispatch API recorded before it is pushed: a reassignment
    (`to_station`) or a reclassification (`to_type`, migration 0007); its id is the
    Idempotency-Key."""

    __tablename__ = "outbox_entry"

    id: str = Field(primary_key=True, max_length=36)
    ticket_no: str = Field(max_length=64, index=True)
    # 'reassign' | 'reclassify' (OutboxKind)
    kind: str = Field(default="reassign", max_length=16)
    from_station: str | None = Field(default=None, max_length=64)
    # the target of a reassignment; None for a reclassification
    to_station: str | None = Field(default=None, max_length=64)
    from_type: str | None = Field(default=None, max_length=32)
    to_type: str | None = Field(default=None, max_length=32)
    reason: str
    operator: str = Field(max_length=64)
    expected_version: int
    requested_at: datetime = Field(sa_type=EpochSeconds, nullable=False)
    state: str = Field(default="pending", max_length=16, index=True)
    attempts: int = Field(default=0)
    next_attempt_at: datetime | None = _time()
    # When the current retry window began (None: at requested_at); migration 0005.
    retrying_since: datetime | None = _time()
    last_error: str | None = Field(default=None)
    # What the API answered last (JSON text), for the outbox screen.
    response: str | None = Field(default=None)
    updated_at: datetime = Field(sa_type=EpochSeconds, nullable=False)


class DispatchIdempotency(SQLModel, table=True):
    """The reference dispatch server's memory of answered Idempotency-Keys."""

    __tablename__ = "dispatch_idempotency"

    key: str = Field(primary_key=True, max_length=64)
    ticket_no: str = Field(max_length=64)
    status_code: int
    body: str
    # SHA-256 of the request first sent with the key (None: stored before 0005).
    request_hash: str | None = Field(default=None, max_length=64)
    created_at: datetime = Field(sa_type=EpochSeconds, nullable=False)


class AuditReview(SQLModel, table=True):
    """A supervisor's verdict on one flag (audit.md, "Reviews"): a new one replaces the old."""

    __tablename__ = "audit_review"
    __table_args__ = (UniqueConstraint("ticket_no", "rule", name="uq_audit_review_ticket_rule"),)

    id: int | None = Field(default=None, primary_key=True)
    ticket_no: str = Field(max_length=64)
    rule: str = Field(max_length=32)
    verdict: str = Field(max_length=16)  # confirmed | dismissed
    operator: str = Field(max_length=64)
    at: datetime = Field(sa_type=EpochSeconds, nullable=False)
    note: str | None = Field(default=None)


class AuditModel(SQLModel, table=True):
    """A trained classifier (woq_tui/classifier): plain arrays, never pickled; the latest row wins."""

    __tablename__ = "audit_model"

    id: int | None = Field(default=None, primary_key=True)
    trained_at: datetime = Field(sa_type=EpochSeconds, nullable=False)
    trained_by: str | None = Field(default=None, max_length=64)
    library: str | None = Field(default=None)
    features: str | None = Field(default=None)  # JSON: the feature schema
    metrics: str | None = Field(default=None)  # JSON
    payload: bytes | None = Field(default=None, sa_type=LargeBinary)

# The station × local-day rollup of the figures' sums (migration 0010, store/day_rollup.py,
# docs/speed.md "The station × day rollup"). Its rows are built and refreshed from the
# tickets by the same SQL as the direct read (domain/metrics.aggregates); the database's
# own triggers log each ticket change's (station, created_at), before and after, in
# station_day_dirty, so that a read never trusts a row a later change made stale.


class DaySums(SQLModel):
    """The columns of a rollup row besides its key (a station or a type) and day_start:
    the tickets of one local day [day_start, day_end) of the rollup's zone, their sums as
    they are once settled (metrics.SUMS at an as_of past every instant), `settled_by` the
    latest resolved_at or first_response_at among them, `unsettled` those not resolved.
    A read uses the row only where every ticket in it is settled by its as_of; it reads
    the other rows' tickets directly."""

    day_end: int = Field(sa_type=BigInteger)
    # days since 1970-01-01 of the local date (a trend's runs are whole days of it)
    day: int = Field(sa_type=BigInteger)
    tickets: int = Field(sa_type=BigInteger)
    resolved: int = Field(sa_type=BigInteger)
    overdue: int = Field(sa_type=BigInteger)
    on_time: int = Field(sa_type=BigInteger)
    responded: int = Field(sa_type=BigInteger)
    response_s: int = Field(sa_type=BigInteger)
    handling_s: int = Field(sa_type=BigInteger)
    repeat: int = Field(sa_type=BigInteger)
    escalated: int = Field(sa_type=BigInteger)
    one_time: int = Field(sa_type=BigInteger)
    surveyed: int = Field(sa_type=BigInteger)
    satisfied: int = Field(sa_type=BigInteger)
    settled_by: int | None = Field(default=None, sa_type=BigInteger)
    unsettled: int = Field(sa_type=BigInteger)


class StationDay(DaySums, table=True):
    """One station's tickets created in one local day (store/day_rollup.py)."""

    __tablename__ = "station_day"
    # SQLite: the table is its primary key's B-tree, in station order (a GROUP BY station
    # reads it without a sort; a short period skip-scans it by station). No index on the
    # day: SQLite would take it for a year's read and sort (docs/speed.md).
    __table_args__ = ({"sqlite_with_rowid": False},)

    station_code: str = Field(primary_key=True, max_length=64)
    day_start: int = Field(primary_key=True, sa_type=BigInteger)


class TypeDay(DaySums, table=True):
    """Every station's tickets of one type created in one local day: station_day's sums
    by type instead of station (migration 0013), so that `report`'s types need not read
    a year of tickets. Computed with station_day by the same refresh; read by
    store/type_rollup.py."""

    __tablename__ = "type_day"
    # SQLite: in type order, as station_day is in station order (a GROUP BY type without a sort)
    __table_args__ = ({"sqlite_with_rowid": False},)

    type: str = Field(primary_key=True, max_length=32)
    day_start: int = Field(primary_key=True, sa_type=BigInteger)


class StationDayDirty(SQLModel, table=True):
    """A ticket written, changed or deleted since its day's row was last computed: its
    station, creation instant and address key (before and after a change). Appended by
    triggers only; the refresh answers for it in station_day, type_day and address_tally."""

    __tablename__ = "station_day_dirty"
    __table_args__ = (Index("ix_station_day_dirty_cell", "station_code", "created_at"),
                      Index("ix_station_day_dirty_created", "created_at"))

    id: int | None = Field(default=None, primary_key=True)
    station_code: str = Field(max_length=64)
    created_at: int = Field(sa_type=BigInteger)
    address_key: str | None = Field(default=None)


class AddressTally(SQLModel, table=True):
    """The tickets at each address that has had more than one (migration 0014), as of the
    rollup's last refresh: station_suspect looks up only the addresses that may be busy
    (docs/audit.md, "Speed"). An address logged in station_day_dirty since may hold more."""

    __tablename__ = "address_tally"
    __table_args__ = (Index("ix_address_tally_tickets", "tickets", "address_key"),)

    address_key: str = Field(primary_key=True)
    tickets: int = Field(sa_type=BigInteger)


class StationDayState(SQLModel, table=True):
    """The rollup's zone (an IANA name) once built; no row: not built, read directly."""

    __tablename__ = "station_day_state"

    zone: str = Field(primary_key=True, max_length=64)


__all__ = [
    "AddressTally",
    "AuditModel",
    "AuditReview",
    "DispatchIdempotency",
    "OutboxEntry",
    "Station",
    "StationDay",
    "StationDayDirty",
    "StationDayState",
    "Ticket",
    "TicketEvent",
    "TypeDay",
]
