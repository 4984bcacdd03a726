"""What every main screen shares: its title in the header, its place in the help, and
its way to the database (`self.store`, console_store.py)."""

from __future__ import annotations

import gc
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import platformdirs
from textual.app import ComposeResult
from textual.screen import Screen

from woq_tui.i18n import t
from woq_tui.widgets.app_header import AppHeader
from woq_tui.widgets.console_context import console_context
from woq_tui.widgets.steady_footer import SteadyFooter
from woq_tui.widgets.translated import TranslatedBindings

if TYPE_CHECKING:
    from woq_tui.console_store import ConsoleStore
    from woq_tui.context import ConsoleContext

# the kinds of screen whose first load was left out of the collector's full passes
_FROZEN_AFTER: set[str] = set()


def freeze_after_first_load(kind: str) -> None:
    """Leave what the process holds after the first load of a `kind` of screen out of
    the collector's full passes, once a process and kind (after app.freeze_start_up):
    a full pass walks every tracked object, the queue's rows, the filter dialog and a
    station view with its cells among them, and stops the UI thread wherever it falls
    (80–330 ms in the jank bench; docs/speed.md, "Keys and loading lag"). Bounded: a
    few kinds, once each; what a frozen cycle holds is kept, what reference counting
    frees is freed as ever."""
    if kind not in _FROZEN_AFTER:
        _FROZEN_AFTER.add(kind)
        gc.freeze()


class WoqScreen(TranslatedBindings, Screen):
    """A main screen: header, body, footer. Subclasses set TITLE_KEY and compose_body.

    BINDINGS descriptions are message keys (see widgets.translated); the help and the
    command palette are built from them (app.WoqApp.key_rows).
    """

    TITLE_KEY = ""

    def compose(self) -> ComposeResult:
        yield AppHeader()
        yield from self.compose_body()
        yield SteadyFooter()

    def compose_body(self) -> ComposeResult:
        """What lies between header and footer; every screen composes its own."""
        yield from ()

    def on_mount(self) -> None:
        self.query_one(AppHeader).screen_title = t(self.TITLE_KEY)

    @property
    def context(self) -> ConsoleContext:
        return console_context(self)

    @property
    def store(self) -> ConsoleStore:
        """Blocking: call it in a Loader's fetch (widgets/loader.py), never here."""
        return self.context.store

    def export_folder(self) -> Path:
        """Where `e` writes: [console] export_dir, else a woq-console folder in the
        user's documents (never the current directory: a checkout would collect
        untracked files). Made when missing."""
        configured = self.context.settings.console.export_dir
        folder = Path(configured).expanduser() if configured else Path(platformdirs.user_documents_dir()) / "woq-console"
        folder.mkdir(parents=True, exist_ok=True)
        return folder

    def export_stamp(self) -> str:
        """The local time of an export, for its file name."""
        return self.context.clock.now().astimezone(self.context.settings.tz).strftime("%Y%m%d-%H%M%S")

    def palette_extras(self) -> list[tuple[str, str, Callable[[], object]]]:
        """(title, help, callback): commands of this screen that no key is bound to;
        every bound key is in the palette already."""
        return []
