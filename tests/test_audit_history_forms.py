"""station_suspect's two ways to the same rows (store/audit/history.py): every ticket at
a busy address as a row (a wide cohort), or the history before the cohort's start as one
row per address and station weighing its count (any other). On a generated demo with
planted misrouting, both give the same tickets, stations and counts for periods of a
day to a month, one station or all, on SQLite and PostgreSQL."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import datetime, timezone

from woq_tui.config import parse_settings
from woq_tui.demo.generator import generate
from woq_tui.store.audit.history import Cohort, station_suspects
from woq_tui.store.db import snapshot

END = datetime(2026, 11, 26, 2, 0, tzinfo=timezone.utc)
SETTINGS = parse_settings({})


def test_both_forms_find_the_same_suspects(engine):
    generate(engine, SETTINGS.sla_policy(), seed=7, stations=12, days=75, end=END)
    rng = random.Random(3)
    end = int(END.timestamp())
    found_any = False
    with snapshot(engine) as connection:
        for _ in range(8):
            days = rng.choice((1, 7, 30))
            start = end - rng.randrange(days, 60) * 86400
            station = rng.choice((None, "S001", "S005"))
            cohort = Cohort(start, start + days * 86400, station=station)
            by_ticket = set(connection.execute(station_suspects(replace(cohort, wide=True), SETTINGS.audit)).all())
            since_start = set(connection.execute(station_suspects(cohort, SETTINGS.audit)).all())
            assert since_start == by_ticket, (days, start, station)
            found_any = found_any or bool(by_ticket)
    assert found_any, "the demo plants misrouted tickets in these periods"


def test_the_repeat_rules_implied_range_is_written_for_postgresql_only():
    """[start - window, end) lets PostgreSQL hash-join the earlier tickets; SQLite, which
    joins by nested loops only, walked the created_at index for each ticket with it
    instead of the phone's (store/audit/history.py `_earlier_in_window`)."""
    from sqlalchemy.dialects import postgresql, sqlite

    from woq_tui.store.audit.history import repeat_flags, repeat_pairs

    cohort = Cohort(1_000_000, 2_000_000)
    for query in (repeat_flags(cohort, SETTINGS.audit, "repeat_call"),
                  repeat_pairs(cohort, SETTINGS.audit, "repeat_fault", lambda c: [c.ticket_no])):  # fmt: skip
        options = {"literal_binds": True}
        assert "e.created_at >= 395200" in str(query.compile(dialect=postgresql.dialect(), compile_kwargs=options))
        assert "e.created_at >= 395200" not in str(query.compile(dialect=sqlite.dialect(), compile_kwargs=options))
