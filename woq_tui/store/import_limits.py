"""What one export may cost, so that a small hostile file cannot eat the CPU or the
memory (docs/import-format.md, "Limits"). Each limit is far beyond what Excel or a
95598 system writes; a file past one is refused as a whole with one line.
"""

from __future__ import annotations

from woq_tui.i18n import t

MIB = 1 << 20

# Cells in a row, the header included: Excel's last column is XFD, the 16,384th.
MAX_COLUMNS = 16_384
# Rows of an XLSX worksheet: Excel's last row. (A CSV may be longer: it costs what
# it weighs, and the reader holds one row at a time.)
MAX_ROWS = 1_048_576
# Characters of one CSV record, which also bounds every cell (Excel's own cell limit is
# 32,767 characters).
MAX_ROW_CHARS = 4 * MIB
# Bytes of one XLSX row's XML (markup included), and of any one value in it; elements
# of XML in one row (a cell is two or three, rich text a few per run).
MAX_ROW_XML_BYTES = 16 * MIB
MAX_ROW_ELEMENTS = 100_000
# A part of an XLSX package (a worksheet, its shared strings): uncompressed size, and
# how many times its compressed size it may expand to once it is larger than
# RATIO_FLOOR (deflate cannot pass ~1,030; a real worksheet measured 8-10).
MAX_PART_BYTES = 2048 * MIB
# The parts read whole rather than streamed: the workbook, its relationships, styles.
MAX_WHOLE_PART_BYTES = 64 * MIB
MAX_RATIO = 100
RATIO_FLOOR = 16 * MIB


class ImportFileError(Exception):
    """The file as a whole cannot be imported; str() is one line for the user."""


def too_many_columns(row: int) -> ImportFileError:
    return ImportFileError(t("import.limit.columns", row=row, limit=MAX_COLUMNS))


def row_too_large(row: int, limit_bytes: int) -> ImportFileError:
    return ImportFileError(t("import.limit.row_size", row=row, limit=limit_bytes // MIB))


def check_part(name: str, size: int, compressed: int, limit: int = MAX_PART_BYTES) -> None:
    """Refuse a package part that would expand too far (a zip bomb)."""
    if size > limit:
        raise ImportFileError(t("import.limit.part_size", part=name, size=size // MIB, limit=limit // MIB))
    if size > RATIO_FLOOR and size > MAX_RATIO * max(compressed, 1):
        ratio = size / max(compressed, 1)
        raise ImportFileError(t("import.limit.ratio", part=name, size=size // MIB, ratio=ratio, limit=MAX_RATIO))
