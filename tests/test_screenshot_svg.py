"""The console's SVG screenshots render Chinese at two cells in a real browser: every
character measured in headless Chromium sits in its own cells, none overlaps the next
(issue 15, item 1). Rich's own export, measured the same way, overlaps: the check
sees the fault it guards against."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.browser_support import Browser, needs_chromium
from tests.support import build_data, settle
from woq_tui.app import WoqApp
from woq_tui.i18n import set_language
from woq_tui.widgets.screenshot import cell_exact_svg

MEASURE = """<!doctype html><html><body style="margin:0">%s<pre id="result"></pre><script>
const out = {chars: 0, overlaps: [], narrow_wide: [], cell: 0, external: []};
const svg = document.querySelector("svg");
const lines = {};
for (const el of svg.querySelectorAll("g[class$='-matrix'] text")) {
  const y = el.getAttribute("y");
  const n = el.getNumberOfChars();
  for (let i = 0; i < n; i++) {
    const box = el.getExtentOfChar(i);
    const ch = el.textContent[i];
    (lines[y] = lines[y] || []).push({x: box.x, w: box.width, ch: ch});
    out.chars++;
  }
}
const cell = svg.querySelector("text") ? 0 : 0;
for (const y in lines) {
  const chars = lines[y].sort((a, b) => a.x - b.x);
  for (let k = 0; k + 1 < chars.length; k++) {
    if (chars[k].x + chars[k].w > chars[k + 1].x + 0.75) out.overlaps.push([chars[k].ch, chars[k + 1].ch, y]);
  }
  for (const c of chars) if (/[\\u4e00-\\u9fff]/.test(c.ch)) out.narrow_wide.push(c.w);
}
for (const e of performance.getEntriesByType("resource")) out.external.push(e.name);
document.getElementById("result").textContent = JSON.stringify(out);
</script></body></html>"""


def _char_width(svg: str) -> float:
    # Rich: the terminal's cell width is the clip rect's width over the columns.
    match = re.search(r'textLength="([0-9.]+)"[^>]*>([^<]+)</text>', svg)
    assert match
    return float(match.group(1)) / len(match.group(2).replace("&#160;", " "))


async def _queue_svg(context, tmp_path, language: str) -> str:
    set_language(language)
    context.settings.console.language = language
    app = WoqApp(context)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        path = app.save_screenshot("queue.svg", str(tmp_path))
        raw = app.export_screenshot()
    return open(path, encoding="utf-8").read(), raw


def _measure(browser: Browser, path: Path, svg: str) -> dict:
    """Open the SVG in a page whose script measures every character's box."""
    path.write_text(MEASURE % svg, encoding="utf-8")
    browser.open(path, width=1600, height=1000)
    return json.loads(browser.evaluate("document.getElementById('result').textContent"))


@needs_chromium
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_chinese_sits_in_its_cells_in_chromium(context, engine, tmp_path):
    build_data(engine)
    exported, raw = await _queue_svg(context, tmp_path, "zh")
    assert "cdnjs" not in exported and "@font-face" not in exported  # nothing fetched
    browser = Browser(tmp_path / "chromium")
    try:
        result = _measure(browser, tmp_path / "exported.html", exported)
        browser.screenshot(tmp_path / "queue-zh.png")
        assert browser.requests() == [(tmp_path / "exported.html").resolve().as_uri()]
        # Rich's own export of the same screen, measured the same way
        rich = _measure(browser, tmp_path / "rich.html", raw)
    finally:
        browser.close()
    assert result["chars"] > 500 and result["external"] == []
    assert result["overlaps"] == []
    cell = _char_width(raw)
    # every CJK character drawn at its size in its two cells, not squeezed towards one
    assert result["narrow_wide"] and min(result["narrow_wide"]) > 1.5 * cell
    assert max(result["narrow_wide"]) < 2.05 * cell
    # Rich's own export overlaps: the measure sees the fault it guards against
    assert rich["overlaps"]


def test_runs_are_cut_by_width_class():
    svg = (
        '<svg><style>.t-matrix { font-family: Fira Code, monospace; }</style>'
        '<text class="t-r1" x="12.2" y="20" textLength="42.7" clip-path="url(#t-line-0)">S001&#160;东丽</text></svg>'
    )
    out = cell_exact_svg(svg)
    runs = re.findall(r'x="([^"]+)" y="20" textLength="([^"]+)" lengthAdjust="spacingAndGlyphs"[^>]*>([^<]+)<', out)
    # narrow runs are fitted glyph and all (a proportional fallback font cannot drift);
    # CJK glyphs are all one em in any CJK font, so spacing alone places them
    # Rich: 7 characters in 42.7 units, so a cell is 6.1; "S001 " is 5 cells, 东丽 four
    assert runs[:1] == [("12.2", "30.5", "S001&#160;")]
    assert re.search(r'x="42.7" y="20" textLength="24.4" lengthAdjust="spacing"[^>]*>东丽<', out)
    assert "Noto Sans Mono CJK SC" in out and "Fira Code" not in out
