"""The reference dispatch API (docs/dispatch-api.md) over the ticket database.

A Starlette app served by uvicorn. Two commands, `POST /tickets/{ticket_no}/reassign`
and `POST /tickets/{ticket_no}/reclassify`: bearer token, Idempotency-Key, optimistic
concurrency on `expected_version`; `GET /health` and `GET /openapi.json` (the contract,
dispatch/openapi.py) need no token. The module is split by concern: what a body may be
(server_requests.py), how a command is applied exactly once (server_service.py), slow
clients, connection limits and query strings (server_guard.py); here the routes and the
serving.
"""

from __future__ import annotations

import hmac
import socket
import threading
from collections.abc import Awaitable, Callable
from typing import Any

import uvicorn
from sqlalchemy import Engine
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp

from woq_tui.dispatch.openapi import document_text
from woq_tui.dispatch.server_guard import Limits, guard_app, protocol_for
from woq_tui.dispatch.server_requests import MAX_KEY, Answer, parse_request, possible_ticket_no, request_hash, storable
from woq_tui.dispatch.server_service import DispatchService
from woq_tui.domain.clock import Clock
from woq_tui.domain.sla import SlaPolicy


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


def create_app(
    engine: Engine, token: str | None = None, clock: Clock | None = None, policy: SlaPolicy | None = None
) -> ASGIApp:
    """The ASGI app. `token=None` accepts every request (`--no-auth`); `policy`: the
    configured SLA limits a reclassified ticket's due_at is computed from (None: the
    defaults of docs/sla.md)."""
    service = DispatchService(engine, clock, policy)
    openapi = document_text().encode("utf-8")

    def command(action: str) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            if token is not None and not _authorized(request.headers.get("authorization"), token):
                return _json(401, {"WWW-Authenticate": "Bearer"}, error="unauthorized")
            key = request.headers.get("idempotency-key", "").strip()
            if not key or len(key) > MAX_KEY or not key.isascii() or not key.isprintable():
                detail = f"the Idempotency-Key header is required (1 to {MAX_KEY} characters)"
                return _json(422, error="invalid", detail=detail)
            try:
                raw = await request.body()
            except ClientDisconnect:  # the client left, or its body was too slow (server_guard)
                return Response(status_code=408)
            answer = await run_in_threadpool(service.handle, action, key, request.path_params["ticket_no"], raw)
            headers = {"Idempotent-Replayed": "true"} if answer.replayed else None
            return Response(answer.body, status_code=answer.status, media_type="application/json", headers=headers)

        return endpoint

    async def health(_request: Request) -> Response:
        return _json(200, status="ok")

    async def contract(_request: Request) -> Response:
        return Response(openapi, media_type="application/json")

    async def http_error(_request: Request, exc: Exception) -> Response:
        status = exc.status_code if isinstance(exc, HTTPException) else 500
        error = {404: "not_found", 405: "method_not_allowed"}.get(status, "error")
        return _json(status, error=error)

    app = Starlette(
        routes=[
            Route("/tickets/{ticket_no:path}/reassign", command("reassign"), methods=["POST"]),
            Route("/tickets/{ticket_no:path}/reclassify", command("reclassify"), methods=["POST"]),
            Route("/health", health, methods=["GET"]),
            Route("/openapi.json", contract, methods=["GET"]),
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

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
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

    def __exit__(self, *_exc: object) -> None:
        self.stop()


def server_config(app: ASGIApp, limits: Limits | None = None, **options: Any) -> uvicorn.Config:
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
    app: ASGIApp, host: str = "127.0.0.1", port: int = 0, sock: socket.socket | None = None, limits: Limits | None = None
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
    policy: SlaPolicy | None = None,
) -> ServerHandle:
    """The reference dispatch API on loopback (port 0: any free port), in a thread."""
    return serve_app_in_background(create_app(engine, token, clock, policy), host, port, limits=limits)


# What tests and tools have always imported from here.
__all__ = [
    "Answer",
    "DispatchService",
    "ServerHandle",
    "bind_socket",
    "create_app",
    "parse_request",
    "possible_ticket_no",
    "request_hash",
    "serve_app_in_background",
    "serve_in_background",
    "server_config",
    "socket_url",
    "storable",
]
