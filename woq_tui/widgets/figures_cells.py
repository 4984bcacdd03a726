"""Cells of the figure tables: a value with its change, a text sparkline, bars.

A change is an arrow for its direction (↑ up, ↓ down) and, for its meaning, a colour
and a mark that read without colour too: better is green, worse is bold red with a
trailing ✗ (MARK_WORSE). The arrow alone cannot say it (a lower overdue rate is good, a
lower on-time rate is bad); the screens' legends name the mark.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.text import Text

from woq_tui.reporting.formatting import delta, format_delta, format_value, verdict
from woq_tui.widgets import symbols

SPARKS = "▁▂▃▄▅▆▇█"
# A change with no better direction (a count of tickets) is plain: "dim" text failed
# contrast on the cursor row (tests/test_contrast.py).
STYLE = {"better": "green", "worse": "bold red", None: ""}
MARK_WORSE = symbols.WORSE
MARKS = {"better": "", "worse": MARK_WORSE, None: ""}


def change_only(key: str, now: Any, before: Any, points: bool = False, unit: str = "") -> Text:
    """"↑2.1✗": the change alone, arrow first, styled and marked better or worse;
    empty when there is no change or nothing to compare with.

    Ratios change in percentage points; `points` writes the unit ("pp", 百分点);
    `unit` follows the number, before the mark ("↑0.1分✗", not "↑0.1✗分").
    """
    change = delta(key, now, before)
    if change is None or not any(digit in "123456789" for digit in format_delta(key, change, False)):
        return Text()  # none, or none at the precision shown ("↑0.0" would say nothing)
    direction = "↑" if change > 0 else "↓"
    judged = verdict(key, change)
    words = format_delta(key, change, points).lstrip("+-")
    return Text(f"{direction}{words}{unit}{MARKS[judged]}", STYLE[judged])


def change_text(key: str, now: Any, before: Any, with_value: bool = True, points: bool = False, unit: str = "") -> Text:
    """"18.8% ↑2.1✗": the value (unless not `with_value`) and its change_only()."""
    text = Text(format_value(key, now) if with_value else "")
    change = change_only(key, now, before, points, unit)
    if change.plain:
        text.append(" " if with_value else "")
        text.append_text(change)
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
