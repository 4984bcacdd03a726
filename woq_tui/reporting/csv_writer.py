"""The one way the product writes a CSV file a person opens (docs/decisions.md, "Files
we write"): UTF-8 with a BOM so that Excel and WPS read the Chinese, CRLF line ends,
an undefined value as an empty cell, and every text cell neutralised against formula
injection (domain/safe_text.spreadsheet_cell)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from woq_tui.domain.safe_text import spreadsheet_cell

BOM = "\ufeff"


def _cells(row: Sequence[Any]) -> list[Any]:
    return ["" if value is None else spreadsheet_cell(value) for value in row]


def write_csv_stream(stream, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """Write the BOM, the header and the rows to a text stream; returns the row count."""
    stream.write(BOM)
    writer = csv.writer(stream, lineterminator="\r\n")
    writer.writerow(_cells(header))
    count = 0
    for row in rows:
        writer.writerow(_cells(row))
        count += 1
    return count


def write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    with open(path, "w", encoding="utf-8", newline="") as stream:
        return write_csv_stream(stream, header, rows)


def csv_text(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    stream = io.StringIO()
    write_csv_stream(stream, header, rows)
    return stream.getvalue()
