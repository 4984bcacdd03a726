"""The overdue & escalation screen: its four lists, counts per station, urge, sections."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlmodel import Session

from tests.support import build_data, settle
from woq_tui.app import WoqApp
from woq_tui.domain.models import TicketEvent
from woq_tui.screens.overdue import OverdueScreen
from woq_tui.values.tickets import Section


@pytest.fixture
def data(engine):
    build_data(engine)


def numbers(screen, which: Section) -> list[str]:
    return [row.ticket_no for row in screen.windows[which]]


async def test_the_four_lists_with_counts_per_station(context, data):
    app = WoqApp(context)
    async with app.run_test(size=(160, 40)) as pilot:
        await pilot.press("2")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, OverdueScreen)
        # due NOW-100, -70, -40, -10 minutes: overdue, most overdue first
        assert numbers(screen, Section.overdue) == [f"9559820261126{i:04d}" for i in range(4)]
        # due +20, +50: within warn_minutes (60)
        assert numbers(screen, Section.due_soon) == ["95598202611260004", "95598202611260005"]
        assert numbers(screen, Section.escalated) == ["95598202611260000", "95598202611260005", "95598202611260010"]
        assert numbers(screen, Section.repeat) == [
            "95598202611260000", "95598202611260004", "95598202611260007", "95598202611260008",
        ]
        tab = screen.query_one("#sections").get_tab("section-overdue")
        assert str(tab.label) == "Overdue now (4)"
        page = "\n".join(strip.text for strip in screen._compositor.render_strips())
        # ticket 0 and 3 are S001's, 1 is S002's, 2 is S003's
        assert any("东丽城东供电所" in line and line.rstrip().endswith("2") for line in page.splitlines())


async def test_sections_switch_and_urge_acts_on_the_visible_list(context, data, engine):
    app = WoqApp(context)
    async with app.run_test(size=(160, 40)) as pilot:
        await pilot.press("2")
        await settle(pilot)
        screen = app.screen
        await pilot.press("l")
        assert screen.current is Section.due_soon
        await pilot.press("l", "h", "h")
        assert screen.current is Section.overdue
        await pilot.press("h")
        assert screen.current is Section.repeat
        await pilot.press("j", "u")
        await settle(pilot)
    with Session(engine) as session:
        urged = session.execute(select(TicketEvent.kind)).scalars().all()
    assert urged == ["urged"]


async def test_time_moves_tickets_between_lists(context, data):
    app = WoqApp(context)
    async with app.run_test(size=(160, 40)) as pilot:
        await pilot.press("2")
        await settle(pilot)
        screen = app.screen
        context.clock.advance(timedelta(minutes=30))  # ticket 4 (due +20 min) is now overdue
        screen.refresh_now()
        await settle(pilot)
        assert "95598202611260004" in numbers(screen, Section.overdue)
        assert numbers(screen, Section.due_soon) == ["95598202611260005", "95598202611260006"]
