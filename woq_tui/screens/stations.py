"""Station performance (key 3): one row a station with the figures of metrics.md.

Each figure shows its change against the previous period (arrow + colour), a text
sparkline shows the daily overdue rate, subtotals per area type and a total close the
table. The figures load in a thread worker in two steps: the station rows first (what
the user waits for), then the comparison, subtotals and trend.
"""

from __future__ import annotations

import csv
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.cells import cell_len
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widgets import DataTable, Static
from textual.worker import get_current_worker

from woq_tui.domain.enums import AreaType
from woq_tui.domain.metrics import FIGURE_KEYS, PERIOD_KINDS, Period, period_of
from woq_tui.i18n import t
from woq_tui.reporting.csv_report import BOM
from woq_tui.reporting.formatting import delta, group_label
from woq_tui.screens.base import WoqScreen
from woq_tui.store.figures import StationTable, complete_station_table, station_table
from woq_tui.widgets.figures_cells import change_text, sparkline

# Sortable columns: the label columns, then every figure.
LABEL_COLUMNS = ("station_code", "station_name", "area_type", "trend")
SORT_COLUMNS = ("station_code", "station_name", "area_type", *FIGURE_KEYS)
DEFAULT_SORT = ("overdue_rate", True)


def period_title(period: Period) -> str:
    days = t("stations.period.range", start=period.first_day.isoformat(), end=period.last_day.isoformat())
    if period.first_day == period.last_day:
        days = period.first_day.isoformat()
    return f"{t('stations.period.' + period.kind)} {days}"


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
    StationsScreen #stations-bar { height: 1; padding: 0 1; background: $boost; }
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
        # perf_counter() when a load was asked for and when its station rows showed
        self.load_started = 0.0
        self.rows_shown_at = 0.0
        self.loaded_at = 0.0  # time.monotonic() of the last complete load

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
            self.load()

    # loading ------------------------------------------------------------------------

    def load(self) -> None:
        self.generation += 1
        self.load_started = time.perf_counter()
        self.query_one(DataTable).loading = True
        self.update_bar()
        self._load(self.period, self.generation)

    @work(thread=True, exclusive=True, group="stations")
    def _load(self, period: Period, generation: int) -> None:
        worker = get_current_worker()
        context = self.app.context
        as_of = context.clock.now()
        try:
            first = station_table(context.engine, period, as_of)
            if worker.is_cancelled:
                return
            self.post_message(self.Loaded(first, generation))
            complete = complete_station_table(context.engine, first)
        except Exception as exc:  # the database went away: say so, keep the screen
            from woq_tui.store.db import first_line

            self.post_message(self.Failed(first_line(exc), generation))
            return
        if not worker.is_cancelled:
            self.post_message(self.Loaded(complete, generation))

    @on(Loaded)
    def _loaded(self, message: Loaded) -> None:
        if message.generation != self.generation:
            return
        self.data = message.table
        self.show_rows()
        table = self.query_one(DataTable)
        table.loading = False
        if not self.rows_shown_at or self.rows_shown_at < self.load_started:
            self.rows_shown_at = time.perf_counter()
        if message.table.complete:
            self.loaded_at = time.monotonic()
        self.update_bar()

    @on(Failed)
    def _failed(self, message: Failed) -> None:
        if message.generation != self.generation:
            return
        self.query_one(DataTable).loading = False
        self.notify(t("stations.failed", error=message.error), severity="error")

    # showing ------------------------------------------------------------------------

    def update_bar(self) -> None:
        if self.period is None:
            return
        text = Text(period_title(self.period), style="bold")
        previous = self.period.previous()
        text.append("  ")
        text.append(t("stations.compared", start=previous.first_day.isoformat(), end=previous.last_day.isoformat()), "dim")
        column = self._column_label(self.sort_column)
        text.append("  ")
        text.append(t("stations.sorted", column=column, direction="↓" if self.sort_reverse else "↑"))
        if self.data is None or not self.data.complete:
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
            before = data.previous.get(code) if data.complete else None
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
        cursor_key = None
        if table.row_count and table.cursor_row >= 0:
            try:
                cursor_key = table.coordinate_to_cell_key((table.cursor_row, 0)).row_key.value
            except Exception:
                cursor_key = None
        rows: list[tuple[str, list]] = []
        for row in self._rows():
            code, name, area = row.labels
            cells = [code, name, group_label("area", area) if area else "", Text(row.trend, "red")]
            cells += [self._figure_cell(key, row.values, row.before) for key in FIGURE_KEYS]
            rows.append((code, cells))
        blank = [""] * (len(LABEL_COLUMNS) + len(FIGURE_KEYS) - 2)
        if not data.current:
            rows.append(("none", ["", Text(t("stations.none"), "italic dim"), *blank]))
        if data.complete:
            for area in AreaType:
                if area.value in data.areas:
                    label = Text(t("stations.subtotal", area=group_label("area", area.value)), "bold")
                    rows.append((f"area:{area.value}", self._summary_cells(label, data.areas[area.value], data.previous_areas.get(area.value))))
            if data.current:
                rows.append(("total", self._summary_cells(Text(t("stations.total"), "bold reverse"), data.totals, data.previous_totals)))
        table.clear(columns=True)
        # Widths measured here, in terminal cells (CJK is two), so that every cell shows
        # whole whatever order rows arrive in.
        for index, column in enumerate(LABEL_COLUMNS + FIGURE_KEYS):
            label = self._column_label(column)
            if column == self.sort_column:
                label += " ▼" if self.sort_reverse else " ▲"
            width = max([cell_len(label)] + [cell_len(cells[index].plain if isinstance(cells[index], Text) else cells[index]) for _, cells in rows])
            table.add_column(label, key=column, width=width)
        for key, cells in rows:
            table.add_row(*cells, key=key)
        if cursor_key is not None:
            try:
                table.move_cursor(row=table.get_row_index(cursor_key), animate=False)
            except Exception:
                pass

    def _summary_cells(self, label: Text, values, before) -> list:
        return ["", label, "", "", *(self._figure_cell(name, values, before, bold=True) for name in FIGURE_KEYS)]

    @staticmethod
    def _figure_cell(key: str, values: dict, before: dict | None, bold: bool = False) -> Text:
        text = change_text(key, values.get(key), (before or {}).get(key) if before is not None else None)
        text.justify = "right"
        if bold:
            text.stylize("bold", 0, len(text.plain.split(" ")[0]))
        return text

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
