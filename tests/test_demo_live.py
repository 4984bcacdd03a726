"""`woq-console demo` end to end: the demo session's embedded dispatch API, the console's
outbox pusher and a reassignment made with `r` on the queue, then a clean stop."""

from __future__ import annotations

import asyncio
import io
import os
import threading
import time
from argparse import Namespace

import httpx
import pytest
from sqlalchemy import select

from tests.conftest import NOW
from woq_tui.commands.demo import DemoSession
from woq_tui.domain.clock import FixedClock
from woq_tui.domain.models import OutboxEntry, Station, Ticket, TicketEvent
from woq_tui.screens.outbox import OutboxScreen
from woq_tui.screens.queue import QueueScreen
from woq_tui.screens.reassign import ReassignDialog

THREADS = ("woq-demo-simulator", "outbox-pusher", "dispatch-server")


@pytest.fixture
def data_home(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.delenv("WOQ_DISPATCH_TOKEN", raising=False)
    return tmp_path / "data"


def _args(**overrides) -> Namespace:
    values = dict(seed=7, stations=3, days=4, no_live=False, fresh=False)
    values.update(overrides)
    return Namespace(**values)


async def settle(pilot) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def until(pilot, check, seconds: float = 30):
    """Poll `check` (run off the event loop: it reads the database) until it returns
    something true; the console keeps running between polls. Fails after `seconds`."""
    deadline = time.monotonic() + seconds
    while True:
        value = await asyncio.to_thread(check)
        if value:
            return value
        assert time.monotonic() < deadline, "gave up waiting"
        await pilot.pause(0.05)


def _ticket(engine, ticket_no: str):
    with engine.connect() as connection:
        return connection.execute(
            select(Ticket.station_code, Ticket.version, Ticket.dispatch_count).where(Ticket.ticket_no == ticket_no)
        ).one()


def _confirmed_entry(engine, ticket_no: str):
    with engine.connect() as connection:
        return connection.execute(
            select(OutboxEntry.__table__).where(OutboxEntry.ticket_no == ticket_no, OutboxEntry.state == "confirmed")
        ).first()


def _demo_threads() -> list[str]:
    return [thread.name for thread in threading.enumerate() if thread.name.startswith(THREADS)]


async def test_a_reassignment_in_the_demo_goes_through_its_own_dispatch_api(data_home, settings):
    assert _demo_threads() == []
    clock = FixedClock(NOW)
    # The simulator runs but does not step during the test (an hour between steps), so
    # it cannot win the race for the ticket; tests/test_demo_simulator.py covers that.
    with DemoSession(_args(), settings, clock=clock, stream=io.StringIO(), live_interval=3600) as session:
        engine = session.context.engine
        url = settings.dispatch.base_url
        assert url == session.dispatch.url and url.startswith("http://127.0.0.1:")
        token = os.environ[settings.dispatch.token_env]
        assert len(token) >= 32
        async with httpx.AsyncClient(base_url=url) as client:
            # It listens, and refuses a request without the token.
            anonymous = await client.post("/tickets/X/reassign", headers={"Idempotency-Key": "k"}, content=b"{}")
            assert anonymous.status_code == 401
        with engine.connect() as connection:
            stations = list(connection.execute(select(Station.code).order_by(Station.code)).scalars())

        app = session.console()
        async with app.run_test(size=(120, 36)) as pilot:
            await settle(pilot)
            assert app.outbox_pusher is not None and app.outbox_pusher.running
            queue = app.screen
            assert isinstance(queue, QueueScreen)
            row = queue.table.cursor_row
            assert row is not None and row.version == _ticket(engine, row.ticket_no).version
            target = next(code for code in stations if code != row.station_code)

            await pilot.press("r")
            await settle(pilot)
            assert isinstance(app.screen, ReassignDialog)
            # The station by code, enter; the first preset reason, enter; enter confirms.
            await pilot.press(*target, "enter", "enter", "enter")
            await settle(pilot)
            assert not isinstance(app.screen, ReassignDialog)

            entry = await until(pilot, lambda: _confirmed_entry(engine, row.ticket_no))
            assert (entry.from_station, entry.to_station, entry.expected_version) == (
                row.station_code,
                target,
                row.version,
            )
            assert _ticket(engine, row.ticket_no) == (target, row.version + 1, row.dispatch_count + 1)
            with engine.connect() as connection:
                event = connection.execute(
                    select(TicketEvent.__table__)
                    .join(Ticket, Ticket.id == TicketEvent.ticket_id)
                    .where(Ticket.ticket_no == row.ticket_no, TicketEvent.kind == "reassigned")
                ).one()
            assert (event.from_station, event.to_station, event.operator) == (row.station_code, target, "D1023")
            assert event.at == NOW  # the API stamps it with the session's clock
            await settle(pilot)
            assert any(f"{row.ticket_no} reassigned to {target}" in n.message for n in app._notifications)

            # The queue picks the change up through its ordinary refresh...
            queue.refresh_now()
            await settle(pilot)
            shown = queue.window.get(row.ticket_no)
            assert shown is not None and (shown.station_code, shown.version) == (target, row.version + 1)
            # ...and screen 5 shows the entry confirmed.
            await pilot.press("5")
            await settle(pilot)
            outbox = app.screen
            assert isinstance(outbox, OutboxScreen)
            table = outbox.query_one("#entries")
            assert str(table.get_row(entry.id)[0]) == "✔ Confirmed"

            await pilot.press("q")
            await settle(pilot)
        assert app.return_code in (None, 0)
        pusher, simulator = app.outbox_pusher, session.simulator
    # Quitting stopped and joined everything the session started, and put the token back.
    assert not pusher.running and not simulator.running
    assert _demo_threads() == []
    assert settings.dispatch.token_env not in os.environ
    async with httpx.AsyncClient(base_url=url) as client:
        with pytest.raises(httpx.ConnectError):
            await client.post("/tickets/X/reassign", headers={"Idempotency-Key": "k"}, content=b"{}")
