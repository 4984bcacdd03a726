"""Text the product writes where someone else interprets it: spreadsheet cells and
terminals. One definition each, used by every CSV/XLSX writer and every line printed.

- A spreadsheet cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return is
  read by Excel and WPS as a formula (`=cmd|' /C calc'!A0`): such text gets a leading
  apostrophe, OWASP's rule for CSV injection (docs/decisions.md, "Files we write").
  Numbers stay numbers.
- Text printed to a terminal has its control characters shown as escapes (`\\x1b`), so a
  ticket number carrying `ESC]0;…BEL ESC[2J` cannot retitle or clear the screen; bidi
  overrides too, so a line cannot be made to read backwards.
"""

from __future__ import annotations

from typing import TypeVar

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Bidirectional embeddings, overrides and isolates (Unicode category Cf, but unlike
# zero-width joiners in emoji they reorder what the reader sees).
_BIDI = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")

T = TypeVar("T")


def spreadsheet_cell(value: T) -> T | str:
    """The value as a CSV/XLSX cell may hold it without being run as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _escape(char: str) -> str:
    code = ord(char)
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def terminal_text(text: str, *, keep_newlines: bool = False) -> str:
    """`text` with every control character (C0, DEL, C1) and bidi control escaped."""
    out = []
    for char in text:
        code = ord(char)
        if char == "\n" and keep_newlines:
            out.append(char)
        elif code < 0x20 or 0x7F <= code <= 0x9F or char in _BIDI:
            out.append(_escape(char))
        else:
            out.append(char)
    return "".join(out)
