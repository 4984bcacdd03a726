"""The live queue through the keyboard: search, pinyin search, filters, sorting, marks,
urge, reassign hand-off, read-only refusal, export. Database: SQLite and PostgreSQL."""

from __future__ import annotations

import csv
from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlmodel import Session

from tests.conftest import NOW
from tests.factories import add_all, station, ticket
from tests.support import build_data, settle, shown
from woq_tui.app import WoqApp
from woq_tui.context import ConsoleContext
from woq_tui.domain.models import TicketEvent
from woq_tui.screens import reassign
from woq_tui.screens.filter import FilterScreen
from woq_tui.screens.queue import QueueScreen

H = timedelta(hours=1)
M = timedelta(minutes=1)
SIZE = (140, 36)


@pytest.fixture
def data(engine):
    build_data(engine)


async def start(context, size=SIZE):
    app = WoqApp(context)
    return app, app.run_test(size=size)


async def test_queue_shows_open_tickets_most_urgent_first(context, data):
    app = WoqApp(context)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, QueueScreen)
        assert shown(app) == [f"9559820261126{i:04d}" for i in range(12)]
        assert screen.total == 12
        assert "Refreshed 10:00:00" in screen.query_one("AppHeader").refreshed
        strip = str(screen.query_one("KpiStrip").render())
        assert "Open 12" in strip and "Overdue 4" in strip


async def test_search_by_number_summary_and_pinyin_initials(context, data):
    app = WoqApp(context)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"dlcd", "enter")
        await settle(pilot)
        assert {row.station_code for row in app.screen.window} == {"S001"}
        assert len(shown(app)) == 4
        chips = str(app.screen.query_one("#chips").render())
        assert "dlcd" in chips
        # a new search replaces the old one
        await pilot.press("slash", *["backspace"] * 4, *"窃电", "enter")
        await settle(pilot)
        assert shown(app) == ["95598202611260003", "95598202611260007", "95598202611260011"]
        # escape while searching restores what was searched before
        await pilot.press("slash", *"zzz", "escape")
        await settle(pilot)
        assert len(shown(app)) == 3
        await pilot.press("x")
        await settle(pilot)
        assert len(shown(app)) == 12


async def test_filter_dialog_chips_and_one_key_clears(context, data):
    app = WoqApp(context)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f")
        await settle(pilot)
        assert isinstance(app.screen, FilterScreen)
        # types: repair is first; space toggles it
        await pilot.press("space")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, QueueScreen)
        assert {row.type for row in app.screen.window} == {"repair"}
        assert len(shown(app)) == 3
        assert "Repair" in str(app.screen.query_one("#chips").render())
        await pilot.press("x")
        await settle(pilot)
        assert len(shown(app)) == 12


async def test_filter_by_area_and_status(context, data):
    from dataclasses import replace

    app = WoqApp(context)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        screen.set_filter(replace(screen.filt, areas=frozenset({"rural"}), statuses=frozenset({"dispatched"})))
        await settle(pilot)
        assert shown(app) == ["95598202611260001"]
        await pilot.press("escape")  # escape clears an active filter too
        await settle(pilot)
        assert len(shown(app)) == 12


async def test_sort_steps_and_reverses_showing_the_new_top(context, data):
    app = WoqApp(context)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("j", "j")
        table = app.screen.table
        assert table.cursor_row.ticket_no == "95598202611260002"
        await pilot.press("s")  # age: oldest first
        await settle(pilot)
        assert app.screen.sort.value == "age"
        assert shown(app)[0] == "95598202611260011"
        assert table.cursor_index == 0 and table.scroll_y == 0
        await pilot.press("j", "S")
        await settle(pilot)
        assert shown(app)[0] == "95598202611260000"
        assert table.cursor_row.ticket_no == "95598202611260000" and table.scroll_y == 0
        await pilot.press("s")  # station
        await settle(pilot)
        assert [row.station_code for row in app.screen.window][:4] == ["S001"] * 4


async def test_movement_keys(context, data):
    app = WoqApp(context)
    async with app.run_test(size=(140, 12)) as pilot:
        await settle(pilot)
        table = app.screen.table
        await pilot.press("G")
        assert table.cursor_index == 11
        await pilot.press("g")
        assert table.cursor_index == 0
        await pilot.press("end")
        await pilot.press("home")
        assert table.cursor_index == 0
        await pilot.press("pagedown")
        assert table.cursor_index == table.body_height
        await pilot.press("pageup", "down", "down", "up")
        assert table.cursor_index == 1
        assert table.scroll_y == 0


async def test_marks_go_to_reassign_and_urge(context, data, monkeypatch, engine):
    handed: list = []
    monkeypatch.setattr(reassign, "start_reassign", lambda screen, refs: handed.append(refs))
    app = WoqApp(context)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("r")
        assert handed[-1] == [reassign.TicketRef("95598202611260000", "S001", 1)]
        await pilot.press("space", "j", "j", "space")
        assert app.screen.table.marked == {"95598202611260000", "95598202611260002"}
        await pilot.press("r")
        assert [ref.ticket_no for ref in handed[-1]] == ["95598202611260000", "95598202611260002"]
        await pilot.press("u")
        await settle(pilot)
    with Session(engine) as session:
        kinds = session.execute(select(TicketEvent.kind, TicketEvent.operator)).all()
    assert kinds == [("urged", "D1023"), ("urged", "D1023")]


@pytest.mark.parametrize("how", ["read_only", "viewer"])
async def test_write_actions_are_refused_when_read_only(settings, engine, clock, data, how, monkeypatch):
    handed: list = []
    monkeypatch.setattr(reassign, "start_reassign", lambda screen, refs: handed.append(refs))
    if how == "viewer":
        settings = replace(settings, console=replace(settings.console, role="viewer"))
    context = ConsoleContext(settings=settings, engine=engine, clock=clock, read_only=how == "read_only")
    app = WoqApp(context)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("u", "r")
        await settle(pilot)
        messages = [notification.message for notification in app._notifications]
        footer = {active.binding.key for active in app.screen.active_bindings.values() if active.binding.show}
    assert "r" not in footer and "u" not in footer  # not offered in the footer (issue 15, item 10)
    assert handed == []
    word = "Read-only mode" if how == "read_only" else "viewer role"
    assert any(word in message and "urge" in message for message in messages)
    assert any(word in message and "reassign" in message for message in messages)
    with Session(engine) as session:
        assert session.execute(select(TicketEvent)).all() == []


async def test_export_writes_what_is_shown(context, data, tmp_path):
    tmp_path = tmp_path / "exports"
    context.settings.console.export_dir = str(tmp_path)  # made when missing
    app = WoqApp(context)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"xqnc", "enter")
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)
    files = sorted(path.name for path in tmp_path.iterdir())
    assert files == ["queue-20261126-100000.csv", "queue-20261126-100000.svg"]
    with (tmp_path / "queue-20261126-100000.csv").open(encoding="utf-8-sig") as file:
        rows = list(csv.reader(file))
    assert rows[0][:2] == ["Ticket", "Type"] and rows[0][-2:] == ["due_at", "sla_state"]
    assert [row[0] for row in rows[1:]] == ["95598202611260001", "95598202611260004", "95598202611260007",
                                           "95598202611260010"]
    assert rows[1][-1] == "overdue"
    assert rows[1][-2] == "2026-11-26T08:50:00+08:00"  # the configured zone, not UTC
    assert "svg" in (tmp_path / "queue-20261126-100000.svg").read_text()[:200]
    assert any(str(tmp_path / "queue-20261126-100000.csv") in n.message for n in app._notifications)  # the full path


async def test_export_writes_every_ticket_of_the_filter_not_only_those_loaded(context, engine, tmp_path):
    """The queue held 487 of 799 rows and exported 487 (issue 15, item 8)."""
    add_all(engine, station("S001"), *(ticket(NOW - H, ticket_no=f"E{n:04d}", due_at=NOW + n * M) for n in range(1200)))
    context.settings.console.export_dir = str(tmp_path)
    app = WoqApp(context)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert len(app.screen.window) < 1200  # the queue pages
        await pilot.press("e")
        await settle(pilot)
    [path] = tmp_path.glob("queue-*.csv")
    with path.open(encoding="utf-8-sig") as file:
        numbers = [row[0] for row in list(csv.reader(file))[1:]]
    assert numbers == [f"E{n:04d}" for n in range(1200)]


async def test_enter_opens_the_detail_and_escape_returns(context, data):
    from woq_tui.screens.ticket import TicketScreen

    app = WoqApp(context)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("j", "enter")
        await settle(pilot)
        assert isinstance(app.screen, TicketScreen)
        assert app.screen.ticket_no == "95598202611260001"
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, QueueScreen)
        assert app.screen.table.cursor_row.ticket_no == "95598202611260001"


async def test_an_empty_database_says_how_to_fill_it(context, engine):
    """A new database shows how to import or start the demo (issue 15, item 7); a
    database whose tickets are all resolved just has no open tickets."""
    app = WoqApp(context)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert shown(app) == []
        assert "woq-console import" in app.screen.table.empty_text
        assert "woq-console demo" in app.screen.table.empty_text
    add_all(engine, station("S001"), ticket(NOW - H, resolved_at=NOW - M, status="resolved"))
    app = WoqApp(context)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.screen.table.empty_text == "No open tickets match"


async def test_a_second_urge_within_the_cooldown_is_refused(context, data, engine):
    """u twice on one ticket: urged once, the second says it was urged minutes ago
    ([console] urge_cooldown_minutes, default 30; issue 15, item 10)."""
    app = WoqApp(context)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("u")
        await settle(pilot)
        context.clock.advance(timedelta(minutes=29))
        await pilot.press("u")
        await settle(pilot)
        messages = [notification.message for notification in app._notifications]
        context.clock.advance(timedelta(minutes=2))
        await pilot.press("u")
        await settle(pilot)
    assert "urged within the last 30 minutes, not urged again" in messages[-1]
    with Session(engine) as session:
        assert len(session.execute(select(TicketEvent)).all()) == 2


async def test_the_footer_says_resume_while_paused(context, data):
    app = WoqApp(context)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        described = lambda: {active.binding.description for key, active in app.screen.active_bindings.items() if key == "p"}  # noqa: E731
        assert described() == {"Pause"}
        await pilot.press("p")
        assert described() == {"Resume"}
        await pilot.press("p")
        assert described() == {"Pause"}
