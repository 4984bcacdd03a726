"""Station performance (key 3): the figures of docs/figures.md per station for a
period (widgets/station_figures.py draws them).

The figures load through one Loader that reads the period, its comparison and the trend
concurrently (store/figures.load_station_table): the rows show as soon as the period's
own figures are there, the changes and trend when the rest is. Loaded tables are kept
per (period, minute) for stepping back and forth; coming back to the screen after the
refresh interval reads afresh.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from functools import cached_property
from pathlib import Path

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Static

from woq_tui.domain.periods import (
    PERIOD_KINDS,
    Comparison,
    Period,
    PeriodKind,
    last_full_period,
    period_of,
)
from woq_tui.i18n import t
from woq_tui.reporting.csv_writer import write_csv
from woq_tui.reporting.formatting import period_title
from woq_tui.reporting.station_csv import station_csv
from woq_tui.screens.base import WoqScreen, freeze_after_first_load
from woq_tui.screens.period_keys import PeriodKeys, period_bindings
from woq_tui.values.assessment import Scorecard
from woq_tui.values.audit import QualityFigures
from woq_tui.values.figures import StationTable
from woq_tui.widgets.figures_cells import MARK_WORSE
from woq_tui.widgets.loader import Loader, show_failure
from woq_tui.widgets.station_figures import (
    ROW_FIGURES,
    SORT_COLUMNS,
    DrawnFigures,
    StationFiguresTable,
    column_label,
    draw_figures,
)

CACHE_SIZE = 16


def comparison_text(comparison: Comparison, shown: Period) -> str:
    """"vs 11-16 – 11-22", or for a running period "vs the same span: 11-16 00:00 –
    11-19 10:00" (the comparison's end is exclusive: the instant it is judged at); with
    its year when that is not the year `shown` starts in (a year to date's: last year's)."""
    period = comparison.period
    if not comparison.partial:
        return t("stations.compared", start=period.first_day.isoformat(), end=period.last_day.isoformat())
    start = period.start.astimezone(period.tz)
    end = period.end.astimezone(period.tz)
    form = "%m-%d %H:%M" if start.year == shown.start.astimezone(shown.tz).year else "%Y-%m-%d %H:%M"
    return t("stations.compared_partial", start=start.strftime(form), end=end.strftime(form))


Quality = tuple[Mapping[str, QualityFigures], QualityFigures]


def with_quality(table: StationTable, now: Quality, before: Quality) -> StationTable:
    """The table with the audit's quality_pass_rate beside each row's figures
    (audit.md, "Figures"): per station, per area (from its stations' counts) and in
    total, for the period and its comparison."""

    def rate(tickets: int, flagged: int) -> float | None:
        return 1 - flagged / tickets if tickets else None

    def add(rows: Mapping[str, dict], quality: Quality) -> tuple[dict, dict, dict]:
        by_station, total = quality
        stations = {code: {**values, "quality_pass_rate": by_station[code].quality_pass_rate if code in by_station else None}
                    for code, values in rows.items()}
        counts: dict[str, list[int]] = {}
        for code, figures in by_station.items():
            info = table.info.get(code)
            if info is not None:
                area = counts.setdefault(info.area_type, [0, 0])
                area[0] += figures.tickets
                area[1] += figures.flagged
        areas = {area: rate(*counts.get(area, [0, 0])) for area in table.areas}
        return stations, areas, {"quality_pass_rate": total.quality_pass_rate}

    current, areas, totals = add(table.current, now)
    previous, previous_areas, previous_totals = add(table.previous, before)
    return replace(
        table,
        current=current,
        previous=previous,
        areas={area: {**values, "quality_pass_rate": areas[area]} for area, values in table.areas.items()},
        previous_areas={area: {**values, "quality_pass_rate": previous_areas.get(area)} for area, values in table.previous_areas.items()},
        totals={**table.totals, **totals},
        previous_totals={**table.previous_totals, **previous_totals},
    )


@dataclass(frozen=True)
class FiguresRequest:
    period: Period
    as_of: datetime


@dataclass(frozen=True)
class StationView:
    """What the screen shows of a period: its figures, and once they are complete the
    scorecard computed from them (docs/assessment.md)."""

    table: StationTable
    scorecard: Scorecard | None = None
    # its cells, drawn in the worker (docs/speed.md, "Keys and loading lag")
    drawn: DrawnFigures | None = None
    # the quality column and the scorecard are in: nothing more comes for this load
    complete: bool = False


class StationsScreen(PeriodKeys, WoqScreen):
    TITLE_KEY = "screen.stations"
    _PERIOD, _PREVIOUS, _NEXT = period_bindings("stations", "key.stations.previous", "key.stations.next")
    BINDINGS = [
        Binding("s", "next_sort", "key.stations.next_sort", id="stations.sort"),
        # in the help and the palette; the footer has no room for it at 100 columns
        Binding("S", "reverse_sort", "key.stations.reverse_sort", id="stations.reverse_sort", show=False),
        _PERIOD,
        Binding("space", "mark", "key.stations.mark", id="stations.mark"),
        Binding("P", "pilot", "key.stations.pilot", id="stations.pilot"),
        _PREVIOUS,
        _NEXT,
        Binding("enter", "open_station", "key.stations.open", id="stations.open", show=False),
        Binding("e", "export", "key.stations.export", id="stations.export"),
    ]
    DEFAULT_CSS = """
    StationsScreen #stations-bar { height: auto; padding: 0 1; background: $boost; }
    StationsScreen #stations-table { height: 1fr; }
    """

    def __init__(self, period: Period | None = None) -> None:
        super().__init__()
        # None: the last full week, as the meeting view opens (docs/assessment.md)
        self.period: Period | None = period
        # what is shown: the period's figures, then its scorecard with them (complete)
        self.view: StationView | None = None
        # perf_counter() when a load was asked for, when its station rows showed and
        # when everything did
        self.load_started = 0.0
        self.rows_shown_at = 0.0
        self.complete_at = 0.0
        self.loaded_at = 0.0  # time.monotonic() of the last complete load
        # (period, as_of minute) -> complete view, most recent last
        self.cache: OrderedDict[tuple, StationView] = OrderedDict()

    def compose_body(self) -> ComposeResult:
        yield Static(id="stations-bar")
        yield StationFiguresTable(id="stations-table")

    @property
    def data(self) -> StationTable | None:
        return self.view.table if self.view is not None else None

    @property
    def scorecard(self) -> Scorecard | None:
        return self.view.scorecard if self.view is not None else None

    @property
    def table(self) -> StationFiguresTable:
        return self.query_one(StationFiguresTable)

    @property
    def sort_column(self) -> str:
        return self.table.sort_column

    @property
    def sort_reverse(self) -> bool:
        return self.table.sort_reverse

    def on_mount(self) -> None:
        super().on_mount()
        context = self.context
        if self.period is None:
            self.period = last_full_period("week", context.clock.now(), context.settings.tz)
        self.load()

    def on_screen_resume(self) -> None:
        # Coming back to the screen (key 3, or from a station): figures older than the
        # refresh interval are read again, keeping the sort and the cursor's station.
        if self.data is not None and time.monotonic() - self.loaded_at > self.context.settings.console.refresh_seconds:
            self.load(cached=False)

    # loading ------------------------------------------------------------------------

    def _cache_key(self, period: Period, as_of: datetime) -> tuple:
        return (period.start, period.end, period.kind, as_of.replace(second=0, microsecond=0))

    @cached_property
    def figures(self) -> Loader[FiguresRequest, StationView]:
        return Loader(self, self._read, self._loaded, what="stations.failed", partial=True)

    def _read(self, request: FiguresRequest, report: Callable[[StationView], None]) -> StationView:
        store = self.store
        table = store.station_table(
            request.period, request.as_of, on_rows=lambda rows: report(StationView(rows, drawn=draw_figures(rows)))
        )
        assert table.comparison is not None
        # Every figure shown while the audit's quality is read: a province's year of it
        # takes a minute (docs/speed.md, "The station screen's quality read once").
        report(StationView(table, drawn=draw_figures(table)))
        # each read once, for the quality column and the scorecard both
        now = store.quality_by_station(table.period, table.as_of)
        before = store.quality_by_station(table.comparison.period, table.comparison.as_of)
        scorecard = store.scorecard_of(table, quality=(now, before))
        table = with_quality(table, now, before)
        return StationView(table, scorecard, draw_figures(table), complete=True)

    def load(self, cached: bool = True) -> None:
        """Show the period's figures: from the cache when this minute already read
        them (stepping back and forth), else from the database."""
        assert self.period is not None
        self.load_started = time.perf_counter()
        as_of = self.context.clock.now()
        hit = self.cache.get(self._cache_key(self.period, as_of)) if cached else None
        if hit is not None:
            self.figures.forget()  # an answer still on its way is older than this
            self.cache.move_to_end(self._cache_key(self.period, hit.table.as_of))
            self._loaded(FiguresRequest(self.period, as_of), hit)
            return
        # No loading overlay: the bar says the figures are being read, and the old ones
        # (if any) stay until the new arrive; the overlay's mounting and animation cost
        # the event loop more than the wait is long.
        self.figures.load(FiguresRequest(self.period, as_of))
        self.update_bar()

    def _loaded(self, _request: FiguresRequest, view: StationView) -> None:
        self.view, table = view, view.table
        self.table.show(table, scores=view.scorecard, drawn=view.drawn)
        if not self.rows_shown_at or self.rows_shown_at < self.load_started:
            self.rows_shown_at = time.perf_counter()
        if view.complete:
            self.complete_at = time.perf_counter()
            self.loaded_at = time.monotonic()
            key = self._cache_key(table.period, table.as_of)
            self.cache[key] = view
            self.cache.move_to_end(key)
            while len(self.cache) > CACHE_SIZE:
                self.cache.popitem(last=False)
            self.call_after_refresh(freeze_after_first_load, "stations")
        self.update_bar()

    # showing ------------------------------------------------------------------------

    def update_bar(self) -> None:
        """The period, what it is compared with, the sort and the legend: on one line
        where they fit, else the sort and legend on a second (never a word cut from
        what it names, as "Sorted by" once was)."""
        if self.period is None:
            return
        data = self.data if self.data is not None and self.data.period == self.period else None
        comparison = data.comparison if data is not None and data.comparison else self.period.comparison(self.context.clock.now())
        first = Text(period_title(self.period), style="bold")
        first.append("  ")
        first.append(comparison_text(comparison, self.period), "dim")
        second = Text(t("stations.sorted", column=column_label(self.sort_column), direction="↓" if self.sort_reverse else "↑"))
        second.append("  ")
        second.append(t("stations.legend_better"), "green")
        second.append(" ")
        second.append(t("stations.legend_worse", mark=MARK_WORSE), "bold red")
        if data is None or self.view is None or not self.view.complete:
            second.append("  ")
            # every figure but the audit's is shown: what "—" stands for meanwhile
            loading = "stations.loading_quality" if data is not None and data.complete else "stations.loading"
            second.append(t(loading), "italic dim")
        bar = self.query_one("#stations-bar", Static)
        room = (bar.size.width or self.size.width) - 2
        joined = Text("\n" if first.cell_len + 2 + second.cell_len > room else "  ").join([first, second])
        bar.update(joined)

    def on_resize(self) -> None:
        self.update_bar()

    # actions ------------------------------------------------------------------------

    def _sorted(self, column: str, reverse: bool) -> None:
        table = self.table
        table.sort_column, table.sort_reverse = column, reverse
        if self.data is not None:
            table.show(self.data, keep_cursor=False)
        self.update_bar()

    def action_next_sort(self) -> None:
        column = SORT_COLUMNS[(SORT_COLUMNS.index(self.sort_column) + 1) % len(SORT_COLUMNS)]
        # numbers start worst-or-biggest (best score) first, names alphabetically
        self._sorted(column, column in ROW_FIGURES or column == "score")

    def action_reverse_sort(self) -> None:
        self._sorted(self.sort_column, not self.sort_reverse)

    def action_mark(self) -> None:
        self.table.toggle_mark()

    def action_pilot(self) -> None:
        """Evaluate the marked stations (or the one under the cursor) as a pilot from a
        date the supervisor types (screens/pilot.py)."""
        stations = sorted(self.table.marked) or [code for code in [self.selected_station()] if code]
        if not stations:
            self.notify(t("pilot.mark_first"), severity="warning")
            return
        from woq_tui.screens.pilot import ask_pilot

        ask_pilot(self, stations)

    def selected_station(self) -> str | None:
        return self.table.selected_station()

    def action_open_station(self) -> None:
        code = self.selected_station()
        if code and self.period is not None:
            from woq_tui.screens.station_detail import StationDetailScreen

            score = self.scorecard.by_code().get(code) if self.scorecard is not None else None
            self.app.push_screen(StationDetailScreen(code, self.period, score))

    @on(DataTable.RowSelected)
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open_station()

    def action_export(self) -> None:
        if self.data is None or self.period is None:
            return
        folder = self.export_folder()
        base = f"stations_{self.period.first_day:%Y%m%d}-{self.period.last_day:%Y%m%d}_{self.export_stamp()}"
        csv_path = folder / f"{base}.csv"
        header, rows = station_csv(self.data, [row.code for row in self.table.ordered()])
        try:
            write_csv(csv_path, header, rows)
            svg_path = Path(self.app.save_screenshot(f"{base}.svg", str(folder)))
        except OSError as exc:
            show_failure(self, "stations.export_failed", exc)
            return
        self.notify(t("stations.exported", csv=str(csv_path), svg=str(svg_path)), timeout=10)

    def palette_extras(self) -> list[tuple[str, str, Callable[[], object]]]:
        """Periods no key reaches: the running ones (today, this week, last 30 days) and
        dates typed in."""
        running = [
            (f"{t('key.stations.period')}: {t('stations.period.' + kind)}", t("screen.stations"), lambda kind=kind: self._choose(kind))
            for kind in PERIOD_KINDS
        ]
        return [*running, (t("period.custom_command"), t("screen.stations"), self.ask_dates)]

    def _choose(self, kind: PeriodKind) -> None:
        self.period = period_of(kind, self.context.clock.now(), self.context.settings.tz)
        self.load()
