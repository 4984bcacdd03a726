"""What the dispatch, outbox and reassign tests share: a seeded database, settings that
point at a server, fast retry settings, and small real ASGI wrappers around the
reference app that misbehave on purpose (fail, stall, hold requests at a gate)."""

from __future__ import annotations

import asyncio
import threading
import time
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlmodel import Session

from tests.conftest import NOW
from tests.factories import add_all, station, ticket
from woq_tui.config import Settings, parse_settings
from woq_tui.dispatch.outbox import RetryPolicy
from woq_tui.dispatch.server import serve_in_background
from woq_tui.domain.models import Ticket, TicketEvent

TOKEN = "s3cret-token-for-tests-0123456789"
FAST = RetryPolicy(wait_initial=0.01, wait_max=0.05)


class RunningClock:
    """A clock that starts at a given instant and runs as real time does: backoff
    waits pass, as they do for a pusher in a real process."""

    def __init__(self, start: datetime) -> None:
        self.start, self._began = start, time.monotonic()

    def now(self) -> datetime:
        return self.start + timedelta(seconds=time.monotonic() - self._began)


def seed(engine, tickets: int = 3) -> list[str]:
    """Three stations and a few open tickets at S001; returns the ticket numbers."""
    rows = [
        station("S001", "东丽城东供电所", initials="dlcd"),
        station("S002", "东丽城西供电所", initials="dlcx"),
        station("S003", "津南咸水沽供电所", area_type="rural", initials="jnxsg"),
    ]
    numbers = [f"T{n:04d}" for n in range(1, tickets + 1)]
    add_all(engine, *rows)
    add_all(engine, *(ticket(NOW, ticket_no=number) for number in numbers))
    return numbers


def settings_for(base_url: str | None, **dispatch) -> Settings:
    values = {"base_url": base_url, "timeout_seconds": 5, "max_attempts": 4, **dispatch}
    return parse_settings(
        {
            "console": {"language": "en", "operator": "D1023", "timezone": "Asia/Shanghai"},
            "dispatch": {k: v for k, v in values.items() if v is not None},
        }
    )


def ticket_state(engine, ticket_no: str) -> tuple[str, int, int, int]:
    """(station, version, dispatch_count, reassigned events) of a ticket."""
    with Session(engine) as session:
        row = session.scalars(select(Ticket).where(Ticket.ticket_no == ticket_no)).one()
        events = session.scalar(
            select(func.count()).select_from(TicketEvent).where(
                TicketEvent.ticket_id == row.id, TicketEvent.kind == "reassigned"
            )
        )
        return row.station_code, row.version, row.dispatch_count, events


@pytest.fixture
def token(monkeypatch) -> str:
    monkeypatch.setenv("WOQ_DISPATCH_TOKEN", TOKEN)
    return TOKEN


@pytest.fixture
def server(engine, clock, token):
    handle = serve_in_background(engine, token=token, clock=clock)
    yield handle
    handle.stop()


# -- misbehaving wrappers (real ASGI apps, served by uvicorn on 127.0.0.1) --------------


class FailFirst:
    """Answers `status` to the first `count` requests without passing them on."""

    def __init__(self, app, count: int, status: int = 500, headers: dict[str, str] | None = None) -> None:
        self.app, self.left, self.status, self.headers = app, count, status, headers or {}
        self.seen = 0

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http":
            self.seen += 1
            if self.left > 0:
                self.left -= 1
                headers = [(b"content-type", b"application/json")]
                headers += [(k.lower().encode(), v.encode()) for k, v in self.headers.items()]
                await send({"type": "http.response.start", "status": self.status, "headers": headers})
                await send({"type": "http.response.body", "body": b'{"error":"boom"}'})
                return
        await self.app(scope, receive, send)


class StallAfterApply:
    """After `after` ordinary requests, lets the next `count` reach the app (which
    applies them) but holds back the answer until the client gives up and disconnects.
    `applied` is set when such an answer has been held back."""

    def __init__(self, app, count: int = 1, after: int = 0) -> None:
        self.app, self.left, self.after = app, count, after
        self.applied = threading.Event()
        self.held = 0

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http" and self.after > 0:
            self.after -= 1
            await self.app(scope, receive, send)
            return
        if scope["type"] != "http" or self.left <= 0:
            await self.app(scope, receive, send)
            return
        self.left -= 1
        captured: list[dict] = []

        async def capture(message):
            captured.append(message)

        await self.app(scope, receive, capture)
        self.held += 1
        self.applied.set()
        # Wait for the client to hang up: the answer never reaches it.
        while (await receive())["type"] != "http.disconnect":
            pass


class Gate:
    """Holds requests until `count` of them have arrived, then lets them all through."""

    def __init__(self, app, count: int) -> None:
        self.app, self.count = app, count
        self.arrived = 0
        self._open: asyncio.Event | None = None

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http":
            if self._open is None:
                self._open = asyncio.Event()
            self.arrived += 1
            if self.arrived >= self.count:
                self._open.set()
            await self._open.wait()
        await self.app(scope, receive, send)


def write_config(directory, base_url: str | None, **dispatch) -> str:
    """A config file for the command line, pointing at base_url."""
    lines = ["[console]", 'language = "en"', 'operator = "D1023"', 'timezone = "Asia/Shanghai"', "[dispatch]"]
    if base_url:
        lines.append(f'base_url = "{base_url}"')
    for key, value in {"timeout_seconds": 10, "max_attempts": 4, **dispatch}.items():
        lines.append(f"{key} = {value}")
    path = directory / "config.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)
