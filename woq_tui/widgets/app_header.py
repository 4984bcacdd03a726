"""The top line: product, screen, database, time (from the injected clock), refresh."""

from __future__ import annotations

from rich.text import Text
from textual.reactive import reactive
from textual.widgets import Static

from woq_tui.i18n import t


class AppHeader(Static):
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
        self.set_interval(1, self.refresh_text)
        self.refresh_text()

    def watch_screen_title(self) -> None:
        self.refresh_text()

    def watch_refreshed(self) -> None:
        self.refresh_text()

    def refresh_text(self) -> None:
        context = self.app.context
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
            (now.strftime("%Y-%m-%d %H:%M:%S"), ""),
        )
        width = max(self.size.width - 2, 0)
        gap = width - text.cell_len - right.cell_len
        if gap >= 1:
            text.append(" " * gap)
            text.append_text(right)
        else:
            text.truncate(max(width - right.cell_len - 1, 0), overflow="ellipsis")
            text.append(" ")
            text.append_text(right)
        self.update(text)
