"""The top line: product, screen, database, time (from the injected clock), refresh."""

from __future__ import annotations

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

from woq_tui.i18n import t
from woq_tui.widgets.console_context import console_context


class AppHeader(Widget):
    DEFAULT_CSS = """
    AppHeader {
        dock: top;
        height: 1;
        background: $panel;
        color: $foreground;
        padding: 0 1;
    }
    """

    screen_title: reactive[str] = reactive("")
    refreshed: reactive[str] = reactive("")

    def on_mount(self) -> None:
        self.set_interval(1, self.refresh)

    def render(self) -> Text:
        # Laid out at render time, so the right-hand side follows the real width.
        context = console_context(self)
        now = context.clock.now().astimezone(context.settings.tz)
        text = Text.assemble(
            (t("app.title"), "bold"),
            "  ",
            (self.screen_title, "bold"),
            "  ",
            (t("header.db", db=context.database_label), "dim"),
        )
        right = Text.assemble(
            (self.refreshed + "  " if self.refreshed else "", "dim"),
            now.strftime("%Y-%m-%d %H:%M:%S"),
        )
        width = self.content_size.width
        gap = width - text.cell_len - right.cell_len
        if gap < 1:
            text.truncate(max(width - right.cell_len - 1, 0), overflow="ellipsis")
            gap = 1
        text.append(" " * gap)
        text.append_text(right)
        return text
