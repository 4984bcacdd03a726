"""What a key in the queue leaves for later (docs/speed.md, "Keys and loading lag"): a
new order shows its first screenful before the rest of its page is read, and the
filter dialog is built once, after the first page and before the first `f`, and shown
again for the current filter. Database: SQLite
and PostgreSQL."""

from __future__ import annotations

import asyncio
import threading
from datetime import timedelta

import pytest
from textual.widgets import SelectionList

from tests.conftest import NOW
from tests.factories import add_all, station, ticket
from tests.support import settle
from woq_tui.app import WoqApp
from woq_tui.console_store import ConsoleStore
from woq_tui.i18n import t
from woq_tui.screens.filter import FilterScreen
from woq_tui.values.queue import PAGE_SIZE, QueueFilter, QueueSort

M = timedelta(minutes=1)
SIZE = (120, 30)


@pytest.fixture
def more_than_a_page(engine):
    add_all(engine, station("S001"), station("S002"))
    add_all(
        engine,
        *(
            ticket(NOW - (700 - n) * M, ticket_no=f"T{n:04d}", station_code="S001" if n % 3 else "S002",
                   type="repair" if n % 2 else "complaint", due_at=NOW + (n * 7 % 600) * M)
            for n in range(PAGE_SIZE + 100)
        ),
    )


class Held(ConsoleStore):
    """The real store, one kind of whose reads waits until the test releases it:
    "rest", a keyset read (a page after the rows held); "reload", a reload asked for by
    a key (a new order)."""

    def __init__(self, context, holds: str) -> None:
        super().__init__(context)
        self.holds = holds
        self.asked, self.release = threading.Event(), threading.Event()
        self.release.set()

    def _hold(self, kind: str) -> None:
        if kind == self.holds:
            self.asked.set()
            if not self.release.wait(30):
                raise TimeoutError("the test never released the read")

    def queue_page(self, filt, sort, reverse, limit, after=None, count=None):
        if after is not None:
            self._hold("rest")
        return super().queue_page(filt, sort, reverse, limit, after=after, count=count)

    def live(self, request):
        if request.reload and request.generation > 0:
            self._hold("reload")
        return super().live(request)


def held_console(context, holds: str) -> tuple[Held, WoqApp]:
    store = Held(context, holds)
    context.__dict__["store"] = store  # what the cached property would have made
    return store, WoqApp(context)


async def test_a_new_order_shows_its_first_screenful_before_the_rest_is_read(context, more_than_a_page):
    store, app = held_console(context, "rest")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        assert len(screen.window) == PAGE_SIZE and not screen.window.complete
        store.release.clear()
        await pilot.press("s")  # by age
        await asyncio.to_thread(store.asked.wait, 30)
        await pilot.pause()
        assert screen.sort is QueueSort.age and not screen.need_reload
        first = len(screen.window)
        assert screen.table.body_height < first < PAGE_SIZE  # the first rows only, shown
        expected = context.store.queue_page(QueueFilter(), QueueSort.age, False, PAGE_SIZE).rows
        assert [screen.window.row_at(index) for index in range(first)] == expected[:first]
        assert screen.table.cursor_index == 0 and round(screen.table.scroll_y) == 0
        assert screen.total == PAGE_SIZE + 100  # the same tickets: their count stays
        store.release.set()
        await settle(pilot)
        # then what one read held before: the first page of the new order
        assert list(screen.window) == expected


async def test_the_filter_dialog_is_built_once_and_opens_on_the_current_filter(context, more_than_a_page):
    app = WoqApp(context)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        queue = app.screen
        await pilot.press("f")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, FilterScreen)

        def state() -> list[tuple]:
            return [(tuple(selection.selected), selection.highlighted, selection.scroll_y) for selection in dialog.query(SelectionList)]

        new = state()
        await pilot.press("down", "down", "space", "tab", "end", "space", "escape")  # ticked, then cancelled
        await settle(pilot)
        assert app.screen is queue and not queue.filt.active
        await pilot.press("f")
        await settle(pilot)
        assert app.screen is dialog  # the same dialog, not built again
        lists = list(dialog.query(SelectionList))
        # as a new dialog shows it: nothing ticked, each list's first choice highlighted
        assert state() == new and all(not selection.selected and selection.highlighted == 0 for selection in lists)
        assert dialog.focused is lists[0]
        await pilot.press("space", "enter")  # the first type, applied
        await settle(pilot)
        assert app.screen is queue and queue.filt.types == {"repair"}
        await pilot.press("f")
        await settle(pilot)
        assert app.screen is dialog and dialog.query_one("#types", SelectionList).selected == ["repair"]
        await pilot.press("down", "space", "enter")
        await settle(pilot)
        assert queue.filt.types == {"repair", "complaint"}


async def test_the_filter_dialog_is_built_before_the_first_f(context, more_than_a_page, monkeypatch):
    from woq_tui.screens import base

    monkeypatch.setattr(base, "_FROZEN_AFTER", set())  # as in a process that never showed it
    app = WoqApp(context)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        queue = app.screen
        dialog = queue.filter_dialog
        # then the first page and the dialog were left out of the collector's full passes
        assert "queue" in base._FROZEN_AFTER
        # composed and mounted off screen, once the first page was shown
        assert isinstance(dialog, FilterScreen) and dialog.is_running and app.screen is queue
        assert len(dialog.query(SelectionList)) == 4
        assert len(dialog.query_one("#stations", SelectionList).options) == 2
        await pilot.press("f")
        await settle(pilot)
        assert app.screen is dialog
        await pilot.press("space", "enter")
        await settle(pilot)
        assert app.screen is queue and queue.filt.types == {"repair"}


def layouts(app) -> int:
    """How many times the screen's widgets asked for the screen to be laid out again."""
    return sum(widget._layout_updates for widget in (app.screen, *app.screen.query("*")))


async def test_a_new_order_draws_nothing_until_its_rows_come_and_lays_nothing_out(context, more_than_a_page):
    store, app = held_console(context, "reload")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        held = list(screen.window)
        assert len(held) == PAGE_SIZE and not screen.window.complete
        laid_out = layouts(app)
        store.release.clear()
        await pilot.press("s")  # by age
        await asyncio.to_thread(store.asked.wait, 30)
        await pilot.pause()
        # the bar says the new order at once; the rows held stay as they were, not
        # ordered again (they are not the new order's first rows) and no page is read
        # after them
        assert t("sort.age") in screen.query_one("#chips").content.plain and screen.sort is QueueSort.age
        assert list(screen.window) == held and screen.window.boundary is None
        store.release.set()
        await settle(pilot)
        expected = context.store.queue_page(QueueFilter(), QueueSort.age, False, PAGE_SIZE).rows
        assert list(screen.window) == expected
        # the rows' count went 500 → a screenful → 500 and the bar's words changed:
        # the table and the bar were redrawn, the screen not laid out again
        assert layouts(app) == laid_out


async def test_the_footer_is_built_again_only_when_its_keys_change(context, more_than_a_page):
    from textual.widgets._footer import FooterKey

    def keys_shown():
        return [(key.key, key.description) for key in app.screen.query(FooterKey) if not key.has_class("-command-palette")]

    def keys_bound():
        """What Textual's own Footer would show: the screen's bindings shown, in order."""
        return [(binding.key, binding.description) for _node, binding, _enabled, _tip in app.screen.active_bindings.values()
                if binding.show]

    app = WoqApp(context)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        queue = app.screen
        built = list(queue.query(FooterKey))
        assert keys_shown() == keys_bound() and built
        await pilot.press("f")
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        # the same keys after the dialog: the same widgets, not mounted again
        assert app.screen is queue and list(queue.query(FooterKey)) == built
        await pilot.press("slash")  # the search box takes the focus: other bindings
        await settle(pilot)
        assert keys_shown() == keys_bound()
        await pilot.press("escape")
        await settle(pilot)
        assert keys_shown() == keys_bound()


async def test_a_new_filter_counts_its_total_once_and_leaves_the_kpis_to_their_tick(context, more_than_a_page, monkeypatch):
    from woq_tui.store import queries

    calls: list[str] = []
    for name in ("count_open", "kpis"):
        real = getattr(queries, name)
        monkeypatch.setattr(queries, name, lambda *args, _real=real, _name=name, **kwargs: calls.append(_name) or _real(*args, **kwargs))
    app = WoqApp(context)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        queue = app.screen
        strip = queue.query_one("KpiStrip")
        shown_kpis = str(strip.render())
        calls.clear()
        queue.set_filter(QueueFilter(types=frozenset({"repair"})))
        await settle(pilot)
        # the first rows' own count, read once: not again for the rest of the page read
        # after them, nor for the strip (every open ticket), which waits for its tick
        assert calls == ["count_open"] and len(queue.window) == (PAGE_SIZE + 100) // 2
        expected = context.store.queue_page(QueueFilter(types=frozenset({"repair"})), QueueSort.urgency, False, PAGE_SIZE)
        assert queue.total == expected.total == (PAGE_SIZE + 100) // 2
        assert str(strip.render()) == shown_kpis


async def test_a_new_filter_shows_its_first_rows_before_its_count(context, more_than_a_page):
    store, app = held_console(context, "rest")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        queue = app.screen
        counts = queue.query_one("#counts")
        store.release.clear()
        queue.set_filter(QueueFilter(types=frozenset({"repair"})))
        await asyncio.to_thread(store.asked.wait, 30)
        await pilot.pause()
        # the first rows shown; their total is counted with the rest of the page
        first = len(queue.window)
        assert queue.table.body_height < first < (PAGE_SIZE + 100) // 2 and queue.total is None
        assert str(counts.content).strip() == t("count.shown", shown=f"{first:,}", total="…")
        store.release.set()
        await settle(pilot)
        assert queue.total == len(queue.window) == (PAGE_SIZE + 100) // 2
        assert str(counts.content).strip() == t("count.shown", shown="300", total="300")


async def test_the_filter_dialog_is_laid_out_before_its_first_showing(context, more_than_a_page):
    """Built ahead, the dialog is laid out ahead at the console's size (filter.py,
    _lay_out_ahead): shown, its lists are where a dialog laid out then puts them; a
    console resized meanwhile lays it out again at the new size."""
    app = WoqApp(context)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        queue = app.screen
        dialog = queue.filter_dialog
        assert dialog is not None and app.screen is queue
        assert dialog.size == app.size and dialog.stack_updates == 0
        ahead = [selection.region for selection in dialog.query(SelectionList)]
        assert all(region.area for region in ahead)
        await pilot.press("f")
        await settle(pilot)
        assert app.screen is dialog
        assert [selection.region for selection in dialog.query(SelectionList)] == ahead
        await pilot.press("escape")
        await settle(pilot)
        await pilot.resize_terminal(SIZE[0] + 20, SIZE[1] + 6)
        await settle(pilot)
        await pilot.press("f")
        await settle(pilot)
        assert app.screen is dialog and dialog.size == app.size
        assert max(selection.region.bottom for selection in dialog.query(SelectionList)) > max(r.bottom for r in ahead)
