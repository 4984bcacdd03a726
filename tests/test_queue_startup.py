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
from woq_tui.store.db import _script_head, head_revision, make_engine, upgrade

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

CHILD = """
import json, sys
from textual.app import App

run, display = App.run, App._display

def headless(self, *args, **kwargs):
    return run(self, headless=True, size=(120, 30))

def first_frame(self, screen, renderable):
    display(self, screen, renderable)
    window = getattr(self.screen, "window", None)
    if window is not None and len(window):
        sys.__stdout__.write(json.dumps({"rows": len(window), "modules": sorted(sys.modules)}) + "\\n")
        self.exit()

App.run, App._display = headless, first_frame
from woq_tui.cli import main
main(sys.argv[1:])
"""


def test_the_scripts_head_is_read_without_alembic_as_alembic_reads_it():
    assert _script_head() == head_revision()


def test_first_frame_without_what_it_does_not_need(tmp_path: Path, clock):
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
        [sys.executable, "-c", CHILD, "--db", url, "--config", str(config), "--read-only"],
        capture_output=True, text=True, timeout=120,
    )
    [line] = [line for line in out.stdout.splitlines() if line.startswith("{")] or [out.stderr[-3000:]]
    shown = json.loads(line)
    assert shown["rows"] == 1
    loaded = set(shown["modules"])
    assert "woq_tui.screens.queue" in loaded and "sqlalchemy" in loaded
    assert sorted(name for name in NOT_BEFORE_FIRST_FRAME if name in loaded) == []
