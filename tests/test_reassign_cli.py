"""`woq-console reassign`, `outbox` and `dispatch-server` as cli.md says, against the
reference server on 127.0.0.1 (SQLite and PostgreSQL); the crash and race cases run
real processes."""

from __future__ import annotations

import os
import pty
import re
import signal
import subprocess
import sys
import threading

import httpx
import pytest

from tests.dispatch_support import (  # noqa: F401 (fixtures)
    TOKEN,
    Gate,
    StallAfterApply,
    seed,
    server,
    ticket_state,
    token,
    write_config,
)
from woq_tui.cli import main
from woq_tui.dispatch.outbox import list_entries, record
from woq_tui.values.outbox import TicketRef
from woq_tui.dispatch.server import bind_socket, create_app, serve_app_in_background, socket_url


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
    [("T0001", "S404", "unknown_station"), ("T0404", "S002", "unknown ticket")],
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
    assert "T0001" in listed and "Pending" in listed and "ConnectError" in listed
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


def test_the_dispatch_server_command_serves_and_stops(engine, database_url, tmp_path):
    seed(engine)
    config = write_config(tmp_path, None)
    process = subprocess.Popen(
        woq("dispatch-server", "--db", database_url, "--config", config, "--port", "0"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=environment(),
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
    finally:
        process.send_signal(signal.SIGINT)
        _out, err = process.communicate(timeout=30)
    assert process.returncode == 130  # Ctrl+C: uvicorn shuts down, then the usual status
    assert "Application shutdown" not in err or "Finished server process" in err
    assert TOKEN not in err
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
