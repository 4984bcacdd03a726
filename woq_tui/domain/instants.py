"""Instants as the database stores them: whole seconds since the Unix epoch.

Python only ever sees time-zone aware datetimes in UTC; a naive datetime is a bug and
is refused. No SQLAlchemy here (the column type is timestamps.EpochSeconds), so the UI
can use these before the database side is loaded.
"""

from __future__ import annotations

from datetime import datetime, timezone, tzinfo

UTC = timezone.utc


def to_epoch(value: datetime) -> int:
    if value.tzinfo is None:
        raise ValueError(f"naive datetime {value!r}: times must be time-zone aware")
    return int(value.timestamp() // 1)


def from_epoch(value: int) -> datetime:
    return datetime.fromtimestamp(int(value), tz=UTC)


def local_minute(value: datetime, tz: tzinfo) -> str:
    """An instant as the console and the reports show it: local time, to the minute."""
    return value.astimezone(tz).strftime("%Y-%m-%d %H:%M")
