"""How `r` and `R` open their dialog: one way for a reassignment and a
reclassification (screens/reassign.py, screens/reclassify.py), which both go through the
one outbox (docs/dispatch.md)."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from textual.app import App
from textual.screen import Screen

from woq_tui.i18n import t
from woq_tui.values.outbox import OutboxChange, TicketRef
from woq_tui.widgets.loader import Loader


def start_command(
    screen: Screen,
    tickets: list[TicketRef],
    command: str,
    dialog: Callable[[], Screen[Any]],
    record: Callable[[App[Any], Any], list[OutboxChange]],
    recorded: Callable[[App[Any], Any, list[OutboxChange]], None],
) -> None:
    """`r` / `R`: open a command's dialog for these tickets, or say why not. `command`
    ("reassign", "reclassify") prefixes the message keys. The request the dialog returns
    is written by the app, not the dialog, which is gone at once."""
    app = screen.app
    context = app.context  # type: ignore[attr-defined]
    if not context.can_write:
        screen.notify(t(f"{command}.read_only"), severity="warning")
        return
    if not context.settings.dispatch.base_url:
        screen.notify(t(f"{command}.off"), severity="warning")
        return
    if not tickets:
        screen.notify(t("reassign.nothing_marked"), severity="warning")
        return

    def confirmed(request: Any) -> None:
        if request is not None:
            Loader(
                app, partial(record, app), partial(recorded, app), what=f"{command}.record_failed", latest_only=False
            ).load(request)

    app.push_screen(dialog(), confirmed)
