"""A yes/no question, answered by y / n / escape."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from woq_tui.i18n import t
from woq_tui.widgets.translated import TranslatedBindings


class ConfirmScreen(TranslatedBindings, ModalScreen[bool]):
    BINDINGS = [
        Binding("y", "answer(True)", "confirm.yes"),
        Binding("n,escape", "answer(False)", "confirm.no"),
    ]
    DEFAULT_CSS = """
    ConfirmScreen { align: center middle; }
    ConfirmScreen > Vertical {
        width: 60; height: auto; border: thick $text-warning; background: $surface; padding: 1 2;
    }
    ConfirmScreen .hint { color: $text-muted; margin-top: 1; }
    """

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(self.question)
            yield Static(t("confirm.hint"), classes="hint")

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)
