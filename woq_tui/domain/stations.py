"""What the console derives from a station's name."""

from __future__ import annotations

STATION_SUFFIX = "供电所"


def station_initials(name: str) -> str:
    """Pinyin initials for type-ahead search, without the 供电所 suffix
    (东丽城东供电所 -> dlcd); letters and digits of a code-like name are kept."""
    from pypinyin import Style, lazy_pinyin  # a large dictionary: load it only when needed

    letters = "".join(lazy_pinyin(name.removesuffix(STATION_SUFFIX), style=Style.FIRST_LETTER)).lower()
    return "".join(ch for ch in letters if ch.isascii() and ch.isalnum())[:64]
