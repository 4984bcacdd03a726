"""Which encoding a CSV export is in: UTF-8 (with or without BOM), GB18030/GBK as
Chinese Excel writes it, or UTF-16 with its BOM (docs/import-format.md, "Encodings").

A file is UTF-8 when it decodes strictly as UTF-8 from end to end. Otherwise it is
GB18030, unless it mixes encodings: a line of non-ASCII text that is valid UTF-8 and
another that is not (200 UTF-8 rows, then one pasted from a GBK export). GB18030
decodes almost any bytes, so read as GB18030 such a file would import every UTF-8 row
as mojibake (瀹朵腑…) and exit 0; it is refused instead, naming the first row in the
other encoding. Deciding row by row is not an option: a short GBK row can happen to be
valid UTF-8 and would then be stored garbled without a word (docs/import-format.md).

Everything is read in bounded pieces: a file without line breaks costs no more memory
than one with them.
"""

from __future__ import annotations

import codecs
import csv
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO, TextIO

from woq_tui.i18n import t
from woq_tui.store.import_limits import MAX_ROW_CHARS, ImportFileError, row_too_large

CHUNK = 1 << 20
BINARY_PROBE = 1 << 16
UTF8, GB18030, UTF16 = "utf-8-sig", "gb18030", "utf-16"


def _unreadable(exc: OSError) -> ImportFileError:
    return ImportFileError(t("import.file.unreadable", error=exc.strerror or exc))


def _decodes(path: Path, encoding: str) -> bool:
    """Whether the whole file decodes strictly (in 1 MB pieces, at C speed)."""
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    try:
        with path.open("rb") as stream:
            while chunk := stream.read(CHUNK):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    except OSError as exc:
        raise _unreadable(exc) from None
    return True


def _binary_start(head: bytes) -> bool:
    """NUL in the first 64 KB of bytes that are no text at all: an image, a PDF. (A
    NUL in a text file is one bad value, wherever it is: docs/import-format.md.)"""
    if b"\x00" not in head:
        return False
    for encoding in (UTF8, GB18030):
        try:
            codecs.getincrementaldecoder(encoding)(errors="strict").decode(head)  # not final: may end mid-character
            return False
        except UnicodeDecodeError:
            continue
    return True


def detect_encoding(path: Path, start: bytes) -> str:
    """The file's encoding; raises ImportFileError (binary, undecodable, mixed)."""
    if start.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        if _decodes(path, UTF16):
            return UTF16
        raise ImportFileError(t("import.file.encoding"))
    try:
        with path.open("rb") as stream:
            head = stream.read(BINARY_PROBE)
    except OSError as exc:
        raise _unreadable(exc) from None
    if _binary_start(head):
        raise ImportFileError(t("import.file.binary"))
    if _decodes(path, UTF8):
        return UTF8
    if _line_kinds_agree(path):
        if _decodes(path, GB18030):
            return GB18030
        raise ImportFileError(t("import.file.encoding"))
    raise _mixed_or_undecodable(path)


def _classified_lines(stream: BinaryIO) -> Iterator[str]:
    """The kind (_text_kind) of every physical line that holds non-ASCII bytes, read
    in bounded pieces with incremental decoders."""
    utf8 = codecs.getincrementaldecoder("utf-8")(errors="strict")
    gb = codecs.getincrementaldecoder(GB18030)(errors="strict")
    ok_utf8 = ok_gb = True
    non_ascii = False
    while piece := stream.readline(CHUNK):
        ends = piece.endswith(b"\n")
        last = ends or len(piece) < CHUNK  # the line ends here (or the file does)
        non_ascii = non_ascii or not piece.isascii()
        if ok_utf8:
            try:
                utf8.decode(piece, last)
            except UnicodeDecodeError:
                ok_utf8 = False
        if ok_gb:
            try:
                gb.decode(piece, last)
            except UnicodeDecodeError:
                ok_gb = False
        if not last:
            continue  # the rest of this line follows
        if non_ascii:
            yield "UTF-8" if ok_utf8 else "GB18030/GBK" if ok_gb else ""
        utf8.reset()
        gb.reset()
        ok_utf8 = ok_gb = True
        non_ascii = False


def _line_kinds_agree(path: Path) -> bool:
    """True when every non-ASCII line decodes in the same one of the two encodings
    as the first such line (so the file is one encoding)."""
    try:
        with path.open("rb") as stream:
            first = None
            for kind in _classified_lines(stream):
                first = first if first is not None else kind
                if kind == "" or kind != first:
                    return False
    except OSError as exc:
        raise _unreadable(exc) from None
    return True


def _mixed_or_undecodable(path: Path) -> ImportFileError:
    """The error naming the first row (a CSV record, counted as the import counts
    them) whose line is not in the encoding of the first non-ASCII line."""
    first: list[str] = []
    found: list[str] = []

    def lines(text: TextIO) -> Iterator[str]:
        while line := text.readline(MAX_ROW_CHARS + 1):
            if len(line) > MAX_ROW_CHARS:
                raise row_too_large(records[0] + 1, MAX_ROW_CHARS)
            if not found and not line.isascii():
                kind = _text_kind(line.encode("latin-1"))
                if not first:
                    first.append(kind)
                if kind == "" or kind != first[0]:
                    found.append(kind)
            yield line

    records = [0]
    try:
        with path.open("r", encoding="latin-1", newline="") as text:
            header = text.readline(MAX_ROW_CHARS)
            text.seek(0)
            for _ in csv.reader(lines(text), delimiter=delimiter(header)):
                records[0] += 1
                if found:
                    break
    except OSError as exc:
        raise _unreadable(exc) from None
    except csv.Error:
        pass  # the row is named all the same: the one being read
    row = records[0] if found else max(records[0], 1)
    if not found or found[0] == "":
        return ImportFileError(t("import.file.encoding_row", row=row))
    return ImportFileError(t("import.file.mixed_encoding", first=first[0], other=found[0], row=row))


def _text_kind(line: bytes) -> str:
    for name, encoding in (("UTF-8", "utf-8"), ("GB18030/GBK", GB18030)):
        try:
            line.decode(encoding)
            return name
        except UnicodeDecodeError:
            continue
    return ""


def delimiter(first_line: str) -> str:
    """Comma, unless the header line plainly uses tabs or semicolons."""
    counts = {d: first_line.count(d) for d in (",", "\t", ";")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] > 0 else ","
