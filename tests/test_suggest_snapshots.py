"""Snapshots of the reassign dialog with its suggestions, Chinese and English (frozen
clock, fixed size, SQLite): nothing chosen, then the first suggestion chosen."""

from __future__ import annotations

import pytest

from tests.factories import add_all
from tests.support import settle
from tests.test_suggest import HOME, history, open_tickets, stations, the_ticket
from woq_tui.app import WoqApp
from woq_tui.config import parse_settings
from woq_tui.context import ConsoleContext
from woq_tui.i18n import set_language
from woq_tui.screens.reassign import start_reassign
from woq_tui.store.db import make_engine
from woq_tui.values.outbox import TicketRef


@pytest.fixture
def make_app(sqlite_url, clock):
    engines = []

    def build(language: str) -> WoqApp:
        set_language(language)
        engine = make_engine(sqlite_url)
        engines.append(engine)
        add_all(engine, *stations())
        rows = [*history(HOME, "S002", 11), *history(HOME, "S004", 1), *history(HOME, "S003", 2, days_ago=30),
                *open_tickets("S002", 7, overdue=False), *open_tickets("S002", 1, overdue=True),
                *open_tickets("S004", 3, overdue=False)]
        for number, row in enumerate(rows, start=1):
            row.ticket_no = f"T{number:04d}"  # the queue behind the dialog shows them: not the factory's running count
        add_all(engine, *rows, the_ticket())
        settings = parse_settings({
            "console": {"language": language, "operator": "D1023", "timezone": "Asia/Shanghai"},
            "dispatch": {"base_url": "http://127.0.0.1:9"},
        })
        return WoqApp(ConsoleContext(settings=settings, engine=engine, clock=clock, label="test"))

    yield build
    for engine in engines:
        engine.dispose()


def _open(*keys):
    async def run_before(pilot) -> None:
        start_reassign(pilot.app.screen, [TicketRef("T-NEW", "S001", 1)])
        await settle(pilot)
        for field in pilot.app.screen.query("Input"):
            field.cursor_blink = False  # a blinking cursor makes the picture depend on timing
        for key in keys:
            await pilot.press(key)
            await settle(pilot)

    return run_before


@pytest.mark.parametrize("language", ["zh", "en"])
def test_dialog_with_suggestions_nothing_chosen(snap_compare, make_app, language):
    assert snap_compare(make_app(language), terminal_size=(100, 40), run_before=_open())


@pytest.mark.parametrize("language", ["zh", "en"])
def test_dialog_with_the_first_suggestion_chosen(snap_compare, make_app, language):
    assert snap_compare(make_app(language), terminal_size=(100, 40), run_before=_open("f2"))
