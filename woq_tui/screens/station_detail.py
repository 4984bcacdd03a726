"""One station (enter on the station screen): its figures by type, its daily trend,
and its open and overdue tickets of the period."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import DataTable, Static

from woq_tui.domain.enums import SlaState
from woq_tui.domain.figure_catalog import FIGURE_KEYS
from woq_tui.domain.periods import Period, step_period
from woq_tui.i18n import t
from woq_tui.reporting.audit_words import rule_name
from woq_tui.reporting.csv_writer import write_csv
from woq_tui.reporting.formatting import (
    day_label,
    format_value,
    group_label,
    period_title,
)
from woq_tui.screens.base import WoqScreen
from woq_tui.values.assessment import COMPONENT_NAMES, StationScore
from woq_tui.values.audit import QualityFigures
from woq_tui.values.figures import StationDetail
from woq_tui.widgets.app_header import AppHeader
from woq_tui.widgets.figures_cells import bar
from woq_tui.widgets.loader import Loader, show_failure
from woq_tui.widgets.sla_cell import FALLBACK, sla_label

DAY_FIGURES = ("tickets", "overdue", "overdue_rate", "on_time_rate", "avg_first_response_min", "p90_handling_h")


class StationDetailScreen(WoqScreen):
    TITLE_KEY = "screen.stations"
    BINDINGS = [
        Binding("escape", "app.pop_screen", "key.back", id="station_detail.back"),
        Binding("left_square_bracket", "step(-1)", "key.stations.previous", key_display="[", id="station_detail.previous"),
        Binding("right_square_bracket", "step(1)", "key.stations.next", key_display="]", id="station_detail.next"),
        Binding("e", "export", "key.stations.export", id="station_detail.export"),
    ]
    DEFAULT_CSS = """
    StationDetailScreen #detail-title { height: 1; padding: 0 1; background: $boost; text-style: bold; }
    StationDetailScreen #detail-score { height: auto; padding: 0 1; }
    StationDetailScreen .section { height: 1; padding: 0 1; color: $text-accent; text-style: bold; }
    StationDetailScreen #detail-types { height: auto; max-height: 11; }
    StationDetailScreen #detail-lower { height: 1fr; }
    StationDetailScreen #detail-lower > Vertical { width: 1fr; }
    StationDetailScreen #detail-days, StationDetailScreen #detail-tickets { height: 1fr; }
    """


    def __init__(self, code: str, period: Period, score: StationScore | None = None) -> None:
        super().__init__()
        self.code = code
        self.period = period
        # the station's line of the period's scorecard, from the station screen
        self.score = score
        self.detail: StationDetail | None = None

    def compose_body(self) -> ComposeResult:
        yield Static(id="detail-title")
        yield Static(id="detail-score")
        yield Static(t("station_detail.by_type"), classes="section")
        yield DataTable(id="detail-types", cursor_type="row", zebra_stripes=True)
        with Horizontal(id="detail-lower"):
            with Vertical():
                yield Static(t("station_detail.trend"), classes="section")
                yield DataTable(id="detail-days", cursor_type="row", zebra_stripes=True)
            with Vertical():
                yield Static(t("station_detail.open_tickets"), classes="section")
                yield DataTable(id="detail-tickets", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#detail-title", Static).update(f"{self.code}  {period_title(self.period)}")
        for table in self.query(DataTable):
            table.loading = True
        self.loader.load(self.code)

    @cached_property
    def loader(self) -> Loader[str, tuple[StationDetail, QualityFigures | None]]:
        return Loader(self, self._read, self._loaded, what="stations.failed", failed=self._failed)

    def _read(self, code: str) -> tuple[StationDetail, QualityFigures | None]:
        """The station's figures, and its tickets flagged by the audit by rule."""
        store = self.store
        detail = store.station_detail(code, self.period)
        return detail, store.quality_by_station(self.period, detail.as_of)[0].get(code)

    def _failed(self, _code: str, error: BaseException) -> None:
        for table in self.query(DataTable):
            table.loading = False
        show_failure(self, "stations.failed", error)

    def action_step(self, steps: int) -> None:
        moved = step_period(self.period, steps, self.context.clock.now())
        if moved == self.period:
            self.notify(t("period.no_future"))
            return
        self.period = moved
        self.score = None  # the scorecard was the other period's
        self.query_one("#detail-title", Static).update(f"{self.code}  {period_title(self.period)}")
        for table in self.query(DataTable):
            table.loading = True
        self.loader.load(self.code)

    @on(DataTable.RowSelected, "#detail-tickets")
    def _open_ticket(self, event: DataTable.RowSelected) -> None:
        """enter on one of the station's tickets: its detail, as from the queue."""
        from woq_tui.screens.ticket import TicketScreen

        event.stop()
        if event.row_key.value:
            self.app.push_screen(TicketScreen(event.row_key.value))

    def action_export(self) -> None:
        """The station's open and overdue tickets as CSV, and a screenshot."""
        detail = self.detail
        if detail is None:
            return
        tz = self.context.settings.tz
        folder = self.export_folder()
        base = f"station_{self.code}_{self.period.first_day:%Y%m%d}-{self.period.last_day:%Y%m%d}_{self.export_stamp()}"
        header = ["ticket_no", "type", "status", "sla_state", "created_at", "due_at", "summary"]
        rows = [
            [
                row["ticket_no"], row["type"], row["status"], self._state(row, detail.as_of).value,
                row["created_at"].astimezone(tz).isoformat(), row["due_at"].astimezone(tz).isoformat() if row["due_at"] else None,
                row["summary"],
            ]
            for row in detail.tickets
        ]
        try:
            write_csv(folder / f"{base}.csv", header, rows)
            svg = Path(self.app.save_screenshot(f"{base}.svg", str(folder)))
        except OSError as exc:
            show_failure(self, "stations.export_failed", exc)
            return
        self.notify(t("stations.exported", csv=str(folder / f"{base}.csv"), svg=str(svg)), timeout=8)

    def _state(self, row: dict[str, Any], as_of: datetime) -> SlaState:
        """The ticket's SLA state at the detail's instant (overdue also when resolved late)."""
        if row["overdue"]:
            return SlaState.overdue
        return self.context.policy.state(row["created_at"], row["due_at"], as_of)

    def _loaded(self, _code: str, answer: tuple[StationDetail, QualityFigures | None]) -> None:
        detail, quality = answer
        self.detail = detail
        line = score_line(self.score, self.context.settings.assessment)
        if quality is not None:
            line.append("\n" if line.plain else "")
            line.append_text(quality_line(quality))
        self.query_one("#detail-score", Static).update(line)
        for table in self.query(DataTable):
            table.clear(columns=True)
        info = detail.station
        title = t("station_detail.title", code=info.code, name=info.name, area=group_label("area", info.area_type))
        self.query_one("#detail-title", Static).update(f"{title}  {period_title(self.period)}")
        self.query_one(AppHeader).screen_title = f"{t('screen.stations')} · {info.name}"
        types = self.query_one("#detail-types", DataTable)
        types.add_column(t("report.type"), key="type")
        for key in FIGURE_KEYS:
            types.add_column(t(f"figure.short.{key}"), key=key)
        for kind, values in detail.by_type.items():
            types.add_row(group_label("type", kind), *(self._number(key, values) for key in FIGURE_KEYS), key=kind)
        types.add_row(Text(t("stations.total"), "bold"), *(self._number(key, detail.totals) for key in FIGURE_KEYS))
        days = self.query_one("#detail-days", DataTable)
        days.add_column(t("station_detail.day"), key="day")
        for key in DAY_FIGURES:
            days.add_column(t(f"figure.short.{key}"), key=key)
        days.add_column("", key="bar")
        top = max((values["tickets"] for values in detail.by_day.values()), default=0)
        for day in self.period.days():
            day_values = detail.by_day.get(day)
            if day_values is None:
                days.add_row(day_label(day), *("" for _ in DAY_FIGURES), "", key=day.isoformat())
                continue
            chart = Text(bar(day_values["tickets"], top, 10), "cyan")
            days.add_row(day_label(day), *(self._number(key, day_values) for key in DAY_FIGURES), chart, key=day.isoformat())
        tickets = self.query_one("#detail-tickets", DataTable)
        for key in ("ticket_no", "state", "type", "created", "due", "summary"):
            tickets.add_column(t(f"station_detail.{key}") if key != "type" else t("report.type"), key=key)
        tz = self.context.settings.tz
        for row in detail.tickets:
            sla = self._state(row, detail.as_of)
            state = Text(sla_label(sla), FALLBACK[sla])
            due = row["due_at"].astimezone(tz).strftime("%m-%d %H:%M") if row["due_at"] else t("none")
            tickets.add_row(
                row["ticket_no"], state, group_label("type", row["type"]),
                row["created_at"].astimezone(tz).strftime("%m-%d %H:%M"), due, (row["summary"] or "")[:30],
                key=row["ticket_no"],
            )
        for table in self.query(DataTable):
            table.loading = False

    @staticmethod
    def _number(key: str, values: dict) -> Text:
        return Text(format_value(key, values.get(key)), justify="right")


def quality_line(quality: QualityFigures) -> Text:
    """质检: the flagged tickets, the pass rate, and the flagged tickets by rule
    (audit.md, "Figures")."""
    out = Text(t("station_detail.quality") + "  ", "bold")
    out.append(t("station_detail.flagged", n=f"{quality.flagged:,}"))
    out.append(f"  {t('figure.short.quality_pass_rate')} {format_value('quality_pass_rate', quality.quality_pass_rate)}")
    for rule, count in quality.flags_by_rule.items():
        if count:
            out.append(f"   {rule_name(rule)} {count:,}")
    return out


def score_line(line: StationScore | None, settings) -> Text:
    """The station's score, rank and change, and each component with its weight
    (docs/assessment.md): what the score is made of."""
    if line is None:
        return Text("")
    out = Text()
    if line.score is None:
        out.append(t("score.unranked", count=settings.min_tickets), "italic")
    else:
        out.append(f"{t('score.score')} {line.score:.1f}  ", "bold")
        out.append(t("score.rank_of", rank=line.rank))
        if line.change is not None:
            out.append(f"  {t('score.change')} {line.change:+.1f}")
    weights = asdict(settings.weights)
    for name in COMPONENT_NAMES:
        value = line.components.get(name)
        shown = t("none") if value is None else f"{value * 100:.1f}%"
        out.append(f"   {t('score.component.' + name)} {shown} ×{weights.get(name, 0):g}", "" if weights.get(name) else "dim")
    return out
