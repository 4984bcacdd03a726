"""What the console derives from a station's name.

Pinyin initials come from pypinyin's dictionaries, read the way its `lazy_pinyin(...,
style=Style.FIRST_LETTER)` reads them (the same answers: tests/test_foundation.py
compares the two), but without importing pypinyin: importing it loads both of its
dictionaries whole, ≈57 MB of Python objects, which an import of a year of tickets
would carry to its end for the sake of a hundred station names. Here the two JSON
files are kept as text (≈7 MB) and only the entries a name needs are parsed: the
phrases that begin with one of its characters (enough to segment it as pypinyin's
maximum forward matching does, so 长安 reads cháng'ān) and the readings of its
characters.
"""

from __future__ import annotations

import importlib.util
import json
import re
import unicodedata
from collections.abc import Callable, Iterator, Set
from functools import lru_cache
from pathlib import Path

STATION_SUFFIX = "供电所"

# pypinyin's RE_HANS: the characters it looks up (anything else passes through as is)
_HANS = re.compile(
    "[\u3007\ue815-\ue864\ufa18\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
    "\U00020000-\U0002a6df\U0002a703-\U0002b73f\U0002b740-\U0002b81d\U0002b825-\U0002bf6e"
    "\U0002c029-\U0002ce93\U0002d016\U0002d11b-\U0002ebd9\U0002f80a-\U0002fa1f"
    "\U00030000-\U0003134a\U000300f7-\U00031288\U00030edd\U00030ede\U00031350-\U00032389]"
)
_DECODER = json.JSONDecoder()


def station_initials(name: str) -> str:
    """Pinyin initials for type-ahead search, without the 供电所 suffix
    (东丽城东供电所 -> dlcd); letters and digits of a code-like name are kept."""
    letters = "".join(_first_letters(name.removesuffix(STATION_SUFFIX))).lower()
    return "".join(ch for ch in letters if ch.isascii() and ch.isalnum())[:64]


@lru_cache(maxsize=8192)  # a station screen's every load makes its names' keys
def pinyin_key(name: str) -> str:
    """A name's sort key in pinyin order, the order a Chinese reader looks for it in
    (东丽 dong li before 河西 he xi, whatever the code points say): the toneless
    readings, then the name itself to keep distinct names apart."""
    return " ".join(_readings(name, _toneless)).lower() + "\x00" + name


def _first_letters(text: str) -> list[str]:
    """What lazy_pinyin(text, style=Style.FIRST_LETTER) returns, item for item in
    effect: runs of characters without pinyin pass through as they are."""
    return _readings(text, _first_letter)


def _readings(text: str, form: Callable[[str], str]) -> list[str]:
    out: list[str] = []
    run = ""
    for char in text:
        if _HANS.match(char):
            run += char
            continue
        if run:
            out.extend(_run_readings(run, form))
            run = ""
        out.append(char)
    if run:
        out.extend(_run_readings(run, form))
    return out


def _run_readings(run: str, form: Callable[[str], str]) -> list[str]:
    data = _dictionaries()
    phrases = data.phrases_for(run)
    letters: list[str] = []
    for word in _segments(run, phrases, data.prefixes_for(run)):
        if word in phrases:
            letters.extend(form(readings[0]) for readings in phrases[word])
        else:
            for char in word:
                reading = data.reading(char)
                letters.append(char if reading is None else form(reading))
    return letters


def _segments(text: str, phrases: dict[str, list[list[str]]], prefixes: Set[str] | None = None) -> Iterator[str]:
    """pypinyin's maximum forward matching (mmseg, strict: only dictionary phrases are
    words), over the phrases that can start within `text` (`prefixes`: those phrases'
    prefixes, when known)."""
    if prefixes is None:
        prefixes = {phrase[: i + 1] for phrase in phrases for i in range(len(phrase))}
    remain = text
    while remain:
        last_valid = ""
        for index in range(len(remain)):
            word = remain[: index + 1]
            if word in prefixes:
                if word in phrases:
                    last_valid = word
                continue
            if last_valid:
                yield last_valid
                remain = remain[len(last_valid) :]
            else:
                yield remain[0]
                remain = remain[1:]
            break
        else:  # all that remains is the start of some phrase
            if last_valid:
                yield last_valid
                remain = remain[len(last_valid) :]
            else:
                yield from remain if remain not in phrases else (remain,)
                return


# The four tone marks (macron, acute, caron, grave); ê keeps its circumflex
_TONES = {"\u0304", "\u0301", "\u030c", "\u0300"}


def _first_letter(reading: str) -> str:
    """The first letter of a reading without its tone mark (ǎ -> a, ń -> n, ế -> ê)."""
    return _toneless(reading[:1])


def _toneless(reading: str) -> str:
    """A reading without its tone marks (dōng -> dong, lǘ -> lü)."""
    decomposed = unicodedata.normalize("NFD", reading)
    return unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in _TONES))


class _Dictionaries:
    """pypinyin's two JSON files as text, with an index of where each phrase starts."""

    def __init__(self, folder: Path) -> None:
        self._phrases = (folder / "phrases_dict.json").read_text(encoding="utf-8")
        self._singles = (folder / "pinyin_dict.json").read_text(encoding="utf-8")
        self._starts: dict[str, list[int]] = {}
        for match in re.finditer(r'"([^"\\]+)"\s*:\s*\[', self._phrases):
            self._starts.setdefault(match.group(1)[0], []).append(match.start())

    def phrases_for(self, text: str) -> dict[str, list[list[str]]]:
        """Every phrase that begins with a character of `text`, with its readings."""
        found: dict[str, list[list[str]]] = {}
        for char in set(text):
            found.update(self._phrases_starting(char))
        return found

    def prefixes_for(self, text: str) -> Set[str]:
        """The prefixes of phrases_for(text), from each character's, made once."""
        chars = set(text)
        if len(chars) == 1:
            return self._prefixes_starting(next(iter(chars)))
        return frozenset().union(*(self._prefixes_starting(char) for char in chars))

    @lru_cache(maxsize=4096)  # noqa: B019 (one instance per process)
    def _prefixes_starting(self, char: str) -> frozenset[str]:
        return frozenset(phrase[: i + 1] for phrase in self._phrases_starting(char) for i in range(len(phrase)))

    @lru_cache(maxsize=4096)  # noqa: B019 (one instance per process)
    def _phrases_starting(self, char: str) -> dict[str, list[list[str]]]:
        """The phrases that begin with `char`, decoded once a process: decoded for each
        name, a common character's hundreds of phrases made a name's sort key ~1 ms and
        ~1,000 allocations, the collector's full passes with them (docs/speed.md, "Keys
        and loading lag"). Read, never changed, by its callers."""
        found: dict[str, list[list[str]]] = {}
        for start in self._starts.get(char, ()):
            phrase, end = _DECODER.raw_decode(self._phrases, start)
            colon = self._phrases.index(":", end)
            found[phrase], _ = _DECODER.raw_decode(self._phrases, self._skip_space(colon + 1))
        return found

    def _skip_space(self, index: int) -> int:
        while self._phrases[index].isspace():
            index += 1
        return index

    @lru_cache(maxsize=4096)  # noqa: B019 (one instance per process)
    def reading(self, char: str) -> str | None:
        """The first reading of a character, or None when it has none."""
        match = re.search(rf'"{ord(char)}"\s*:\s*"([^",]*)', self._singles)
        return match.group(1) if match else None


@lru_cache(maxsize=1)
def _dictionaries() -> _Dictionaries:
    spec = importlib.util.find_spec("pypinyin")  # finds the package without importing it
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError("pypinyin")
    return _Dictionaries(Path(next(iter(spec.submodule_search_locations))))
