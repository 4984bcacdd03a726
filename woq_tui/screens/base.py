"""What every main screen shares: its title in the header, its place in the help."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer

from woq_tui.i18n import t
from woq_tui.widgets.app_header import AppHeader
from woq_tui.widgets.translated import TranslatedBindings


class WoqScreen(TranslatedBindings, Screen):
    """A main screen: header, body, footer. Subclasses set TITLE_KEY and compose_body.

    BINDINGS descriptions are message keys (see widgets.translated).
    """

    TITLE_KEY = ""

    def compose(self) -> ComposeResult:
        yield AppHeader()
        yield from self.compose_body()
        yield Footer()

    def compose_body(self) -> ComposeResult:
        """What lies between header and footer; every screen composes its own."""
        yield from ()

    def on_mount(self) -> None:
        self.query_one(AppHeader).screen_title = t(self.TITLE_KEY)

    @property
    def context(self):
        return self.app.context

    def palette_commands(self) -> list[tuple[str, str, object]]:
        """(title, help, callback) for the command palette while this screen shows."""
        return []
