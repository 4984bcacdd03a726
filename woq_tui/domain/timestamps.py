"""How instants are stored: whole seconds since the Unix epoch, in a BIGINT.

Why not DATETIME: SQLite has no time type (SQLModel stores text there), so a duration
would be `julianday()` arithmetic on SQLite and interval arithmetic on PostgreSQL, with
different rounding. Integer seconds give both databases the same numbers from the same
SQL, and make the year aggregates faster (docs/decisions.md). Python only ever sees
time-zone aware datetimes in UTC; a naive datetime is a bug and is refused.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger
from sqlalchemy.types import TypeDecorator

from woq_tui.domain.instants import UTC, from_epoch, to_epoch

__all__ = ["UTC", "EpochSeconds", "from_epoch", "to_epoch"]


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
