"""The regex scanner of store/xlsx_scan.py reads every worksheet exactly as the
ElementTree reader does (the values, the row numbers, the error of a broken sheet and
the rows handed out before it), and reads the common shapes itself: generated sheets
with shared strings (rich text and phonetic runs among them), inline strings, numbers,
dates and durations by style, booleans, errors, formulas with cached values, `_xHHHH_`
escapes, entities and character references, empty cells and rows, sparse references."""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from woq_tui.store import xlsx_reader
from woq_tui.store.xlsx_reader import SheetReader

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE = {
    "_rels/.rels": (
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{_RELS}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
    ),
    "xl/_rels/workbook.xml.rels": (
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{_RELS}/worksheet" Target="worksheets/sheet1.xml"/>'
        f'<Relationship Id="rId2" Type="{_RELS}/sharedStrings" Target="sharedStrings.xml"/>'
        f'<Relationship Id="rId3" Type="{_RELS}/styles" Target="styles.xml"/></Relationships>'
    ),
    "xl/workbook.xml": (
        f'<workbook xmlns="{MAIN_NS}" xmlns:r="{_RELS}"><sheets><sheet name="s" sheetId="1" r:id="rId1"/></sheets></workbook>'
    ),
    # styles 0 general, 1 a date, 2 a date and time, 3 a duration, 4 two decimals
    "xl/styles.xml": (
        f'<styleSheet xmlns="{MAIN_NS}"><numFmts count="1"><numFmt numFmtId="164" formatCode="[h]:mm:ss"/>'
        '</numFmts><cellXfs count="5"><xf numFmtId="0"/><xf numFmtId="14"/><xf numFmtId="22"/>'
        '<xf numFmtId="164"/><xf numFmtId="2"/></cellXfs></styleSheet>'
    ),
    "xl/sharedStrings.xml": (
        f'<sst xmlns="{MAIN_NS}"><si><t>plain</t></si><si><t xml:space="preserve"> spaced &amp; &lt;x&gt; </t></si>'
        "<si><r><rPr><b/></rPr><t>bold</t></r><r><t>_x000D_ and run</t></r></si>"
        '<si><t>读音</t><rPh sb="0" eb="1"><t>reading</t></rPh></si><si><t/></si><si><t>&#x1F600;&#10;two</t></si></sst>'
    ),
}
SHARED = 6
HEAD = f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{MAIN_NS}"'


def workbook(path: Path, rows: str, head: str = HEAD + ">", tail: str = "</sheetData></worksheet>") -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in PACKAGE.items():
            archive.writestr(name, text)
        archive.writestr("xl/worksheets/sheet1.xml", head + "<sheetData>" + rows + tail)
    return path


def read(path: Path, scan: bool, monkeypatch: pytest.MonkeyPatch) -> tuple[list[Any], str | None]:
    """Every row the reader hands out, then the error that stopped it if any; and why
    the scanner left the sheet to ElementTree."""
    monkeypatch.setattr(xlsx_reader, "SCAN", scan)
    reader = SheetReader(path)
    rows: list[Any] = []
    try:
        rows.extend(reader.rows())
    except Exception as exc:
        rows.append((type(exc).__name__, str(exc)))
    finally:
        reader.close()
    return rows, reader.fell_back


# --- generated sheets -------------------------------------------------------------------

TEXT = st.text(
    st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"], exclude_characters="\ufffe\uffff")
    | st.sampled_from("\t\n&<>\"'_x000D__x0041_中文😀 "),
    max_size=12,
)


def xml_text(text: str, style: int) -> str:
    """Text as a writer may escape it: the standard way, or with quotes and
    character references too."""
    if style == 0:
        return escape(text)
    if style == 1:
        return escape(text, {'"': "&quot;", "'": "&apos;"})
    return "".join(f"&#{ord(c)};" if c in "&<\n" else f"&#x{ord(c):X};" if c in "中😀" else c for c in text)


@st.composite
def cells(draw: Any) -> str:
    """One `<c>` without its reference: `{r}` stands where it goes."""
    kind = draw(st.sampled_from(["s", "inline", "int", "float", "date", "b", "e", "str", "formula", "empty"]))
    style = draw(st.integers(0, 2))
    if kind == "s":
        return f'<c{{r}} t="s"><v>{draw(st.integers(0, SHARED - 1))}</v></c>'
    if kind == "inline":
        space = draw(st.sampled_from(["", ' xml:space="preserve"']))
        return f'<c{{r}} t="inlineStr"><is><t{space}>{xml_text(draw(TEXT), style)}</t></is></c>'
    if kind == "int":
        kind_attribute = draw(st.sampled_from(["", ' t="n"']))
        return f"<c{{r}}{kind_attribute}><v>{draw(st.integers(-(2**53), 2**53))}</v></c>"
    if kind == "float":
        number = draw(st.floats(allow_nan=False, allow_infinity=False))
        return f'<c{{r}} s="4"><v>{number!r}</v></c>'
    if kind == "date":
        serial = draw(st.floats(-5, 80_000, allow_nan=False) | st.integers(0, 80_000))
        return f'<c{{r}} s="{draw(st.sampled_from([1, 2, 3]))}" t="n"><v>{serial!r}</v></c>'
    if kind == "b":
        return f'<c{{r}} t="b"><v>{draw(st.integers(0, 1))}</v></c>'
    if kind == "e":
        return f'<c{{r}} t="e"><v>{draw(st.sampled_from(["#N/A", "#DIV/0!", "#REF!"]))}</v></c>'
    if kind == "str":
        return f'<c{{r}} t="str"><f>A1&amp;"x"</f><v>{xml_text(draw(TEXT), style)}</v></c>'
    if kind == "formula":
        shape = draw(st.sampled_from(["<f>1+1</f>", '<f t="shared" ref="B2:B9" si="0">A2*2</f>', '<f t="shared" si="0"/>']))
        cached = draw(st.sampled_from(["<v>2</v>", "<v />", ""]))
        return f"<c{{r}}>{shape}{cached}</c>"
    return draw(st.sampled_from(["<c{r}/>", '<c{r} s="1"/>', "<c{r}></c>", '<c{r} t="inlineStr"></c>']))


def column(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


@st.composite
def sheets(draw: Any) -> str:
    rows, number = [], 0
    for _ in range(draw(st.integers(1, 8))):
        number += draw(st.integers(1, 3))
        attributes = draw(
            st.sampled_from(
                [f' r="{number}"', f' r="{number}" spans="1:9"', f' r="{number}" spans="1:9" ht="15" customHeight="1"', ""]
            )
        )
        if not attributes:
            number = max(number - draw(st.integers(1, 3)) + 1, 1)  # no reference: the row after the last
        used = sorted(draw(st.sets(st.integers(0, 30), max_size=9)))
        cell_list = draw(st.lists(cells(), min_size=len(used), max_size=len(used)))
        referenced = draw(st.booleans())
        body = "".join(c.replace("{r}", f' r="{column(i)}{number}"' if referenced else "") for i, c in zip(used, cell_list))
        rows.append(f"<row{attributes}/>" if not body and draw(st.booleans()) else f"<row{attributes}>{body}</row>")
    separator = draw(st.sampled_from(["", "\n", "\n  "]))
    return separator.join(rows)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sheets())
def test_the_scanner_reads_generated_sheets_as_elementtree_does(tmp_path, monkeypatch, sheet):
    path = workbook(tmp_path / "book.xlsx", sheet)
    scanned, fell_back = read(path, True, monkeypatch)
    assert fell_back is None  # every shape generated here is the scanner's own
    assert scanned == read(path, False, monkeypatch)[0]


def test_the_generated_values_are_the_ones_meant(tmp_path, monkeypatch):
    """A fixed sheet, read by the scanner: what the equivalence above stands on."""
    from datetime import datetime, timedelta

    row = (
        '<row r="2" spans="1:9" x14ac:dyDescent="0.25"><c r="A2" t="s"><v>2</v></c><c r="C2" t="s"><v>3</v></c>'
        '<c r="D2" s="2"><v>45658.5</v></c><c r="E2" s="3"><v>1.25</v></c><c r="F2" t="b"><v>0</v></c>'
        '<c r="G2" t="e"><v>#N/A</v></c><c r="H2"><f>1+1</f><v>2</v></c><c r="I2" t="inlineStr"><is><t>a&amp;b&#13;'
        '_x000D_c</t></is></c><c r="J2" t="s"><v>1</v></c></row>'
    )
    path = workbook(
        tmp_path / "book.xlsx", row, head=HEAD + ' xmlns:x14ac="http://schemas.microsoft.com/office/spreadsheetml/2009/9/ac">'
    )
    rows, fell_back = read(path, True, monkeypatch)
    assert fell_back is None
    assert rows == [
        (2, ["bold\r and run", None, "读音", datetime(2025, 1, 1, 12), timedelta(hours=30), False, "#N/A", 2,
             "a&b\r\rc", " spaced & <x> "]),
    ]  # fmt: skip


# --- what the scanner leaves to ElementTree ----------------------------------------------

GOOD = '<row r="1"><c r="A1" t="inlineStr"><is><t>head</t></is></c></row><row r="2"><c r="A2"><v>1</v></c></row>'
ODD = {
    "cdata": '<row r="3"><c r="A3" t="inlineStr"><is><t><![CDATA[</row> & <]]></t></is></c></row>',
    "comment": '<!-- a note --><row r="3"><c r="A3"><v>3</v></c></row>',
    "instruction": '<?pi data?><row r="3"><c r="A3"><v>3</v></c></row>',
    "inline rich text": '<row r="3"><c r="A3" t="inlineStr"><is><r><t>rich</t></r><r><t> text</t></r></is></c></row>',
    "attributes in another order": '<row r="3"><c t="inlineStr" r="A3"><is><t>x</t></is></c></row>',
    "single quotes": "<row r='3'><c r='A3'><v>3</v></c></row>",
    "a carriage return": '<row r="3"><c r="A3" t="inlineStr"><is><t>a\r\nb\rc</t></is></c></row>',
    "a prefixed element": f'<x:row xmlns:x="{MAIN_NS}" r="3"><x:c r="A3"><x:v>3</x:v></x:c></x:row>',
    "another namespace": '<row xmlns="urn:other" r="3"><c r="A3"><v>3</v></c></row><row r="4"><c r="A4"><v>4</v></c></row>',
    "an unknown element": '<row r="3"><c r="A3"><v>3</v><extLst/></c><note/></row>',
    "whitespace inside a cell": '<row r="3"><c r="A3">\n<v>3</v>\n</c></row>',
    "lower-case reference": '<row r="3"><c r="a3"><v>3</v></c></row>',
    "a reference beyond XFD": '<row r="3"><c r="XFE3"><v>3</v></c></row>',
    "cells out of order": '<row r="3"><c r="C3"><v>3</v></c><c r="A3"><v>1</v></c></row>',
    "an undefined entity": '<row r="3"><c r="A3" t="inlineStr"><is><t>T&bogus;</t></is></c></row>',
    "a forbidden character reference": '<row r="3"><c r="A3" t="inlineStr"><is><t>a&#0;b</t></is></c></row>',
    "a forbidden character": '<row r="3"><c r="A3" t="inlineStr"><is><t>a\x01b</t></is></c></row>',
    "a mismatched end tag": '<row r="3"><c r="A3"><v>3</c></v></row>',
    "an undeclared prefix": '<row r="3" x14ac:dyDescent="0.25"><c r="A3"><v>3</v></c></row>',
    "duplicate attributes": '<row r="3" r="4"><c r="A3"><v>3</v></c></row>',
    "a string index past the table": '<row r="3"><c r="A3" t="s"><v>99</v></c></row>',
    "a number that is not one": '<row r="3"><c r="A3"><v>x1</v></c></row>',
    "a row left open": '<row r="3"><c r="A3"><v>3</v></c>',
}


@pytest.mark.parametrize("shape", ODD.values(), ids=ODD.keys())
def test_what_the_scanner_does_not_read_reads_as_elementtree_reads_it(tmp_path, monkeypatch, shape):
    ok = '<row r="9"><c r="A9"><v>9</v></c></row>'
    path = workbook(tmp_path / "book.xlsx", GOOD + shape + ok)
    scanned, _ = read(path, True, monkeypatch)
    assert scanned == read(path, False, monkeypatch)[0]
    assert scanned[:2] == [(1, ["head"]), (2, [1])]


@pytest.mark.parametrize(
    "head",
    [
        HEAD + "><!-- before -->",
        '<?xml version="1.0" encoding="ISO-8859-1"?>\n<worksheet xmlns="' + MAIN_NS + '">',
        '<!DOCTYPE worksheet [<!ATTLIST c t CDATA "b">]><worksheet xmlns="' + MAIN_NS + '">',
        HEAD + '><row r="7"><c r="A7"><v>7</v></c></row>',
    ],
    ids=["a comment", "latin-1", "a DTD's default attribute", "a row before sheetData"],
)
def test_a_sheet_start_the_scanner_does_not_read_reads_as_elementtree_reads_it(tmp_path, monkeypatch, head):
    path = workbook(tmp_path / "book.xlsx", GOOD, head=head)
    scanned, fell_back = read(path, True, monkeypatch)
    assert fell_back is not None and scanned == read(path, False, monkeypatch)[0]


def test_a_fall_back_part_way_through_a_long_sheet_hands_out_each_row_once(tmp_path, monkeypatch):
    many = "".join(
        f'<row r="{n}"><c r="A{n}" t="inlineStr"><is><t>row {n} {"x" * 200}</t></is></c></row>' for n in range(3, 20_000)
    )
    odd = '<row r="20000"><c r="A20000" t="inlineStr"><is><r><t>rich</t></r></is></c></row>'
    path = workbook(tmp_path / "book.xlsx", GOOD + many + odd + '<row r="20001"><c r="A20001"><v>1</v></c></row>')
    scanned, fell_back = read(path, True, monkeypatch)
    assert fell_back is not None
    assert [n for n, _ in scanned] == list(range(1, 20_002))
    assert scanned == read(path, False, monkeypatch)[0]


# --- the shared-string table ------------------------------------------------------------

TABLES = {
    "plain": '<si><t>plain</t></si><si><t xml:space="preserve"> a &amp; &lt;b&gt; &quot;c&apos; </t></si>'
    "<si><t/></si><si><t>&#x1F600;&#10;&#13;_x000D_two</t></si>\n<si><t>中文</t></si>",
    "rich text": "<si><t>plain</t></si><si><r><rPr><b/></rPr><t>bold</t></r><r><t> run</t></r></si>",
    "phonetic runs": '<si><t>plain</t></si><si><t>读音</t><rPh sb="0" eb="1"><t>reading</t></rPh></si>',
    "a comment": "<si><t>plain</t></si><!-- note --><si><t>two</t></si>",
    "cdata": "<si><t>plain</t></si><si><t><![CDATA[<two>]]></t></si>",
    "an undefined entity": "<si><t>plain</t></si><si><t>&bogus;</t></si>",
    "a carriage return": "<si><t>plain</t></si><si><t>a\r\nb</t></si>",
}
TAILS = {"nothing after": "", "a comment after": "<!-- end -->", "junk after": "<x/>", "whitespace after": "\n \n"}


def _with_table(path: Path, items: str, tail: str = "") -> Path:
    table = f'<?xml version="1.0" encoding="UTF-8"?>\n<sst xmlns="{MAIN_NS}" count="9">{items}</sst>{tail}'
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in {**PACKAGE, "xl/sharedStrings.xml": table}.items():
            archive.writestr(name, text)
        cells = "".join(f'<c r="{column(i)}1" t="s"><v>{i}</v></c>' for i in range(items.count("<si>")))
        archive.writestr("xl/worksheets/sheet1.xml", HEAD + f"><sheetData><row>{cells}</row></sheetData></worksheet>")
    return path


@pytest.mark.parametrize("tail", TAILS.values(), ids=TAILS.keys())
@pytest.mark.parametrize("items", TABLES.values(), ids=TABLES.keys())
def test_the_table_reads_as_elementtree_reads_it(tmp_path, monkeypatch, items, tail):
    path = _with_table(tmp_path / "book.xlsx", items, tail)
    read_by = {}
    for scan in (True, False):
        monkeypatch.setattr(xlsx_reader, "SCAN", scan)
        try:
            reader = SheetReader(path)
        except Exception as exc:
            read_by[scan] = (type(exc).__name__, str(exc))
            continue
        read_by[scan] = list(reader.rows())
        reader.close()
    assert read_by[True] == read_by[False]


def test_a_plain_table_is_the_scanners_own(tmp_path):
    from woq_tui.store.xlsx_scan import scan_shared_strings

    path = _with_table(tmp_path / "book.xlsx", TABLES["plain"], "\n")
    with zipfile.ZipFile(path) as archive, archive.open("xl/sharedStrings.xml") as stream:
        texts = list(scan_shared_strings(stream, lambda: None))
    assert texts == ["plain", " a & <b> \"c' ", "", "😀\n\r\rtwo", "中文"]
