"""The reassign dialog and the outbox screen, driven by Pilot key presses, against the
reference dispatch server on 127.0.0.1 (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlmodel import Session

from tests.conftest import NOW
from tests.dispatch_support import (
    FAST,
    TOKEN,
    FailFirst,
    seed,
    settings_for,
    ticket_state,
)
from tests.factories import add_all, ticket
from tests.support import settle, watch
from woq_tui import outbox_feed
from woq_tui.app import WoqApp
from woq_tui.context import ConsoleContext
from woq_tui.dispatch.outbox import list_entries, record
from woq_tui.dispatch.server import create_app, serve_app_in_background
from woq_tui.domain.clock import FixedClock
from woq_tui.domain.models import OutboxEntry
from woq_tui.screens.outbox import OutboxScreen
from woq_tui.screens.reassign import ReassignDialog, start_reassign
from woq_tui.values.outbox import TicketRef


@pytest.fixture(autouse=True)
def _fast_retries(monkeypatch):
    monkeypatch.setattr(outbox_feed, "RETRY_POLICY", FAST)


def make_app(engine, clock, url, read_only=False, **dispatch) -> WoqApp:
    context = ConsoleContext(
        settings=settings_for(url, **dispatch), engine=engine, clock=clock, label="test", read_only=read_only
    )
    return WoqApp(context)


async def open_dialog(pilot, refs) -> ReassignDialog:
    start_reassign(pilot.app.screen, refs)
    await settle(pilot)
    assert isinstance(pilot.app.screen, ReassignDialog)
    return pilot.app.screen


def shown_codes(dialog: ReassignDialog) -> list[str]:
    return [candidate.code for candidate in dialog.shown]


async def test_type_ahead_by_code_name_and_pinyin_initials(engine, clock, server):
    seed(engine)
    # S002 carries two open tickets, one overdue; S003 none.
    add_all(
        engine,
        ticket(NOW - timedelta(hours=6), ticket_no="T0101", station_code="S002"),
        ticket(NOW - timedelta(hours=1), ticket_no="T0102", station_code="S002"),
    )
    app = make_app(engine, clock, server.url)
    async with app.run_test(size=(120, 40)) as pilot:
        dialog = await open_dialog(pilot, [TicketRef("T0001", "S001", 1)])
        assert shown_codes(dialog) == ["S002", "S003"]  # not the ticket's own station
        load = {c.code: (c.open, c.overdue) for c in dialog.candidates}
        assert load == {"S002": (2, 1), "S003": (0, 0)}
        await pilot.press(*"dlcx")
        assert shown_codes(dialog) == ["S002"]
        dialog.query_one("#station").value = "咸水沽"
        await pilot.pause()
        assert shown_codes(dialog) == ["S003"]
        dialog.query_one("#station").value = "s00"
        await pilot.pause()
        assert shown_codes(dialog) == ["S002", "S003"]
        await pilot.press("down")
        assert dialog.target().code == "S003"
        dialog.query_one("#station").value = "zzz"
        await pilot.pause()
        assert shown_codes(dialog) == [] and dialog.target() is None


async def test_reassign_one_ticket_from_the_dialog(engine, clock, server):
    seed(engine)
    app = make_app(engine, clock, server.url)
    async with app.run_test(size=(120, 40)) as pilot:
        done, seen = await watch(pilot, 1)
        await open_dialog(pilot, [TicketRef("T0001", "S001", 1)])
        await pilot.press(*"dlcx", "enter")  # choose S002; focus moves to the preset reasons
        await pilot.press("enter")  # the first preset fills the reason
        assert app.screen.query_one("#reason").value == "Address outside this station's area"
        await pilot.press(*" (No. 7)", "enter")  # free text added; enter confirms
        await settle(pilot)
        assert not isinstance(app.screen, ReassignDialog)
        assert await asyncio.to_thread(done.wait, 30)
        await settle(pilot)
        assert seen == {"T0001": "confirmed"}
        assert any("reassigned to S002" in n.message for n in app._notifications)
    assert ticket_state(engine, "T0001") == ("S002", 2, 2, 1)
    [entry] = list_entries(engine, confirmed_since=NOW)
    assert (entry.reason, entry.operator, entry.expected_version) == (
        "Address outside this station's area (No. 7)",
        "D1023",
        1,
    )


async def test_bulk_reassignment_of_marked_tickets(engine, clock, server):
    seed(engine, tickets=4)
    app = make_app(engine, clock, server.url)
    refs = [TicketRef(f"T000{n}", "S001", 1) for n in range(1, 5)]
    async with app.run_test(size=(120, 40)) as pilot:
        done, seen = await watch(pilot, 4)
        dialog = await open_dialog(pilot, refs)
        assert "4 tickets" in str(dialog.query_one("#title").render())
        await pilot.press(*"jnxsg", "enter", "down", "enter")
        assert app.screen.query_one("#reason").value == "Service area boundary changed"
        await pilot.press("ctrl+s")
        assert await asyncio.to_thread(done.wait, 30)
        await settle(pilot)
        # one notification for the request's answers, not one per ticket
        answers = [n.message for n in app._notifications if "reassigned" in n.message]
        assert answers == ["4 tickets reassigned to S003"]
    assert seen == {f"T000{n}": "confirmed" for n in range(1, 5)}
    assert all(ticket_state(engine, f"T000{n}") == ("S003", 2, 2, 1) for n in range(1, 5))


async def test_a_request_with_mixed_answers_is_one_notification_a_line_each(engine, clock, server):
    seed(engine, tickets=3)
    app = make_app(engine, clock, server.url)
    refs = [TicketRef("T0001", "S001", 1), TicketRef("T0002", "S001", 0), TicketRef("T0003", "S001", 1)]
    async with app.run_test(size=(120, 40)) as pilot:
        done, seen = await watch(pilot, 3)
        await open_dialog(pilot, refs)  # T0002 with a stale version: a conflict
        await pilot.press(*"S003", "enter", "enter", "enter")
        assert await asyncio.to_thread(done.wait, 30)
        await settle(pilot)
        told = [n for n in app._notifications if "S003" in n.message and "sent" not in n.message]
        assert len(told) == 1 and told[0].severity == "warning"
        assert told[0].message.splitlines() == [
            "2 tickets reassigned to S003",
            "Ticket T0002 not reassigned: changed meanwhile (now at S001, version 1)",
        ]
    assert seen == {"T0001": "confirmed", "T0002": "conflict", "T0003": "confirmed"}


async def test_the_dialog_requires_a_station_and_a_reason_and_escape_cancels(engine, clock, server):
    seed(engine)
    app = make_app(engine, clock, server.url)
    async with app.run_test(size=(120, 40)) as pilot:
        dialog = await open_dialog(pilot, [TicketRef("T0001", "S001", 1)])
        await pilot.press(*"zzz", "ctrl+s")
        assert "Choose the station" in str(dialog.query_one("#error").render())
        dialog.query_one("#station").value = "S002"
        await pilot.pause()
        await pilot.press("ctrl+s")
        assert "reason is required" in str(dialog.query_one("#error").render())
        dialog.query_one("#reason").value = "   "
        await pilot.press("ctrl+s")
        assert isinstance(app.screen, ReassignDialog)
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, ReassignDialog)
    assert list_entries(engine) == []


async def test_the_dialog_has_no_target_until_one_is_picked(engine, clock, server):
    """`r`, a reason and ctrl+s once sent the ticket to the first station of the list."""
    seed(engine)
    app = make_app(engine, clock, server.url)
    async with app.run_test(size=(120, 40)) as pilot:
        dialog = await open_dialog(pilot, [TicketRef("T0001", "S001", 1)])
        assert shown_codes(dialog) == ["S002", "S003"]
        assert dialog.target() is None
        assert "No station chosen yet" in str(dialog.query_one("#target").render())
        dialog.query_one("#reason").value = "wrong area"
        await pilot.press("ctrl+s")
        assert isinstance(app.screen, ReassignDialog)
        assert "Choose the station" in str(dialog.query_one("#error").render())
        # typing picks the best match; clearing the box picks nothing again
        await pilot.press(*"dlcx")
        assert dialog.target().code == "S002"
        dialog.query_one("#station").value = ""
        await pilot.pause()
        assert dialog.target() is None
        # an arrow key picks from the list
        dialog.query_one("#station").focus()
        await pilot.press("down")
        assert dialog.target().code == "S002"
        assert "S002" in str(dialog.query_one("#target").render())
        await pilot.press("escape")
        await settle(pilot)
    assert list_entries(engine) == []


async def test_a_conflict_is_shown_and_nothing_changes(engine, clock, server):
    seed(engine)
    app = make_app(engine, clock, server.url)
    async with app.run_test(size=(120, 40)) as pilot:
        done, seen = await watch(pilot, 1)
        await open_dialog(pilot, [TicketRef("T0001", "S001", 0)])  # a stale version
        await pilot.press(*"S003", "enter", "enter", "enter")
        assert await asyncio.to_thread(done.wait, 30)
        await settle(pilot)
        assert seen == {"T0001": "conflict"}
        messages = [n.message for n in app._notifications]
        assert any("changed meanwhile (now at S001, version 1)" in m for m in messages)
    assert ticket_state(engine, "T0001") == ("S001", 1, 1, 0)


async def test_read_only_and_viewer_consoles_refuse_reassignment(engine, clock, server):
    seed(engine)
    app = make_app(engine, clock, server.url, read_only=True)
    async with app.run_test(size=(120, 40)) as pilot:
        assert app.outbox_pusher is None
        start_reassign(app.screen, [TicketRef("T0001", "S001", 1)])
        await settle(pilot)
        assert not isinstance(app.screen, ReassignDialog)
        assert any("Read-only" in n.message for n in app._notifications)
        await pilot.press("5")
        await settle(pilot)
        assert app.screen.check_action("retry", ()) is False  # not offered at all
    viewer = make_app(engine, clock, server.url)
    viewer.context.settings.console.role = "viewer"
    async with viewer.run_test(size=(120, 40)) as pilot:
        start_reassign(viewer.screen, [TicketRef("T0001", "S001", 1)])
        await settle(pilot)
        assert not isinstance(viewer.screen, ReassignDialog)
    assert list_entries(engine) == []


async def test_reassignment_is_off_without_a_base_url(engine, clock):
    seed(engine)
    app = make_app(engine, clock, None)
    async with app.run_test(size=(120, 40)) as pilot:
        assert app.outbox_pusher is None
        start_reassign(app.screen, [TicketRef("T0001", "S001", 1)])
        await settle(pilot)
        assert not isinstance(app.screen, ReassignDialog)
        assert any("base_url" in n.message for n in app._notifications)


def table_rows(screen: OutboxScreen) -> dict[str, list[str]]:
    table = screen.query_one("#entries")
    return {key.value: [str(cell) for cell in table.get_row(key)] for key in table.rows}


async def test_the_outbox_screen_lists_retries_and_drops(engine, clock, token):
    seed(engine)
    # The server fails every request until told otherwise; requested two days ago, past
    # their retry window (a day), the entries fail at their first failure.
    flaky = FailFirst(create_app(engine, token, clock), count=10**6, status=503)
    handle = serve_app_in_background(flaky)
    before = FixedClock(NOW - timedelta(days=2))
    try:
        failing, kept = record(engine, before, [TicketRef("T0001", "S001", 1)], "S002", "wrong area", "D1023") + record(
            engine, before, [TicketRef("T0002", "S001", 1)], "S003", "wrong area", "D1023"
        )
        app = make_app(engine, clock, handle.url, max_attempts=2)
        async with app.run_test(size=(140, 40)) as pilot:
            done, seen = await watch(pilot, 2, engine)
            await pilot.press("5")
            assert await asyncio.to_thread(done.wait, 30)
            await settle(pilot)
            screen = app.screen
            assert isinstance(screen, OutboxScreen)
            rows = table_rows(screen)
            assert set(rows) == {failing.id, kept.id}
            assert rows[failing.id][0] == "⊗ Failed" and rows[failing.id][3] == "given up: t retries" and rows[failing.id][4] == "1"
            assert "HTTP 503" in rows[failing.id][7]
            assert "not delivered within the retry window" in " ".join(n.message for n in app._notifications)
            # The server recovers; `t` on the first row queues it again and it goes through.
            flaky.left = 0
            done, seen = await watch(pilot, 1)
            screen.query_one("#entries").move_cursor(row=list(rows).index(failing.id))
            await pilot.press("t")
            assert await asyncio.to_thread(done.wait, 30)
            await settle(pilot)
            assert table_rows(screen)[failing.id][0] == "✔ Confirmed"
            # `d` asks, `y` drops the other one.
            screen.query_one("#entries").move_cursor(row=list(table_rows(screen)).index(kept.id))
            await pilot.press("d")
            await pilot.pause()
            await pilot.press("y")
            await settle(pilot)
            assert kept.id not in table_rows(screen)
    finally:
        handle.stop()
    with Session(engine) as session:
        assert session.get(OutboxEntry, kept.id) is None
    assert ticket_state(engine, "T0001") == ("S002", 2, 2, 1)
    assert ticket_state(engine, "T0002") == ("S001", 1, 1, 0)


async def test_a_bad_token_shows_on_screen_without_the_token(engine, clock, monkeypatch):
    seed(engine)
    handle = serve_app_in_background(create_app(engine, TOKEN, clock))
    monkeypatch.setenv("WOQ_DISPATCH_TOKEN", "wrong-" + TOKEN)
    try:
        app = make_app(engine, clock, handle.url)
        async with app.run_test(size=(140, 40)) as pilot:
            done, seen = await watch(pilot, 1)
            await open_dialog(pilot, [TicketRef("T0001", "S001", 1)])
            await pilot.press(*"S002", "enter", "enter", "enter")
            assert await asyncio.to_thread(done.wait, 30)
            await pilot.press("5")
            await settle(pilot)
            assert seen == {"T0001": "refused"}
            screen_text = app.export_screenshot()
            # in words, not "HTTP 401 unauthorized"
            assert "refused the token" in screen_text.replace("&#160;", " ") and "unauthorized" not in screen_text
            assert TOKEN not in screen_text
            assert any("Check the token in WOQ_DISPATCH_TOKEN" in n.message for n in app._notifications)
    finally:
        handle.stop()


async def test_from_the_outbox_r_reassigns_again_and_enter_opens_the_ticket(engine, clock, server):
    """The outbox says "reassign the ticket again": r does, from where the ticket is
    now; enter opens the ticket (issue 15, item 10)."""
    from woq_tui.screens.ticket import TicketScreen

    seed(engine)
    record(engine, clock, [TicketRef("T0001", "S001", 0)], "S002", "wrong area", "D1023")  # a stale version
    app = make_app(engine, clock, server.url, read_only=False)
    async with app.run_test(size=(120, 40)) as pilot:
        done, seen = await watch(pilot, 1, engine)
        assert await asyncio.to_thread(done.wait, 30)
        await pilot.press("5")
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, ReassignDialog)
        assert dialog.tickets == (TicketRef("T0001", "S001", 1, "repair"),)  # the ticket as it is now
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, TicketScreen) and app.screen.ticket_no == "T0001"
