"""The console keeps the station × day rollup current (docs/speed.md, "Who refreshes").

Every `[database] rollup_refresh_seconds` (default 300) a console that may write to
its own database (not --read-only, not a viewer, no `read_url`: a replica console
never writes) asks ConsoleStore.refresh_rollup in a worker: where the rollup is built in
the console's zone and a change is logged, it recomputes those days in one transaction
on the primary (store/day_rollup_refresh.py); otherwise it writes nothing. The reads
are exact whatever the refresh is doing (its transaction commits whole or not at all),
so nothing waits for it; a tick while one runs is skipped, and a failure (the
database away, SQLite's lock held longer than its busy timeout by an import) is logged
(widgets/loader.py) and tried again at the next tick: the live screens' banner already says when the
database is away.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from woq_tui.widgets.loader import Loader

if TYPE_CHECKING:
    from textual.app import App
    from textual.timer import Timer

    from woq_tui.context import ConsoleContext


def wanted(context: ConsoleContext) -> bool:
    """Whether this console refreshes the rollup (call off the UI thread: it may wait
    for the database's opening)."""
    return context.settings.database.rollup_refresh_seconds > 0 and context.store.may_refresh_rollup


class RollupUpkeep:
    """The timer and the worker; `refreshes`/`entries` count what was done (the tests)."""

    def __init__(self, app: App, context: ConsoleContext) -> None:
        self.context = context
        self.refreshes = 0
        self.entries = 0
        self.loader: Loader[None, int | None] = Loader(
            app, lambda _: context.store.refresh_rollup(), self._done,
            # already logged by the loader; tried again at the next tick
            what="db.unreachable", failed=lambda _request, _error: None, latest_only=False, name="rollup",
        )
        self.timer: Timer = app.set_interval(context.settings.database.rollup_refresh_seconds, self.tick, name="rollup")

    def tick(self) -> None:
        if not self.loader.busy:
            self.loader.load(None)

    def _done(self, _request: None, entries: int | None) -> None:
        if entries is not None:
            self.refreshes += 1
            self.entries += entries

    def stop(self) -> None:
        self.timer.stop()
