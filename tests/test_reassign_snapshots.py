"""Snapshots of the reassign dialog and the outbox screen (frozen clock, SQLite)."""

from __future__ import annotations

from sqlalchemy import update

from tests.dispatch_support import seed, settings_for
from woq_tui.app import WoqApp
from woq_tui.context import ConsoleContext
from woq_tui.dispatch.outbox import record
from woq_tui.domain.models import OutboxEntry
from woq_tui.screens.reassign import start_reassign
from woq_tui.store.db import make_engine
from woq_tui.values.outbox import TicketRef


async def _settle(pilot) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def test_reassign_dialog_type_ahead(snap_compare, sqlite_url, clock):
    engine = make_engine(sqlite_url)
    seed(engine)
    context = ConsoleContext(settings=settings_for("http://127.0.0.1:9"), engine=engine, clock=clock, label="test")

    async def run_before(pilot) -> None:
        start_reassign(pilot.app.screen, [TicketRef("T0001", "S001", 1), TicketRef("T0002", "S001", 1)])
        await _settle(pilot)
        for field in pilot.app.screen.query("Input"):
            field.cursor_blink = False  # a blinking cursor makes the picture depend on timing
        await pilot.press(*"dlcx")
        await _settle(pilot)

    assert snap_compare(WoqApp(context), terminal_size=(100, 32), run_before=run_before)


def test_outbox_screen(snap_compare, sqlite_url, clock):
    engine = make_engine(sqlite_url)
    seed(engine)
    made = record(engine, clock, [TicketRef(f"T000{n}", "S001", 1) for n in (1, 2, 3)], "S002", "地址不属本所辖区", "D1023")
    states = [
        ("failed", 4, "ConnectError: [Errno 111] Connection refused"),
        ("conflict", 1, "HTTP 409 version_conflict (current version 2, station S003)"),
        ("pending", 2, "HTTP 503 Service Unavailable"),
    ]
    with engine.begin() as connection:
        for n, (entry, (state, attempts, error)) in enumerate(zip(made, states), start=1):
            connection.execute(
                update(OutboxEntry.__table__)
                .where(OutboxEntry.__table__.c.id == entry.id)
                # fixed ids: the snapshot shows them
                .values(id=f"{n:08d}-0000-4000-8000-000000000000", state=state, attempts=attempts, last_error=error)
            )
    # Read-only: no pusher, so the picture stands still.
    context = ConsoleContext(
        settings=settings_for("http://127.0.0.1:9"), engine=engine, clock=clock, label="test", read_only=True
    )

    async def run_before(pilot) -> None:
        await pilot.press("5")
        await _settle(pilot)

    assert snap_compare(WoqApp(context), terminal_size=(120, 24), run_before=run_before)
