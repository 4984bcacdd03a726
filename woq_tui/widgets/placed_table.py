"""A DataTable whose rows are placed in one step and never measured: showing a load or
a new order costs the UI thread the lines on screen, not the cells held
(docs/speed.md, "Keys and loading lag").

Textual's DataTable, given rows one `add_row` at a time, bumps its update count and
walks its columns for each, and on idle measures every cell of every new row, although
a column given its width never reads what was measured; then it renders every cell of
a line on screen, also those scrolled off sideways, each through Rich's Padding and
Styled with its CSS looked up again. At 3,000 stations that was seconds on the UI
thread per load or sort. This table is for a DataTable whose every column has its
width and every row one line (the station table): `place` puts the columns and rows
in at once, nothing is measured, and a line is made from its cells on screen, each
rendered once per cell and width and styled for its place from styles looked up once.
What it draws is DataTable's own rendering, segment for segment (tests/test_placed_table.py
holds the two side by side), so that the station screen's snapshots stay as they were.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import chain
from typing import cast

from rich.console import RenderableType
from rich.padding import Padding
from rich.segment import Segment
from rich.style import Style
from rich.text import Text, TextType
from textual._segment_tools import line_crop
from textual._two_way_dict import TwoWayDict
from textual.cache import LRUCache
from textual.coordinate import Coordinate
from textual.strip import Strip
from textual.widgets import DataTable
from textual.widgets.data_table import CellType, ColumnKey, Row, RowKey

# the caches of rendered cells and of cell styles are emptied past this many entries:
# four screens of cells at 200×50; each entry is objects the garbage collector walks
PLAIN_CELLS = 5_000
NULL = Style.null()


@dataclass(frozen=True)
class _Look:
    fixed: Style
    # the even rows', the odd rows', the fixed rows'
    rows: tuple[Style, Style]
    fixed_rows: Style


class PlacedTable(DataTable):
    """`place(columns, rows)` instead of clear / add_column / add_row."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        # (cell object, width) -> its lines rendered with no style: a cell's segments
        # restyled are what DataTable renders with the style (Styled applies the style to
        # each segment of the padded cell, as Segment.apply_style does here)
        self._plain_cells: dict[tuple[int, int], tuple[object, list[list[Segment]]]] = {}
        # per (base style, focus): the styles of a line; per place, cursor and hover: a
        # cell's styles before and after its own, and the sums made with them (cleared
        # when the CSS changes)
        self._looks: dict[tuple, _Look] = {}
        self._pre_styles: dict[tuple, tuple[Style, Style, dict[Style | None, Style | None]]] = {}
        self._widths: tuple[tuple, list[int]] = ((), [])
        # DataTable's _row_render_cache, keyed by whether the cursor is on the row
        self._row_lines: LRUCache[tuple, tuple[list[list[Segment]], list[list[Segment]]]] = LRUCache(1000)
        # each row's cells in the columns' order, as placed, while the update count is
        # the one they were placed at: what DataTable._get_row_renderables gives for
        # Text cells (its default formatter returns a Text as it is), without making it
        # again for each line of each new order
        self._row_cells: tuple[int, dict[RowKey, list]] = (-1, {})

    def place(self, columns: Sequence[tuple[str, TextType, int]], rows: Iterable[tuple[str, Sequence[CellType]]]) -> None:
        """Show `columns` (key, label, width) and `rows` (key, cells in the columns'
        order), in that order; the cursor and scroll back at the top, as after clear()."""
        self.clear(columns=True)
        for key, label, width in columns:
            self.add_column(label, key=key, width=width)
        keys = [ColumnKey(key) for key, _label, _width in columns]
        locations: dict[RowKey, int] = {}
        data, placed = self._data, self.rows
        row_cells: dict[RowKey, list] = {}
        every_text = True
        for index, (key, cells) in enumerate(rows):
            row_key = RowKey(key)
            locations[row_key] = index
            data[row_key] = dict(zip(keys, cells, strict=True))
            placed[row_key] = Row(row_key, 1)
            row_cells[row_key] = list(cells)
            every_text = every_text and all(isinstance(cell, Text) for cell in cells)
        self._row_locations = TwoWayDict(locations)
        self._update_count += 1
        self._row_cells = (self._update_count, row_cells if every_text else {})
        self._require_update_dimensions = True
        # what add_row's reassignment of the cursor does: clamp it to the rows now held
        self.cursor_coordinate = self.cursor_coordinate
        if self.row_count and self.columns and self.show_cursor and self.cursor_type != "none":
            self._highlight_cursor()
        if len(self._plain_cells) > PLAIN_CELLS:
            self._plain_cells.clear()
        if len(self._pre_styles) > PLAIN_CELLS:
            self._pre_styles.clear()
        self.check_idle()

    def reorder(self, columns: Sequence[tuple[str, TextType, int]], rows: Sequence[str]) -> None:
        """The rows placed last, in the order of `rows` (their keys), under `columns`
        (the same keys as placed, in the same order; labels and widths may differ): what
        `place` with the same cells shows, the cells not made again."""
        for key, label, width in columns:
            column = self.columns[ColumnKey(key)]
            column.label = Text.from_markup(label) if isinstance(label, str) else label
            column.width = width
        self._row_locations = TwoWayDict({RowKey(key): index for index, key in enumerate(rows)})
        # what clear() does besides emptying the table
        self._clear_caches()
        self._update_count += 1
        if self._row_cells[0] == self._update_count - 1:
            self._row_cells = (self._update_count, self._row_cells[1])
        self._require_update_dimensions = True
        self.cursor_coordinate = Coordinate(0, 0)
        self.hover_coordinate = Coordinate(0, 0)
        self.refresh()
        self.scroll_x = self.scroll_y = 0
        self.scroll_target_x = self.scroll_target_y = 0
        self.check_idle()

    def _update_dimensions(self, new_rows: Iterable[RowKey]) -> None:
        # Every row is one line and every column has its width: what measuring the new
        # rows would find is read by nothing (Column.get_render_width reads it only for
        # a column without a width), so only the virtual size is computed.
        super()._update_dimensions(())

    def notify_style_update(self) -> None:
        self._looks.clear()
        self._pre_styles.clear()
        self._row_lines.clear()
        super().notify_style_update()

    def _render_line_in_row(self, row_key, line_no, base_style, cursor_location, hover_location):
        """DataTable's line of a row, made with what is known per line looked up once
        and only the cells that show: it renders every cell of the row, each through
        Rich's Padding and Styled, looking up the CSS for each (~1.5 ms a line)."""
        if row_key is self._header_row_key or self._should_render_row_labels or self.cursor_type != "row":
            return super()._render_line_in_row(row_key, line_no, base_style, cursor_location, hover_location)
        scroll_x, width = self.scroll_offset.x, self.size.width
        row_index = self._row_locations.get(row_key)
        if row_index is None:
            return super()._render_line_in_row(row_key, line_no, base_style, cursor_location, hover_location)
        cursor, hover = row_index == cursor_location.row, row_index == hover_location.row
        # (whether the cursor is on this row, not where it is: a move redraws two rows)
        cache_key = (
            row_key, line_no, base_style, cursor, hover, self.show_cursor, self._show_hover_cursor,
            self._update_count, self._pseudo_class_state, scroll_x, width,
        )
        cached = self._row_lines.get(cache_key)
        if cached is not None:
            return cached
        look = self._look(base_style)
        placed_at, row_cells = self._row_cells
        cells = row_cells.get(row_key) if placed_at == self._update_count else None
        if cells is None:
            cells = self._get_row_renderables(row_index).cells
        widths = self._column_widths()
        fixed_count = self.fixed_columns
        in_fixed_row = row_index < self.fixed_rows
        flags = (
            cursor, hover, self.show_cursor, self._show_hover_cursor,
            self.cursor_foreground_priority == "css", self.cursor_background_priority == "css",
        )
        cell_line = self._cell_line
        fixed_row = [
            cell_line(row_index, index, cells[index], look.fixed, widths[index], True, flags, line_no)
            for index in range(min(fixed_count, len(widths)))
        ]
        row_style = look.fixed_rows if in_fixed_row else look.rows[row_index % 2]
        # what DataTable._render_line keeps of the scrollable cells: from the end of the
        # fixed ones, scrolled, to the widget's width; a cell wholly outside is cut off
        # whatever it holds
        left = scroll_x + sum(widths[:fixed_count])
        right = scroll_x + width
        scrollable_row = []
        start = 0
        for index, cell_width in enumerate(widths):
            if start + cell_width <= left or start >= right:
                scrollable_row.append([Segment(" " * cell_width)])
            else:
                fixed = in_fixed_row or index < fixed_count
                scrollable_row.append(cell_line(row_index, index, cells[index], row_style, cell_width, fixed, flags, line_no))
            start += cell_width
        table_width = sum(widths[fixed_count:])
        extend, _ = self._get_styles_to_render_cell(False, False, False, hover, cursor, *flags[2:4], False, False)
        extend_style = row_style + extend + Style.from_meta({"row": row_index, "column": 0, "out_of_bounds": True})
        scrollable_row.append([Segment(" " * max(0, width - table_width), extend_style)])
        row_pair = (fixed_row, scrollable_row)
        self._row_lines[cache_key] = row_pair
        return row_pair

    def _render_line(self, y: int, x1: int, x2: int, base_style: Style) -> Strip:
        """DataTable's line, made as one Strip from the widths placed: its own asks
        each column its width again for every line, and makes three Strips (joined,
        padded, simplified), each with seven caches of its own."""
        width = self.size.width
        try:
            row_key, y_offset_in_row = self._get_offsets(y)
        except LookupError:
            return Strip.blank(width, base_style)
        if row_key is self._header_row_key or self._should_render_row_labels or self.cursor_type != "row":
            return super()._render_line(y, x1, x2, base_style)
        cache_key = (
            y, x1, x2, width, self.cursor_coordinate, self.hover_coordinate, base_style, self.cursor_type,
            self._show_hover_cursor, self._update_count, self._pseudo_class_state,
        )
        cached = self._line_cache.get(cache_key)
        if cached is not None:
            return cached
        fixed, scrollable = self._render_line_in_row(
            row_key, y_offset_in_row, base_style, cursor_location=self.cursor_coordinate, hover_location=self.hover_coordinate
        )
        widths = self._column_widths()
        fixed_width = sum(widths[: self.fixed_columns])
        # the scrollable part's real length (every column and the padding after the
        # last, _render_line_in_row): line_crop keeps every segment after `start` when
        # told the line ends at `end`, and the cut was left to adjust_cell_length and a
        # second simplify (~0.5 ms a line; DataTable passes the widget's width)
        scrollable_length = sum(widths) + max(0, width - sum(widths[self.fixed_columns:]))
        segments: list[Segment] = list(chain.from_iterable(fixed)) if fixed else []
        segments += line_crop(list(chain.from_iterable(scrollable)), x1 + fixed_width, x2, scrollable_length)
        length = Segment.get_line_length(segments)
        if length > width:
            strip = Strip(segments).adjust_cell_length(width, base_style).simplify()
        else:
            if length < width:
                segments.append(Segment(" " * (width - length), base_style))
            strip = Strip(Segment.simplify(segments), width)
        self._line_cache[cache_key] = strip
        return strip

    def _column_widths(self) -> list[int]:
        """Each column's width with its padding, as placed (Column.get_render_width)."""
        key = (self._update_count, self.cell_padding, len(self.columns))
        if self._widths[0] != key:
            self._widths = (key, [column.get_render_width(self) for column in self.ordered_columns])
        return self._widths[1]

    def _look(self, base_style: Style) -> _Look:
        """The styles of a line that depend on the CSS and the focus only."""
        key = (base_style, self._pseudo_class_state)
        look = self._looks.get(key)
        if look is None:
            fixed = self.get_component_styles("datatable--fixed").rich_style + Style.from_meta({"fixed": True})
            even = self.fixed_rows + self.fixed_rows % 2  # the first even row after the fixed ones
            rows = (self._get_row_style(even, base_style), self._get_row_style(even + 1, base_style))
            look = self._looks[key] = _Look(fixed, rows, self._get_row_style(0, base_style))
        return look

    def _cell_line(
        self, row_index: int, column_index: int, cell: object, base_style: Style, width: int, fixed: bool,
        flags: tuple[bool, bool, bool, bool, bool, bool], line_no: int,
    ) -> list[Segment]:
        """One line of a cell as DataTable._render_cell renders it: the cell in its
        padding (rendered once per cell object and width), styled for its place."""
        plain = self._plain_cells.get((id(cell), width))
        if plain is None or plain[0] is not cell:
            # held with the cell, so that its id is not another's later
            plain = (cell, self._plain_lines(cell, width))
            self._plain_cells[(id(cell), width)] = plain
        key = (base_style, row_index, column_index, fixed, flags)
        styles = self._pre_styles.get(key)
        if styles is None:
            cursor, hover, *shown = flags
            component, post = self._get_styles_to_render_cell(False, False, fixed, hover, cursor, *shown)
            meta = Style.from_meta({"row": row_index, "column": column_index})
            styles = self._pre_styles[key] = (base_style + meta + component, post, {})
        pre, post, finals = styles
        line = plain[1][line_no]
        out = []
        for text, style, control in line:
            if control:
                return list(Segment.apply_style(line, pre, post))
            # Segment.apply_style's style for it, kept per place: each place's own
            # style (its meta) made Rich's cache of sums miss on every new order
            final = finals.get(style)
            if final is None:
                final = pre + style if pre else style
                if post:
                    final = final + post if final else post
                finals[style] = final
            out.append(Segment(text, final))
        return out

    def _plain_lines(self, cell: object, width: int) -> list[list[Segment]]:
        """The cell in its padding, `width` wide, with no style of the table's: what
        console.render_lines(Padding(cell)) gives, made directly for the cells of this
        table (a Text on one line that fits: ~20 times faster); any other the slow way."""
        padding = self.cell_padding
        inner = width - 2 * padding
        if isinstance(cell, Text) and "\n" not in cell.plain and "\t" not in cell.plain and not cell.justify:
            used = cell.cell_len
            if used <= inner and not cell.style and not cell.spans:
                # one piece: DataTable's line is simplified, so that the padding and the
                # text, of the same style once styled, are one segment there too
                return [[Segment(" " * padding + cell.plain + " " * (inner - used + padding))]]
            if used <= inner:
                # Text.__rich_console__ on a line that needs no wrapping or cutting: the
                # line joined (its own style becomes a span) and rendered
                segments = [Segment(" " * padding, NULL)] if padding else []
                segments.extend(Text("\n").join([cell]).render(self.app.console, end=""))
                if used < inner:
                    segments.append(Segment(" " * (inner - used), NULL))
                if padding:
                    segments.append(Segment(" " * padding, NULL))
                return [segments]
        options = self.app.console_options.update_dimensions(width, 1).update(no_wrap=True)
        return self.app.console.render_lines(Padding(cast(RenderableType, cell), (0, padding)), options)
