"""`5`: the outbox of reassignments and reclassifications, live. Every entry not confirmed, and those confirmed in
the last 24 hours, with state, attempts and last error; `t` retries a failed entry, `d`
drops one (after asking). Rows are updated by key as the pusher reports, and read again
every refresh interval (widgets/refresh.py) for entries written by other processes."""

from __future__ import annotations

from dataclasses import replace
from functools import cached_property

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Static

from woq_tui.domain.enums import OutboxState
from woq_tui.i18n import t
from woq_tui.outbox_feed import OutboxChanged
from woq_tui.outbox_words import RECLASSIFY, error_words, move_of, target_of, type_name
from woq_tui.screens.base import WoqScreen
from woq_tui.screens.confirm import ConfirmScreen
from woq_tui.values.outbox import OutboxView, TicketRef
from woq_tui.widgets import symbols
from woq_tui.widgets.loader import Loader
from woq_tui.widgets.refresh import RefreshStatus

# By the state as read (a str: OutboxState is a StrEnum, equal to its value).
STATE_STYLE: dict[str, str] = {
    OutboxState.pending: "yellow",
    OutboxState.confirmed: "green",
    OutboxState.conflict: "bold magenta",
    OutboxState.refused: "bold red",
    OutboxState.failed: "bold red",
}
SYMBOL: dict[str, str] = {str(state): symbol for state, symbol in symbols.OUTBOX.items()}
COLUMNS = ("state", "ticket", "move", "next", "attempts", "requested", "id", "error")


def _signature(entry: OutboxView) -> tuple:
    return (entry.state, entry.attempts, entry.last_error, entry.next_attempt_at)


def next_step(entry: OutboxView, tz) -> Text:
    """What happens to the entry now, in words (docs/dispatch.md): a pending one is
    sent again by itself (at this time), anything else needs a person."""
    if entry.state == OutboxState.pending:
        if entry.next_attempt_at is None:
            return Text(t("outbox.next.now"))
        return Text(t("outbox.next.at", time=entry.next_attempt_at.astimezone(tz).strftime("%H:%M:%S")))
    if entry.state == OutboxState.confirmed:
        return Text("")
    if entry.kind == RECLASSIFY and entry.state in (OutboxState.conflict, OutboxState.refused):
        return Text(t(f"outbox.next.person.{entry.state}.reclassify"), "bold")  # r reclassifies again
    return Text(t(f"outbox.next.person.{entry.state}"), "bold")


def state_cell(state: str) -> Text:
    symbol, style = SYMBOL.get(state, "?"), STATE_STYLE.get(state, "")
    return Text(f"{symbol} {t(f'outbox.state.{state}')}", style=style)


class OutboxScreen(WoqScreen):
    TITLE_KEY = "screen.outbox"
    BINDINGS = [
        Binding("t", "retry", "outbox.key.retry", id="outbox.retry"),
        Binding("d,delete", "drop", "outbox.key.drop", id="outbox.drop"),
        Binding("r", "reassign", "queue.key.reassign", id="outbox.reassign"),
        Binding("enter", "open_ticket", "table.open", id="outbox.open"),
    ]
    DEFAULT_CSS = """
    OutboxScreen #summary { height: 1; padding: 0 1; color: $text-muted; }
    OutboxScreen #entries { height: 1fr; }
    OutboxScreen #detail { height: auto; min-height: 1; padding: 0 1; background: $panel; }
    OutboxScreen #empty { height: 1fr; content-align: center middle; color: $text-muted; }
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.entries: dict[str, OutboxView] = {}

    def compose_body(self) -> ComposeResult:
        yield RefreshStatus(self, self.context.settings.console.refresh_seconds, shows_lag=False)
        yield Static("", id="summary")
        table: DataTable = DataTable(id="entries", cursor_type="row", zebra_stripes=True)
        yield table
        yield Static("", id="empty")
        yield Static("", id="detail")

    def on_mount(self) -> None:
        super().on_mount()
        table = self.query_one("#entries", DataTable)
        for name in COLUMNS:
            table.add_column(t(f"outbox.col.{name}"), key=name)
        self.load()

    def on_screen_resume(self) -> None:
        if self.is_mounted:
            self.load()

    def load(self) -> None:
        self.query_one(RefreshStatus).fetch()

    # --- LiveSource ----------------------------------------------------------------

    def live_request(self) -> None:
        return None

    def fetch_live(self, _request: None) -> list[OutboxView]:
        return self.store.outbox_entries()

    def apply_live(self, _request: None, entries: list[OutboxView]) -> None:
        self.show(entries)

    # -- showing -----------------------------------------------------------------------

    def _cells(self, entry: OutboxView) -> dict[str, object]:
        tz = self.context.settings.tz
        return {
            "state": state_cell(entry.state),
            "ticket": entry.ticket_no,
            "move": move_of(entry.kind, entry.from_station, entry.to_station, entry.from_type, entry.to_type),
            "next": next_step(entry, tz),
            "attempts": str(entry.attempts),
            "requested": entry.requested_at.astimezone(tz).strftime("%m-%d %H:%M:%S"),
            "id": entry.id[:8],
            "error": Text(error_words(entry.last_error), overflow="ellipsis", no_wrap=True),
        }

    def show(self, entries: list[OutboxView]) -> None:
        """Apply a fresh list: update rows by key; rebuild only when rows come or go."""
        table = self.query_one("#entries", DataTable)
        # Unsettled entries first, newest first within each group.
        entries = sorted(entries, key=lambda e: (e.state == OutboxState.confirmed, -e.requested_at.timestamp(), e.id))
        keys = [entry.id for entry in entries]
        if keys != [row.value for row in table.rows]:
            cursor_key = self._cursor_key()
            table.clear()
            for entry in entries:
                table.add_row(*self._cells(entry).values(), key=entry.id)
            if cursor_key in keys:
                table.move_cursor(row=keys.index(cursor_key))
        else:
            for entry in entries:
                known = self.entries.get(entry.id)
                if known is None or _signature(known) != _signature(entry):
                    self._update_row(entry)
        self.entries = {entry.id: entry for entry in entries}
        self._show_summary()
        self._show_detail()

    def _update_row(self, entry: OutboxView) -> None:
        table = self.query_one("#entries", DataTable)
        for column, value in self._cells(entry).items():
            table.update_cell(entry.id, column, value)

    def _show_summary(self) -> None:
        counts = {state.value: 0 for state in OutboxState}
        for entry in self.entries.values():
            counts[entry.state] = counts.get(entry.state, 0) + 1
        self.query_one("#summary", Static).update(t("outbox.summary", **counts))
        empty = self.query_one("#empty", Static)
        if not self.context.settings.dispatch.base_url:
            empty.update(t("outbox.off"))
        else:
            empty.update(t("outbox.empty"))
        empty.display = not self.entries
        self.query_one("#entries", DataTable).display = bool(self.entries)

    def _cursor_key(self) -> str | None:
        table = self.query_one("#entries", DataTable)
        if not table.row_count:
            return None
        return table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value

    def current(self) -> OutboxView | None:
        key = self._cursor_key()
        return self.entries.get(key) if key else None

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open_ticket()

    def on_data_table_row_highlighted(self) -> None:
        self._show_detail()

    def _show_detail(self) -> None:
        entry = self.current()
        detail = self.query_one("#detail", Static)
        if entry is None:
            detail.update("")
            return
        tz = self.context.settings.tz
        next_try = entry.next_attempt_at.astimezone(tz).strftime("%H:%M:%S") if entry.next_attempt_at else t("none")
        if entry.kind == RECLASSIFY:
            origin, target = type_name(entry.from_type), type_name(entry.to_type)
        else:
            origin, target = entry.from_station or "?", entry.to_station or "?"
        text = Text(
            t(
                "outbox.detail",
                ticket=entry.ticket_no,
                from_station=origin,
                to_station=target,
                reason=entry.reason,
                operator=entry.operator,
                next=next_try if entry.state == OutboxState.pending else t("none"),
            )
        )
        if entry.last_error:
            text.append("\n" + error_words(entry.last_error), style="red")
        detail.update(text)

    def on_outbox_changed(self, message: OutboxChanged) -> None:
        change = message.change
        entry = self.entries.get(change.entry_id)
        if entry is None:
            self.load()
            return
        updated = replace(
            entry, state=change.state, attempts=change.attempts, last_error=change.last_error,
            next_attempt_at=change.next_attempt_at,
        )
        self.entries[change.entry_id] = updated
        self._update_row(updated)
        self._show_summary()
        self._show_detail()

    # -- retry and drop ----------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("retry", "drop", "reassign") and not self.context.can_write:
            return False  # a read-only console does not touch the outbox
        return True

    def action_open_ticket(self) -> None:
        entry = self.current()
        if entry is not None:
            from woq_tui.screens.ticket import TicketScreen

            self.app.push_screen(TicketScreen(entry.ticket_no))

    def action_reassign(self) -> None:
        """Send the entry's command again (after a conflict or a refusal), from where
        the ticket is now: the reassign dialog, or the reclassify one for a
        reclassification."""
        entry = self.current()
        if entry is not None:
            self.current_ref.load((entry.ticket_no, entry.kind))

    @cached_property
    def current_ref(self) -> Loader[tuple[str, str], TicketRef | None]:
        return Loader(self, lambda request: self.store.ticket_ref(request[0]), self._again, what="db.unreachable")

    def _again(self, request: tuple[str, str], ref: TicketRef | None) -> None:
        ticket_no, kind = request
        if ref is None:
            self.notify(t("ticket.not_found", no=ticket_no), severity="warning")
            return
        if kind == RECLASSIFY:
            from woq_tui.screens.reclassify import start_reclassify

            start_reclassify(self, [ref])
            return
        from woq_tui.screens.reassign import start_reassign

        start_reassign(self, [ref])

    def action_retry(self) -> None:
        entry = self.current()
        if entry is None:
            return
        if entry.state in (OutboxState.conflict, OutboxState.refused):
            self.notify(t("outbox.retry_final", state=t(f"outbox.state.{entry.state}")), severity="warning")
            return
        if entry.state == OutboxState.confirmed:
            self.notify(t("outbox.retry_confirmed"))
            return
        self.editing.load(("retry", entry.id, entry.ticket_no))

    def action_drop(self) -> None:
        entry = self.current()
        if entry is None:
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.editing.load(("drop", entry.id, entry.ticket_no))

        self.app.push_screen(
            ConfirmScreen(
                t("outbox.drop_question", ticket=entry.ticket_no, station=target_of(entry.kind, entry.to_station, entry.to_type))
            ),
            answered,
        )

    @cached_property
    def editing(self) -> Loader[tuple[str, str, str], OutboxView]:
        """Retry or drop one entry: (what, entry id, ticket number)."""
        return Loader(self, self._edit, self._edited, what="outbox.edit_failed", latest_only=False)

    def _edit(self, request: tuple[str, str, str]) -> OutboxView:
        what, entry_id, _ticket_no = request
        return self.store.retry_entry(entry_id) if what == "retry" else self.store.drop_entry(entry_id)

    def _edited(self, request: tuple[str, str, str], _entry: OutboxView) -> None:
        what, _entry_id, ticket_no = request
        self.notify(t("outbox.retried" if what == "retry" else "outbox.dropped", ticket=ticket_no))
        pusher = getattr(self.app, "outbox_pusher", None)
        if pusher is not None:
            pusher.wake()
        self.load()
