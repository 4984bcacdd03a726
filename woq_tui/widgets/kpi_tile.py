"""A headline figure for the meeting screen: its name, the value in large digits, and
its change against the period before (arrow, words and colour)."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Digits, Static


class KpiTile(Vertical):
    DEFAULT_CSS = """
    KpiTile {
        width: 1fr; height: auto; min-width: 16;
        border: round $primary; padding: 0 1; background: $surface;
    }
    KpiTile > .kpi-label { text-style: bold; color: $text; text-wrap: nowrap; text-overflow: ellipsis; }
    KpiTile > Digits { color: $text; text-style: bold; width: auto; }
    KpiTile > .kpi-change { color: $text; }
    """

    def __init__(self, label: str, id: str | None = None) -> None:
        super().__init__(id=id)
        self.label = label

    def compose(self) -> ComposeResult:
        yield Static(self.label, classes="kpi-label")
        yield Digits("")
        yield Static("", classes="kpi-change")

    def show(self, digits: str, change: Text) -> None:
        self.query_one(Digits).update(digits)
        self.query_one(".kpi-change", Static).update(change)
