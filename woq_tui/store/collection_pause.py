"""The garbage collector's passes held off while a read builds many small objects.

A year's audit builds ~70,000 flags, each with its dicts: hundreds of thousands of
allocations, which set off the collector's passes, full ones included, every one
walking every object the process holds. None of those objects forms a cycle, so the
passes free nothing; they cost 13 % of the year's evaluation (3.98 → 3.47 s CPU,
docs/audit.md, "Speed"). While any read holds the pause the collector does not run;
it resumes when the last one ends. Objects freed meanwhile by reference counting are
freed as ever.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_holders = 0
_was_enabled = False


@contextmanager
def collections_paused() -> Iterator[None]:
    """Hold off the collector for the block; re-entrant and shared between threads. A
    collector disabled before the first holder stays disabled after the last."""
    global _holders, _was_enabled
    with _lock:
        if _holders == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _holders += 1
    try:
        yield
    finally:
        with _lock:
            _holders -= 1
            if _holders == 0 and _was_enabled:
                gc.enable()
