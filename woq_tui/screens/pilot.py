"""Pilot evaluation in the console (试点评估, docs/assessment.md): from the station
screen, mark the pilot stations (space), press P, type the date the pilot started
and pick the figure; the view shows the four cells, the effect with its 95 % interval,
whether it is significant, and the daily series of the pilot and the control before
and after the start."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import cached_property

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from woq_tui.domain.figure_catalog import FIGURE_BY_KEY, FIGURE_KEYS
from woq_tui.domain.periods import local_day
from woq_tui.i18n import t
from woq_tui.reporting.formatting import day_label, figure_label, format_value
from woq_tui.reporting.pilot_report import pilot_text
from woq_tui.screens.base import WoqScreen
from woq_tui.values.assessment import PilotResult
from woq_tui.widgets.figures_cells import sparkline
from woq_tui.widgets.loader import Loader
from woq_tui.widgets.translated import TranslatedBindings

# What a pilot can be judged by: the ratio and mean figures (not plain counts).
PILOT_FIGURES = tuple(key for key in FIGURE_KEYS if FIGURE_BY_KEY[key].unit != "count")


@dataclass(frozen=True)
class PilotRequest:
    stations: tuple[str, ...]
    start: date
    figure: str


def ask_pilot(screen: Screen, stations: list[str]) -> None:
    """Ask the start date and figure, then show the evaluation."""

    def chosen(request: PilotRequest | None) -> None:
        if request is not None:
            screen.app.push_screen(PilotScreen(request))

    context = screen.app.context  # type: ignore[attr-defined]
    today = local_day(context.clock.now(), context.settings.tz)
    # The Monday `weeks` weeks back: a pilot evaluated after its first full windows.
    default = today - timedelta(days=today.weekday(), weeks=context.settings.assessment.weeks)
    screen.app.push_screen(PilotDialog(tuple(stations), default), chosen)


class PilotDialog(TranslatedBindings, ModalScreen[PilotRequest | None]):
    BINDINGS = [
        Binding("escape", "cancel", "reassign.key.cancel"),
        Binding("ctrl+s", "confirm", "pilot.key.evaluate"),
    ]
    DEFAULT_CSS = """
    PilotDialog { align: center middle; }
    PilotDialog > Vertical { width: 72; max-width: 100%; height: auto; max-height: 100%;
        border: thick $text-accent; background: $surface; padding: 0 1; }
    PilotDialog #title { text-style: bold; margin-bottom: 1; }
    PilotDialog Label { margin-top: 1; color: $text-muted; }
    PilotDialog #figures { height: auto; max-height: 10; }
    PilotDialog #error { color: $text-error; }
    """

    def __init__(self, stations: tuple[str, ...], start: date) -> None:
        super().__init__()
        self.stations = stations
        self.start = start

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(t("pilot.dialog_title", count=len(self.stations), codes="、".join(self.stations)), id="title")
            yield Label(t("pilot.start_label"))
            yield Input(self.start.isoformat(), placeholder="YYYY-MM-DD", id="start")
            yield Label(t("pilot.figure_label"))
            yield OptionList(*(Option(figure_label(key), id=key) for key in PILOT_FIGURES), id="figures")
            yield Static("", id="error")
            yield Static(t("pilot.dialog_hint"), classes="hint")

    def on_mount(self) -> None:
        self.query_one("#figures", OptionList).highlighted = PILOT_FIGURES.index("overdue_rate")
        self.query_one("#start", Input).focus()

    @on(Input.Submitted, "#start")
    @on(OptionList.OptionSelected, "#figures")
    def action_confirm(self) -> None:
        raw = self.query_one("#start", Input).value.strip()
        try:
            start = date.fromisoformat(raw)
        except ValueError:
            self.query_one("#error", Static).update(t("period.bad_date", value=raw))
            return
        highlighted = self.query_one("#figures", OptionList).highlighted
        figure = PILOT_FIGURES[highlighted if highlighted is not None else PILOT_FIGURES.index("overdue_rate")]
        self.dismiss(PilotRequest(self.stations, start, figure))

    def action_cancel(self) -> None:
        self.dismiss(None)


class PilotScreen(WoqScreen):
    TITLE_KEY = "screen.pilot"
    BINDINGS = [Binding("escape", "app.pop_screen", "key.back", id="pilot.back")]
    DEFAULT_CSS = """
    PilotScreen #pilot-body { height: 1fr; padding: 0 1; }
    PilotScreen #pilot-verdict { text-style: bold; margin: 1 0; }
    """

    def __init__(self, request: PilotRequest) -> None:
        super().__init__()
        self.request = request
        self.result: PilotResult | None = None

    def compose_body(self) -> ComposeResult:
        with VerticalScroll(id="pilot-body"):
            yield Static(t("pilot.computing"), id="pilot-text")
            yield Static("", id="pilot-verdict")
            yield Static("", id="pilot-chart")

    def on_mount(self) -> None:
        super().on_mount()
        self.evaluation.load(self.request)

    @cached_property
    def evaluation(self) -> Loader[PilotRequest, PilotResult]:
        return Loader(self, self._evaluate, self._show, what="pilot.failed", failed=self._failed)

    def _evaluate(self, request: PilotRequest) -> PilotResult:
        return self.store.pilot(request.stations, request.start, request.figure)

    def _failed(self, _request: PilotRequest, error: BaseException) -> None:
        key, values = getattr(error, "key", None), getattr(error, "values", {})
        text = t(key, **values) if key else t("pilot.failed", error=str(error))
        self.query_one("#pilot-text", Static).update(Text(text, style="bold"))

    def _show(self, _request: PilotRequest, result: PilotResult) -> None:
        self.result = result
        self.query_one("#pilot-text", Static).update(pilot_text(result, self.context.settings.tz).rstrip())
        verdict = self.query_one("#pilot-verdict", Static)
        verdict.update(t("pilot.significant") if result.significant else t("pilot.not_significant"))
        verdict.set_class(result.significant, "-significant")
        self.query_one("#pilot-chart", Static).update(daily_chart(result))


def daily_chart(result: PilotResult, width: int = 56) -> Text:
    """Before and after, pilot above control: a sparkline each (days averaged to fit
    `width`), a │ at the start, every value on one scale."""
    key = result.figure
    values = [value for _, pilot, control in result.daily for value in (pilot, control) if value is not None]
    if not values or not result.daily:
        return Text(t("pilot.no_daily"), "italic")
    top = max(values) or 1.0
    start = result.after.first_day
    before = [row for row in result.daily if row[0] < start]
    after = [row for row in result.daily if row[0] >= start]
    width_before = max(1, round(width * len(before) / len(result.daily))) if before else 0
    width_after = max(1, width - width_before) if after else 0
    out = Text(t("pilot.chart_title", figure=figure_label(key), top=format_value(key, top)) + "\n", "bold")
    for label, values_before, values_after in (
        (t("pilot.pilot"), [row[1] for row in before], [row[1] for row in after]),
        (t("pilot.control"), [row[2] for row in before], [row[2] for row in after]),
    ):
        out.append(label + " " * max(1, 6 - len(label)))
        out.append(sparkline(values_before, width=width_before, top=top), "cyan")
        out.append("│", "bold")
        out.append(sparkline(values_after, width=width_after, top=top), "bold cyan")
        out.append("\n")
    out.append(" " * 6 + day_label(result.daily[0][0]), "dim")
    out.append("  │ " + day_label(start) + "  ", "bold")
    out.append(day_label(result.daily[-1][0]), "dim")
    return out
