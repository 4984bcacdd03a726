"""The bulletin's HTML as a reader sees it, in a real headless Chromium (Debian's
chromium with fonts-noto-cjk; skipped with the reason when Chromium is absent): no
console error, no request beyond the file itself, Chinese drawn by a CJK font at full
width, nothing wider than A4's printable width, a PDF on A4, and a screenshot in the
test's output folder to look at."""

from __future__ import annotations

import re
from datetime import datetime, timezone

import pytest

from tests.browser_support import Browser, needs_chromium
from woq_tui.config import parse_settings
from woq_tui.demo.generator import generate
from woq_tui.domain.periods import last_full_period
from woq_tui.i18n import set_language
from woq_tui.reporting.bulletin_html import FONTS, render_bulletin_html
from woq_tui.store.bulletin import bulletin
from woq_tui.store.db import make_engine, upgrade

pytestmark = needs_chromium
END = datetime(2026, 11, 26, 2, 0, tzinfo=timezone.utc)
# A4 less the page's 12 mm side margins (@page), in CSS pixels (96 per inch)
PRINTABLE_PX = round((210 - 24) / 25.4 * 96)
CJK = "供电所工单超期率通报红黑榜"


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    """The Chinese bulletin of October on a generated sample, written to a file."""
    folder = tmp_path_factory.mktemp("bulletin")
    settings = parse_settings({})
    engine = make_engine(f"sqlite:///{folder / 'demo.db'}")
    upgrade(engine)
    generate(engine, settings.sla_policy(), seed=7, stations=20, days=62, end=END)
    data = bulletin(engine, last_full_period("month", END, settings.tz), END, settings.assessment)
    engine.dispose()
    set_language("zh")
    path = folder / "bulletin.html"
    path.write_text(render_bulletin_html(data, settings.tz), encoding="utf-8")
    set_language("en")
    return path


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    chromium = Browser(tmp_path_factory.mktemp("chromium"))
    yield chromium
    chromium.close()


def test_the_page_loads_clean_and_alone(browser, page, tmp_path):
    browser.open(page)
    shot = browser.screenshot(tmp_path / "bulletin.png")
    assert shot.read_bytes().startswith(b"\x89PNG") and shot.stat().st_size > 20_000
    assert browser.problems() == []
    assert browser.requests() == [page.resolve().as_uri()]
    assert browser.evaluate("document.title") == "2026年10月 工单质量月通报"
    assert browser.evaluate("document.querySelectorAll('h2').length") == 6
    assert browser.evaluate("document.querySelector('svg rect') !== null")


def test_chinese_is_drawn_by_a_cjk_font_at_full_width(browser, page):
    browser.open(page)
    named = [name.strip().strip('"') for name in FONTS.split(",")]
    for selector in ("h1", "h2", "th", "td.label"):
        fonts = browser.fonts_of(selector)
        assert fonts and fonts[0]["familyName"] in named, (selector, fonts)
    # a run of n Chinese characters in the page's font is n em wide: no half-width
    # fallback, no overlap (the failure of monospace-placed SVG exports, issue 15)
    widths = browser.evaluate(f"""(() => {{
        const out = [];
        for (const where of ['body', 'table td', 'svg text']) {{
            const host = document.querySelector(where === 'body' ? 'p.meta' : where);
            const probe = document.createElement(where === 'svg text' ? 'span' : 'span');
            probe.textContent = '{CJK}';
            (where === 'svg text' ? document.body : host).appendChild(probe);
            const size = parseFloat(getComputedStyle(probe).fontSize);
            out.push(probe.getBoundingClientRect().width / (size * {len(CJK)}));
            probe.remove();
        }}
        const label = [...document.querySelectorAll('svg text')].find(t => /[\\u4e00-\\u9fff]/.test(t.textContent));
        const chars = [...label.textContent].filter(c => /[\\u4e00-\\u9fff]/.test(c)).length;
        const size = parseFloat(getComputedStyle(label).fontSize);
        const first = label.getExtentOfChar(0), second = label.getExtentOfChar(1);
        out.push((second.x - first.x) / size, chars);
        return out;
    }})()""")
    body, cell, svg_span, svg_advance, svg_chars = widths
    assert body == pytest.approx(1.0, abs=0.01) and cell == pytest.approx(1.0, abs=0.01)
    assert svg_span == pytest.approx(1.0, abs=0.01)
    assert svg_chars >= 2 and svg_advance == pytest.approx(1.0, abs=0.01)  # "月均": one em a character


def test_it_prints_on_a4(browser, page):
    browser.open(page, width=PRINTABLE_PX)
    browser.page("Emulation.setEmulatedMedia", media="print")
    try:
        wide = browser.evaluate(
            "[document.documentElement.scrollWidth, ...[...document.querySelectorAll('table, svg')]"
            ".map(e => e.getBoundingClientRect().right)]"
        )
    finally:
        browser.page("Emulation.setEmulatedMedia", media="")
    assert max(wide) <= PRINTABLE_PX + 1, wide
    pdf = browser.print_pdf()
    boxes = {tuple(float(n) for n in box.split()) for box in re.findall(rb"/MediaBox\s*\[([^\]]*)\]", pdf)}
    assert pdf.startswith(b"%PDF") and len(boxes) == 1
    x0, y0, width, height = boxes.pop()
    assert (width, height) == (pytest.approx(595.3, abs=1), pytest.approx(841.9, abs=1))  # A4 in points
