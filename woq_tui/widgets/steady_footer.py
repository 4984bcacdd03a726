"""Textual's Footer, built again only when the keys it shows changed.

Textual's Footer recomposes on every change of the screen's bindings: a dialog
closed, the focus moved, a screen shown again. Each time it mounts and styles its ~15
keys afresh, the same keys as before most times: ~25 ms of the UI thread when the
filter dialog closes on the queue (docs/speed.md, "Keys and loading lag").
"""

from __future__ import annotations

from textual.screen import Screen
from textual.widgets import Footer


class SteadyFooter(Footer):
    def __init__(self) -> None:
        super().__init__()
        # what the keys shown were built from (None: not built yet)
        self._shown: tuple | None = None

    def bindings_changed(self, screen: Screen) -> None:
        shown = self._keys_shown(screen)
        if shown == self._shown and self._bindings_ready:
            return
        if screen.app.app_focus and self.is_attached and screen is self.screen:
            self._shown = shown  # built below (Footer.compose reads the same bindings)
        super().bindings_changed(screen)

    def _keys_shown(self, screen: Screen) -> tuple:
        """What Footer.compose builds its keys from."""
        app = screen.app
        return tuple(
            (binding.key, app.get_key_display(binding), binding.description, binding.action, binding.group,
             binding.show, enabled, tooltip)
            for _node, binding, enabled, tooltip in screen.active_bindings.values()
        )
