"""The command line's outside: --version, --help everywhere, exit statuses, one-line errors."""

from __future__ import annotations

import argparse
import csv
import io
import socket
import subprocess
import sys

import pytest

from woq_tui import __version__
from woq_tui.cli import build_parser, main
from woq_tui.i18n import set_language

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
    assert capsys.readouterr().out == f"Created the schema in {url}\n"
    assert inspect(make_engine(url)).has_table("ticket")
    assert main(["--lang", "en", "db", "upgrade", "--db", url]) == 0
    assert capsys.readouterr().out == f"Schema is up to date: {url}\n"


def test_db_upgrade_of_an_older_schema_says_from_which(tmp_path, capsys):
    from woq_tui.store.db import head_revision, make_engine, upgrade

    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = make_engine(url)
    upgrade(engine, "0002")
    engine.dispose()
    assert main(["--lang", "en", "db", "upgrade", "--db", url]) == 0
    assert capsys.readouterr().out == f"Upgraded the schema from 0002 to {head_revision()}: {url}\n"


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


@pytest.mark.parametrize(
    ("toml", "problem"),
    [
        ("[console]\nrefresh_seconds = 0\n", "console.refresh_seconds: Input should be greater than or equal to 1 (got 0)"),
        # issue 15, item 9: a traceback and exit 1 before; checked without Textual now
        ('[console]\ntheme = "no-such-theme"\n', "console.theme: unknown theme; one of ansi-dark, "),
    ],
)
def test_console_with_a_broken_config_is_one_line_and_exit_2(tmp_path, toml, problem):
    # Read and checked in the head start's child (commands/head_start.py), then said here.
    config = tmp_path / "broken.toml"
    config.write_text(toml, encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "woq_tui", "--config", str(config), "--db", f"sqlite:///{tmp_path / 't.db'}"],
        capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.startswith(f"woq-console: configuration error: {config}: {problem}")
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
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


# -- every option says what it does (issue 15, item 9) -------------------------------------


def _parsers(parser):
    yield parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for child in action.choices.values():
                yield from _parsers(child)


@pytest.mark.parametrize("language", ["en", "zh"])
def test_every_option_and_argument_has_a_description(language):
    set_language(language)
    for parser in _parsers(build_parser()):
        for action in parser._actions:
            if isinstance(action, argparse._HelpAction):
                continue
            assert action.help and action.help != argparse.SUPPRESS, f"{parser.prog}: {action.option_strings or action.dest}"


def test_help_follows_lang(capsys):
    with pytest.raises(SystemExit):
        main(["--lang", "zh", "report", "--help"])
    assert "判断未办结工单所用的时刻" in capsys.readouterr().out


# -- one line, never a traceback (issue 16, item 9) ------------------------------------------


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("mysql://woq@db/woq", "mysql is not supported"),
        ("postgresql+asyncpg://woq@db/woq", "postgresql+asyncpg is not supported"),
        ("http://example.com/db", "http is not supported"),
        ("postgresql+psycopg://postgres@[::1/x", "not a database URL"),
        ("sqlite://", "in-memory database"),
        ("sqlite:///:memory:", "in-memory database"),
    ],
)
@pytest.mark.parametrize("command", [["db", "upgrade"], ["report"], ["import", "x.csv"]])
def test_unusable_database_urls_are_one_line_and_exit_2(tmp_path, capsys, monkeypatch, url, words, command):
    monkeypatch.chdir(tmp_path)
    _csv(tmp_path, "x.csv")
    assert main(["--lang", "en", *command, "--db", url]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and words in err and "Traceback" not in err


def test_a_sqlite_file_in_a_folder_that_does_not_exist_is_refused_not_created(tmp_path, capsys):
    folder = tmp_path / "no" / "such" / "dir"
    for command in (["db", "upgrade"], ["report"], ["generate", "--stations", "1", "--days", "1"]):
        assert main(["--lang", "en", *command, "--db", f"sqlite:///{folder / 'x.db'}"]) == 1
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "does not exist" in err
    assert not (tmp_path / "no").exists()


def test_reading_commands_refuse_a_database_that_does_not_exist(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'typo.db'}"
    for command in (["report"], ["outbox", "list"]):
        assert main(["--lang", "en", *command, "--db", url]) == 1
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "no database at" in err
    assert not (tmp_path / "typo.db").exists()


@pytest.mark.parametrize(("dates", "option"), [(["--from", "0001-01-01", "--to", "9999-12-31"], "--from"), (["--to", "9999-12-31"], "--to")])
def test_report_dates_out_of_range_are_one_line(sqlite_url, capsys, dates, option):
    assert main(["--lang", "en", "report", "--db", sqlite_url, *dates]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"{option}:" in err and "outside the supported range" in err


@pytest.mark.parametrize("port", ["-1", "70000", "http"])
def test_dispatch_server_port_out_of_range_is_one_line(capsys, port):
    with pytest.raises(SystemExit) as exit_:
        main(["dispatch-server", "--no-auth", "--port", port])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "0 to 65535" in err


# -- read-only refuses every writing subcommand (issue 16, item 5) --------------------------

WRITING_COMMANDS = [
    ["import", "{csv}"],
    ["reassign", "T0001", "--to", "S002", "--reason", "wrong area"],
    ["outbox", "push"],
    ["outbox", "retry", "{entry}"],
    ["outbox", "drop", "{entry}"],
    ["db", "upgrade"],
    ["db", "rollup"],
    ["generate", "--stations", "1", "--days", "1"],
]


@pytest.mark.parametrize("words", WRITING_COMMANDS, ids=lambda w: " ".join(w[:2]))
@pytest.mark.parametrize("how", ["flag before", "flag after", "viewer"])
def test_read_only_refuses_every_writing_subcommand(engine, database_url, clock, tmp_path, capsys, words, how):
    from tests.dispatch_support import seed, ticket_state
    from woq_tui.dispatch.outbox import list_entries, record
    from woq_tui.values.outbox import TicketRef

    seed(engine)
    [entry] = record(engine, clock, [TicketRef("T0002", "S001", 1)], "S003", "wrong area", "D1023")
    csv = _csv(tmp_path, "tickets.csv")
    role = 'role = "viewer"\n' if how == "viewer" else ""
    config = tmp_path / "config.toml"
    config.write_text(f'[console]\nlanguage = "en"\n{role}[dispatch]\nbase_url = "http://127.0.0.1:9"\n', encoding="utf-8")
    args = [word.format(csv=csv, entry=entry.id[:8]) for word in words] + ["--db", database_url, "--config", str(config)]
    if how == "flag before":
        args = ["--read-only", *args]
    elif how == "flag after":
        args = [*args, "--read-only"]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "read-only" in err and "nothing was changed" in err
    assert ("viewer" in err) == (how == "viewer")
    assert [(e.id, e.state, e.attempts) for e in list_entries(engine)] == [(entry.id, "pending", 0)]
    assert ticket_state(engine, "T0001") == ("S001", 1, 1, 0)


def test_read_only_still_reads(engine, database_url, tmp_path, capsys):
    config = tmp_path / "config.toml"
    config.write_text('[console]\nlanguage = "en"\nrole = "viewer"\n', encoding="utf-8")
    assert main(["--read-only", "outbox", "list", "--db", database_url, "--config", str(config)]) == 0
    assert main(["report", "--db", database_url, "--config", str(config), "--format", "json"]) == 0
    assert main(["import", str(_csv(tmp_path)), "--dry-run", "--db", database_url, "--config", str(config)]) == 0


def _csv(tmp_path, name="dry.csv"):
    path = tmp_path / name
    path.write_text("工单编号,业务类型,供电单位编码,受理时间\nT9999,故障报修,S001,2026-11-26 09:00\n", encoding="utf-8")
    return path


def test_the_read_only_check_knows_every_writing_subcommand_of_the_spec():
    from woq_tui.commands._common import WRITING

    spec = {"import", "reassign", "reclassify", "outbox push", "outbox retry", "outbox drop", "audit review",
            "audit train", "db upgrade", "generate"}
    # and the product's own: db rollup (docs/cli.md, docs/speed.md) writes the rollup
    assert {" ".join(words) for words in WRITING} == spec | {"db rollup"}


# -- formula injection in report --format csv (issue 16, item 6) ---------------------------


def test_report_csv_cells_never_start_a_formula(engine, database_url, tmp_path, capsys):
    from datetime import datetime, timezone

    from tests.factories import add_all, station, ticket

    add_all(engine, station("=cmd|' /C calc'!A0", "+SUM(A1)", initials="x"), station("S002", "@x"))
    created = datetime(2026, 11, 18, 2, 0, tzinfo=timezone.utc)
    add_all(engine, ticket(created, station_code="=cmd|' /C calc'!A0"), ticket(created, station_code="S002"))
    out = tmp_path / "report.csv"
    assert main(["report", "--db", database_url, "--format", "csv", "--out", str(out), "--from", "2026-11-16", "--to", "2026-11-23"]) == 0
    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    cells = [cell for row in rows[1:] for cell in row]
    assert "'=cmd|' /C calc'!A0" in cells and "'+SUM(A1)" in cells and "'@x" in cells
    assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in cells if cell)


# -- the demo says where its database is (issue 15, item 7) ---------------------------------


def test_the_demo_names_its_database_whether_made_or_reused(tmp_path, settings, clock):
    from types import SimpleNamespace

    from woq_tui.commands.demo import prepare_database

    path = tmp_path / "demo.db"
    args = SimpleNamespace(fresh=False, seed=1, stations=2, days=2)
    for made in (True, False):
        stream = io.StringIO()
        assert prepare_database(path, args, settings, clock, stream) is made
        assert str(path) in stream.getvalue()
