"""Live refresh: a timer, one fetching thread at a time, and what the user is told.

The timer asks; if a fetch is still running, the request is remembered and one more
fetch runs when it ends (overlapping ticks merge, as in memray's live view). The fetch
runs through the screen's one pattern for background work (widgets/loader.py): in a
thread worker that never touches widgets, the result applied on the UI thread. While the database is unreachable the
screen keeps its last data, this widget says so in one line with the time of the last
good refresh, and retries with a growing pause until the database answers again.

When reads come from a replica (docs/replica.md) the same worker reads the replica's
delay after the screen's data, and the header shows it from LAG_SHOWN seconds on; a
replica that does not answer is unreachable like the primary.

A screen that uses it implements LiveSource.
"""

from __future__ import annotations

import time
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from rich.text import Text
from textual.css.query import NoMatches
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import Static
from textual.worker import Worker, WorkerState

from woq_tui.errors import first_line
from woq_tui.i18n import t
from woq_tui.widgets.app_header import AppHeader
from woq_tui.widgets.console_context import console_context
from woq_tui.widgets.loader import Loader

if TYPE_CHECKING:
    from woq_tui.console_store import ConsoleStore

# The longest pause between attempts while the database is away, in seconds.
MAX_BACKOFF = 60.0
# From how many seconds behind a replica's delay is shown (docs/replica.md, "Lag"):
# below it a refresh every few seconds hides it anyway.
LAG_SHOWN = 5.0


class LiveSource(Protocol):
    def live_request(self) -> Any:
        """On the UI thread: what the next fetch needs (immutable values only)."""

    def fetch_live(self, request: Any) -> Any:
        """In a worker thread: query the database. Raises when it cannot."""

    def apply_live(self, request: Any, result: Any) -> None:
        """On the UI thread: show the result."""

    # Optional: def answered_already(self, request) -> Any | None, on the UI thread: the
    # result when it was read already (the queue's first page, by the head start), so
    # that it is applied at once and the first frame shows it; None to fetch it.


class RefreshStatus(Static):
    """Drives the refresh of its screen; visible only while something is wrong."""

    DEFAULT_CSS = """
    RefreshStatus {
        display: none;
        height: auto;
        max-height: 2;
        background: $error 30%;
        color: $text;
        padding: 0 1;
    }
    RefreshStatus.-failing { display: block; }
    """

    paused: reactive[bool] = reactive(False)
    _store: ConsoleStore  # the app's, taken on mount (the worker must not ask the app)

    class FirstShown(Message):
        """Posted to the app: the first answer (rows or a failure) is on screen, and
        what can wait may load now (app.WoqApp.warm_up)."""

    def __init__(self, source: LiveSource, interval: float, *, shows_lag: bool = True, id: str | None = None) -> None:
        """`shows_lag`: the source reads from the replica when there is one (the
        outbox screen reads the primary: no delay to show)."""
        super().__init__(id=id)
        self.source = source
        self.interval = interval
        self.shows_lag = shows_lag
        # seconds the replica is behind at the last good refresh; None: no replica
        self.lag: float | None = None
        self.last_good: datetime | None = None
        self.failing_since: datetime | None = None
        self.error: str | None = None
        self.failures = 0
        self._retry_at = 0.0
        self.loader: Loader[Any, tuple[Any, float | None]] = Loader(
            self, self._read, self._fetched, what="live.failed", failed=self._failed, name="live-refresh"
        )
        self._pending = False
        self._missed = False
        self._answered = False

    def on_mount(self) -> None:
        self._store = console_context(self).store
        self.set_interval(self.interval, self.tick, name="live-refresh")

    def _read(self, request: Any) -> tuple[Any, float | None]:
        """In the worker: the screen's data, then the replica's delay (after it, so
        that the delay shown is at least that of the data)."""
        result = self.source.fetch_live(request)
        return result, self._store.replica_lag() if self.shows_lag else None

    # --- asking --------------------------------------------------------------------

    @property
    def busy(self) -> bool:
        return self.loader.busy

    def tick(self) -> None:
        """The timer: fetch unless paused, hidden, backing off, or already fetching."""
        if self.paused:
            return
        if not self.screen.is_current:
            self._missed = True  # catch up when the screen shows again
            return
        if time.monotonic() < self._retry_at:
            return
        self.fetch()

    def fetch(self) -> Worker | None:
        """Fetch now (keys, tests, resume). Returns the worker, or None if one is
        running already (it will run once more when that ends) or the answer was there
        already (applied at once)."""
        if self.busy:
            self._pending = True
            return None
        self._pending = False
        request = self.source.live_request()
        answered_already = getattr(self.source, "answered_already", None)
        result = answered_already(request) if answered_already is not None else None
        if result is not None:
            self._fetched(request, (result, self.lag))
            return None
        return self.loader.load(request)

    def screen_resumed(self) -> None:
        if self._missed and not self.paused:
            self._missed = False
            self.fetch()

    # --- answers -------------------------------------------------------------------

    def _fetched(self, request: Any, answer: tuple[Any, float | None]) -> None:
        result, self.lag = answer
        at = console_context(self).clock.now()
        recovered = self.failing_since is not None
        self.last_good = at
        self.failing_since = None
        self.error = None
        self.failures = 0
        self._retry_at = 0.0
        self.remove_class("-failing")
        if not self.paused:
            self.source.apply_live(request, result)
        if recovered:
            self.notify(t("live.recovered"), severity="information")
        self._show()
        self._first_answer()

    def _failed(self, _request: Any, error: BaseException) -> None:
        """The database went away (or refused): say so here, keep the last data, retry
        with a growing pause."""
        self.failures += 1
        self.error = first_line(error)
        if self.failing_since is None:
            self.failing_since = console_context(self).clock.now()
        delay = min(2.0**self.failures, MAX_BACKOFF)
        self._retry_at = time.monotonic() + delay
        self.add_class("-failing")
        self._show(retry_in=delay)
        self._pending = False
        self._first_answer()

    def _first_answer(self) -> None:
        if not self._answered:
            self._answered = True
            # After the frame that shows it, so that what loads next does not delay that
            # frame. To the app directly: an answer read ahead is applied from the
            # screen's on_mount, and Textual does not bubble a message back up to the
            # pump that was running when it was sent (here, the screen).
            self.call_after_refresh(self.app.post_message, self.FirstShown())

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """A fetch ended: run the one asked for meanwhile (merged ticks)."""
        if event.worker is self.loader.worker and event.state in (WorkerState.SUCCESS, WorkerState.ERROR):
            if self._pending and self.failing_since is None and not self.paused:
                self.fetch()

    # --- telling -------------------------------------------------------------------

    def watch_paused(self, paused: bool) -> None:
        self._show()
        if not paused and self.is_mounted:
            self.fetch()

    def _clock_text(self, at: datetime | None) -> str:
        if at is None:
            return t("none")
        return at.astimezone(console_context(self).settings.tz).strftime("%H:%M:%S")

    def _show(self, retry_in: float | None = None) -> None:
        if not self.is_mounted:
            return
        last = self._clock_text(self.last_good)
        if self.failing_since is not None:
            header = t("live.header_failing", time=last)
            self.update(
                Text.assemble(
                    ("⚠ ", "bold"),
                    (t("live.failing", since=self._clock_text(self.failing_since), error=self.error or ""), "bold"),
                    " ",
                    t("live.showing", time=last, seconds=int(retry_in or 0)),
                )
            )
        elif self.last_good is None:
            header = ""
        else:
            header = t("header.refreshed", time=last)
            if self.lag is not None and self.lag >= LAG_SHOWN:
                header = t("live.lag", seconds=int(self.lag)) + " · " + header
        if self.paused:
            header = t("live.paused") + (" · " + header if header else "")
        try:
            self.screen.query_one(AppHeader).refreshed = header
        except NoMatches:  # composed without a header
            pass
