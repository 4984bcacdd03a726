"""Overdue & escalation (key 2): four lists a supervisor chases, each with its count
per station beside it. Membership depends on the clock as much as on the data (a
ticket becomes overdue without changing), so every tick re-reads the four bounded
lists and applies them to the tables by key: rows that stay keep their place and the
cursor stays on its ticket."""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import cached_property
from typing import TYPE_CHECKING

from rich.console import Console, ConsoleOptions, RenderResult
from rich.table import Table
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import DataTable, Static, TabbedContent, TabPane

from woq_tui.i18n import t
from woq_tui.screens.ticket_list import TicketListScreen
from woq_tui.values.assessment import BacklogList
from woq_tui.values.queue import PAGE_SIZE, QueueRow, QueueSort, sort_key
from woq_tui.values.tickets import SECTIONS, OverdueView, Section, SectionData
from woq_tui.widgets.backlog_table import BacklogTable
from woq_tui.widgets.kpi_strip import KpiStrip
from woq_tui.widgets.loader import Loader
from woq_tui.widgets.refresh import RefreshStatus
from woq_tui.widgets.ticket_columns import short_station_name
from woq_tui.widgets.ticket_table import TicketTable
from woq_tui.widgets.ticket_window import OutboxMarks, TicketWindow

if TYPE_CHECKING:
    from woq_tui.console_store import ConsoleStore
    from woq_tui.outbox_feed import OutboxChanged

BACKLOG_TAB = "backlog-tab"
COLUMNS = ("ticket_no", "type", "station", "status", "time_left", "flags", "audit", "outbox", "summary")


class ByStation:
    """The count per station beside a list. Laid out at render time: where the panel is
    narrow, names go without their common "供电所" (the title says it)."""

    def __init__(self, data: SectionData) -> None:
        self.data = data

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        narrow = options.max_width < 24
        table = Table(
            title=t("section.by_station"),
            title_justify="left",
            expand=True,
            show_edge=False,
            box=None,
            # narrow: no column titles and no padding, every cell for the names
            show_header=not narrow,
            padding=(0, 0) if narrow else (0, 1),
        )
        table.add_column(t("col.station"), ratio=1, no_wrap=True, overflow="ellipsis")
        table.add_column(t("col.count"), justify="right", no_wrap=True)
        for item in self.data.by_station:
            name = short_station_name(item.station_name) if narrow else item.station_name
            table.add_row(name, f" {item.count:,}" if narrow else f"{item.count:,}")
        yield table


class OverdueScreen(TicketListScreen):
    TITLE_KEY = "screen.overdue"
    EXPORT_NAME = "overdue"
    BINDINGS = [
        Binding("left,h", "section(-1)", "overdue.key.prev", id="overdue.prev"),
        Binding("right,l", "section(1)", "overdue.key.next", id="overdue.next"),
    ]
    # Below 140 columns the per-station panel narrows (station names without their
    # common "供电所"), so the list keeps its flags and some of its summary.
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (140, "-wide")]
    DEFAULT_CSS = """
    OverdueScreen TabbedContent { height: 1fr; }
    OverdueScreen TabPane { padding: 0; }
    OverdueScreen .by-station { width: 30; height: 1fr; border-left: solid $foreground 55%; padding: 0 1; }
    OverdueScreen.-narrow .by-station { width: 19; padding: 0 0 0 1; }
    OverdueScreen .more { height: auto; color: $text-muted; padding: 0 1; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.windows = {which: TicketWindow(sort_key(QueueSort.urgency)) for which in SECTIONS}
        self.outbox = OutboxMarks()
        self.loaded = False
        self.backlog_loaded_at: float | None = None

    def compose_body(self) -> ComposeResult:
        context = self.context
        yield RefreshStatus(self, context.settings.console.refresh_seconds)
        yield KpiStrip()
        with TabbedContent(id="sections"):
            for which in SECTIONS:
                with TabPane(self.section_title(which), id=f"section-{which.value}"):
                    with Horizontal():
                        yield TicketTable(
                            self.windows[which],
                            COLUMNS,
                            now=context.clock.now,
                            policy=context.policy,
                            outbox=self.outbox,
                            id=f"table-{which.value}",
                        )
                        with VerticalScroll(classes="by-station"):
                            yield Static(id=f"stations-{which.value}")
                    yield Static(classes="more", id=f"more-{which.value}")
            # The chronic backlog list (黑名单, docs/assessment.md): read when shown.
            with TabPane(t("backlog.tab"), id=BACKLOG_TAB):
                yield BacklogTable(id="backlog")

    def on_mount(self) -> None:
        super().on_mount()
        for which in SECTIONS:
            self.query_one(f"#table-{which.value}", TicketTable).empty_text = t("queue.empty")
        table = self.active_table()
        assert table is not None  # a list's tab is the one shown at first, not the black list's
        table.focus()
        self.refresh_now()

    def section_title(self, which: Section, count: int | None = None) -> str:
        title = t("section." + which.value, minutes=self.context.policy.warn_minutes)
        return title if count is None else t("section.count", title=title, n=f"{count:,}")

    @property
    def current(self) -> Section | None:
        """The list shown; None on the black list's tab."""
        active = self.query_one(TabbedContent).active or f"section-{SECTIONS[0].value}"
        return None if active == BACKLOG_TAB else Section(active.removeprefix("section-"))

    def active_table(self) -> TicketTable | None:
        current = self.current
        return None if current is None else self.query_one(f"#table-{current.value}", TicketTable)

    def export_source(self) -> Callable[[ConsoleStore], list[QueueRow]]:
        """Every ticket of the list shown, not only the first page of it."""
        which = self.current
        return lambda store: store.section_rows(which) if which is not None else []

    def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        table = self.active_table()
        if table is not None:
            table.focus()
            return
        self.query_one(BacklogTable).focus()
        if self.backlog_loaded_at is None or time.monotonic() - self.backlog_loaded_at > self.context.settings.console.refresh_seconds:
            self.backlog.load(None)

    def action_section(self, step: int) -> None:
        tabs = [f"section-{which.value}" for which in SECTIONS] + [BACKLOG_TAB]
        content = self.query_one(TabbedContent)
        content.active = tabs[(tabs.index(content.active or tabs[0]) + step) % len(tabs)]

    @cached_property
    def backlog(self) -> Loader[None, BacklogList]:
        return Loader(self, lambda _: self.store.backlog(), self._show_backlog, what="backlog.failed")

    def _show_backlog(self, _request: None, backlog: BacklogList) -> None:
        self.backlog_loaded_at = time.monotonic()
        self.query_one(BacklogTable).show(backlog, self.context.settings.tz)
        tab = self.query_one(TabbedContent).get_tab(BACKLOG_TAB)
        tab.label = t("backlog.tab_count", n=len(backlog.entries))

    @on(DataTable.RowSelected, "#backlog")
    def _open_backlog_ticket(self, event: DataTable.RowSelected) -> None:
        event.stop()
        ticket_no = self.query_one(BacklogTable).selected_ticket()
        if ticket_no is not None:
            from woq_tui.screens.ticket import TicketScreen

            self.app.push_screen(TicketScreen(ticket_no))

    # --- LiveSource ----------------------------------------------------------------

    def live_request(self) -> int:
        return self.outbox.generation

    def fetch_live(self, _request: int) -> OverdueView:
        return self.store.overdue(PAGE_SIZE)

    def apply_live(self, outbox_generation: int, result: OverdueView) -> None:
        self.query_one(KpiStrip).show(result.kpis)
        self.outbox.loaded(outbox_generation, result.asked, result.marks)
        self.outbox.forget_except(result.asked)
        tabs = self.query_one(TabbedContent)
        for which, data in result.sections.items():
            table = self.query_one(f"#table-{which.value}", TicketTable)
            remembered = table.remember_cursor()
            applied = self.windows[which].replace(data.rows, complete=True)
            table.restore_cursor(remembered, applied if self.loaded else None)
            tabs.get_tab(f"section-{which.value}").label = self.section_title(which, data.total)
            self.query_one(f"#stations-{which.value}", Static).update(ByStation(data))
            hidden = data.total - len(data.rows)
            self.query_one(f"#more-{which.value}", Static).update(t("section.more", n=f"{hidden:,}") if hidden > 0 else "")
        self.loaded = True

    def on_outbox_changed(self, message: OutboxChanged) -> None:
        """The pusher says how a reassignment went: show it on its rows at once."""
        change = message.change
        self.reassignment_answered(change.ticket_no, change.state)
        if self.outbox.changed(change.ticket_no, change.state, self.context.clock.now()):
            for table in self.query(TicketTable):
                table.refresh()
