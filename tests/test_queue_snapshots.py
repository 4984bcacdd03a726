"""Snapshots of the live queue, the overdue screen and the ticket detail: frozen clock,
Chinese and English, narrow (100×30) and wide (160×45)."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from tests.conftest import NOW
from tests.support import build_data, settle
from woq_tui.app import WoqApp
from woq_tui.config import parse_settings
from woq_tui.context import ConsoleContext
from woq_tui.dispatch.outbox import record
from woq_tui.domain.clock import FixedClock
from woq_tui.domain.models import OutboxEntry
from woq_tui.i18n import set_language
from woq_tui.store.db import make_engine
from woq_tui.values.outbox import TicketRef


@pytest.fixture
def make_app(sqlite_url):
    engines = []

    def build(language: str) -> WoqApp:
        set_language(language)
        engine = make_engine(sqlite_url)
        engines.append(engine)
        build_data(engine)
        settings = parse_settings({"console": {"language": language, "operator": "D1023"}})
        return WoqApp(ConsoleContext(settings=settings, engine=engine, clock=FixedClock(NOW), label="demo"))

    yield build
    for engine in engines:
        engine.dispose()


def _keys(*keys):
    async def run_before(pilot) -> None:
        await settle(pilot)
        for key in keys:
            await pilot.press(key)
            await settle(pilot)

    return run_before


SIZES = [pytest.param((100, 30), id="100x30"), pytest.param((160, 45), id="160x45")]
LANGUAGES = ["zh", "en"]


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("language", LANGUAGES)
def test_queue_snapshot(snap_compare, make_app, language, size):
    # the cursor on the third ticket, the first one marked
    assert snap_compare(make_app(language), terminal_size=size, run_before=_keys("space", "j", "j"))


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("language", LANGUAGES)
def test_overdue_snapshot(snap_compare, make_app, language, size):
    assert snap_compare(make_app(language), terminal_size=size, run_before=_keys("2"))


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("language", LANGUAGES)
def test_ticket_detail_snapshot(snap_compare, make_app, language, size):
    assert snap_compare(make_app(language), terminal_size=size, run_before=_keys("j", "enter"))


@pytest.mark.parametrize("language", LANGUAGES)
def test_queue_snapshot_with_reassignments(snap_compare, make_app, language):
    """A pending and a conflicting reassignment: their column appears, the words say it."""
    app = make_app(language)
    engine, clock = app.context.engine, app.context.clock
    record(engine, clock, [TicketRef("95598202611260001", "S002", 1)], "S001", "wrong area", "D1023")
    [conflict] = record(engine, clock, [TicketRef("95598202611260003", "S001", 1)], "S002", "boundary", "D1023")
    with engine.begin() as connection:
        connection.execute(update(OutboxEntry).where(OutboxEntry.id == conflict.id).values(state="conflict"))
    assert snap_compare(app, terminal_size=(100, 30), run_before=_keys())
