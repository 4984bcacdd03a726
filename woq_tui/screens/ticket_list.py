"""What the ticket lists share (the live queue, the overdue lists): marks, opening the
detail, export, pause, and the live refresh; the write actions come from
screens/ticket_actions.py."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, tzinfo
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from textual import on
from textual.binding import Binding
from textual.worker import Worker

from woq_tui.domain.enums import OutboxState
from woq_tui.domain.sla import SlaPolicy
from woq_tui.i18n import t
from woq_tui.reporting.csv_writer import write_csv
from woq_tui.screens.ticket_actions import TicketActionsScreen
from woq_tui.values.queue import QueueRow
from woq_tui.widgets.loader import Loader, show_failure
from woq_tui.widgets.refresh import RefreshStatus
from woq_tui.widgets.ticket_columns import Column, export_cells
from woq_tui.widgets.ticket_table import TicketTable
from woq_tui.widgets.translated import change_bindings

if TYPE_CHECKING:
    from woq_tui.console_store import ConsoleStore


class TicketListScreen(TicketActionsScreen):
    """A main screen with one or more TicketTables and a RefreshStatus."""

    # The footer cannot show every key at 100 columns: `?` comes first (the app's own
    # comes last, and is cut off first), and the rarer keys are in the help only.
    BINDINGS = [
        Binding("question_mark", "app.help", "key.help", id="help", key_display="?"),
        Binding("space", "mark", "queue.key.mark", id="list.mark"),
        Binding("r", "reassign", "queue.key.reassign", id="list.reassign"),
        # in the help and the palette; the footer has no room for it at 100 columns
        Binding("R", "reclassify", "reclassify.key", id="list.reclassify", show=False),
        Binding("u", "urge", "queue.key.urge", id="list.urge"),
        Binding("p", "pause", "queue.key.pause", id="list.pause"),
        Binding("e", "export", "queue.key.export", id="list.export", show=False),
        Binding("escape", "clear_marks", "list.key.clear_marks", id="list.clear_marks", show=False),
    ]
    EXPORT_NAME = "tickets"

    # --- set by subclasses -----------------------------------------------------------

    def active_table(self) -> TicketTable | None:
        """The table keys act on: the first one, unless a screen with several says."""
        tables = self.query(TicketTable)
        return tables.first() if tables else None

    @property
    def live(self) -> RefreshStatus:
        return self.query_one(RefreshStatus)

    # --- live refresh ----------------------------------------------------------------

    def refresh_now(self) -> Worker | None:
        """Fetch now, whatever the timer says (keys and tests)."""
        return self.live.fetch()

    def on_screen_resume(self) -> None:
        if self.is_mounted:
            self.live.screen_resumed()

    def action_pause(self) -> None:
        self.live.paused = not self.live.paused
        # The footer names what the key does now: 暂停 while live, 继续 while paused.
        change_bindings(self, ["pause"], description=t("queue.key.resume" if self.live.paused else "queue.key.pause"))
        self.notify(t("live.paused_note" if self.live.paused else "live.resumed_note"))

    # --- tickets -------------------------------------------------------------------

    def selected_rows(self) -> list[QueueRow]:
        """The marked tickets, or the one under the cursor."""
        table = self.active_table()
        if table is None:
            return []
        marked = table.marked_rows()
        if marked:
            return marked
        return [table.cursor_row] if table.cursor_row is not None else []

    def action_mark(self) -> None:
        table = self.active_table()
        if table is not None:
            table.toggle_mark()
            self.marks_changed()

    def marks_changed(self) -> None:
        """Subclasses show the count of marks."""

    def clear_marks(self, ticket_nos: Iterable[str] | None = None) -> bool:
        """Unmark these tickets (all when None); True when a mark went."""
        cleared = False
        for table in self.query(TicketTable):
            before = len(table.marked)
            if ticket_nos is None:
                table.marked.clear()
            else:
                table.marked.difference_update(ticket_nos)
            if len(table.marked) != before:
                cleared = True
                table.refresh()
        if cleared:
            self.marks_changed()
        return cleared

    def action_clear_marks(self) -> None:
        self.clear_marks()

    def reassignment_answered(self, ticket_no: str, state: str) -> None:
        """A confirmed reassignment's ticket is done with: its mark goes (a bulk
        reassignment leaves no marks behind; the rest stay marked to try again)."""
        if state == OutboxState.confirmed:
            self.clear_marks([ticket_no])

    def _on_table(self, action: str, *args) -> None:
        table = self.active_table()
        if table is not None:
            getattr(table, "action_" + action)(*args)

    # --- quality flag markers (docs/audit.md; docs/audit-screen.md) -------------------------

    @on(TicketTable.FlagsWanted)
    def _flags_wanted(self, event: TicketTable.FlagsWanted) -> None:
        event.stop()
        request = FlagsRequest(event.table, event.key, self.context.clock.now())
        # One read a table at a time: at a million tickets one took seconds, and paging
        # on started one per screenful, all at once (docs/speed.md, "Keys and loading
        # lag"). Rows shown meanwhile are asked for when it ends, the last ones only.
        if event.table in self.flags_reading:
            self.flags_reading[event.table] = request
        else:
            self._read_flags(request)

    @cached_property
    def flags_reading(self) -> dict[TicketTable, FlagsRequest | None]:
        """The tables whose flags are being read, with what they asked for since."""
        return {}

    def _read_flags(self, request: FlagsRequest) -> None:
        self.flags_reading[request.table] = None
        self.flag_marks.load(request)

    @cached_property
    def flag_marks(self) -> Loader[FlagsRequest, frozenset[str]]:
        # Not latest only: each table's answer counts (the overdue screen has four).
        # A failure is the live banner's to tell: the markers wait for the next rows.
        return Loader(
            self, lambda request: self.store.flagged_among(request.table_rows, request.as_of), self._flags_shown,
            what="live.failed", failed=lambda request, _error: self._flags_read(request), latest_only=False,
        )

    def _flags_shown(self, request: FlagsRequest, flagged: frozenset[str]) -> None:
        request.table.show_flagged(request.key, flagged)
        self._flags_read(request)

    def _flags_read(self, request: FlagsRequest) -> None:
        waiting = self.flags_reading.pop(request.table, None)
        if waiting is not None:
            self._read_flags(waiting)

    @on(TicketTable.Selected)
    def open_ticket(self, event: TicketTable.Selected) -> None:
        from woq_tui.screens.ticket import TicketScreen

        self.app.push_screen(TicketScreen(event.row.ticket_no))

    # --- export --------------------------------------------------------------------

    def export_source(self) -> Callable[[ConsoleStore], list[QueueRow]]:
        """On the UI thread: what reads, in the export's worker, the tickets `e` writes.
        By default those the table holds; the queue and the overdue lists read every
        ticket of what they show."""
        table = self.active_table()
        rows = list(table.window) if table is not None else []
        return lambda _store: rows

    def action_export(self) -> None:
        table = self.active_table()
        if table is None:
            return
        base = self.export_folder() / f"{self.EXPORT_NAME}-{self.export_stamp()}"
        try:
            svg = self.app.save_screenshot(filename=base.name + ".svg", path=str(base.parent))
        except OSError as exc:
            show_failure(self, "export.failed", exc)
            return
        context = self.context
        request = ExportRequest(
            base.with_suffix(".csv"), svg, self.export_source(), tuple(table.columns), context.policy,
            context.clock.now(), table.outbox_states(), context.settings.tz,
        )
        self.exporting.load(request)

    @cached_property
    def exporting(self) -> Loader[ExportRequest, int]:
        return Loader(self, self._write_export, self._exported, what="export.failed", latest_only=False)

    def _write_export(self, request: ExportRequest) -> int:
        rows = request.source(self.store)
        # the flag marker of every row written, not only of those on screen
        flagged = self.store.flagged_among([row.ticket_no for row in rows], request.now) if rows else frozenset()
        header, cells = export_cells(request.columns, rows, request.policy, request.now, request.outbox, request.tz, flagged)
        return write_csv(request.path, header, cells)

    def _exported(self, request: ExportRequest, count: int) -> None:
        self.notify(t("export.done", rows=count, csv=str(request.path), svg=request.svg), timeout=10)


@dataclass(frozen=True)
class ExportRequest:
    """What an export needs from the screen, taken on the UI thread."""

    path: Path
    svg: str
    source: Callable[[ConsoleStore], list[QueueRow]]
    columns: tuple[Column, ...]
    policy: SlaPolicy
    now: datetime
    outbox: dict[str, str]
    tz: tzinfo


@dataclass(frozen=True)
class FlagsRequest:
    """Which of a table's rows on screen carry a quality flag, at as_of."""

    table: TicketTable
    key: tuple
    as_of: datetime

    @property
    def table_rows(self) -> list[str]:
        return [ticket_no for ticket_no, _version in self.key[1]]
