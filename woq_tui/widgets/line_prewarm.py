"""The lines of the rows a page away, rendered while the console is idle, so that
pagedown and pageup find them made (docs/speed.md, "Keys and loading lag").

A page of a ticket list is ~40 lines never drawn before: rendering them took most of
a pagedown's time. After each paint the table's rows a page below and a page above
the view are rendered into its cache of lines (TicketTable.row_strip), a few lines a
step, each step a message of its own, so that a key pressed meanwhile waits for one
step at most. A line whose row, minute or marks changed since is rendered again when
shown, as any line is.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from woq_tui.widgets.ticket_table import TicketTable

# lines rendered per step (~0.5 ms each on a quiet machine)
STEP = 6


class LinePrewarm:
    def __init__(self, table: TicketTable) -> None:
        self.table = table
        self.todo: list[int] = []
        self.view: tuple[int, int, int] | None = None

    def after_paint(self) -> None:
        """The view was painted: render the pages around it, unless they are already."""
        table = self.table
        top, height, count = round(table.scroll_y), table.body_height, len(table.window)
        view = (top, height, count)
        if view == self.view:
            return
        self.view = view
        below = range(top + height, min(top + 2 * height, count))
        above = range(max(top - height, 0), top)
        scheduled = bool(self.todo)
        self.todo = [*below, *reversed(above)]
        if not scheduled and self.todo:
            table.call_later(self.step)

    def step(self) -> None:
        table = self.table
        if not table.is_attached or not table.display:
            self.todo.clear()
            return
        width = table.scrollable_content_region.width
        count = len(table.window)
        for index in self.todo[:STEP]:
            if index < count and index != table.cursor_index:
                table.row_strip(index, width)
        del self.todo[:STEP]
        if self.todo:
            table.call_later(self.step)
