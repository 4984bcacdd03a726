"""Textual's interval timers without the extra period after a pause (Textual 8.2).

A screen draws its frames on an interval timer of 1/60 s that is paused after each
frame and resumed when something needs drawing. When ticks were missed meanwhile,
`Timer._run` skips them with `count = int((now - start) / interval + 1)`: the count of
the next tick still ahead, to which the loop then adds one more period. So after an
idle moment, the frame that follows the first came 17 to 33 ms after it, not at most
17: a key whose rows come in a second frame (a sort, a filter, a search: the bar at
once, the rows when read) waited for that (docs/speed.md, "Frames paced from the last
one").

`install()` puts in Textual's loop with that line corrected, so that the next tick is
the first one still ahead; only when Textual's loop is the one known here (its source
holds that line), so that a Textual which changed it keeps its own.
"""

from __future__ import annotations

import inspect

from textual import _time, timer as textual_timer
from textual.timer import EventTargetGone, Timer

KNOWN_LINE = "count = int((now - start) / _interval + 1)"
_textual_run = Timer._run


async def _run(self: Timer) -> None:
    """Timer._run of Textual 8.2, the skip of missed ticks corrected."""
    count = 0
    _repeat = self._repeat
    _interval = self._interval
    self._active  # noqa: B018  (as Textual's: the event made in this thread)
    await self._active.wait()
    start = _time.get_time()

    while _repeat is None or count <= _repeat:
        next_timer = start + ((count + 1) * _interval)
        now = _time.get_time()
        if self._skip and next_timer < now:
            # the ticks whose time has passed are skipped: the next is the first ahead
            count = max(count + 1, int((now - start) / _interval))
            continue
        now = _time.get_time()
        wait_time = max(0, next_timer - now)
        await textual_timer.sleep(wait_time)
        count += 1
        await self._active.wait()
        if self._reset:
            start = _time.get_time()
            count = 0
            self._reset = False
            continue
        try:
            await self._tick(next_timer=next_timer, count=count)
        except EventTargetGone:
            break


def known() -> bool:
    """Textual's loop is the one this module corrects."""
    try:
        return KNOWN_LINE in inspect.getsource(_textual_run)
    except (OSError, TypeError):
        return False


def install() -> bool:
    """Idempotent; False when Textual's loop is not the one known here (left as it is)."""
    if Timer._run is _run:
        return True
    if not known():
        return False
    Timer._run = _run  # type: ignore[method-assign]
    return True
