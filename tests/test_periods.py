"""Calendar periods (docs/assessment.md, "Periods"): week, month, quarter, year and custom
days; the default is the last full period; never a period after as_of's day; stepping
stops at the current period; labels in zh and en. Across year ends and quarters, in
Asia/Shanghai (no DST) and Europe/Berlin (DST)."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from woq_tui.domain.periods import (
    CALENDAR_KINDS,
    FuturePeriod,
    calendar_period,
    clip_to_day,
    current_period,
    custom_period,
    full_weeks_before,
    last_full_period,
    next_kind,
    period_label,
    period_of_kind,
    step_period,
    with_kind,
)
from woq_tui.i18n import set_language

UTC = timezone.utc
SHANGHAI = ZoneInfo("Asia/Shanghai")
BERLIN = ZoneInfo("Europe/Berlin")


def at(tz, *parts) -> datetime:
    return datetime(*parts, tzinfo=tz).astimezone(UTC)


def days(period) -> tuple[date, date]:
    return period.first_day, period.last_day


@pytest.mark.parametrize("tz", [SHANGHAI, BERLIN], ids=["shanghai", "berlin"])
def test_last_full_periods_across_a_year_end(tz):
    new_year = at(tz, 2027, 1, 1, 0, 30)  # a Friday, just after midnight
    assert days(last_full_period("week", new_year, tz)) == (date(2026, 12, 21), date(2026, 12, 27))
    assert days(last_full_period("month", new_year, tz)) == (date(2026, 12, 1), date(2026, 12, 31))
    assert days(last_full_period("quarter", new_year, tz)) == (date(2026, 10, 1), date(2026, 12, 31))
    assert days(last_full_period("year", new_year, tz)) == (date(2026, 1, 1), date(2026, 12, 31))
    # one minute before midnight the year is not over: the year before
    eve = at(tz, 2026, 12, 31, 23, 59)
    assert days(last_full_period("year", eve, tz)) == (date(2025, 1, 1), date(2025, 12, 31))
    assert days(last_full_period("quarter", eve, tz)) == (date(2026, 7, 1), date(2026, 9, 30))
    for kind in CALENDAR_KINDS:
        period = last_full_period(kind, new_year, tz)
        assert period.kind == kind and period.is_full
        assert period.start == at(tz, *period.first_day.timetuple()[:3])
        assert period.end == at(tz, *(period.last_day + timedelta(days=1)).timetuple()[:3])


def test_a_week_across_the_year_end_is_iso_week_53():
    week = calendar_period("week", date(2027, 1, 2), SHANGHAI)
    assert days(week) == (date(2026, 12, 28), date(2027, 1, 3))
    set_language("zh")
    assert period_label(week) == "第53周 12-28—01-03"
    set_language("en")
    assert period_label(week) == "Week 53 12-28—01-03"


@pytest.mark.parametrize(
    "day, first, last",
    [
        (date(2026, 1, 1), date(2026, 1, 1), date(2026, 3, 31)),
        (date(2026, 3, 31), date(2026, 1, 1), date(2026, 3, 31)),
        (date(2026, 4, 1), date(2026, 4, 1), date(2026, 6, 30)),
        (date(2026, 9, 30), date(2026, 7, 1), date(2026, 9, 30)),
        (date(2026, 11, 26), date(2026, 10, 1), date(2026, 12, 31)),
    ],
)
def test_quarters(day, first, last):
    assert days(calendar_period("quarter", day, SHANGHAI)) == (first, last)


def test_steps_move_by_whole_periods_and_cross_years():
    q4 = calendar_period("quarter", date(2026, 11, 1), SHANGHAI)
    assert days(q4.step(1)) == (date(2027, 1, 1), date(2027, 3, 31))
    assert days(q4.step(-4)) == (date(2025, 10, 1), date(2025, 12, 31))
    january = calendar_period("month", date(2027, 1, 15), SHANGHAI)
    assert days(january.previous()) == (date(2026, 12, 1), date(2026, 12, 31))
    assert days(calendar_period("month", date(2026, 3, 31), SHANGHAI).step(-1)) == (date(2026, 2, 1), date(2026, 2, 28))
    week = calendar_period("week", date(2026, 12, 30), SHANGHAI)
    assert days(week.step(1)) == (date(2027, 1, 4), date(2027, 1, 10))
    assert days(calendar_period("year", date(2026, 6, 1), SHANGHAI).step(-1)) == (date(2025, 1, 1), date(2025, 12, 31))


def test_the_current_period_ends_with_as_of_s_day_and_steps_stop_there():
    now = at(SHANGHAI, 2026, 11, 26, 10, 0)  # Thursday
    month = current_period("month", now, SHANGHAI)
    assert days(month) == (date(2026, 11, 1), date(2026, 11, 26)) and not month.is_full
    assert month.end == at(SHANGHAI, 2026, 11, 27)
    # `]` from the current period stays on it; from the one before, it arrives there
    assert step_period(month, 1, now) == month
    assert step_period(month.step(-1), 1, now) == month
    assert step_period(month, 5, now) == month
    assert days(step_period(month, -1, now)) == (date(2026, 10, 1), date(2026, 10, 31))
    # far back and forward again: never past today
    year = step_period(current_period("year", now, SHANGHAI), -3, now)
    assert days(year) == (date(2023, 1, 1), date(2023, 12, 31))
    assert days(step_period(year, 10, now)) == (date(2026, 1, 1), date(2026, 11, 26))
    week = current_period("week", now, SHANGHAI)
    assert days(week) == (date(2026, 11, 23), date(2026, 11, 26))


def test_no_period_after_as_of_s_day():
    now = at(SHANGHAI, 2026, 11, 26, 10, 0)
    with pytest.raises(FuturePeriod):
        period_of_kind("month", date(2026, 12, 1), now, SHANGHAI)
    with pytest.raises(FuturePeriod):
        custom_period(date(2026, 11, 27), date(2026, 11, 30), SHANGHAI, now)
    custom = custom_period(date(2026, 11, 20), date(2026, 12, 31), SHANGHAI, now)
    assert days(custom) == (date(2026, 11, 20), date(2026, 11, 26))
    # a period that ends before as_of's day is left alone
    last = last_full_period("week", now, SHANGHAI)
    assert clip_to_day(last, now) is last


def test_changing_kind_keeps_the_last_day_and_the_order_of_t():
    now = at(SHANGHAI, 2026, 11, 26, 10, 0)
    week = last_full_period("week", now, SHANGHAI)
    assert [next_kind(kind) for kind in CALENDAR_KINDS] == ["month", "quarter", "year", "week"]
    assert next_kind("custom") == "week" and next_kind("last_week") == "week"
    month = with_kind(week, "month", now)
    assert days(month) == (date(2026, 11, 1), date(2026, 11, 26))  # November, cut at today
    assert days(with_kind(month, "quarter", now)) == (date(2026, 10, 1), date(2026, 11, 26))


def test_labels_in_both_languages():
    now = at(SHANGHAI, 2026, 11, 26, 10, 0)
    periods = {
        "week": calendar_period("week", date(2026, 11, 23), SHANGHAI),
        "month": calendar_period("month", date(2026, 11, 1), SHANGHAI),
        "quarter": calendar_period("quarter", date(2026, 11, 1), SHANGHAI),
        "year": calendar_period("year", date(2026, 11, 1), SHANGHAI),
        "custom": custom_period(date(2026, 11, 1), date(2026, 11, 15), SHANGHAI, now),
        "running": current_period("month", now, SHANGHAI),
    }
    set_language("zh")
    assert {key: period_label(value) for key, value in periods.items()} == {
        "week": "第48周 11-23—11-29",
        "month": "2026年11月",
        "quarter": "2026年第4季度",
        "year": "2026年",
        "custom": "2026-11-01—2026-11-15",
        "running": "2026年11月（至11-26）",
    }
    set_language("en")
    assert {key: period_label(value) for key, value in periods.items()} == {
        "week": "Week 48 11-23—11-29",
        "month": "Nov 2026",
        "quarter": "2026 Q4",
        "year": "2026",
        "custom": "2026-11-01—2026-11-15",
        "running": "Nov 2026 (to 11-26)",
    }


def test_daylight_saving_keeps_local_midnights():
    # Berlin leaves summer time on Sunday 2026-10-25: that week is 7 days and one hour
    week = calendar_period("week", date(2026, 10, 21), BERLIN)
    assert week.end - week.start == timedelta(days=7, hours=1)
    assert week.step(1).start == at(BERLIN, 2026, 10, 26)
    march = calendar_period("month", date(2026, 3, 10), BERLIN)  # summer time starts on the 29th
    assert march.end - march.start == timedelta(days=31) - timedelta(hours=1)
    assert march.step(1).start == at(BERLIN, 2026, 4, 1)
    quarter = calendar_period("quarter", date(2026, 2, 1), BERLIN)
    assert quarter.end == at(BERLIN, 2026, 4, 1) and len(quarter.days()) == 90
    # Shanghai has no DST: every day is 24 h
    year = calendar_period("year", date(2026, 1, 1), SHANGHAI)
    assert year.end - year.start == timedelta(days=365)


def test_the_last_full_weeks_before_an_instant():
    now = at(SHANGHAI, 2026, 11, 26, 10, 0)
    weeks = full_weeks_before(now, SHANGHAI, 3)
    assert [days(week) for week in weeks] == [
        (date(2026, 11, 2), date(2026, 11, 8)), (date(2026, 11, 9), date(2026, 11, 15)),
        (date(2026, 11, 16), date(2026, 11, 22)),
    ]  # fmt: skip
    # Sunday 23:59 local: that week is not over, so it is not among them
    sunday = at(SHANGHAI, 2026, 11, 22, 23, 59)
    assert full_weeks_before(sunday, SHANGHAI, 1)[0].first_day == date(2026, 11, 9)
