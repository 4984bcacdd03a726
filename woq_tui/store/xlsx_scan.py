"""The worksheet's rows read by compiled regular expressions over the decompressed XML.

ElementTree's iterparse spends a third of the reading in its per-event Python machinery
(≈100 events a row) and the rest in per-cell Python work (docs/import.md, "Speed and
memory"). Here the C regex engine cuts the sheet into rows and each row into cells, so
Python sees one tuple a cell. It reads only the shape that Excel, openpyxl and the
usual exporters write:

    <row r=".." spans=".." ...><c r="B2" s="3" t="s"><v>..</v></c>...</row>

(attributes in the schema's order, a formula before a cached value, inline strings as
one `<t>`), the five standard entities and numeric character references. Anything else
(CDATA, comments, DOCTYPE, other entities, prefixes, rich text, attributes in another
order, a carriage return the parser would normalise, characters XML forbids, invalid
UTF-8, a row near a limit of store/import_limits.py) raises `Fallback`, and
store/xlsx_reader.py reads the sheet with ElementTree from the start, skipping the
rows already handed out. So what this accepts is well-formed XML read exactly as the
ElementTree reader reads it (tests/test_xlsx_scan.py compares them), and the hostile
files reach the ElementTree reader's limits unchanged: a row whose XML is longer than
half of MAX_ROW_XML_BYTES, or with more than a quarter of MAX_ROW_ELEMENTS tags, is
left to it.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from typing import Any, Protocol

from woq_tui.i18n import t
from woq_tui.store.import_limits import (
    MAX_COLUMNS,
    MAX_ROW_ELEMENTS,
    MAX_ROW_XML_BYTES,
    MAX_ROWS,
    ImportFileError,
    too_many_columns,
)
from woq_tui.store.xlsx_values import CellTyper, unescape

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
CHUNK = 1 << 20
# Past these the ElementTree reader decides (its limits count from the last row's end).
_HEAD_BYTES = 1 << 20
_HEAD_ELEMENTS = 10_000
_ROW_BYTES = MAX_ROW_XML_BYTES // 2
_ROW_TAGS = MAX_ROW_ELEMENTS // 4


class Readable(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...


class Fallback(Exception):
    """Something the scanner does not read: ElementTree reads the sheet."""


_ROW_ATTRIBUTES = (  # CT_Row's attributes, in the order the schema (and Excel) gives them
    r'(?: r="([0-9]+)")?(?: spans="[0-9: ]*")?(?: s="[0-9]+")?(?: customFormat="(?:0|1|true|false)")?'
    r'(?: ht="[0-9.]+")?(?: hidden="(?:0|1|true|false)")?(?: customHeight="(?:0|1|true|false)")?'
    r'(?: outlineLevel="[0-9]+")?(?: collapsed="(?:0|1|true|false)")?(?: thickTop="(?:0|1|true|false)")?'
    r'(?: thickBot="(?:0|1|true|false)")?(?: ph="(?:0|1|true|false)")?'
)
_DESCENT = r'(?: x14ac:dyDescent="-?[0-9.]+")?'  # only when the root declares x14ac
_ROW_TAIL = r"[ \t\n]*(/?)>"
# Characters XML forbids (and \r, which the parser rewrites): not text the scanner reads
_FORBIDDEN = "\x00-\x08\x0b-\x1f\ufffe\uffff"
_TEXT = "[^<" + _FORBIDDEN + "]*"
_FORMULA = (  # CT_CellFormula's attributes in order; its text is not read (the cached value is)
    r'<f(?: t="[a-zA-Z]+")?(?: aca="\w+")?(?: ref="[A-Z0-9:$]+")?(?: dt2D="\w+")?(?: dtr="\w+")?'
    r'(?: del1="\w+")?(?: del2="\w+")?(?: r1="[A-Z0-9$]+")?(?: r2="[A-Z0-9$]+")?(?: ca="\w+")?'
    r'(?: si="[0-9]+")?(?: bx="\w+")?[ \t\n]*(?:/>|>' + _TEXT + "</f>)"
)
# One cell, or any other `<` or forbidden character (which sends the sheet to
# ElementTree). Groups: column letters, style, type, value text, `<is` when there is
# an inline string, its text, the other.
_CELLS = re.compile(
    r'<c(?: r="([A-Z]{1,3})[0-9]+")?(?: s="([0-9]+)")?(?: t="([a-zA-Z]+)")?[ \t\n]*'
    r"(?:/>|>(?:" + _FORMULA + r")?"
    r"(?:<v>(" + _TEXT + r")</v>|<v[ \t\n]*/>|(<is)(?:>(?:<t(?: xml:space=\"preserve\")?>(" + _TEXT + r")</t>|<t[ \t\n]*/>)?</is>"
    r"|[ \t\n]*/>))?</c>)"
    r"|([<" + _FORBIDDEN + r"])"
).findall
_END = re.compile(r"[ \t\n]*</sheetData>")
# Comments, CDATA and instructions need no search of their own: their `<` is one the
# row and cell patterns do not take. "]]>" in text, and entities, do.
_BAD_ENTITY = re.compile(r"&(?!(?:amp|lt|gt|quot|apos|#[0-9]+|#x[0-9a-fA-F]+);)").search
_ENTITY = re.compile(r"&(amp|lt|gt|quot|apos|#[0-9]+|#x[0-9a-fA-F]+);")
_NAMED = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}
_DECLARATION = re.compile(rb"<\?xml[^>]*?\?>")
_UTF8 = re.compile(rb"""encoding=["'](?:utf-?8)["']""", re.I)


def _character(match: re.Match[str]) -> str:
    name = match.group(1)
    if name[0] != "#":
        return _NAMED[name]
    code = int(name[2:], 16) if name[1] == "x" else int(name[1:])
    if code in (0x9, 0xA, 0xD) or 0x20 <= code <= 0xD7FF or 0xE000 <= code <= 0xFFFD or 0x10000 <= code <= 0x10FFFF:
        return chr(code)
    raise Fallback("a reference to a character XML forbids")


def _entities(text: str) -> str:
    return _ENTITY.sub(_character, text)


def _start(data: bytes, marker: bytes) -> tuple[int, list[Any]]:
    """Where the scanning starts: after the first `marker` start tag (without the `>`);
    and ElementTree's events up to there, which it checks itself."""
    skipped = 3 if data.startswith(b"\xef\xbb\xbf") else 0
    declaration = _DECLARATION.match(data, skipped)
    if declaration and b"encoding" in declaration.group() and not _UTF8.search(declaration.group()):
        raise Fallback("not UTF-8")
    at = data.find(marker)
    end = data.find(b">", at) + 1
    if at < 0 or end == 0 or data[end - 2 : end] == b"/>":
        raise Fallback(f"no {marker.decode()}>")
    if b"<!" in data[:at] or b"<?" in data[declaration.end() if declaration else 0 : at]:
        raise Fallback("a declaration, comment or instruction before the data")
    parser: ET.XMLPullParser[Any] = ET.XMLPullParser(("start", "end", "start-ns"))
    try:
        parser.feed(data[:end])
        events: list[Any] = list(parser.read_events())
    except ET.ParseError as exc:
        raise Fallback("the part's start") from exc
    return end, events


def _sheet_start(data: bytes) -> tuple[int, bool]:
    """Where the rows start after `<sheetData>`, and whether the root declares the x14ac
    prefix."""
    start, events = _start(data, b"<sheetData")
    starts = [element for event, element in events if event == "start"]
    depth = len(starts) - sum(event == "end" for event, _ in events)
    if len(starts) > _HEAD_ELEMENTS or depth != 2 or starts[-1].tag != MAIN + "sheetData":
        raise Fallback("sheetData elsewhere")
    if any(element.tag == MAIN + "row" for element in starts):  # ElementTree would read it
        raise Fallback("a row before sheetData")
    prefixes: set[str] = set()
    for event, item in events:
        if event == "start":
            break  # the root's own declarations come before its start
        prefixes.add(item[0])
    return start, "x14ac" in prefixes


def _read_start(stream: Readable, marker: bytes) -> bytes:
    data = stream.read(CHUNK)
    while marker not in data and len(data) < _HEAD_BYTES:
        more = stream.read(CHUNK)
        if not more:
            break
        data += more
    return data


_STRINGS = re.compile(
    r'[ \t\n]*<si>(?:<t(?: xml:space="preserve")?>(' + _TEXT + r")</t>|<t[ \t\n]*/>)</si>|([<" + _FORBIDDEN + "])"
).findall


def scan_shared_strings(stream: Readable, done: Any) -> Iterator[str]:
    """The texts of a shared-string table whose items are each one plain `<t>` (rich
    text and phonetic runs: `Fallback`), as the ElementTree reader reads them."""
    data = _read_start(stream, b"<sst")
    start, events = _start(data, b"<sst")
    starts = [element for event, element in events if event != "start-ns"]
    if len(starts) != 1 or starts[0].tag != MAIN + "sst":
        raise Fallback("not a plain sst")
    for text, _, rest in _regions(stream, data[start:], b"</sst>", b"</si>"):
        if rest is not None:
            text = text[:-6]  # </sst>
            while more := stream.read(CHUNK):
                rest += more
                if len(rest) > _ROW_BYTES:
                    raise Fallback("a long tail")
            if rest.strip(b" \t\r\n"):
                raise Fallback("something after the table")  # for ElementTree: junk, or a comment
        entities = "&" in text
        for value, other in _STRINGS(text):
            if other:
                raise Fallback("an item the scanner does not read")
            if entities:
                value = _entities(value)
            yield unescape(value) if "_x" in value else value
        done()


def _regions(stream: Readable, pending: bytes, closing: bytes, unit: bytes) -> Iterator[tuple[str, int, bytes | None]]:
    """The part from `pending` on, read on from `stream` and decoded in regions that
    end where a `unit` element (a row, a string) ends, the last one at `closing`:
    (text, its length in bytes, and in the last, the bytes after it)."""
    while True:
        end = pending.find(closing)
        if end >= 0:
            cut = end + len(closing)
        else:
            cut = pending.rfind(unit) + len(unit)
            if cut < len(unit):
                if len(pending) > _ROW_BYTES:
                    raise Fallback("a long row or string")
                more = stream.read(CHUNK)
                if not more:
                    raise Fallback("the part ends before its data closes")
                pending += more
                continue
        if end >= 0:
            yield _region(pending[:cut]), cut, pending[cut:]
            return
        yield _region(pending[:cut]), cut, None
        pending = pending[cut:]


def _region(data: bytes) -> str:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Fallback("invalid UTF-8") from exc
    if "]]>" in text or ("&" in text and _BAD_ENTITY(text)):
        raise Fallback("an entity or ']]>' the scanner does not read")
    return text


class Progress:
    """How many bytes of the sheet the rows handed out so far span, roughly (a region's
    bytes spread evenly over its characters): the progress bar's, as the stream's
    count is a whole chunk ahead."""

    def __init__(self) -> None:
        self.base = self.at = 0
        self.ratio = 1.0

    def bytes(self) -> int:
        return self.base + int(self.at * self.ratio)


def scan_rows(stream: Readable, typer: CellTyper, done: Any, progress: Progress) -> Iterator[tuple[int, list[Any]]]:
    """(row number, values) of each row, as the ElementTree reader gives them. `done()`
    is called when the rows read so far are all handed out (the stream's mark)."""
    data = _read_start(stream, b"<sheetData")
    start, descent = _sheet_start(data)
    match_row = re.compile(r"[ \t\n]*<row" + _ROW_ATTRIBUTES + (_DESCENT if descent else "") + _ROW_TAIL, re.S).match
    progress.base = start
    shared, number_of, value_of = typer.shared, typer.number, typer.value
    columns: dict[str, int] = {}
    number = count = 0
    for text, cut, rest in _regions(stream, data[start:], b"</sheetData>", b"</row>"):
        finished = rest is not None
        progress.at, progress.ratio = 0, cut / max(len(text), 1)
        at, size = 0, len(text)
        while True:
            row = match_row(text, at)
            if row is None:
                if finished and _END.match(text, at):
                    break
                raise Fallback("a row the scanner does not read")
            r, closed = row.groups()
            if closed:
                content = ""
                at = progress.at = row.end()
            else:
                end = text.find("</row>", row.end())
                if end < 0:
                    raise Fallback("a row left open")
                content = text[row.end() : end]
                at = progress.at = end + 6
            number = int(r) if r else number + 1
            count += 1
            if number > MAX_ROWS or count > MAX_ROWS:
                raise ImportFileError(t("import.limit.rows", limit=MAX_ROWS))
            values: list[Any] = []
            if content:
                if len(content) > _ROW_TAGS and content.count("<") > _ROW_TAGS:
                    raise Fallback("a row of many elements")
                entities = "&" in content
                for letters, style, kind, value, inline, inline_text, other in _CELLS(content):
                    if other:
                        raise Fallback("an element the scanner does not read")
                    if letters:
                        index = columns.get(letters)
                        if index is None:
                            index = 0
                            for letter in letters:
                                index = index * 26 + (ord(letter) - 64)
                            if index > MAX_COLUMNS:
                                raise Fallback("a reference beyond the last column")
                            index = columns[letters] = index - 1
                        if index != len(values):
                            if index < len(values):
                                raise Fallback("cells out of order")
                            values.extend([None] * (index - len(values)))
                    if kind == "inlineStr":
                        if inline:
                            if entities:
                                inline_text = _entities(inline_text)
                            values.append(unescape(inline_text) if "_x" in inline_text else inline_text)
                        else:
                            values.append(None)
                    elif not value:
                        values.append(None)
                    else:
                        if entities:
                            value = _entities(value)
                        if kind == "s":
                            values.append(shared(int(value)))
                        elif not kind or kind == "n":
                            values.append(number_of(value, style))
                        else:
                            values.append(value_of(kind, value, style))
                if len(values) > MAX_COLUMNS:
                    raise too_many_columns(number)
            yield number, values
            if at == size:
                break
        progress.base += cut
        progress.at = 0
        done()
