"""Slow and greedy clients against the reference dispatch server, over real sockets on
127.0.0.1 (issue 16, item 8): connections whose headers or body never finish are
answered 408 and closed; beyond the connection limit a new one is answered 503 and
closed; a well-behaved client is served meanwhile."""

from __future__ import annotations

import socket
import uuid

import httpx
import pytest

from tests.dispatch_support import TOKEN, seed, ticket_state
from woq_tui.dispatch.server import create_app, serve_app_in_background
from woq_tui.dispatch.server_guard import Limits

# Short deadlines for the test; the defaults are docs/dispatch-api.md's.
LIMITS = Limits(header_seconds=1.0, body_seconds=1.0, max_connections=64)
# How long a test waits for the server to hang up before calling it a failure.
PATIENCE = 15


def _connect(url: str) -> socket.socket:
    host, port = url.removeprefix("http://").rsplit(":", 1)
    sock = socket.create_connection((host, int(port)), timeout=PATIENCE)
    return sock


def _until_closed(sock: socket.socket) -> bytes:
    """Everything the server sends until it closes the connection (a timeout fails)."""
    received = b""
    while True:
        chunk = sock.recv(65536)
        if not chunk:
            return received
        received += chunk


def _unfinished_body(url: str) -> socket.socket:
    sock = _connect(url)
    sock.sendall(
        b"POST /tickets/T0001/reassign HTTP/1.1\r\nHost: x\r\n"
        + f"Authorization: Bearer {TOKEN}\r\nIdempotency-Key: {uuid.uuid4()}\r\n".encode()
        + b"Content-Type: application/json\r\nContent-Length: 500\r\n\r\n"
        + b'{"to_station": "S002", "reason": '
    )
    return sock


def _unfinished_headers(url: str) -> socket.socket:
    sock = _connect(url)
    sock.sendall(b"POST /tickets/T0001/reassign HTTP/1.1\r\nHost: x\r\nContent-Le")
    return sock


def test_forty_slow_bodies_and_ten_slow_headers_are_closed_while_others_are_served(engine, clock, token):
    seed(engine)
    handle = serve_app_in_background(create_app(engine, token, clock), limits=LIMITS)
    slow = []
    try:
        slow = [_unfinished_body(handle.url) for _ in range(40)] + [_unfinished_headers(handle.url) for _ in range(10)]
        # Meanwhile a well-behaved client is answered.
        health = httpx.get(f"{handle.url}/health", timeout=PATIENCE)
        assert health.status_code == 200
        answers = [_until_closed(sock) for sock in slow]
    finally:
        for sock in slow:
            sock.close()
        handle.stop()
    assert all(answer.startswith(b"HTTP/1.1 408 ") for answer in answers), {answer[:40] for answer in answers}
    assert ticket_state(engine, "T0001") == ("S001", 1, 1, 0)


def test_a_kept_alive_connection_that_starts_a_request_and_stalls_is_closed(engine, clock, token):
    seed(engine)
    handle = serve_app_in_background(create_app(engine, token, clock), limits=LIMITS)
    sock = _connect(handle.url)
    try:
        sock.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
        first = b""
        while not first.endswith(b'{"status":"ok"}'):
            first += sock.recv(65536)
        assert first.startswith(b"HTTP/1.1 200 ")
        sock.sendall(b"GET /hea")  # the next request on the same connection, never finished
        rest = _until_closed(sock)
    finally:
        sock.close()
        handle.stop()
    assert rest.startswith(b"HTTP/1.1 408 ")


def test_connections_beyond_the_limit_are_refused_at_once(engine, clock, token):
    seed(engine)
    limits = Limits(header_seconds=30, body_seconds=30, max_connections=5)
    handle = serve_app_in_background(create_app(engine, token, clock), limits=limits)
    idle = []
    try:
        idle = [_unfinished_headers(handle.url) for _ in range(5)]
        extra = _connect(handle.url)
        try:
            refused = _until_closed(extra)  # well before the 30 s header deadline
        finally:
            extra.close()
        for sock in idle:
            sock.close()
        idle = []
        # The slots are free again once the greedy ones leave.
        answer = httpx.get(f"{handle.url}/health", timeout=PATIENCE)
    finally:
        for sock in idle:
            sock.close()
        handle.stop()
    assert refused.startswith(b"HTTP/1.1 503 ") and b"too_many_connections" in refused
    assert answer.status_code == 200


@pytest.mark.parametrize("complete", [True, False])
def test_a_body_that_arrives_in_time_is_served(engine, clock, token, complete):
    """The deadline is for the whole body, not for each byte: a body sent in two parts
    within it is served; one that stops is not."""
    seed(engine)
    handle = serve_app_in_background(create_app(engine, token, clock), limits=LIMITS)
    payload = (
        b'{"to_station": "S002", "reason": "r", "operator": "D1", "expected_version": 1,'
        b' "requested_at": "2026-11-26T10:15:00+08:00"}'
    )
    sock = _connect(handle.url)
    try:
        sock.sendall(
            b"POST /tickets/T0001/reassign HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
            + f"Authorization: Bearer {TOKEN}\r\nIdempotency-Key: {uuid.uuid4()}\r\n".encode()
            + f"Content-Type: application/json\r\nContent-Length: {len(payload)}\r\n\r\n".encode()
            + payload[:20]
        )
        if complete:
            sock.sendall(payload[20:])
        answer = _until_closed(sock)
    finally:
        sock.close()
        handle.stop()
    if complete:
        assert answer.startswith(b"HTTP/1.1 200 ")
        assert ticket_state(engine, "T0001") == ("S002", 2, 2, 1)
    else:
        assert answer.startswith(b"HTTP/1.1 408 ")
        assert ticket_state(engine, "T0001") == ("S001", 1, 1, 0)
