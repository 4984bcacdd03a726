"""`?`: every key of the screen beneath, from its live bindings."""

from __future__ import annotations

from itertools import zip_longest

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static

from woq_tui.i18n import t
from woq_tui.widgets import symbols
from woq_tui.widgets.translated import TranslatedBindings


def format_key(app, key: str) -> str:
    return app.get_key_display(Binding(key, ""))


class HelpScreen(TranslatedBindings, ModalScreen[None]):
    BINDINGS = [Binding("escape,question_mark", "dismiss", "key.back")]
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > Vertical {
        width: auto; max-width: 90%; height: auto; max-height: 90%;
        border: thick $text-accent; background: $surface; padding: 0 1;
    }
    HelpScreen .title { dock: top; text-style: bold; }
    HelpScreen .hint { dock: bottom; color: $text-muted; }
    HelpScreen .legend { dock: bottom; height: auto; max-width: 100; }
    HelpScreen DataTable { height: auto; width: auto; }
    """

    def __init__(self, screen_title: str, bindings: list[tuple[str, str]]) -> None:
        super().__init__()
        self.screen_title = screen_title
        self.rows = bindings

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(t("help.title", screen=self.screen_title), classes="title")
            # Two pairs of columns, so a screen's 40-odd keys fit a 45-line terminal.
            table: DataTable = DataTable(cursor_type="row", zebra_stripes=True)
            table.add_columns(t("help.key"), t("help.action"), " ", t("help.key"), t("help.action"))
            half = (len(self.rows) + 1) // 2
            for left, right in zip_longest(self.rows[:half], self.rows[half:], fillvalue=("", "")):
                table.add_row(left[0], left[1], " ", right[0], right[1])
            yield table
            yield Static(self.legend(), classes="legend")
            yield Static(t("help.close"), classes="hint")

    @staticmethod
    def legend() -> str:
        """Every symbol of the console and what it means (widgets/symbols.py)."""
        return t("help.symbols") + "  " + "  ".join(f"{symbol} {t(key)}" for symbol, key in symbols.legend())

    async def action_dismiss(self, result: None = None) -> None:
        self.dismiss(result)
