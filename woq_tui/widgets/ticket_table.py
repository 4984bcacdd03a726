"""A virtualised ticket list: draws only the lines on screen from a TicketWindow.

Why not DataTable: docs/queue.md and docs/decisions.md ("Facts measured"). Here a
repaint costs the visible lines only, rows are placed by key, and the cursor is a ticket
number: it stays on its ticket whatever a refresh adds or removes above it, and the view
scrolls by the same amount so the ticket stays on the same screen line.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from datetime import datetime

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from woq_tui.domain.sla import SlaPolicy
from woq_tui.i18n import t
from woq_tui.values.queue import QueueRow
from woq_tui.widgets import symbols
from woq_tui.widgets.line_prewarm import LinePrewarm
from woq_tui.widgets.sla_cell import COMPONENT
from woq_tui.widgets.ticket_columns import COLUMNS, QUEUE_COLUMNS, CellContext, Column, ellipsize
from woq_tui.widgets.ticket_window import Applied, OutboxMarks, TicketWindow
from woq_tui.widgets.translated import TranslatedBindings

# How long a changed row stays highlighted.
FLASH_SECONDS = 2.0
# Row highlights, weakest first: a row that just changed, a marked row, the cursor.
HIGHLIGHTS = ("ticket-table--changed", "ticket-table--marked", "ticket-table--cursor")


class TicketTable(TranslatedBindings, ScrollView, can_focus=True):
    """Rows of a TicketWindow, a cursor on a ticket, marks by ticket number."""

    BINDINGS = [
        Binding("up,k", "cursor(-1)", "table.up", show=False),
        Binding("down,j", "cursor(1)", "table.down", show=False),
        Binding("pageup", "page(-1)", "table.page_up", show=False),
        Binding("pagedown", "page(1)", "table.page_down", show=False),
        Binding("home,g", "first", "table.first", show=False),
        Binding("end,G", "last", "table.last", show=False),
        Binding("enter", "select", "table.open", show=False),
    ]
    COMPONENT_CLASSES = {
        "ticket-table--header", "ticket-table--cursor", "ticket-table--marked", "ticket-table--changed",
        "ticket-table--odd", "sla--overdue", "sla--at-risk", "sla--ok",
    }
    DEFAULT_CSS = """
    TicketTable {
        height: 1fr;
        overflow-x: hidden;
        overflow-y: auto;
        scrollbar-gutter: stable;
    }
    TicketTable > .ticket-table--header { background: $panel; color: $foreground; text-style: bold; }
    TicketTable > .ticket-table--cursor { background: $block-cursor-blurred-background; }
    TicketTable:focus > .ticket-table--cursor { background: $block-cursor-background; color: $block-cursor-foreground; }
    TicketTable > .ticket-table--marked { background: $accent 30%; color: $foreground; }
    TicketTable > .ticket-table--changed { background: $success 25%; color: $foreground; }
    TicketTable > .ticket-table--odd { background: $surface-lighten-1 30%; }
    TicketTable > .sla--overdue { color: $text-error; text-style: bold; }
    TicketTable > .sla--at-risk { color: $text-warning; text-style: bold; }
    TicketTable > .sla--ok { color: $text-success; }
    """

    cursor_key: reactive[str | None] = reactive(None, always_update=True, repaint=False)

    class Selected(Message):
        """enter on a ticket."""

        def __init__(self, table: TicketTable, row: QueueRow) -> None:
            super().__init__()
            self.table = table
            self.row = row

        @property
        def control(self) -> TicketTable:
            return self.table

    class FlagsWanted(Message):
        """Which rows on screen carry a quality flag? (ConsoleStore.flagged_among; show_flagged.)"""

        def __init__(self, table: TicketTable, key: tuple) -> None:
            super().__init__()
            self.table, self.key = table, key

    class NeedMore(Message):
        """The cursor reached the last row fetched and more rows exist."""

        def __init__(self, table: TicketTable) -> None:
            super().__init__()
            self.table = table

        @property
        def control(self) -> TicketTable:
            return self.table

    def __init__(
        self,
        window: TicketWindow,
        columns: Iterable[str] = QUEUE_COLUMNS,
        *,
        now: Callable[[], datetime],
        policy: SlaPolicy,
        outbox: OutboxMarks | None = None,
        markable: bool = True,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(id=id, classes=classes)
        self.window = window
        self.columns = [COLUMNS[name] for name in columns]
        self._now = now
        self.policy = policy
        self.outbox = outbox if outbox is not None else OutboxMarks()
        self._show_optional = False
        self.markable = markable
        self.marked: set[str] = set()
        self._flash: dict[str, float] = {}
        self._cursor = 0
        self.empty_text = ""
        self._ticket_width = 16
        self._columns_fit: tuple | None = None
        self._styles: dict[str, Style] | None = None
        self._strips: dict[tuple, Strip] = {}
        self.prewarm = LinePrewarm(self)
        # tickets with a quality flag; (minute, ((ticket_no, version), ...)) of the rows
        # last answered / last asked (FlagsWanted)
        self.flagged: frozenset[str] = frozenset()
        self.flags_key: tuple | None = None
        self._flags_asked: tuple | None = None

    # --- the cursor ----------------------------------------------------------------

    @property
    def cursor_row(self) -> QueueRow | None:
        if not len(self.window):
            return None
        return self.window.row_at(min(self._cursor, len(self.window) - 1))

    @property
    def cursor_index(self) -> int:
        return self._cursor

    @property
    def body_height(self) -> int:
        return max(self.scrollable_content_region.height - 1, 1)

    def move_to(self, index: int) -> None:
        count = len(self.window)
        old = self._cursor
        self._cursor = max(0, min(index, count - 1)) if count else 0
        row = self.cursor_row
        self.cursor_key = row.ticket_no if row else None
        top = round(self.scroll_y)
        self._scroll_to_cursor()
        if round(self.scroll_y) == top:
            # Only the two lines the cursor left and entered change.
            self.refresh_line(old + 1)
            self.refresh_line(self._cursor + 1)
        else:
            self.refresh()
        if count and self._cursor >= count - 1 and not self.window.complete:
            self.post_message(self.NeedMore(self))

    def _scroll_to_cursor(self) -> None:
        top = round(self.scroll_y)
        if self._cursor < top:
            top = self._cursor
        elif self._cursor >= top + self.body_height:
            top = self._cursor - self.body_height + 1
        if top != round(self.scroll_y):
            self.scroll_to(y=top, animate=False, immediate=True)

    def action_cursor(self, delta: int) -> None:
        self.move_to(self._cursor + delta)

    def action_page(self, direction: int) -> None:
        self.move_to(self._cursor + direction * self.body_height)

    def action_first(self) -> None:
        self.move_to(0)

    def action_last(self) -> None:
        self.move_to(len(self.window) - 1)

    def action_select(self) -> None:
        row = self.cursor_row
        if row is not None:
            self.post_message(self.Selected(self, row))

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None or offset.y < 1:
            return
        index = round(self.scroll_y) + offset.y - 1
        if index < len(self.window):
            if event.chain == 2 and index == self._cursor:
                self.action_select()
            else:
                self.move_to(index)

    # --- marks ---------------------------------------------------------------------

    def toggle_mark(self) -> None:
        row = self.cursor_row
        if row is None or not self.markable:
            return
        self.marked.symmetric_difference_update({row.ticket_no})
        self.refresh()

    def marked_rows(self) -> list[QueueRow]:
        return [row for row in self.window if row.ticket_no in self.marked]

    # --- changes -------------------------------------------------------------------

    def remember_cursor(self) -> tuple[str | None, int, int]:
        row = self.cursor_row
        return (row.ticket_no if row else None, self._cursor, self._cursor - round(self.scroll_y))

    def restore_cursor(self, remembered: tuple[str | None, int, int], applied: Applied | None = None) -> None:
        """After the window changed: the cursor back on its ticket (or, if that left,
        on the row now at its place), on the same screen line."""
        ticket_no, old_index, line = remembered
        position = self.window.position(ticket_no) if ticket_no else None
        index = position if position is not None else old_index
        count = len(self.window)
        self._cursor = max(0, min(index, count - 1)) if count else 0
        self.marked.intersection_update(self.window.keys())
        if applied is not None:
            stamp = time.monotonic()
            for changed in (*applied.added, *applied.updated):
                self._flash[changed] = stamp
            if applied.added or applied.updated:
                self.set_timer(FLASH_SECONDS + 0.05, self._end_flash)
        self._update_virtual_size()
        top = max(0, min(self._cursor - line, max(count - self.body_height, 0)))
        self.scroll_to(y=top, animate=False, immediate=True)
        row = self.cursor_row
        new_key = row.ticket_no if row else None
        if new_key != self.cursor_key:
            self.cursor_key = new_key
        self.refresh()

    def _end_flash(self) -> None:
        cutoff = time.monotonic() - FLASH_SECONDS
        self._flash = {key: stamp for key, stamp in self._flash.items() if stamp > cutoff}
        self.refresh()

    def _update_virtual_size(self) -> None:
        # Ticket numbers vary by site (16 to 20 digits are common): fit the longest held.
        longest = max((cell_len(row.ticket_no) for row in self.window), default=0)
        self._ticket_width = max(10, min(longest, 24))
        size = Size(self.scrollable_content_region.width, len(self.window) + 1)
        if size == self.virtual_size:
            return
        if size.width == self.virtual_size.width and self.show_vertical_scrollbar == (size.height > self.container_size.height):
            # Only the rows' count changed and the scrollbar stays (shown or not): this
            # widget and its scrollbar's thumb are redrawn, not the screen laid out
            # again and every widget on it repainted (a new order's frame paid ~10 ms
            # for that; docs/speed.md, "Keys and loading lag").
            self.set_reactive(TicketTable.virtual_size, size)
            if self.show_vertical_scrollbar:
                self.vertical_scrollbar.window_virtual_size = size.height
                self.vertical_scrollbar.refresh()
            self.refresh()
        else:
            self.virtual_size = size

    def on_resize(self) -> None:
        self._update_virtual_size()
        self._scroll_to_cursor()

    def on_mount(self) -> None:
        self._update_virtual_size()

    # --- drawing -------------------------------------------------------------------

    def _layout(self, total: int) -> list[tuple[Column, int]]:
        """The columns that fit, with their widths; the flexible one takes the rest."""
        fit_key = (total, self._ticket_width, self._show_optional)
        if self._columns_fit is not None and self._columns_fit[0] == fit_key:
            return self._columns_fit[1]
        shown = [
            column
            for column in self.columns
            if total >= column.hide_below and (self._show_optional or not column.optional)
        ]

        def fixed_width(column: Column) -> int:
            if column.id == "ticket_no":
                return self._ticket_width
            if column.fit_words:
                widest = max(cell_len(t(word)) for word in (*column.fit_words, column.title_key))
                return min(max(widest, 4), column.max_width)
            if column.fit is not None:
                return min(max(cell_len(word) for word in column.fit()), column.max_width)
            if column.narrow is not None and total < column.narrow[0]:
                return column.narrow[1]
            return column.width

        fixed = {column.id: fixed_width(column) for column in shown if column.width}
        flexible = [column for column in shown if not column.width]
        left = max(total - sum(fixed.values()) - len(shown) - 1, 0)
        layout = [
            (column, fixed[column.id] if column.width else max(left // max(len(flexible), 1), column.min_width))
            for column in shown
        ]
        self._columns_fit = (fit_key, layout)
        return layout

    def _header(self, width: int) -> Strip:
        style = self._style_set()["base"] + self._style_set()["ticket-table--header"]
        text = Text(" ", style=style, end="")
        for column, cell_width in self._layout(width):
            title = Text(t(column.title_key))
            title.truncate(cell_width, overflow="ellipsis", pad=True)
            text.append_text(title)
            text.append(" ")
        return self._strip(text, width, style)

    def _strip(self, text: Text, width: int, style: Style, post: Style | None = None) -> Strip:
        text.truncate(width, overflow="crop", pad=True)
        segments = list(text.render(self.app.console))
        return Strip(Segment.apply_style(segments, style, post), width).adjust_cell_length(width, style)

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._styles = None
        self._strips.clear()

    def _on_focus(self, event: events.Focus) -> None:
        self._styles = None
        self._strips.clear()
        self.refresh()

    def _on_blur(self, event: events.Blur) -> None:
        self._styles = None
        self._strips.clear()
        self.refresh()

    def _style_set(self) -> dict[str, Style]:
        """The component styles, resolved once per focus and stylesheet change. A
        row highlight's background is blended over the table's own here (Rich styles
        have no alpha: `$accent 30%` came out as full orange), and its text colour
        made solid, so that a highlighted row reads at 4.5:1 (tests/test_contrast.py)."""
        if self._styles is None:
            styles = {name: self.get_component_rich_style(name, partial=True) for name in self.COMPONENT_CLASSES}
            base_background = self.background_colors[1]
            for name in HIGHLIGHTS:
                rules = self.get_component_styles(name)
                background = base_background + rules.background
                color = background + rules.color if rules.has_rule("color") else background + self.styles.color
                styles[name] += Style(color=color.rich_color, bgcolor=background.rich_color)
            styles["base"] = self.rich_style
            self._styles = styles
        return self._styles

    def render_lines(self, crop):
        # Once per repaint, not per line: does any row held show a reassignment state?
        if len(self.outbox):
            now = self._now()
            window = self.window
            self._show_optional = any(no in window and self.outbox.shown(no, now) for no in self.outbox)
        else:
            self._show_optional = False
        self._want_flags()
        self.prewarm.after_paint()
        return super().render_lines(crop)

    def _want_flags(self) -> None:
        """Ask for the flags of the rows on screen when they, their versions or the
        minute (some rules depend on the time) changed since last asked."""
        top = round(self.scroll_y)
        end = min(top + self.body_height, len(self.window))
        rows = tuple((row.ticket_no, row.version) for row in map(self.window.row_at, range(top, end)))
        key = (int(self._now().timestamp()) // 60, rows)
        if rows and key not in (self.flags_key, self._flags_asked):
            self._flags_asked = key
            self.post_message(self.FlagsWanted(self, key))

    def show_flagged(self, key: tuple, flagged: frozenset[str]) -> None:
        """The answer for the rows of `key`: their markers, redrawn."""
        self.flagged = (self.flagged - {ticket_no for ticket_no, _version in key[1]}) | flagged
        self.flags_key = key
        self.refresh()

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        if y == 0:
            return self._header(width)
        index = round(self.scroll_y) + y - 1
        if index < len(self.window):
            return self.row_strip(index, width)
        if index == 0 and self.empty_text:
            return self._strip(Text("  " + self.empty_text, style="italic"), width, self._style_set()["base"])
        return Strip.blank(width, self._style_set()["base"])

    def row_strip(self, index: int, width: int) -> Strip:
        """The line of the row at `index` (held in the cache of rendered lines)."""
        styles = self._style_set()
        base = styles["base"]
        row = self.window.row_at(index)
        now = self._now()
        flashing = row.ticket_no in self._flash and time.monotonic() - self._flash[row.ticket_no] < FLASH_SECONDS
        marked = row.ticket_no in self.marked
        outbox = self.outbox.shown(row.ticket_no, now) if len(self.outbox) else None
        flagged = row.ticket_no in self.flagged
        # A row's line changes with the row, the minute, its place, its marks, its
        # reassignment state and its flag (and the columns shown): cache it.
        key = (
            row, width, int(now.timestamp()) // 60, index % 2, flashing, marked, index == self._cursor,
            outbox, self._show_optional, flagged,
        )
        strip = self._strips.get(key)
        if strip is not None:
            return strip
        state = self.policy.state(row.created_at, row.due_at, now)
        context = CellContext(now, self.policy, state, {s: styles[name] for s, name in COMPONENT.items()}, outbox, flagged)
        style = base
        if index % 2:
            style += styles["ticket-table--odd"]
        # The strongest highlight decides the row's colours, its text in one colour
        # (the SLA state still reads by its symbol and word).
        highlight = "ticket-table--cursor" if index == self._cursor else (
            "ticket-table--marked" if marked else "ticket-table--changed" if flashing else None
        )
        post = None
        if highlight is not None:
            style += styles[highlight]
            post = Style(color=styles[highlight].color)
        text = Text(symbols.MARK if marked else " ", end="")
        for column, cell_width in self._layout(width):
            value = column.render(row, context)
            cell = value if isinstance(value, Text) else Text(value or "")
            cell.no_wrap = True
            if column.shorten is not None and cell_len(cell.plain) > cell_width:
                cell = Text(column.shorten(cell.plain), style=cell.style)
            if cell_len(cell.plain) > cell_width:
                cell = ellipsize(cell, cell_width)
            cell.truncate(cell_width, pad=True)
            text.append_text(cell)
            text.append(" ")
        strip = self._strip(text, width, style, post)
        if len(self._strips) > 2000:
            self._strips.clear()
        self._strips[key] = strip
        return strip

    def outbox_states(self) -> dict[str, str]:
        """The reassignment state each held row shows now (for an export)."""
        now = self._now()
        return {no: state for no in self.outbox if (state := self.outbox.shown(no, now)) is not None}
