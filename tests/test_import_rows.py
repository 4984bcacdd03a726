"""Reading one row of an export: headers, values and timestamps (no database)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from woq_tui.domain.import_rows import (
    COLUMNS,
    REASONS,
    ParsedRow,
    Rejection,
    RowValidator,
    TimestampParser,
    map_header,
    parse_bool,
    parse_count,
)
from woq_tui.domain.sla import SlaPolicy

SHANGHAI = ZoneInfo("Asia/Shanghai")
UTC = timezone.utc
BASE = {
    "ticket_no": "T1",
    "type": "repair",
    "station_code": "S01",
    "created_at": "2026-11-26 10:00",
}


def epoch(*args, tz=SHANGHAI) -> int:
    return int(datetime(*args, tzinfo=tz).timestamp())


def validate(cells: dict, header: dict | None = None) -> ParsedRow | Rejection:
    """Validate one row given as {column: value}; header maps a column to its heading."""
    header = header or {}
    columns = list(cells)
    validator = RowValidator(map_header([header.get(c, c) for c in columns]), SlaPolicy(), SHANGHAI)
    return validator.validate(2, [cells[c] for c in columns])


def accepted(cells: dict, header: dict | None = None) -> dict:
    result = validate(cells, header)
    assert isinstance(result, ParsedRow), result
    return result.values


def refused(cells: dict) -> str:
    result = validate(cells)
    assert isinstance(result, Rejection), result
    assert result.reason in REASONS and result.message
    return result.reason


# --- headers -------------------------------------------------------------------------

ALIASES = [(column, alias) for column, chinese in COLUMNS.items() for alias in (column, *chinese)]
SAMPLE = {
    "ticket_no": ("T9", "T9"),
    "type": ("投诉", "complaint"),
    "station_code": ("S77", "S77"),
    "station_name": ("东丽城东供电所", None),
    "area_type": ("农村", None),
    "channel": ("微信", "wechat"),
    "status": ("处理中", "in_progress"),
    "created_at": ("2026-11-26 09:00", epoch(2026, 11, 26, 9)),
    "first_response_at": ("2026-11-26 10:00", epoch(2026, 11, 26, 10)),
    "dispatched_at": ("2026-11-26 10:01", epoch(2026, 11, 26, 10, 1)),
    "arrived_at": ("2026-11-26 10:02", epoch(2026, 11, 26, 10, 2)),
    "resolved_at": ("2026-11-26 10:03", epoch(2026, 11, 26, 10, 3)),
    "closed_at": ("2026-11-26 10:04", epoch(2026, 11, 26, 10, 4)),
    "due_at": ("2026-11-30 09:00", epoch(2026, 11, 30, 9)),
    "escalated": ("是", True),
    "dispatch_count": ("3", 3),
    "reopen_count": ("2", 2),
    "satisfaction": ("基本满意", "basically_satisfied"),
    "summary": ("停电了", "停电了"),
    "customer_phone": ("13812341234", "13812341234"),
    "address": ("幸福路 1 号", "幸福路 1 号"),
}


@pytest.mark.parametrize(("column", "alias"), ALIASES, ids=[f"{c}={a}" for c, a in ALIASES])
def test_every_header_alias_feeds_its_column(column, alias):
    cells = {**BASE, column: SAMPLE[column][0]}
    values_by_alias = validate(cells, {column: f"  {alias.upper()} "})
    assert isinstance(values_by_alias, ParsedRow), values_by_alias
    expected = SAMPLE[column][1]
    if column == "station_name":
        assert values_by_alias.new_station == ("S01", "东丽城东供电所", "urban")
    elif column == "area_type":
        assert values_by_alias.new_station == ("S01", "S01", "rural")
    elif column == "ticket_no":
        assert values_by_alias.ticket_no == expected
    else:
        assert values_by_alias.values[column] == expected


def test_header_match_is_trimmed_and_case_insensitive_and_lists_unknown_columns_once():
    header = map_header([" Ticket_No ", "工单类型", "供电所编码", "受理时间", "备注", "备注", "", None, "工单号"])
    assert header.positions == {"ticket_no": 0, "type": 1, "station_code": 2, "created_at": 3}
    # the second heading for ticket_no is ignored like an unknown one; blanks are not listed
    assert header.ignored == ["备注", "工单号"]
    assert header.missing == []


def test_missing_required_columns_are_named():
    assert map_header(["工单编号", "受理内容"]).missing == ["type", "station_code", "created_at"]


# --- values --------------------------------------------------------------------------

VALUE_CASES = [
    ("type", value, code)
    for code, names in {
        "repair": ("故障报修", "报修", "repair", "REPAIR"),
        "complaint": ("投诉", "complaint"),
        "report": ("举报", "report"),
        "consultation": ("咨询", "业务咨询", "consultation"),
        "suggestion": ("意见", "建议", "意见建议", "suggestion"),
        "service_request": ("服务申请", "service_request", "Service Request"),
        "praise": ("表扬", "praise"),
        "other": ("其他", "other"),
    }.items()
    for value in names
] + [
    ("channel", value, code)
    for code, names in {
        "phone": ("电话", "phone"),
        "web": ("网站", "web"),
        "app": ("网上国网", "app"),
        "wechat": ("微信", "WeChat"),
        "other": ("其他", "other"),
    }.items()
    for value in names
] + [
    ("status", value, code)
    for code, names in {
        "new": ("待派单", "new"),
        "dispatched": ("已派单", "dispatched"),
        "accepted": ("已接单", "accepted"),
        "in_progress": ("处理中", "in_progress"),
        "resolved": ("已办结", "resolved"),
        "closed": ("已归档", "Closed"),
    }.items()
    for value in names
] + [
    ("satisfaction", value, code)
    for code, names in {
        "satisfied": ("满意", "satisfied"),
        "basically_satisfied": ("基本满意", "basically_satisfied"),
        "unsatisfied": ("不满意", "unsatisfied"),
        None: ("", "  "),
    }.items()
    for value in names
]


@pytest.mark.parametrize(("column", "value", "code"), VALUE_CASES)
def test_chinese_and_english_values(column, value, code):
    assert accepted({**BASE, column: value})[column] == code


@pytest.mark.parametrize(
    ("value", "area"),
    [("城区", "urban"), ("城市", "urban"), ("农村", "rural"), ("乡村", "rural"), ("特殊边远", "remote"),
     ("边远", "remote"), ("Remote", "remote"), ("", "urban")],
)  # fmt: skip
def test_area_names_decide_the_new_station_and_due_time(value, area):
    result = validate({**BASE, "area_type": value})
    assert result.new_station == ("S01", "S01", area)
    limits = {"urban": 225, "rural": 330, "remote": 360}  # repair: respond + resolve minutes
    assert result.values["due_at"] == epoch(2026, 11, 26, 10) + limits[area] * 60


@pytest.mark.parametrize("value", ["1", "true", "TRUE", "yes", "Y", "是", 1, True])
def test_true_values(value):
    assert parse_bool(value) is True


@pytest.mark.parametrize("value", ["0", "false", "No", "n", "否", "", None, 0, False])
def test_false_values(value):
    assert parse_bool(value) is False


@pytest.mark.parametrize(("value", "number"), [("0", 0), ("7", 7), (" 12 ", 12), (3.0, 3), ("3.0", 3), (5, 5)])
def test_counts(value, number):
    assert parse_count(value) == number


@pytest.mark.parametrize("value", ["-1", "1.5", "abc", "", "一", 2**31, True])
def test_bad_counts(value):
    with pytest.raises(ValueError):
        parse_count(value)


# --- timestamps ----------------------------------------------------------------------

TIMESTAMPS = [
    ("2026-11-26 10:00", epoch(2026, 11, 26, 10)),
    ("2026-11-26 10:00:05", epoch(2026, 11, 26, 10, 0, 5)),
    ("2026/11/26 10:00", epoch(2026, 11, 26, 10)),
    ("2026/1/2 3:04", epoch(2026, 1, 2, 3, 4)),
    ("2026/1/2 3:04:05", epoch(2026, 1, 2, 3, 4, 5)),
    ("  2026-11-26 10:00  ", epoch(2026, 11, 26, 10)),
    ("2026-11-26T10:00", epoch(2026, 11, 26, 10)),
    ("2026-11-26T10:00:00", epoch(2026, 11, 26, 10)),
    ("2026-11-26T10:00:00.75", epoch(2026, 11, 26, 10)),
    ("2026-11-26T02:00:00Z", epoch(2026, 11, 26, 2, tz=UTC)),
    ("2026-11-26T02:00:00.123456Z", epoch(2026, 11, 26, 2, tz=UTC)),
    ("2026-11-26T10:00:00+08:00", epoch(2026, 11, 26, 2, tz=UTC)),
    ("2026-11-26T10:00:00.5+0800", epoch(2026, 11, 26, 2, tz=UTC)),
    ("2026-11-25T21:00:00-05:00", epoch(2026, 11, 26, 2, tz=UTC)),
    ("2026-11-26 10:00:00+08", epoch(2026, 11, 26, 2, tz=UTC)),
    (datetime(2026, 11, 26, 10, 0), epoch(2026, 11, 26, 10)),  # Excel: naive, local
    (datetime(2026, 11, 26, 2, 0, tzinfo=UTC), epoch(2026, 11, 26, 2, tz=UTC)),
]


@pytest.mark.parametrize(("value", "expected"), TIMESTAMPS, ids=[str(v) for v, _ in TIMESTAMPS])
def test_timestamp_formats(value, expected):
    assert TimestampParser(SHANGHAI)(value) == expected


BAD_TIMESTAMPS = [
    "26/11/2026 10:00", "2026-02-30 10:00", "2026-11-26", "yesterday", "2026-11-26 24:00",
    "2026-11-26 10:60", "2026-11-26 10:00:61", "2026-13-01 10:00", "2026-11-26 10:00+25:00",
    "0001-01-01 00:00", "9999-12-31 23:59:59-12:00", "２０２６-11-26 10:00", "２０２６/1/2 3:04", 45622.5, 45622,
]  # fmt: skip


@pytest.mark.parametrize("value", BAD_TIMESTAMPS, ids=[repr(v) for v in BAD_TIMESTAMPS])
def test_bad_timestamps(value):
    with pytest.raises(ValueError):
        TimestampParser(SHANGHAI)(value)
    assert refused({**BASE, "created_at": value}) == "bad_timestamp"


def test_naive_times_follow_the_configured_zone_including_summer_time():
    new_york = ZoneInfo("America/New_York")
    parse = TimestampParser(new_york)
    assert parse("2026-07-01 12:00") == epoch(2026, 7, 1, 16, tz=UTC)
    assert parse("2026-12-01 12:00") == epoch(2026, 12, 1, 17, tz=UTC)
    # the hour the clocks go back, and the day they go forward: converted exactly
    assert parse("2026-11-01 01:30") == int(datetime(2026, 11, 1, 1, 30, tzinfo=new_york).timestamp())
    assert parse("2026-03-08 03:30") == epoch(2026, 3, 8, 7, 30, tz=UTC)


# --- refusals ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cells", "reason"),
    [
        ({**BASE, "ticket_no": " "}, "missing_field"),
        ({**BASE, "type": ""}, "missing_field"),
        ({**BASE, "station_code": None}, "missing_field"),
        ({**BASE, "created_at": ""}, "missing_field"),
        ({**BASE, "type": "维修"}, "bad_type"),
        ({**BASE, "resolved_at": "tomorrow"}, "bad_timestamp"),
        ({**BASE, "dispatch_count": "-1"}, "bad_number"),
        ({**BASE, "reopen_count": "two"}, "bad_number"),
        ({**BASE, "channel": "fax"}, "bad_value"),
        ({**BASE, "status": "lost"}, "bad_value"),
        ({**BASE, "satisfaction": "meh"}, "bad_value"),
        ({**BASE, "area_type": "moon"}, "bad_value"),
        ({**BASE, "escalated": "maybe"}, "bad_value"),
        ({**BASE, "ticket_no": "T" * 65}, "bad_value"),
        ({**BASE, "summary": "a\x00b"}, "bad_value"),
        ({**BASE, "ticket_no": datetime(2026, 1, 1)}, "bad_value"),
        ({**BASE, "first_response_at": "2026-11-26 09:59:59"}, "time_order"),
        ({**BASE, "closed_at": "2026-11-26T01:59:59Z"}, "time_order"),
    ],
)
def test_reasons(cells, reason):
    assert refused(cells) == reason


@pytest.mark.parametrize("column", ["first_response_at", "dispatched_at", "arrived_at", "resolved_at", "closed_at"])
def test_a_time_equal_to_created_at_is_accepted_and_one_second_before_is_not(column):
    assert accepted({**BASE, column: "2026-11-26 10:00:00"})[column] == epoch(2026, 11, 26, 10)
    assert refused({**BASE, column: "2026-11-26 09:59:59"}) == "time_order"


def test_due_at_before_created_at_is_not_a_time_order_refusal():
    assert accepted({**BASE, "due_at": "2026-11-26 09:00"})["due_at"] == epoch(2026, 11, 26, 9)


def test_messages_name_the_column_as_the_file_heads_it():
    result = validate({**BASE, "resolved_at": "昨天"}, {"resolved_at": "办结时间"})
    assert result.reason == "bad_timestamp"
    assert "办结时间" in result.message and "昨天" in result.message


def test_defaults_for_what_the_row_leaves_out():
    values = accepted({**BASE, "dispatched_at": "2026-11-26 10:05"})
    assert values["dispatch_count"] == 1
    assert values["reopen_count"] == 0
    assert values["escalated"] is False
    assert values["status"] == "dispatched"  # derived from the latest time given
    assert values["channel"] is None and values["satisfaction"] is None
    assert accepted(BASE)["dispatch_count"] == 0
    assert accepted(BASE)["status"] == "new"
    assert accepted({**BASE, "resolved_at": "2026-11-26 11:00"})["status"] == "resolved"


def test_working_day_limits_follow_the_calendar():
    # a complaint: 4 working days; Thursday 26 Nov 2026 10:00 -> Wednesday 2 Dec 10:00
    values = accepted({**BASE, "type": "投诉"})
    assert values["due_at"] == epoch(2026, 12, 2, 10)


def test_duplicate_ticket_no_keeps_the_earlier_row_even_when_later_rows_differ():
    validator = RowValidator(map_header(list(BASE)), SlaPolicy(), SHANGHAI)
    first = validator.validate(2, list(BASE.values()))
    assert isinstance(first, ParsedRow)
    second = validator.validate(3, ["T1", "投诉", "S02", "2026-11-27 10:00"])
    assert isinstance(second, Rejection) and second.reason == "duplicate" and second.row == 3


def test_a_rejected_row_does_not_claim_its_ticket_no():
    validator = RowValidator(map_header(list(BASE)), SlaPolicy(), SHANGHAI)
    assert isinstance(validator.validate(2, ["T1", "维修", "S01", "2026-11-26 10:00"]), Rejection)
    assert isinstance(validator.validate(3, ["T1", "repair", "S01", "2026-11-26 10:00"]), ParsedRow)


def test_excel_numbers_read_as_text_without_a_trailing_zero():
    values = accepted({**BASE, "ticket_no": 2026112600001.0, "customer_phone": 13812341234.0, "station_code": 101})
    assert values["customer_phone"] == "13812341234"
    assert values["station_code"] == "101"
    assert validate({**BASE, "ticket_no": 2026112600001.0}).ticket_no == "2026112600001"


def test_station_first_seen_is_introduced_once():
    validator = RowValidator(map_header([*BASE, "station_name"]), SlaPolicy(), SHANGHAI, stations={"S09": "rural"})
    first = validator.validate(2, ["T1", "repair", "S01", "2026-11-26 10:00", "东丽城东供电所"])
    again = validator.validate(3, ["T2", "repair", "S01", "2026-11-26 10:00", "东丽城东供电所"])
    known = validator.validate(4, ["T3", "repair", "S09", "2026-11-26 10:00", ""])
    assert first.new_station == ("S01", "东丽城东供电所", "urban")
    assert again.new_station is None and known.new_station is None
    # a known station's area decides the due time when the row gives none
    assert known.values["due_at"] == epoch(2026, 11, 26, 10) + timedelta(minutes=330).seconds
