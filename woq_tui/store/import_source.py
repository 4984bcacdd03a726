"""Opening an export: CSV (UTF-8 with or without BOM, GB18030/GBK, UTF-16) or XLSX.

Everything streams: the encoding is decided (store/csv_encoding.py) by decoding the
file in chunks before the first row is handed out (so a GBK file is never half
imported as UTF-8), CSV records come from the csv module (a quoted field may hold line
breaks; rows are counted by record), and XLSX rows from store/xlsx_reader.py (compiled
regular expressions, or the C XML parser where they do not apply), or from openpyxl's
read-only mode for a package that reader does not know. A file that cannot be read at
all, or that passes one of the limits of store/import_limits.py, raises ImportFileError
with one line for the user.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from woq_tui.i18n import t
from woq_tui.store.csv_encoding import delimiter, detect_encoding
from woq_tui.store.import_limits import (
    MAX_COLUMNS,
    MAX_ROW_CHARS,
    MAX_ROWS,
    ImportFileError,
    row_too_large,
    too_many_columns,
)

__all__ = ["ImportFileError", "Source", "open_source"]

# A cell may be as long as a whole record may be (docs/import-format.md, "Limits").
csv.field_size_limit(MAX_ROW_CHARS)


@dataclass
class Source:
    """The header cells and a stream of (row number, cells) after it."""

    header: list[Any]
    rows: Iterator[tuple[int, list[Any]]]
    # How far through the file reading is, 0..1 (None when unknown)
    fraction: Callable[[], float | None]
    close: Callable[[], None]
    kind: str  # "csv" or "xlsx"
    encoding: str | None = None

    def __enter__(self) -> Source:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


def _blank(cells: list[Any]) -> bool:
    return all(cell is None or (isinstance(cell, str) and not cell.strip()) for cell in cells)


def open_source(path: str | Path) -> Source:
    path = Path(path)
    try:
        with path.open("rb") as probe:
            start = probe.read(8)
    except FileNotFoundError:
        raise ImportFileError(t("import.file.not_found")) from None
    except OSError as exc:
        raise ImportFileError(t("import.file.unreadable", error=exc.strerror or exc)) from None
    if not start:
        raise ImportFileError(t("import.file.empty"))
    if start.startswith(b"PK\x03\x04"):
        return _open_xlsx(path)
    if start.startswith(b"\xd0\xcf\x11\xe0"):
        raise ImportFileError(t("import.file.xls"))
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        raise ImportFileError(t("import.file.bad_xlsx", error="not a zip archive"))
    return _open_csv(path, start)


class _BoundedLines:
    """The physical lines of a CSV for csv.reader, refusing a record longer than
    MAX_ROW_CHARS or a line with more than MAX_COLUMNS delimiters before the csv module
    builds it (one line of commas would otherwise be a list of millions of cells)."""

    def __init__(self, text: io.TextIOWrapper, delimiter: str) -> None:
        self._text = text
        self.delimiter = delimiter
        self.row = 1  # the record being read
        self.record_chars = 0  # of that record so far

    def __iter__(self) -> Iterator[str]:
        while line := self._text.readline(MAX_ROW_CHARS + 1):
            if len(line) > MAX_COLUMNS and line.count(self.delimiter) >= MAX_COLUMNS:
                raise too_many_columns(self.row)
            self.record_chars += len(line)
            if self.record_chars > MAX_ROW_CHARS:
                raise row_too_large(self.row, MAX_ROW_CHARS)
            yield line


def _open_csv(path: Path, start: bytes) -> Source:
    encoding = detect_encoding(path, start)
    raw = path.open("rb")
    try:
        size = path.stat().st_size
        text = io.TextIOWrapper(raw, encoding=encoding, newline="")
        first_line = text.readline(MAX_ROW_CHARS)
        text.seek(0)
        lines = _BoundedLines(text, delimiter(first_line))
        reader = csv.reader(lines, delimiter=lines.delimiter)
        header = next(reader, None)
    except (OSError, csv.Error) as exc:
        raw.close()
        raise ImportFileError(t("import.file.unreadable", error=exc)) from None
    except ImportFileError:
        raw.close()
        raise
    if header is None or _blank(header):
        raw.close()
        raise ImportFileError(t("import.file.no_header"))
    if any("\x00" in cell for cell in header):  # UTF-16 without its BOM, say
        raw.close()
        raise ImportFileError(t("import.file.binary"))

    def rows() -> Iterator[tuple[int, list[Any]]]:
        number = 1
        while True:
            lines.row, lines.record_chars = number + 1, 0
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                raise ImportFileError(t("import.file.broken_row", row=number + 1, error=exc)) from None
            number += 1
            if len(cells) > MAX_COLUMNS:
                raise too_many_columns(number)
            if cells and not _blank(cells):
                yield number, cells

    def fraction() -> float | None:
        try:
            return min(raw.tell() / size, 1.0) if size else None
        except (OSError, ValueError):
            return None

    return Source(header, rows(), fraction, raw.close, "csv", encoding)


def _first_line(exc: BaseException) -> str:
    text = str(exc)
    return text.splitlines()[0] if text else type(exc).__name__


# What a damaged workbook raises while it is read (zip, XML, a string index too large)
_BROKEN = (zipfile.BadZipFile, KeyError, IndexError, ValueError, OSError, EOFError, SyntaxError)


def _open_xlsx(path: Path) -> Source:
    from woq_tui.store.xlsx_reader import SheetReader, Unsupported

    try:
        reader = SheetReader(path)
    except Unsupported:
        return _open_xlsx_openpyxl(path)
    except _BROKEN as exc:  # ET.ParseError is a SyntaxError
        raise ImportFileError(t("import.file.bad_xlsx", error=_first_line(exc))) from None
    iterator = reader.rows()
    position = [1]
    try:
        number, header = next(iterator, (1, []))
    except _BROKEN as exc:
        reader.close()
        raise ImportFileError(t("import.file.bad_xlsx", error=_first_line(exc))) from None
    if number != 1 or not header or _blank(header):  # row 1 is the header (docs/import-format.md)
        reader.close()
        raise ImportFileError(t("import.file.no_header"))

    def rows() -> Iterator[tuple[int, list[Any]]]:
        while True:
            try:
                number, cells = next(iterator)
            except StopIteration:
                return
            except _BROKEN as exc:
                raise ImportFileError(t("import.file.broken_row", row=position[0] + 1, error=_first_line(exc))) from None
            position[0] = number
            if cells and not _blank(cells):
                yield number, cells

    return Source(header, rows(), reader.fraction, reader.close, "xlsx")


def _open_xlsx_openpyxl(path: Path) -> Source:
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise ImportFileError(t("import.file.bad_xlsx", error=str(exc).splitlines()[0] if str(exc) else exc)) from None
    try:
        sheet = workbook.worksheets[0]
        total = sheet.max_row if isinstance(sheet.max_row, int) and sheet.max_row > 1 else None
        # Read every row there is: a workbook whose declared dimension is too small
        # would otherwise lose its last rows without a word.
        sheet.reset_dimensions()
        iterator = sheet.iter_rows(values_only=True)
        header = list(next(iterator, None) or ())
    except Exception as exc:  # openpyxl raises many kinds on a damaged sheet
        workbook.close()
        raise ImportFileError(t("import.file.bad_xlsx", error=exc)) from None
    if not header or _blank(header):
        workbook.close()
        raise ImportFileError(t("import.file.no_header"))
    position = [1]

    def rows() -> Iterator[tuple[int, list[Any]]]:
        while True:
            try:
                cells = next(iterator)
            except StopIteration:
                return
            except Exception as exc:
                raise ImportFileError(t("import.file.broken_row", row=position[0] + 1, error=exc)) from None
            position[0] += 1
            if position[0] > MAX_ROWS:
                raise ImportFileError(t("import.limit.rows", limit=MAX_ROWS))
            if len(cells) > MAX_COLUMNS:
                raise too_many_columns(position[0])
            if cells and not _blank(list(cells)):
                yield position[0], list(cells)

    def fraction() -> float | None:
        return min(position[0] / total, 1.0) if total else None

    return Source(header, rows(), fraction, workbook.close, "xlsx")
