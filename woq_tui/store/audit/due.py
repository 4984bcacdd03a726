"""due_mismatch's expected due time in SQL: created_at + the resolve limit of sla.md (as
configured) for the ticket's type and its station's area (audit.md, docs/audit.md).

A limit in minutes is integer arithmetic. A limit in working days ends at the same
local time on the n-th working day after the day of creation (domain/sla.py), which
SQL cannot know: the working calendar lives in Python (chinese_calendar plus [sla]
exceptions). So for each n the period needs, Python writes one string with, for every
local day of the period, the seconds from that day's midnight to the due day's
midnight as a fixed-width number, and SQL reads the ticket's day out of it with substr:
no temporary table, the same text on SQLite and PostgreSQL, and one row's work is a
substring. (A ticket created in the hour a daylight-saving change moves is off by that
hour; China has none.)
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import BigInteger, Integer, String, case, cast, func, literal, null
from sqlalchemy.sql.elements import ColumnElement

from woq_tui.domain.audit_conditions import seconds
from woq_tui.domain.enums import AreaType, TicketType
from woq_tui.domain.periods import Period, local_midnight
from woq_tui.domain.sla import SlaPolicy
from woq_tui.domain.timestamps import to_epoch

try:  # where branch `speed` moves the figures' groupings (issue 17)
    from woq_tui.store.figure_groups import _offset_segments
except ImportError:
    from woq_tui.store.figures import _offset_segments

WIDTH = 9  # digits of one day's shift: up to 31 years of seconds


def _local_day(created: ColumnElement[int], period: Period) -> ColumnElement[int]:
    """Days since 1970-01-01 of the local day `created` falls on (within the period)."""
    segments = _offset_segments(period)
    if len(segments) <= 1:
        shift: ColumnElement = literal(segments[0][1] if segments else 0, BigInteger)
    else:
        whens = [(created < start, literal(previous, BigInteger)) for (start, _), (_, previous) in zip(segments[1:], segments)]
        shift = case(*whens, else_=literal(segments[-1][1], BigInteger))
    return (created + shift) // 86400


def _shifts(policy: SlaPolicy, period: Period, working_days: int) -> str:
    """Seconds from each local day's midnight to its due day's midnight, WIDTH digits each."""
    tz = policy.timezone
    day = period.start.astimezone(tz).date()
    last = (period.end - timedelta(seconds=1)).astimezone(tz).date()
    parts = []
    while day <= last:
        due_day = policy.calendar.add_workdays(day, working_days)
        parts.append(f"{to_epoch(local_midnight(due_day, tz)) - to_epoch(local_midnight(day, tz)):0{WIDTH}d}")
        day += timedelta(days=1)
    return "".join(parts)


def expected_due(columns, area: ColumnElement[str], policy: SlaPolicy, period: Period) -> ColumnElement[int]:
    """created_at + the resolve limit of the ticket's type and `area` (its station's)."""
    created = seconds(columns.created_at)
    first_day = period.start.astimezone(policy.timezone).date().toordinal() - 719163  # days since 1970-01-01
    # an integer for PostgreSQL's substr(text, int, int)
    position = cast((_local_day(created, period) - literal(first_day, BigInteger)) * WIDTH + 1, Integer)
    strings: dict[int, ColumnElement[int]] = {}

    def working(days: int) -> ColumnElement[int]:
        if days not in strings:
            text = literal(_shifts(policy, period, days), String)
            strings[days] = created + cast(func.nullif(func.substr(text, position, WIDTH), ""), BigInteger)
        return strings[days]

    def limit_value(kind: TicketType, area_type: AreaType) -> ColumnElement[int] | None:
        limit = policy.limit(kind, area_type)
        if limit.resolve_minutes is not None:
            return created + literal(limit.resolve_minutes * 60, BigInteger, literal_execute=True)
        if limit.resolve_working_days is not None:
            return working(limit.resolve_working_days)
        return None

    whens = []
    for kind in TicketType:
        limits = {area_type: policy.limit(kind, area_type) for area_type in AreaType}
        if len(set(limits.values())) == 1:  # the same for every area: no need to look at it
            value = limit_value(kind, AreaType.urban)
        else:
            value = case(
                *[(area == _text(area_type), limit_value(kind, area_type)) for area_type in AreaType],
                else_=null(),
            )
        if value is not None:
            whens.append((columns.type == _text(kind), value))
    return case(*whens, else_=null())


def _text(code: str) -> ColumnElement[str]:
    return literal(str(code), String, literal_execute=True)
