"""A fault-injecting HTTP proxy between the dispatch client and the reference server,
for the fault campaign (bench/fault_campaign.py, docs/dispatch.md "The fault campaign").

It reads one request per connection (headers and a Content-Length body), chooses what
to do with it from the current weights with its seeded random generator, and closes
the connection after:

- pass: forward to the server, answer what it answered (502 when it is down);
- error: answer 500, 502 or 503 without forwarding;
- busy: answer 429 with Retry-After 0 or 1 without forwarding;
- drop_before: close without forwarding;
- drop_after: forward (the server applies it), close without answering;
- delay: wait past the client's timeout, then forward (applied after the client gave up).

`refuse(seconds)` stops listening for a while: connections are refused.
`catch(marker)` holds, until `release()`, the answer to every request whose body holds
`marker`, after forwarding it (applied, not heard): its client caught in flight.
"""

from __future__ import annotations

import asyncio
import random
import socket
import threading
from dataclasses import dataclass, field

KINDS = ("pass", "error", "busy", "drop_before", "drop_after", "delay")
_HEAD_LIMIT = 64 * 1024


def _answer(status: bytes, extra: bytes = b"") -> bytes:
    body = b'{"error":"proxy"}'
    return (
        b"HTTP/1.1 " + status + b"\r\ncontent-type: application/json\r\nconnection: close\r\n" + extra
        + b"content-length: " + str(len(body)).encode() + b"\r\n\r\n" + body
    )


@dataclass
class ProxyStats:
    requests: int = 0
    by_kind: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    refusals: int = 0


class FaultProxy:
    """The proxy in a thread of its own, listening on 127.0.0.1:`port` (0: any)."""

    def __init__(self, upstream_port: int, delay_seconds: float, port: int = 0) -> None:
        self.upstream_port = upstream_port
        self.delay_seconds = delay_seconds
        self.rng = random.Random(0)
        self.weights = {"pass": 1.0}
        self.stats = ProxyStats()
        self._loop = asyncio.new_event_loop()
        self._server: asyncio.base_events.Server | None = None
        self._ready = threading.Event()
        # catch(): the marker, set when a request with it was forwarded, and the proxy
        # loop's event that lets the held answers go
        self._catching: tuple[bytes, threading.Event] | None = None
        self._released: asyncio.Event | None = None
        self._thread = threading.Thread(target=self._run, name="fault-proxy", daemon=True)
        probe = socket.socket()
        probe.bind(("127.0.0.1", port))
        self.port = probe.getsockname()[1]
        probe.close()
        self._thread.start()
        self._call(self._listen())

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def configure(self, rng: random.Random, weights: dict[str, float]) -> None:
        """The faults of the next requests (set between trials)."""
        self.rng, self.weights = rng, dict(weights)

    def heal(self) -> None:
        self.weights = {"pass": 1.0}
        self._call(self._listen())

    def refuse(self, seconds: float) -> None:
        """Stop listening now; listen again after `seconds` (from the proxy's loop)."""
        self.stats.refusals += 1
        self._call(self._refuse(seconds))

    def catch(self, marker: bytes) -> threading.Event:
        """Forward each request whose body holds `marker` and hold its answer until
        `release()`; the event returned is set once the first was forwarded."""
        caught = threading.Event()
        self._call(self._catch(marker, caught))
        return caught

    def release(self) -> None:
        self._call(self._release())

    def close(self) -> None:
        self._call(self._stop_listening())
        self._call(self._end_connections())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)

    # -- the loop ---------------------------------------------------------------------

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._loop.run_forever()

    def _call(self, coroutine) -> None:
        asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(30)

    async def _listen(self) -> None:
        if self._server is None:
            self._server = await asyncio.start_server(self._handle, "127.0.0.1", self.port, reuse_address=True)

    async def _stop_listening(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None

    async def _end_connections(self) -> None:
        """Cancel the connections still served (a delay asleep), so that none is left
        to the collector when the loop stops."""
        tasks = [task for task in asyncio.all_tasks() if task is not asyncio.current_task()]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def _refuse(self, seconds: float) -> None:
        await self._stop_listening()
        self._loop.call_later(seconds, lambda: asyncio.ensure_future(self._listen()))

    async def _catch(self, marker: bytes, caught: threading.Event) -> None:
        self._catching, self._released = (marker, caught), asyncio.Event()

    async def _release(self) -> None:
        if self._released is not None:
            self._released.set()
        self._catching = self._released = None

    def _choose(self) -> str:
        kinds = list(self.weights)
        kind = self.rng.choices(kinds, [self.weights[k] for k in kinds])[0]
        self.stats.requests += 1
        self.stats.by_kind[kind] += 1
        return kind

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            if len(head) > _HEAD_LIMIT:
                return
            length = 0
            for line in head.split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value.strip())
            body = await reader.readexactly(length)
            if self._catching is not None and self._released is not None and self._catching[0] in body:
                caught, released = self._catching[1], self._released
                answer = await self._forward(head, body)
                caught.set()
                await released.wait()
                if answer and not writer.is_closing():
                    writer.write(answer)
                await writer.drain()
                return
            kind = self._choose()
            if kind == "error":
                writer.write(_answer(self.rng.choice([b"500 Internal Server Error", b"502 Bad Gateway", b"503 Service Unavailable"])))
            elif kind == "busy":
                writer.write(_answer(b"429 Too Many Requests", b"retry-after: " + self.rng.choice([b"0", b"1"]) + b"\r\n"))
            elif kind == "pass":
                writer.write(await self._forward(head, body) or _answer(b"502 Bad Gateway"))
            elif kind == "drop_after":
                await self._forward(head, body)
            elif kind == "delay":
                await asyncio.sleep(self.delay_seconds)
                answer = await self._forward(head, body)
                if answer and not writer.is_closing():
                    writer.write(answer)
            await writer.drain()
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError, ValueError):
            pass
        finally:
            writer.close()

    async def _forward(self, head: bytes, body: bytes) -> bytes | None:
        """The server's whole answer, or None when it cannot be reached or hangs up."""
        lines = [line for line in head.split(b"\r\n") if not line.lower().startswith(b"connection:")]
        lines.insert(1, b"Connection: close")
        try:
            reader, writer = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", self.upstream_port), 5)
        except (TimeoutError, OSError):
            return None
        try:
            writer.write(b"\r\n".join(lines) + body)
            await writer.drain()
            answer = await asyncio.wait_for(reader.read(), 30)
        except (TimeoutError, OSError):
            return None
        finally:
            writer.close()
        return answer or None
