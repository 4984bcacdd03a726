"""The list keys of docs/keys.md (`up`/`k`, `down`/`j`, `home`/`g`, `end`/`G`) for the
DataTable lists, as on the ticket lists (DataTable's own home/end scroll sideways)."""

from __future__ import annotations

from textual.binding import Binding, BindingType

DATA_TABLE_KEYS: list[BindingType] = [
    Binding("up,k", "cursor_up", "table.up", show=False),
    Binding("down,j", "cursor_down", "table.down", show=False),
    Binding("home,g", "scroll_top", "table.first", show=False),
    Binding("end,G", "scroll_bottom", "table.last", show=False),
]
