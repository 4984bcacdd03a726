"""docs/keys.md on the queue, the overdue lists and the ticket detail: `?` lists every key
of the screen, every action is in the command palette, and the list moves (g G home
end pageup pagedown j k) go where they say. Database: SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import threading
from datetime import timedelta

import pytest
from textual.binding import Binding

from tests.conftest import NOW
from tests.factories import add_all, station, ticket
from tests.support import settle
from woq_tui.app import WoqApp
from woq_tui.console_store import ConsoleStore
from woq_tui.screens.help import HelpScreen
from woq_tui.screens.overdue import OverdueScreen
from woq_tui.screens.queue import QueueScreen
from woq_tui.screens.ticket import TicketScreen

M = timedelta(minutes=1)
SIZE = (120, 30)
# One step up or down is a key, not a command worth the palette.
NOT_IN_PALETTE = {"Up", "Down"}


@pytest.fixture
def many(engine):
    """80 overdue tickets: more than a screenful in every list."""
    add_all(engine, station("S001"))
    add_all(
        engine,
        *(
            ticket(NOW - 5 * 60 * M, ticket_no=f"T{n:03d}", due_at=NOW - (200 - n) * M, escalated=True)
            for n in range(80)
        ),
    )


async def open_screen(pilot, which: str):
    if which == "overdue":
        await pilot.press("2")
    await settle(pilot)
    if which == "ticket":
        await pilot.press("enter")
        await settle(pilot)
    return pilot.app.screen


def bound(screen, ours: bool = False) -> dict[str, str]:
    """key → description of every binding active on the screen (focused widget up to the
    app); ours: only those our classes declare (not Textual's scroll, focus, copy keys)."""
    found = {}
    for key, active in screen.active_bindings.items():
        binding = active.binding
        if not binding.description:
            continue
        if ours:
            declared = [
                declared.action
                for cls in type(active.node).__mro__
                if cls.__module__.startswith("woq_tui")
                for declared in cls.__dict__.get("BINDINGS", [])
                if isinstance(declared, Binding)
            ]
            if binding.action not in declared:
                continue
        found[key] = binding.description
    return found


@pytest.mark.parametrize("which", ["queue", "overdue", "ticket"])
async def test_help_lists_every_key_of_the_screen(context, many, which):
    app = WoqApp(context)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_screen(pilot, which)
        keys = bound(screen)
        await pilot.press("question_mark")
        await pilot.pause()
        help_screen = app.screen
        assert isinstance(help_screen, HelpScreen)
        listed: dict[str, list[str]] = {}
        for shown, description in help_screen.rows:
            listed.setdefault(description, []).append(shown)
        for key, description in keys.items():
            display = app.get_key_display(screen.active_bindings[key].binding)
            assert display in listed.get(description, []), (key, description, listed.get(description))
        if which != "ticket":
            # the list moves, each of its keys (docs/keys.md)
            moves = {shown for description in ("Up", "Down", "Page up", "Page down", "First row", "Last row")
                     for shown in listed[description]}
            wanted = {"up", "down", "j", "k", "g", "G", "home", "end", "pageup", "pagedown"}
            assert {app.get_key_display(Binding(key, "")) for key in wanted} <= moves


@pytest.mark.parametrize("which", ["queue", "overdue", "ticket"])
async def test_every_action_is_in_the_command_palette(context, many, which):
    app = WoqApp(context)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_screen(pilot, which)
        titles = {command.title for command in app.get_system_commands(screen)}
        wanted = set(bound(screen, ours=True).values()) - NOT_IN_PALETTE
        # The app's own keys are there under their names (screens by "1 Live queue").
        missing = {d for d in wanted if d not in titles and not any(title.endswith(" " + d) for title in titles)}
        assert missing == set()


async def test_a_palette_command_runs(context, many):
    app = WoqApp(context)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = app.screen.table
        assert table.cursor_index == 0
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"Last row")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, QueueScreen)
        assert table.cursor_row.ticket_no == "T079"


@pytest.mark.parametrize("which", ["queue", "overdue"])
async def test_list_moves(context, many, which):
    app = WoqApp(context)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_screen(pilot, which)
        assert isinstance(screen, (QueueScreen, OverdueScreen))
        table = screen.active_table()
        page = table.body_height
        assert len(table.window) == 80 and page < 80

        async def at(*keys) -> int:
            await pilot.press(*keys)
            return table.cursor_index

        assert await at("G") == 79 and table.cursor_row.ticket_no == "T079"
        assert round(table.scroll_y) == 80 - page  # the last row is on screen
        assert await at("g") == 0 and table.scroll_y == 0
        assert await at("end") == 79
        assert await at("home") == 0
        assert await at("pagedown") == page
        assert await at("pagedown", "pageup") == page
        assert await at("j", "j", "k") == page + 1
        assert await at("pageup", "pageup") == 0
        assert await at("k") == 0  # stays on the first row
        await pilot.press("G", "j")
        assert table.cursor_index == 79  # and on the last


async def test_escape_leaves_the_ticket_detail(context, many):
    app = WoqApp(context)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_screen(pilot, "ticket")
        assert isinstance(screen, TicketScreen)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, QueueScreen)


async def test_a_key_typed_while_the_console_starts_is_not_typed_into_the_hidden_search(context, monkeypatch):
    # Textual focuses a screen's first focusable widget by itself: the queue's would be
    # the search box that `/` opens, and "2" typed ahead went into the search.
    focused = []
    monkeypatch.setattr(
        WoqApp, "on_descendant_focus", lambda app, event: focused.append(type(event.widget).__name__), raising=False
    )
    async with WoqApp(context).run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        await pilot.press("2")
        assert isinstance(pilot.app.screen, OverdueScreen)
    assert focused[0] == "TicketTable"


class HeldFlags(ConsoleStore):
    """The real store, whose flag reads wait until the test releases them and count
    how many run at once."""

    def __init__(self, context) -> None:
        super().__init__(context)
        self.first, self.release = threading.Event(), threading.Event()
        self.asked: list[list[str]] = []
        self.reading = self.most = 0
        self.lock = threading.Lock()

    def flagged_among(self, ticket_nos, as_of):
        with self.lock:
            self.asked.append(list(ticket_nos))
            self.reading += 1
            self.most = max(self.most, self.reading)
        self.first.set()
        try:
            if not self.release.wait(30):
                raise TimeoutError("the test never released the read")
            return super().flagged_among(ticket_nos, as_of)
        finally:
            with self.lock:
                self.reading -= 1


async def test_paging_on_while_flags_are_read_asks_once_more_for_the_rows_shown_last(context, many):
    """docs/speed.md, "Keys and loading lag": one flag read a table at a time."""
    store = HeldFlags(context)
    context.__dict__["store"] = store  # what the cached property would have made
    app = WoqApp(context)
    async with app.run_test(size=SIZE) as pilot:
        assert await asyncio.to_thread(store.first.wait, 30)  # the first screenful's
        table = app.screen.active_table()
        await pilot.press("pagedown", "pagedown")
        await pilot.pause()
        assert len(store.asked) == 1
        store.release.set()
        await settle(pilot)
        top = round(table.scroll_y)
        shown = [table.window.row_at(index).ticket_no for index in range(top, min(top + table.body_height, len(table.window)))]
        assert store.most == 1 and len(store.asked) == 2
        assert store.asked[-1] == shown and table.flags_key is not None


async def test_the_page_below_is_drawn_before_pagedown_asks_for_it(context, many):
    """docs/speed.md, "Keys and loading lag": widgets/line_prewarm.py."""
    app = WoqApp(context)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_screen(pilot, "queue")
        table = screen.active_table()
        await pilot.press("pagedown")  # the cursor to the view's last line
        await settle(pilot)
        drawn = set(table._strips)
        await pilot.press("pagedown")  # the view a page down
        await settle(pilot)
        assert round(table.scroll_y) >= table.body_height
        top = round(table.scroll_y)
        shown = {table.window.row_at(index) for index in range(top, top + table.body_height)}
        # A line's key (ticket_table.render_line) without its last part, the ⚑ marker,
        # which the rows' flags change once they are read.
        made = {key[:-1] for key in table._strips if key[0] in shown} - {key[:-1] for key in drawn}
        assert len(made) <= 2 < table.body_height  # the cursor's line: the rest was there
