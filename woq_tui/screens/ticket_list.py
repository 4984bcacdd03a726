"""What the ticket screens share: the write actions (urge, reassign), their refusal in
read-only mode, marks, opening the detail, export, pause, and the live refresh."""

from __future__ import annotations

import csv
from pathlib import Path

from textual import on, work
from textual.binding import Binding
from textual.worker import Worker

from woq_tui.errors import first_line
from woq_tui.i18n import t
from woq_tui.screens.base import WoqScreen
from woq_tui.values.queue import QueueRow
from woq_tui.widgets.refresh import RefreshStatus
from woq_tui.widgets.ticket_table import TicketTable


def refuse_write(screen, action_key: str) -> bool:
    """True (and a clear notification) when this console may not write."""
    context = screen.app.context
    if context.can_write:
        return False
    reason = "write.refused_read_only" if context.read_only else "write.refused_viewer"
    screen.notify(t(reason, action=t(action_key)), severity="warning")
    return True


class TicketActions:
    """urge and reassign on selected_rows(); mixed into screens before WoqScreen."""

    def selected_rows(self) -> list[QueueRow]:
        """The tickets an action applies to; screens that show tickets say which."""
        return []

    def action_reassign(self) -> None:
        if refuse_write(self, "action.reassign"):
            return
        rows = self.selected_rows()
        if not rows:
            self.notify(t("list.no_ticket"), severity="warning")
            return
        from woq_tui.screens.reassign import start_reassign
        from woq_tui.values.outbox import TicketRef  # httpx: only when asked

        start_reassign(self, [TicketRef(row.ticket_no, row.station_code, row.version) for row in rows])

    def action_urge(self) -> None:
        if refuse_write(self, "action.urge"):
            return
        rows = self.selected_rows()
        if not rows:
            self.notify(t("list.no_ticket"), severity="warning")
            return
        self.urge([row.ticket_no for row in rows])

    @work(thread=True, group="urge")
    def urge(self, ticket_nos: list[str]) -> None:
        from woq_tui.store import actions

        context = self.app.context
        try:
            result = actions.urge(context.sessions, context.clock, context.operator, ticket_nos)
        except Exception as exc:
            self.app.call_from_thread(self.notify, t("urge.failed", error=first_line(exc)), severity="error")
            return
        if result.skipped:
            message = t("urge.done_some", n=len(result.urged), skipped=len(result.skipped))
        else:
            message = t("urge.done", n=len(result.urged))
        self.app.call_from_thread(self.urged, message)

    def urged(self, message: str) -> None:
        self.notify(message)


class TicketListScreen(TicketActions, WoqScreen):
    """A main screen with one or more TicketTables and a RefreshStatus."""

    # The footer cannot show every key at 100 columns: `?` comes first (the app's own
    # comes last, and is cut off first), and the rarer keys are in the help only.
    BINDINGS = [
        Binding("question_mark", "app.help", "key.help", id="help", key_display="?"),
        Binding("space", "mark", "queue.key.mark", id="list.mark"),
        Binding("r", "reassign", "queue.key.reassign", id="list.reassign"),
        Binding("u", "urge", "queue.key.urge", id="list.urge"),
        Binding("p", "pause", "queue.key.pause", id="list.pause"),
        Binding("e", "export", "queue.key.export", id="list.export", show=False),
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

    def _on_table(self, action: str, *args) -> None:
        table = self.active_table()
        if table is not None:
            getattr(table, "action_" + action)(*args)

    def palette_commands(self) -> list[tuple[str, str, object]]:
        """Every key of the lists (keys.md: every action is also in the palette), except
        single steps up and down; subclasses put their own first."""
        return [
            (t("table.open"), "enter", lambda: self._on_table("select")),
            (t("queue.key.mark"), "space", self.action_mark),
            (t("queue.key.reassign"), "r", self.action_reassign),
            (t("queue.key.urge"), "u", self.action_urge),
            (t("queue.key.pause"), "p", self.action_pause),
            (t("queue.key.export"), "e", self.action_export),
            (t("table.first"), "g home", lambda: self._on_table("first")),
            (t("table.last"), "G end", lambda: self._on_table("last")),
            (t("table.page_down"), "pagedown", lambda: self._on_table("page", 1)),
            (t("table.page_up"), "pageup", lambda: self._on_table("page", -1)),
        ]

    @on(TicketTable.Selected)
    def open_ticket(self, event: TicketTable.Selected) -> None:
        from woq_tui.screens.ticket import TicketScreen

        self.app.push_screen(TicketScreen(event.row.ticket_no))

    # --- export --------------------------------------------------------------------

    def export_dir(self) -> Path:
        return Path.cwd()

    def action_export(self) -> None:
        table = self.active_table()
        if table is None:
            return
        context = self.app.context
        stamp = context.clock.now().astimezone(context.settings.tz).strftime("%Y%m%d-%H%M%S")
        base = self.export_dir() / f"{self.EXPORT_NAME}-{stamp}"
        header, rows = table.export_rows()
        try:
            svg = self.app.save_screenshot(filename=base.name + ".svg", path=str(base.parent))
        except OSError as exc:
            self.notify(t("export.failed", error=first_line(exc)), severity="error")
            return
        self.write_csv(base.with_suffix(".csv"), header, rows, svg)

    @work(thread=True, group="export")
    def write_csv(self, path: Path, header: list[str], rows: list[list[str]], svg: str) -> None:
        try:
            with path.open("w", newline="", encoding="utf-8-sig") as file:  # BOM: Excel reads UTF-8
                writer = csv.writer(file)
                writer.writerow(header)
                writer.writerows(rows)
        except OSError as exc:
            self.app.call_from_thread(self.notify, t("export.failed", error=first_line(exc)), severity="error")
            return
        self.app.call_from_thread(self.notify, t("export.done", rows=len(rows), csv=str(path), svg=svg))
