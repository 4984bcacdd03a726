"""The normalised phone and address the repeat rules compare (docs/audit.md, "repeat_call",
"repeat_fault"; docs/audit.md). Stored beside the raw values (ticket.phone_key,
ticket.address_key) and indexed with created_at, so that the audit finds a ticket's
earlier ones by an index range instead of normalising every row in SQL.

Whoever writes a ticket's phone or address fills these: the importer, the demo
generator and simulator, and migration 0006 for rows stored before it.
"""

from __future__ import annotations

import re

# At least this many digits make a phone number that can match another (docs/audit.md).
MIN_PHONE_DIGITS = 7
_COUNTRY_CODES = ("+86", "0086")
_NOT_DIGIT = re.compile(r"\D+")
_WHITESPACE = re.compile(r"\s+")


def phone_key(raw: str | None) -> str | None:
    """Digits of the phone with a leading +86 / 0086 removed; None under 7 digits."""
    if raw is None:
        return None
    text = raw.strip()
    for code in _COUNTRY_CODES:
        if text.startswith(code):
            text = text[len(code) :]
            break
    # most phones are digits only already: skip the regex (\d is exactly isdecimal)
    digits = text if text.isdecimal() else _NOT_DIGIT.sub("", text)
    return digits if len(digits) >= MIN_PHONE_DIGITS else None


def address_key(raw: str | None) -> str | None:
    """The address with every whitespace character removed, case-folded; None when empty."""
    if raw is None:
        return None
    key = _WHITESPACE.sub("", raw).casefold()
    # the same text as the address (most are): keep one string, not two (docs/demo.md, "A province")
    return (raw if key == raw else key) or None
