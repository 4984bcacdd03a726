"""The chronic backlog list (黑名单, docs/assessment.md): each condition at its boundary, on
SQLite and PostgreSQL; which stations, why, their old tickets or their worst weeks."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from tests.factories import add_all, station, ticket
from woq_tui.config import parse_settings
from woq_tui.domain.backlog import worst_count, worst_of_week
from woq_tui.store.backlog import backlog

UTC = timezone.utc
SHANGHAI = ZoneInfo("Asia/Shanghai")
AS_OF = datetime(2026, 11, 26, 2, 0, tzinfo=UTC)  # Thursday 10:00 in Shanghai
DAY, H, S = timedelta(days=1), timedelta(hours=1), timedelta(seconds=1)


def settings(**values):
    return parse_settings({"assessment": values}).assessment


def test_old_open_tickets_at_the_boundaries(engine):
    add_all(engine, *(station(code, f"{code}供电所", "rural") for code in ("S001", "S002", "S003")))
    old = AS_OF - 7 * DAY - S  # more than 7 days before as_of
    add_all(
        engine,
        # S001: five old open tickets, one of them resolved only after as_of (still open then)
        *(ticket(old - n * DAY, station_code="S001") for n in range(4)),
        ticket(old - 9 * DAY, station_code="S001", resolved_at=AS_OF + H, status="resolved"),
        # S002: four old ones, and one created exactly 7 days before: not "more than"
        *(ticket(old - n * H, station_code="S002") for n in range(4)),
        ticket(AS_OF - 7 * DAY, station_code="S002"),
        # S003: five old, but one was resolved before as_of
        *(ticket(old - n * H, station_code="S003") for n in range(4)),
        ticket(old, station_code="S003", resolved_at=AS_OF - H, status="resolved"),
    )
    listed = backlog(engine, AS_OF, SHANGHAI, settings())
    assert [(entry.code, entry.conditions) for entry in listed.entries] == [("S001", ("old_open",))]
    tickets = listed.entries[0].tickets
    assert len(tickets) == 5 and tickets[0].created_at == old - 9 * DAY  # oldest first
    assert tickets[0].age_days == pytest.approx(16 + 1 / 86400)
    assert all(item.overdue for item in tickets)  # due 3 h 45 after creation, still open
    assert listed.entries[0].weeks == ()
    # a lower count puts S002 and S003 on the list too
    lower = backlog(engine, AS_OF, SHANGHAI, settings(backlog_count=4))
    assert [entry.code for entry in lower.entries] == ["S001", "S002", "S003"]
    # fewer days: S002's ticket created exactly 7 days ago is old enough for 6
    six = backlog(engine, AS_OF, SHANGHAI, settings(backlog_days=6)).entries
    assert {entry.code: len(entry.tickets) for entry in six} == {"S001": 5, "S002": 5}


def week_tickets(monday: datetime, code: str, late: int, total: int) -> list:
    rows = []
    for n in range(total):
        created = monday + n * H
        resolved = created + (5 * H if n < late else H)  # due 3 h 45 after creation
        rows.append(ticket(created, station_code=code, resolved_at=resolved, status="closed"))
    return rows


def test_worst_in_each_of_the_last_weeks(engine):
    add_all(engine, *(station(code, f"{code}供电所", "remote") for code in ("A", "B", "C", "D")))
    mondays = [datetime(2026, 11, day, 9, tzinfo=SHANGHAI).astimezone(UTC) for day in (2, 9, 16, 23)]
    rows = []
    for week, monday in enumerate(mondays[:3]):
        rows += week_tickets(monday, "A", 2, 2)  # all late, every week
        rows += week_tickets(monday, "B", 2 if week < 2 else 0, 2)  # late in the first two weeks only
        rows += week_tickets(monday, "C", 2 if week == 2 else 1, 2)  # ties with A in the last week only
        rows += week_tickets(monday, "D", 1, 1)  # always late, but under min_tickets
    rows += week_tickets(mondays[3], "B", 2, 2)  # the running week does not count
    add_all(engine, *rows)
    listed = backlog(engine, AS_OF, SHANGHAI, settings(min_tickets=2, worst_fraction=0.25))
    assert [week.first_day for week in listed.weeks] == [date(2026, 11, 2), date(2026, 11, 9), date(2026, 11, 16)]
    assert [(entry.code, entry.conditions) for entry in listed.entries] == [("A", ("worst_weeks",))]
    weeks = listed.entries[0].weeks
    assert [(week.overdue_rate, week.tickets, week.rank, week.stations) for week in weeks] == [
        (1.0, 2, 1, 3), (1.0, 2, 1, 3), (1.0, 2, 1, 3),
    ]  # fmt: skip
    assert listed.entries[0].tickets == ()
    # the last week only: C tied with A there
    one_week = backlog(engine, AS_OF, SHANGHAI, settings(min_tickets=2, worst_fraction=0.25, worst_periods=1))
    assert [entry.code for entry in one_week.entries] == ["A", "C"]
    # a week earlier, the last two weeks are B's bad ones (tied with A in both)
    earlier = backlog(engine, AS_OF - 7 * DAY, SHANGHAI, settings(min_tickets=2, worst_fraction=0.25, worst_periods=2))
    assert [entry.code for entry in earlier.entries] == ["A", "B"]
    assert [week.rank for week in earlier.entries[1].weeks] == [2, 2]
    # with min_tickets 1, D counts: always late, so always among the worst
    one = backlog(engine, AS_OF, SHANGHAI, settings(min_tickets=1, worst_fraction=0.25))
    assert [entry.code for entry in one.entries] == ["A", "D"]


def test_both_conditions_come_first():
    from woq_tui.domain.backlog import backlog_list
    from woq_tui.domain.periods import full_weeks_before
    from woq_tui.values.assessment import BacklogTicket
    from woq_tui.values.figures import StationInfo

    weeks = full_weeks_before(AS_OF, SHANGHAI, 1)
    tickets = [BacklogTicket(f"T{n}", "repair", "dispatched", AS_OF - 9 * DAY, None, 9.0, False) for n in range(6)]
    figures = [{"X": {"tickets": 30, "overdue_rate": 0.5}, "Y": {"tickets": 30, "overdue_rate": 0.1}}]
    listed = backlog_list(AS_OF, {"X": StationInfo("X", "x", "urban")}, {"Y": tickets, "X": tickets[:5]}, weeks, figures,
                          backlog_count=5, backlog_days=7, min_tickets=20, worst_fraction=0.5)  # fmt: skip
    assert [(entry.code, entry.conditions, len(entry.tickets)) for entry in listed.entries] == [
        ("X", ("old_open", "worst_weeks"), 5), ("Y", ("old_open",), 6),
    ]  # fmt: skip


def test_the_worst_fraction_rounds_up_keeps_ties_and_never_takes_a_clean_station():
    assert [worst_count(0.1, n) for n in (1, 5, 10, 30, 31, 100)] == [1, 1, 1, 3, 4, 10]

    def week(*rates):
        return {f"S{index}": {"tickets": 20, "overdue_rate": rate} for index, rate in enumerate(rates)}

    assert worst_of_week(week(0.5, 0.4, 0.3, 0.2), 20, 0.25) == {"S0": (1, 4)}
    assert worst_of_week(week(0.5, 0.5, 0.3, 0.2), 20, 0.25) == {"S0": (1, 4), "S1": (2, 4)}  # a tie at the edge
    assert worst_of_week(week(0.0, 0.0, 0.0), 20, 0.5) == {}
    assert worst_of_week(week(0.1, 0.0, 0.0, 0.0), 20, 0.75) == {"S0": (1, 4)}
    few = {"S0": {"tickets": 19, "overdue_rate": 0.9}, "S1": {"tickets": 20, "overdue_rate": 0.2}}
    assert worst_of_week(few, 20, 0.1) == {"S1": (1, 1)}
