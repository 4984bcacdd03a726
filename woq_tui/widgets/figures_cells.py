"""Cells of the figure tables: a value with its change, a text sparkline, bars.

A change is an arrow for its direction (↑ up, ↓ down) and a colour and a word-free
mark for its meaning (better green, worse red), so it reads without colour too: the
arrow says which way the number went, the figure's column says which way is good, and
the screen's legend repeats it.
"""

from __future__ import annotations

from typing import Any, Sequence

from rich.text import Text

from woq_tui.reporting.formatting import delta, format_delta, format_value, verdict

SPARKS = "▁▂▃▄▅▆▇█"
STYLE = {"better": "bold green", "worse": "bold red", None: "dim"}


def change_text(key: str, now: Any, before: Any, with_value: bool = True, points: bool = False) -> Text:
    """"18.8% ↑2.1" with the arrow and change coloured by better or worse.

    Ratios change in percentage points; `points` writes the unit ("pp", 个百分点).
    """
    text = Text(format_value(key, now) if with_value else "")
    change = delta(key, now, before)
    if change is None:
        return text
    direction = "↑" if change > 0 else "↓" if change < 0 else "="
    if direction == "=":
        return text
    words = format_delta(key, change, points)
    text.append(" " if with_value else "")
    text.append(f"{direction}{words.lstrip('+-')}", STYLE[verdict(key, change)])
    return text


def sparkline(values: Sequence[float | None], width: int = 14, top: float = 1.0) -> str:
    """Values as block characters scaled to [0, top]; days without tickets are "·".

    Longer series are averaged into `width` buckets, so a year still fits a cell.
    """
    if not values:
        return ""
    buckets: list[list[float]] = []
    if len(values) <= width:
        groups = [[value] for value in values]
    else:
        size = len(values) / width
        groups = [list(values[int(i * size) : int((i + 1) * size)]) for i in range(width)]
    for group in groups:
        buckets.append([value for value in group if value is not None])
    out = []
    for bucket in buckets:
        if not bucket:
            out.append("·")
            continue
        mean = sum(bucket) / len(bucket)
        level = 0 if top <= 0 else min(len(SPARKS) - 1, int(mean / top * (len(SPARKS) - 1) + 0.5))
        out.append(SPARKS[level])
    return "".join(out)


def bar(value: float, top: float, width: int) -> str:
    """A horizontal bar of full and eighth blocks, `value` against `top`."""
    if top <= 0 or value <= 0:
        return ""
    eighths = round(min(value / top, 1.0) * width * 8)
    full, rest = divmod(eighths, 8)
    return "█" * full + ("" if not rest else " ▏▎▍▌▋▊▉"[rest])
