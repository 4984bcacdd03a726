"""Plain-text tables for the terminal, padded by display width: a CJK character takes
two cells (Rich's cell_len), so Chinese and English columns line up alike."""

from __future__ import annotations


def aligned(rows: list[list[str]]) -> list[str]:
    """The first column left-aligned, the others right-aligned (numbers), two spaces apart."""
    from rich.cells import cell_len as display_width

    widths = [max(display_width(row[index]) for row in rows) for index in range(len(rows[0]))]
    out = []
    for row in rows:
        cells = [row[0] + " " * (widths[0] - display_width(row[0]))]
        cells += [" " * (widths[index] - display_width(cell)) + cell for index, cell in enumerate(row[1:], start=1)]
        out.append("  ".join(cells).rstrip())
    return out
