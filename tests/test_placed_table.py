"""The station table places its rows at once and renders only the lines on screen, and
draws exactly what Textual's DataTable draws for the same cells (widgets/placed_table.py;
docs/speed.md, "Keys and loading lag")."""

from __future__ import annotations

import random
from datetime import datetime, timezone
from functools import partial
from zoneinfo import ZoneInfo

import pytest
from textual.app import App, ComposeResult
from textual.widgets import DataTable

from woq_tui.domain.enums import AreaType
from woq_tui.domain.figure_catalog import FIGURE_BY_KEY, FIGURE_KEYS
from woq_tui.domain.periods import last_full_period
from woq_tui.values.figures import StationInfo, StationTable
from woq_tui.widgets.station_figures import StationFiguresTable, draw_figures

NOW = datetime(2026, 11, 26, 2, tzinfo=timezone.utc)


def station_table(count: int, seed: int = 1) -> StationTable:
    """`count` stations with random figures, CJK names, every area, complete (changes
    and trend shown)."""
    rng = random.Random(seed)
    period = last_full_period("week", NOW, ZoneInfo("Asia/Shanghai"))

    def figures() -> dict:
        values = {key: rng.randint(0, 5000) if FIGURE_BY_KEY[key].unit == "count" else rng.random() for key in FIGURE_KEYS}
        values[rng.choice(FIGURE_KEYS)] = None
        return {**values, "quality_pass_rate": rng.random()}

    codes = [f"S{index:04d}" for index in range(count)]
    areas = [area.value for area in AreaType]
    info = {code: StationInfo(code, "".join(rng.choice("东丽西青北辰津南武清宝坻") for _ in range(rng.randint(2, 5))), rng.choice(areas))
            for code in codes}
    return StationTable(
        period, NOW, info, {code: figures() for code in codes}, period.comparison(NOW), {code: figures() for code in codes},
        {area: figures() for area in areas}, {area: figures() for area in areas}, figures(), figures(),
        {code: [rng.random() for _ in range(7)] for code in codes}, complete=True,
    )


class Tables(App):
    CSS = "DataTable { height: 12; }"

    def compose(self) -> ComposeResult:
        yield StationFiguresTable(id="placed")
        yield DataTable(id="reference", cursor_type="row", zebra_stripes=True)


def copy_into(reference: DataTable, placed: StationFiguresTable) -> None:
    """The placed table's columns and cells into a DataTable, the usual way."""
    reference.fixed_columns = placed.fixed_columns
    reference.clear(columns=True)
    for column in placed.ordered_columns:
        reference.add_column(column.label, key=column.key.value, width=column.width)
    for row in placed.ordered_rows:
        reference.add_row(*placed.get_row(row.key), key=row.key.value)


def lines(table: DataTable) -> list:
    table._line_cache.clear()
    table._row_render_cache.clear()
    if isinstance(table, StationFiguresTable):
        table._row_lines.clear()
    return [table.render_line(y) for y in range(table.size.height)]


async def compare(pilot, placed: StationFiguresTable, reference: DataTable | None) -> int:
    """Lines equal at several cursors, scrolls and hovers: against `reference`, or
    (None) against the placed table's own lines made by DataTable's code."""
    compared = 0
    for cursor, scroll_x, scroll_y, hover in ((0, 0, 0, False), (5, 30, 0, True), (20, 200, 15, False), (44, 7, 40, True)):
        for table in (placed, reference) if reference is not None else (placed,):
            table.move_cursor(row=cursor, animate=False, scroll=False)
            table.scroll_to(x=scroll_x, y=scroll_y, animate=False, immediate=True)
            table.hover_coordinate = table.cursor_coordinate
            table._set_hover_cursor(hover)
        await pilot.pause()
        if reference is not None:
            assert (placed.scroll_offset, placed.cursor_coordinate) == (reference.scroll_offset, reference.cursor_coordinate)
            expected = lines(reference)
        else:
            placed._render_line_in_row = partial(DataTable._render_line_in_row, placed)
            expected = lines(placed)
            del placed._render_line_in_row
        assert lines(placed) == expected, (cursor, scroll_x, scroll_y, hover)
        compared += len(expected)
    return compared


async def test_the_lines_are_datatables_own_at_every_scroll_cursor_focus_and_hover():
    app = Tables()
    async with app.run_test(size=(120, 30)) as pilot:
        placed = app.query_one(StationFiguresTable)
        reference = app.query_one("#reference", DataTable)
        data = station_table(40)
        placed.show(data, drawn=draw_figures(data))
        placed.marked.add(next(iter(data.current)))
        placed.show(data)
        app.set_focus(None)
        for sort_column in ("overdue_rate", "station_name", "tickets"):
            # a new order: the cells placed again in another order (PlacedTable.reorder)
            placed.sort_column = sort_column
            placed.show(data, keep_cursor=False)
            copy_into(reference, placed)
            assert await compare(pilot, placed, reference) == 4 * 12
        placed.focus()
        assert await compare(pilot, placed, None) == 4 * 12


class Counting(StationFiguresTable):
    """The station table, counting the cells it renders."""

    rendered = 0

    def _plain_lines(self, cell: object, width: int):
        Counting.rendered += 1
        return super()._plain_lines(cell, width)


class Big(App):
    def compose(self) -> ComposeResult:
        yield Counting(id="placed")


async def test_a_load_or_a_sort_of_3000_stations_renders_the_lines_on_screen_only():
    """Each new order brings new stations on screen; none off it is measured or drawn."""
    app = Big()
    async with app.run_test(size=(160, 45)) as pilot:
        table = app.query_one(Counting)
        data = station_table(3000, seed=2)
        table.show(data, drawn=draw_figures(data))
        await pilot.pause()
        assert table.row_count == 3000 + len(AreaType) + 1
        cells_on_screen = table.size.height * len(table.columns)
        assert 0 < Counting.rendered <= cells_on_screen
        for column in ("tickets", "station_name", "score"):
            Counting.rendered = 0
            table.sort_column = column
            table.show(data, keep_cursor=False)
            await pilot.pause()
            assert 0 < Counting.rendered <= cells_on_screen
        assert table.cursor_row == 0 and table.scroll_y == 0


def test_a_new_order_of_stations_is_the_order_of_their_values_and_makes_no_pinyin(monkeypatch):
    """The station codes in the order shown (station_order): by the column's value,
    undefined ones last, ties by code; the names' pinyin keys come with the drawn
    figures (the loader's worker), so that a sort by name reads none on the UI thread."""
    from woq_tui.domain.stations import pinyin_key
    from woq_tui.widgets import station_figures
    from woq_tui.widgets.station_figures import SORT_COLUMNS, station_order

    data = station_table(300, seed=5)
    for code in list(data.current)[:40]:  # ties
        data.current[code]["tickets"] = 7
    drawn = draw_figures(data)
    monkeypatch.setattr(station_figures, "pinyin_key", lambda name: pytest.fail("pinyin read on the UI thread"))
    for column in SORT_COLUMNS:
        if column == "score":
            continue
        for reverse in (False, True):
            def key(code: str, column: str = column):
                if column in data.current[code]:
                    return data.current[code][column]
                info = data.info[code]
                return {"station_code": code, "station_name": pinyin_key(info.name), "area_type": info.area_type}[column]

            present = sorted((code for code in sorted(data.current) if key(code) is not None), key=key, reverse=reverse)
            missing = [code for code in sorted(data.current) if key(code) is None]
            assert station_order(data, column, reverse, names=drawn.names) == present + missing, (column, reverse)
