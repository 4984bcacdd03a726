"""The SLA engine of docs/sla.md with a frozen clock: working days across weekends, the 2026
National Day holiday and its 调休 working weekend days, config overrides, local
exceptions, and the state of a ticket at an instant."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from woq_tui.config import ConfigError, parse_settings
from woq_tui.domain.enums import SlaState
from woq_tui.domain.sla import DEFAULT_LIMITS, SlaPolicy, WorkCalendar

SHANGHAI = ZoneInfo("Asia/Shanghai")
UTC = timezone.utc


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


@pytest.fixture
def policy() -> SlaPolicy:
    return SlaPolicy()


def test_repair_limits_are_minutes_by_area(policy):
    created = local(2026, 11, 26, 10, 0)
    assert policy.due_at("repair", "urban", created) == local(2026, 11, 26, 13, 45)
    assert policy.due_at("repair", "rural", created) == local(2026, 11, 26, 15, 30)
    assert policy.due_at("repair", "remote", created) == local(2026, 11, 26, 16, 0)
    assert policy.respond_by("repair", "rural", created) == local(2026, 11, 26, 11, 30)
    # Repairs run round the clock: a Saturday night repair is due the same night.
    saturday = local(2026, 11, 28, 23, 0)
    assert policy.due_at("repair", "urban", saturday) == local(2026, 11, 29, 2, 45)


def test_default_limits_cover_every_type_and_area():
    assert {kind.value for kind in DEFAULT_LIMITS} == {
        "repair", "complaint", "report", "consultation", "suggestion", "service_request", "praise", "other",
    }
    assert all(len(by_area) == 3 for by_area in DEFAULT_LIMITS.values())
    assert SlaPolicy().respond_by("praise", "urban", local(2026, 11, 26, 10)) is None


def test_working_days_skip_the_weekend(policy):
    friday = local(2026, 11, 27, 16, 30)
    assert policy.due_at("consultation", "urban", friday) == local(2026, 11, 30, 16, 30)  # Monday
    assert policy.due_at("complaint", "urban", friday) == local(2026, 12, 3, 16, 30)  # Thursday
    # Created on a Sunday: the first working day after it is Monday.
    sunday = local(2026, 11, 29, 9, 0)
    assert policy.due_at("consultation", "rural", sunday) == local(2026, 11, 30, 9, 0)


def test_working_days_skip_national_day_and_count_the_tiaoxiu_saturday(policy):
    # 2026: 1-7 October off; Saturday 10 October is a working day (调休).
    created = local(2026, 9, 30, 15, 0)
    assert policy.due_at("consultation", "urban", created) == local(2026, 10, 8, 15, 0)
    # 8 Thu, 9 Fri, 10 Sat (worked), 12 Mon: the fourth working day.
    assert policy.due_at("complaint", "urban", created) == local(2026, 10, 12, 15, 0)
    # Created on the holiday itself.
    assert policy.due_at("consultation", "urban", local(2026, 10, 3, 11, 0)) == local(2026, 10, 8, 11, 0)
    # Friday 9 October + 1 working day = Saturday 10 October.
    assert policy.due_at("consultation", "urban", local(2026, 10, 9, 9, 0)) == local(2026, 10, 10, 9, 0)


def test_the_sunday_before_national_day_is_worked_and_mid_autumn_is_not(policy):
    # Sunday 20 September 2026 is a 调休 working day; 25-27 September are Mid-autumn.
    saturday = local(2026, 9, 19, 10, 0)
    assert policy.due_at("consultation", "urban", saturday) == local(2026, 9, 20, 10, 0)
    thursday = local(2026, 9, 24, 10, 0)
    assert policy.due_at("consultation", "urban", thursday) == local(2026, 9, 28, 10, 0)


def test_due_at_keeps_utc_in_and_out(policy):
    created = datetime(2026, 9, 30, 7, 0, tzinfo=UTC)  # 15:00 in Shanghai
    due = policy.due_at("consultation", "urban", created)
    assert due.tzinfo == UTC
    assert due == datetime(2026, 10, 8, 7, 0, tzinfo=UTC)


def test_local_exceptions_from_config_add_holidays_and_workdays():
    settings = parse_settings(
        {"sla": {"extra_holidays": ["2026-11-27"], "extra_workdays": ["2026-11-28"]}}
    )
    policy = settings.sla_policy()
    thursday = local(2026, 11, 26, 10, 0)
    # Friday 27 is a local holiday, Saturday 28 a local working day.
    assert policy.due_at("consultation", "urban", thursday) == local(2026, 11, 28, 10, 0)
    assert policy.calendar.is_workday(date(2026, 11, 28))
    assert not policy.calendar.is_workday(date(2026, 11, 27))


def test_years_the_calendar_package_does_not_know_fall_back_to_weekdays():
    calendar = WorkCalendar()
    assert not calendar.is_workday(date(2099, 10, 1))  # fixed-date holiday
    assert not calendar.is_workday(date(2099, 10, 3))
    assert calendar.is_workday(date(2099, 10, 5))  # a Monday
    assert not calendar.is_workday(date(2099, 10, 10))  # a Saturday
    assert WorkCalendar(extra_workdays=frozenset({date(2099, 10, 10)})).is_workday(date(2099, 10, 10))


def test_config_overrides_limits_and_thresholds():
    settings = parse_settings(
        {
            "sla": {
                "at_risk_fraction": 0.5,
                "at_risk_minutes": 10,
                "warn_minutes": 90,
                "limits": {
                    "repair": {"urban": {"resolve_minutes": 120}},
                    "complaint": {"rural": {"resolve_working_days": 2}},
                    "consultation": {"urban": {"resolve_minutes": 240}},
                },
            }
        }
    )
    policy = settings.sla_policy()
    created = local(2026, 11, 27, 16, 0)  # Friday
    assert policy.due_at("repair", "urban", created) == created + timedelta(minutes=120)
    assert policy.due_at("repair", "rural", created) == created + timedelta(minutes=330)  # untouched
    assert policy.due_at("complaint", "rural", created) == local(2026, 12, 1, 16, 0)
    assert policy.due_at("complaint", "urban", created) == local(2026, 12, 3, 16, 0)
    # A minutes override replaces the working-day rule entirely.
    assert policy.due_at("consultation", "urban", created) == local(2026, 11, 27, 20, 0)
    assert (policy.at_risk_fraction, policy.at_risk_minutes, policy.warn_minutes) == (0.5, 10, 90)


def test_bad_sla_config_names_the_key():
    with pytest.raises(ConfigError, match="sla.at_risk_fraction"):
        parse_settings({"sla": {"at_risk_fraction": 2}})
    with pytest.raises(ConfigError, match="sla.limits"):
        parse_settings({"sla": {"limits": {"teleport": {"urban": {"resolve_minutes": 5}}}}})


def test_state_at_an_instant(policy):
    created = local(2026, 11, 26, 10, 0)
    due = policy.due_at("repair", "urban", created)  # 225 minutes; a quarter is 56.25 min
    assert policy.state(created, due, created) is SlaState.ok
    assert policy.state(created, due, due - timedelta(minutes=57)) is SlaState.ok
    assert policy.state(created, due, due - timedelta(minutes=56)) is SlaState.at_risk
    assert policy.state(created, due, due) is SlaState.at_risk
    assert policy.state(created, due, due + timedelta(seconds=1)) is SlaState.overdue
    assert policy.state(created, None, due) is SlaState.ok


def test_at_risk_takes_the_larger_of_fraction_and_minutes(policy):
    created = local(2026, 11, 26, 10, 0)
    short = created + timedelta(minutes=60)  # a quarter is 15 min < 30 min
    assert policy.at_risk_window(created, short) == timedelta(minutes=30)
    assert policy.state(created, short, short - timedelta(minutes=29)) is SlaState.at_risk
    assert policy.state(created, short, short - timedelta(minutes=31)) is SlaState.ok
    long = policy.due_at("complaint", "urban", created)  # 4 working days later
    assert policy.at_risk_window(created, long) == (long - created) / 4


def test_time_left_is_signed(policy):
    created = local(2026, 11, 26, 10, 0)
    due = created + timedelta(hours=2)
    assert policy.time_left(due, created) == timedelta(hours=2)
    assert policy.time_left(due, due + timedelta(minutes=5)) == -timedelta(minutes=5)
    assert policy.time_left(None, created) is None


def test_a_future_creation_time_reads_as_future_not_as_an_age():
    from datetime import datetime, timedelta, timezone

    from woq_tui.i18n import set_language
    from woq_tui.widgets.sla_cell import age_text

    now = datetime(2026, 11, 26, 2, 0, tzinfo=timezone.utc)
    set_language("zh")
    try:
        assert age_text(datetime(2199, 1, 1, tzinfo=timezone.utc), now) == "未来时间"
        assert age_text(now + timedelta(minutes=2), now) == "<1分"  # clocks a little apart: no alarm
        assert age_text(now - timedelta(hours=3, minutes=5), now) == "3时05分"
    finally:
        set_language("en")
    assert age_text(datetime(2199, 1, 1, tzinfo=timezone.utc), now) == "future"
