"""The reclassify dialog behind `R` (docs/keys.md), driven by Pilot key presses, against the
reference dispatch server on 127.0.0.1 (SQLite and PostgreSQL): no type until the
dispatcher picks one, a required reason, bulk on marked tickets, the state on the row,
the same outbox as reassignments."""

from __future__ import annotations

import asyncio

import pytest

from tests.conftest import NOW
from tests.dispatch_support import FAST, TOKEN, settings_for
from tests.support import settle, watch
from tests.test_queue_outbox import Hold, build, row_text
from tests.test_reclassify import kind_of
from tests.test_ticket_detail import rendered
from woq_tui import outbox_feed
from woq_tui.app import WoqApp
from woq_tui.context import ConsoleContext
from woq_tui.dispatch.outbox import list_entries, record_reclassification
from woq_tui.dispatch.server import create_app, serve_app_in_background
from woq_tui.screens.queue import QueueScreen
from woq_tui.screens.reclassify import ReclassifyDialog
from woq_tui.screens.ticket import TicketScreen
from woq_tui.values.outbox import TicketRef


@pytest.fixture(autouse=True)
def _fast_retries(monkeypatch):
    monkeypatch.setattr(outbox_feed, "RETRY_POLICY", FAST)


@pytest.fixture
def served(engine, clock, token):
    hold = Hold(create_app(engine, TOKEN, clock))
    handle = serve_app_in_background(hold)
    yield hold, handle.url
    hold.release.set()
    handle.stop()


def make_app(engine, clock, url, read_only=False) -> WoqApp:
    return WoqApp(ConsoleContext(settings=settings_for(url), engine=engine, clock=clock, label="test",
                                 read_only=read_only))


def text_of(dialog, selector: str) -> str:
    return str(dialog.query_one(selector).render())


async def test_no_type_until_one_is_picked_then_the_row_shows_pending_then_done(engine, clock, served):
    build(engine)
    hold, url = served
    app = make_app(engine, clock, url)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, QueueScreen)
        table = app.screen.table
        done, seen = await watch(pilot, 1)
        assert table.cursor_row.ticket_no == "T0001"
        await pilot.press("R")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, ReclassifyDialog)
        assert dialog.chosen() is None
        assert "No type chosen yet" in text_of(dialog, "#chosen") and "no default" in text_of(dialog, "#chosen")
        # the eight types, both names, the current one said
        options = dialog.query_one("#types")
        assert options.option_count == 8
        first = str(options.get_option_at_index(0).prompt)
        assert "故障报修" in first and "Repair" in first and "current" in first
        # a reason and ctrl+s without a type: refused, and said why
        dialog.query_one("#reason").value = "customer complains about the crew"
        await pilot.press("ctrl+s")
        assert isinstance(app.screen, ReclassifyDialog)
        assert "Pick the new type first" in text_of(dialog, "#error")
        # the ticket's own type is no change
        await pilot.press("1", "ctrl+s")
        assert "already Repair" in text_of(dialog, "#error")
        await pilot.press("2")  # complaint
        assert dialog.chosen() == "complaint"
        assert "Complaint (complaint)" in text_of(dialog, "#chosen") and "4 working day" in text_of(dialog, "#chosen")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, ReclassifyDialog)
        assert await asyncio.to_thread(hold.arrived.wait, 10)
        assert "⇄ pending" in row_text(table, "T0001")
        hold.release.set()
        assert await asyncio.to_thread(done.wait, 30)
        await settle(pilot)
        assert seen == {"T0001": "confirmed"}
        assert "⇄ done" in row_text(table, "T0001")
        assert any("reclassified as Complaint" in n.message for n in app._notifications)
        # the ticket's timeline says what changed
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, TicketScreen)
        page = rendered(app.screen)
        assert "reclassified" in page and "Repair → Complaint" in page
    kind, version, _due, events = kind_of(engine, "T0001")
    assert (kind, version, events) == ("complaint", 2, [("repair", "complaint", "D1023", "customer complains about the crew")])
    [entry] = list_entries(engine, confirmed_since=NOW)
    assert (entry.kind, entry.to_type, entry.to_station, entry.from_type) == ("reclassify", "complaint", None, "repair")


async def test_bulk_on_marked_tickets_is_one_request_and_one_notice(engine, clock, served):
    build(engine)
    hold, url = served
    hold.release.set()
    app = make_app(engine, clock, url)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        table = app.screen.table
        await pilot.press("space", "down", "space")
        assert table.marked == {"T0001", "T0002"}
        done, seen = await watch(pilot, 2)
        await pilot.press("R")
        await settle(pilot)
        dialog = app.screen
        assert "Reclassify 2 tickets" in text_of(dialog, "#title")
        await pilot.press("down", "down", "down", "enter")  # arrow keys pick: the third, report
        assert dialog.chosen() == "report"
        assert app.screen.focused is dialog.query_one("#reason")
        await pilot.press(*"fraud 12", "enter")  # digits in the reason are text, enter sends
        assert await asyncio.to_thread(done.wait, 30)
        await settle(pilot)
        assert seen == {"T0001": "confirmed", "T0002": "confirmed"}
        assert table.marked == set()  # confirmed: the marks go, as after a bulk reassignment
        told = [n.message for n in app._notifications if "reclassified" in n.message]
        assert told == ["2 tickets reclassified as Report"]
    assert [kind_of(engine, number)[:2] for number in ("T0001", "T0002")] == [("report", 2)] * 2
    assert {entry.reason for entry in list_entries(engine, confirmed_since=NOW)} == {"fraud 12"}


async def test_r_in_the_ticket_detail_and_escape_cancels(engine, clock, served):
    build(engine)
    _hold, url = served
    app = make_app(engine, clock, url)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, TicketScreen)
        await pilot.press("R")
        await settle(pilot)
        assert isinstance(app.screen, ReclassifyDialog)
        assert "Reclassify ticket T0001 (now Repair)" in text_of(app.screen, "#title")
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, TicketScreen)
    assert list_entries(engine) == []


async def test_read_only_refuses_and_help_lists_the_key(engine, clock, served):
    build(engine)
    _hold, url = served
    app = make_app(engine, clock, url, read_only=True)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        await pilot.press("R")
        await settle(pilot)
        assert not isinstance(app.screen, ReclassifyDialog)
        assert any("read-only" in n.message.lower() for n in app._notifications)
        keys = {row[0]: row[1] for row in app.key_rows(app.screen)}
        assert keys.get("R") == "Reclassify"
    assert list_entries(engine) == []


async def test_from_the_outbox_r_on_a_reclassification_reclassifies_again(engine, clock, token):
    build(engine)
    record_reclassification(engine, clock, [TicketRef("T0001", "S001", 0, "repair")], "complaint", "why", "D1023")
    handle = serve_app_in_background(create_app(engine, TOKEN, clock))
    try:
        app = make_app(engine, clock, handle.url)
        async with app.run_test(size=(120, 30)) as pilot:
            done, _seen = await watch(pilot, 1, engine)
            assert await asyncio.to_thread(done.wait, 30)  # a conflict: the stale version
            await pilot.press("5")
            await settle(pilot)
            row = str(app.screen.query_one("DataTable").get_row_at(0))
            assert "Repair → Complaint" in row and "r reclassifies again" in row
            await pilot.press("r")
            await settle(pilot)
            assert isinstance(app.screen, ReclassifyDialog)
            assert app.screen.tickets == (TicketRef("T0001", "S001", 1, "repair"),)
    finally:
        handle.stop()


async def test_a_suggested_type_comes_first_and_is_still_not_chosen(engine, clock, served):
    """Screen 6 passes the classifier's type for a type_suspect flag: listed first and
    marked, but the dispatcher still picks it."""
    from woq_tui.screens.reclassify import start_reclassify

    build(engine)
    _hold, url = served
    app = make_app(engine, clock, url)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        start_reclassify(app.screen, [TicketRef("T0001", "S001", 1, "repair")], "urban", suggested="consultation")
        await settle(pilot)
        dialog = app.screen
        first = str(dialog.query_one("#types").get_option_at_index(0).prompt)
        assert "Consultation" in first and "suggested" in first
        assert dialog.chosen() is None
        await pilot.press("1")
        assert dialog.chosen() == "consultation"
        await pilot.press("2")
        assert dialog.chosen() == "repair"  # then docs/sla.md's order
        await pilot.press("escape")
