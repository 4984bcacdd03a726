"""Textual's Strip without the cycle each drawn line made (Textual 8.2).

`Strip.divide([width])` and `Strip.crop_extend(0, width, style)` on a strip already
that wide return the strip itself, and keep it in the strip's own cache first: the
strip then refers to itself, reference counting never frees it, and only the
collector's full passes do, with its seven caches. The compositor divides every line
it draws, so every frame left such cycles: half of the cyclic garbage of ten sorts in
the jank bench (36,000 objects → 18,000), and the idle full pass after a session of
keys (idle_collection.py) took 200–280 ms instead of 80–130 (docs/speed.md, "Full
passes when idle").

Here those two calls answer the strip itself without caching it: the same strips
as before, one list fewer. Installed once by the app (app.py); a Textual that no
longer caches itself is unaffected (the answers are the same).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from rich.style import Style
from textual.strip import Strip

_divide = Strip.divide
_crop_extend = Strip.crop_extend


def _divide_uncycled(self: Strip, cuts: Iterable[int]) -> Sequence[Strip]:
    cell_length = self.cell_length
    cuts = [cut for cut in cuts if cut <= cell_length]
    if cuts == [cell_length]:
        return [self]
    return _divide(self, cuts)


def _crop_extend_uncycled(self: Strip, start: int, end: int, style: Style | None) -> Strip:
    if start <= 0 and end == self.cell_length:
        return self
    return _crop_extend(self, start, end, style)


def install() -> None:
    """Idempotent."""
    Strip.divide = _divide_uncycled  # type: ignore[method-assign]
    Strip.crop_extend = _crop_extend_uncycled  # type: ignore[method-assign]
