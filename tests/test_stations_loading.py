"""The station screen reads and draws its figures off the UI thread, and answers keys
while it does (docs/speed.md, "Keys and loading lag")."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from datetime import datetime

import pytest
from textual.widgets import DataTable

from tests.support import fill_weeks, settle
from woq_tui.app import WoqApp
from woq_tui.console_store import ConsoleStore
from woq_tui.context import ConsoleContext
from woq_tui.domain.periods import Period
from woq_tui.screens.stations import FiguresRequest, StationsScreen, StationView
from woq_tui.values.figures import StationTable


class HeldStore(ConsoleStore):
    """The real store, whose station table says which thread asked for it and waits
    until the test releases it."""

    def __init__(self, context: ConsoleContext) -> None:
        super().__init__(context)
        self.asked, self.release = threading.Event(), threading.Event()
        self.threads: list[threading.Thread] = []

    def station_table(
        self, period: Period, as_of: datetime, on_rows: Callable[[StationTable], None] | None = None
    ) -> StationTable:
        self.threads.append(threading.current_thread())
        self.asked.set()
        if not self.release.wait(30):
            raise TimeoutError("the test never released the read")
        return super().station_table(period, as_of, on_rows=on_rows)


class RecordingStations(StationsScreen):
    """The station screen, keeping every view it is handed (on the UI thread)."""

    def __init__(self) -> None:
        super().__init__()
        self.views: list[StationView] = []

    def _loaded(self, request: FiguresRequest, view: StationView) -> None:
        self.views.append(view)
        super()._loaded(request, view)


@pytest.fixture
def held(settings, engine, clock) -> tuple[ConsoleContext, HeldStore]:
    fill_weeks(engine)
    context = ConsoleContext(settings=settings, engine=engine, clock=clock, label="test")
    store = HeldStore(context)
    context.__dict__["store"] = store  # what the cached property would have made
    return context, store


async def test_figures_are_read_and_drawn_in_a_worker_while_keys_are_answered(held):
    context, store = held
    app = WoqApp(context)
    async with app.run_test(size=(140, 40)) as pilot:
        screen = RecordingStations()
        await app.push_screen(screen)
        assert await asyncio.to_thread(store.asked.wait, 30)
        # The read is waiting in its thread: a key is handled meanwhile.
        await pilot.press("S")
        assert (screen.sort_column, screen.sort_reverse) == ("overdue_rate", False)
        assert screen.data is None
        store.release.set()
        await settle(pilot)
        assert screen.data is not None and screen.data.complete
        assert store.threads and threading.main_thread() not in store.threads
        # (the rows may come first, then everything) each came with its cells drawn
        assert screen.views and screen.views[-1].table.complete
        assert all(view.drawn is not None and view.drawn.data is view.table for view in screen.views)
        assert screen.table.drawn is screen.views[-1].drawn
        # and shown in the order the key asked for, the stations' rows first
        table = screen.query_one(DataTable)
        codes = [row.key.value for row in table.ordered_rows][:5]
        rates = [screen.data.current[code]["overdue_rate"] for code in codes]
        assert rates == sorted(rates)


class FirstHeldStore(ConsoleStore):
    """The real store, whose first station table waits until the test releases it,
    and which keeps the periods whose quality it is asked for."""

    def __init__(self, context: ConsoleContext) -> None:
        super().__init__(context)
        self.asked, self.release = threading.Event(), threading.Event()
        self.tables = 0
        self.quality_of: list[Period] = []

    def station_table(
        self, period: Period, as_of: datetime, on_rows: Callable[[StationTable], None] | None = None
    ) -> StationTable:
        self.tables += 1
        if self.tables == 1:
            self.asked.set()
            if not self.release.wait(30):
                raise TimeoutError("the test never released the read")
        return super().station_table(period, as_of, on_rows=on_rows)

    def quality_by_station(self, period, as_of):
        self.quality_of.append(period)
        return super().quality_by_station(period, as_of)


async def test_a_period_left_before_its_figures_came_has_no_quality_read(settings, engine, clock):
    """The audit's quality is the screen's longest read (a minute for a province's
    year): a load that a newer period replaced stops once its figures are read
    (widgets/loader.py, Superseded); only the period shown has its quality read."""
    fill_weeks(engine)
    context = ConsoleContext(settings=settings, engine=engine, clock=clock, label="test")
    store = FirstHeldStore(context)
    context.__dict__["store"] = store
    app = WoqApp(context)
    async with app.run_test(size=(140, 40)) as pilot:
        screen = RecordingStations()
        await app.push_screen(screen)
        assert await asyncio.to_thread(store.asked.wait, 30)
        left = screen.period
        await pilot.press("t")  # another kind of period, while the first is read
        assert screen.period != left
        await settle(pilot)
        store.release.set()
        await settle(pilot)
        await app.workers.wait_for_complete()
        assert store.tables == 2 and screen.complete_at
        assert left not in store.quality_of
        assert screen.period in store.quality_of and len(store.quality_of) == 2
        assert all(view.table.period == screen.period for view in screen.views)
