"""How instants are stored: whole seconds since the Unix epoch, in a BIGINT.

Why not DATETIME: SQLite has no time type (SQLModel stores text there), so a duration
would be `julianday()` arithmetic on SQLite and interval arithmetic on PostgreSQL, with
different rounding. Integer seconds give both databases the same numbers from the same
SQL, and make the year aggregates faster (docs/decisions.md). Python only ever sees
time-zone aware datetimes in UTC; a naive datetime is a bug and is refused.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from sqlalchemy import BigInteger
from sqlalchemy.types import TypeDecorator

UTC = timezone.utc


def to_epoch(value: datetime) -> int:
    if value.tzinfo is None:
        raise ValueError(f"naive datetime {value!r}: times must be time-zone aware")
    return int(value.timestamp() // 1)


def from_epoch(value: int) -> datetime:
    return datetime.fromtimestamp(int(value), tz=UTC)


class EpochSeconds(TypeDecorator[datetime]):
    """An aware datetime in Python, integer epoch seconds in the database."""

    impl = BigInteger
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> int | None:
        if value is None:
            return None
        if isinstance(value, datetime):
            return to_epoch(value)
        return int(value)

    def process_result_value(self, value: Any, dialect: Any) -> datetime | None:
        return None if value is None else from_epoch(value)

    @property
    def python_type(self) -> type:
        return datetime
