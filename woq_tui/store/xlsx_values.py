"""How a worksheet cell's text becomes a value, for both readers of store/xlsx_reader.py
(the ElementTree one and the scanner of store/xlsx_scan.py), so that the two cannot
read a cell differently: as openpyxl's `iter_rows(values_only=True)` gives it, and
`_xHHHH_` escapes decoded, as the standard says (docs/import.md)."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from typing import Any

from woq_tui.i18n import t
from woq_tui.store.import_limits import MAX_COLUMNS, ImportFileError

_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")
WINDOWS_EPOCH = datetime(1899, 12, 30)
MAC_EPOCH = datetime(1904, 1, 1)


def unescape(text: str) -> str:
    return _ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text) if "_x" in text else text


def column_index(letters: str, reference: str) -> int:
    if len(letters) > 3:  # beyond XFD, whatever the letters
        raise ImportFileError(t("import.limit.cell_reference", reference=reference[:20], limit=MAX_COLUMNS))
    index = 0
    for letter in letters:
        index = index * 26 + (ord(letter) - 64)
    if index > MAX_COLUMNS:
        raise ImportFileError(t("import.limit.cell_reference", reference=reference[:20], limit=MAX_COLUMNS))
    return index - 1


class CellTyper:
    """The value of a cell that is not an inline string, from its type (`t`), its text
    (the `<v>` element's, entities decoded, not empty) and its style (`s`)."""

    def __init__(self, shared: Any, dates: set[int], durations: set[int], epoch: datetime) -> None:
        self.shared = shared  # index -> str
        self._dates, self._durations, self._epoch = dates, durations, epoch
        # style attribute -> (a date format, a duration format), as int() reads it
        self._styles: dict[str, tuple[bool, bool]] = {}

    def number(self, text: str, style: str | None) -> Any:
        value: Any = float(text) if ("." in text or "E" in text or "e" in text) else int(text)
        if style:
            date = self._styles.get(style)
            if date is None:
                number = int(style)
                date = self._styles[style] = (number in self._dates, number in self._durations)
            if date[0]:
                return from_excel(value, self._epoch, date[1])
        return value

    def value(self, kind: str, text: str, style: str | None) -> Any:
        if kind == "n":
            return self.number(text, style)
        if kind == "s":
            return self.shared(int(text))
        if kind == "b":
            return bool(int(text))
        if kind == "d":
            from openpyxl.utils.datetime import from_ISO8601

            return from_ISO8601(text)
        return unescape(text)  # "str" (a formula's text), "e" (an error such as #N/A)


def from_excel(serial: float, epoch: datetime, duration: bool) -> datetime | time | timedelta | float:
    """An Excel serial number as openpyxl's from_excel reads it: to the millisecond, a
    time of day below 1, and the 1900 system's phantom 29 February before day 60;
    out of range, the number itself (which then reads as no date)."""
    try:
        if duration:
            return timedelta(days=serial)
        day, fraction = divmod(serial, 1)
        milliseconds = round(fraction * 86_400_000)
        if 0 <= serial < 1 and milliseconds < 86_400_000:
            return (datetime.min + timedelta(milliseconds=milliseconds)).time()
        if 0 < serial < 60 and epoch is WINDOWS_EPOCH:
            day += 1
        return epoch + timedelta(days=day, milliseconds=milliseconds)
    except (OverflowError, ValueError):
        return serial
