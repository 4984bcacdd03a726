"""Every text/background pair the console draws reaches WCAG AA (4.5:1), in every theme
it offers: measured over what the screens really render (the compositor's segments,
with their resolved colours), with marked, changed and cursor rows (issue 15, item 3)."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from rich.console import Console
from textual.geometry import Region

from tests.conftest import NOW
from tests.factories import add_all, ticket
from tests.support import fill_weeks, settle
from woq_tui.app import WoqApp
from woq_tui.i18n import set_language
from woq_tui.themes import OFFERED_THEMES

AA = 4.5
# Lines, bars and sparklines are graphics, not text: WCAG 1.4.11 asks 3:1 of them.
GRAPHICS = 3.0


def _luminance(rgb: tuple[int, int, int]) -> float:
    def channel(value: int) -> float:
        v = value / 255
        return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4

    r, g, b = rgb
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(a: tuple[int, int, int], b: tuple[int, int, int]) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def _graphic(text: str) -> bool:
    """Box lines, blocks and a sparkline's dots for days without tickets."""
    return all("\u2500" <= char <= "\u259f" or char in "·" or char.isspace() for char in text)


def low_contrast(app: WoqApp, where: str) -> list[tuple[str, str, float]]:
    """(where, text, ratio) of every drawn segment under AA (text) or 3:1 (graphics) on
    the current screen; a dialog is measured alone (what lies dimmed beneath it is
    not meant to be read)."""
    if app.screen.is_modal:
        segments = [
            segment
            for widget in app.screen.query("*")
            if widget.region.area
            for strip in widget.render_lines(Region(0, 0, *widget.region.size))
            for segment in strip
        ]
    else:
        width, height = app.size
        console = Console(file=io.StringIO(), width=width, height=height, color_system="truecolor", force_terminal=True)
        segments = list(console.render(app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)))
    found = []
    for segment in segments:
        if segment.text.strip() in ("▐", "▌"):
            continue  # the rounded ends of a check box: decoration (its X is measured)
        style = segment.style
        if not segment.text.strip() or style is None or style.color is None or style.bgcolor is None:
            continue
        foreground, background = style.color.get_truecolor(), style.bgcolor.get_truecolor()
        if style.reverse:
            foreground, background = background, foreground
        if foreground == background:
            continue  # not drawn (an unticked box's X)
        ratio = contrast(tuple(foreground), tuple(background))
        if ratio < (GRAPHICS if _graphic(segment.text) else AA):
            found.append((where, segment.text.strip()[:24], round(ratio, 2), f"{style.color.get_truecolor().hex}/{style.bgcolor.get_truecolor().hex}"))
    return found


async def dialogs(app: WoqApp, pilot) -> list:
    """The queue with a search and a filter chip, then each dialog over it."""
    from woq_tui.screens.confirm import ConfirmScreen

    found = []
    await pilot.press("1", "slash", *"dl", "enter")
    await settle(pilot)
    found += low_contrast(app, "queue with chips")
    await pilot.press("f")
    await settle(pilot)
    found += low_contrast(app, "filter dialog")
    await pilot.press("escape", "r")
    await settle(pilot)
    await pilot.press("down")
    found += low_contrast(app, "reassign dialog")
    await pilot.press("escape")
    app.push_screen(ConfirmScreen("还有 1 条改派未被调度系统确认。\n仍要退出吗？"))
    await settle(pilot)
    found += low_contrast(app, "confirm dialog")
    return found


@pytest.mark.parametrize("theme", OFFERED_THEMES)
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_every_pair_reaches_aa(context, engine, theme):
    set_language("zh")
    context.settings.console.language = "zh"
    context.settings.console.theme = theme
    context.settings.dispatch.base_url = "http://127.0.0.1:9"  # the reassign dialog opens
    fill_weeks(engine)
    app = WoqApp(context)
    found = []
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        # marks, a row that just changed, the cursor on a marked row
        await pilot.press("space", "down", "space", "down")
        add_all(engine, ticket(NOW - timedelta(minutes=1), ticket_no="NEW", due_at=NOW + timedelta(minutes=5), escalated=True, dispatch_count=3, reopen_count=1))
        context.clock.advance(timedelta(seconds=1))
        app.screen.refresh_now()
        await settle(pilot)
        found += low_contrast(app, "queue")
        for key, where in (("2", "overdue"), ("3", "stations"), ("4", "meeting"), ("5", "outbox"), ("6", "audit")):
            await pilot.press(key)
            await settle(pilot)
            found += low_contrast(app, where)
        # screen 6's dialogs: the review note, the filter
        for key, where in (("c", "review note"), ("f", "audit filter")):
            await pilot.press(key)
            await settle(pilot)
            found += low_contrast(app, where)
            await pilot.press("escape")
        await pilot.press("1", "enter")
        await settle(pilot)
        found += low_contrast(app, "ticket")
        await pilot.press("question_mark")
        await settle(pilot)
        found += low_contrast(app, "help")
        await pilot.press("escape", "escape")
        found += await dialogs(app, pilot)
    summary = sorted({(where, text[:12], ratio) for where, text, ratio, _colours in found}, key=lambda f: f[2])
    assert found == [], summary[:60]


def test_only_themes_that_pass_are_offered():
    app = WoqApp.__new__(WoqApp)
    assert set(OFFERED_THEMES) >= {"textual-dark", "textual-light"}
    assert callable(type(app).available_themes.fget)
