"""What the console loads before its first frame: only what the live queue needs. The
rest (Alembic when the schema is current, the dispatch side, import and export
libraries, the other screens) loads when first used. Checked in a real process, started
the way users start it, through the command line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.factories import add_all, station, ticket
from woq_tui.store.db import head_revision, make_engine, upgrade
from woq_tui.store.schema_marks import script_head

NOT_BEFORE_FIRST_FRAME = (
    "alembic",
    "httpx",
    "stamina",
    "starlette",
    "uvicorn",
    "openpyxl",
    "pypinyin",
    "woq_tui.dispatch.outbox",
    "woq_tui.screens.overdue",
    "woq_tui.screens.outbox",
    "woq_tui.screens.reassign",
)
# Where the head start forks (commands/head_start.py), the database side too: the child
# process opened the database and read the rows this process shows.
DATABASE_SIDE = ("sqlalchemy", "sqlmodel", "psycopg", "woq_tui.domain.models", "woq_tui.store.db", "woq_tui.store.queries")
# ... and the checking of the config file, whose settings the child sends.
CONFIG_CHECK = ("pydantic", "pydantic_core")

CHILD = """
import asyncio, gc, json, sys
from textual.app import App

run, display = App.run, App._display

def headless(self, *args, **kwargs):
    return run(self, headless=True, size=(120, 30))

def report(**what):
    sys.__stdout__.write(json.dumps({**what, "modules": sorted(sys.modules)}) + "\\n")

async def after_warm_up(app, started):
    await started.wait()
    await app.workers.wait_for_complete()
    kpis = app.screen.query_one("KpiStrip").kpis
    report(engine=app.context._engine is not None, pusher=app.outbox_pusher is not None,
           open=kpis.open if kpis else None, frozen=gc.get_freeze_count())
    app.exit()

def first_frame(self, screen, renderable):
    display(self, screen, renderable)
    window = getattr(self.screen, "window", None)
    if window is not None and len(window) and not hasattr(self, "reported"):
        self.reported = True
        report(rows=len(window), warmed=self._warmed, frozen=gc.get_freeze_count())
        started, warm_up = asyncio.Event(), self.warm_up
        self.warm_up = lambda: (warm_up(), started.set())
        asyncio.get_running_loop().create_task(after_warm_up(self, started))

App.run, App._display = headless, first_frame
from woq_tui.cli import main
main(sys.argv[1:])
"""


def test_the_scripts_head_is_read_without_alembic_as_alembic_reads_it():
    assert script_head() == head_revision()


def _start(tmp_path: Path, clock, *flags: str, prelude: str = "") -> tuple[dict, dict]:
    """The console started through the command line on a one-ticket database: what it
    had loaded at its first frame with rows, and once its warm-up worker was done."""
    url = f"sqlite:///{tmp_path / 'woq.db'}"
    engine = make_engine(url)
    upgrade(engine)
    add_all(engine, station(), ticket(clock.now()))
    engine.dispose()
    config = tmp_path / "config.toml"
    config.write_text(
        '[console]\nlanguage = "en"\nrefresh_seconds = 3600\n[dispatch]\nbase_url = "http://127.0.0.1:9"\n',
        encoding="utf-8",
    )
    out = subprocess.run(
        [sys.executable, "-c", prelude + CHILD, "--db", url, "--config", str(config), *flags],
        capture_output=True, text=True, timeout=120,
    )
    lines = [json.loads(line) for line in out.stdout.splitlines() if line.startswith("{")]
    assert len(lines) == 2, out.stderr[-3000:]
    return lines[0], lines[1]


def test_first_frame_without_what_it_does_not_need(tmp_path: Path, clock):
    shown, warm = _start(tmp_path, clock, "--read-only")
    assert shown["rows"] == 1
    assert warm["open"] == 1  # the KPI counts, sent by the head start after the rows
    loaded = set(shown["modules"])
    assert "woq_tui.screens.queue" in loaded
    assert sorted(name for name in NOT_BEFORE_FIRST_FRAME if name in loaded) == []
    if sys.platform.startswith("linux"):
        assert sorted(name for name in DATABASE_SIDE + CONFIG_CHECK if name in loaded) == []


def test_after_the_first_frame_the_engine_and_pusher_start_in_a_worker(tmp_path: Path, clock):
    shown, warm = _start(tmp_path, clock)  # may reassign: the pusher starts
    first = set(shown["modules"])
    assert shown["rows"] == 1 and not shown["warmed"]
    assert "httpx" not in first and "woq_tui.dispatch.outbox" not in first
    assert warm["engine"] and warm["pusher"]
    # what was made while starting is left out of the collector's full passes once it
    # is all there (app.freeze_start_up), not before
    assert shown["frozen"] == 0 and warm["frozen"] > 10_000
    assert {"sqlalchemy", "httpx", "woq_tui.dispatch.outbox"} <= set(warm["modules"])


def test_with_threads_running_the_console_opens_the_database_itself(tmp_path: Path, clock):
    # Forking a process with threads is unsafe: the head start steps aside, and the
    # first page is read in a thread of the console's own process, as before.
    running = "import threading; threading.Thread(target=threading.Event().wait, daemon=True).start()\n"
    shown, warm = _start(tmp_path, clock, "--read-only", prelude=running)
    assert shown["rows"] == 1 and "sqlalchemy" in set(shown["modules"])
    assert warm["engine"] and not warm["pusher"]
