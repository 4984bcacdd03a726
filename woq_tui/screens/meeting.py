"""The weekly meeting (key 4): what a duty manager shows on a shared screen.

The week's headline figures against the week before in large digits, the five
stations that got worse most and those that improved (by overdue rate), the type mix,
and overdue and escalations by day. `[` `]` move a period; `e` saves an SVG screenshot
and the meeting as one HTML page to mail (reporting/meeting_html.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Static

from woq_tui.domain.figure_catalog import FIGURE_BY_KEY
from woq_tui.domain.periods import (
    Period,
    last_full_period,
    period_label,
)
from woq_tui.i18n import t
from woq_tui.reporting.formatting import format_value, group_label
from woq_tui.reporting.meeting import MOVER_FIGURE, Mover, backlog_reasons, chart_bars, chart_heading, movers, type_mix
from woq_tui.screens.base import WoqScreen
from woq_tui.screens.period_keys import PeriodKeys, period_bindings
from woq_tui.values.assessment import BacklogList
from woq_tui.values.figures import MeetingWeek
from woq_tui.widgets.figures_cells import MARK_WORSE, change_text
from woq_tui.widgets.figures_charts import bar_rows, pad, paired_bars
from woq_tui.widgets.kpi_tile import KpiTile
from woq_tui.widgets.loader import Loader, show_failure

# The last is the audit's (audit.md, "Figures"), read beside the week's figures.
HEADLINES = (
    "tickets", "overdue_rate", "on_time_rate", "avg_first_response_min", "p90_handling_h", "satisfaction_rate",
    "quality_pass_rate",
)


def digits_text(key: str, value) -> str:
    """A headline value for Digits: no thousands separators, ratios in percent."""
    if value is None:
        return "-"
    unit = FIGURE_BY_KEY[key].unit
    if unit == "count":
        return str(int(value))
    if unit == "ratio":
        return f"{value * 100:.1f}"
    return f"{value:.1f}"


def period_kind_word(kind: str) -> str:
    """Which word names the period before: week, month, quarter, year, or just "period"."""
    return kind if kind in ("week", "month", "quarter", "year") else "period"


def headline_label(key: str) -> str:
    """The tile's name: short enough for a sixth of 100 columns, with its unit (a
    ratio's % and a duration's 分/时) so that the big digits read alone."""
    return t(f"figure.tile.{key}")


class MeetingScreen(PeriodKeys, WoqScreen):
    TITLE_KEY = "screen.meeting"
    BINDINGS = [
        *period_bindings("meeting", "key.meeting.previous", "key.meeting.next"),
        Binding("e", "export", "key.meeting.export", id="meeting.export"),
    ]
    DEFAULT_CSS = """
    MeetingScreen { background: $background; }
    MeetingScreen #meeting-title { height: 1; padding: 0 1; text-style: bold; background: $block-cursor-background; color: $block-cursor-foreground; }
    MeetingScreen #meeting-kpis { height: auto; }
    MeetingScreen .meeting-row { height: auto; }
    MeetingScreen .meeting-panel { width: 1fr; height: auto; border: round $primary; padding: 0 1; }
    MeetingScreen .meeting-panel > .heading { text-style: bold; color: $text; }
    MeetingScreen #meeting-body { height: 1fr; overflow-y: auto; }
    MeetingScreen.-narrow KpiTile { padding: 0; min-width: 14; }
    MeetingScreen.-narrow KpiTile > .kpi-label { text-wrap: wrap; height: 2; }
    """
    # Seven tiles on a row leave about 12 cells for each name below 130 columns (a
    # projector's large font): the names take two lines there instead of an ellipsis,
    # and the tiles give up their padding (four digits still fit at 100 columns).
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (130, "-wide")]


    def __init__(self) -> None:
        super().__init__()
        self.period: Period | None = None
        self.week: MeetingWeek | None = None

    def compose_body(self) -> ComposeResult:
        yield Static(id="meeting-title")
        with Vertical(id="meeting-body"):
            with Horizontal(id="meeting-kpis"):
                for key in HEADLINES:
                    yield KpiTile(headline_label(key), id=f"kpi-{key}")
            with Horizontal(classes="meeting-row"):
                with Vertical(classes="meeting-panel"):
                    yield Static(t("meeting.worse"), classes="heading")
                    yield Static(id="meeting-worse")
                with Vertical(classes="meeting-panel"):
                    yield Static(t("meeting.improved"), classes="heading")
                    yield Static(id="meeting-improved")
            with Horizontal(classes="meeting-row"):
                with Vertical(classes="meeting-panel"):
                    yield Static(t("meeting.type_mix"), classes="heading")
                    yield Static(id="meeting-types")
                with Vertical(classes="meeting-panel"):
                    yield Static(t("meeting.by_day"), classes="heading", id="meeting-days-heading")
                    yield Static(id="meeting-days")
            with Vertical(classes="meeting-panel"):
                yield Static(t("backlog.heading"), classes="heading")
                yield Static(id="meeting-backlog")

    def on_mount(self) -> None:
        super().on_mount()
        context = self.context
        self.period = last_full_period("week", context.clock.now(), context.settings.tz)
        self.load()
        self.backlog.load(None)

    def load(self) -> None:
        assert self.period is not None
        self.query_one("#meeting-body").loading = True
        self._show_title()
        self.weeks.load(self.period)

    @cached_property
    def weeks(self) -> Loader[Period, MeetingWeek]:
        return Loader(self, self._read, self._loaded, what="stations.failed", failed=self._failed)

    def _read(self, period: Period) -> MeetingWeek:
        """The week's figures and the audit's quality pass rate, now and compared."""
        store = self.store
        week = store.meeting_week(period)
        now = store.quality_by_station(week.period, week.as_of)[1]
        before = None
        if week.comparison is not None:
            before = store.quality_by_station(week.comparison.period, week.comparison.as_of)[1]
        return replace(
            week,
            totals={**week.totals, "quality_pass_rate": now.quality_pass_rate},
            previous_totals={**week.previous_totals, "quality_pass_rate": before.quality_pass_rate if before else None},
        )

    def _failed(self, _period: Period, error: BaseException) -> None:
        self.query_one("#meeting-body").loading = False
        show_failure(self, "stations.failed", error)

    @cached_property
    def backlog(self) -> Loader[None, BacklogList]:
        """The black list now (not of the period shown: it is where things stand)."""
        return Loader(self, lambda _: self.store.backlog(), self._show_backlog, what="backlog.failed")

    def _show_backlog(self, _request: None, backlog: BacklogList) -> None:
        out = Text()
        for index, entry in enumerate(backlog.entries):
            if index:
                out.append("\n")
            out.append(f"{entry.code} {entry.station.name}  ", "bold")
            out.append(backlog_reasons(entry, backlog))
        self.query_one("#meeting-backlog", Static).update(out if backlog.entries else Text(t("backlog.none"), "italic"))

    def _show_title(self) -> None:
        period = self.period
        assert period is not None
        title = Text(period_label(period))
        comparison = self.week.comparison if self.week is not None and self.week.period == period else None
        if comparison is not None and comparison.partial:
            start, end = (moment.astimezone(period.tz) for moment in (comparison.period.start, comparison.period.end))
            title.append("  " + t("meeting.compared_partial", start=f"{start:%m-%d %H:%M}", end=f"{end:%m-%d %H:%M}"))
        title.append("   ")
        title.append(t("stations.legend_worse", mark=MARK_WORSE))
        self.query_one("#meeting-title", Static).update(title)

    def _loaded(self, _period: Period, week: MeetingWeek) -> None:
        self.week = week
        partial = week.comparison is not None and week.comparison.partial
        self._show_title()
        for key in HEADLINES:
            now, before = week.totals.get(key), week.previous_totals.get(key)
            unit = t(f"figure.unit_short.{FIGURE_BY_KEY[key].unit}")
            change = change_text(key, now, before, with_value=False, points=True, unit=unit)
            previous = t(f"meeting.previous.{period_kind_word(week.period.kind)}")
            versus = t("meeting.vs_last_partial" if partial else "meeting.vs_last", previous=previous, value=format_value(key, before))
            line = Text.assemble(change or "=", "\n", (versus, ""))
            self.query_one(f"#kpi-{key}", KpiTile).show(digits_text(key, now), line)
        worse, improved = movers(week)
        self.query_one("#meeting-worse", Static).update(self._mover_lines(worse))
        self.query_one("#meeting-improved", Static).update(self._mover_lines(improved))
        self.query_one("#meeting-types", Static).update(self._types(week))
        self.query_one("#meeting-days", Static).update(self._days(week))
        self.query_one("#meeting-body").loading = False

    @staticmethod
    def _mover_lines(items: list[Mover]) -> Text:
        if not items:
            return Text(t("meeting.nobody"), "italic")
        width = max(pad_width(item.name) for item in items)
        out = Text()
        for index, item in enumerate(items):
            if index:
                out.append("\n")
            out.append(f"{item.code} ", "bold")
            out.append(pad(item.name, width) + " ")
            out.append(f"{format_value(MOVER_FIGURE, item.now):>6} ")
            out.append_text(change_text(MOVER_FIGURE, item.now, item.before, with_value=False, points=True))
        return out

    @staticmethod
    def _types(week: MeetingWeek) -> Text:
        mix = type_mix(week)
        if not mix:
            return Text(t("stations.none"), "italic")
        rows: list[tuple[str, float, str]] = [(group_label("type", kind), count, f"{count:>6,} {share * 100:5.1f}%") for kind, count, share in mix]
        return bar_rows(rows, width=16)

    def _days(self, week: MeetingWeek) -> Text:
        self.query_one("#meeting-days-heading", Static).update(chart_heading(week))
        return paired_bars(chart_bars(week), (t("meeting.overdue"), t("meeting.escalated")))

    def palette_extras(self) -> list[tuple[str, str, Callable[[], object]]]:
        return [(t("period.custom_command"), t("screen.meeting"), self.ask_dates)]

    def action_export(self) -> None:
        if self.period is None:
            return
        folder = self.export_folder()
        base = f"meeting_{self.period.first_day:%Y%m%d}-{self.period.last_day:%Y%m%d}"
        try:
            svg = Path(self.app.save_screenshot(f"{base}.svg", str(folder)))
        except OSError as exc:
            show_failure(self, "stations.export_failed", exc)
            return
        self.saving.load(SaveRequest(self.period, folder / f"{base}.html", svg.name))

    @cached_property
    def saving(self) -> Loader[SaveRequest, None]:
        return Loader(self, self._save_html, self._saved, what="stations.export_failed", latest_only=False)

    def _save_html(self, request: SaveRequest) -> None:
        """The page of what the screen shows (reporting/meeting_html.py), read afresh
        for the period so that the file is whole even before the screen has loaded."""
        from woq_tui.reporting.meeting_html import render_meeting_html

        week = self._read(request.period)
        backlog = self.store.backlog()
        html = render_meeting_html(week, backlog, self.context.settings.tz, generated=self.context.clock.now())
        request.path.write_text(html, encoding="utf-8")

    def _saved(self, request: SaveRequest, _none: None) -> None:
        self.notify(t("meeting.saved", svg=str(request.path.with_name(request.svg_name)), html=str(request.path)), timeout=10)


@dataclass(frozen=True)
class SaveRequest:
    period: Period
    path: Path
    svg_name: str


def pad_width(text: str) -> int:
    from rich.cells import cell_len

    return cell_len(text)
