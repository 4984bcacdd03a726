"""The reference dispatch API (docs/dispatch-api.md) over the ticket database.

A Starlette app served by uvicorn. One endpoint, `POST /tickets/{ticket_no}/reassign`:
bearer token, Idempotency-Key, optimistic concurrency on `expected_version`. What no
database can store (a NUL, a lone surrogate) is refused before it reaches one: 422 in
the body, 404 in the ticket number. A key comes with the hash of the request it was
first used for: the same key with another request is 422 `idempotency_key_reused`.
Slow clients, connection limits and query strings: dispatch/server_guard.py.

How "applied exactly once" holds under concurrency, on SQLite and PostgreSQL alike: the
first statement of the request's transaction claims the Idempotency-Key by inserting its
row. A concurrent request with the same key blocks on that row (PostgreSQL) or on the
write lock (SQLite) and then fails the primary key, so it rolls back and answers what
the first one stored. Requests with different keys race on the ticket through
`UPDATE ... WHERE version = expected`, whose row count says who won. The ticket change,
its event and the stored answer commit together or not at all.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import socket
import threading
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import uvicorn
from sqlalchemy import Engine, insert, select, update
from sqlalchemy.exc import IntegrityError
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.routing import Route

from woq_tui.dispatch.server_guard import Limits, guard_app, protocol_for
from woq_tui.domain.clock import Clock, SystemClock
from woq_tui.domain.enums import EventKind
from woq_tui.domain.models import DispatchIdempotency, Station, Ticket, TicketEvent

TICKETS = Ticket.__table__
STATIONS = Station.__table__
EVENTS = TicketEvent.__table__
ANSWERS = DispatchIdempotency.__table__

MAX_BODY = 64 * 1024
MAX_KEY = 64
MAX_TICKET_NO = 64
MAX_REASON = 2000


@dataclass(frozen=True)
class Answer:
    status: int
    body: str
    replayed: bool = False

    @classmethod
    def of(cls, status: int, /, **body: Any) -> Answer:
        return cls(status, json.dumps(body, ensure_ascii=False, separators=(",", ":")))


def _invalid(detail: str) -> Answer:
    return Answer.of(422, error="invalid", detail=detail)


KEY_REUSED = Answer.of(422, error="idempotency_key_reused")


def storable(text: str) -> bool:
    """Text both databases can hold: valid UTF-8 (no lone surrogate) and no NUL."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return "\x00" not in text


def possible_ticket_no(text: str) -> bool:
    """A ticket number that could exist: short, storable, no control characters."""
    return 0 < len(text) <= MAX_TICKET_NO and storable(text) and text.isprintable()


@dataclass(frozen=True)
class ReassignRequest:
    to_station: str
    reason: str
    operator: str
    expected_version: int
    requested_at: datetime


def parse_request(raw: bytes) -> ReassignRequest | Answer:
    """The body as the spec defines it, or the 422 that says what is wrong with it."""
    if len(raw) > MAX_BODY:
        return _invalid("body too large")
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        return _invalid("body is not valid JSON")
    if not isinstance(data, dict):
        return _invalid("body must be a JSON object")
    missing = [name for name in ("to_station", "reason", "operator", "expected_version", "requested_at") if name not in data]
    if missing:
        return _invalid(f"missing field(s): {', '.join(missing)}")
    for name in ("to_station", "reason", "operator", "requested_at"):
        if not isinstance(data[name], str):
            return _invalid(f"{name} must be a string")
        if not storable(data[name]):
            return _invalid(f"{name} holds a NUL or a lone surrogate")
    to_station, operator, reason = data["to_station"].strip(), data["operator"].strip(), data["reason"].strip()
    if not to_station or len(to_station) > 64:
        return _invalid("to_station must be a station code (1 to 64 characters)")
    if not operator or len(operator) > 64:
        return _invalid("operator must be 1 to 64 characters")
    if not reason:
        return _invalid("reason is required and must not be blank")
    if len(reason) > MAX_REASON:
        return _invalid(f"reason is longer than {MAX_REASON} characters")
    version = data["expected_version"]
    if isinstance(version, bool) or not isinstance(version, int) or version < 0:
        return _invalid("expected_version must be a whole number >= 0")
    try:
        requested_at = datetime.fromisoformat(data["requested_at"])
    except ValueError:
        return _invalid("requested_at must be an ISO 8601 date-time with an offset")
    if requested_at.tzinfo is None:
        return _invalid("requested_at must carry a UTC offset")
    return ReassignRequest(to_station, reason, operator, version, requested_at)


def request_hash(ticket_no: str, parsed: ReassignRequest | Answer, raw: bytes) -> str:
    """What identifies a request under its Idempotency-Key: its meaning when it parses
    (so the same reassignment serialised otherwise is the same request), else its bytes."""
    digest = hashlib.sha256()
    if isinstance(parsed, ReassignRequest):
        meaning = [
            ticket_no,
            parsed.to_station,
            parsed.reason,
            parsed.operator,
            parsed.expected_version,
            parsed.requested_at.timestamp(),
        ]
        digest.update(json.dumps(meaning, ensure_ascii=False).encode("utf-8"))
    else:
        digest.update(b"unparsed\x00" + ticket_no.encode("utf-8") + b"\x00" + raw)
    return digest.hexdigest()


class DispatchService:
    """The database side of the endpoint: blocking, run in a worker thread."""

    def __init__(self, engine: Engine, clock: Clock | None = None) -> None:
        self.engine = engine
        self.clock = clock or SystemClock()

    def reassign(self, key: str, ticket_no: str, raw: bytes) -> Answer:
        if not possible_ticket_no(ticket_no):
            return Answer.of(404, error="unknown_ticket")  # nothing stored: no database could hold it
        parsed = parse_request(raw)
        digest = request_hash(ticket_no, parsed, raw)
        previous = self._replay(key, ticket_no, digest)
        if previous is not None:
            return previous
        now = self.clock.now()
        try:
            with self.engine.begin() as connection:
                # Claim the key first: a concurrent duplicate waits here, then fails.
                connection.execute(
                    insert(ANSWERS).values(
                        key=key, ticket_no=ticket_no, request_hash=digest, status_code=0, body="", created_at=now
                    )
                )
                answer = parsed if isinstance(parsed, Answer) else self._apply(connection, ticket_no, parsed, now)
                connection.execute(
                    update(ANSWERS).where(ANSWERS.c.key == key).values(status_code=answer.status, body=answer.body)
                )
        except IntegrityError:
            previous = self._replay(key, ticket_no, digest)
            if previous is None:
                raise
            return previous
        return answer

    def _replay(self, key: str, ticket_no: str, digest: str) -> Answer | None:
        """The stored answer for the key; 422 idempotency_key_reused when the key came
        with another request (another ticket, another body); None for a new key."""
        with self.engine.connect() as connection:
            row = connection.execute(
                select(ANSWERS.c.status_code, ANSWERS.c.body, ANSWERS.c.ticket_no, ANSWERS.c.request_hash).where(
                    ANSWERS.c.key == key
                )
            ).first()
        if row is None:
            return None
        if row.ticket_no != ticket_no or (row.request_hash is not None and row.request_hash != digest):
            return KEY_REUSED
        return Answer(row.status_code, row.body, replayed=True)

    def _apply(self, connection, ticket_no: str, request: ReassignRequest, now: datetime) -> Answer:
        ticket = connection.execute(
            select(TICKETS.c.id, TICKETS.c.station_code, TICKETS.c.version).where(TICKETS.c.ticket_no == ticket_no)
        ).first()
        if ticket is None:
            return Answer.of(404, error="unknown_ticket")
        if connection.scalar(select(STATIONS.c.code).where(STATIONS.c.code == request.to_station)) is None:
            return Answer.of(404, error="unknown_station")
        if ticket.version != request.expected_version:
            return self._conflict(connection, ticket.id)
        if ticket.station_code == request.to_station:
            return _invalid(f"the ticket is already at station {request.to_station}")
        changed = connection.execute(
            update(TICKETS)
            .where(TICKETS.c.id == ticket.id, TICKETS.c.version == request.expected_version)
            .values(
                station_code=request.to_station,
                version=TICKETS.c.version + 1,
                dispatch_count=TICKETS.c.dispatch_count + 1,
                updated_at=now,
            )
        )
        if changed.rowcount != 1:  # another request changed it since we read it
            return self._conflict(connection, ticket.id)
        connection.execute(
            insert(EVENTS).values(
                ticket_id=ticket.id,
                kind=EventKind.reassigned.value,
                at=now,
                operator=request.operator,
                from_station=ticket.station_code,
                to_station=request.to_station,
                note=request.reason,
            )
        )
        return Answer.of(200, ticket_no=ticket_no, station_code=request.to_station, version=request.expected_version + 1)

    @staticmethod
    def _conflict(connection, ticket_id: int) -> Answer:
        current = connection.execute(
            select(TICKETS.c.version, TICKETS.c.station_code).where(TICKETS.c.id == ticket_id)
        ).one()
        return Answer.of(
            409, error="version_conflict", current_version=current.version, current_station=current.station_code
        )


def _json(status: int, headers: dict[str, str] | None = None, /, **body: Any) -> Response:
    # positional-only: a body may have a "status" key of its own (GET /health)
    answer = Answer.of(status, **body)
    return Response(answer.body, status_code=status, media_type="application/json", headers=headers)


def _authorized(header: str | None, token: str) -> bool:
    if not header:
        return False
    scheme, _, given = header.partition(" ")
    if scheme.lower() != "bearer":
        return False
    return hmac.compare_digest(given.strip().encode(), token.encode())


def create_app(engine: Engine, token: str | None = None, clock: Clock | None = None):
    """The ASGI app. `token=None` accepts every request (`--no-auth`)."""
    service = DispatchService(engine, clock)

    async def reassign(request: Request) -> Response:
        if token is not None and not _authorized(request.headers.get("authorization"), token):
            return _json(401, {"WWW-Authenticate": "Bearer"}, error="unauthorized")
        key = request.headers.get("idempotency-key", "").strip()
        if not key or len(key) > MAX_KEY or not key.isascii() or not key.isprintable():
            return _json(422, error="invalid", detail=f"the Idempotency-Key header is required (1 to {MAX_KEY} characters)")
        try:
            raw = await request.body()
        except ClientDisconnect:  # the client left, or its body was too slow (server_guard)
            return Response(status_code=408)
        answer = await run_in_threadpool(service.reassign, key, request.path_params["ticket_no"], raw)
        headers = {"Idempotent-Replayed": "true"} if answer.replayed else None
        return Response(answer.body, status_code=answer.status, media_type="application/json", headers=headers)

    async def health(_request: Request) -> Response:
        return _json(200, status="ok")

    async def http_error(_request: Request, exc: Exception) -> Response:
        status = exc.status_code if isinstance(exc, HTTPException) else 500
        error = {404: "not_found", 405: "method_not_allowed"}.get(status, "error")
        return _json(status, error=error)

    app = Starlette(
        routes=[
            Route("/tickets/{ticket_no:path}/reassign", reassign, methods=["POST"]),
            Route("/health", health, methods=["GET"]),
        ],
        exception_handlers={HTTPException: http_error},
    )
    # No redirects: Starlette would answer a trailing slash with 307 to a URL built
    # from the client's Host header (an open redirect). Such a path is a 404.
    app.router.redirect_slashes = False
    return guard_app(app)


# -- serving ---------------------------------------------------------------------------


def bind_socket(host: str = "127.0.0.1", port: int = 0) -> socket.socket:
    """A TCP socket bound to host:port and not yet listening (connections are refused
    until a server listens on it)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    return sock


def socket_url(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


class _Server(uvicorn.Server):
    """uvicorn that tells another thread when it listens."""

    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self.listening = threading.Event()

    async def startup(self, sockets=None) -> None:
        await super().startup(sockets=sockets)
        self.listening.set()


class ServerHandle:
    """A server running in a thread; `url` to reach it, `stop()` to end it."""

    def __init__(self, server: _Server, thread: threading.Thread, url: str) -> None:
        self._server = server
        self._thread = thread
        self.url = url

    def stop(self, timeout: float = 10) -> None:
        self._server.should_exit = True
        self._thread.join(timeout)

    def __enter__(self) -> ServerHandle:
        return self

    def __exit__(self, *_exc) -> None:
        self.stop()


def server_config(app, limits: Limits | None = None, **options) -> uvicorn.Config:
    """uvicorn's settings for the dispatch API: its own protocol with deadlines and a
    connection limit (server_guard.py), its own access log (no query strings)."""
    options.setdefault("log_level", "warning")
    return uvicorn.Config(
        app,
        http=protocol_for(limits or Limits()),
        access_log=False,
        lifespan="off",
        timeout_graceful_shutdown=5,
        **options,
    )


def serve_app_in_background(
    app, host: str = "127.0.0.1", port: int = 0, sock: socket.socket | None = None, limits: Limits | None = None
) -> ServerHandle:
    """Serve any ASGI app with uvicorn in a daemon thread; return once it listens."""
    sock = sock or bind_socket(host, port)
    url = socket_url(sock)
    # log_config=None: uvicorn leaves logging alone, so inside the console its messages
    # reach the log file rather than stderr, which is the screen.
    server = _Server(server_config(app, limits, log_config=None))
    failure: list[BaseException] = []

    def run() -> None:
        try:
            server.run(sockets=[sock])
        except BaseException as exc:  # uvicorn exits on a failed startup
            failure.append(exc)
        finally:
            server.listening.set()
            sock.close()

    thread = threading.Thread(target=run, name=f"dispatch-server {url}", daemon=True)
    thread.start()
    server.listening.wait()
    if failure or not server.started:
        thread.join(5)
        raise RuntimeError(f"the dispatch server could not start on {url}")
    return ServerHandle(server, thread, url)


def serve_in_background(
    engine: Engine,
    host: str = "127.0.0.1",
    port: int = 0,
    token: str | None = None,
    *,
    clock: Clock | None = None,
    limits: Limits | None = None,
) -> ServerHandle:
    """The reference dispatch API on loopback (port 0: any free port), in a thread."""
    return serve_app_in_background(create_app(engine, token, clock), host, port, limits=limits)
