"""The row checks of one batch: each row validated (domain/import_rows.py) against the
ticket numbers earlier batches accepted, the refused ones logged and written to the
rejects file (docs/import-format.md, "What is refused")."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any, Sequence

from woq_tui.domain.import_rows import ParsedRow, Rejection, RowValidator, cell_text
from woq_tui.i18n import t
from woq_tui.store.import_source import ImportFileError
from woq_tui.store.importer.scratch import SeenNumbers
from woq_tui.store.importer.summary import ImportSummary


class RejectsFile:
    """Rejected rows as they were read, plus row, reason and message; UTF-8 with BOM."""

    def __init__(self, path: str | Path | None, header: Sequence[Any]) -> None:
        self._file = None
        self._width = len(header)
        if path is None:
            return
        try:
            self._file = open(path, "w", encoding="utf-8-sig", newline="")
        except OSError as exc:
            raise ImportFileError(t("import.rejects_unwritable", path=path, error=exc.strerror or exc)) from None
        self._writer = csv.writer(self._file)
        self._writer.writerow([cell_text(c) for c in header] + ["row", "reason", "message"])

    def write(self, cells: Sequence[Any], rejection: Rejection) -> None:
        if self._file is None:
            return
        padded = [cell_text(c) for c in cells[: self._width]] + [""] * (self._width - len(cells))
        self._writer.writerow(padded + [rejection.row, rejection.reason, rejection.message])

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
