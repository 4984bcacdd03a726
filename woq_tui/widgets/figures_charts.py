"""Bar charts of block characters for the meeting screen (type mix, days)."""

from __future__ import annotations

from rich.cells import cell_len
from rich.text import Text

from woq_tui.widgets import symbols
from woq_tui.widgets.figures_cells import bar


def pad(text: str, width: int) -> str:
    """`text` padded with spaces to `width` terminal cells (CJK counts two)."""
    return text + " " * max(0, width - cell_len(text))


def bar_rows(rows: list[tuple[str, float, str]], width: int = 24, style: str = "bold cyan") -> Text:
    """One line a row: label, a bar scaled to the largest value, and a note."""
    out = Text()
    label_width = max((cell_len(label) for label, _, _ in rows), default=0)
    top = max((value for _, value, _ in rows), default=0)
    for index, (label, value, note) in enumerate(rows):
        if index:
            out.append("\n")
        out.append(pad(label, label_width) + " ", "bold")
        drawn = bar(value, top, width)
        out.append(pad(drawn, width), style)
        out.append(" " + note)
    return out


def paired_bars(rows: list[tuple[str, int, int]], names: tuple[str, str], width: int = 16) -> Text:
    """Two bars a row on one scale (e.g. overdue █ and escalated ▒), with their counts."""
    out = Text()
    label_width = max((cell_len(label) for label, _, _ in rows), default=0)
    top = max((max(first, second) for _, first, second in rows), default=0)
    out.append(pad("", label_width) + " ")
    out.append(pad(symbols.OVERDUE_BAR + " " + names[0], width + 5), "bold red")
    out.append(symbols.ESCALATION_BAR + " " + names[1], "bold yellow")
    for label, first, second in rows:
        out.append("\n" + pad(label, label_width) + " ", "bold")
        out.append(pad(bar(first, top, width), width), "bold red")
        out.append(f"{first:>4} ")
        # whole cells of the legend's ▒ only: eighth blocks would read as the other series
        cells = max(1, round(second / top * (width // 2))) if top and second else 0
        out.append(pad(symbols.ESCALATION_BAR * cells, width // 2), "bold yellow")
        out.append(f"{second:>4}")
    return out
