"""The ticket detail: every field, the SLA clock, the timeline, the masked phone and its
recorded reveal."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlmodel import Session

from tests.conftest import NOW
from tests.support import build_data, settle
from woq_tui.app import WoqApp
from woq_tui.context import ConsoleContext
from woq_tui.domain.models import Ticket, TicketEvent
from woq_tui.screens.ticket import TicketScreen

SIZE = (140, 40)


@pytest.fixture
def data(engine):
    build_data(engine)
    with Session(engine) as session:
        ticket_id = session.scalar(select(Ticket.id).where(Ticket.ticket_no == "95598202611260001"))
        session.add_all(
            [
                TicketEvent(ticket_id=ticket_id, kind="created", at=NOW - timedelta(hours=2), operator="C01"),
                TicketEvent(ticket_id=ticket_id, kind="reassigned", at=NOW - timedelta(hours=1), operator="D9",
                            from_station="S001", to_station="S002", note="划错片区"),
            ]
        )
        session.commit()


async def open_detail(pilot):
    await settle(pilot)
    await pilot.press("j", "enter")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, TicketScreen)
    return screen


def text_of(screen, selector: str) -> str:
    return str(screen.query_one(selector).render())


def rendered(screen) -> str:
    """The screen as the terminal shows it."""
    return "\n".join(strip.text for strip in screen._compositor.render_strips())


async def test_detail_shows_fields_clock_timeline_and_masks_the_phone(context, data):
    app = WoqApp(context)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_detail(pilot)
        page = rendered(screen)
        assert "95598202611260001" in page and "Complaint" in page and "西青农村供电所 (S002)" in page
        assert "天津市第1大街" in page and "投诉抢修人员态度差" in page
        assert "138****0001" in page and "13812340001" not in page
        assert "✖ Overdue · 1h 10m over" in page  # due 70 minutes ago
        assert "reassigned" in page and "S001 → S002" in page and "划错片区" in page


async def test_reveal_records_an_event_then_shows_the_number(context, data, engine):
    app = WoqApp(context)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_detail(pilot)
        await pilot.press("v")
        await settle(pilot)
        page = rendered(screen)
        assert "13812340001" in page
        assert "phone revealed" in page  # in the timeline
    with Session(engine) as session:
        events = session.execute(
            select(TicketEvent.kind, TicketEvent.operator).where(TicketEvent.kind == "phone_revealed")
        ).all()
    assert events == [("phone_revealed", "D1023")]


async def test_reveal_is_refused_in_read_only_mode(settings, engine, clock, data):
    context = ConsoleContext(settings=settings, engine=engine, clock=clock, read_only=True)
    app = WoqApp(context)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_detail(pilot)
        await pilot.press("v")
        await settle(pilot)
        assert "138****0001" in rendered(screen)
        assert any("Read-only" in n.message for n in app._notifications)
    with Session(engine) as session:
        assert session.scalar(select(TicketEvent).where(TicketEvent.kind == "phone_revealed")) is None


async def test_show_full_phone_setting(settings, engine, clock, data):
    settings = replace(settings, console=replace(settings.console, show_full_phone=True))
    context = ConsoleContext(settings=settings, engine=engine, clock=clock)
    app = WoqApp(context)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_detail(pilot)
        assert "13812340001" in rendered(screen)


async def test_urge_from_the_detail_shows_in_its_timeline(context, data):
    app = WoqApp(context)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_detail(pilot)
        await pilot.press("u")
        await settle(pilot)
        assert "urged" in rendered(screen)
