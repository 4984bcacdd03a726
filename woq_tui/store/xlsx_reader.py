"""A streaming reader of the values of a workbook's first worksheet.

openpyxl's read-only mode spends ≈200 µs a row of 19 cells here: it builds descriptor
objects for every inline string and a dict for every cell, and a sheet without a
`<dimension>` (openpyxl's own write-only files, many exporters) is parsed a whole extra
time when the workbook opens. This reader cuts the sheet (and the shared-string table)
into rows and cells with compiled regular expressions (store/xlsx_scan.py), and reads
with the C parser behind `xml.etree.ElementTree.iterparse` and a tight loop whatever
that scanner does not know, dropping each row from the tree once read; it keeps the
shared-string table in a temporary file, so memory does not grow with the sheet. It
reads values as openpyxl's `iter_rows(values_only=True)` gives them (store/xlsx_values.py):
shared and inline strings (rich-text runs joined, phonetic runs left out), numbers
(int when written without a point or exponent), booleans, error codes as text, the
cached value of a formula, ISO dates (`t="d"`), and numbers whose cell style is a date
format as naive datetimes (1900 or 1904 date system). Two deliberate differences:
`_xHHHH_` escapes (Excel writes `_x000D_` for a carriage return) are decoded, as the
standard says, where openpyxl leaves them.

A package it does not recognise (no workbook part where the relationships say,
Strict Open XML's namespaces) raises `Unsupported` while opening, before any row is
read, and the caller reads it with openpyxl instead.

What a workbook may cost is bounded (store/import_limits.py, docs/import-format.md
"Limits"), so that a small hostile file cannot eat the memory or the CPU: every part's
uncompressed size and compression ratio are checked before anything is read; while the
sheet streams, the bytes read since the last row ended and the XML elements of the row
being read are counted (a 1.5 GB run of whitespace, a row of a million cells, are
refused before they are built), and cell references and row numbers are checked
against Excel's last column and row before any padding is made. Those limits raise
ImportFileError, whose text is the user's line.
"""

from __future__ import annotations

import posixpath
import tempfile
import xml.etree.ElementTree as ET
import zipfile
from array import array
from collections.abc import Iterator
from functools import lru_cache
from typing import IO, Any

from woq_tui.i18n import t
from woq_tui.store.import_limits import (
    MAX_COLUMNS,
    MAX_ROW_ELEMENTS,
    MAX_ROW_XML_BYTES,
    MAX_ROWS,
    MAX_WHOLE_PART_BYTES,
    MIB,
    ImportFileError,
    check_part,
    row_too_large,
    too_many_columns,
)
from woq_tui.store.xlsx_scan import Fallback, Progress, scan_rows, scan_shared_strings
from woq_tui.store.xlsx_values import MAC_EPOCH, WINDOWS_EPOCH, CellTyper, column_index, unescape

# Whether rows() tries store/xlsx_scan.py first (the benches turn it off to compare).
SCAN = True

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
PACKAGE_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
OFFICE_DOCUMENT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
TYPE_WORKSHEET = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"
TYPE_STRINGS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"
TYPE_STYLES = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles"

_DATA, _ROW, _CELL, _VALUE, _INLINE = MAIN + "sheetData", MAIN + "row", MAIN + "c", MAIN + "v", MAIN + "is"
_SI, _T, _R, _RPH = MAIN + "si", MAIN + "t", MAIN + "r", MAIN + "rPh"


class Unsupported(Exception):
    """Not a package this reader knows: let openpyxl read it."""


def _string(element: ET.Element) -> str:
    """The text of a shared or inline string: plain, or rich-text runs joined; phonetic
    runs (rPh) are a reading aid, not the value."""
    parts = []
    for child in element:
        if child.tag == _T:
            parts.append(child.text or "")
        elif child.tag == _R:
            t = child.find(_T)
            if t is not None:
                parts.append(t.text or "")
    return unescape("".join(parts))


class _Guarded:
    """A binary stream that counts what has been read from it (the progress bar), and
    refuses to go on when more than MAX_ROW_XML_BYTES were read since the reader last
    `mark`ed a unit (a row, a shared string) as done: the XML parser hands out nothing
    before an element ends, so this is what bounds a run of whitespace or one enormous
    value before it is held in memory."""

    def __init__(self, stream: IO[bytes], refusal: Any) -> None:
        self._stream = stream
        self._refusal = refusal  # () -> ImportFileError
        self.consumed = 0
        self.marked = 0

    def read(self, size: int = -1) -> bytes:
        if self.consumed - self.marked > MAX_ROW_XML_BYTES:
            raise self._refusal()
        data = self._stream.read(size)
        self.consumed += len(data)
        return data

    def mark(self) -> None:
        self.marked = self.consumed


class SharedStrings:
    """The shared-string table, which cells name by index in any order.

    A workbook Excel saves keeps every text there: a year of unique ticket numbers,
    phones and addresses is ≈1 M strings, ≈100 MB as Python strings. They are written
    to an anonymous temporary file instead, UTF-8, with an array of where each starts
    (8 bytes a string); the few thousand read most recently stay in memory, which
    covers the values that repeat (types, stations, statuses).
    """

    def __init__(self) -> None:
        self._file = tempfile.TemporaryFile()
        self._starts = array("q", [0])
        self._reader: IO[bytes] | None = None
        self.get = lru_cache(maxsize=4096)(self._read)

    def append(self, text: str) -> None:
        data = text.encode("utf-8")
        self._file.write(data)
        self._starts.append(self._starts[-1] + len(data))

    def __len__(self) -> int:
        return len(self._starts) - 1

    def _read(self, index: int) -> str:
        if not 0 <= index < len(self._starts) - 1:
            raise IndexError(f"shared string {index} of {len(self._starts) - 1}")
        if self._reader is None:  # the table is complete: read without a buffer
            self._file.flush()
            self._reader = open(self._file.fileno(), "rb", buffering=0, closefd=False)
        start = self._starts[index]
        self._reader.seek(start)
        return self._reader.read(self._starts[index + 1] - start).decode("utf-8")

    def close(self) -> None:
        if self._reader is not None:
            self._reader.close()
        self._file.close()


class SheetReader:
    """The first worksheet of `path`, as rows of values. `Unsupported` from __init__
    means: read it with openpyxl; zipfile.BadZipFile / KeyError / ET.ParseError mean
    a damaged file."""

    def __init__(self, path: Any) -> None:
        self._zip = zipfile.ZipFile(path)
        try:
            for info in self._zip.infolist():  # before anything is read, by either reader
                check_part(info.filename, info.file_size, info.compress_size)
            self._open()
        except BaseException:
            if hasattr(self, "_strings"):
                self._strings.close()
            self._zip.close()
            raise

    def _read_xml(self, name: str) -> ET.Element:
        """A small part, read whole (the workbook, relationships, styles)."""
        info = self._zip.getinfo(name)
        check_part(name, info.file_size, info.compress_size, MAX_WHOLE_PART_BYTES)
        with self._zip.open(name) as stream:
            return ET.parse(stream).getroot()

    def _relationships(self, part: str) -> dict[str, tuple[str, str]]:
        """Id -> (type, part name) of the relationships of `part`."""
        folder, name = posixpath.split(part)
        rels_name = posixpath.join(folder, "_rels", name + ".rels")
        if rels_name not in self._zip.NameToInfo:
            return {}
        found = {}
        for rel in self._read_xml(rels_name):
            if rel.tag != PACKAGE_REL + "Relationship" or rel.get("TargetMode") == "External":
                continue
            target = rel.get("Target", "")
            target = target[1:] if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
            found[rel.get("Id", "")] = (rel.get("Type", ""), target)
        return found

    def _open(self) -> None:
        workbook_part = next((target for kind, target in self._relationships("").values() if kind == OFFICE_DOCUMENT), None)
        if workbook_part is None or workbook_part not in self._zip.NameToInfo:
            raise Unsupported("no workbook part")
        workbook = self._read_xml(workbook_part)
        if workbook.tag != MAIN + "workbook":
            raise Unsupported(f"workbook element {workbook.tag}")  # Strict Open XML, say
        properties = workbook.find(MAIN + "workbookPr")
        date1904 = properties is not None and properties.get("date1904", "").lower() in ("1", "true")
        self.epoch = MAC_EPOCH if date1904 else WINDOWS_EPOCH
        relationships = self._relationships(workbook_part)
        sheets = workbook.find(MAIN + "sheets")
        worksheet = None
        for sheet in sheets if sheets is not None else ():
            kind, target = relationships.get(sheet.get(REL + "id", ""), ("", ""))
            if kind == TYPE_WORKSHEET:  # chart sheets are not worksheets, as in openpyxl
                worksheet = target
                break
        if worksheet is None or worksheet not in self._zip.NameToInfo:
            raise Unsupported("no worksheet")
        self._sheet = worksheet
        self.size = self._zip.getinfo(worksheet).file_size
        parts = {kind: target for kind, target in relationships.values()}
        self._strings = self._read_strings(parts.get(TYPE_STRINGS))
        self._dates, self._durations = self._read_date_styles(parts.get(TYPE_STYLES))
        self._stream: _Guarded | None = None
        self._scanning = False
        self._scanned = Progress()
        # Why the scanner left the sheet to ElementTree, if it did (tests, benches)
        self.fell_back: str | None = None

    def _read_strings(self, part: str | None) -> SharedStrings:
        """The table, by the scanner of store/xlsx_scan.py, or by ElementTree where the
        scanner meets what it does not read."""
        if part is None or part not in self._zip.NameToInfo:
            return SharedStrings()
        refusal = lambda: ImportFileError(  # noqa: E731
            t("import.limit.value_size", part=part, limit=MAX_ROW_XML_BYTES // MIB)
        )
        if SCAN:
            strings = SharedStrings()
            try:
                with self._zip.open(part) as raw:
                    stream = _Guarded(raw, refusal)
                    for text in scan_shared_strings(stream, stream.mark):
                        strings.append(text)
                return strings
            except Fallback:
                strings.close()
            except BaseException:
                strings.close()
                raise
        return self._read_element_strings(part, refusal)

    def _read_element_strings(self, part: str, refusal: Any) -> SharedStrings:
        strings = SharedStrings()
        try:
            with self._zip.open(part) as raw:
                stream = _Guarded(raw, refusal)
                root = None
                elements = 0
                for event, element in ET.iterparse(stream, ("start", "end")):
                    if root is None:
                        root = element
                    elif event == "start":
                        elements += 1
                        if elements > MAX_ROW_ELEMENTS:
                            raise ImportFileError(t("import.limit.elements", part=part, limit=MAX_ROW_ELEMENTS))
                    elif element.tag == _SI:
                        strings.append(_string(element))
                        root.clear()
                        stream.mark()
                        elements = 0
        except BaseException:
            strings.close()
            raise
        return strings

    def _read_date_styles(self, part: str | None) -> tuple[set[int], set[int]]:
        """Indexes of the cell styles whose number format shows a date (or a duration)."""
        from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format, is_timedelta_format

        if part is None or part not in self._zip.NameToInfo:
            return set(), set()
        styles = self._read_xml(part)
        custom = {}
        formats = styles.find(MAIN + "numFmts")
        for number_format in formats if formats is not None else ():
            try:
                custom[int(number_format.get("numFmtId", ""))] = number_format.get("formatCode")
            except ValueError:
                continue
        dates, durations = set(), set()
        cell_styles = styles.find(MAIN + "cellXfs")
        for index, xf in enumerate(cell_styles if cell_styles is not None else ()):
            try:
                number = int(xf.get("numFmtId", "0"))
            except ValueError:
                continue
            code = custom.get(number, BUILTIN_FORMATS.get(number))
            if is_date_format(code):
                dates.add(index)
            if is_timedelta_format(code):
                durations.add(index)
        return dates, durations

    def fraction(self) -> float | None:
        if self._stream is None or not self.size:
            return None
        done = self._scanned.bytes() if self._scanning else self._stream.consumed
        return min(done / self.size, 1.0)

    def rows(self) -> Iterator[tuple[int, list[Any]]]:
        """(spreadsheet row number, values) of each <row> element, in file order: by
        the scanner of store/xlsx_scan.py, and where it meets what it does not read, by
        ElementTree from the start, past the rows the scanner handed out."""
        typer = CellTyper(self._strings.get, self._dates, self._durations, self.epoch)
        handed_out = 0
        if SCAN:
            self._scanning = True
            with self._zip.open(self._sheet) as raw:
                stream = self._stream = _Guarded(raw, lambda: row_too_large(handed_out + 1, MAX_ROW_XML_BYTES))
                try:
                    for row in scan_rows(stream, typer, stream.mark, self._scanned):
                        yield row
                        handed_out += 1
                    return
                except Fallback as reason:
                    self._scanning, self.fell_back = False, str(reason)
        for row in self._element_rows(typer):
            if handed_out:
                handed_out -= 1
            else:
                yield row

    def _element_rows(self, typer: CellTyper) -> Iterator[tuple[int, list[Any]]]:
        """The rows by ElementTree's iterparse."""
        value_of = typer.value
        columns: dict[str, int] = {}
        number = count = elements = 0
        sheet_data = ET.Element(_DATA)
        with self._zip.open(self._sheet) as raw:
            stream = self._stream = _Guarded(raw, lambda: row_too_large(number + 1, MAX_ROW_XML_BYTES))
            for event, element in ET.iterparse(stream, ("start", "end")):
                if event == "start":
                    elements += 1
                    if elements > MAX_ROW_ELEMENTS:
                        raise ImportFileError(t("import.limit.row_elements", row=number + 1, limit=MAX_ROW_ELEMENTS))
                    if element.tag == _DATA:
                        sheet_data = element
                    continue
                if element.tag != _ROW:
                    if element.tag == _DATA:
                        return  # every row is in sheetData; what follows is not read
                    continue
                r = element.get("r")
                number = int(r) if r else number + 1
                count += 1
                if number > MAX_ROWS or count > MAX_ROWS:
                    raise ImportFileError(t("import.limit.rows", limit=MAX_ROWS))
                values: list[Any] = []
                for cell in element:
                    if cell.tag != _CELL:
                        continue
                    reference = cell.get("r")
                    if reference:
                        letters = reference.rstrip("0123456789")
                        index = columns.get(letters)
                        if index is None:
                            index = columns[letters] = column_index(letters, reference)
                        if index > len(values):
                            values.extend([None] * (index - len(values)))
                        elif index < len(values):
                            raise ValueError(f"cell {reference} out of order")
                    kind = cell.get("t", "n")
                    if kind == "inlineStr":
                        inline = cell.find(_INLINE)
                        values.append(None if inline is None else _string(inline))
                        continue
                    text = cell.findtext(_VALUE) or None
                    values.append(None if text is None else value_of(kind, text, cell.get("s")))
                if len(values) > MAX_COLUMNS:
                    raise too_many_columns(number)
                # drop the row from the tree: memory stays flat however long the sheet
                sheet_data.clear()
                stream.mark()
                elements = 0
                yield number, values

    def close(self) -> None:
        self._strings.close()
        self._zip.close()
