"""The console's head start: the database is opened and the queue's first page read
in a forked process while this one imports the UI.

Start-up is mostly imports, and two sets of them are each as slow as an empty Textual
app's start: SQLAlchemy with SQLModel and the models, and Textual with the screens. One
process does them one after the other, and a thread does not help (the interpreter
runs one thread at a time). A forked child does the database half on the other core:
it resolves the URL, opens the database, checks or upgrades the schema and reads the
first page, and sends each answer back over a pipe, pickled. This process meanwhile
imports Textual. On a plain SQLite file whose schema is current the child reads with
sqlite3 the statements store/queries.py defines, compiled ahead (store/first_page.py),
and never loads SQLAlchemy. A bad URL or an unreachable database is still one line and exit
status 2 or 1, as before. The console's own engine is made later, in a worker thread,
after the first frame (ConsoleContext.engine).

On a terminal the console does not wait for the child's verdict before it starts the
app (the app's own start, ≈110 ms, then overlaps the child's last steps): a verdict
that stops the program closes the app, and the same line and exit status follow
(WoqApp._watch_opening). Without a terminal it waits, so that nothing is drawn into a
pipe before the error line.

Where fork is unavailable or unsafe (not Linux, or threads already running) the same
work runs here as before: open first, then read the page in a thread while the UI is
imported (store.queue_live.start_prefetch).
"""

from __future__ import annotations

import os
import pickle
import sqlite3
import struct
import sys
import threading
from concurrent.futures import Future
from dataclasses import dataclass

from woq_tui.commands._common import configured_settings
from woq_tui.config import ConfigError
from woq_tui.errors import DatabaseError, first_line

_LENGTH = struct.Struct("!Q")


@dataclass(frozen=True)
class Opened:
    url: str  # with its password, for this process's own engine later
    label: str  # without it, for the header
    read_url: str | None = None  # the read replica's, with its password (docs/replica.md)


class _ChildDied(Exception):
    pass


def can_fork() -> bool:
    # macOS and others: fork without exec is unsafe once system frameworks are loaded.
    return sys.platform.startswith("linux") and hasattr(os, "fork") and threading.active_count() == 1


class HeadStart:
    """The child's answers, as futures: `settings` (the config file read and checked
    with --lang over it, or the ConfigError that stops the program), `opened` (an
    Opened, or the ConfigError or DatabaseError that stops the program), `first_page`
    (a LiveResult without the KPI counts, so that the rows are drawn sooner) and
    `counts` (the Kpis). If the child dies before its verdicts, this process reads the
    settings and opens the database itself (in the reading thread) and the futures
    hold those verdicts instead; a first page that never came is asked for again by
    the screen."""

    def __init__(self, args) -> None:
        self.settings: Future = Future()
        self.opened: Future = Future()
        self.first_page: Future = Future()
        self.counts: Future = Future()
        self._args = args
        read_end, write_end = os.pipe()
        try:
            pid = os.fork()
        except OSError:
            os.close(read_end)
            os.close(write_end)
            raise
        if pid == 0:  # the child: never returns
            os.close(read_end)
            _child(write_end, args)
        os.close(write_end)
        threading.Thread(target=self._read, args=(read_end, pid), name="head-start", daemon=True).start()

    @classmethod
    def start(cls, args) -> HeadStart | None:
        """The child forked, or None where that cannot be done."""
        if not can_fork():
            return None
        try:
            return cls(args)
        except OSError:  # no more processes allowed, say: do it here
            return None

    def _read(self, read_end: int, pid: int) -> None:
        try:
            with os.fdopen(read_end, "rb") as pipe:
                for future in (self.settings, self.opened, self.first_page, self.counts):
                    header = pipe.read(_LENGTH.size)
                    if len(header) < _LENGTH.size:
                        break
                    kind, value = pickle.loads(pipe.read(_LENGTH.unpack(header)[0]))
                    if kind == "ok":
                        future.set_result(value)
                    else:
                        future.set_exception(value)
        except Exception:
            pass  # whatever is unanswered is answered below
        finally:
            os.waitpid(pid, 0)
            for future in (self.first_page, self.counts):
                if not future.done():
                    future.set_exception(_ChildDied("the head-start process ended early"))
            if not self.opened.done():
                self._open_here()

    def _open_here(self) -> None:
        try:
            if not self.settings.done():
                self.settings.set_result(configured_settings(self._args))
            engine, opened = _open(self._args, self.settings.result())
        except (ConfigError, DatabaseError) as exc:
            if not self.settings.done():
                self.settings.set_exception(exc)
            self.opened.set_exception(exc)
            return
        engine.dispose()
        self.opened.set_result(opened)


def _open(args, settings):
    """The engine for the arguments and config, its schema checked, and the verdict
    for the console's process: the URL to make its own engine from, and the label."""
    from woq_tui.commands._common import open_database
    from woq_tui.config import resolve_read_url
    from woq_tui.store.db import describe_url

    engine = open_database(args, settings)
    url = engine.url.render_as_string(hide_password=False)
    return engine, Opened(url, describe_url(url), resolve_read_url(getattr(args, "db", None), settings))


def answers(args):
    """What the child sends, in order: the settings, the verdict on the database (an
    Opened, or the ConfigError or DatabaseError that stops the program), the first
    page, the KPI counts; each as ("ok", value) or ("error", exception). The settings
    come from here so that the console's process does not import pydantic, which
    checks them. A plain SQLite file whose schema is current is read without
    SQLAlchemy (store/first_page.py): its import is then no longer what the first
    frame waits for, nor does it take the CPU the console's start needs."""
    from woq_tui.config import chosen_database_url
    from woq_tui.store.first_page import connect_if_current, plain_sqlite_file

    try:
        settings = configured_settings(args)
    except ConfigError as exc:
        yield "error", ConfigError(str(exc))
        return
    yield "ok", settings

    url = chosen_database_url(getattr(args, "db", None), settings)
    path = plain_sqlite_file(url)
    direct = connect_if_current(path) if path is not None else None
    if direct is not None:
        yield "ok", Opened(url, url)  # nothing to hide in a plain SQLite URL
        yield from _read_directly(direct, settings)
    else:
        yield from _read_through_sqlalchemy(args, settings)


def _read_directly(connection, settings):
    from woq_tui.domain.clock import SystemClock
    from woq_tui.store.first_page import read_first_page, read_kpis

    try:
        yield "ok", read_first_page(connection)
        yield "ok", read_kpis(connection, SystemClock().now(), settings.sla_policy())
    except sqlite3.Error as exc:  # the screen asks again, and reports a second failure
        yield "error", DatabaseError(first_line(exc))
    finally:
        connection.close()


def _read_through_sqlalchemy(args, settings):
    from dataclasses import replace

    try:
        engine, opened = _open(args, settings)
    except (ConfigError, DatabaseError) as exc:
        yield "error", type(exc)(str(exc))
        return
    yield "ok", opened
    from woq_tui.context import ConsoleContext
    from woq_tui.values.live import FIRST_REQUEST

    context = ConsoleContext(settings, engine, read_url=opened.read_url)
    try:
        yield "ok", context.store.live(replace(FIRST_REQUEST, kpis=False))
        yield "ok", context.store.kpis()
    except Exception as exc:  # the screen asks again, and reports a second failure
        yield "error", DatabaseError(first_line(exc))
    finally:
        context.dispose()


def _child(write_end: int, args) -> None:
    """Send the answers, exit. Never raises, never returns, never writes to the
    terminal (the parent is about to take it over)."""
    try:
        null = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(null, fd)
        with os.fdopen(write_end, "wb") as pipe:
            for kind, value in answers(args):
                data = pickle.dumps((kind, value))
                pipe.write(_LENGTH.pack(len(data)) + data)
                pipe.flush()
    except BaseException:
        pass
    finally:
        os._exit(0)
