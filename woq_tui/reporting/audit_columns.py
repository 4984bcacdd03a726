"""A left-aligned plain-text table padded by display width (a CJK character takes two
cells, Rich's cell_len), for `woq-console audit`'s text."""

from __future__ import annotations


def padded(rows: list[list[str]]) -> list[str]:
    """Every column left-aligned, two spaces apart; the last one not padded."""
    from rich.cells import cell_len as display_width

    widths = [max(display_width(row[index]) for row in rows) for index in range(len(rows[0]))]
    return [
        "  ".join(cell + " " * (widths[index] - display_width(cell)) for index, cell in enumerate(row)).rstrip()
        for row in rows
    ]
