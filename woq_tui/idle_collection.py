"""The garbage collector's full passes run while the console is idle, not under a key.

A full pass (generation 2) stops every thread while it walks what the process made
since the last freeze (app.freeze_start_up, screens/base.freeze_after_first_load): the
rows, the drawn lines and their caches, 40,000 objects after ten sorts, ~30 ms. CPython
starts one after ten collections of generation 1, whatever the console is doing: in
the keys bench 16–17 a session, 20–100 ms each, and one key in fifteen (a sort, a page,
the filter dialog) waited for one (docs/speed.md, "Full passes when idle").

Here CPython's own pass is spaced `BACKSTOP` times further apart, and `tick` (a timer
of the app) runs it instead once it is due and no key or mouse event has come for
`IDLE_AFTER`, or it has been due for `LONGEST_WAIT` (keys that never stop). No
Textual here: the app wires `key_pressed` and `tick` (app.py).
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable

# no key for this long (seconds): a pass now is not felt
IDLE_AFTER = 0.5
# a pass due this long (seconds) runs at the next tick, keys or not: what a pass walks
# and frees grows with what was left for it
LONGEST_WAIT = 30.0
# how often the app asks (seconds)
TICK_SECONDS = 0.25
# CPython's own full pass spaced this many times further apart (the backstop)
BACKSTOP = 100


class IdleCollector:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._last_key = clock()
        self._threshold: tuple[int, int, int] | None = None
        # when a pass first became due (None: not due)
        self._due_since: float | None = None
        self.passes = 0

    def start(self) -> None:
        """Take over the full passes (once; `stop` gives them back). The thresholds are
        the process's: one console a process, as the command line runs it."""
        if self._threshold is None:
            self._threshold = gc.get_threshold()
            young, middle, full = self._threshold
            gc.set_threshold(young, middle, full * BACKSTOP)

    def stop(self) -> None:
        if self._threshold is not None:
            gc.set_threshold(*self._threshold)
            self._threshold = None

    def key_pressed(self) -> None:
        self._last_key = self._clock()

    def due(self) -> bool:
        """As many generation-1 collections as CPython waits for, and no key lately or
        waited long enough; never while a read holds the collector off
        (store/collection_pause.py)."""
        if self._threshold is None or not gc.isenabled() or gc.get_count()[2] < self._threshold[2]:
            self._due_since = None
            return False
        now = self._clock()
        if self._due_since is None:
            self._due_since = now
        return now - self._last_key >= IDLE_AFTER or now - self._due_since >= LONGEST_WAIT

    def tick(self) -> None:
        if self.due():
            gc.collect(2)
            self._due_since = None
            self.passes += 1
