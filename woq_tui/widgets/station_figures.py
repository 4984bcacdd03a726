"""The station table of key 3: one row a station with the figures of docs/figures.md,
each with its change against the comparison period (arrow, colour and a ✗ for worse),
a text sparkline of the daily overdue rate, then subtotals per area type and a total.

It draws the StationTable it is given (values/figures.py) in the order it is told;
the screen (screens/stations.py) loads the figures and owns the period.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any

from rich.cells import cell_len
from rich.text import Span, Text
from textual.coordinate import Coordinate

from woq_tui.domain.enums import AreaType
from woq_tui.domain.figure_catalog import FIGURE_KEYS
from woq_tui.domain.stations import pinyin_key
from woq_tui.i18n import t
from woq_tui.reporting.formatting import format_value, group_label
from woq_tui.values.assessment import Scorecard, StationScore
from woq_tui.values.figures import StationTable
from woq_tui.widgets import symbols
from woq_tui.widgets.figures_cells import change_only, sparkline
from woq_tui.widgets.placed_table import PlacedTable
from woq_tui.widgets.table_keys import DATA_TABLE_KEYS
from woq_tui.widgets.translated import TranslatedBindings

# Sortable columns: the label columns, the scorecard's score (docs/assessment.md), then
# every figure.
LABEL_COLUMNS = ("station_code", "station_name", "area_type", "trend")
# The figures of each row: docs/figures.md's, then the audit's quality pass rate (read
# beside them, audit.md "Figures"; "—" until it is in).
ROW_FIGURES = (*FIGURE_KEYS, "quality_pass_rate")
SORT_COLUMNS = ("station_code", "station_name", "area_type", "score", "quality_pass_rate", *FIGURE_KEYS)
DEFAULT_SORT = ("overdue_rate", True)
# Column order: the figures' own order on a wide terminal; on a narrow one (fewer cells
# than NARROW_BELOW) what a supervisor looks at first fits the screen, the rest follows
# by horizontal scrolling (code and name stay put).
WIDE_COLUMNS = (*LABEL_COLUMNS, "score", "quality_pass_rate", *FIGURE_KEYS)
NARROW_COLUMNS = (
    "station_code", "station_name", "overdue_rate", "trend", "score", "quality_pass_rate", "on_time_rate", "tickets", "open", "overdue",
    "avg_first_response_min", "p90_first_response_min", "avg_handling_h", "p90_handling_h",
    "repeat_dispatch_rate", "escalation_rate", "one_time_resolution_rate", "satisfaction_rate", "area_type",
)
NARROW_BELOW = 180


@dataclass(frozen=True)
class StationRow:
    """One station as the table shows it; `before` is None until the comparison is in,
    `score` until the scorecard is."""

    code: str
    values: dict[str, Any]
    before: dict[str, Any] | None
    labels: tuple[str, str, str]
    score: StationScore | None = None


def column_label(column: str) -> str:
    if column in ROW_FIGURES:
        return t(f"figure.short.{column}")
    if column == "score":
        return t("score.score")
    return {
        "station_code": t("report.station_code"),
        "station_name": t("report.station"),
        "area_type": t("report.area"),
        "trend": t("stations.trend"),
    }[column]


def station_rows(
    data: StationTable, column: str, reverse: bool, scores: Mapping[str, StationScore] | None = None
) -> list[StationRow]:
    """The stations in the order shown (station_order), as rows."""
    scores = scores or {}
    rows = []
    for code in station_order(data, column, reverse, scores):
        info = data.info.get(code)
        name, area = (info.name, info.area_type) if info else (code, "")
        before = data.previous.get(code, {}) if data.complete else None
        rows.append(StationRow(code, data.current[code], before, (code, name, area), scores.get(code)))
    return rows


def station_order(
    data: StationTable, column: str, reverse: bool, scores: Mapping[str, StationScore] | None = None,
    names: Mapping[str, str] | None = None,
) -> list[str]:
    """The station codes in the order shown: by `column`, undefined figures always
    last, ties by station code. `names`: the names' pinyin keys, made already (in the
    loader's worker: ~0.3 ms a name). One key a station and no row made, so that a
    sort of 3,000 stations costs the UI thread a few ms (docs/speed.md, "Keys and
    loading lag")."""
    info, codes = data.info, sorted(data.current)
    values: list[Any]
    if column == "score":
        score_of = scores or {}
        values = [score_of[code].score if code in score_of else None for code in codes]
    elif column in ROW_FIGURES:
        current = data.current
        values = [current[code].get(column) for code in codes]
    elif column == "station_name":
        known = names or {}
        values = [known.get(code) or pinyin_key(info[code].name if code in info else code) for code in codes]
    elif column == "area_type":
        values = [info[code].area_type if code in info else "" for code in codes]
    else:
        values = codes
    keyed = list(zip(values, codes, strict=True))
    present = [pair for pair in keyed if pair[0] is not None]
    present.sort(key=itemgetter(0), reverse=reverse)  # stable: ties stay in code order
    return [code for _value, code in present] + [code for known_value, code in keyed if known_value is None]


@dataclass(frozen=True)
class DrawnFigures:
    """The cells of a StationTable that depend neither on the order nor on the marks
    nor on the scorecard: per row key its name, area, trend and figure cells, ready to
    draw, and per column the cells' widest. Made where the table is read, in the
    loader's worker, so that the UI thread only orders and places them (docs/speed.md,
    "Keys and loading lag")."""

    data: StationTable
    cells: dict[str, dict[str, Text]]
    widths: dict[str, int]
    # row keys after the stations': "none", the area subtotals, "total"
    tail: tuple[str, ...]
    # per station its name's pinyin key (station_order)
    names: dict[str, str] = field(default_factory=dict)


def draw_figures(data: StationTable) -> DrawnFigures:
    """Every cell of `data` but the station code's and the score's (widgets/figures_cells.py)."""
    raw: dict[str, dict[str, Any]] = {}
    names: dict[str, str] = {}
    for code, values in data.current.items():
        info = data.info.get(code)
        name, area = (info.name, info.area_type) if info else (code, "")
        names[code] = pinyin_key(name)
        before = data.previous.get(code, {}) if data.complete else None
        trend = sparkline(data.trend.get(code, [])) if data.complete else ""
        raw[code] = {
            "station_name": Text(name), "area_type": Text(group_label("area", area) if area else ""),
            "trend": Text(trend, "red"), **_figures(values, before),
        }
    tail: list[str] = []
    if not data.current:
        raw["none"] = {"station_name": Text(t("stations.none"), "italic dim")}
        tail.append("none")
    for area in AreaType:
        if area.value in data.areas:
            label = Text(t("stations.subtotal", area=group_label("area", area.value)), "bold")
            before = data.previous_areas.get(area.value, {}) if data.complete else None
            raw[f"area:{area.value}"] = {"station_name": label, **_figures(data.areas[area.value], before, bold=True)}
            tail.append(f"area:{area.value}")
    if data.current:
        before = data.previous_totals if data.complete else None
        label = Text(t("stations.total"), "bold reverse")
        raw["total"] = {"station_name": label, **_figures(data.totals, before, bold=True)}
        tail.append("total")
    widths = _fit(list(raw.values()), ROW_FIGURES, ("station_name", "area_type", "trend"))
    return DrawnFigures(data, raw, widths, tuple(tail), names)


def _fit(rows: list[dict[str, Any]], figures: tuple[str, ...], labels: tuple[str, ...]) -> dict[str, int]:
    """Widths in terminal cells (CJK is two), so that every cell shows whole; a figure's
    (value, change, bold) parts become one cell, values and changes each aligned right
    in their own part. Changes `rows` in place."""
    widths = {}
    for column in figures:
        parts = [cells[column] for cells in rows if column in cells]
        value_width = max((cell_len(value) for value, _, _ in parts), default=0)
        change_width = max((cell_len(change.plain) for _, change, _ in parts), default=0)
        for cells in rows:
            if column in cells:
                value, change, bold = cells[column]
                cells[column] = _figure_cell(value, change, bold, value_width, change_width)
        widths[column] = value_width + (change_width + 1 if change_width else 0)
    for column in labels:
        widths[column] = max([0] + [cell_len(cells[column].plain) for cells in rows if column in cells])
    return widths


class StationFiguresTable(TranslatedBindings, PlacedTable):
    BINDINGS = DATA_TABLE_KEYS

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self.fixed_columns = 2
        self.data: StationTable | None = None
        self.drawn: DrawnFigures | None = None
        self.scores: dict[str, StationScore] = {}
        self.sort_column, self.sort_reverse = DEFAULT_SORT
        self.narrow: bool | None = None
        # stations marked with space (a pilot's stations, docs/assessment.md)
        self.marked: set[str] = set()
        # _own_cells: (figures drawn, marks, cells, widths, scores) it was made of; what
        # the rows placed were made of
        self._own: tuple[DrawnFigures, frozenset, dict[str, dict[str, Any]], dict[str, int], dict] | None = None
        self._placed: tuple | None = None

    def _own_cells(self, drawn: DrawnFigures) -> tuple[dict[str, dict[str, Any]], dict[str, int]]:
        """The cells this table draws itself, the station code (with its mark) and the
        score, with every column's width; made again only when the figures, the marks
        or the scores change, not for a new order. Text, never str: DataTable parses a
        str as markup (and looks for emoji codes in it: ~0.4 ms a cell), and a name with
        "[" in it is not markup."""
        marks = frozenset(self.marked)
        if self._own is None or self._own[0] is not drawn or self._own[1] != marks or self._own[4] is not self.scores:
            own: dict[str, dict[str, Any]] = {}
            for code in drawn.data.current:
                mark = symbols.MARK + " " if code in self.marked else ""
                own[code] = {"station_code": Text(mark + code, "bold" if mark else ""), "score": _score(self.scores.get(code))}
            widths = {**drawn.widths, **_fit(list(own.values()), ("score",), ("station_code",))}
            self._own = (drawn, marks, own, widths, self.scores)
        return self._own[2], self._own[3]

    def ordered(self) -> list[StationRow]:
        if self.data is None:
            return []
        return station_rows(self.data, self.sort_column, self.sort_reverse, self.scores)

    def toggle_mark(self) -> None:
        code = self.selected_station()
        if code is not None:
            self.marked.symmetric_difference_update({code})
            if self.data is not None:
                self.show(self.data)

    def selected_station(self) -> str | None:
        if not self.row_count or self.data is None:
            return None
        key = self.coordinate_to_cell_key(Coordinate(self.cursor_row, 0)).row_key.value
        return key if key in self.data.current else None

    def on_resize(self) -> None:
        if self.data is not None and (self.size.width < NARROW_BELOW) != self.narrow:
            self.show(self.data)

    def show(
        self, data: StationTable, keep_cursor: bool = True, scores: Scorecard | None = None, drawn: DrawnFigures | None = None
    ) -> None:
        """Draw `data` (and the scorecard when given), keeping the cursor on its
        station; a new order (keep_cursor False) is shown from its top. `drawn`: its
        cells made already (draw_figures, in the loader's worker)."""
        if scores is not None:
            self.scores = scores.by_code()
        elif data is not self.data and (self.data is None or data.period != self.data.period):
            self.scores = {}
        if drawn is None or drawn.data is not data:
            drawn = self.drawn if self.drawn is not None and self.drawn.data is data else draw_figures(data)
        self.data, self.drawn = data, drawn
        self.narrow = self.size.width < NARROW_BELOW
        order = NARROW_COLUMNS if self.narrow else WIDE_COLUMNS
        cursor_key = self.selected_station() if keep_cursor else None
        # The station code (with its mark) and the score are this table's own; the
        # rest was drawn with the figures.
        codes = station_order(data, self.sort_column, self.sort_reverse, self.scores, drawn.names)
        own, widths = self._own_cells(drawn)
        columns = []
        for column in order:
            label = column_label(column)
            if column == self.sort_column:
                label += " ▼" if self.sort_reverse else " ▲"
            columns.append((column, label, max(cell_len(label), widths.get(column, 0))))
        keys = (*codes, *drawn.tail)
        cells_key = (drawn, own, order)
        if self._placed is not None and all(now is then for now, then in zip(cells_key, self._placed, strict=True)):
            # the same cells in another order (a sort): only the rows' places change
            self.reorder(columns, keys)
        else:
            blank = Text()

            def cells(key: str) -> list[Text]:
                drawn_cells, mine = drawn.cells[key], own.get(key, {})
                return [mine[column] if column in mine else drawn_cells.get(column, blank) for column in order]

            # all at once, nothing measured: widgets/placed_table.py
            self.place(columns, [(key, cells(key)) for key in keys])
            self._placed = cells_key
        if cursor_key is not None and cursor_key in self.data.current:
            self.move_cursor(row=self.get_row_index(cursor_key), animate=False)
        elif not keep_cursor:
            self.move_cursor(row=0, animate=False)
            self.scroll_home(animate=False)


def _score(line: StationScore | None) -> tuple[str, Text, bool]:
    """The score with its rank ("87.3 #2") and its change against the period before."""
    if line is None or line.score is None:
        return (t("none"), Text(), False)
    change = Text()
    if line.change is not None and abs(line.change) >= 0.05:
        worse = line.change < 0
        change = Text(f"{symbols.UP if line.change > 0 else symbols.DOWN}{abs(line.change):.1f}" + (symbols.WORSE if worse else ""),
                      "bold red" if worse else "green")
    return (f"{line.score:.1f} #{line.rank}", change, False)


def _figures(values: dict, before: dict | None, bold: bool = False) -> dict[str, tuple[str, Text, bool]]:
    """Each figure as (value, change, bold); no change while `before` is None."""
    out = {}
    for key in ROW_FIGURES:
        now = values.get(key)
        change = change_only(key, now, before.get(key)) if before is not None else Text()
        out[key] = (format_value(key, now), change, bold)
    return out


def _figure_cell(value: str, change: Text, bold: bool, value_width: int, change_width: int) -> Text:
    """The value right-aligned in its part, the change in its own: one Text built from
    its spans (a cell is made for each figure of each row at every redraw)."""
    plain = " " * (value_width - cell_len(value)) + value
    spans = [Span(len(plain) - len(value), len(plain), "bold")] if bold else []
    if change_width:
        plain += " " * (1 + change_width - cell_len(change.plain)) + change.plain
        if change.plain:
            spans.append(Span(len(plain) - len(change.plain), len(plain), change.style))
    return Text(plain, spans=spans)
