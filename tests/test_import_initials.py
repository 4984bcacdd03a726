"""Station initials read from pypinyin's dictionaries without importing pypinyin: the
same answers as lazy_pinyin(..., style=Style.FIRST_LETTER), and the big dictionaries
never loaded whole."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pypinyin
from hypothesis import given, settings, strategies as st
from pypinyin import Style, lazy_pinyin

from woq_tui.domain.stations import STATION_SUFFIX, station_initials

DATA = Path(pypinyin.__file__).parent
SINGLES = [chr(int(code)) for code in json.loads((DATA / "pinyin_dict.json").read_text(encoding="utf-8"))]
PHRASES = list(json.loads((DATA / "phrases_dict.json").read_text(encoding="utf-8")))


def reference(name: str) -> str:
    """What station_initials was before: pypinyin itself."""
    letters = "".join(lazy_pinyin(name.removesuffix(STATION_SUFFIX), style=Style.FIRST_LETTER)).lower()
    return "".join(ch for ch in letters if ch.isascii() and ch.isalnum())[:64]


def test_place_names_and_polyphones():
    names = ["东丽城东供电所", "城关2所", "长安供电所", "重庆南岸", "乐亭", "蚌埠", "六安", "西青农村供电所",
             "S001", "大港（开发区）供电所", "〇号所", "𠀀"]  # fmt: skip
    assert [station_initials(n) for n in names] == [reference(n) for n in names]
    assert station_initials("长安供电所") == "ca" and station_initials("重庆南岸") == "cqna"


NAME_PARTS = st.one_of(
    st.sampled_from(PHRASES),  # whole phrases and their overlaps are what segmentation decides
    st.sampled_from(SINGLES),
    st.text(alphabet="ab7 -·（）_", min_size=1, max_size=3),
    st.characters(min_codepoint=0x3000, max_codepoint=0x2FFFF),
)


@settings(max_examples=400, deadline=None)
@given(st.lists(NAME_PARTS, min_size=1, max_size=5).map("".join))
def test_same_initials_as_pypinyin(name):
    assert station_initials(name) == reference(name)


def test_every_reading_gives_pypinyins_first_letter():
    from pypinyin.style import convert

    from woq_tui.domain.stations import _first_letter

    readings = {r for value in json.loads((DATA / "pinyin_dict.json").read_text(encoding="utf-8")).values()
                for r in value.split(",")}  # fmt: skip
    assert {r: _first_letter(r) for r in readings} == {
        r: convert(r, Style.FIRST_LETTER, strict=True, default=r) for r in readings
    }


def test_pypinyin_is_not_imported():
    """Importing pypinyin loads ≈57 MB of dictionaries; the console only reads the
    entries a name needs."""
    code = (
        "import sys; from woq_tui.domain.stations import station_initials; "
        "assert station_initials('东丽城东供电所') == 'dlcd'; print('pypinyin' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


def test_a_character_s_phrases_are_decoded_once(monkeypatch):
    """A name's sort key and initials read each character's phrases from the JSON text
    once a process: decoded again for each name, a common character's hundreds of
    phrases made a key ~1 ms (the station screen's sort keys, docs/speed.md)."""
    from woq_tui.domain import stations

    decoder = stations._DECODER
    decoded = []

    class Counting:
        def raw_decode(self, text: str, index: int = 0):
            decoded.append(index)
            return decoder.raw_decode(text, index)

    monkeypatch.setattr(stations, "_DECODER", Counting())
    first = stations.pinyin_key("东丽河西供电所")
    decoded.clear()
    assert stations.pinyin_key("河西东丽供电所") != first and station_initials("西丽东河供电所") == "xldh"
    assert decoded == []
