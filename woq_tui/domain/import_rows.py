"""Reading one row of a ticket export (docs/import-format.md): headers, values, refusals.

Pure Python, no I/O: the store side (store/importer/) feeds header cells and row
values in, and gets back either a `ParsedRow` (column values ready for the ticket
table, instants as epoch seconds) or a `Rejection` with one of the spec's reason codes.
`RowValidator` keeps the state one file needs: the ticket numbers already accepted
(`duplicate`: `seen`, which the importer swaps per batch for the numbers of that batch
accepted earlier, so a long file is not held in memory) and the stations known so far
(their area decides a missing due_at; the first accepted row naming a station decides
its name and area for this file).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, tzinfo
from operator import itemgetter
from typing import Any, TypeVar

from woq_tui.domain.contact_keys import address_key, phone_key
from woq_tui.domain.enums import (
    AREA_NAMES_ZH,
    CHANNEL_NAMES_ZH,
    SATISFACTION_NAMES_ZH,
    STATUS_NAMES_ZH,
    TYPE_NAMES_ZH,
    AreaType,
    Channel,
    Satisfaction,
    Status,
    TicketType,
)
from woq_tui.domain.import_values import (
    BAD_CHARACTER,
    TimestampParser,
    as_text,
    cell_text,
    free_text,
    match_key,
    parse_bool,
    parse_count,
    parse_timestamp,
    readable,
)
from woq_tui.domain.sla import SlaPolicy, WorkCalendar
from woq_tui.domain.timestamps import from_epoch
from woq_tui.i18n import t

# Names other modules and the tests read from here (the cell readers live in import_values)
__all__ = [
    "COLUMNS", "DERIVED_KEYS", "REASONS", "TICKET_FIELDS", "HeaderMap", "ParsedRow", "Rejection", "RowValidator",
    "TimestampParser", "cell_text", "map_header", "parse_bool", "parse_count", "parse_timestamp", "readable",
]  # fmt: skip

_T = TypeVar("_T")  # what a cell parser returns

# Reason codes of docs/import-format.md
MISSING_FIELD = "missing_field"
BAD_TYPE = "bad_type"
BAD_TIMESTAMP = "bad_timestamp"
BAD_NUMBER = "bad_number"
BAD_VALUE = "bad_value"
TIME_ORDER = "time_order"
DUPLICATE = "duplicate"
REASONS = (MISSING_FIELD, BAD_TYPE, BAD_TIMESTAMP, BAD_NUMBER, BAD_VALUE, TIME_ORDER, DUPLICATE)

# column -> Chinese headers accepted (docs/import-format.md), in the spec's order
COLUMNS: dict[str, tuple[str, ...]] = {
    "ticket_no": ("工单编号", "工单号"),
    "type": ("业务类型", "工单类型"),
    "station_code": ("供电单位编码", "供电所编码"),
    "station_name": ("供电单位", "供电所", "供电单位名称"),
    "area_type": ("区域类型", "区域"),
    "channel": ("受理渠道", "渠道"),
    "status": ("工单状态", "状态"),
    "created_at": ("受理时间", "创建时间"),
    "first_response_at": ("首次响应时间", "响应时间"),
    "dispatched_at": ("派单时间",),
    "arrived_at": ("到达现场时间",),
    "resolved_at": ("办结时间", "处理完成时间"),
    "closed_at": ("归档时间",),
    "due_at": ("处理时限", "截止时间"),
    "escalated": ("是否升级", "投诉升级"),
    "dispatch_count": ("派单次数",),
    "reopen_count": ("重启次数", "回退次数"),
    "satisfaction": ("回访满意度", "满意度"),
    "summary": ("受理内容", "诉求内容", "内容"),
    "customer_phone": ("联系电话",),
    "address": ("地址", "用电地址"),
}
REQUIRED = ("ticket_no", "type", "station_code", "created_at")
# Times that may not lie before created_at (time_order)
LATER_TIMES = ("first_response_at", "dispatched_at", "arrived_at", "resolved_at", "closed_at")
TIMES = ("created_at", *LATER_TIMES, "due_at")

# The ticket columns an import sets, and so compares on re-import.
TICKET_FIELDS = (
    "type",
    "station_code",
    "channel",
    "status",
    *TIMES,
    "escalated",
    "dispatch_count",
    "reopen_count",
    "satisfaction",
    "summary",
    "customer_phone",
    "address",
    # derived from the two before (domain/contact_keys.py): set with them
    "phone_key",
    "address_key",
)
# The audit's normalised keys and the column each is made from (docs/audit.md).
DERIVED_KEYS = {"phone_key": ("customer_phone", phone_key), "address_key": ("address", address_key)}
# Always set, whether the file has the column or not: the required ones, and due_at,
# which is derived when absent (docs/import-format.md). Every other ticket column is left
# as stored when its column is absent from the file.
ALWAYS_SET = ("type", "station_code", "created_at", "due_at")

# Widths of the VARCHAR columns (PostgreSQL enforces them)
MAX_LENGTH = {"ticket_no": 64, "station_code": 64, "station_name": 200, "customer_phone": 64}


HEADER_ALIASES: dict[str, str] = {}
for _column, _chinese in COLUMNS.items():
    for _alias in (_column, *_chinese):
        HEADER_ALIASES[match_key(_alias)] = _column


def _vocabulary(codes: Iterable[str], chinese: dict[Any, tuple[str, ...]]) -> dict[str, str]:
    """Code, or any of its Chinese names (keyed as _key makes them) -> code."""
    words = {match_key(code): str(code) for code in codes}
    for code, names in chinese.items():
        for name in names:
            words[match_key(name)] = str(code)
    return words


VALUE_ALIASES: dict[str, dict[str, str]] = {
    "type": _vocabulary(TicketType, TYPE_NAMES_ZH),
    "area_type": _vocabulary(AreaType, AREA_NAMES_ZH),
    "channel": _vocabulary(Channel, CHANNEL_NAMES_ZH),
    "status": _vocabulary(Status, STATUS_NAMES_ZH),
    "satisfaction": _vocabulary(Satisfaction, SATISFACTION_NAMES_ZH),
}
@dataclass(frozen=True, slots=True)
class HeaderMap:
    """Which column of the file holds which field."""

    positions: dict[str, int]
    ignored: list[str]
    # column -> its header as the file writes it, for messages
    names: dict[str, str] = field(default_factory=dict)

    @property
    def missing(self) -> list[str]:
        return [column for column in REQUIRED if column not in self.positions]

    @property
    def covered(self) -> tuple[str, ...]:
        """The ticket columns this file sets (compared and updated on re-import)."""
        return tuple(
            c
            for c in TICKET_FIELDS
            if c in ALWAYS_SET or c in self.positions or (c in DERIVED_KEYS and DERIVED_KEYS[c][0] in self.positions)
        )


def map_header(cells: Sequence[Any]) -> HeaderMap:
    """Match header cells to columns. The first of two cells naming the same column
    wins; the other, like any unknown header, is ignored and listed (once, readable)."""
    positions: dict[str, int] = {}
    names: dict[str, str] = {}
    ignored: list[str] = []
    listed: set[str] = set()  # a set: a header of thousands of columns stays linear
    for index, cell in enumerate(cells):
        name = "" if cell is None else str(cell).strip()
        if not name:
            continue  # trailing empty header cells, as spreadsheets leave them
        column = HEADER_ALIASES.get(match_key(name))
        if column is None or column in positions:
            name = readable(name)
            if name not in listed:
                listed.add(name)
                ignored.append(name)
        else:
            positions[column] = index
            names[column] = name
    return HeaderMap(positions, ignored, names)


@dataclass(frozen=True, slots=True)
class Rejection:
    row: int
    ticket_no: str
    reason: str
    message: str


@dataclass(slots=True)
class ParsedRow:
    row: int
    ticket_no: str
    # every ticket column an import sets -> value; instants as epoch seconds
    values: dict[str, Any]
    # (code, name, area_type) of a station this file introduces, on its first row
    new_station: tuple[str, str, str] | None = None
    # (code, name, area_type) of a stored station whose name or area this file changes,
    # on the first accepted row that names it
    station_update: tuple[str, str, str] | None = None


class _Refused(Exception):
    def __init__(self, reason: str, key: str, **values: Any) -> None:
        self.reason, self.key, self.values = reason, key, values


def _quote(value: Any, limit: int = 40) -> str:
    text = as_text(value)
    return repr(text if len(text) <= limit else text[:limit] + "…")


# What a row holds for the columns a file lacks (docs/import-format.md's defaults)
_ABSENT: dict[str, Any] = {
    **{column: None for column in TICKET_FIELDS},
    "area_type": None,
    "escalated": False,
    "reopen_count": 0,
}
# Text columns checked for width
_CHECKED_TEXT = ("ticket_no", "station_code", "station_name", "customer_phone", "summary", "address")


def derived_status(values: dict[str, Any]) -> str:
    """The status an export without one implies, from the latest time it gives."""
    for column, status in (
        ("closed_at", Status.closed),
        ("resolved_at", Status.resolved),
        ("arrived_at", Status.in_progress),
        ("dispatched_at", Status.dispatched),
    ):
        if values.get(column) is not None:
            return str(status)
    return str(Status.new)


@dataclass(frozen=True)
class _MemoCalendar(WorkCalendar):
    """The same calendar, remembering its answers: a year of tickets asks about the
    same few hundred days hundreds of thousands of times."""

    known: dict[date, bool] = field(default_factory=dict, compare=False, hash=False)

    def is_workday(self, day: date) -> bool:
        answer = self.known.get(day)
        if answer is None:
            answer = self.known[day] = super().is_workday(day)
        return answer


@dataclass
class RowValidator:
    """Validates the rows of one file in order.

    `stations` maps the station codes known so far to their area, `station_names` to
    their name; both are seeded from the database and follow what the file says. A
    station's name and area are decided by the first accepted row of the file that
    names it: it creates the station, or changes a stored one where it gives another
    name or area (an empty cell changes nothing).
    """

    header: HeaderMap
    policy: SlaPolicy
    zone: tzinfo
    stations: dict[str, str] = field(default_factory=dict)
    seen: set[str] = field(default_factory=set)
    station_names: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        positions = self.header.positions
        self._width = max(positions.values()) + 1
        self._required = [(c, positions[c]) for c in REQUIRED]
        # (column, cell index) of the columns present, per kind of value
        self._texts = [(c, positions[c]) for c in _CHECKED_TEXT if c in positions]
        self._codes = [(c, positions[c]) for c in VALUE_ALIASES if c in positions]
        self._times = [(c, positions[c]) for c in TIMES if c in positions]
        self._counts = [(c, positions[c]) for c in ("dispatch_count", "reopen_count") if c in positions]
        self._free = [(c, positions[c]) for c in ("summary", "customer_phone", "address") if c in positions]
        self._keys = [(key, made) for key, made in DERIVED_KEYS.items() if made[0] in positions]
        self._escalated = positions.get("escalated")
        self._station_name = positions.get("station_name")
        self._mapped = sorted(positions.items(), key=lambda item: item[1])
        self._pick = itemgetter(*[i for _, i in self._mapped])
        self._decided: set[str] = set()  # stations whose name and area this file decided
        self._timestamp = TimestampParser(self.zone)
        calendar = self.policy.calendar
        self.policy = replace(self.policy, calendar=_MemoCalendar(calendar.extra_holidays, calendar.extra_workdays))

    def ticket_no(self, cells: Sequence[Any]) -> str:
        """The ticket number of a row as the duplicate check compares it."""
        position = self.header.positions["ticket_no"]
        return readable(as_text(cells[position])) if position < len(cells) else ""

    def validate(self, row: int, cells: Sequence[Any]) -> ParsedRow | Rejection:
        if len(cells) < self._width:  # a short record: the missing cells are empty
            cells = [*cells, *([None] * (self._width - len(cells)))]
        ticket_no = as_text(cells[self.header.positions["ticket_no"]])
        try:
            return self._parse(row, ticket_no, cells)
        except _Refused as refused:
            return Rejection(row, readable(ticket_no), refused.reason, t(refused.key, **refused.values))

    def _parse(self, row: int, ticket_no: str, cells: Sequence[Any]) -> ParsedRow:
        missing = [column for column, i in self._required if as_text(cells[i]) == ""]
        if missing:
            raise _Refused(MISSING_FIELD, "import.reject.missing_field", columns=", ".join(map(self._name, missing)))
        self._check_characters(cells)
        if ticket_no in self.seen:
            raise _Refused(DUPLICATE, "import.reject.duplicate", ticket_no=_quote(ticket_no))
        for column, i in self._texts:
            if cells[i] is not None:
                self._check_text(column, cells[i])

        values = dict(_ABSENT)
        for column, i in self._codes:
            values[column] = self._code(column, cells[i])
        for column, i in self._times:
            values[column] = self._time(column, cells[i])
        created = values["created_at"]
        for column in LATER_TIMES:
            if values[column] is not None and values[column] < created:
                raise _Refused(
                    TIME_ORDER, "import.reject.time_order", column=self._name(column), created=self._name("created_at")
                )
        if self._escalated is not None:
            values["escalated"] = self._convert("escalated", cells[self._escalated], parse_bool)
        for column, i in self._counts:
            if as_text(cells[i]) != "":
                values[column] = self._convert(column, cells[i], parse_count, BAD_NUMBER)
        if values["dispatch_count"] is None:
            values["dispatch_count"] = 1 if values["dispatched_at"] is not None else 0
        if values["status"] is None:
            values["status"] = derived_status(values)
        for column, i in self._free:
            values[column] = free_text(cells[i])
        for key, (column, normalise) in self._keys:
            values[key] = normalise(values[column])

        station_code = values["station_code"] = as_text(cells[self.header.positions["station_code"]])
        area = values.pop("area_type")
        new_station = station_update = None
        if station_code not in self._decided:
            self._decided.add(station_code)
            new_station, station_update = self._decide_station(station_code, cells, area)
        if values["due_at"] is None:
            due = self.policy.due_at(values["type"], area or self.stations[station_code], from_epoch(created))
            values["due_at"] = int(due.timestamp() // 1)
        self.seen.add(ticket_no)
        return ParsedRow(row, ticket_no, values, new_station, station_update)

    def _decide_station(
        self, code: str, cells: Sequence[Any], area: str | None
    ) -> tuple[tuple[str, str, str] | None, tuple[str, str, str] | None]:
        """(new station, changed station) that the first accepted row naming `code`
        makes: created from the row, or the stored one where the row says otherwise."""
        given = None if self._station_name is None else as_text(cells[self._station_name]) or None
        if code not in self.stations:
            station = (code, given or code, area or str(AreaType.urban))
            self.stations[code], self.station_names[code] = station[2], station[1]
            return station, None
        stored_name, stored_area = self.station_names.get(code), self.stations[code]
        renamed = given is not None and stored_name is not None and given != stored_name
        moved = area is not None and area != stored_area
        if not (renamed or moved):
            return None, None
        # (renamed implies a given name, moved an area: spelled out for the type checker)
        station = (
            code,
            given if renamed and given is not None else stored_name or code,
            area if moved and area is not None else stored_area,
        )
        self.stations[code], self.station_names[code] = station[2], station[1]
        return None, station

    def _name(self, column: str) -> str:
        return self.header.names.get(column, column)

    def _convert(self, column: str, value: Any, parse: Callable[[Any], _T], reason: str = BAD_VALUE) -> _T:
        try:
            return parse(value)
        except (ValueError, TypeError, OverflowError):
            raise _Refused(reason, f"import.reject.{reason}", column=self._name(column), value=_quote(value)) from None

    def _code(self, column: str, value: Any) -> str | None:
        text = as_text(value)
        if text == "":
            return None
        aliases = VALUE_ALIASES[column]
        code = aliases.get(text) or aliases.get(match_key(text))
        if code is None:
            reason = BAD_TYPE if column == "type" else BAD_VALUE
            raise _Refused(reason, f"import.reject.{reason}", column=self._name(column), value=_quote(value))
        return code

    def _time(self, column: str, value: Any) -> int | None:
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        try:
            return self._timestamp(value)
        except (ValueError, OverflowError):
            raise _Refused(
                BAD_TIMESTAMP, "import.reject.bad_timestamp", column=self._name(column), value=_quote(value)
            ) from None

    def _check_characters(self, cells: Sequence[Any]) -> None:
        """A NUL or a lone surrogate in any value the file maps is a bad_value."""
        picked = self._pick(cells)
        try:
            joined = "".join(picked)
        except TypeError:  # numbers and datetimes from a workbook
            joined = "".join(v for v in picked if isinstance(v, str))
        if "\x00" not in joined and readable(joined) is joined:  # (two C-speed scans: a third of a regex's cost)
            return
        for column, i in self._mapped:
            value = cells[i]
            match = BAD_CHARACTER.search(value) if isinstance(value, str) else None
            if match is None:
                continue
            if match.group() == "\x00":
                raise _Refused(BAD_VALUE, "import.reject.nul", column=self._name(column))
            char = readable(match.group())
            raise _Refused(BAD_VALUE, "import.reject.surrogate", column=self._name(column), char=char)

    def _check_text(self, column: str, value: Any) -> None:
        if value is None:
            return
        if column in MAX_LENGTH and column != "station_name" and not isinstance(value, (str, int, float)):
            # a date or a yes/no where a number or code belongs: Excel turned it into one
            raise _Refused(BAD_VALUE, "import.reject.bad_value", column=self._name(column), value=_quote(value))
        text = value if isinstance(value, str) else as_text(value)
        limit = MAX_LENGTH.get(column)
        if limit is not None and len(text.strip()) > limit:
            raise _Refused(BAD_VALUE, "import.reject.too_long", column=self._name(column), limit=limit)
