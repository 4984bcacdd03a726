"""The console refreshes the station × day rollup itself (rollup_upkeep.py, docs/speed.md
"Who refreshes"): a console that may write consumes the logged changes without `db
rollup`, and its reads stay exact; a read-only, viewer or replica console writes nothing."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from sqlalchemy import update

from tests.factories import add_all, ticket
from tests.support import settle
from tests.test_day_rollup import (
    SHANGHAI,
    TICKET,
    _every_length_through_the_rollup,  # noqa: F401  (autouse here too)
    assert_exact,
    dirty_count,
)
from tests.test_percentiles import DAYS, START, fill
from woq_tui.app import WoqApp
from woq_tui.context import ConsoleContext
from woq_tui.domain.periods import days_period
from woq_tui.rollup_upkeep import wanted
from woq_tui.store.day_rollup_refresh import refresh


def _changed_after_the_build(engine) -> None:
    fill(engine, seed=6, count=400)
    refresh(engine, SHANGHAI)
    add_all(engine, ticket(START + timedelta(days=4, hours=3), station_code="S002"))
    with engine.begin() as connection:
        connection.execute(update(TICKET).where(TICKET.c.id % 9 == 0).values(resolved_at=None))
    assert dirty_count(engine) > 1


def _every_second(settings):
    return replace(settings, database=replace(settings.database, rollup_refresh_seconds=1))


async def _warmed_up(pilot) -> None:
    for _ in range(100):
        await settle(pilot)
        if pilot.app._warmed and not any(worker.is_running for worker in pilot.app.workers):
            return


async def test_a_console_that_may_write_refreshes_the_rollup_itself(engine, settings, clock):
    _changed_after_the_build(engine)
    app = WoqApp(ConsoleContext(settings=_every_second(settings), engine=engine, clock=clock, label="test"))
    async with app.run_test(size=(120, 36)) as pilot:
        await _warmed_up(pilot)
        upkeep = app.rollup_upkeep
        assert upkeep is not None, "started after the warm-up"
        for _ in range(200):  # the timer's first tick, one second on
            if upkeep.refreshes:
                break
            await pilot.pause(0.05)
        await settle(pilot)
        assert upkeep.refreshes == 1 and upkeep.entries > 1
        assert dirty_count(engine) == 0, "consumed without db rollup"
    period = days_period(START.astimezone(SHANGHAI).date(), START.astimezone(SHANGHAI).date() + timedelta(days=DAYS), SHANGHAI)
    assert_exact(engine, period, START + timedelta(days=DAYS + 2))


async def test_a_read_only_console_writes_nothing(engine, settings, clock):
    _changed_after_the_build(engine)
    entries = dirty_count(engine)
    app = WoqApp(ConsoleContext(settings=_every_second(settings), engine=engine, clock=clock, read_only=True, label="test"))
    async with app.run_test(size=(120, 36)) as pilot:
        await _warmed_up(pilot)
        assert app._warmed and app.rollup_upkeep is None
    assert dirty_count(engine) == entries


def test_only_a_console_writing_its_own_database_refreshes(engine, settings, clock):
    _changed_after_the_build(engine)
    entries = dirty_count(engine)
    url = engine.url.render_as_string(hide_password=False)
    viewer = replace(settings, console=replace(settings.console, role="viewer"))
    for context in (
        ConsoleContext(settings=settings, engine=engine, clock=clock, read_only=True),
        ConsoleContext(settings=viewer, engine=engine, clock=clock),
        ConsoleContext(settings=settings, engine=engine, clock=clock, read_url=url),  # a replica console
    ):
        assert not wanted(context)
        assert context.store.refresh_rollup() is None
    assert dirty_count(engine) == entries
    off = replace(settings, database=replace(settings.database, rollup_refresh_seconds=0))
    assert not wanted(ConsoleContext(settings=off, engine=engine, clock=clock))
    writer = ConsoleContext(settings=settings, engine=engine, clock=clock)
    assert wanted(writer) and writer.store.refresh_rollup() == entries and dirty_count(engine) == 0
    assert writer.store.refresh_rollup() is None, "nothing logged: nothing written"
