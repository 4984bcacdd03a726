"""A Chinese address in its parts: province, city, district, town or street (街道),
village or community, road, number (docs/dispatch-assist.md, "Address parts").

No library does the parts below the county: cpca and addressparser stop at the
district, jionlp finds a town only where its dictionary knows it and no village
(docs/dependencies.md has what was measured). So this is a small scanner keyed on the
suffixes that end each level (省 市 区 县 镇 乡 街道 村 社区 小区 路 街 号 …), which
also reads invented names such as the demo's. Pure and dictionary-free: about 10 µs
an address.

What the suggestions use is `prefixes()`: the address cut after its road, its village
or community and its town or street, each normalised like the whole address
(contact_keys.address_key), so that "the same village" is a prefix range on the
indexed ticket.address_key.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["LEVELS", "PREFIX_LEVELS", "AddressParts", "parse_address", "prefixes", "is_urban"]

# The levels, outermost first; `number` is the rest (building, unit, room, group).
LEVELS = ("province", "city", "district", "town", "village", "road", "number")
# The levels a shorter history falls back to, narrowest first (never the district:
# one district is served by many stations).
PREFIX_LEVELS = ("road", "village", "town")

_MUNICIPALITIES = ("北京市", "天津市", "上海市", "重庆市")

# Suffix -> level. At one position the longest suffix wins (社区 over 区, 街道 over 街).
_SUFFIXES: dict[str, str] = {
    "特别行政区": "province", "自治区": "province", "省": "province",
    "自治州": "city", "地区": "city", "盟": "city", "市": "city",
    "自治县": "district", "自治旗": "district", "区": "district", "县": "district", "旗": "district",
    "街道办事处": "town", "街道": "town", "镇": "town", "乡": "town", "苏木": "town",
    "居委会": "village", "村委会": "village", "社区": "village", "小区": "village", "嘎查": "village", "村": "village",
    "大街": "road", "大道": "road", "胡同": "road", "路": "road", "街": "road", "道": "road", "巷": "road", "弄": "road",
}
# Longest first, so that the alternation prefers 社区 to 区 at one position.
_SUFFIX = re.compile("|".join(sorted(_SUFFIXES, key=len, reverse=True)))
_RANK = {level: index for index, level in enumerate(LEVELS)}

# Where the number part begins: digits, or a Chinese numeral followed by what it counts.
_NUMBER = re.compile(
    r"[0-9０-９]|[一二三四五六七八九十百零〇两]+(?:组|队|号|栋|幢|单元|楼|排|巷|弄)"
)


@dataclass(frozen=True)
class AddressParts:
    """Each part as written (None when the address has none); `ends` holds where each
    present part ends in the original text, for prefixes()."""

    raw: str
    province: str | None = None
    city: str | None = None
    district: str | None = None
    town: str | None = None
    village: str | None = None
    road: str | None = None
    number: str | None = None
    ends: tuple[tuple[str, int], ...] = ()

    def end_of(self, level: str) -> int | None:
        return dict(self.ends).get(level)


def _suffix_at(text: str, index: int) -> str | None:
    found = _SUFFIX.match(text, index)
    return found.group() if found else None


def _level_of(suffix: str, last: int) -> str:
    level = _SUFFIXES[suffix]
    # A county-level city (霸州市) comes after its prefecture-level city.
    if suffix == "市" and last >= _RANK["city"]:
        return "district"
    return level


def parse_address(raw: str | None) -> AddressParts | None:
    """The parts of an address, or None for a missing or blank one."""
    if raw is None or not raw.strip():
        return None
    text = raw.strip()
    found: dict[str, str] = {}
    ends: list[tuple[str, int]] = []
    start, last = 0, -1

    def take(level: str, end: int) -> None:
        nonlocal start, last
        found[level] = text[start:end].strip()
        ends.append((level, end))
        start, last = end, _RANK[level]

    for municipality in _MUNICIPALITIES:
        if text.startswith(municipality):
            take("province", len(municipality))
            last = _RANK["city"]  # the municipality is its own city
            break
    index = start
    while index < len(text):
        if _NUMBER.match(text, index):
            break
        suffix = _suffix_at(text, index)
        if suffix is None or index == start:
            index += 1
            continue
        end = index + len(suffix)
        level = _level_of(suffix, last)
        # 建设路街道, 平山道社区: a road's name inside a street's or community's.
        shallower = _suffix_at(text, end)
        if _RANK[level] <= last or (shallower is not None and _SUFFIXES[shallower] != "road" and level == "road"):
            index = end
            continue
        take(level, end)
        index = end
    rest_end = index
    if rest_end > start:
        # Text with no suffix before the number: an estate (幸福花园) is the community
        # when there is none yet, else it stays with the number.
        if last < _RANK["village"]:
            take("village", rest_end)
    if start < len(text):
        found["number"] = text[start:].strip()
        ends.append(("number", len(text)))
    return AddressParts(raw=raw, ends=tuple(ends), **found)


def prefixes(parts: AddressParts | None) -> tuple[tuple[str, str], ...]:
    """(level, the address up to the end of that level) for PREFIX_LEVELS present,
    narrowest first, each shorter than the whole address; not normalised (the caller
    normalises with contact_keys.address_key, which keeps prefixes prefixes)."""
    if parts is None:
        return ()
    text = parts.raw.strip()
    offset = len(parts.raw) - len(parts.raw.lstrip())
    result: list[tuple[str, str]] = []
    for level in PREFIX_LEVELS:
        end = parts.end_of(level)
        if end is not None and end < len(text):
            result.append((level, parts.raw[offset : offset + end]))
    return tuple(result)


def is_urban(parts: AddressParts | None) -> bool | None:
    """Whether the address reads as a city's (a 街道 or a 社区/小区/居委会), a
    countryside's (a 镇/乡/苏木 or a 村), or None when it says neither."""
    if parts is None:
        return None
    if parts.town:
        return parts.town.endswith(("街道", "街道办事处"))
    if parts.village:
        if parts.village.endswith(("社区", "小区", "居委会")):
            return True
        if parts.village.endswith(("村", "村委会", "嘎查")) and not parts.village.endswith("新村"):
            return False
    return None
