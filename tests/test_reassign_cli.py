"""`woq-console reassign`, `outbox` and `dispatch-server` as docs/dispatch.md says, against the
reference server on 127.0.0.1 (SQLite and PostgreSQL); the crash and race cases run
real processes."""

from __future__ import annotations

import asyncio
import os
import pty
import re
import signal
import subprocess
import sys
import threading
import time
from datetime import timedelta

import httpx
import pytest

from tests.dispatch_support import (
    TOKEN,
    FailFirst,
    Gate,
    StallAfterApply,
    seed,
    ticket_state,
    write_config,
)
from woq_tui.cli import main
from woq_tui.commands.reassign import GRACE_SECONDS
from woq_tui.dispatch.outbox import list_entries, record
from woq_tui.dispatch.server import bind_socket, create_app, serve_app_in_background, socket_url
from woq_tui.domain.clock import FixedClock, SystemClock
from woq_tui.domain.models import OutboxEntry
from woq_tui.values.outbox import TicketRef


def cli(database_url, config, *args) -> int:
    return main([*args, "--db", database_url, "--config", config])


def test_confirmed_exits_0(engine, database_url, server, tmp_path, capsys):
    seed(engine)
    config = write_config(tmp_path, server.url)
    assert cli(database_url, config, "reassign", "T0001", "--to", "S002", "--reason", "wrong area") == 0
    assert "confirmed" in capsys.readouterr().out
    assert ticket_state(engine, "T0001") == ("S002", 2, 2, 1)
    assert cli(database_url, config, "outbox", "list") == 0
    assert "empty" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("ticket_no", "to", "words"),
    [("T0001", "S404", "no such station"), ("T0404", "S002", "unknown ticket")],
)
def test_refused_exits_4_and_changes_nothing(engine, database_url, server, tmp_path, capsys, ticket_no, to, words):
    seed(engine)
    config = write_config(tmp_path, server.url)
    assert cli(database_url, config, "reassign", ticket_no, "--to", to, "--reason", "wrong area") == 4
    assert words in capsys.readouterr().err
    assert ticket_state(engine, "T0001") == ("S001", 1, 1, 0)


def test_a_bad_token_exits_4_and_names_the_variable_not_the_token(engine, database_url, server, tmp_path, capsys, monkeypatch):
    seed(engine)
    monkeypatch.setenv("WOQ_DISPATCH_TOKEN", "wrong-" + TOKEN)
    config = write_config(tmp_path, server.url)
    assert cli(database_url, config, "reassign", "T0001", "--to", "S002", "--reason", "wrong area") == 4
    out = capsys.readouterr()
    assert "WOQ_DISPATCH_TOKEN" in out.err and TOKEN not in out.err + out.out


@pytest.mark.parametrize("config_url", [None, "set"])
def test_usage_errors_exit_2(engine, database_url, server, tmp_path, capsys, config_url):
    seed(engine)
    config = write_config(tmp_path, server.url if config_url else None)
    reason = "  " if config_url else "wrong area"
    assert cli(database_url, config, "reassign", "T0001", "--to", "S002", "--reason", reason) == 2
    assert capsys.readouterr().err.count("\n") == 1
    assert list_entries(engine) == []


def test_server_down_queues_exit_3_then_outbox_push_delivers(engine, database_url, clock, token, tmp_path, capsys):
    seed(engine)
    sock = bind_socket()  # nobody listens yet
    config = write_config(tmp_path, socket_url(sock))
    assert cli(database_url, config, "reassign", "T0001", "--to", "S002", "--reason", "wrong area") == 3
    assert "queued in the outbox" in capsys.readouterr().out
    assert cli(database_url, config, "outbox", "list") == 0
    listed = capsys.readouterr().out
    assert "T0001" in listed and "Pending" in listed and "cannot reach the dispatch API" in listed
    handle = serve_app_in_background(create_app(engine, token, clock), sock=sock)
    try:
        assert cli(database_url, config, "outbox", "push") == 0
    finally:
        handle.stop()
    assert "1 confirmed" in capsys.readouterr().out
    assert ticket_state(engine, "T0001") == ("S002", 2, 2, 1)


def test_outbox_retry_and_drop_by_id(engine, database_url, clock, server, tmp_path, capsys):
    seed(engine)
    config = write_config(tmp_path, server.url)
    [first] = record(engine, clock, [TicketRef("T0001", "S001", 1)], "S002", "wrong area", "D1023")
    [second] = record(engine, clock, [TicketRef("T0002", "S001", 1)], "S002", "wrong area", "D1023")
    assert cli(database_url, config, "outbox", "retry", first.id[:8]) == 0
    assert cli(database_url, config, "outbox", "drop", second.id[:8]) == 0
    assert cli(database_url, config, "outbox", "drop", "nope-nope") == 2
    assert "no such entry" in capsys.readouterr().err
    assert list_entries(engine) == []
    assert ticket_state(engine, "T0001") == ("S002", 2, 2, 1)
    assert ticket_state(engine, "T0002") == ("S001", 1, 1, 0)


def test_dispatch_server_refuses_to_start_without_a_token(database_url, tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("WOQ_DISPATCH_TOKEN", raising=False)
    config = write_config(tmp_path, None)
    assert cli(database_url, config, "dispatch-server", "--port", "0") == 2
    assert "--no-auth" in capsys.readouterr().err


# -- real processes -----------------------------------------------------------------------


def environment(**extra) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WOQ_")}
    env.update({"WOQ_DISPATCH_TOKEN": TOKEN, "TERM": "xterm-256color", "COLUMNS": "120", "LINES": "40"}, **extra)
    return env


def woq(*args: str) -> list[str]:
    return [sys.executable, "-m", "woq_tui", *args]


def _interruptible() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def test_the_dispatch_server_command_serves_and_stops(engine, database_url, tmp_path):
    seed(engine)
    config = write_config(tmp_path, None)
    process = subprocess.Popen(
        woq("dispatch-server", "--db", database_url, "--config", config, "--port", "0"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=environment(),
        # Ctrl+C as a terminal delivers it: a child inherits an ignored SIGINT (nohup,
        # a background job, a runner that ignores it), and uvicorn, which re-raises the
        # signal it caught once it has shut down, then exits 0 instead of 130.
        preexec_fn=_interruptible,
    )
    try:
        line = process.stdout.readline()
        url = re.search(r"http://127\.0\.0\.1:\d+", line).group(0)
        response = httpx.post(
            f"{url}/tickets/T0001/reassign",
            json={"to_station": "S002", "reason": "r", "operator": "D1", "expected_version": 1,
                  "requested_at": "2026-11-26T10:15:00+08:00"},
            headers={"Authorization": f"Bearer {TOKEN}", "Idempotency-Key": "k-1"},
        )
        assert response.status_code == 200
        # A token in the URL is refused, and the log never shows a query string.
        leaked = httpx.get(f"{url}/health?access_token={TOKEN}")
        assert leaked.status_code == 422
    finally:
        process.send_signal(signal.SIGINT)
        _out, err = process.communicate(timeout=30)
    assert process.returncode == 130  # Ctrl+C: uvicorn shuts down, then the usual status
    assert "Application shutdown" not in err or "Finished server process" in err
    assert "POST /tickets/T0001/reassign 200" in err and "GET /health 422" in err
    assert TOKEN not in err and "access_token" not in err and "?" not in err
    assert ticket_state(engine, "T0001") == ("S002", 2, 2, 1)


def test_two_consoles_reassigning_one_ticket_one_wins(engine, database_url, clock, token, tmp_path):
    seed(engine)
    gate = Gate(create_app(engine, token, clock), count=2)  # both requests are in flight before either applies
    handle = serve_app_in_background(gate)
    config = write_config(tmp_path, handle.url)
    try:
        processes = [
            subprocess.Popen(
                woq("reassign", "T0001", "--to", to, "--reason", "wrong area", "--db", database_url, "--config", config),
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                env=environment(),
            )
            for to in ("S002", "S003")
        ]
        results = [(p.wait(timeout=60), *p.communicate()) for p in processes]
    finally:
        handle.stop()
    codes = sorted(code for code, _out, _err in results)
    assert codes == [0, 4], results
    loser = next(err for code, _out, err in results if code == 4)
    assert "changed meanwhile" in loser
    station, version, count, events = ticket_state(engine, "T0001")
    assert (version, count, events) == (2, 2, 1) and station in ("S002", "S003")
    assert sorted(e.state for e in list_entries(engine, confirmed_since=clock.now())) == ["confirmed", "conflict"]


def test_console_killed_while_pending_then_outbox_push_delivers_each_once(engine, database_url, clock, token, tmp_path):
    seed(engine)
    refs = [TicketRef(f"T000{n}", "S001", 1) for n in (1, 2, 3)]
    made = record(engine, clock, refs, "S003", "wrong area", "D1023")
    # The console's pusher delivers one entry, then the server applies the second and
    # holds back its answer: we kill the console right then.
    stall = StallAfterApply(create_app(engine, token, clock), count=1, after=1)
    handle = serve_app_in_background(stall)
    config = write_config(tmp_path, handle.url, timeout_seconds=60)
    master, slave = pty.openpty()
    console = subprocess.Popen(
        woq("--db", database_url, "--config", config),
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env=environment(),
        start_new_session=True,
    )
    os.close(slave)
    drain = threading.Thread(target=_drain, args=(master,), daemon=True)
    drain.start()
    try:
        assert stall.applied.wait(60), "the console never pushed"
        console.send_signal(signal.SIGKILL)
        assert console.wait(30) == -signal.SIGKILL
        states = sorted(e.state for e in list_entries(engine, confirmed_since=clock.now()))
        assert states == ["confirmed", "pending", "pending"]
        pushed = subprocess.run(
            woq("outbox", "push", "--db", database_url, "--config", config),
            capture_output=True,
            text=True,
            env=environment(),
            timeout=120,
        )
    finally:
        handle.stop()
        os.close(master)
    assert pushed.returncode == 0, pushed.stderr
    assert "2 confirmed" in pushed.stdout
    assert {e.id: e.state for e in list_entries(engine, confirmed_since=clock.now())} == {e.id: "confirmed" for e in made}
    for n in (1, 2, 3):
        assert ticket_state(engine, f"T000{n}") == ("S003", 2, 2, 1)


def _drain(fd: int) -> None:
    """Read the console's terminal so that it never blocks writing to it."""
    try:
        while os.read(fd, 65536):
            pass
    except OSError:
        pass


# -- never strand a reassignment, never lie about it (issue 16, item 1) -------------------


@pytest.mark.parametrize("max_attempts", [1, 2, 3])
@pytest.mark.parametrize("down", ["refused", "500"])
def test_queued_means_it_will_be_delivered_by_itself(engine, database_url, clock, token, tmp_path, capsys, max_attempts, down):
    """What the issue found: with max_attempts 1 to 3 and the API down or failing,
    `reassign` said queued while the entry was already failed, and `outbox push` then
    said "Nothing to push"."""
    seed(engine)
    sock = bind_socket()
    failing = FailFirst(create_app(engine, token, clock), count=10**6, status=500)
    handle = serve_app_in_background(failing) if down == "500" else None
    url = handle.url if handle else socket_url(sock)
    config = write_config(tmp_path, url, max_attempts=max_attempts, timeout_seconds=2)
    try:
        assert cli(database_url, config, "reassign", "T0001", "--to", "S002", "--reason", "wrong area") == 3
        out = capsys.readouterr().out
        assert "queued in the outbox" in out and "delivered by itself" in out
        [entry] = list_entries(engine)
        assert (entry.state, entry.attempts) == ("pending", max_attempts)
        assert cli(database_url, config, "outbox", "push") == 3  # still down: some pending
        assert "1 still pending" in capsys.readouterr().out
        if handle:
            failing.left = 0
        else:
            handle = serve_app_in_background(create_app(engine, token, clock), sock=sock)
        assert cli(database_url, config, "outbox", "push") == 0
    finally:
        if handle:
            handle.stop()
        sock.close()
    assert "1 confirmed" in capsys.readouterr().out
    assert ticket_state(engine, "T0001") == ("S002", 2, 2, 1)


def test_outbox_push_wait_keeps_going_until_none_is_pending(engine, database_url, clock, token, tmp_path, capsys):
    seed(engine)
    flaky = FailFirst(create_app(engine, token, clock), count=4, status=503)
    handle = serve_app_in_background(flaky)
    config = write_config(tmp_path, handle.url, max_backoff_seconds=1)
    now = SystemClock()  # `outbox push` runs on the real clock: requested now, not in 2026
    try:
        record(engine, now, [TicketRef("T0001", "S001", 1)], "S002", "wrong area", "D1023")
        record(engine, now, [TicketRef("T0002", "S001", 1)], "S003", "wrong area", "D1023")
        assert cli(database_url, config, "outbox", "push", "--wait") == 0
    finally:
        handle.stop()
    assert "2 confirmed" in capsys.readouterr().out
    assert ticket_state(engine, "T0001") == ("S002", 2, 2, 1) and ticket_state(engine, "T0002") == ("S003", 2, 2, 1)


def test_outbox_push_exits_1_while_an_entry_failed_and_names_it(engine, database_url, clock, server, tmp_path, capsys):
    seed(engine)
    config = write_config(tmp_path, server.url)
    # Requested two days ago and never answered: its retry window (a day) is over.
    two_days_ago = FixedClock(clock.now() - timedelta(days=2))
    [old] = record(engine, two_days_ago, [TicketRef("T0001", "S001", 1)], "S002", "wrong area", "D1023")
    with engine.begin() as connection:
        connection.execute(
            OutboxEntry.__table__.update().values(state="failed", attempts=300, last_error="HTTP 503 Service Unavailable")
        )
    record(engine, clock, [TicketRef("T0002", "S001", 1)], "S003", "wrong area", "D1023")
    assert cli(database_url, config, "outbox", "push") == 1  # 1 wins: the other was delivered
    out = capsys.readouterr().out
    assert "1 confirmed" in out and "1 not delivered and not retried by themselves" in out
    assert f"{old.id[:8]} T0001 → S002: Failed (the dispatch API failed (HTTP 503))" in out
    assert f"woq-console outbox retry {old.id[:8]}" in out
    assert cli(database_url, config, "outbox", "list") == 0
    listed = capsys.readouterr().out
    assert "Failed" in listed and "not retried by itself" in listed
    # Retried by hand: a new window, sent now.
    assert cli(database_url, config, "outbox", "retry", old.id[:8]) == 0
    assert cli(database_url, config, "outbox", "push") == 0
    assert ticket_state(engine, "T0001") == ("S002", 2, 2, 1)


def test_outbox_list_says_when_a_pending_entry_is_tried_again(engine, database_url, clock, tmp_path, capsys):
    seed(engine)
    sock = bind_socket()
    config = write_config(tmp_path, socket_url(sock))
    record(engine, clock, [TicketRef("T0001", "S001", 1)], "S002", "wrong area", "D1023")
    assert cli(database_url, config, "outbox", "list") == 0
    listed = capsys.readouterr().out
    sock.close()
    assert "Pending" in listed and "due now, retried by itself until 2026-11-27 10:00" in listed


@pytest.mark.parametrize("base_url", ["127.0.0.1:8765", "ftp://127.0.0.1/", "http://127.0.0.1:99999", "http://[::1"])
def test_a_bad_base_url_is_a_config_error_before_anything_is_recorded(engine, database_url, tmp_path, capsys, base_url):
    seed(engine)
    config = tmp_path / "config.toml"
    config.write_text(f'[console]\nlanguage = "en"\n[dispatch]\nbase_url = "{base_url}"\n', encoding="utf-8")
    assert cli(database_url, str(config), "reassign", "T0001", "--to", "S002", "--reason", "wrong area") == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "dispatch.base_url" in err and "Traceback" not in err
    assert list_entries(engine) == []


@pytest.mark.parametrize("value", ["T\x000001", "T\udcff"])
def test_a_ticket_number_no_database_can_hold_is_a_usage_error(engine, database_url, server, tmp_path, capsys, value):
    seed(engine)
    config = write_config(tmp_path, server.url)
    assert cli(database_url, config, "reassign", value, "--to", "S002", "--reason", "wrong area") == 2
    assert "cannot be stored" in capsys.readouterr().err and list_entries(engine) == []


class Trickle:
    """Answers with headers at once, then one byte of body every `every` seconds until
    stopped: each read is quick, the answer never ends (httpx's timeout is per read)."""

    def __init__(self, every: float) -> None:
        self.every = every
        self.stopped = False

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"application/json")]})
        while not self.stopped:
            await send({"type": "http.response.body", "body": b" ", "more_body": True})
            await asyncio.sleep(self.every)
        await send({"type": "http.response.body", "body": b""})


@pytest.mark.parametrize("server_kind", ["retry_after_an_hour", "trickle"])
def test_reassign_never_blocks_longer_than_its_attempts_allow(engine, database_url, clock, token, tmp_path, server_kind):
    """timeout_seconds × max_attempts plus a few seconds, whatever the server says or
    does; a Retry-After is honoured later, by the outbox."""
    seed(engine)
    if server_kind == "trickle":
        app = trickle = Trickle(every=0.5)
    else:
        app = FailFirst(create_app(engine, token, clock), count=10**6, status=429, headers={"Retry-After": "3600"})
    handle = serve_app_in_background(app)
    config = write_config(tmp_path, handle.url, timeout_seconds=1, max_attempts=2)
    limit = 1 * 2 + GRACE_SECONDS + 1
    try:
        process = subprocess.run(
            woq("reassign", "T0001", "--to", "S002", "--reason", "wrong area", "--db", database_url, "--config", config),
            capture_output=True,
            text=True,
            env=environment(),
            timeout=limit + 15,  # the interpreter's start and imports on a busy machine
        )
    finally:
        if server_kind == "trickle":
            trickle.stopped = True
        handle.stop()
    assert process.returncode == 3, process.stderr
    assert "queued in the outbox" in process.stdout and "Traceback" not in process.stderr
    [entry] = list_entries(engine)
    assert entry.state == "pending"
    if server_kind == "retry_after_an_hour":
        assert entry.attempts == 1  # the server asked for an hour: not asked again now
        wait = (entry.next_attempt_at - entry.updated_at).total_seconds()
        assert 3590 <= wait <= 3600


def test_reassign_stops_at_its_time_limit_in_process(engine, database_url, token, tmp_path, capsys):
    """The limit itself (SIGALRM), measured where the interpreter's start does not blur it."""
    seed(engine)
    trickle = Trickle(every=0.3)
    handle = serve_app_in_background(trickle)
    config = write_config(tmp_path, handle.url, timeout_seconds=1, max_attempts=1)
    try:
        began = time.monotonic()
        status = cli(database_url, config, "reassign", "T0001", "--to", "S002", "--reason", "wrong area")
        took = time.monotonic() - began
    finally:
        trickle.stopped = True
        handle.stop()
    assert status == 3 and took < 1 * 1 + GRACE_SECONDS + 1 + 2
    assert "queued in the outbox" in capsys.readouterr().out


def test_a_blank_target_or_operator_is_a_usage_error(engine, database_url, server, tmp_path, capsys):
    seed(engine)
    config = write_config(tmp_path, server.url)
    assert cli(database_url, config, "reassign", "T0001", "--to", " ", "--reason", "wrong area") == 2
    assert cli(database_url, config, "reassign", "T0001", "--to", "S002", "--reason", "r", "--operator", " ") == 2
    err = capsys.readouterr().err
    assert "a target station is required" in err and "an operator is required" in err and "Traceback" not in err
    assert list_entries(engine) == []


def test_a_database_that_fails_mid_command_is_one_line(engine, database_url, server, tmp_path, capsys):
    """A real failure after the schema check passed: the table is gone."""
    from sqlalchemy import text

    seed(engine)
    config = write_config(tmp_path, server.url)
    with engine.begin() as connection:
        connection.execute(text("DROP TABLE outbox_entry"))
    assert cli(database_url, config, "outbox", "list") == 1
    err = capsys.readouterr().err
    assert err.startswith("woq-console: database error: ") and "outbox_entry" in err
    assert err.count("\n") == 1 and "Traceback" not in err
