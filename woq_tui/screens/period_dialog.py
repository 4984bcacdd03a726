"""Dates typed in: a custom period for the station screen and the meeting view (from the
palette). Both days are included; a period never runs past today (docs/assessment.md)."""

from __future__ import annotations

from datetime import date

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from woq_tui.domain.periods import FuturePeriod, Period, custom_period
from woq_tui.i18n import t
from woq_tui.widgets.translated import TranslatedBindings


class PeriodDialog(TranslatedBindings, ModalScreen[Period | None]):
    BINDINGS = [
        Binding("escape", "cancel", "reassign.key.cancel"),
        Binding("ctrl+s", "confirm", "period.key.apply"),
    ]
    DEFAULT_CSS = """
    PeriodDialog { align: center middle; }
    PeriodDialog > Vertical { width: 60; max-width: 100%; height: auto;
        border: thick $text-accent; background: $surface; padding: 0 1; }
    PeriodDialog Label { margin-top: 1; color: $text-muted; }
    PeriodDialog #error { color: $text-error; }
    """

    def __init__(self, current: Period | None) -> None:
        super().__init__()
        self.current = current

    def compose(self) -> ComposeResult:
        first = self.current.first_day.isoformat() if self.current else ""
        last = self.current.last_day.isoformat() if self.current else ""
        with Vertical():
            yield Static(t("period.custom_title"), classes="title")
            yield Label(t("period.from_label"))
            yield Input(first, placeholder="YYYY-MM-DD", id="first")
            yield Label(t("period.to_label"))
            yield Input(last, placeholder="YYYY-MM-DD", id="last")
            yield Static("", id="error")

    def on_mount(self) -> None:
        self.query_one("#first", Input).focus()

    @on(Input.Submitted, "#first")
    def _next(self) -> None:
        self.query_one("#last", Input).focus()

    @on(Input.Submitted, "#last")
    def action_confirm(self) -> None:
        error = self.query_one("#error", Static)
        days = []
        for name in ("first", "last"):
            raw = self.query_one(f"#{name}", Input).value.strip()
            try:
                days.append(date.fromisoformat(raw))
            except ValueError:
                error.update(t("period.bad_date", value=raw))
                return
        context = self.app.context  # type: ignore[attr-defined]
        try:
            period = custom_period(days[0], days[1], context.settings.tz, context.clock.now())
        except FuturePeriod:
            error.update(t("period.no_future"))
            return
        except ValueError:
            error.update(t("period.reversed"))
            return
        self.dismiss(period)

    def action_cancel(self) -> None:
        self.dismiss(None)
