"""The meeting's HTML export as the people it is mailed to see it, in a real headless
Chromium (skipped with the reason when Chromium is absent): no console error, no
request beyond the file, Chinese drawn by a CJK font, the chart drawn, and a
screenshot in the test's folder to look at (issue 15, item 2)."""

from __future__ import annotations

import pytest

from tests.browser_support import Browser, needs_chromium
from tests.support import fill_weeks
from woq_tui.config import parse_settings
from woq_tui.domain.periods import last_full_period
from woq_tui.i18n import set_language
from woq_tui.reporting.bulletin_html import FONTS
from woq_tui.reporting.meeting_html import render_meeting_html
from woq_tui.store.backlog import backlog
from woq_tui.store.figures import meeting_week

pytestmark = [needs_chromium, pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)]


@pytest.fixture
def page(engine, clock, tmp_path):
    settings = parse_settings({})
    fill_weeks(engine)
    week = meeting_week(engine, last_full_period("week", clock.now(), settings.tz), clock.now())
    listed = backlog(engine, clock.now(), settings.tz, settings.assessment)
    set_language("zh")
    try:
        html = render_meeting_html(week, listed, settings.tz, generated=clock.now())
    finally:
        set_language("en")
    path = tmp_path / "meeting.html"
    path.write_text(html, encoding="utf-8")
    return path


def test_the_meeting_page_renders_alone_in_chinese(page, tmp_path):
    browser = Browser(tmp_path / "chromium")
    try:
        browser.open(page, width=1000, height=1600)
        shot = browser.screenshot(tmp_path / "meeting-zh.png")
        assert browser.problems() == []
        assert browser.requests() == [page.resolve().as_uri()]
        assert browser.evaluate("document.title").startswith("周调度会 · 第47周")
        assert browser.evaluate("document.querySelectorAll('h2').length") == 5
        assert browser.evaluate("document.querySelectorAll('.tile').length") == 6
        # both series drawn, with a non-zero bar somewhere
        assert browser.evaluate("[...document.querySelectorAll('svg rect')].some(r => r.getBBox().height > 1)")
        named = [name.strip().strip('"') for name in FONTS.split(",")]
        for selector in ("h1", "th", "td.label", "svg text"):
            fonts = browser.fonts_of(selector)
            assert fonts and fonts[0]["familyName"] in named, (selector, fonts)
        # the page fits a mail reader's width: nothing wider than the body
        assert browser.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    finally:
        browser.close()
    assert shot.stat().st_size > 20_000
