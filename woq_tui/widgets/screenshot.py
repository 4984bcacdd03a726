"""SVG screenshots that render Chinese at exactly two cells in a browser.

Rich's SVG export (behind Textual's `export_screenshot`) writes each span of text as one
`<text>` whose `textLength` counts characters, not terminal cells, so a browser squeezes
a CJK span into half its width and the glyphs overlap; its template also fetches a
web font from a CDN. Here every span is cut into runs of one width class (wide: two
cells a character, narrow: one) and each run gets the exact width of its cells: a
narrow run glyphs and spacing (`spacingAndGlyphs`, so that a proportional fallback
font cannot drift), a wide run spacing only (CJK glyphs are all one em in any CJK font,
so they keep their shape and sit evenly, as in a terminal). Nothing is fetched
(docs/decisions.md, "Files we write"). tests/test_screenshot_svg.py measures the
glyphs in Chromium.
"""

from __future__ import annotations

import html
import re
from itertools import groupby

from rich.cells import cell_len

# Monospace fonts whose CJK glyphs are exactly two Latin cells, then the usual ones.
FONT_STACK = (
    "'DejaVu Sans Mono', Menlo, Consolas, 'Noto Sans Mono CJK SC', 'Sarasa Mono SC', "
    "'Source Han Mono SC', 'Microsoft YaHei Mono', 'PingFang SC', monospace"
)

_TEXT = re.compile(
    r'<text class="(?P<cls>[^"]*)" x="(?P<x>[^"]*)" y="(?P<y>[^"]*)" textLength="(?P<length>[^"]*)"'
    r' clip-path="(?P<clip>[^"]*)">(?P<content>[^<]*)</text>'
)
NBSP = "&#160;"  # as Rich writes spaces
_FONT_FACE = re.compile(r"@font-face \{[^}]*\}\s*", re.S)
_MATRIX_FONT = re.compile(r"(-matrix \{\s*font-family:)[^;]*;")


def _number(value: float) -> str:
    return format(value, "g")


def _runs(match: re.Match[str]) -> str:
    text = html.unescape(match["content"])
    if not text:
        return match.group(0)
    # Rich: textLength = char width × characters, x = char width × cells before.
    char_width = float(match["length"]) / len(text)
    x = float(match["x"])
    out = []
    for wide, chars in groupby(text, key=lambda char: cell_len(char) > 1):
        run = "".join(chars)
        cells = cell_len(run)
        escaped = html.escape(run, quote=False).replace(" ", NBSP).replace("\xa0", NBSP)
        out.append(
            f'<text class="{match["cls"]}" x="{_number(x)}" y="{match["y"]}" '
            f'textLength="{_number(cells * char_width)}" lengthAdjust="{"spacing" if wide else "spacingAndGlyphs"}" '
            f'clip-path="{match["clip"]}">{escaped}</text>'
        )
        x += cells * char_width
    return "".join(out)


def cell_exact_svg(svg: str) -> str:
    """Rich's SVG with each text run placed at its terminal cells, no web font."""
    svg = _FONT_FACE.sub("", svg)
    svg = _MATRIX_FONT.sub(lambda m: f"{m.group(1)} {FONT_STACK};", svg)
    return _TEXT.sub(_runs, svg)
