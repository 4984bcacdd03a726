"""Station performance (key 3): one row a station with the figures of metrics.md.

Each figure shows its change against the comparison period (arrow, colour and a ✗
for worse), a text sparkline shows the daily overdue rate, subtotals per area type
and a total close the table. The figures load in one thread worker that reads the
period, its comparison and the trend concurrently (store.figures.load_station_table):
the rows show as soon as the period's own figures are there, the changes and trend
when the rest is. Loaded tables are kept per (period, minute) for stepping back and
forth; coming back to the screen after the refresh interval reads afresh.
"""

from __future__ import annotations

import csv
import time
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from rich.cells import cell_len
from rich.text import Span, Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.events import Resize
from textual.message import Message
from textual.widgets import DataTable, Static
from textual.worker import get_current_worker

from woq_tui.domain.enums import AreaType
from woq_tui.domain.figure_catalog import FIGURE_KEYS
from woq_tui.domain.periods import PERIOD_KINDS, Comparison, Period, period_of
from woq_tui.i18n import t
from woq_tui.reporting.csv_report import BOM
from woq_tui.reporting.formatting import delta, format_value, group_label
from woq_tui.screens.base import WoqScreen
from woq_tui.store.figures import load_station_table
from woq_tui.values.figures import StationTable
from woq_tui.widgets.figures_cells import MARK_WORSE, change_only, sparkline

# Sortable columns: the label columns, then every figure.
LABEL_COLUMNS = ("station_code", "station_name", "area_type", "trend")
SORT_COLUMNS = ("station_code", "station_name", "area_type", *FIGURE_KEYS)
DEFAULT_SORT = ("overdue_rate", True)
# Column order: metrics.md's on a wide terminal; on a narrow one (fewer cells than
# NARROW_BELOW) what a supervisor looks at first fits the screen, the rest follows
# by horizontal scrolling (code and name stay put).
WIDE_COLUMNS = LABEL_COLUMNS + FIGURE_KEYS
NARROW_COLUMNS = (
    "station_code", "station_name", "overdue_rate", "trend", "on_time_rate", "tickets", "open", "overdue",
    "avg_first_response_min", "p90_first_response_min", "avg_handling_h", "p90_handling_h",
    "repeat_dispatch_rate", "escalation_rate", "one_time_resolution_rate", "satisfaction_rate", "area_type",
)
NARROW_BELOW = 180
CACHE_SIZE = 16


def period_title(period: Period) -> str:
    days = t("stations.period.range", start=period.first_day.isoformat(), end=period.last_day.isoformat())
    if period.first_day == period.last_day:
        days = period.first_day.isoformat()
    return f"{t('stations.period.' + period.kind)} {days}"


def comparison_text(comparison: Comparison) -> str:
    """"vs 11-16 – 11-22", or for a running period "vs the same span: 11-16 00:00 –
    11-19 10:00" (the comparison's end is exclusive: the instant it is judged at)."""
    period = comparison.period
    if not comparison.partial:
        return t("stations.compared", start=period.first_day.isoformat(), end=period.last_day.isoformat())
    start = period.start.astimezone(period.tz)
    end = period.end.astimezone(period.tz)
    return t("stations.compared_partial", start=f"{start:%m-%d %H:%M}", end=f"{end:%m-%d %H:%M}")


@dataclass
class _Row:
    key: str
    values: dict[str, Any]
    before: dict[str, Any] | None
    labels: tuple[str, str, str]
    trend: str = ""


class StationsScreen(WoqScreen):
    TITLE_KEY = "screen.stations"
    BINDINGS = [
        Binding("s", "next_sort", "key.stations.next_sort", id="stations.sort"),
        Binding("S", "reverse_sort", "key.stations.reverse_sort", id="stations.reverse_sort"),
        Binding("t", "next_period", "key.stations.period", id="stations.period"),
        Binding("left_square_bracket", "step(-1)", "key.stations.previous", key_display="[", id="stations.previous"),
        Binding("right_square_bracket", "step(1)", "key.stations.next", key_display="]", id="stations.next"),
        Binding("enter", "open_station", "key.stations.open", id="stations.open", show=False),
        Binding("e", "export", "key.stations.export", id="stations.export"),
    ]
    DEFAULT_CSS = """
    StationsScreen #stations-bar { height: auto; padding: 0 1; background: $boost; }
    StationsScreen #stations-table { height: 1fr; }
    """

    class Loaded(Message):
        def __init__(self, table: StationTable, generation: int) -> None:
            super().__init__()
            self.table = table
            self.generation = generation

    class Failed(Message):
        def __init__(self, error: str, generation: int) -> None:
            super().__init__()
            self.error = error
            self.generation = generation

    def __init__(self, period_kind: str = "this_week", period: Period | None = None) -> None:
        super().__init__()
        self.period_kind = period.kind if period is not None else period_kind
        self.period: Period | None = period
        self.data: StationTable | None = None
        self.sort_column, self.sort_reverse = DEFAULT_SORT
        self.generation = 0
        self.export_dir: Path | None = None
        # perf_counter() when a load was asked for, when its station rows showed and
        # when everything did
        self.load_started = 0.0
        self.rows_shown_at = 0.0
        self.complete_at = 0.0
        self.loaded_at = 0.0  # time.monotonic() of the last complete load
        self.narrow: bool | None = None
        # (period, as_of minute) -> complete table, most recent last
        self.cache: OrderedDict[tuple, StationTable] = OrderedDict()

    def compose_body(self) -> ComposeResult:
        yield Static(id="stations-bar")
        table: DataTable = DataTable(id="stations-table", cursor_type="row", zebra_stripes=True)
        table.fixed_columns = 2
        yield table

    def on_mount(self) -> None:
        super().on_mount()
        context = self.context
        if self.period is None:
            self.period = period_of(self.period_kind, context.clock.now(), context.settings.tz)
        self.load()

    def on_screen_resume(self) -> None:
        # Coming back to the screen (key 3, or from a station): figures older than the
        # refresh interval are read again, keeping the sort and the cursor's station.
        if self.data is not None and time.monotonic() - self.loaded_at > self.context.settings.console.refresh_seconds:
            self.load(cached=False)

    def on_resize(self, event: Resize) -> None:
        if self.data is not None and (event.size.width < NARROW_BELOW) != self.narrow:
            self.show_rows()

    # loading ------------------------------------------------------------------------

    def _cache_key(self, period: Period, as_of: datetime) -> tuple:
        return (period.start, period.end, period.kind, as_of.replace(second=0, microsecond=0))

    def load(self, cached: bool = True) -> None:
        """Show the period's figures: from the cache when this minute already read
        them (stepping back and forth), else from the database in a worker."""
        assert self.period is not None
        self.generation += 1
        self.load_started = time.perf_counter()
        hit = self.cache.get(self._cache_key(self.period, self.context.clock.now())) if cached else None
        if hit is not None:
            self.cache.move_to_end(self._cache_key(self.period, hit.as_of))
            self.post_message(self.Loaded(hit, self.generation))
            return
        # No loading overlay: the bar says the figures are being read, and the old ones
        # (if any) stay until the new arrive; the overlay's mounting and animation cost
        # the event loop more than the wait is long.
        self.update_bar()
        self._load(self.period, self.generation)

    @work(thread=True, exclusive=True, group="stations")
    def _load(self, period: Period, generation: int) -> None:
        worker = get_current_worker()
        context = self.app.context
        as_of = context.clock.now()

        def rows(table: StationTable) -> None:
            if not worker.is_cancelled:
                self.post_message(self.Loaded(table, generation))

        try:
            table = load_station_table(context.engine, period, as_of, on_rows=rows)
        except Exception as exc:  # the database went away: say so, keep the screen
            from woq_tui.errors import first_line

            self.post_message(self.Failed(first_line(exc), generation))
            return
        if not worker.is_cancelled:
            self.post_message(self.Loaded(table, generation))

    @on(Loaded)
    def _loaded(self, message: Loaded) -> None:
        if message.generation != self.generation:
            return
        self.data = message.table
        self.show_rows()
        if not self.rows_shown_at or self.rows_shown_at < self.load_started:
            self.rows_shown_at = time.perf_counter()
        if message.table.complete:
            self.complete_at = time.perf_counter()
            self.loaded_at = time.monotonic()
            key = self._cache_key(message.table.period, message.table.as_of)
            self.cache[key] = message.table
            self.cache.move_to_end(key)
            while len(self.cache) > CACHE_SIZE:
                self.cache.popitem(last=False)
        self.update_bar()

    @on(Failed)
    def _failed(self, message: Failed) -> None:
        if message.generation != self.generation:
            return
        self.notify(t("stations.failed", error=message.error), severity="error")

    # showing ------------------------------------------------------------------------

    def update_bar(self) -> None:
        if self.period is None:
            return
        text = Text(period_title(self.period), style="bold")
        data = self.data if self.data is not None and self.data.period == self.period else None
        comparison = data.comparison if data is not None and data.comparison else self.period.comparison(self.context.clock.now())
        text.append("  ")
        text.append(comparison_text(comparison), "dim")
        column = self._column_label(self.sort_column)
        text.append("  ")
        text.append(t("stations.sorted", column=column, direction="↓" if self.sort_reverse else "↑"))
        text.append("  ")
        text.append(t("stations.legend_better"), "green")
        text.append(" ")
        text.append(t("stations.legend_worse", mark=MARK_WORSE), "bold red")
        if data is None or not data.complete:
            text.append("  ")
            text.append(t("stations.loading"), "italic dim")
        self.query_one("#stations-bar", Static).update(text)

    def _column_label(self, column: str) -> str:
        if column in FIGURE_KEYS:
            return t(f"figure.short.{column}")
        return {
            "station_code": t("report.station_code"),
            "station_name": t("report.station"),
            "area_type": t("report.area"),
            "trend": t("stations.trend"),
        }[column]

    def _rows(self) -> list[_Row]:
        data = self.data
        assert data is not None
        rows = []
        for code, values in data.current.items():
            info = data.info.get(code)
            name, area = (info.name, info.area_type) if info else (code, "")
            before = data.previous.get(code, {}) if data.complete else None
            trend = sparkline(data.trend.get(code, [])) if data.complete else ""
            rows.append(_Row(code, values, before, (code, name, area), trend))

        def sort_key(row: _Row):
            if self.sort_column in FIGURE_KEYS:
                value = row.values.get(self.sort_column)
                return value is None, value if value is not None else 0
            index = SORT_COLUMNS.index(self.sort_column)
            return False, row.labels[index]

        rows.sort(key=lambda row: row.key)
        present = [row for row in rows if sort_key(row)[0] is False]
        missing = [row for row in rows if sort_key(row)[0] is True]
        present.sort(key=lambda row: sort_key(row)[1], reverse=self.sort_reverse)
        return present + missing  # undefined figures always last

    def show_rows(self) -> None:
        table = self.query_one(DataTable)
        data = self.data
        if data is None:
            return
        self.narrow = self.size.width < NARROW_BELOW
        order = NARROW_COLUMNS if self.narrow else WIDE_COLUMNS
        cursor_key = None
        if table.row_count and table.cursor_row >= 0:
            try:
                cursor_key = table.coordinate_to_cell_key((table.cursor_row, 0)).row_key.value
            except Exception:
                cursor_key = None
        # (row key, {column: cell}); a figure's cell is (value, change, bold) until the
        # column's widths are known
        rows: list[tuple[str, dict[str, Any]]] = []
        for row in self._rows():
            code, name, area = row.labels
            # Text, never str: DataTable parses a str as markup (and looks for emoji
            # codes in it: ~0.4 ms a cell), and a name with "[" in it is not markup.
            cells: dict[str, Any] = {
                "station_code": Text(code), "station_name": Text(name),
                "area_type": Text(group_label("area", area) if area else ""), "trend": Text(row.trend, "red"),
            }
            cells.update(self._figures(row.values, row.before))
            rows.append((code, cells))
        if not data.current:
            rows.append(("none", {"station_name": Text(t("stations.none"), "italic dim")}))
        for area in AreaType:
            if area.value in data.areas:
                label = Text(t("stations.subtotal", area=group_label("area", area.value)), "bold")
                before = data.previous_areas.get(area.value, {}) if data.complete else None
                rows.append((f"area:{area.value}", {"station_name": label, **self._figures(data.areas[area.value], before, bold=True)}))
        if data.current:
            before = data.previous_totals if data.complete else None
            label = Text(t("stations.total"), "bold reverse")
            rows.append(("total", {"station_name": label, **self._figures(data.totals, before, bold=True)}))
        table.clear(columns=True)
        # Widths measured here, in terminal cells (CJK is two), so that every cell shows
        # whole whatever order rows arrive in; a figure's values and changes each align
        # right in their own part of the cell.
        for column in order:
            label = self._column_label(column)
            if column == self.sort_column:
                label += " ▼" if self.sort_reverse else " ▲"
            if column in FIGURE_KEYS:
                parts = [cells[column] for _, cells in rows if column in cells]
                value_width = max((cell_len(value) for value, _, _ in parts), default=0)
                change_width = max((cell_len(change.plain) for _, change, _ in parts), default=0)
                for _, cells in rows:
                    if column in cells:
                        cells[column] = self._figure_cell(*cells[column], value_width, change_width)
                width = max(cell_len(label), value_width + (change_width + 1 if change_width else 0))
            else:
                width = max([cell_len(label)] + [cell_len(cells[column].plain) for _, cells in rows if column in cells])
            table.add_column(label, key=column, width=width)
        blank = Text()
        for key, cells in rows:
            table.add_row(*(cells.get(column, blank) for column in order), key=key)
        if cursor_key is not None:
            try:
                table.move_cursor(row=table.get_row_index(cursor_key), animate=False)
            except Exception:
                pass

    @staticmethod
    def _figures(values: dict, before: dict | None, bold: bool = False) -> dict[str, tuple[str, Text, bool]]:
        """Each figure as (value, change, bold); no change while `before` is None."""
        out = {}
        for key in FIGURE_KEYS:
            now = values.get(key)
            change = change_only(key, now, before.get(key)) if before is not None else Text()
            out[key] = (format_value(key, now), change, bold)
        return out

    @staticmethod
    def _figure_cell(value: str, change: Text, bold: bool, value_width: int, change_width: int) -> Text:
        """The value right-aligned in its part, the change in its own: one Text built
        from its spans (a cell is made for each figure of each row at every redraw)."""
        plain = " " * (value_width - cell_len(value)) + value
        spans = [Span(len(plain) - len(value), len(plain), "bold")] if bold else []
        if change_width:
            plain += " " * (1 + change_width - cell_len(change.plain)) + change.plain
            if change.plain:
                spans.append(Span(len(plain) - len(change.plain), len(plain), change.style))
        return Text(plain, spans=spans)

    # actions ------------------------------------------------------------------------

    def action_next_sort(self) -> None:
        index = (SORT_COLUMNS.index(self.sort_column) + 1) % len(SORT_COLUMNS)
        self.sort_column = SORT_COLUMNS[index]
        # numbers start worst-or-biggest first, names alphabetically
        self.sort_reverse = self.sort_column in FIGURE_KEYS
        self.show_rows()
        self.update_bar()

    def action_reverse_sort(self) -> None:
        self.sort_reverse = not self.sort_reverse
        self.show_rows()
        self.update_bar()

    def action_next_period(self) -> None:
        kinds = list(PERIOD_KINDS)
        current = self.period.kind if self.period else self.period_kind
        self.period_kind = kinds[(kinds.index(current) + 1) % len(kinds)] if current in kinds else kinds[0]
        self.period = period_of(self.period_kind, self.context.clock.now(), self.context.settings.tz)
        self.load()

    def action_step(self, steps: int) -> None:
        if self.period is not None:
            self.period = self.period.step(steps)
            self.load()

    def selected_station(self) -> str | None:
        table = self.query_one(DataTable)
        if not table.row_count or self.data is None:
            return None
        key = table.coordinate_to_cell_key((table.cursor_row, 0)).row_key.value
        return key if key in self.data.current else None

    def action_open_station(self) -> None:
        code = self.selected_station()
        if code and self.period is not None:
            from woq_tui.screens.station_detail import StationDetailScreen

            self.app.push_screen(StationDetailScreen(code, self.period))

    @on(DataTable.RowSelected)
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open_station()

    def action_export(self) -> None:
        if self.data is None or self.period is None:
            return
        folder = self.export_dir or Path.cwd()
        stamp = self.context.clock.now().astimezone(self.context.settings.tz).strftime("%Y%m%d-%H%M%S")
        base = f"stations_{self.period.first_day:%Y%m%d}-{self.period.last_day:%Y%m%d}_{stamp}"
        try:
            csv_path = folder / f"{base}.csv"
            self.write_csv(csv_path)
            svg_path = Path(self.app.save_screenshot(f"{base}.svg", str(folder)))
        except OSError as exc:
            self.notify(t("stations.export_failed", error=exc.strerror or exc), severity="error")
            return
        self.notify(t("stations.exported", csv=csv_path.name, svg=svg_path.name), timeout=8)

    def write_csv(self, path: Path) -> None:
        """What the table shows: stations in its order, then subtotals and total, with
        each figure's change against the previous period (`<figure>_change`)."""
        assert self.data is not None
        data = self.data
        heads = ["station_code", "station_name", "area_type"]
        for key in FIGURE_KEYS:
            heads += [key, f"{key}_change"]

        def line(labels, values, before):
            out = list(labels)
            for key in FIGURE_KEYS:
                change = delta(key, values.get(key), (before or {}).get(key)) if before else None
                out += [values.get(key), change]
            return ["" if cell is None else cell for cell in out]

        with open(path, "w", encoding="utf-8", newline="") as stream:
            stream.write(BOM)
            writer = csv.writer(stream, lineterminator="\r\n")
            writer.writerow(heads)
            for row in self._rows():
                writer.writerow(line(row.labels, row.values, row.before))
            for area, values in data.areas.items():
                writer.writerow(line(("", f"subtotal:{area}", area), values, data.previous_areas.get(area)))
            if data.current:
                writer.writerow(line(("", "total", ""), data.totals, data.previous_totals))

    def palette_commands(self) -> list[tuple[str, str, object]]:
        return [
            (f"{t('key.stations.period')}: {t('stations.period.' + kind)}", t("screen.stations"), lambda kind=kind: self._choose(kind))
            for kind in PERIOD_KINDS
        ]

    def _choose(self, kind: str) -> None:
        self.period_kind = kind
        self.period = period_of(kind, self.context.clock.now(), self.context.settings.tz)
        self.load()

