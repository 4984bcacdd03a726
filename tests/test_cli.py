"""The command line's outside: --version, --help everywhere, exit statuses, one-line errors."""

from __future__ import annotations

import socket
import subprocess
import sys

import pytest

from woq_tui import __version__
from woq_tui.cli import build_parser, main

SUBCOMMANDS = [
    [],
    ["demo"],
    ["generate"],
    ["db"],
    ["db", "upgrade"],
    ["import"],
    ["report"],
    ["reassign"],
    ["outbox"],
    ["dispatch-server"],
]


@pytest.mark.parametrize("words", SUBCOMMANDS, ids=lambda w: " ".join(w) or "console")
def test_every_subcommand_has_help(words, capsys):
    with pytest.raises(SystemExit) as exit_:
        main([*words, "--help"])
    assert exit_.value.code == 0
    assert "usage: woq-console" in capsys.readouterr().out


def test_version(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert exit_.value.code == 0
    assert capsys.readouterr().out.strip() == f"woq-console {__version__}"


def test_usage_error_exits_2_with_one_line(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["report", "--format", "pdf"])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "invalid choice" in err


def test_outbox_retry_needs_an_id(capsys):
    assert main(["outbox", "retry"]) == 2
    assert "entry ID" in capsys.readouterr().err


def test_global_db_flag_reaches_the_subcommand():
    args = build_parser().parse_args(["--db", "sqlite:///a.db", "import", "f.csv"])
    assert args.db == "sqlite:///a.db" and args.file == "f.csv"


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_unreachable_database_is_exit_1_one_line(capsys):
    url = f"postgresql+psycopg://postgres@127.0.0.1:{_closed_port()}/nowhere"
    assert main(["db", "upgrade", "--db", url]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "database error" in err and "Traceback" not in err


def test_db_upgrade_creates_the_schema(tmp_path, capsys):
    from sqlalchemy import inspect

    from woq_tui.store.db import make_engine

    url = f"sqlite:///{tmp_path / 'new.db'}"
    assert main(["--lang", "en", "db", "upgrade", "--db", url]) == 0
    assert "up to date" in capsys.readouterr().out
    assert inspect(make_engine(url)).has_table("ticket")


def test_python_dash_m_runs_the_same_entry_point():
    result = subprocess.run(
        [sys.executable, "-m", "woq_tui", "--version"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0 and result.stdout.strip() == f"woq-console {__version__}"


def test_console_logs_to_a_file_not_to_the_screen(tmp_path, monkeypatch, capsys):
    import logging

    from woq_tui.commands._common import log_to_file

    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path))
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    try:
        path = log_to_file()
        logging.getLogger("uvicorn.error").warning("dispatch API hiccup")
        for handler in root.handlers:
            handler.flush()
    finally:
        for handler in root.handlers:
            handler.close()
        root.handlers[:], level = saved
        root.setLevel(level)
    assert path.is_relative_to(tmp_path)
    assert "dispatch API hiccup" in path.read_text(encoding="utf-8")
    assert capsys.readouterr().err == ""


def test_retries_do_not_print_stamina_lines(capsys):
    import stamina

    import woq_tui.dispatch.outbox  # noqa: F401  (switches stamina's hooks off)

    assert list(stamina.instrumentation.get_on_retry_hooks()) == []


def _console(*flags: str, tmp_path) -> subprocess.CompletedProcess:
    """The console started as users start it, in a fresh process (where the head start
    forks: commands/head_start.py), with no terminal: it must stop before the screen."""
    config = tmp_path / "config.toml"
    config.write_text('[console]\nlanguage = "en"\n', encoding="utf-8")
    return subprocess.run(
        [sys.executable, "-m", "woq_tui", "--config", str(config), *flags],
        capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL,
    )


def test_console_on_an_unreachable_database_stops_with_one_line(tmp_path):
    url = f"postgresql+psycopg://postgres@127.0.0.1:{_closed_port()}/nowhere"
    result = _console("--db", url, tmp_path=tmp_path)
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr.count("\n") == 1 and "database error" in result.stderr and "nowhere" in result.stderr


def test_console_on_a_bad_database_url_is_a_configuration_error(tmp_path):
    result = _console("--db", "not a url", tmp_path=tmp_path)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.count("\n") == 1 and "configuration error" in result.stderr


def test_console_with_a_broken_config_is_one_line_and_exit_2(tmp_path):
    # Read and checked in the head start's child (commands/head_start.py), then said here.
    config = tmp_path / "broken.toml"
    config.write_text("[console]\nrefresh_seconds = 0\n", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "woq_tui", "--config", str(config), "--db", f"sqlite:///{tmp_path / 't.db'}"],
        capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr == (
        f"woq-console: configuration error: {config}: console.refresh_seconds: "
        "Input should be greater than or equal to 1 (got 0)\n"
    )
    assert not (tmp_path / "t.db").exists()  # nothing was opened, nor created


def _on_a_terminal(*argv: str, until: bytes | None = None, then: bytes = b"", seconds: float = 60) -> tuple[int, bytes]:
    """Run the console on a pseudo-terminal of 100×30 as a user would; once `until` has
    been drawn, type `then`. Returns the exit status and everything written."""
    import fcntl
    import os
    import pty
    import select
    import struct
    import termios
    import time

    pid, fd = pty.fork()
    if pid == 0:  # the child: becomes the console
        fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))
        os.execv(sys.executable, [sys.executable, "-m", "woq_tui", *argv])
    out, typed, deadline = b"", False, time.monotonic() + seconds
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([fd], [], [], max(0.0, deadline - time.monotonic()))
            if not ready:
                break
            try:
                chunk = os.read(fd, 65536)
            except OSError:  # EIO: the console ended and closed the terminal
                break
            if not chunk:
                break
            out += chunk
            if not typed and until is not None and until in out:
                os.write(fd, then)
                typed = True
    finally:
        if time.monotonic() >= deadline:
            os.kill(pid, 9)
        _, status = os.waitpid(pid, 0)
        os.close(fd)
    return os.waitstatus_to_exitcode(status), out


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the head start forks on Linux only")
def test_on_a_terminal_an_unreachable_database_closes_the_console_with_one_line(tmp_path):
    # On a terminal the app starts before the database's verdict (commands/head_start.py).
    config = tmp_path / "config.toml"
    config.write_text('[console]\nlanguage = "en"\n', encoding="utf-8")
    url = f"postgresql+psycopg://postgres@127.0.0.1:{_closed_port()}/nowhere"
    code, out = _on_a_terminal("--config", str(config), "--db", url)
    assert code == 1
    assert out.count(b"woq-console: database error:") == 1 and b"nowhere" in out and b"Traceback" not in out


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the head start forks on Linux only")
def test_on_a_terminal_a_broken_config_is_one_line_before_any_screen(tmp_path):
    config = tmp_path / "broken.toml"
    config.write_text("[consoel]\n", encoding="utf-8")
    code, out = _on_a_terminal("--config", str(config), "--db", f"sqlite:///{tmp_path / 't.db'}")
    assert code == 2
    assert out.count(b"woq-console: configuration error:") == 1 and b"consoel: unknown key" in out
    assert b"\x1b[?1049h" not in out  # the full screen never opened


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the head start forks on Linux only")
def test_on_a_terminal_the_console_shows_the_queue_and_quits(tmp_path, clock):
    from tests.factories import add_all, station, ticket
    from woq_tui.store.db import make_engine, upgrade

    url = f"sqlite:///{tmp_path / 'woq.db'}"
    engine = make_engine(url)
    upgrade(engine)
    add_all(engine, station(), ticket(clock.now(), ticket_no="T20261126"))
    engine.dispose()
    config = tmp_path / "config.toml"
    config.write_text('[console]\nlanguage = "en"\n', encoding="utf-8")
    code, out = _on_a_terminal("--config", str(config), "--db", url, until=b"T20261126", then=b"q")
    assert code == 0 and b"T20261126" in out and b"Traceback" not in out
