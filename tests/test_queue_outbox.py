"""A reassignment's state on its row, as it happens: pending while the dispatch API has
not answered, then confirmed, in the live queue and the overdue lists. Against the
reference dispatch server on 127.0.0.1 (SQLite and PostgreSQL), through the dialog."""

from __future__ import annotations

import asyncio
import threading
from datetime import timedelta

import pytest
from textual.geometry import Region

from tests.conftest import NOW
from tests.dispatch_support import FAST, TOKEN, settings_for
from tests.factories import add_all, station, ticket
from tests.support import settle, watch
from woq_tui import outbox_feed
from woq_tui.app import WoqApp
from woq_tui.context import ConsoleContext
from woq_tui.dispatch.outbox import record
from woq_tui.dispatch.server import create_app, serve_app_in_background
from woq_tui.screens.overdue import OverdueScreen
from woq_tui.screens.queue import QueueScreen
from woq_tui.screens.reassign import ReassignDialog
from woq_tui.values.outbox import TicketRef
from woq_tui.widgets.kpi_strip import KpiStrip
from woq_tui.widgets.ticket_table import TicketTable

H = timedelta(hours=1)


@pytest.fixture(autouse=True)
def _fast_retries(monkeypatch):
    monkeypatch.setattr(outbox_feed, "RETRY_POLICY", FAST)


class Hold:
    """Holds every request until `release` is set (the dispatch API thinking it over)."""

    def __init__(self, app) -> None:
        self.app = app
        self.arrived = threading.Event()
        self.release = threading.Event()

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http":
            self.arrived.set()
            await asyncio.to_thread(self.release.wait, 30)
        await self.app(scope, receive, send)


def build(engine) -> None:
    add_all(
        engine,
        station("S001", "东丽城东供电所", initials="dlcd"),
        station("S002", "东丽城西供电所", initials="dlcx"),
        # overdue by an hour: the first row of the queue and of the overdue list
        ticket(NOW - 5 * H, ticket_no="T0001", due_at=NOW - H),
        ticket(NOW - 1 * H, ticket_no="T0002", due_at=NOW + 3 * H),
    )


def row_text(table: TicketTable, ticket_no: str) -> str:
    """The line the table draws for this ticket (and the header), as a user sees it."""
    strips = table.render_lines(Region(0, 0, table.size.width, table.size.height))
    header = strips[0].text
    [line] = [strip.text for strip in strips[1:] if ticket_no in strip.text]
    return header + "\n" + line


async def test_the_row_shows_pending_then_confirmed(engine, clock, token):
    build(engine)
    hold = Hold(create_app(engine, TOKEN, clock))
    handle = serve_app_in_background(hold)
    try:
        app = WoqApp(ConsoleContext(settings=settings_for(handle.url), engine=engine, clock=clock, label="test"))
        async with app.run_test(size=(120, 30)) as pilot:
            await settle(pilot)
            queue = app.screen
            assert isinstance(queue, QueueScreen)
            table = queue.table
            # No reassignment anywhere: no column for it.
            assert "Reassign" not in row_text(table, "T0001")
            done, seen = await watch(pilot, 1)
            assert table.cursor_row.ticket_no == "T0001"
            await pilot.press("r")
            await settle(pilot)
            assert isinstance(app.screen, ReassignDialog)
            await pilot.press(*"dlcx", "enter", "enter", "enter")  # station, preset reason, confirm
            await settle(pilot)
            assert await asyncio.to_thread(hold.arrived.wait, 10)
            # Recorded, sent, not answered yet.
            shown = row_text(table, "T0001")
            assert "Reassign" in shown.splitlines()[0]
            assert "⇄ pending" in shown
            assert "⇄" not in row_text(table, "T0002").splitlines()[1]
            # The next tick counts the KPIs again (not only every 15 s): one pending.
            queue.refresh_now()
            await settle(pilot)
            assert queue.query_one(KpiStrip).kpis.outbox_pending == 1
            hold.release.set()
            assert await asyncio.to_thread(done.wait, 30)
            await settle(pilot)
            assert seen == {"T0001": "confirmed"}
            assert "⇄ done" in row_text(table, "T0001")
            # The overdue list reads the state from the database when it loads.
            await pilot.press("2")
            await settle(pilot)
            overdue = app.screen
            assert isinstance(overdue, OverdueScreen)
            assert "⇄ done" in row_text(overdue.active_table(), "T0001")
    finally:
        hold.release.set()
        handle.stop()


async def test_states_written_elsewhere_show_on_the_next_tick(engine, clock, context):
    """A reassignment recorded by another process (`woq-console reassign`) reaches the
    row through the refresh, not a message."""
    build(engine)
    app = WoqApp(context)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        table = app.screen.table
        assert "⇄" not in row_text(table, "T0002")
        record(engine, clock, [TicketRef("T0002", "S001", 1)], "S002", "wrong area", "D1023")
        app.screen.refresh_now()
        await settle(pilot)
        assert "⇄ pending" in row_text(table, "T0002")
        assert "⇄" not in row_text(table, "T0001").splitlines()[1]


async def test_marks_go_when_the_bulk_reassignment_is_confirmed(engine, clock, token):
    """After a confirmed bulk reassignment no mark is left on its tickets (issue 15,
    item 3); escape clears marks by hand."""
    from woq_tui.dispatch.server import create_app, serve_app_in_background

    build(engine)
    handle = serve_app_in_background(create_app(engine, TOKEN, clock))
    try:
        app = WoqApp(ConsoleContext(settings=settings_for(handle.url), engine=engine, clock=clock, label="test"))
        async with app.run_test(size=(120, 30)) as pilot:
            await settle(pilot)
            table = app.screen.table
            await pilot.press("space", "down", "space")
            assert table.marked == {"T0001", "T0002"}
            await pilot.press("escape")
            assert table.marked == set()
            await pilot.press("up", "space", "down", "space")
            done, seen = await watch(pilot, 2)
            await pilot.press("r")
            await settle(pilot)
            await pilot.press(*"dlcx", "enter", "enter", "enter")
            assert await asyncio.to_thread(done.wait, 30)
            await settle(pilot)
            assert seen == {"T0001": "confirmed", "T0002": "confirmed"}
            assert table.marked == set()
    finally:
        handle.stop()
