"""The values of an export's cells (docs/import-format.md): text, timestamps, yes/no,
counts, and the characters no value may hold. Pure Python, no I/O; used by the row
checks of domain/import_rows.py.
"""

from __future__ import annotations

import re
from datetime import datetime, timezone, tzinfo
from typing import Any

UTC = timezone.utc
# PostgreSQL INTEGER
MAX_COUNT = 2**31 - 1
# Instants outside these years are refused as bad_timestamp: they are typing mistakes,
# and beyond them a UTC conversion could leave datetime's range.
MIN_YEAR, MAX_YEAR = 1900, 2199


def match_key(name: str) -> str:
    """Headers and codes compare trimmed, case-insensitively, `Ticket No` = `ticket_no`."""
    return re.sub(r"[\s\-]+", "_", name.strip()).lower()


_TRUE = {"1", "true", "yes", "y", "是"}
_FALSE = {"0", "false", "no", "n", "否"}

_TIMESTAMP = re.compile(
    r"(\d{4})([-/])(\d{1,2})\2(\d{1,2})(?:\s+|[Tt])(\d{1,2}):(\d{2})"
    r"(?::(\d{2})(?:[.,]\d+)?)?"
    r"\s*(?:([Zz])|([+-])(\d{2})(?::?(\d{2}))?)?",
    re.ASCII,  # full-width digits are not one of the spec's formats
)
# What no value may hold: NUL (PostgreSQL's text cannot), and lone surrogates (XLSX's
# `_xD800_`), which no encoding can write, neither the database's nor the summary's.
BAD_CHARACTER = re.compile("[\x00\ud800-\udfff]")


def readable(text: str) -> str:
    """`text` with every lone surrogate written as its escape (`\\ud800`), so that it
    can be printed, written to JSON or CSV, or looked up, without an encoding error."""
    if text.isascii():
        return text
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "backslashreplace").decode("utf-8")
    return text


def as_text(value: Any) -> str:
    """A cell as text: trimmed; integral numbers without `.0` (Excel stores 13812341234
    and 1 as floats); datetimes as `YYYY-MM-DD HH:MM:SS`."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    return str(value).strip()


def cell_text(value: Any) -> str:
    """A cell as it should appear in a rejects file: untrimmed text, Excel numbers and
    datetimes written the way a person reads them."""
    if isinstance(value, str):
        return value
    return as_text(value)


class TimestampParser:
    """Epoch seconds of timestamp cells; times without an offset are in `zone`.

    Raises ValueError for anything docs/import-format.md does not list. It remembers the UTC
    start of each local hour it has met, so that a year of tickets costs a regex match
    and two additions per time rather than a time-zone conversion (an hour in which the
    zone's offset changes is converted exactly each time).
    """

    def __init__(self, zone: tzinfo) -> None:
        self.zone = zone
        self._hours: dict[tuple[bool, int, int, int, int], int | None] = {}

    def __call__(self, value: Any) -> int:
        if isinstance(value, datetime):  # a native Excel datetime (naive: local time)
            if value.tzinfo is None:
                return self._local(value.year, value.month, value.day, value.hour, value.minute, value.second)
            if not MIN_YEAR <= value.year <= MAX_YEAR:
                raise ValueError("out of range")
            return int(value.timestamp() // 1)
        if not isinstance(value, str):
            raise ValueError("not a date and time")
        text = value.strip()
        if len(text) in (16, 19) and text[4] == "-" and text[7] == "-" and text[10] in " T" and text[13] == ":":
            # the common `YYYY-MM-DD HH:MM[:SS]`, read by the C parser
            naive = datetime.fromisoformat(text)  # ValueError: not digits, no such day
            return self._local(naive.year, naive.month, naive.day, naive.hour, naive.minute, naive.second)
        match = _TIMESTAMP.fullmatch(text)
        if match is None:
            raise ValueError("unknown format")
        year, _, month, day, hour, minute, second, z, sign, off_h, off_m = match.groups()
        year, month, day, hour, minute = int(year), int(month), int(day), int(hour), int(minute)
        second = int(second or 0)
        if minute > 59 or second > 59:
            raise ValueError("no such time")
        if not (z or sign):
            return self._local(year, month, day, hour, minute, second)
        offset = 0
        if sign:
            hours, minutes = int(off_h), int(off_m or 0)
            if hours > 23 or minutes > 59:
                raise ValueError("bad offset")
            offset = (hours * 3600 + minutes * 60) * (-1 if sign == "-" else 1)
        key = (False, year, month, day, hour)
        start = self._hours.get(key)
        if start is None:
            start = self._hours[key] = self._hour_start(year, month, day, hour, UTC)
            assert start is not None  # UTC's offset never changes within an hour
        return start + minute * 60 + second - offset

    def _local(self, year: int, month: int, day: int, hour: int, minute: int, second: int) -> int:
        key = (True, year, month, day, hour)
        try:
            start = self._hours[key]
        except KeyError:
            start = self._hours[key] = self._hour_start(year, month, day, hour, self.zone)
        if start is None:  # the zone changes its offset within this hour
            return int(datetime(year, month, day, hour, minute, second, tzinfo=self.zone).timestamp())
        return start + minute * 60 + second

    @staticmethod
    def _hour_start(year: int, month: int, day: int, hour: int, zone: tzinfo) -> int | None:
        if not MIN_YEAR <= year <= MAX_YEAR:
            raise ValueError("out of range")
        start = datetime(year, month, day, hour, tzinfo=zone)  # ValueError: no such day or hour
        if start.utcoffset() != start.replace(minute=59, second=59).utcoffset():
            return None
        return int(start.timestamp())


def parse_timestamp(value: Any, zone: tzinfo) -> int:
    """One timestamp cell as epoch seconds (see TimestampParser)."""
    return TimestampParser(zone)(value)


def parse_bool(value: Any) -> bool:
    text = as_text(value).lower()
    if text in _TRUE:
        return True
    if text in _FALSE or text == "":
        return False
    raise ValueError("not a yes/no value")


def parse_count(value: Any) -> int:
    """An integer ≥ 0 (Excel's 3.0 is 3)."""
    if isinstance(value, (bool, datetime)):
        raise ValueError("not a number")
    if isinstance(value, int):
        number = value
    else:
        text = as_text(value)
        try:
            number = int(text)
        except ValueError:
            as_float = float(text)  # raises ValueError in turn
            if not as_float.is_integer():
                raise ValueError("not a whole number") from None
            number = int(as_float)
    if not 0 <= number <= MAX_COUNT:
        raise ValueError("out of range")
    return number


def free_text(value: Any) -> str | None:
    """Summary, phone, address: kept as written; blank is no value."""
    if value is None:
        return None
    text = value if isinstance(value, str) else as_text(value)
    return text if text.strip() else None
