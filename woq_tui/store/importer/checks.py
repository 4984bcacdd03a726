"""The row checks of one batch: each row validated (domain/import_rows.py) against the
ticket numbers earlier batches accepted, the refused ones logged and written to the
rejects file (docs/import-format.md, "What is refused")."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from woq_tui.domain.import_rows import ParsedRow, Rejection, RowValidator, cell_text
from woq_tui.domain.safe_text import spreadsheet_cell
from woq_tui.i18n import t
from woq_tui.store.import_source import ImportFileError
from woq_tui.store.importer.scratch import SeenNumbers
from woq_tui.store.importer.summary import ImportSummary


def _cell(value: Any) -> str:
    """A cell of the rejects file: as read, but never a formula (a text cell starting
    with = + - @ tab or CR gets a leading apostrophe; numbers stay as they are)."""
    return cell_text(spreadsheet_cell(value))


class RejectsFile:
    """Rejected rows as they were read, plus row, reason and message; UTF-8 with BOM.
    Every cell goes through spreadsheet_cell(); a lone surrogate (which no encoding can
    write) is written as its escape, `\\ud800`."""

    def __init__(self, path: str | Path | None, header: Sequence[Any]) -> None:
        self._file = None
        self._width = len(header)
        if path is None:
            return
        try:
            self._file = open(path, "w", encoding="utf-8-sig", errors="backslashreplace", newline="")
        except OSError as exc:
            raise ImportFileError(t("import.rejects_unwritable", path=path, error=exc.strerror or exc)) from None
        self._writer = csv.writer(self._file)
        self._writer.writerow([_cell(c) for c in header] + ["row", "reason", "message"])

    def write(self, cells: Sequence[Any], rejection: Rejection) -> None:
        if self._file is None:
            return
        padded = [_cell(c) for c in cells[: self._width]] + [""] * (self._width - len(cells))
        self._writer.writerow(padded + [rejection.row, _cell(rejection.reason), _cell(rejection.message)])

    def close(self) -> None:
        if self._file is not None:
            self._file.close()


def check_batch(
    chunk: list[tuple[int, Sequence[Any]]],
    validator: RowValidator,
    seen: SeenNumbers,
    rejects: RejectsFile,
    summary: ImportSummary,
) -> list[ParsedRow]:
    """The accepted rows of `chunk` ((row number, cells) in file order); the refused
    ones are counted, logged and written to the rejects file."""
    validator.seen = seen.among([validator.ticket_no(cells) for _, cells in chunk])
    batch: list[ParsedRow] = []
    for row, cells in chunk:
        result = validator.validate(row, cells)
        if isinstance(result, Rejection):
            summary.rejected += 1
            summary.rejects.append(result)
            rejects.write(cells, result)
        else:
            batch.append(result)
    return batch
