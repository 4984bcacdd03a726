"""The reassign dialog's suggestions (docs/dispatch-assist.md), driven by Pilot key
presses against the reference dispatch server on 127.0.0.1 (SQLite and PostgreSQL):
shown at the top, chosen by keys, never chosen for the dispatcher."""

from __future__ import annotations

import asyncio

from tests.dispatch_support import ticket_state
from tests.factories import add_all
from tests.support import settle, watch
from tests.test_reassign_ui import make_app, open_dialog
from tests.test_suggest import HOME, history, open_tickets, stations, the_ticket
from woq_tui.dispatch.outbox import list_entries
from woq_tui.screens.reassign import ReassignDialog
from woq_tui.values.outbox import TicketRef
from woq_tui.widgets.suggestion_list import SuggestionList

ONE = [TicketRef("T-NEW", "S001", 1)]


def seeded(engine) -> None:
    """T-NEW at S001; its address's history: S002 5, S004 2, S001 1 (its own station)."""
    add_all(engine, *stations())
    add_all(engine, *history(HOME, "S002", 5), *history(HOME, "S004", 2), *history(HOME, "S001", 1),
            *open_tickets("S002", 1, overdue=True), the_ticket())


def suggested(dialog) -> list[str]:
    return [s.code for s in dialog.query_one(SuggestionList).shown]


def target_line(dialog) -> str:
    return str(dialog.query_one("#target").render())


async def test_suggestions_show_at_the_top_and_nothing_is_chosen(engine, clock, server):
    seeded(engine)
    app = make_app(engine, clock, server.url)
    async with app.run_test(size=(120, 40)) as pilot:
        dialog = await open_dialog(pilot, ONE)
        # best first, the ticket's own station left out; every station still listed below
        assert suggested(dialog) == ["S002", "S004"]
        assert [c.code for c in dialog.shown] == ["S002", "S003", "S004"]
        assert dialog.target() is None
        assert target_line(dialog).startswith("No station chosen: f2–f4 picks a suggestion")
        # a reason alone does not send it: the dialog refuses and says why
        dialog.query_one("#reason").value = "派错供电所"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is dialog
        assert str(dialog.query_one("#error").render()) == "Choose the station to reassign to"
    assert list_entries(engine) == []
    assert ticket_state(engine, "T-NEW")[0] == "S001"


async def test_a_suggestion_chosen_by_its_key_is_sent(engine, clock, server):
    seeded(engine)
    app = make_app(engine, clock, server.url)
    async with app.run_test(size=(120, 40)) as pilot:
        done, seen = await watch(pilot, 1)
        dialog = await open_dialog(pilot, ONE)
        await pilot.press("f3")
        assert dialog.target().code == "S004"
        await pilot.press("f2")
        assert dialog.target().code == "S002"
        assert target_line(dialog) == "→ S002 东丽城西供电所"
        assert dialog.focused is dialog.query_one("#presets")  # next: the reason
        await pilot.press("enter", "enter")  # the first preset reason, then confirm
        await settle(pilot)
        assert not isinstance(app.screen, ReassignDialog)
        assert await asyncio.to_thread(done.wait, 30)
        await settle(pilot)
        assert seen == {"T-NEW": "confirmed"}
    assert ticket_state(engine, "T-NEW")[:2] == ("S002", 2)


async def test_typing_after_a_suggestion_leaves_it(engine, clock, server):
    seeded(engine)
    app = make_app(engine, clock, server.url)
    async with app.run_test(size=(120, 40)) as pilot:
        dialog = await open_dialog(pilot, ONE)
        await pilot.press("f2")
        marks = dialog.query_one("#suggestions")
        assert marks.highlighted == 0
        dialog.query_one("#station").value = "jnxsg"
        await pilot.pause()
        assert dialog.target().code == "S003" and marks.highlighted is None
        # a key with no suggestion behind it chooses nothing
        dialog.query_one("#station").value = ""
        await pilot.pause()
        await pilot.press("f4")
        assert dialog.target() is None


async def test_enter_on_a_suggestion_chooses_it(engine, clock, server):
    seeded(engine)
    app = make_app(engine, clock, server.url)
    async with app.run_test(size=(120, 40)) as pilot:
        dialog = await open_dialog(pilot, ONE)
        dialog.query_one("#suggestions").focus()
        await pilot.press("down", "down", "enter")
        assert dialog.target().code == "S004"


async def test_several_tickets_and_no_history_say_so(engine, clock, server):
    add_all(engine, *stations(), the_ticket("武清区某某街道1号"))
    add_all(engine, *open_tickets("S001", 2, overdue=False))
    app = make_app(engine, clock, server.url)
    async with app.run_test(size=(120, 40)) as pilot:
        dialog = await open_dialog(pilot, ONE)
        note = str(dialog.query_one("#suggest-note").render())
        assert note.startswith("No suggestion: no earlier tickets at this address")
        assert target_line(dialog).startswith("No station chosen yet: type a code")
        await pilot.press("escape")
        await settle(pilot)
        refs = [TicketRef("T-NEW", "S001", 1), TicketRef("T-OTHER", "S001", 1)]
        dialog = await open_dialog(pilot, refs)
        assert str(dialog.query_one("#suggest-note").render()).startswith("Several tickets: no suggestion")


async def test_the_suggestion_keys_follow_keys_remapping(engine, clock, server):
    from woq_tui.app import WoqApp
    from woq_tui.config import parse_settings
    from woq_tui.context import ConsoleContext

    seeded(engine)
    settings = parse_settings({
        "console": {"language": "en", "operator": "D1023", "timezone": "Asia/Shanghai"},
        "dispatch": {"base_url": server.url},
        "keys": {"reassign.suggestion1": "f6", "reassign.suggestion2": "f7", "reassign.suggestion3": "ctrl+t"},
    })
    app = WoqApp(ConsoleContext(settings=settings, engine=engine, clock=clock, label="test"))
    async with app.run_test(size=(120, 40)) as pilot:
        dialog = await open_dialog(pilot, ONE)
        assert str(dialog.query_one("#suggest-title").render()) == "Suggested stations (f6 f7 ^t chooses)"
        await pilot.press("f7")
        assert dialog.target().code == "S004"


async def test_a_history_all_at_the_tickets_own_station_says_so(engine, clock, server):
    add_all(engine, *stations())
    add_all(engine, *history(HOME, "S001", 6), the_ticket())
    app = make_app(engine, clock, server.url)
    async with app.run_test(size=(120, 40)) as pilot:
        dialog = await open_dialog(pilot, ONE)
        assert str(dialog.query_one("#suggest-note").render()) == (
            "No other station to suggest: 6 of 6 tickets at this address in 90 days handled by S001,"
            " where the ticket is now"
        )
        assert dialog.target() is None
