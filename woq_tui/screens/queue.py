"""The live queue (key 1): open tickets, most urgent first, refreshed in place.

Data flow: RefreshStatus ticks; live_request() snapshots what to ask (filter, sort,
watermark) on the UI thread; fetch_live() runs the queries in a thread; apply_live()
changes the TicketWindow by key and puts the cursor back on its ticket. The first
fetch, and any after a filter change, loads the first page; later ones only the
tickets changed since the watermark. The KPI strip is counted by the database.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, replace
from datetime import datetime
from functools import cached_property
from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.timer import Timer
from textual.widgets import Input

from woq_tui.i18n import t
from woq_tui.screens.base import freeze_after_first_load
from woq_tui.screens.ticket_list import TicketListScreen
from woq_tui.values.live import FIRST_REQUEST, PREFETCH_COUNTS_KEY, PREFETCH_KEY, LiveRequest, LiveResult, next_request
from woq_tui.values.queue import (
    PAGE_SIZE,
    Kpis,
    QueueFilter,
    QueuePage,
    QueueRow,
    QueueSort,
    sort_key,
)
from woq_tui.widgets.filter_bar import FilterBar
from woq_tui.widgets.kpi_strip import KpiStrip
from woq_tui.widgets.loader import Loader
from woq_tui.widgets.refresh import RefreshStatus
from woq_tui.widgets.ticket_table import TicketTable
from woq_tui.widgets.ticket_window import OutboxMarks, TicketWindow

if TYPE_CHECKING:
    from woq_tui.console_store import ConsoleStore
    from woq_tui.outbox_feed import OutboxChanged
    from woq_tui.screens.filter import FilterScreen
    from woq_tui.values.stations import StationChoice

SORTS = tuple(QueueSort)


@dataclass(frozen=True)
class MoreRequest:
    generation: int
    filt: QueueFilter
    sort: QueueSort
    reverse: bool
    after: tuple
    limit: int = PAGE_SIZE
    # count the filter's total with this page (the rest of a key's reload)
    count: bool = False


# A new order, filter or search reads its first rows (at least this many, or two
# screens) before the rest of its page: the frame comes after a screenful, not 500
# rows (docs/speed.md, "Keys and loading lag").
FIRST_ROWS = 64
SEARCH_DELAY = 0.3
# The KPI strip is counted at most this often (seconds), not on every tick: the counts
# scan the open tickets, the changed rows are an index range. A reload counts at once.
KPI_SECONDS = 15.0


# remember_cursor() of "the first row, at the top of the view"
TOP: tuple[None, int, int] = (None, 0, 0)

class QueueScreen(TicketListScreen):
    TITLE_KEY = "screen.queue"
    EXPORT_NAME = "queue"
    # Not Textual's first focusable widget, the hidden search box: a key typed while
    # the console starts would go into the search.
    AUTO_FOCUS = "#queue-table"
    BINDINGS = [
        Binding("slash", "search", "queue.key.search", id="queue.search", key_display="/"),
        Binding("f", "filter", "queue.key.filter", id="queue.filter"),
        Binding("x", "clear_filter", "queue.key.clear", id="queue.clear", show=False),  # the chips say so
        Binding("s", "sort(False)", "queue.key.sort", id="queue.sort"),
        Binding("S", "sort(True)", "queue.key.reverse", id="queue.reverse", show=False),
        Binding("escape", "escape", "queue.key.escape", id="queue.escape", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.filt = QueueFilter()
        self.sort = QueueSort.urgency
        self.reverse = False
        self.generation = 0
        self.watermark: datetime | None = None
        self.need_reload = True
        # the open tickets matching `counted` (None: not counted yet for the filter shown)
        self.total: int | None = 0
        self.counted: QueueFilter | None = QueueFilter()
        self.station_names: dict[str, str] = {}
        self.window = TicketWindow(sort_key(self.sort))
        self.outbox = OutboxMarks()
        self._kpis_due = 0.0
        self._search_before = ""
        self._search_timer: Timer | None = None
        self.filter_dialog: FilterScreen | None = None

    def compose_body(self) -> ComposeResult:
        context = self.context
        yield RefreshStatus(self, context.settings.console.refresh_seconds)
        yield KpiStrip()
        yield FilterBar()
        yield TicketTable(
            self.window, now=context.clock.now, policy=context.policy, outbox=self.outbox, id="queue-table"
        )

    def on_mount(self) -> None:
        super().on_mount()
        self.table.empty_text = t("queue.empty")
        self.table.focus()
        self.show_counts()
        self.refresh_now()

    @property
    def table(self) -> TicketTable:
        return self.query_one(TicketTable)

    def active_table(self) -> TicketTable | None:
        return self.table

    def export_source(self) -> Callable[[ConsoleStore], list[QueueRow]]:
        """Every open ticket of the current filter and order, not only those loaded."""
        filt, sort, reverse = self.filt, self.sort, self.reverse
        return lambda store: store.queue_rows(filt, sort, reverse)

    # --- live refresh (LiveSource) ---------------------------------------------------

    def live_request(self) -> LiveRequest:
        prefetched = self.context.prefetched.pop(PREFETCH_KEY, None)
        if prefetched is not None:
            if self.generation == 0 and self.watermark is None and not self.filt.active and self.sort is QueueSort.urgency:
                self._kpis_due = time.monotonic() + KPI_SECONDS
                return replace(FIRST_REQUEST, prefetched=prefetched)
        reload = self.need_reload or self.watermark is None
        # A reload asked for by a key (a new order, filter or search) counts nothing
        # but its page's total: the KPI strip counts every open ticket, whatever is
        # shown, and stays until its next tick (docs/speed.md, "Keys and loading lag").
        kpis = (reload and not self.need_reload) or time.monotonic() >= self._kpis_due
        if kpis:
            self._kpis_due = time.monotonic() + KPI_SECONDS
        shown = replace(FIRST_REQUEST, generation=self.generation, filt=self.filt, sort=self.sort, reverse=self.reverse)
        request = next_request(shown, self.watermark, reload, kpis, self.window.keys(), self.outbox, self.outbox.generation)
        first = max(FIRST_ROWS, 2 * self.table.body_height)
        if self.need_reload and not self.need_reload_keeps_cursor and self.generation > 0 and request.limit > first:
            # Asked for by a key, the list read from its top: a screenful first, the
            # rest of the page after it, which counts the filter's total if it changed
            # (a type filter's count, ~10 ms at 1M, is not waited for by the key).
            request = replace(request, limit=first, held_after=request.limit, count=False)
        return request

    def answered_already(self, request: LiveRequest) -> LiveResult | None:
        prefetched = request.prefetched
        if prefetched is not None and prefetched.done() and prefetched.exception() is None:
            return prefetched.result()
        return None

    def fetch_live(self, request: LiveRequest) -> LiveResult:
        if request.prefetched is not None:
            try:
                return request.prefetched.result()
            except Exception:
                pass  # ask again below: a second failure is reported as usual
        return self.store.live(request)

    def _local_time(self) -> str:
        context = self.context
        return f"{context.clock.now().astimezone(context.settings.tz):%H:%M:%S}"

    def apply_live(self, request: LiveRequest, result: LiveResult) -> None:
        strip = self.query_one(KpiStrip)
        if result.kpis is not None:
            strip.show(result.kpis, self._local_time())
        self.outbox.loaded(request.outbox_generation, result.asked, result.marks)
        if request.generation != self.generation:
            self.live.fetch()  # asked before the filter or sort changed: ask again
            return
        table = self.table
        remembered = table.remember_cursor()
        if result.page is not None:
            if request.reload and not self.need_reload_keeps_cursor:
                remembered = TOP
            self.window.replace(result.page.rows, result.page.complete, sort_key(request.sort), request.reverse)
            table.restore_cursor(remembered)
            self.need_reload = False
            # No ticket ever changed: the database is new; say how to fill it.
            table.empty_text = t("queue.no_tickets" if result.watermark is None else "queue.empty")
        else:
            applied = self.window.apply(result.changes.rows if result.changes else [])
            table.restore_cursor(remembered, applied)
            if applied.changed and result.kpis is None:
                strip.mark_older()
        self.watermark = result.watermark
        took = self._took_total(request.filt, result.total)
        if not took and result.page is not None and self.counted != request.filt:
            self.total = None  # counted with the rest of the page
        self.outbox.forget_except(self.window.keys())
        self.show_counts()
        if result.page is not None and request.held_after > len(self.window) and not self.window.complete:
            # the rest of the reload, once the first rows are painted: read meanwhile,
            # its rows would be built in the worker while the UI thread paints
            self.call_after_refresh(self.load_more, request.held_after - len(self.window))
        elif not self.window.complete and len(self.window) < PAGE_SIZE // 2:
            self.load_more()
        if result.page is not None and self.filter_dialog is None and not self.filter_ready.busy:
            # the first page is shown: the filter dialog is built while nothing waits
            self.call_after_refresh(self.filter_ready.load, None)
        if request.kpis and result.kpis is None:  # the head start sends them after the rows
            counts = self.context.prefetched.pop(PREFETCH_COUNTS_KEY, None)
            if counts is None:
                self._kpis_due = 0.0  # counted on the next tick
            else:
                self.counts.load((self.generation, counts))

    @cached_property
    def counts(self) -> Loader[tuple[int, Future], Kpis]:
        """The KPI counts the head start sends after the first page (a failure: they
        are counted on the next tick)."""
        return Loader(self, lambda request: request[1].result(), self._counted, what="live.failed", failed=self._not_counted)

    def _not_counted(self, _request: tuple[int, Future], _error: BaseException) -> None:
        self._kpis_due = 0.0

    def _counted(self, request: tuple[int, Future], kpis: Kpis) -> None:
        generation = request[0]
        self.query_one(KpiStrip).show(kpis, self._local_time())
        if generation == self.generation and not self.window.complete and not self.filt.active:
            self.total, self.counted = kpis.open, self.filt
            self.show_counts()

    need_reload_keeps_cursor = True

    # --- paging --------------------------------------------------------------------

    @on(TicketTable.NeedMore)
    def _need_more(self) -> None:
        self.load_more()

    def load_more(self, limit: int = PAGE_SIZE) -> None:
        if self.window.complete or self.window.boundary is None:
            return
        self.more.load(MoreRequest(self.generation, self.filt, self.sort, self.reverse, self.window.boundary, limit,
                                   count=self.counted != self.filt))

    @cached_property
    def more(self) -> Loader[MoreRequest, QueuePage]:
        """The next page below the last row held (keyset paging)."""
        return Loader(self, self._read_more, self._extend, what="more.failed")

    def _read_more(self, request: MoreRequest) -> QueuePage:
        return self.store.queue_page(request.filt, request.sort, request.reverse, request.limit, after=request.after,
                                     count=request.count)

    def _extend(self, request: MoreRequest, page: QueuePage) -> None:
        if request.generation != self.generation or self.window.boundary != request.after:
            return
        remembered = self.table.remember_cursor()
        self.window.extend(page.rows, page.complete)
        self.table.restore_cursor(remembered)
        self._took_total(request.filt, page.total)
        self.show_counts()

    def _took_total(self, filt: QueueFilter, counted: int | None) -> bool:
        """The total of `filt`'s open tickets, from the rows held when they are all or
        from a count read with them; False when neither says it."""
        total = len(self.window) if self.window.complete else counted
        if total is None:
            return False
        self.total, self.counted = total, filt
        return True

    # --- filter, search, sort --------------------------------------------------------

    def set_filter(self, filt: QueueFilter, keep_cursor: bool = False) -> None:
        if filt == self.filt:
            return
        self.filt = filt
        self._reload(keep_cursor)

    def _reload(self, keep_cursor: bool) -> None:
        self.generation += 1
        self.need_reload = True
        self.need_reload_keeps_cursor = keep_cursor
        self.show_counts()
        self.refresh_now()

    def action_search(self) -> None:
        self._search_before = self.filt.search
        self.query_one(FilterBar).open_search(self.filt.search)

    @on(Input.Changed, "#search")
    def _search_typed(self, event: Input.Changed) -> None:
        if self._search_timer is not None:
            self._search_timer.stop()
        value = event.value
        self._search_timer = self.set_timer(SEARCH_DELAY, lambda: self.set_filter(replace(self.filt, search=value)))

    @on(Input.Submitted, "#search")
    def _search_done(self, event: Input.Submitted) -> None:
        if self._search_timer is not None:
            self._search_timer.stop()
        self.set_filter(replace(self.filt, search=event.value.strip()))
        self.query_one(FilterBar).close_search()
        self.table.focus()

    def action_escape(self) -> None:
        bar = self.query_one(FilterBar)
        if bar.searching:
            if self._search_timer is not None:
                self._search_timer.stop()
            bar.close_search()
            self.table.focus()
            self.set_filter(replace(self.filt, search=self._search_before))
        elif self.clear_marks():
            pass  # escape takes the marks first, then the filter
        elif self.filt.active:
            self.action_clear_filter()

    def action_clear_filter(self) -> None:
        self.set_filter(QueueFilter())

    def action_filter(self) -> None:
        self.filter_choices.load(None)

    @cached_property
    def filter_choices(self) -> Loader[None, list[StationChoice]]:
        """The stations to filter by, read when `f` is pressed; then the dialog opens."""
        return Loader(self, lambda _: self.store.stations(), self._push_filter, what="db.unreachable")

    @cached_property
    def filter_ready(self) -> Loader[None, list[StationChoice]]:
        """The stations read once the first page is shown, and the dialog built from
        them then, not on the first `f` (a failure: `f` builds it)."""
        return Loader(self, lambda _: self.store.stations(), self._build_filter, what="db.unreachable",
                      failed=lambda _request, _error: None)

    def _build_filter(self, _request: None, stations: list[StationChoice]) -> None:
        if self.filter_dialog is None and self.is_attached:
            self._new_filter_dialog(stations)
            # the first page and the dialog, once it is composed
            self.call_after_refresh(freeze_after_first_load, "queue")

    def _new_filter_dialog(self, stations: list[StationChoice], start: bool = True) -> FilterScreen:
        """A dialog, installed and started: composed, mounted and styled now, laid out
        and rendered when first shown. Built on the first `f`, its four lists (200
        stations) and their CSS were that key's UI time besides the first render;
        built on each `f`, ~140 ms each (docs/speed.md, "Keys and loading lag")."""
        from woq_tui.screens.filter import FilterScreen

        app, dialog = self.app, self.filter_dialog
        if dialog is not None:
            app.uninstall_screen(dialog)
            dialog.remove()
        dialog = self.filter_dialog = FilterScreen(self.filt, stations)
        app.install_screen(dialog, f"queue-filter-{id(self)}")
        if start:
            # what push_screen does to a screen not running yet (App._get_screen),
            # without showing it: it composes and mounts while the loop is idle
            app._register(app, dialog)
        return dialog

    def _push_filter(self, _request: None, stations: list[StationChoice]) -> None:
        self.station_names = {station.code: station.name for station in stations}

        def chosen(filt: QueueFilter | None) -> None:
            if filt is not None:
                self.set_filter(replace(filt, search=self.filt.search))

        # The dialog is built once (above) and kept (installed); a press shows it again
        # on the current filter. A new one when the stations changed.
        dialog = self.filter_dialog
        if dialog is None or not dialog.show_again(self.filt, stations):
            dialog = self._new_filter_dialog(stations, start=False)
        self.app.push_screen(dialog, chosen)

    def action_sort(self, reverse: bool) -> None:
        if reverse:
            self.reverse = not self.reverse
        else:
            self.sort = SORTS[(SORTS.index(self.sort) + 1) % len(SORTS)]
            self.reverse = False
        # A new order is read from its top: the cursor goes to the first row (a live
        # refresh, by contrast, keeps the cursor on its ticket).
        if self.window.complete:
            # Every matching row is here: order them in place, no query.
            self.window.resort(sort_key(self.sort), self.reverse)
            self.table.restore_cursor(TOP)
            self.generation += 1
            self.show_counts()
        else:
            # Not ordered here: the rows held are not the new order's first rows, and
            # drawing them would cost a screenful's render while the page is read.
            # The rows stay as they are until the page comes in the new order
            # (replace), and no page is read after the old order's last row.
            self.window.stop_paging()
            self._reload(keep_cursor=False)

    # --- what the bar says -----------------------------------------------------------

    def show_counts(self) -> None:
        self.query_one(FilterBar).show(
            self.filt,
            self.sort,
            self.reverse,
            len(self.window),
            None if self.total is None else max(self.total, len(self.window)),
            len(self.table.marked),
            self.station_names,
        )

    def marks_changed(self) -> None:
        self.show_counts()

    def on_outbox_changed(self, message: OutboxChanged) -> None:
        """The pusher says how a reassignment went: show it on the row at once."""
        change = message.change
        self.reassignment_answered(change.ticket_no, change.state)
        if self.outbox.changed(change.ticket_no, change.state, self.context.clock.now()):
            self.table.refresh()
            self._kpis_due = 0.0  # the pending count moved: count again on the next tick
