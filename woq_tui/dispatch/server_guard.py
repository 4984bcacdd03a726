"""What keeps the reference dispatch server standing before a request reaches it
(docs/dispatch-api.md, "Slow and hostile clients"):

- `GuardedH11`: uvicorn's h11 protocol with the deadlines uvicorn lacks. A request's
  headers must arrive within `header_seconds` of its first byte (or of the
  connection), its body within `body_seconds` of the headers; otherwise the server
  answers 408 and closes the connection. uvicorn alone waits for ever, so forty clients
  that never finish their body hold forty connections. Beyond `max_connections` open
  connections a new one is answered 503 and closed at once.
- `guard_app`: no query strings (a token in a URL is refused, and URLs are never
  logged with one), and one access-log line per request without the query string.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass

import h11
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from uvicorn.protocols.http.h11_impl import H11Protocol

from woq_tui.domain.safe_text import terminal_text

log = logging.getLogger("woq_tui.dispatch.server")
access_log = logging.getLogger("woq_tui.dispatch.access")

_CLOSING = b"\r\ncontent-type: application/json\r\nconnection: close\r\n"


def _raw_answer(status: bytes, error: bytes) -> bytes:
    body = b'{"error":"' + error + b'"}'
    return b"HTTP/1.1 " + status + _CLOSING + b"content-length: " + str(len(body)).encode() + b"\r\n\r\n" + body


TOO_SLOW = _raw_answer(b"408 Request Timeout", b"request_timeout")
TOO_MANY = _raw_answer(b"503 Service Unavailable", b"too_many_connections")


@dataclass(frozen=True)
class Limits:
    header_seconds: float = 10.0
    body_seconds: float = 10.0
    max_connections: int = 200


class GuardedH11(H11Protocol):
    """H11Protocol with a deadline on every request's headers and body, and a cap on
    open connections. `limits` is set on a subclass per server (`protocol_for`)."""

    limits = Limits()

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._timer: asyncio.TimerHandle | None = None
        self._phase: str | None = None
        if len(self.connections) > self.limits.max_connections:
            log.warning("refused a connection: %d open (the limit is %d)", len(self.connections) - 1, self.limits.max_connections)
            transport.write(TOO_MANY)
            transport.close()
            return
        self._expect("headers", self.limits.header_seconds)

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self._phase is None and self.conn.their_state is h11.IDLE:
            self._expect("headers", self.limits.header_seconds)  # the next request on a kept-alive connection
        super().data_received(data)

    def handle_events(self) -> None:
        super().handle_events()
        state = self.conn.their_state
        if state is h11.SEND_BODY:
            if self._phase != "body":
                self._expect("body", self.limits.body_seconds)
        elif state is not h11.IDLE:
            self._cancel()  # the request is in: what follows is the app's and uvicorn's

    def _expect(self, phase: str, seconds: float) -> None:
        self._cancel()
        self._phase = phase
        self._timer = self.loop.call_later(seconds, self._too_slow)

    def _cancel(self) -> None:
        timer = getattr(self, "_timer", None)  # unset before connection_made
        if timer is not None:
            timer.cancel()
        self._timer, self._phase = None, None

    def _too_slow(self) -> None:
        phase, self._timer = self._phase, None
        if self.transport.is_closing():
            return
        client = "{}:{}".format(*self.client) if self.client else "?"
        log.warning("closed the connection from %s: its request's %s did not arrive in time", client, phase)
        # Headers: no answer begun for this request (a cycle is the previous one's).
        if phase == "headers" or self.cycle is None or not self.cycle.response_started:
            self.transport.write(TOO_SLOW)
        self.transport.close()


def protocol_for(limits: Limits) -> type[GuardedH11]:
    return type("GuardedH11", (GuardedH11,), {"limits": limits})


def guard_app(app: ASGIApp) -> ASGIApp:
    """The ASGI app behind the rules above."""

    async def guarded(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        began, status = time.perf_counter(), [0]

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
            await send(message)

        if scope.get("query_string"):
            await _answer(sending, 422, b'{"error":"invalid","detail":"no query string is accepted: the token belongs in the Authorization header"}')
        else:
            await app(scope, receive, sending)
        client = scope.get("client") or ("?", 0)
        access_log.info(
            "%s %s %s %d %.0fms",
            client[0],
            scope["method"],
            terminal_text(scope["path"]),
            status[0],
            (time.perf_counter() - began) * 1000,
        )

    return guarded


async def _answer(send: Send, status: int, body: bytes) -> None:
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
