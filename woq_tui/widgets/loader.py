"""The one way a screen does background work: request → worker → loaded / failed.

Every read and write of the console goes through a Loader (docs/architecture.md,
"Background work"):

    self.figures = Loader(self, self._read_figures, self._show_figures, what="stations.failed")
    self.figures.load(period)          # on the UI thread

`fetch(request)` runs in a thread worker and only talks to the database (through
`context.store`); its answer comes back to the UI thread, where `apply(request,
result)` draws it. Each `load` starts a new generation: with `latest_only` (reads),
an answer to an older request is dropped, so a slow answer never overwrites a newer
one, and a screen that is gone gets nothing. Writes pass `latest_only=False`: every
answer counts.

A failure is shown in one place: `failed(request, error)` when the screen has its
own way to say it (the live banner of widgets/refresh.py), otherwise the app's
`show_failure`, which logs the detail and tells the user in one line what could not
be done. A fetch that wants to show part of its answer early (the station screen's
rows before their trends) is built with `partial=True` and is called as
`fetch(request, report)`; each `report(result)` is applied like an answer. A read
(`latest_only`) that a newer request has replaced stops at its next `report`: the rest
of it is not read (the station screen's quality, a minute of a province's database
for a year, is not read for a period the user has already left).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from textual.dom import DOMNode
from textual.worker import Worker, WorkerState

from woq_tui.errors import first_line
from woq_tui.i18n import t

RequestT = TypeVar("RequestT")
ResultT = TypeVar("ResultT")

log = logging.getLogger(__name__)


class Superseded(Exception):
    """Raised by a partial fetch's report() when a newer request has replaced its own."""


def show_failure(node: DOMNode, what: str, error: BaseException) -> None:
    """The app's one place for failed background work (what: a message key that takes
    {error}); the full error goes to the log."""
    app = node.app
    handler = getattr(app, "show_failure", None)
    if handler is not None:
        handler(what, error)
    else:  # an app of the tests' own
        app.notify(t(what, error=first_line(error)), severity="error")


class Loader(Generic[RequestT, ResultT]):
    def __init__(
        self,
        owner: DOMNode,
        fetch: Callable[..., ResultT],
        apply: Callable[[RequestT, ResultT], None],
        *,
        what: str,
        failed: Callable[[RequestT, BaseException], None] | None = None,
        latest_only: bool = True,
        partial: bool = False,
        name: str | None = None,
    ) -> None:
        self.owner = owner
        self.fetch = fetch
        self.apply = apply
        self.what = what
        self.failed = failed
        self.latest_only = latest_only
        self.partial = partial
        self.name = name or f"{type(owner).__name__}.{getattr(apply, '__name__', 'load')}"
        self.generation = 0
        self.worker: Worker | None = None

    @property
    def busy(self) -> bool:
        """A fetch is running (or about to)."""
        return self.worker is not None and self.worker.state in (WorkerState.PENDING, WorkerState.RUNNING)

    def load(self, request: RequestT) -> Worker:
        """Start fetching `request` (UI thread); its answer is applied when it comes."""
        self.generation += 1
        generation = self.generation
        self.worker = self.owner.run_worker(
            lambda: self._work(request, generation),
            thread=True,
            group=self.name,
            exclusive=self.latest_only,
            exit_on_error=False,
        )
        return self.worker

    def forget(self) -> None:
        """Drop the answers of every request made so far (a screen that starts over)."""
        self.generation += 1

    # --- in the worker thread --------------------------------------------------------

    def _work(self, request: RequestT, generation: int) -> None:
        try:
            if self.partial:
                result = self.fetch(request, lambda part: self._report(generation, request, part))
            else:
                result = self.fetch(request)
        except Superseded:
            return
        except Exception as exc:  # the database went away, or refused: the UI says so
            self._post(generation, request, None, exc)
            return
        self._post(generation, request, result, None)

    def _report(self, generation: int, request: RequestT, part: Any) -> None:
        # (the generation is an int set on the UI thread: read whole from here)
        if self.latest_only and generation != self.generation:
            raise Superseded
        self._post(generation, request, part, None)

    def _post(self, generation: int, request: RequestT, result: Any, error: BaseException | None) -> None:
        # call_later posts to the owner's queue (thread-safe); nothing is posted to a
        # node that has closed.
        self.owner.call_later(self._deliver, generation, request, result, error)

    # --- on the UI thread ----------------------------------------------------------------

    def _deliver(self, generation: int, request: RequestT, result: Any, error: BaseException | None) -> None:
        if self.latest_only and generation != self.generation:
            return
        if not self.owner.is_attached:
            return
        if error is None:
            self.apply(request, result)
            return
        log.warning("%s failed: %s", self.name, first_line(error), exc_info=error)
        if self.failed is not None:
            self.failed(request, error)
        else:
            show_failure(self.owner, self.what, error)
