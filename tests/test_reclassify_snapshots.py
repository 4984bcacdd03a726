"""Snapshots of the reclassify dialog in Chinese and English (frozen clock, SQLite): the
eight types with both names, no type chosen and the dialog saying so; then a type
picked, with its resolve limit."""

from __future__ import annotations

import pytest

from tests.dispatch_support import seed, settings_for
from woq_tui.app import WoqApp
from woq_tui.context import ConsoleContext
from woq_tui.i18n import set_language
from woq_tui.screens.reclassify import start_reclassify
from woq_tui.store.db import make_engine
from woq_tui.values.outbox import TicketRef


async def _settle(pilot) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


@pytest.mark.parametrize("language", ["zh", "en"])
@pytest.mark.parametrize("picked", [False, True], ids=["no-choice", "picked"])
def test_reclassify_dialog(snap_compare, sqlite_url, clock, language, picked):
    engine = make_engine(sqlite_url)
    seed(engine)
    set_language(language)
    settings = settings_for("http://127.0.0.1:9")
    settings.console.language = language
    context = ConsoleContext(settings=settings, engine=engine, clock=clock, label="test")

    async def run_before(pilot) -> None:
        start_reclassify(pilot.app.screen, [TicketRef("T0001", "S001", 1, "repair")], "urban")
        await _settle(pilot)
        for field in pilot.app.screen.query("Input"):
            field.cursor_blink = False  # a blinking cursor makes the picture depend on timing
        if picked:
            await pilot.press("4", "enter", *"wrong type")
        await _settle(pilot)

    try:
        assert snap_compare(WoqApp(context), terminal_size=(100, 32), run_before=run_before)
    finally:
        set_language("en")
