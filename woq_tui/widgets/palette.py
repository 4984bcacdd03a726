"""Textual's command palette in the console's language.

Textual writes two English strings of its own into the palette: the search field's
placeholder (a constructor argument) and "No matches found" (inside
`CommandPalette._start_no_matches_countdown`). A Chinese console showed both in
English (issue 15, item 6); this subclass says them with t(). The method below repeats
Textual 8's steps with the console's words; tests/test_app_shell.py opens the palette,
types a query that matches nothing and reads the list, so an upgrade that changes the
method fails there, not in front of a dispatcher.
"""

from __future__ import annotations

from rich.align import Align
from rich.text import Text
from textual.command import CommandList, CommandPalette
from textual.widgets.option_list import Option

from woq_tui.i18n import t


class ConsolePalette(CommandPalette):
    def __init__(self, placeholder_key: str = "palette.placeholder", **kwargs) -> None:
        super().__init__(placeholder=t(placeholder_key), **kwargs)

    def _start_no_matches_countdown(self, search_value: str) -> None:
        self._stop_no_matches_countdown()

        def show_no_matches() -> None:
            if search_value:  # an empty search lists what there is; nothing to say
                self.query_one(CommandList).add_option(
                    Option(Align.center(Text(t("palette.no_matches"), style="not bold")), disabled=True, id=self._NO_MATCHES)
                )
                self._list_visible = True
            else:
                self._list_visible = False

        self._no_matches_timer = self.set_timer(self._NO_MATCHES_COUNTDOWN, show_no_matches)
