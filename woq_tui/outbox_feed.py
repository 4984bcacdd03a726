"""The app's side of the outbox pusher (docs/dispatch.md): it starts the pusher, and
turns what the pusher reports into messages for the screens and notifications.

The pusher (a daemon thread, dispatch.outbox.BackgroundPusher) reports each entry's
new state from its own thread; `OutboxChanged` carries it to the app, which hands it
to every screen of the current stack (rows that show a ticket's reassignment state
listen for it) and to the notices (reassign_notices.py) once the answer is final.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.message import Message

from woq_tui.reassign_notices import notice_for
from woq_tui.values.outbox import OutboxChange

if TYPE_CHECKING:
    from textual.app import App

    from woq_tui.dispatch.outbox import BackgroundPusher, RetryPolicy

# The console's backoff between attempts; tests replace it with tiny waits (None: the
# outbox's own).
RETRY_POLICY: RetryPolicy | None = None


class OutboxChanged(Message, bubble=False):
    """An outbox entry changed state (pending, confirmed, conflict, refused, failed)."""

    def __init__(self, change: OutboxChange) -> None:
        super().__init__()
        self.change = change


class OutboxCycleEnded(Message, bubble=False):
    """The pusher delivered what was due and waits (reassign_notices.py)."""


def start_pusher(app: App) -> BackgroundPusher | None:
    """Start the background pusher when reassignment is on and this console may write.
    Imports the dispatch side (httpx, stamina): call it from a worker."""
    from woq_tui.dispatch.outbox import BackgroundPusher, Pusher

    context = app.context  # type: ignore[attr-defined]
    if not context.settings.dispatch.base_url or not context.can_write:
        return None
    pusher = Pusher(
        context.engine,
        context.settings,
        context.clock,
        policy=RETRY_POLICY,
        on_change=lambda change: app.post_message(OutboxChanged(change)),
    )
    background = BackgroundPusher(pusher, interval=context.settings.console.refresh_seconds)
    background.on_cycle_end = lambda: app.post_message(OutboxCycleEnded())
    return background.start()


def forward_change(app: App, change: OutboxChange) -> None:
    """Hand an entry's new state to the screens of the current stack; notify final ones."""
    for screen in list(app.screen_stack):
        screen.post_message(OutboxChanged(change))
    notice = notice_for(change, app.context.settings.dispatch.token_env)  # type: ignore[attr-defined]
    if notice is not None:
        app.reassign_notices.answer(change, notice)  # type: ignore[attr-defined]


def follow_recorded(app: App, changes: list[OutboxChange]) -> None:
    """Entries one request (a reassignment or a reclassification) just wrote: gather
    their answers into one notice, show them pending on their rows, wake the pusher."""
    app.reassign_notices.expect([change.entry_id for change in changes])  # type: ignore[attr-defined]
    for change in changes:
        forward_change(app, change)
    pusher = getattr(app, "outbox_pusher", None)
    if pusher is not None:
        pusher.wake()
