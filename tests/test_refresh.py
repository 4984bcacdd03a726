"""Live refresh: changes applied by key with the cursor and marks kept, pause, merged
ticks, and a database that goes away and comes back (SQLite file moved; PostgreSQL
connections refused and terminated; a closed port)."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text, update
from sqlalchemy.engine import make_url
from sqlmodel import Session

from tests.conftest import NOW, PG_URL
from tests.factories import add_all, ticket
from tests.support import build_data, settle, shown
from woq_tui.app import WoqApp
from woq_tui.context import ConsoleContext
from woq_tui.domain.models import Ticket
from woq_tui.store.db import make_engine
from woq_tui.widgets import refresh

M = timedelta(minutes=1)


@pytest.fixture
def data(engine):
    build_data(engine)


def change(engine, number: str, **values) -> None:
    values.setdefault("updated_at", NOW)
    with Session(engine) as session:
        session.execute(
            update(Ticket).where(Ticket.ticket_no == number).values(version=Ticket.version + 1, **values)
        )
        session.commit()


def no(i: int) -> str:
    return f"9559820261126{i:04d}"


async def test_refresh_applies_changes_above_the_cursor_and_keeps_cursor_and_marks(context, data, engine):
    app = WoqApp(context)
    async with app.run_test(size=(140, 12)) as pilot:
        await settle(pilot)
        screen = app.screen
        table = screen.table
        await pilot.press(*["j"] * 6)
        assert table.cursor_row.ticket_no == no(6)
        await pilot.press("space")  # mark 6
        await pilot.press("k", "space", "j")  # mark 5, back on 6
        await pilot.press(*["k"] * 5, "space", *["j"] * 5)  # mark 1, back on 6
        assert table.marked == {no(1), no(5), no(6)}
        await pilot.press(*["j"] * 3, *["k"] * 3)  # scrolled down a little, back on 6
        assert table.scroll_y > 0
        line_before = table.cursor_index - round(table.scroll_y)

        add_all(engine, ticket(NOW - 8 * 60 * M, ticket_no="95598202611260100", station_code="S002",
                               due_at=NOW - 300 * M, updated_at=NOW))  # new, most urgent: inserted on top
        change(engine, no(1), resolved_at=NOW, status="resolved")  # above the cursor: removed
        change(engine, no(2), status="in_progress")  # above: updated in place
        change(engine, no(3), due_at=NOW + 500 * M)  # above: moves below the cursor
        screen.refresh_now()
        await settle(pilot)

        assert shown(app)[:7] == ["95598202611260100", no(0), no(2), no(4), no(5), no(6), no(7)]
        assert shown(app).index(no(3)) > shown(app).index(no(6))
        assert no(1) not in shown(app)
        assert table.cursor_row.ticket_no == no(6)
        assert table.marked == {no(5), no(6)}  # the resolved ticket's mark went with it
        assert table.cursor_index - round(table.scroll_y) == line_before
        assert screen.window.get(no(2)).status == "in_progress"
        assert set(table._flash) == {"95598202611260100", no(2), no(3)}
        assert "Open 12" in str(screen.query_one("KpiStrip").render())

        # The same changes again (the watermark overlap): nothing moves, nothing flashes anew.
        table._flash.clear()
        screen.refresh_now()
        await settle(pilot)
        assert table._flash == {} and table.cursor_row.ticket_no == no(6)


async def test_a_change_that_leaves_the_filter_is_removed(context, data, engine):
    app = WoqApp(context)
    async with app.run_test(size=(140, 30)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"dlcd", "enter")
        await settle(pilot)
        assert shown(app) == [no(0), no(3), no(6), no(9)]
        change(engine, no(3), station_code="S002")
        change(engine, no(1), station_code="S001")
        app.screen.refresh_now()
        await settle(pilot)
        assert shown(app) == [no(0), no(1), no(6), no(9)]


async def test_pause_stops_applying_and_resume_catches_up(context, data, engine):
    app = WoqApp(context)
    async with app.run_test(size=(140, 30)) as pilot:
        await settle(pilot)
        screen = app.screen
        await pilot.press("p")
        assert screen.live.paused
        assert "Paused" in screen.query_one("AppHeader").refreshed
        change(engine, no(0), resolved_at=NOW, status="resolved")
        screen.live.tick()  # the timer while paused: no fetch
        await settle(pilot)
        assert no(0) in shown(app)
        await pilot.press("p")  # resume fetches at once
        await settle(pilot)
        assert not screen.live.paused
        assert no(0) not in shown(app)
        assert "Paused" not in screen.query_one("AppHeader").refreshed


async def test_overlapping_ticks_merge_into_one_more_fetch(context, data, monkeypatch):
    app = WoqApp(context)
    async with app.run_test(size=(140, 30)) as pilot:
        await settle(pilot)
        screen = app.screen
        calls = []
        original = type(screen).fetch_live
        monkeypatch.setattr(type(screen), "fetch_live", lambda self, request: calls.append(1) or original(self, request))
        first = screen.refresh_now()
        assert first is not None
        assert screen.refresh_now() is None and screen.refresh_now() is None
        await settle(pilot)
        assert len(calls) == 2  # the running fetch, then one for both requests made meanwhile


async def test_sqlite_file_moved_away_and_back(context, data, sqlite_url, monkeypatch):
    if context.engine.dialect.name != "sqlite":
        pytest.skip("moves the SQLite file")
    path = Path(make_url(str(context.engine.url)).database)
    app = WoqApp(context)
    async with app.run_test(size=(140, 30)) as pilot:
        await settle(pilot)
        screen = app.screen
        before = shown(app)
        context.clock.advance(timedelta(minutes=2))
        os.replace(path, path.with_suffix(".away"))
        context.engine.dispose()  # a new connection is what finds the file gone
        screen.refresh_now()
        await settle(pilot)
        live = screen.live
        assert live.has_class("-failing")
        banner = str(live.render())
        assert "Database unreachable since 10:02:00" in banner
        assert "Showing data as of 10:00:00" in banner
        assert "last refresh 10:00:00" in screen.query_one("AppHeader").refreshed
        assert shown(app) == before  # the last data stays
        # backing off: the timer does not hammer the database
        assert live.failures == 1
        live.tick()
        await settle(pilot)
        assert live.failures == 1

        os.replace(path.with_suffix(".away"), path)
        context.engine.dispose()
        monkeypatch.setattr(refresh, "MAX_BACKOFF", 0.0)
        live._retry_at = 0.0  # the pause is over
        live.tick()  # the timer retries by itself
        await settle(pilot)
        assert not live.has_class("-failing")
        assert "Refreshed 10:02:00" in screen.query_one("AppHeader").refreshed
        assert any("reachable again" in n.message for n in app._notifications)
        assert shown(app) == before


@pytest.mark.postgres
async def test_postgresql_refusing_connections_then_back(settings, clock, pg_url):
    engine = make_engine(pg_url)
    build_data(engine)
    name = make_url(pg_url).database
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    context = ConsoleContext(settings=settings, engine=engine, clock=clock, label="test")
    app = WoqApp(context)
    try:
        async with app.run_test(size=(140, 30)) as pilot:
            await settle(pilot)
            screen = app.screen
            before = shown(app)
            with admin.connect() as connection:
                connection.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false'))
                connection.execute(
                    text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :name"),
                    {"name": name},
                )
            screen.refresh_now()
            await settle(pilot)
            assert screen.live.has_class("-failing")
            assert "Database unreachable" in str(screen.live.render())
            assert shown(app) == before
            with admin.connect() as connection:
                connection.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true'))
            screen.refresh_now()
            await settle(pilot)
            assert not screen.live.has_class("-failing")
            assert shown(app) == before
    finally:
        engine.dispose()
        admin.dispose()


async def test_a_database_that_never_answers_is_said_plainly(settings, clock):
    engine = make_engine("postgresql+psycopg://postgres@127.0.0.1:1/nothing", connect_args={"connect_timeout": 2})
    context = ConsoleContext(settings=settings, engine=engine, clock=clock, label="closed port")
    app = WoqApp(context)
    async with app.run_test(size=(140, 30)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert screen.live.has_class("-failing")
        banner = str(screen.live.render())
        assert "Database unreachable since 10:00:00" in banner and "Showing data as of —" in banner
        assert shown(app) == []
        await pilot.press("j", "enter", "s", "2")
        await settle(pilot)
        assert app.is_running
    engine.dispose()


async def test_a_first_page_read_ahead_is_on_the_first_frame_and_then_the_app_warms_up(
    context, data, monkeypatch
):
    # What the head start sends: the page first, the KPI counts after it.
    from concurrent.futures import Future
    from dataclasses import replace

    from woq_tui.console_store import ConsoleStore
    from woq_tui.values.live import FIRST_REQUEST, PREFETCH_COUNTS_KEY, PREFETCH_KEY

    page, counts = Future(), Future()
    page.set_result(context.store.live(replace(FIRST_REQUEST, kpis=False)))
    context.prefetched[PREFETCH_KEY], context.prefetched[PREFETCH_COUNTS_KEY] = page, counts
    asked = []
    live = ConsoleStore.live
    monkeypatch.setattr(ConsoleStore, "live", lambda self, request: asked.append(request) or live(self, request))
    app = WoqApp(context)
    frames_before_rows = []
    display = app._display

    def count_frames(screen, renderable):
        if not getattr(app.screen, "window", None):
            frames_before_rows.append(renderable)
        display(screen, renderable)

    app._display = count_frames
    async with app.run_test(size=(140, 12)) as pilot:
        assert len(app.screen.window) == 12 and asked == []  # applied at mount: no fetch
        assert not app.screen.query_one("KpiStrip").kpis  # the counts have not come yet
        counts.set_result(context.store.kpis())
        await settle(pilot)
        assert app.screen.query_one("KpiStrip").kpis.open == 12
        assert app._warmed and asked == []
    assert frames_before_rows == []


def test_the_page_and_its_counts_come_from_one_snapshot(context, data, engine, monkeypatch):
    """A ticket committed between reading the page and counting must not make the
    strip and the list disagree (issue 15, item 12)."""
    from woq_tui.store import queries
    from woq_tui.values.live import FIRST_REQUEST

    count = queries.kpis

    def late(session, now, policy):
        add_all(engine, ticket(NOW - timedelta(minutes=5), ticket_no="LATE", due_at=NOW + timedelta(hours=1)))
        return count(session, now, policy)

    monkeypatch.setattr(queries, "kpis", late)
    result = context.store.live(FIRST_REQUEST)
    assert result.kpis.open == result.page.total == len(result.page.rows)
    assert "LATE" not in {row.ticket_no for row in result.page.rows}


async def test_the_strip_says_when_it_counted_when_the_list_is_newer(context, data, engine):
    app = WoqApp(context)
    async with app.run_test(size=(140, 30)) as pilot:
        await settle(pilot)
        strip = app.screen.query_one("KpiStrip")
        assert "counted" not in str(strip.render())
        context.clock.advance(timedelta(seconds=5))
        change(engine, no(0), resolved_at=NOW, status="resolved")
        app.screen.refresh_now()  # a tick that does not count (KPI_SECONDS)
        await settle(pilot)
        assert no(0) not in shown(app)
        assert "counted 10:00:00" in str(strip.render())
        app.screen._kpis_due = 0.0  # the next tick counts
        app.screen.refresh_now()
        await settle(pilot)
        assert "counted" not in str(strip.render())
